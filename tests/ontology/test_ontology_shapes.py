"""Each SHACL shape has a valid fixture (fixtures/valid.ttl) and an invalid one (an edit of it) that makes
exactly that shape fire on the expected focus node; Jena's SHACL engine and pyshacl, with or without the
ontology merged in, find the same violations on every fixture and on the seeds graph."""
from __future__ import annotations

import os
import subprocess
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pyshacl
import pytest
from rdflib import RDF, RDFS, BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import SH

from kg.checks.shacl import SHAPES_NS, ontology_graph, shapes_graph, validate
from kg.graph.vocab import DIP, ID

FIXTURES = Path(__file__).parent / "fixtures"
DSH = Namespace(SHAPES_NS)
PREFIXES = """@prefix dip: <https://w3id.org/diplomacy-kg/ontology#> .
@prefix id: <https://w3id.org/diplomacy-kg/id/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""
BLANK = "_"  # the focus node is a blank node


@dataclass(frozen=True)
class Case:
    shape: str
    focus: str
    delete: str = ""
    insert: str = ""
    also: tuple[str, ...] = ()  # other shapes the edit necessarily breaks


CASES = [
    Case("OneKindShape", "state-s", insert="id:state-s a dip:Person ."),
    Case("EntityShape", BLANK, insert='[] a dip:Place ; rdfs:label "Nulle part" ; dip:mentionedIn id:article-a .'),
    Case("EntityLabelShape", "place-g", delete='id:place-g rdfs:label "Genève" .'),
    Case("EntityAltLabelShape", "envoy-p", delete='id:envoy-p skos:altLabel "J. Exemple" .',
         insert='id:envoy-p skos:altLabel "" .'),
    Case("EntityMentionedInShape", "place-g", delete="id:place-g dip:mentionedIn id:article-a ."),
    Case("MentionedInDomainShape", "untyped", insert="id:untyped dip:mentionedIn id:article-a ."),
    Case("PartOfDomainShape", "place-g", insert="id:place-g dip:partOf id:state-s ."),
    Case("PartOfRangeShape", "org-o", delete="id:org-o dip:partOf id:state-s .",
         insert="id:org-o dip:partOf id:place-g ."),
    Case("StatedDomainShape", "place-g", delete="id:envoy-p dip:stated id:statement-1 .",
         insert="id:place-g dip:stated id:statement-1 ."),
    Case("StatedRangeShape", "minister-q", insert="id:minister-q dip:stated id:meeting-1 ."),
    Case("MetWithDomainShape", "place-g", insert="id:place-g dip:metWith id:envoy-p ."),
    Case("MetWithRangeShape", "minister-q", insert="id:minister-q dip:metWith id:place-g ."),
    Case("EnvoyOfDomainShape", "state-s", insert="id:state-s dip:envoyOf id:org-o ."),
    Case("EnvoyOfRangeShape", "envoy-p", insert="id:envoy-p dip:envoyOf id:place-g ."),
    Case("RepresentsDomainShape", "place-g", insert="id:place-g dip:represents id:state-s ."),
    Case("RepresentsRangeShape", "minister-q", insert="id:minister-q dip:represents id:article-a ."),
    Case("HoldsPositionDomainShape", "state-s", insert="id:state-s dip:holdsPosition id:position-1 .",
         also=("PositionHeldShape",)),
    Case("HoldsPositionRangeShape", "minister-q", insert="id:minister-q dip:holdsPosition id:mandate-1 ."),
    Case("FactShape", BLANK, insert='[] a dip:Mandate ; dip:envoy id:minister-q ; dip:principal id:state-s ; '
         'dip:title "émissaire" ; dip:evidence id:evidence-1 .'),
    Case("FactEvidenceShape", "mandate-1", delete="id:mandate-1 dip:evidence id:evidence-1 ."),
    Case("StatementShape", "statement-1", insert="id:statement-1 dip:planned true ."),
    Case("StatementSpeakerShape", "statement-1", insert="id:minister-q dip:stated id:statement-1 ."),
    Case("StatementContentShape", "statement-1", delete='id:statement-1 dip:content "nous avançons" .',
         insert='id:statement-1 dip:content "" .'),
    Case("StatementQuotedShape", "statement-1", delete="id:statement-1 dip:quoted true .",
         insert='id:statement-1 dip:quoted "oui" .'),
    Case("MeetingShape", "meeting-1", insert="id:meeting-1 dip:quoted true ."),
    Case("MeetingParticipantShape", "meeting-1", delete="id:meeting-1 dip:participant id:minister-q ."),
    Case("MeetingLocationShape", "meeting-1", delete="id:meeting-1 dip:location id:place-g .",
         insert="id:meeting-1 dip:location id:org-o ."),
    Case("MeetingDateShape", "meeting-1", delete='id:meeting-1 dip:date "2025-01-01"^^xsd:date .',
         insert='id:meeting-1 dip:date "2025-01-01T10:00:00"^^xsd:dateTime .'),
    Case("MeetingPlannedShape", "meeting-1", delete="id:meeting-1 dip:planned false ."),
    Case("MandateShape", "mandate-1", insert="id:mandate-1 dip:holder id:envoy-p ."),
    Case("MandateEnvoyShape", "mandate-1", delete="id:mandate-1 dip:principal id:state-s .",
         insert="id:mandate-1 dip:principal id:envoy-p ."),
    Case("MandatePrincipalShape", "mandate-1", delete="id:mandate-1 dip:principal id:state-s .",
         insert="id:mandate-1 dip:principal id:place-g ."),
    Case("MandateTitleShape", "mandate-1", delete='id:mandate-1 dip:title "émissaire" .'),
    Case("PositionShape", "position-1", insert="id:position-1 dip:principal id:state-s ."),
    Case("PositionHolderShape", "position-1",
         insert="id:position-1 dip:holder id:minister-q . id:minister-q dip:holdsPosition id:position-1 ."),
    Case("PositionHeldShape", "position-1", delete="id:envoy-p dip:holdsPosition id:position-1 ."),
    Case("PositionInShape", "position-1", delete="id:position-1 dip:positionIn id:org-o .",
         insert="id:position-1 dip:positionIn id:place-g ."),
    Case("PositionTitleShape", "position-1", insert='id:position-1 dip:title "" .'),
    Case("EvidenceShape", "evidence-1", insert='id:evidence-1 dip:title "titre" .'),
    Case("EvidenceOfShape", "evidence-2", insert='id:evidence-2 a dip:Evidence ; dip:article id:article-a ; '
         'dip:sentence "Rien." ; dip:beginIndex "0"^^xsd:nonNegativeInteger ; '
         'dip:endIndex "5"^^xsd:nonNegativeInteger ; dip:rule "meeting.verb.v1" ; dip:confidence 0.5 .'),
    Case("EvidenceArticleShape", "evidence-1", delete="id:evidence-1 dip:article id:article-a ."),
    Case("EvidenceSentenceShape", "evidence-1", insert='id:evidence-1 dip:sentence "Autre phrase." .'),
    Case("EvidenceBeginShape", "evidence-1", delete='id:evidence-1 dip:beginIndex "0"^^xsd:nonNegativeInteger .',
         insert='id:evidence-1 dip:beginIndex "70"^^xsd:nonNegativeInteger .'),
    Case("EvidenceEndShape", "evidence-1", delete='id:evidence-1 dip:endIndex "70"^^xsd:nonNegativeInteger .',
         insert='id:evidence-1 dip:endIndex "70"^^xsd:integer .'),
    Case("EvidenceRuleShape", "evidence-1", delete='id:evidence-1 dip:rule "meeting.verb.v1" .',
         insert='id:evidence-1 dip:rule "meeting verb" .'),
    Case("EvidenceConfidenceShape", "evidence-1", delete="id:evidence-1 dip:confidence 0.75 .",
         insert="id:evidence-1 dip:confidence 1.5 ."),
    Case("ArticleShape", "article-a", insert="id:article-a dip:confidence 0.5 ."),
    Case("ArticleFileNameShape", "article-a", delete='id:article-a dip:fileName "a.txt" .'),
    Case("ArticleContentHashShape", "article-a",
         delete='id:article-a dip:contentHash "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef" .',
         insert='id:article-a dip:contentHash "md5:0123" .'),
    Case("ArticleLanguageShape", "article-a", delete='id:article-a dip:language "fr" .',
         insert='id:article-a dip:language "français" .'),
    Case("ArticleTitleShape", "article-a", insert='id:article-a dip:title "Un second titre" .'),
    Case("ArticleSourceURLShape", "article-a", delete='id:article-a dip:sourceURL "https://example.org/a"^^xsd:anyURI .',
         insert='id:article-a dip:sourceURL "https://example.org/a" .'),
    Case("ArticleSourceURLShape", "article-a", delete='id:article-a dip:sourceURL "https://example.org/a"^^xsd:anyURI .',
         insert='id:article-a dip:sourceURL "javascript:alert(1)"^^xsd:anyURI .'),
    Case("ArticleSourceURLShape", "article-a", delete='id:article-a dip:sourceURL "https://example.org/a"^^xsd:anyURI .',
         insert='id:article-a dip:sourceURL "http://x/ <a> \\""^^xsd:anyURI .'),
    Case("ArticleDatePublishedShape", "article-a", delete='id:article-a dip:datePublished "2025-01-02"^^xsd:date .',
         insert='id:article-a dip:datePublished "2 janvier 2025" .'),
]


def _valid() -> Graph:
    return Graph().parse(FIXTURES / "valid.ttl", format="turtle")


def _snippet(text: str) -> Graph:
    return Graph().parse(data=PREFIXES + text, format="turtle")


def _named_shapes() -> set[URIRef]:
    sg = shapes_graph()
    shapes = set(sg.subjects(RDF.type, SH.NodeShape)) | set(sg.subjects(RDF.type, SH.PropertyShape))
    assert all(isinstance(s, URIRef) for s in shapes), "every shape is named, so a report says which one fired"
    return shapes


def test_shapes_pass_shacl_meta_validation():
    conforms, _, text = pyshacl.validate(shapes_graph(), shacl_graph=None, meta_shacl=True)
    assert conforms, text


def test_shapes_every_shape_has_an_invalid_fixture():
    assert {DSH[c.shape] for c in CASES} == _named_shapes()


def test_shapes_valid_fixture_conforms_and_reaches_every_node_shape():
    g = _valid()
    result = validate(g)
    assert result.conforms, [v for v in result.violations]
    # A shape that targets nothing in the valid fixture would pass without being tested.
    sg, ont = shapes_graph(), Graph().parse(Path(__file__).parents[2] / "ontology" / "diplomacy.ttl")
    for shape in _named_shapes():
        targets = set()
        for cls in sg.objects(shape, SH.targetClass):
            subclasses = set(ont.transitive_subjects(RDFS.subClassOf, cls))
            targets |= {s for c in subclasses for s in g.subjects(RDF.type, c)}
        for p in sg.objects(shape, SH.targetSubjectsOf):
            targets |= set(g.subjects(p, None))
        assert targets, f"{shape} has no focus node in fixtures/valid.ttl"


def test_shapes_every_shape_has_its_own_targets():
    # pyshacl runs a property shape nested under sh:property once per focus node (several times slower)
    sg = shapes_graph()
    assert not list(sg.subject_objects(SH.property)), "give the property shape the node shape's targets instead"
    untargeted = {s for s in _named_shapes() if not any(sg.objects(s, p) for p in (SH.targetClass, SH.targetSubjectsOf))}
    assert not untargeted, f"shapes that would never run: {sorted(untargeted)}"


def test_shapes_closed_shapes_allow_the_paths_of_their_property_shapes():
    sg = shapes_graph()
    closed = list(sg.subjects(SH.closed, None))
    assert len(closed) == 6
    for shape in closed:
        (cls,) = sg.objects(shape, SH.targetClass)
        # the dip: paths; the standard terms the mapping writes beside them have no shape of their own
        allowed = {p for p in sg.items(sg.value(shape, SH.ignoredProperties)) if p.startswith(str(DIP._NS))}
        paths = {sg.value(ps, SH.path) for ps in sg.subjects(SH.targetClass, cls)
                 if (ps, RDF.type, SH.PropertyShape) in sg} - {RDF.type}
        assert allowed == {p for p in paths if isinstance(p, URIRef)}, shape


@pytest.mark.parametrize("case", CASES, ids=[c.shape for c in CASES])
def test_shapes_invalid_fixture_fires_its_shape(case: Case):
    g = _valid()
    for t in _snippet(case.delete):
        assert t in g, f"fixture edit deletes a triple not in valid.ttl: {t}"
        g.remove(t)
    g += _snippet(case.insert)
    result = validate(g)
    assert not result.conforms
    fired = {(URIRef(v.shape), v.focus) for v in result.violations}
    assert {shape for shape, _ in fired} == {DSH[s] for s in (case.shape, *case.also)}
    focuses = {focus for shape, focus in fired if shape == DSH[case.shape]}
    if case.focus == BLANK:
        assert focuses and all(not f.startswith("http") for f in focuses)
        assert any(isinstance(s, BNode) for s in g.subjects(RDF.type, None))
    else:
        assert focuses == {str(ID[case.focus])}


def test_shapes_mentioned_in_domain_counts_entity_kinds_only():
    # the qualified count over rdf:type values: a typed node of another kind fails too, not only an untyped one
    g = _valid()
    g += _snippet("id:evidence-1 dip:mentionedIn id:article-a .")
    fired = {(v.shape, v.focus) for v in validate(g).violations}
    assert fired == {(str(DSH.MentionedInDomainShape), str(ID["evidence-1"])),
                     (str(DSH.EvidenceShape), str(ID["evidence-1"]))}


def test_shapes_seeds_graph_conforms(seeds_graph):
    result = validate(seeds_graph)
    assert result.conforms, "\n".join(f"{v.shape} {v.focus} {v.path} {v.value}" for v in result.violations)


def test_shapes_accept_language_tagged_text():
    g = _valid()
    for s_, p, o in list(g.triples((None, None, None))):
        if p in (RDFS.label, DIP.content, DIP.title, DIP.sentence) and o.datatype is None:
            g.remove((s_, p, o))
            g.add((s_, p, type(o)(str(o), lang="fr")))
    assert any(o.language == "fr" for o in g.objects(None, RDFS.label))
    assert validate(g).conforms


# Jena, as Debian packages it (libapache-jena-java). Its jars need a classpath of their own: all of
# /usr/share/java holds two slf4j bindings, which Jena refuses, and Debian's jena-core moves Xerces' classes
# to the package xerces.* but leaves their message bundles under org/apache/jena/ext/xerces/, so Jena's
# start fails ("internal error" in XSSimpleTypeDecl) until a folder with them at xerces/ is on the classpath.
JAVA_LIB = Path("/usr/share/java")
JENA_JARS = ["jena-arq", "jena-base", "jena-cmds", "jena-core", "jena-iri", "jena-shacl", "jena-shex",
             "commons-cli", "commons-codec", "commons-compress", "commons-csv", "commons-io", "commons-lang3",
             "dexx.collection", "gson", "guava", "httpclient", "httpcore", "jackson-core", "jackson-databind",
             "jackson-annotations", "jsonld-java", "jakarta.json-api", "protobuf", "thrift", "titanium-json-ld",
             "slf4j-api", "slf4j-nop"]


def _missing(why: str) -> None:
    if os.environ.get("CI", "").lower() not in ("", "0", "false"):
        pytest.fail(f"cannot run in CI: {why}")
    pytest.skip(why)


@pytest.fixture(scope="module")
def jena(tmp_path_factory) -> list[str]:
    """`java -cp CLASSPATH` for Debian's Jena, with the message bundles put where its Xerces looks."""
    absent = [j for j in JENA_JARS if not (JAVA_LIB / f"{j}.jar").is_file()]
    if absent:
        _missing(f"Jena is missing ({', '.join(absent[:3])}...): apt-get install libapache-jena-java "
                 "(make test does, as root)")
    fix = tmp_path_factory.mktemp("jena-classpath")
    with zipfile.ZipFile(JAVA_LIB / "jena-core.jar") as jar:
        for name in jar.namelist():
            if name.startswith("org/apache/jena/ext/xerces/") and name.endswith(".properties"):
                target = fix / name.removeprefix("org/apache/jena/ext/")
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(jar.read(name))
    return ["java", "-cp", ":".join([str(fix), *(str(JAVA_LIB / f"{j}.jar") for j in JENA_JARS)])]


def _jena_results(jena: list[str], shapes: Path, files: list[Path]) -> dict[str, tuple[bool, set]]:
    done = subprocess.run([*jena, str(Path(__file__).with_name("JenaShacl.java")), str(shapes), *map(str, files)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    out: dict[str, tuple[bool, set]] = {str(f): (False, set()) for f in files}
    for line in done.stdout.splitlines():
        name, *rest = line.split("\t")
        if rest == ["conforms"] or rest == ["violations"]:
            out[name] = (rest == ["conforms"], out[name][1])
        else:
            out[name][1].add(tuple(rest))
    return out


def _pyshacl_results(g: Graph) -> tuple[bool, set]:
    result = validate(g)
    return result.conforms, {(v.shape, v.focus if v.focus.startswith("http") else "_") for v in result.violations}


def test_shapes_jena_and_pyshacl_agree_on_every_fixture_and_the_seeds(jena, seeds_graph, tmp_path):
    shapes = tmp_path / "shapes.ttl"
    shapes.write_text(shapes_graph().serialize(format="turtle"), encoding="utf-8")
    graphs: dict[Path, Graph] = {tmp_path / "seeds.ttl": seeds_graph, tmp_path / "valid.ttl": _valid()}
    for n, case in enumerate(CASES):
        g = _valid()
        for t in _snippet(case.delete):
            g.remove(t)
        g += _snippet(case.insert)
        graphs[tmp_path / f"{n:02d}-{case.shape}.ttl"] = g
    for path, g in graphs.items():
        g.serialize(path, format="turtle")
    by_jena = _jena_results(jena, shapes, list(graphs))
    ontology = ontology_graph()
    for path, g in graphs.items():
        alone = _pyshacl_results(g)
        assert by_jena[str(path)] == alone, path.name
        assert _pyshacl_results(g + ontology) == alone, f"{path.name}: the ontology changes the verdict"
    assert by_jena[str(tmp_path / "seeds.ttl")] == (True, set())


def test_shapes_jena_shacl_validate_command_accepts_the_seeds(jena, seeds_ttl, tmp_path):
    # the command-line tool a user runs: `shacl validate --shapes ontology/shapes.ttl --data GRAPH`
    shapes = Path(__file__).resolve().parents[2] / "ontology" / "shapes.ttl"
    done = subprocess.run([*jena, "shacl.shacl", "validate", "--shapes", str(shapes), "--data", str(seeds_ttl)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    report = Graph().parse(data=done.stdout, format="turtle")
    assert (None, SH.conforms, Literal(True)) in report, done.stdout[:3000]
