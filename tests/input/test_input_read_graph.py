"""read_graph's fast N-Triples path (pyoxigraph) gives exactly the graph rdflib's own parser gives."""
from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import XSD, BNode, Graph, Literal, URIRef
from rdflib.compare import isomorphic, to_canonical_graph

from kg.graph.formats import GraphSyntaxError, _read_ntriples, read_graph, write_graph

# Each line stresses one thing rdflib's parser does on its own: escapes, raw unicode and line
# separators, language tags, datatypes whose lexical forms rdflib normalises, blank nodes, comments.
TRICKY = (
    '<http://ex.org/s> <http://ex.org/p> "tab\\t nl\\n cr\\r bs\\b ff\\f q\\" a\\\' bsl\\\\ u\\u00e9 U\\U0001F54A" .\n'
    '<http://ex.org/s> <http://ex.org/p> "raw é 🇫🇷 שלום \u2028 \u2029 \f \x7f end" .\n'
    '<http://ex.org/s> <http://ex.org/p> "\\u0000\\u001F \\\\u0022 not an escape" .\n'
    '<http://ex.org/s> <http://ex.org/p> "" .\n'
    '<http://ex.org/s> <http://ex.org/p> "Bonjour"@fr .\n'
    '<http://ex.org/s> <http://ex.org/p> "Grüezi"@de-ch-1901 .\n'
    '<http://ex.org/s> <http://ex.org/p> "01"^^<http://www.w3.org/2001/XMLSchema#integer> .\n'
    '<http://ex.org/s> <http://ex.org/p> "0.50"^^<http://www.w3.org/2001/XMLSchema#decimal> .\n'
    '<http://ex.org/s> <http://ex.org/p> "TRUE"^^<http://www.w3.org/2001/XMLSchema#boolean> .\n'
    '<http://ex.org/s> <http://ex.org/p> "2020-01-01T00:00:00Z"^^<http://www.w3.org/2001/XMLSchema#dateTime> .\n'
    '<http://ex.org/s> <http://ex.org/p> "2020-01-01"^^<http://www.w3.org/2001/XMLSchema#date> .\n'
    '<http://ex.org/s> <http://ex.org/p> "<b>x</b>"^^<http://www.w3.org/1999/02/22-rdf-syntax-ns#HTML> .\n'
    '# a comment line\n'
    '\n'
    '<http://ex.org/caf\\u00e9> <http://ex.org/p> <http://EXAMPLE.org/a/../b?q=1#f> . # a trailing comment\r\n'
    '_:a <http://ex.org/knows> _:b .\n'
    '_:b <http://ex.org/knows> _:a .\n'
    '_:a <http://ex.org/p> "a" .\n'
    '_:c <http://ex.org/p> _:c .\n'
    '<http://ex.org/s> <http://ex.org/p> "no final newline"'
    ' .'
)


def _exact(g: Graph) -> set:
    """Triples with every term spelled out (class, text, language as written, datatype), blank nodes
    relabelled canonically: stricter than Literal equality, which ignores the case of a language."""
    def key(t):
        return (type(t).__name__, str(t), getattr(t, "language", None), getattr(t, "datatype", None))
    return {tuple(map(key, triple)) for triple in to_canonical_graph(g)}


def _assert_same_as_rdflib(path, *, fast: bool) -> Graph:
    g = read_graph(path)
    expected = Graph().parse(path, format="nt")
    assert (_read_ntriples(path) is not None) is fast  # which reader made g
    assert len(g) == len(expected) and isomorphic(g, expected)
    assert _exact(g) == _exact(expected)
    assert sorted(g.namespaces()) == sorted(expected.namespaces())
    return g


def test_formats_read_graph_ntriples_tricky_terms_as_rdflib(tmp_path):
    path = tmp_path / "tricky.nt"
    path.write_bytes(TRICKY.encode("utf-8"))
    g = _assert_same_as_rdflib(path, fast=True)
    knows, p = URIRef("http://ex.org/knows"), URIRef("http://ex.org/p")
    a = g.value(predicate=p, object=Literal("a"))
    b = g.value(a, knows)
    assert isinstance(a, BNode) and isinstance(b, BNode) and a != b  # _:a is one node in its three triples
    assert (b, knows, a) in g
    assert len(set(g.subjects()) - {URIRef("http://ex.org/s"), URIRef("http://ex.org/café")}) == 3
    assert Literal("1", datatype=XSD.integer) in set(g.objects())  # rdflib's own normalisation, kept
    assert Literal("Bonjour", lang="fr") in set(g.objects())


@pytest.mark.parametrize("line", [
    '<http://ex.org/s> <http://ex.org/p> "x"^^<http://www.w3.org/2001/XMLSchema#string> .\n',
    '<http://ex.org/s> <http://ex.org/p> "x"^^<http://www.w3.org/2001/XMLSchema#\\u0073tring> .\n',
    '<http://ex.org/s> <http://ex.org/p> "x"@FR-be .\n',
    '<http://ex.org/s> <http://ex.org/p> "x"^^<http://ex.org/my\\u0054ype> .\n',  # could spell xsd:string
    '<http://ex.org/a%zz> <http://ex.org/p> "x" .\n',  # not an IRI for pyoxigraph; rdflib takes it
    '<http://ex.org/s> <http://ex.org/p> "x"@a .\n',  # not a language tag for pyoxigraph either
], ids=["xsd-string", "escaped-xsd-string", "capital-language", "escaped-datatype", "invalid-iri",
                                 "invalid-language"])
def test_formats_read_graph_ntriples_spellings_pyoxigraph_would_change_are_read_by_rdflib(tmp_path, line):
    path = tmp_path / "g.nt"
    path.write_text(TRICKY + "\n" + line, encoding="utf-8")
    _assert_same_as_rdflib(path, fast=False)


@pytest.mark.parametrize("line", [
    '<http://ex.org/s> <http://ex.org/p> .\n',
    '<http://ex.org/s> <http://ex.org/p> "x"@en--ltr .\n',  # RDF 1.2 text direction
    '<http://ex.org/s> <http://ex.org/p> <<( <http://ex.org/s> <http://ex.org/p> <http://ex.org/o> )>> .\n',
], ids=["missing-object", "direction", "triple-term"])
def test_formats_read_graph_ntriples_errors_are_rdflib_errors(tmp_path, line):
    """What rdflib cannot read is an error (naming the file; the line when a parser says it), even where
    pyoxigraph's fast path would have read it (RDF 1.2)."""
    path = tmp_path / "bad.nt"
    path.write_text('<http://ex.org/s> <http://ex.org/p> "ok" .\n' + line, encoding="utf-8")
    with pytest.raises(GraphSyntaxError, match=f"^{re.escape(str(path))}: (line 2, column 37: )?not valid N-Triples: "):
        read_graph(path)


def test_formats_read_graph_ntriples_empty_file(tmp_path):
    path = tmp_path / "empty.nt"
    path.write_bytes(b"")
    assert len(_assert_same_as_rdflib(path, fast=True)) == 0


def test_formats_read_graph_ntriples_seeds_as_rdflib(tmp_path, seeds_graph):
    path = tmp_path / "seeds.nt"
    write_graph(seeds_graph, path)
    g = _assert_same_as_rdflib(path, fast=True)
    assert isomorphic(g, seeds_graph)


languages = st.sampled_from(["fr", "en-gb", "de-ch-1901", "zh-hans-cn", "sr-latn", "es-419", "gsw"])
datatypes = st.sampled_from([None, XSD.integer, XSD.decimal, XSD.boolean, XSD.dateTime, XSD.anyURI,
                             URIRef("http://ex.org/type")])
texts = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40)
literals = st.one_of(st.builds(lambda t, lang: Literal(t, lang=lang), texts, languages),
                     st.builds(lambda t, dt: Literal(t, datatype=dt), texts, datatypes))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.integers(0, 3), literals), min_size=1, max_size=8))
def test_formats_read_graph_ntriples_any_literal_as_rdflib(tmp_path, rows):
    """Files rdflib writes, with any text, language and datatype, read the same by both readers."""
    g = Graph()
    nodes = [BNode(), BNode(), URIRef("http://ex.org/s"), URIRef("http://ex.org/caf%C3%A9")]
    for k, (n, lit) in enumerate(rows):
        g.add((nodes[n], URIRef(f"http://ex.org/p{k % 3}"), lit))
        g.add((nodes[n], URIRef("http://ex.org/next"), nodes[(n + 1) % 4]))
    path = tmp_path / "h.nt"
    path.write_bytes(g.serialize(format="nt", encoding="utf-8"))
    _assert_same_as_rdflib(path, fast=True)
