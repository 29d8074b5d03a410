"""Violations planted all over a real graph are all found, each where it was planted, in one report (kg
validate is one public pyshacl.validate call: chunked parallel validation no longer paid, see shacl.py)."""
from __future__ import annotations

from rdflib import RDF, RDFS, Graph, Literal
from rdflib.namespace import SH

from kg.checks.shacl import validate
from kg.graph.vocab import DIP


def _planted(seeds_graph: Graph) -> tuple[Graph, set[tuple[str, str]]]:
    """The seeds graph with violations planted on nodes spread over the whole graph, and (shape, focus) of each."""
    g = Graph()
    g += seeds_graph
    statements = sorted(g.subjects(RDF.type, DIP.Statement))
    meetings = sorted(g.subjects(RDF.type, DIP.Meeting))
    evidence = sorted(g.subjects(RDF.type, DIP.Evidence))
    people = sorted(g.subjects(RDF.type, DIP.Person))
    places = sorted(g.subjects(RDF.type, DIP.Place))
    assert len(statements) > 10 and len(evidence) > 10 and meetings and people and places
    g.remove((people[0], RDFS.label, None))
    g.add((statements[-1], RDF.type, DIP.Meeting))
    g.add((people[-1], DIP.stated, statements[len(statements) // 2]))  # second speaker, seen backwards
    g.add((meetings[-1], DIP.participant, places[-1]))  # a value typed in another part of the graph
    g.remove((evidence[len(evidence) // 3], DIP.article, None))
    g.set((evidence[-1], DIP.confidence, Literal(2.0)))
    planted = {("EntityLabelShape", people[0]), ("OneKindShape", statements[-1]),
               ("StatementSpeakerShape", statements[len(statements) // 2]), ("MeetingParticipantShape", meetings[-1]),
               ("EvidenceArticleShape", evidence[len(evidence) // 3]), ("EvidenceConfidenceShape", evidence[-1])}
    return g, {(shape, str(node)) for shape, node in planted}


def test_validate_finds_every_planted_violation_where_it_was_planted(seeds_graph):
    g, planted = _planted(seeds_graph)
    result = validate(g)
    assert not result.conforms
    found = {(v.shape.rsplit("#", 1)[-1], v.focus) for v in result.violations}
    assert planted <= found
    # what else fired follows from the plants: the statement typed a meeting too breaks the closed shapes
    # and the meeting shapes on that node, and the place among participants nothing else
    assert {focus for _, focus in found - planted} <= {focus for _, focus in planted}
    assert len(set(result.report.subjects(RDF.type, SH.ValidationResult))) == len(result.violations)
    assert (None, SH.conforms, Literal(False)) in result.report


def test_validate_seeds_conform_with_an_empty_report(seeds_graph):
    result = validate(seeds_graph)
    assert result.conforms and result.violations == ()
    assert (None, SH.conforms, Literal(True)) in result.report
