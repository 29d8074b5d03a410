"""The report's data (SPARQL over the graph), its packing for the page, and the self-contained page."""
from __future__ import annotations

import json
import re

from rdflib import RDF, RDFS, Graph, Literal, Namespace, URIRef

from kg.graph.vocab import DIP, RESOURCE_BASE
from kg.report.html import (
    AGENT_TYPES,
    NO_STATE,
    NO_STATE_COLOR,
    OTHER_COLOR,
    PALETTE,
    group_colors,
    highlight_spans,
    page_data,
    render_report,
    report_data,
)
from tests.report.synth import records, synthetic_graph

SCHEMA = Namespace("https://schema.org/")


def test_report_highlight_spans_finds_names_and_merges_overlaps():
    sentence = "L’envoyé spécial Jean Martin a rencontré Paul Durand à Paris."
    spans = highlight_spans(sentence, ["l'envoyé", "Jean Martin", "Martin", "paul durand", "x"])
    assert [sentence[a:b] for a, b in spans] == ["L’envoyé", "Jean Martin", "Paul Durand"]
    assert highlight_spans(sentence, ["Londres"]) == []


def test_report_nodes_are_the_actors_of_the_graph(seeds_graph):
    data = report_data(seeds_graph)
    actors = {str(s)[len(RESOURCE_BASE):] for t in AGENT_TYPES for s in seeds_graph.subjects(RDF.type, DIP[t])}
    assert {n["id"] for n in data["nodes"]} == actors
    assert len(data["nodes"]) == len(actors)


def test_report_edges_cover_every_met_with_and_envoy_of(seeds_graph):
    data = report_data(seeds_graph)
    met = {frozenset((e["from"], e["to"])) for e in data["edges"] if e["kind"] == "meeting" and not e["planned"]}
    envoy = {(e["from"], e["to"]) for e in data["edges"] if e["kind"] == "envoy"}
    base = len(RESOURCE_BASE)
    assert met == {frozenset((str(a)[base:], str(b)[base:])) for a, b in seeds_graph.subject_objects(DIP.metWith)}
    assert envoy == {(str(a)[base:], str(b)[base:]) for a, b in seeds_graph.subject_objects(DIP.envoyOf)}


def test_report_every_fact_carries_its_sentences(seeds_graph):
    data = report_data(seeds_graph)
    facts = {s for cls in (DIP.Statement, DIP.Meeting, DIP.Mandate, DIP.Position)
             for s in seeds_graph.subjects(RDF.type, cls)}
    assert {RESOURCE_BASE + fid for fid in data["facts"]} == {str(f) for f in facts}
    for fid, fact in data["facts"].items():
        node = URIRef(RESOURCE_BASE + fid)
        expected = {str(seeds_graph.value(ev, DIP.sentence)) for ev in seeds_graph.objects(node, DIP.evidence)}
        assert {ev["sentence"] for ev in fact["evidence"]} == expected, fid
        assert len(fact["evidence"]) == len(set(seeds_graph.objects(node, DIP.evidence))), fid
        for ev in fact["evidence"]:
            assert ev["file"] and ev["file"].endswith(".txt")
    # Quoted statements highlight the quote itself somewhere in their sentence.
    quoted = [f for f in data["facts"].values() if f["kind"] == "statement" and "«" in f["text"]]
    assert quoted and all(any(ev["marks"] for ev in f["evidence"]) for f in quoted)


def test_report_reads_language_tagged_literals_and_ignores_other_vocabularies(seeds_graph):
    # The same graph with every label, title, headline and sentence also given as an @fr literal, and
    # schema.org / PROV triples beside the dip: ones, reads as the same report: nothing doubled.
    g = Graph()
    for t in seeds_graph:
        g.add(t)
    for s, p, o in seeds_graph:
        if isinstance(o, Literal) and o.datatype is None and o.language is None:
            g.add((s, p, Literal(str(o), lang="fr")))
        if p == RDFS.label:
            g.add((s, SCHEMA.name, Literal(str(o), lang="fr")))
    for art in seeds_graph.subjects(RDF.type, DIP.Article):
        g.add((art, RDF.type, SCHEMA.NewsArticle))
        g.add((art, URIRef("http://www.w3.org/ns/prov#wasDerivedFrom"), URIRef("https://example.org/feed")))
    assert len(g) > len(seeds_graph)
    tagged, plain = report_data(g), report_data(seeds_graph)
    assert tagged["entities"] == plain["entities"]
    assert tagged["edges"] == plain["edges"]
    assert tagged["facts"].keys() == plain["facts"].keys()
    for fid, fact in plain["facts"].items():
        assert len(tagged["facts"][fid]["evidence"]) == len(fact["evidence"]), fid
        assert tagged["facts"][fid]["text"] == fact["text"], fid


def test_report_page_data_refers_to_the_same_facts_and_sentences(seeds_graph):
    data = report_data(seeds_graph)
    packed = page_data(data)
    ids = [e[0] for e in packed["entities"]]
    assert sorted(ids) == sorted(data["entities"])
    assert len(packed["sentences"]) == len(set(packed["sentences"]))  # each sentence once
    for fid, kind, planned, date, text, actors, evidence in packed["facts"]:
        fact = data["facts"][fid]
        assert (packed["kinds"][kind], bool(planned), date, text) == (fact["kind"], fact["planned"], fact["date"],
                                                                     fact["text"])
        assert [ids[a] for a in actors] == [a for a in fact["actors"] if a in data["entities"]]
        got = [(packed["sentences"][s], marks, packed["articles"][a][0], packed["rules"][r], conf)
               for s, marks, a, _, _, r, conf in evidence]
        assert got == [(ev["sentence"], ev["marks"], ev["file"], ev["rule"], ev["confidence"]) for ev in fact["evidence"]]
    edges = {(ids[f], ids[t], tuple(packed["facts"][i][0] for i in facts)) for f, t, _, facts in packed["edges"]}
    assert edges == {(e["from"], e["to"], tuple(e["facts"])) for e in data["edges"]}


def test_report_colours_go_to_the_states_with_most_actors():
    groups = ["Kalvania"] * 5 + ["Borduria"] * 3 + ["Syldavia"] * 3 + [NO_STATE] * 9
    colors = group_colors(groups)
    assert list(colors) == ["Kalvania", "Borduria", "Syldavia", NO_STATE]  # most actors first, ties by name
    assert colors["Kalvania"] == PALETTE[0] and colors[NO_STATE] == NO_STATE_COLOR
    many = group_colors(f"State {i:02d}" for i in range(len(PALETTE) + 5))
    assert len(many) == len(PALETTE) + 1 and OTHER_COLOR not in many.values()


def test_report_page_is_self_contained(seeds_graph):
    page = render_report(seeds_graph, title="seeds <test>")
    assert "<title>seeds &lt;test&gt; — diplomacy-kg report</title>" in page
    assert not re.search(r"<(script|link|img)[^>]+(src|href)=", page)  # nothing fetched: works offline
    assert "@version 9.1.2" in page  # the vis-network bundle itself is inlined
    raw = re.search(r'<script type="application/json" id="kg-data">(.*?)</script>', page, re.S).group(1)
    assert json.loads(raw) == json.loads(json.dumps(page_data(report_data(seeds_graph))))
    assert "/*KG:" not in page.split("<script>/*", 1)[0]  # every marker of the template was filled


def test_report_synthetic_graph_has_the_builders_shape():
    # The scale tests' corpus: the records of invented articles, through the real resolution and mapping.
    docs = records(40)
    assert [d.article.doc_id for d in docs] == [d.article.doc_id for d in records(40)]  # reproducible
    for doc in docs[:5]:
        for fact in doc.facts:
            ev = fact.evidence
            assert doc.article.text[ev.start:ev.end] == ev.sentence
    g = synthetic_graph(40)
    data = report_data(g)
    kinds = {f["kind"] for f in data["facts"].values()}
    assert kinds == {"meeting", "statement", "mandate", "position"}
    assert {e["type"] for e in data["entities"].values()} == {"Person", "State", "Organization", "Place"}
    dated = [ev for f in data["facts"].values() for ev in f["evidence"] if ev["date"]]
    assert dated and all(re.fullmatch(r"\d{4}-\d\d-\d\d", ev["date"]) for ev in dated)
    # Popular actors recur across articles, as in news: some have facts from many articles.
    top = max(data["entities"].values(), key=lambda e: len(e["facts"]))
    assert len(top["facts"]) >= 10
