"""End to end: the report opened in headless Chromium (Debian's, driven by playwright)."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from rdflib import RDF, URIRef

from kg.graph.vocab import DIP, RESOURCE_BASE
from kg.report.html import AGENT_TYPES, write_report

# The screenshot goes to a temporary file unless `make screenshot` asks for the one in docs/.
SCREENSHOT = os.environ.get("KG_SCREENSHOT")
CHROMIUM = Path(os.environ.get("KG_CHROMIUM", "/usr/bin/chromium"))
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def page(tmp_path_factory, seeds_graph):
    if not CHROMIUM.is_file():
        why = f"{CHROMIUM} is missing: `make test` installs it with apt-get (as root)"
        if os.environ.get("CI", "").lower() not in ("", "0", "false"):
            pytest.fail(f"browser test cannot run in CI: {why}")
        pytest.skip(why)
    sync_api = pytest.importorskip("playwright.sync_api")
    tmp = tmp_path_factory.mktemp("report")
    report = tmp / "report.html"
    write_report(seeds_graph, report, title="seeds")
    with sync_api.sync_playwright() as pw:
        ctx = pw.chromium.launch_persistent_context(
            str(tmp / "profile"), executable_path=str(CHROMIUM), headless=True, args=ARGS,
            viewport={"width": 1400, "height": 850})
        pg = ctx.new_page()
        pg.requested, pg.errors = [], []
        pg.on("request", lambda req: pg.requested.append(req.url))
        pg.on("pageerror", lambda err: pg.errors.append(str(err)))
        pg.goto(report.as_uri())
        pg.wait_for_selector("body[data-ready=true]", timeout=30_000)
        yield pg
        ctx.close()
        shutil.rmtree(tmp / "profile", ignore_errors=True)


def _envoy(g) -> tuple[URIRef, str]:
    """An envoy of the graph and its label: the search target (the person with most facts)."""
    envoys = set(g.subjects(DIP.envoyOf, None))
    best = max(envoys, key=lambda p: (len(list(g.objects(p, DIP.stated))) + len(list(g.objects(p, DIP.metWith))),
                                      str(p)))
    return best, str(g.value(best, URIRef("http://www.w3.org/2000/01/rdf-schema#label")))


def test_browser_network_renders_every_actor(page, seeds_graph):
    actors = {s for t in AGENT_TYPES for s in seeds_graph.subjects(RDF.type, DIP[t])}
    assert page.evaluate("kgReport.nodes.length") == len(actors)
    # Positions exist only for nodes the network laid out and drew.
    assert page.evaluate("Object.keys(kgReport.network.getPositions()).length") == len(actors)
    assert page.evaluate("kgReport.edges.length") > 0
    assert page.errors == []
    assert all(url.startswith(("file:", "data:", "about:")) for url in page.requested), page.requested


def test_browser_search_opens_panel_and_fact_links_to_sentence(page, seeds_graph, tmp_path):
    person, label = _envoy(seeds_graph)
    page.fill("#search", label.split()[-1].lower())
    page.wait_for_selector(f"#search-results li[data-entity='{str(person)[len(RESOURCE_BASE):]}']")
    page.press("#search", "Enter")
    assert page.text_content("#entity-label") == label
    mandate = page.locator("li.fact.kind-mandate").first
    fact = URIRef(RESOURCE_BASE + mandate.get_attribute("data-fact"))
    assert (fact, DIP.envoy, person) in seeds_graph
    link = mandate.locator("a.sentence-link").first
    target = link.get_attribute("href")
    link.click()
    assert page.evaluate("location.hash") == target
    shown = page.locator(f"blockquote{target}")
    sentences = {str(seeds_graph.value(ev, DIP.sentence)) for ev in seeds_graph.objects(fact, DIP.evidence)}
    assert shown.text_content() in sentences
    marks = shown.locator("mark").all_text_contents()
    assert marks and any(m.lower() in label.lower() or label.lower() in m.lower() for m in marks)
    assert mandate.locator(".article-link").first.text_content().endswith(".txt")
    shot = Path(SCREENSHOT) if SCREENSHOT else tmp_path / "report.png"
    page.evaluate("document.getElementById('panel').scrollTop = 0")
    page.screenshot(path=str(shot))
    assert shot.stat().st_size > 10_000
