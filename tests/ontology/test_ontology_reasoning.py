"""HermiT (through owlready2) on the ontology, the valid fixture, the seeds graph and broken graphs."""
from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import RDF, Graph, Literal, Namespace
from rdflib import namespace as ns

from kg.checks.owl import reason
from kg.graph.vocab import DIP, ID

FIXTURES = Path(__file__).parent / "fixtures"
PROV = Namespace("http://www.w3.org/ns/prov#")
ORG = Namespace("http://www.w3.org/ns/org#")


@pytest.fixture(scope="module")
def valid_result():
    return reason(Graph().parse(FIXTURES / "valid.ttl", format="turtle"))


def test_reason_ontology_alone_is_consistent_with_no_unsatisfiable_class():
    result = reason(Graph())
    assert result.consistent
    assert result.unsatisfiable == ()


def test_reason_valid_fixture_infers_super_properties_and_types(valid_result):
    inferred = valid_result.inferred
    assert valid_result.consistent and valid_result.unsatisfiable == ()
    # envoyOf ⊑ represents ⊑ prov:actedOnBehalfOf; the fixture asserts represents itself, not its super.
    assert (ID["envoy-p"], PROV.actedOnBehalfOf, ID["state-s"]) in inferred
    assert (ID["position-1"], ORG.heldBy, ID["envoy-p"]) in inferred
    assert (ID["envoy-p"], RDF.type, DIP.Agent) in inferred
    assert (ID["meeting-1"], RDF.type, DIP.Fact) in inferred
    assert (ID["evidence-1"], RDF.type, PROV.Entity) in inferred
    # Nothing asserted is repeated as inferred.
    asserted = Graph().parse(FIXTURES / "valid.ttl", format="turtle")
    assert not [t for t in inferred if t in asserted]


def test_reason_symmetric_and_inverse_values():
    g = Graph()
    a, b, pos = ID["a"], ID["b"], ID["position"]
    g.add((a, RDF.type, DIP.Person))
    g.add((a, DIP.metWith, b))
    g.add((a, DIP.envoyOf, b))
    g.add((pos, DIP.holder, a))
    result = reason(g)
    assert result.consistent
    assert (b, DIP.metWith, a) in result.inferred
    assert (a, DIP.represents, b) in result.inferred
    assert (a, DIP.holdsPosition, pos) in result.inferred
    # Types from domains and ranges, computed by HermiT.
    assert (b, RDF.type, DIP.Agent) in result.inferred
    assert (pos, RDF.type, DIP.Position) in result.inferred


def test_reason_person_and_state_is_inconsistent():
    g = Graph()
    node = ID["person/x"]
    g.add((node, RDF.type, DIP.Person))
    g.add((node, RDF.type, DIP.State))
    result = reason(g)
    assert not result.consistent
    assert [c.individual for c in result.clashes] == [str(node)]
    assert "disjoint" in result.clashes[0].reason


def test_reason_range_clash_names_the_individual():
    g = Graph()
    mandate, place = ID["mandate/m"], ID["place/p"]
    g.add((place, RDF.type, DIP.Place))
    g.add((mandate, DIP.envoy, place))  # the range of dip:envoy is dip:Person
    result = reason(g)
    assert not result.consistent
    assert {c.individual for c in result.clashes} == {str(place)}


def test_reason_functional_data_property_with_two_values_is_inconsistent():
    g = Graph()
    ev = ID["evidence/e"]
    g.add((ev, DIP.confidence, Literal("0.5", datatype=ns.XSD.decimal)))
    g.add((ev, DIP.confidence, Literal("0.6", datatype=ns.XSD.decimal)))
    result = reason(g)
    assert not result.consistent
    assert [c.individual for c in result.clashes] == [str(ev)]


def test_reason_dates_are_reasoned_despite_hermit_lacking_xsd_date():
    g = Graph()
    g.add((ID["meeting/m"], DIP.date, Literal("2025-01-01", datatype=ns.XSD.date)))
    assert reason(g).consistent
    g.add((ID["meeting/m"], DIP.date, Literal("hier", datatype=ns.XSD.dateTime)))
    assert not reason(g).consistent


@pytest.mark.slow
def test_reason_seeds_graph_is_consistent(seeds_graph):
    result = reason(seeds_graph)
    assert result.consistent, result.clashes
    assert result.unsatisfiable == ()
    assert any(p == DIP.represents for _, p, _ in result.inferred)
