"""The ontology declares exactly the terms of kg/vocab.py, each labelled and commented in French and
English, and the builder writes no dip: term the ontology lacks."""
from __future__ import annotations

from rdflib import OWL, RDF, RDFS, Literal, Namespace, URIRef

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
    # Outside dip:, only standard terms the ontology declares (so that a graph with it is OWL 2 DL)
    ont = ontology_graph()
    declared = set(ont.subjects(RDF.type, None))
    others = {p for p in seeds_graph.predicates() if not str(p).startswith(ns)} - {RDF.type, OWL.sameAs}
    assert others and others <= declared, sorted(others - declared)
    classes = {o for o in seeds_graph.objects(None, RDF.type) if not str(o).startswith(ns)}
    assert classes and classes <= set(ont.subjects(RDF.type, OWL.Class)), sorted(classes)


def test_vocab_builder_writes_the_standard_term_beside_each_dip_term(seeds_graph):
    """Each dip: property the mapping writes has its standard counterpart on the same nodes, same values."""
    from rdflib.namespace import ORG, PROV, SDO, SKOS

    nif = Namespace("http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#")
    mirrors = {DIP.content: SDO.text, DIP.participant: SDO.attendee, DIP.location: SDO.location,
               DIP.date: SDO.startDate, DIP.principal: PROV.agent, DIP.holder: ORG.heldBy,
               DIP.holdsPosition: ORG.holds, DIP.positionIn: ORG.postIn, DIP.partOf: ORG.subOrganizationOf,
               DIP.evidence: PROV.wasDerivedFrom, DIP.article: PROV.hadPrimarySource,
               DIP.sentence: nif.anchorOf, DIP.beginIndex: nif.beginIndex, DIP.endIndex: nif.endIndex,
               DIP.fileName: SDO.identifier, DIP.datePublished: SDO.datePublished, DIP.envoyOf: PROV.actedOnBehalfOf,
               RDFS.label: SDO.name}
    for dip_term, standard in mirrors.items():
        pairs = set(seeds_graph.subject_objects(dip_term))
        assert pairs or dip_term == DIP.date, dip_term  # no seed article dates its meetings
        assert pairs <= set(seeds_graph.subject_objects(standard)), (dip_term, standard)
    assert set(seeds_graph.subject_objects(DIP.stated)) == {
        (o, s) for s, o in seeds_graph.subject_objects(SDO.creator)}
    assert set(seeds_graph.subject_objects(DIP.envoy)) == {
        (o, s) for s, o in seeds_graph.subject_objects(PROV.qualifiedDelegation)}
    assert {(s, o) for o, s in seeds_graph.subject_objects(DIP.mentionedIn)} == set(
        seeds_graph.subject_objects(SDO.mentions))
    assert set(seeds_graph.subjects(SKOS.altLabel, None)) <= set(seeds_graph.subjects(SDO.name, None))
    for dip_class, standard in ((DIP.Person, SDO.Person), (DIP.State, SDO.Country), (DIP.Article, SDO.NewsArticle),
                                (DIP.Organization, ORG.Organization), (DIP.Place, SDO.Place),
                                (DIP.Meeting, SDO.Event), (DIP.Mandate, PROV.Delegation), (DIP.Position, ORG.Post),
                                (DIP.Statement, SDO.CreativeWork)):
        nodes = set(seeds_graph.subjects(RDF.type, dip_class))
        assert nodes and nodes <= set(seeds_graph.subjects(RDF.type, standard)), dip_class
    quoted = {s for s in seeds_graph.subjects(DIP.quoted, Literal(True))}
    assert quoted and quoted == set(seeds_graph.subjects(RDF.type, SDO.Quotation))
    planned = {s for s in seeds_graph.subjects(DIP.planned, Literal(True))}
    assert planned == set(seeds_graph.subjects(RDF.type, PROV.Plan)) & set(seeds_graph.subjects(RDF.type, DIP.Meeting))


def test_vocab_natural_language_literals_are_french(seeds_graph):
    from rdflib.namespace import SDO, SKOS

    for p in (RDFS.label, SKOS.altLabel, DIP.content, DIP.sentence, DIP.title, SDO.text, SDO.headline):
        values = list(seeds_graph.objects(None, p))
        assert values and all(v.language == "fr" for v in values), p
    for p in (DIP.fileName, DIP.rule, DIP.contentHash, DIP.language):
        assert all(v.language is None and v.datatype is None for v in seeds_graph.objects(None, p)), p


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
