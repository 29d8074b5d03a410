"""`kg query`: SELECT, ASK, CONSTRUCT and DESCRIBE on a graph file, the embedded store and an endpoint (kg serve
on 127.0.0.1), in every output format; the W3C results documents read back by rdflib's parsers."""
from __future__ import annotations

import io
import json

import pytest
from rdflib import Dataset, Graph
from rdflib.compare import isomorphic
from rdflib.query import Result

from kg.cli import main
from kg.stores.embedded import load

PREFIXES = ("PREFIX dip: <https://w3id.org/diplomacy-kg/ontology#>\n"
            "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n")
QUERIES = {
    "select": "SELECT ?e ?p WHERE { ?x dip:envoyOf ?y . ?x rdfs:label ?e . ?y rdfs:label ?p } ORDER BY ?e ?p",
    "ask": "ASK { ?x dip:envoyOf ?y }",
    "ask_no": "ASK { ?x dip:envoyOf ?x }",
    "construct": "CONSTRUCT { ?x dip:envoyOf ?y } WHERE { ?x dip:envoyOf ?y }",
    "describe": "DESCRIBE ?m WHERE { ?m a dip:Mandate } LIMIT 1",
}


@pytest.fixture(scope="module")
def backends(seeds_ttl, tmp_path_factory, serving):
    tmp = tmp_path_factory.mktemp("forms")
    for name, text in QUERIES.items():
        (tmp / f"{name}.rq").write_text(PREFIXES + text, encoding="utf-8")
    store = tmp / "store"
    load(seeds_ttl, store)
    with serving(store) as url:
        yield tmp, {"graph": [str(seeds_ttl)], "store": ["--store", str(store)], "endpoint": ["--endpoint", url]}


def _run(capsys, backends, query: str, backend: str, *options: str) -> tuple[int, bytes, str]:
    tmp, where = backends
    code = main(["query", str(tmp / f"{query}.rq"), *where[backend], *options])
    out, err = capsys.readouterr()
    return code, out.encode("utf-8"), "\n".join(line for line in err.splitlines() if not line.startswith(("GET ", "POST ")))


BACKENDS = ["graph", "store", "endpoint"]


@pytest.mark.parametrize("backend", BACKENDS)
def test_query_select_in_every_results_format_reads_back_alike(capsys, backends, backend):
    code, body, err = _run(capsys, backends, "select", backend, "--format", "json")
    assert (code, err) == (0, "")
    doc = json.loads(body)
    assert doc["head"]["vars"] == ["e", "p"] and doc["results"]["bindings"][0]["e"]["type"] == "literal"
    expected = [tuple(str(v) for v in row) for row in Result.parse(io.BytesIO(body), format="json")]
    assert ("Steve Witkoff", "Donald Trump") in expected
    for fmt in ("xml", "csv", "tsv"):
        code, body, _ = _run(capsys, backends, "select", backend, "--format", fmt)
        assert code == 0
        rows = [tuple(str(v) for v in row) for row in Result.parse(io.BytesIO(body), format=fmt)]
        assert sorted(rows) == sorted(expected), fmt
    code, body, _ = _run(capsys, backends, "select", backend)
    assert code == 0 and body.decode().splitlines()[0].split() == ["e", "p"]


@pytest.mark.parametrize("backend", BACKENDS)
def test_query_ask(capsys, backends, backend):
    assert _run(capsys, backends, "ask", backend)[:2] == (0, b"yes\n")
    assert _run(capsys, backends, "ask_no", backend)[:2] == (0, b"no\n")
    code, body, _ = _run(capsys, backends, "ask", backend, "--format", "json")
    assert code == 0 and json.loads(body) == {"head": {}, "boolean": True}
    code, body, _ = _run(capsys, backends, "ask_no", backend, "--format", "xml")
    assert code == 0 and Result.parse(io.BytesIO(body), format="xml").askAnswer is False


def _graph(body: bytes, fmt: str) -> Graph:
    g = Graph()
    if fmt in ("nq", "trig"):
        for s, p, o, _ in Dataset().parse(data=body, format={"nq": "nquads", "trig": "trig"}[fmt]).quads():
            g.add((s, p, o))
        return g
    return g.parse(data=body, format={"turtle": "turtle", "nt": "nt", "jsonld": "json-ld", "rdfxml": "xml"}[fmt])


@pytest.mark.parametrize("fmt", ["turtle", "nt", "nq", "trig", "jsonld", "rdfxml"])
def test_query_construct_gives_the_same_graph_everywhere(capsys, backends, seeds_graph, fmt):
    expected = Graph()
    for t in seeds_graph.query(PREFIXES + QUERIES["construct"]):
        expected.add(t)
    assert len(expected) > 5
    for backend in BACKENDS:
        code, body, err = _run(capsys, backends, "construct", backend, "--format", fmt)
        assert (code, err) == (0, ""), backend
        assert isomorphic(_graph(body, fmt), expected), (backend, fmt)


@pytest.mark.parametrize("backend", BACKENDS)
def test_query_describe_gives_the_triples_of_a_mandate(capsys, backends, backend):
    code, body, _ = _run(capsys, backends, "describe", backend)  # Turtle by default
    assert code == 0
    g = Graph().parse(data=body, format="turtle")
    assert {str(p).rsplit("#", 1)[-1] for p in g.predicates()} >= {"envoy", "principal", "evidence"}


@pytest.mark.parametrize(("query", "fmt", "says"), [("construct", "json", "gives a graph"),
                                                     ("select", "turtle", "gives results"),
                                                     ("ask", "nt", "gives results")])
def test_query_format_that_does_not_fit_the_form_is_one_line(capsys, backends, query, fmt, says):
    code, _, err = _run(capsys, backends, query, "store", "--format", fmt)
    assert code == 2 and err.count("\n") == 0 and says in err


def test_query_graph_options_do_not_apply_to_a_file(capsys, backends):
    code, _, err = _run(capsys, backends, "select", "graph", "--default-graph")
    assert code == 2 and "--graph-name and --default-graph choose graphs of --store or --endpoint" in err
