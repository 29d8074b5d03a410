"""Hostile names and text: IRIs stay valid and distinct, literals round-trip in every output format."""
from __future__ import annotations

import json
import re
from decimal import Decimal

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from rdflib import RDF, RDFS, XSD, Graph, Literal, URIRef
from rdflib.compare import isomorphic, to_isomorphic

from kg.graph import iri
from kg.graph.formats import RdfFormat, jsonld_context, read_graph, write_graph
from kg.graph.mapping import Triples, graph_of, new_graph
from kg.graph.vocab import DIP, ID

HOSTILE = [
    'He said "stop" \\ now', "<script>alert(1)</script>", "a > b < c", "line\nbreak\r\nand\ttab",
    '""" . <http://evil/> <http://evil/p> "x" .', "} GRAPH <x> { ", "🕊️ paix 🇫🇷", "שלום عليكم", "\u202eevil\u202c",
    "x" * 5000, "", " ", "\x00\x01\x0b\x0c\x7f", "\\u0022 escaped", "@prefix x: <y> .", "# comment",
    "'single' and ''' triple", "\ufeffBOM", "a\x1fb", "\u2028\u2029",
]
_IRI_SAFE = re.compile(r"[A-Za-z0-9._~:/?#\[\]@!$&'()*+,;=%-]+")
names = st.text(max_size=80)


# --- IRI minting ---------------------------------------------------------------------------------

@given(names)
def test_hostile_slug_is_ascii_and_deterministic(name):
    s = iri.slug(name)
    assert s == iri.slug(name) and re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", s) and len(s) <= 60


@given(st.dictionaries(st.text(min_size=1, max_size=12),
                       st.tuples(st.sampled_from(["Person", "State", "Organization", "Place"]), names),
                       max_size=25))
def test_hostile_entity_iris_injective_deterministic_and_valid(entities):
    slugs = iri.entity_slugs(entities)
    assert slugs == iri.entity_slugs(dict(reversed(list(entities.items()))))
    iris = [iri.entity_iri(entities[eid][0], s) for eid, s in slugs.items()]
    assert len(set(iris)) == len(entities)
    assert all(_IRI_SAFE.fullmatch(str(i)) for i in iris)


@given(st.text(max_size=20), st.lists(st.text(max_size=20), max_size=4),
       st.text(max_size=20), st.lists(st.text(max_size=20), max_size=4))
def test_hostile_fact_iri_injective_and_deterministic(kind1, key1, kind2, key2):
    a, b = iri.fact_iri(kind1, *key1), iri.fact_iri(kind2, *key2)
    assert a == iri.fact_iri(kind1, *key1)
    if (kind1, key1) != (kind2, key2):
        assert a != b


def test_hostile_fact_iri_key_holding_the_separator():
    assert iri.fact_iri("statement", "a\x1fb") != iri.fact_iri("statement", "a", "b")
    assert iri.fact_iri("statement", "a\x1eb") != iri.fact_iri("statement", "a\x1eb", "")


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_article_iri_valid(name):
    node = iri.article_iri(name)
    assert _IRI_SAFE.fullmatch(str(node)) and node != iri.article_iri(name + "x")


# --- serialisation -------------------------------------------------------------------------------

def _graph(labels: list[str], quotes: list[str]) -> Graph:
    g = new_graph()
    for i, label in enumerate(labels):
        node = iri.entity_iri("Person", f"p{i}-{iri.slug(label)}")
        g.add((node, RDF.type, DIP.Person))
        g.add((node, RDFS.label, Literal(label)))
        for j, quote in enumerate(quotes):
            st_node = iri.fact_iri("statement", str(node), quote, str(j))
            g.add((node, DIP.stated, st_node))
            g.add((st_node, DIP.content, Literal(quote)))
            g.add((st_node, DIP.quoted, Literal(True)))
            g.add((st_node, DIP.confidence, Literal("0.5", datatype=XSD.decimal)))
    return g


def _oxigraph_graph(data: bytes, fmt: RdfFormat) -> Graph:
    """What pyoxigraph parses from ``data``, as an rdflib graph (default and named graphs merged)."""
    oxfmt = {RdfFormat.TURTLE: ox.RdfFormat.TURTLE, RdfFormat.TRIG: ox.RdfFormat.TRIG,
             RdfFormat.NQUADS: ox.RdfFormat.N_QUADS, RdfFormat.NTRIPLES: ox.RdfFormat.N_TRIPLES,
             RdfFormat.JSONLD: ox.RdfFormat.JSON_LD, RdfFormat.RDFXML: ox.RdfFormat.RDF_XML}[fmt]
    g = Graph()
    for q in ox.parse(data, format=oxfmt):
        o = q.object
        if isinstance(o, ox.Literal) and o.language:
            obj = Literal(o.value, lang=o.language)
        elif isinstance(o, ox.Literal):  # RDF 1.1: a plain literal is an xsd:string, which rdflib leaves untyped
            dtype = None if o.datatype.value == str(XSD.string) else URIRef(o.datatype.value)
            obj = Literal(o.value, datatype=dtype)
        else:
            obj = URIRef(o.value)
        g.add((URIRef(q.subject.value), URIRef(q.predicate.value), obj))
    return g


def _canonical(g: Graph) -> set:
    """Triples with literals compared by lexical form and datatype (rdflib normalises some on parse)."""
    return {(s, p, (str(o), o.datatype, o.language) if isinstance(o, Literal) else o) for s, p, o in g}


plain_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60)
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")  # XML 1.0 cannot hold them, even escaped


def _holds(fmt: RdfFormat, texts: list[str]) -> bool:
    """Whether ``fmt`` can hold every text (RDF/XML cannot hold most C0 control characters)."""
    return fmt is not RdfFormat.RDFXML or not any(_NOT_XML.search(t) for t in texts)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(plain_text, min_size=1, max_size=3), st.lists(plain_text, max_size=3))
@pytest.mark.parametrize("fmt", list(RdfFormat))
def test_hostile_literals_round_trip_every_format(tmp_path, fmt, labels, quotes):
    assume(_holds(fmt, labels + quotes))
    g = _graph(labels, quotes)
    path = tmp_path / f"g{fmt.extension}"
    write_graph(g, path)
    assert isomorphic(read_graph(path), g)
    assert _canonical(_oxigraph_graph(path.read_bytes(), fmt)) == _canonical(g)


@pytest.mark.parametrize("fmt", list(RdfFormat))
def test_hostile_fixed_strings_round_trip_every_format(tmp_path, fmt):
    hostile = [h for h in HOSTILE if _holds(fmt, [h])]
    g = _graph(hostile, hostile[:6])
    path = tmp_path / f"g{fmt.extension}"
    write_graph(g, path)
    back = read_graph(path)
    assert isomorphic(back, g)
    assert {str(o) for o in back.objects(None, RDFS.label)} == set(hostile)
    assert _canonical(_oxigraph_graph(path.read_bytes(), fmt)) == _canonical(g)
    # nothing in the text became structure: same subjects and predicates as written
    assert set(back.subjects()) == set(g.subjects()) and set(back.predicates()) == set(g.predicates())


def _triples(labels: list[str], quotes: list[str]) -> Triples:
    """The graph of _graph, written the way the mapping writes a build: as N-Triples lines."""
    t = Triples()
    for i, label in enumerate(labels):
        node = iri.entity_iri("Person", f"p{i}-{iri.slug(label)}")
        t.link(node, RDF.type, DIP.Person)
        t.value(node, RDFS.label, label)
        for j, quote in enumerate(quotes):
            st_node = iri.fact_iri("statement", str(node), quote, str(j))
            t.link(node, DIP.stated, st_node)
            t.value(st_node, DIP.content, quote)
            t.value(st_node, DIP.quoted, True)
            t.value(st_node, DIP.confidence, Decimal("0.5"), XSD.decimal)
    return t


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(plain_text, min_size=1, max_size=3), st.lists(plain_text, max_size=3))
@pytest.mark.parametrize("fmt", list(RdfFormat))
def test_hostile_builder_triples_equal_the_rdflib_graph_in_every_format(tmp_path, fmt, labels, quotes):
    assume(_holds(fmt, labels + quotes))
    expected = _graph(labels, quotes)
    triples = _triples(labels, quotes)
    assert _canonical(graph_of(triples)) == _canonical(expected)
    path = tmp_path / f"t{fmt.extension}"
    write_graph(triples, path)
    assert isomorphic(read_graph(path), expected)
    assert _canonical(_oxigraph_graph(path.read_bytes(), fmt)) == _canonical(expected)


@pytest.mark.parametrize("text", [h for h in HOSTILE if not _holds(RdfFormat.RDFXML, [h])])
def test_hostile_rdfxml_refuses_what_xml_cannot_hold(tmp_path, text):
    path = tmp_path / "g.rdf"
    with pytest.raises(ValueError, match=r"RDF/XML cannot hold the character U\+00[01][0-9A-F]"):
        write_graph(_graph([text], []), path)
    assert list(tmp_path.iterdir()) == []  # nothing written, no temporary file left


def test_builder_triples_write_the_bytes_of_their_rdflib_graph(tmp_path):
    """Sorted Turtle and N-Triples do not depend on whether the build's triples went through rdflib."""
    for fmt in (RdfFormat.TURTLE, RdfFormat.NTRIPLES):
        write_graph(_triples(HOSTILE, HOSTILE[:6]), tmp_path / f"t{fmt.extension}")
        write_graph(_graph(HOSTILE, HOSTILE[:6]), tmp_path / f"g{fmt.extension}")
        assert (tmp_path / f"t{fmt.extension}").read_bytes() == (tmp_path / f"g{fmt.extension}").read_bytes()


# --- the real pipeline on a hostile article ------------------------------------------------------

HOSTILE_ARTICLE = (
    "Le ministre des affaires étrangères Karim Benali a rencontré lundi à Genève l'envoyé spécial "
    "Tomas Lindqvist.\n"
    "« Nous refusons \"\"\" . <http://evil/> <http://evil/p> \"x\" . \\ toute ingérence 🇫🇷 שלום », a déclaré "
    "Karim Benali après la réunion.\n"
)


@pytest.mark.slow
def test_hostile_article_through_the_pipeline_round_trips(tmp_path, nlp):
    from kg.build.pipeline import build_graph

    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "hostile <\"name\">.txt").write_text(HOSTILE_ARTICLE, encoding="utf-8")
    g = build_graph([tmp_path / "in"], workers=1)
    assert not any("evil" in str(t) for triple in g for t in triple if not isinstance(t, Literal))
    assert any("\"\"\" . <http://evil/>" in str(o) for o in g.objects(None, DIP.content)), \
        sorted(map(str, g.objects(None, DIP.content)))
    for fmt in RdfFormat:
        path = tmp_path / f"out{fmt.extension}"
        write_graph(g, path)
        assert isomorphic(read_graph(path), g), fmt
        assert _canonical(_oxigraph_graph(path.read_bytes(), fmt)) == _canonical(g), fmt


# --- formats -------------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", list(RdfFormat))
def test_formats_seeds_round_trip_rdflib_and_oxigraph(tmp_path, seeds_graph, fmt):
    path = tmp_path / f"seeds{fmt.extension}"
    write_graph(seeds_graph, path)
    assert len(seeds_graph) > 100
    assert to_isomorphic(read_graph(path)) == to_isomorphic(seeds_graph)
    assert _canonical(_oxigraph_graph(path.read_bytes(), fmt)) == _canonical(seeds_graph)


def test_formats_jsonld_uses_the_published_context(tmp_path, seeds_graph):
    path = tmp_path / "seeds.jsonld"
    write_graph(seeds_graph, path)
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert doc["@context"] == jsonld_context()
    assert jsonld_context()["dip"] == str(DIP._NS) and jsonld_context()["kg"] == str(ID)
    # every term of the vocabulary has a short name in the context
    terms = {v if isinstance(v, str) else v["@id"] for v in jsonld_context().values()}
    assert {f"dip:{t}" for t in DIP.__annotations__} <= terms
    nodes = doc["@graph"]
    assert any("Person" in (n.get("@type") if isinstance(n.get("@type"), list) else [n.get("@type")]) and "label" in n
               for n in nodes)


class _FailingGraph(Graph):
    """A graph whose serialisation fails half-way, as when the disk fills up."""

    def triples(self, pattern, **kw):
        for n, t in enumerate(super().triples(pattern, **kw)):
            if n == 200:
                raise OSError(28, "No space left on device")
            yield t


@pytest.mark.parametrize("fmt", list(RdfFormat))
def test_formats_failed_write_leaves_previous_file_intact(tmp_path, seeds_graph, fmt):
    path = tmp_path / f"out{fmt.extension}"
    write_graph(seeds_graph, path)
    before = path.read_bytes()
    bad = _FailingGraph()
    for t in seeds_graph:
        bad.add(t)
    with pytest.raises(OSError, match="No space left"):
        write_graph(bad, path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]  # no temporary file left behind
    assert isomorphic(read_graph(path), seeds_graph)


def test_formats_output_has_a_normal_file_mode(tmp_path, seeds_graph):
    import os

    path = tmp_path / "out.nt"
    write_graph(seeds_graph, path)
    umask = os.umask(0)
    os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask
    path.chmod(0o640)
    write_graph(seeds_graph, path)
    assert path.stat().st_mode & 0o777 == 0o640


def test_formats_unknown_extension_named(tmp_path):
    with pytest.raises(ValueError, match=r"out\.xml: unknown RDF format '\.xml'"):
        write_graph(Graph(), tmp_path / "out.xml")


def test_builder_triples_stream_the_bytes_of_ntriples():
    # lines longer than the read buffer, and more lines than one batch
    triples = _triples(HOSTILE + [f"name {i}" for i in range(60)], HOSTILE[:6] + ["x" * 100_000])
    assert len(triples) > 1024  # more than one batch of lines
    expected = triples.ntriples()
    assert triples.reader().read() == expected
    stream, parts = triples.reader(), []
    while chunk := stream.read(7):  # small reads cut lines, escapes and multi-byte characters
        parts.append(chunk)
    assert b"".join(parts) == expected
