"""`kg serve`: a read-only SPARQL endpoint answering real HTTP requests on a free port."""
from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request

import pytest

from kg.stores.embedded import load

ENVOYS = ("PREFIX dip: <https://w3id.org/diplomacy-kg/ontology#> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>"
          " SELECT ?e ?p WHERE { ?x dip:envoyOf ?y . ?x rdfs:label ?e . ?y rdfs:label ?p }")


@pytest.fixture(scope="module")
def served(seeds_ttl, tmp_path_factory, serving):
    store = tmp_path_factory.mktemp("served") / "store"
    load(seeds_ttl, store)
    with serving(store) as url:
        yield url


def _get(url: str, accept: str = "application/sparql-results+json"):
    req = urllib.request.Request(url, headers={"Accept": accept})
    with urllib.request.urlopen(req, timeout=10) as resp:
        return resp.status, resp.headers["Content-Type"], resp.read()


def _post(url: str, body: bytes, ctype: str):
    req = urllib.request.Request(url, data=body, method="POST", headers={"Content-Type": ctype})
    return urllib.request.urlopen(req, timeout=10)


def test_serve_get_query(served):
    status, ctype, body = _get(f"{served}/query?{urllib.parse.urlencode({'query': ENVOYS})}")
    assert status == 200 and ctype == "application/sparql-results+json"
    pairs = {(b["e"]["value"], b["p"]["value"]) for b in json.loads(body)["results"]["bindings"]}
    assert ("Kirill Dmitriev", "Vladimir Poutine") in pairs  # 001: "Kirill Dmitriev, envoyé du président russe"


def test_serve_post_query_as_csv(served):
    req = urllib.request.Request(f"{served}/query", data=ENVOYS.encode(), method="POST",
                                 headers={"Content-Type": "application/sparql-query", "Accept": "text/csv"})
    with urllib.request.urlopen(req, timeout=10) as resp:
        text = resp.read().decode()
    assert resp.headers["Content-Type"] == "text/csv"
    assert "Steve Witkoff,Donald Trump" in text.replace("\r", "")


def test_serve_is_read_only(served):
    for body, ctype in ((b"DROP ALL", "application/sparql-update"),
                        (b"update=DROP+ALL", "application/x-www-form-urlencoded")):
        with pytest.raises(urllib.error.HTTPError) as err:
            _post(f"{served}/query", body, ctype)
        assert err.value.code == 403
    _, _, body = _get(f"{served}/query?{urllib.parse.urlencode({'query': 'SELECT (COUNT(*) AS ?n) {?s ?p ?o}'})}")
    assert int(json.loads(body)["results"]["bindings"][0]["n"]["value"]) > 0


def test_serve_bad_query_is_a_400(served):
    with pytest.raises(urllib.error.HTTPError) as err:
        _get(f"{served}/query?query=SELECT+WHERE+%7B")
    assert err.value.code == 400
    assert b"bad query" in err.value.read()


def test_serve_query_page(served):
    status, ctype, body = _get(served + "/", accept="text/html")
    assert status == 200 and ctype.startswith("text/html")
    assert b"<form" in body and b"/query" in body


def test_serve_head_sends_no_body(served):
    req = urllib.request.Request(f"{served}/query?{urllib.parse.urlencode({'query': 'ASK {}'})}", method="HEAD")
    with urllib.request.urlopen(req, timeout=10) as resp:
        assert resp.status == 200 and int(resp.headers["Content-Length"]) > 0
        assert resp.read() == b""


def test_serve_unknown_method_is_a_405(served):
    req = urllib.request.Request(f"{served}/query", data=b"x", method="PUT")
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(req, timeout=10)
    assert err.value.code == 405 and "POST" in err.value.headers["Allow"]


@pytest.mark.parametrize("option", [["--timeout-s", "0"], ["--request-timeout-s", "-1"], ["--workers", "0"]])
def test_serve_bad_option_is_exit_2(tmp_path, capsys, option):
    from kg.cli import main

    assert main(["serve", "--store", str(tmp_path), *option]) == 2
    assert capsys.readouterr().err.startswith(f"kg: serve: {option[0]}")


CONSTRUCT = ("PREFIX dip: <https://w3id.org/diplomacy-kg/ontology#> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>"
             " CONSTRUCT { ?x dip:envoyOf ?y . ?x rdfs:label ?e } WHERE { ?x dip:envoyOf ?y . ?x rdfs:label ?e }")


def _expected_construct(seeds_graph):
    from rdflib import Graph

    g = Graph()
    for t in seeds_graph.query(CONSTRUCT):
        g.add(t)
    assert len(g) > 5
    return g


def test_serve_sparqlwrapper_select_and_ask(served):
    from SPARQLWrapper import JSON, POST, SPARQLWrapper

    for method in ("GET", POST):
        client = SPARQLWrapper(f"{served}/query")
        client.setMethod(method)
        client.setReturnFormat(JSON)
        client.setQuery(ENVOYS)
        rows = client.query().convert()["results"]["bindings"]
        assert ("Steve Witkoff", "Donald Trump") in {(r["e"]["value"], r["p"]["value"]) for r in rows}
        client.setQuery("ASK { ?s ?p ?o }")
        assert client.query().convert()["boolean"] is True


@pytest.mark.parametrize("fmt", ["TURTLE", "N3", "XML", "JSONLD"])
def test_serve_sparqlwrapper_construct_into_an_rdflib_graph(served, seeds_graph, fmt):
    import SPARQLWrapper
    from rdflib import Graph
    from rdflib.compare import isomorphic

    client = SPARQLWrapper.SPARQLWrapper(f"{served}/query")
    client.setReturnFormat(getattr(SPARQLWrapper, fmt))
    client.setQuery(CONSTRUCT)
    result = client.query()
    got = result.convert()
    if not isinstance(got, Graph):  # Turtle and N3 (answered in Turtle or N-Triples) come back as bytes
        ctype = result.info()["content-type"]
        got = Graph().parse(data=got, format="nt" if ctype == "application/n-triples" else "turtle")
    assert isomorphic(got, _expected_construct(seeds_graph)), result.info()["content-type"]


@pytest.mark.parametrize(("accept", "ctype", "rdflib_format"), [
    ("text/turtle", "text/turtle", "turtle"),
    ("application/n-triples", "application/n-triples", "nt"),
    ("application/n-quads", "application/n-quads", "nquads"),
    ("application/ld+json", "application/ld+json", "json-ld"),
    ("application/rdf+xml", "application/rdf+xml", "xml"),
    ("text/turtle;q=0.5, application/rdf+xml", "application/rdf+xml", "xml"),
    ("application/*;q=0.9, text/turtle;q=0.1", "application/n-triples", "nt"),  # the server's order breaks the tie
    ("*/*", "text/turtle", "turtle"),
    ("", "text/turtle", "turtle"),
])
def test_serve_construct_by_content_negotiation(served, seeds_graph, accept, ctype, rdflib_format):
    from rdflib import Dataset, Graph
    from rdflib.compare import isomorphic

    status, got_type, body = _get(f"{served}/query?{urllib.parse.urlencode({'query': CONSTRUCT})}", accept=accept)
    assert (status, got_type) == (200, ctype)
    g = Graph()
    if rdflib_format == "nquads":
        for s, p, o, _ in Dataset().parse(data=body, format="nquads").quads():
            g.add((s, p, o))
    else:
        g.parse(data=body, format=rdflib_format)
    assert isomorphic(g, _expected_construct(seeds_graph))


@pytest.mark.parametrize(("query", "accept"), [(ENVOYS, "text/turtle"), (CONSTRUCT, "application/sparql-results+json"),
                                               (ENVOYS, "text/csv;q=0, application/sparql-results+json;q=0"),
                                               (CONSTRUCT, "image/png")])
def test_serve_nothing_acceptable_is_a_406(served, query, accept):
    with pytest.raises(urllib.error.HTTPError) as err:
        _get(f"{served}/query?{urllib.parse.urlencode({'query': query})}", accept=accept)
    assert err.value.code == 406


def test_serve_service_description_at_get_without_a_query(served):
    from rdflib import Graph, Namespace, URIRef

    SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
    for path in ("/", "/query"):
        status, ctype, body = _get(served + path, accept="text/turtle")
        assert (status, ctype) == (200, "text/turtle")
        g = Graph().parse(data=body, format="turtle")
        endpoint = URIRef(f"{served}/query")
        assert (endpoint, SD.endpoint, endpoint) in g and (endpoint, SD.supportedLanguage, SD.SPARQL11Query) in g
    _, ctype, _ = _get(served + "/query", accept="text/html,application/xhtml+xml;q=0.9,*/*;q=0.8")
    assert ctype.startswith("text/html")  # a browser gets the query page
