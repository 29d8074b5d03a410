"""Every fact of the seeds graph is traceable to one sentence of one article."""
from __future__ import annotations

from rdflib import RDF, Literal

from kg.extract.patterns import all_patterns
from kg.graph.vocab import DIP

FACT_CLASSES = (DIP.Statement, DIP.Meeting, DIP.Mandate, DIP.Position)
RULE_IDS = {p.id for p in all_patterns()}


def _one(g, node, prop):
    values = list(g.objects(node, prop))
    assert len(values) == 1, f"{node}: {len(values)} values of {prop}"
    return values[0]


def test_evidence_every_fact_has_sentence_offsets_rule_confidence(seeds_graph, seeds_dir):
    texts = {p.name: p.read_bytes().decode("utf-8-sig") for p in seeds_dir.glob("*.txt")}
    facts = {f for cls in FACT_CLASSES for f in seeds_graph.subjects(RDF.type, cls)}
    assert len(facts) > 20, "the seeds should give many facts"
    checked = 0
    for fact in sorted(facts):
        evidences = list(seeds_graph.objects(fact, DIP.evidence))
        assert evidences, f"{fact}: no evidence"
        for ev in evidences:
            assert (ev, RDF.type, DIP.Evidence) in seeds_graph
            article = _one(seeds_graph, ev, DIP.article)
            file_name = str(_one(seeds_graph, article, DIP.fileName))
            sentence = str(_one(seeds_graph, ev, DIP.sentence))
            begin = _one(seeds_graph, ev, DIP.beginIndex).toPython()
            end = _one(seeds_graph, ev, DIP.endIndex).toPython()
            assert str(_one(seeds_graph, ev, DIP.rule)) in RULE_IDS
            confidence = _one(seeds_graph, ev, DIP.confidence).toPython()
            assert 0 <= confidence <= 1, f"{ev}: confidence {confidence}"
            assert 0 <= begin < end <= len(texts[file_name]), f"{ev}: offsets {begin}-{end} in {file_name}"
            assert texts[file_name][begin:end] == sentence, f"{ev}: offsets do not slice {file_name} to the sentence"
            checked += 1
    assert checked >= len(facts)


def test_evidence_reachable_from_every_shortcut(seeds_graph):
    """?a dip:metWith ?b, dip:envoyOf, dip:stated and dip:holdsPosition all lead to a fact with evidence."""
    unexplained = {
        "metWith": """SELECT ?a ?b WHERE { ?a dip:metWith ?b FILTER NOT EXISTS {
            ?m a dip:Meeting ; dip:participant ?a , ?b ; dip:planned false ; dip:evidence/dip:sentence ?s } }""",
        "envoyOf": """SELECT ?a ?b WHERE { ?a dip:envoyOf ?b FILTER NOT EXISTS {
            ?m a dip:Mandate ; dip:envoy ?a ; dip:principal ?b ; dip:evidence/dip:sentence ?s } }""",
        "stated": """SELECT ?a ?b WHERE { ?a dip:stated ?b FILTER NOT EXISTS {
            ?b a dip:Statement ; dip:evidence/dip:sentence ?s } }""",
        "holdsPosition": """SELECT ?a ?b WHERE { ?a dip:holdsPosition ?b FILTER NOT EXISTS {
            ?b a dip:Position ; dip:holder ?a ; dip:evidence/dip:sentence ?s } }""",
    }
    for name, text in unexplained.items():
        used = len(list(seeds_graph.triples((None, DIP[name], None))))
        assert used > 0, f"the seeds graph has no dip:{name} to check"
        rows = list(seeds_graph.query(text, initNs={"dip": DIP._NS}))
        assert rows == [], f"dip:{name} without a fact and evidence: {rows[:3]}"


def test_evidence_one_fact_two_articles_one_node(two_articles_dir, nlp):
    """The same statement in two articles is one Statement node with one evidence per article."""
    from kg.build.pipeline import build_graph

    g = build_graph([two_articles_dir], workers=1)
    statements = list(g.subjects(RDF.type, DIP.Statement))
    assert len(statements) == 1, f"expected one statement, got {statements}"
    evidences = list(g.objects(statements[0], DIP.evidence))
    assert len(evidences) == 2
    files = sorted(str(_one(g, _one(g, ev, DIP.article), DIP.fileName)) for ev in evidences)
    assert files == ["alpha.txt", "beta.txt"]
    begins = sorted(_one(g, ev, DIP.beginIndex).toPython() for ev in evidences)
    assert begins == [0, len("Moscou reste prudente.\n\n")]
    assert (statements[0], DIP.content, Literal("les pourparlers avançaient lentement", lang="fr")) in g
    positions = list(g.subjects(RDF.type, DIP.Position))
    assert len(positions) == 1 and len(list(g.objects(positions[0], DIP.evidence))) == 2
