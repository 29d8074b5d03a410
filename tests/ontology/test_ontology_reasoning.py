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


def test_reason_ontology_file_as_on_disk_is_consistent_under_hermit(tmp_path):
    """The file itself, parsed by owlready2 (no rdflib, no rewriting) and reasoned by HermiT with its
    defaults: every datatype is in the OWL 2 datatype map, as Protégé's HermiT requires."""
    import owlready2

    from kg.packaged import ontology_file

    text = ontology_file("diplomacy.ttl").read_text(encoding="utf-8")
    # owlready2 reads RDF/XML, OWL/XML and N-Triples itself; pyoxigraph only changes the syntax
    import pyoxigraph as ox

    path = tmp_path / "diplomacy.nt"
    ox.serialize(ox.parse(text.encode("utf-8"), format=ox.RdfFormat.TURTLE), str(path), format=ox.RdfFormat.N_TRIPLES)
    world = owlready2.World()
    onto = world.get_ontology(path.as_uri()).load(format="ntriples")
    assert onto.search_one(iri=str(DIP.envoyOf)) is not None
    owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)  # raises on a bad datatype
    assert list(world.inconsistent_classes()) == []
    world.close()


def test_reason_ontology_uses_only_owl2_datatypes():
    from kg.checks.shacl import ontology_graph

    owl2 = {ns.XSD[t] for t in ("string", "boolean", "decimal", "integer", "nonNegativeInteger", "dateTime",
                               "anyURI")} | {RDF.langString, RDF.PlainLiteral, ns.RDFS.Literal}
    ranges = {o for o in ontology_graph().objects(None, ns.RDFS.range)
              if str(o).startswith((str(ns.XSD), str(RDF), str(ns.RDFS)))}
    assert ranges and ranges <= owl2, ranges - owl2


def test_reason_dates_are_reasoned_without_rewriting():
    """The graphs' days are xsd:date (outside the OWL 2 map): HermiT leaves them uninterpreted, an
    ill-formed one still makes the graph inconsistent."""
    g = Graph()
    g.add((ID["meeting/m"], DIP.date, Literal("2025-01-01", datatype=ns.XSD.date)))
    g.add((ID["meeting/m"], DIP.planned, Literal(False)))
    assert reason(g).consistent
    g.add((ID["meeting/m"], DIP.date, Literal("hier", datatype=ns.XSD.date)))
    assert not reason(g).consistent


def test_reason_french_literals_are_consistent():
    g = Graph()
    g.add((ID["statement/s"], RDF.type, DIP.Statement))
    g.add((ID["statement/s"], DIP.content, Literal("nous avançons", lang="fr")))
    g.add((ID["statement/s"], DIP.quoted, Literal(True)))
    assert reason(g).consistent


@pytest.mark.slow
def test_reason_seeds_graph_is_consistent(seeds_graph):
    result = reason(seeds_graph)
    assert result.consistent, result.clashes
    assert result.unsatisfiable == ()
    assert any(p == DIP.represents for _, p, _ in result.inferred)
