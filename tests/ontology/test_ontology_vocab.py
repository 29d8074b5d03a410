"""The ontology declares exactly the terms of kg/vocab.py, each labelled and commented in French and
English, and the builder writes no dip: term the ontology lacks."""
from __future__ import annotations

from rdflib import OWL, RDF, RDFS, URIRef

from kg.checks.shacl import ontology_graph
from kg.graph.vocab import DIP

DECLARED_KINDS = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)


def _vocab_terms() -> set[URIRef]:
    return {DIP[name] for name in DIP.__annotations__}


def _declared() -> set[URIRef]:
    ont = ontology_graph()
    ns = str(DIP._NS)
    return {s for kind in DECLARED_KINDS for s in ont.subjects(RDF.type, kind)
            if isinstance(s, URIRef) and str(s).startswith(ns)}


def test_vocab_and_ontology_declare_the_same_terms():
    vocab, declared = _vocab_terms(), _declared()
    assert vocab - declared == set(), "in kg/vocab.py but not declared in ontology/diplomacy.ttl"
    assert declared - vocab == set(), "declared in ontology/diplomacy.ttl but missing from kg/vocab.py"


def test_vocab_every_term_labelled_and_commented_in_french_and_english():
    ont = ontology_graph()
    for term in _vocab_terms():
        for prop in (RDFS.label, RDFS.comment):
            langs = {lit.language for lit in ont.objects(term, prop)}
            assert {"fr", "en"} <= langs, f"{term} lacks {prop} in {({'fr', 'en'} - langs)}"


def test_vocab_properties_have_domain_and_range():
    ont = ontology_graph()
    for term in _vocab_terms():
        if (term, RDF.type, OWL.Class) in ont:
            continue
        assert ont.value(term, RDFS.domain) is not None, f"{term} has no rdfs:domain"
        assert ont.value(term, RDFS.range) is not None, f"{term} has no rdfs:range"


def test_vocab_builder_emits_only_declared_terms(seeds_graph):
    ns = str(DIP._NS)
    used = {p for p in seeds_graph.predicates() if str(p).startswith(ns)}
    used |= {o for o in seeds_graph.objects(None, RDF.type) if str(o).startswith(ns)}
    assert used, "the seeds graph uses dip: terms"
    assert used - _declared() == set()
    # Outside dip:, only the labels and types the ontology expects.
    others = {str(p) for p in seeds_graph.predicates() if not str(p).startswith(ns)}
    assert others <= {str(RDF.type), str(RDFS.label), "http://www.w3.org/2004/02/skos/core#altLabel"}
    assert {o for o in seeds_graph.objects(None, RDF.type) if not str(o).startswith(ns)} == set()


def test_vocab_alignments_reference_external_vocabularies_without_importing_them():
    ont = ontology_graph()
    assert not list(ont.objects(None, OWL.imports))
    assert (DIP.metWith, RDF.type, OWL.SymmetricProperty) in ont
    assert (DIP.envoyOf, RDFS.subPropertyOf, DIP.represents) in ont
    supers = {str(o) for o in ont.objects(DIP.Article, RDFS.subClassOf)}
    assert "https://schema.org/NewsArticle" in supers
    assert "http://www.w3.org/ns/org#Post" in {str(o) for o in ont.objects(DIP.Position, RDFS.subClassOf)}
    assert "http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#beginIndex" in {
        str(o) for o in ont.objects(DIP.beginIndex, RDFS.subPropertyOf)}
