"""The report's data (SPARQL over the graph) and the self-contained page."""
from __future__ import annotations

import json
import re

from rdflib import RDF, URIRef

from kg.graph.vocab import DIP, RESOURCE_BASE
from kg.report.html import AGENT_TYPES, highlight_spans, render_report, report_data


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
        for ev in fact["evidence"]:
            assert ev["file"] and ev["file"].endswith(".txt")
    # Quoted statements highlight the quote itself somewhere in their sentence.
    quoted = [f for f in data["facts"].values() if f["kind"] == "statement" and "«" in f["text"]]
    assert quoted and all(any(ev["marks"] for ev in f["evidence"]) for f in quoted)


def test_report_page_is_self_contained(seeds_graph):
    page = render_report(seeds_graph, title="seeds <test>")
    assert "<title>seeds &lt;test&gt; — diplomacy-kg report</title>" in page
    assert not re.search(r"<(script|link|img)[^>]+(src|href)=", page)  # nothing fetched: works offline
    assert "@version 9.1.2" in page  # the vis-network bundle itself is inlined
    raw = re.search(r'<script type="application/json" id="kg-data">(.*?)</script>', page, re.S).group(1)
    assert json.loads(raw) == json.loads(json.dumps(report_data(seeds_graph)))
