"""Chunked (and parallel) validation gives exactly the violations of one pyshacl call on the whole graph."""
from __future__ import annotations

import pytest
from rdflib import RDF, RDFS, Graph, Literal
from rdflib.namespace import SH
from test_ontology_shapes import CASES, Case, _snippet, _valid

from kg.checks.shacl import validate
from kg.graph.vocab import DIP

WHOLE = 10**9  # a chunk size no graph reaches: one pyshacl call


def _edited(case: Case) -> Graph:
    g = _valid()
    for t in _snippet(case.delete):
        g.remove(t)
    g += _snippet(case.insert)
    return g


@pytest.mark.parametrize("case", CASES, ids=[c.shape for c in CASES])
def test_validate_chunks_of_a_few_triples_match_one_call(case: Case):
    # Chunks of about 20 triples split the fixture (58 triples) into three, so a shape's focus node and the
    # nodes its checks read (values, the speaker of a statement, the fact of an evidence) land apart.
    g = _edited(case)
    whole = validate(g, chunk_triples=WHOLE)
    chunked = validate(g, chunk_triples=20, workers=1)
    assert not whole.conforms and whole.violations
    assert (chunked.conforms, chunked.violations) == (whole.conforms, whole.violations)


def _planted(seeds_graph: Graph) -> Graph:
    """The seeds graph with violations planted on nodes spread over the whole graph."""
    g = Graph()
    g += seeds_graph
    statements = sorted(g.subjects(RDF.type, DIP.Statement))
    meetings = sorted(g.subjects(RDF.type, DIP.Meeting))
    evidence = sorted(g.subjects(RDF.type, DIP.Evidence))
    people = sorted(g.subjects(RDF.type, DIP.Person))
    places = sorted(g.subjects(RDF.type, DIP.Place))
    assert len(statements) > 10 and len(evidence) > 10 and meetings and people and places
    g.remove((people[0], RDFS.label, None))  # EntityLabelShape
    g.add((statements[-1], RDF.type, DIP.Meeting))  # OneKindShape, closed shapes, ...
    g.add((people[-1], DIP.stated, statements[len(statements) // 2]))  # second speaker, seen backwards
    g.add((meetings[-1], DIP.participant, places[-1]))  # value typed in another part of the graph
    g.remove((evidence[len(evidence) // 3], DIP.article, None))  # EvidenceArticleShape
    g.set((evidence[-1], DIP.confidence, Literal(2.0)))  # EvidenceConfidenceShape
    return g


def test_validate_parallel_chunks_find_the_violations_of_one_call(seeds_graph):
    g = _planted(seeds_graph)
    whole = validate(g, chunk_triples=WHOLE)
    assert not whole.conforms
    shapes = {v.shape.rsplit("#", 1)[-1] for v in whole.violations}
    assert {"EntityLabelShape", "OneKindShape", "StatementSpeakerShape", "MeetingParticipantShape",
            "EvidenceArticleShape", "EvidenceConfidenceShape"} <= shapes
    for workers in (1, 2):
        chunked = validate(g, chunk_triples=150, workers=workers)
        assert (chunked.conforms, chunked.violations) == (whole.conforms, whole.violations), workers
    report = validate(g, chunk_triples=150, workers=2).report
    assert len(set(report.subjects(RDF.type, SH.ValidationResult))) == len(whole.violations)
    assert (None, SH.conforms, Literal(False)) in report


def test_validate_parallel_chunks_of_a_conforming_graph_conform(seeds_graph):
    result = validate(seeds_graph, chunk_triples=150, workers=2)
    assert result.conforms and result.violations == ()
    assert (None, SH.conforms, Literal(True)) in result.report
