"""Remote stores: real Oxigraph and Virtuoso 7 servers on 127.0.0.1 (Graph Store Protocol, Update fallback,
query methods, the build's graph as the default graph, Digest credentials, errors)."""
from __future__ import annotations

from pathlib import Path

import pytest

from kg.cli import main
from kg.graph.formats import BUILD_GRAPH
from kg.stores.embedded import ONTOLOGY_GRAPH
from kg.stores.endpoint import (
    Endpoint,
    EndpointError,
    QueryMethod,
    ServerKind,
    _credentials,
    answer_remote,
    count_remote,
    detect_kind,
    load_remote,
    query_remote,
)
from kg.stores.sparql import QueryFile

QUERIES = Path(__file__).resolve().parents[2] / "queries"
QUERY_FILES = sorted(QUERIES.glob("*.rq"))


def test_endpoint_urls_of_each_server_kind():
    def urls(url: str, kind: ServerKind | None = None) -> tuple[str, str, str]:
        ep = Endpoint.from_url(url, kind=kind)
        return ep.query_url, ep.update_url, ep.store_url

    assert urls("http://h:7878/") == ("http://h:7878/query", "http://h:7878/update", "http://h:7878/store")
    assert urls("http://h/ds/sparql") == ("http://h/ds/sparql", "http://h/ds/update", "http://h/ds/data")
    assert urls("http://h:7200/repositories/kg") == ("http://h:7200/repositories/kg",
                                                      "http://h:7200/repositories/kg/statements",
                                                      "http://h:7200/repositories/kg/rdf-graphs/service")
    assert urls("http://h:8890/sparql") == ("http://h:8890/sparql", "http://h:8890/sparql",
                                            "http://h:8890/sparql-graph-crud")
    assert urls("http://h/virtuoso/sparql", ServerKind.VIRTUOSO)[2] == "http://h/virtuoso/sparql-graph-crud"
    with pytest.raises(ValueError, match="ftp://h"):
        Endpoint.from_url("ftp://h")
    with pytest.raises(ValueError, match="repositories/NAME"):
        Endpoint.from_url("http://h/x", kind=ServerKind.GRAPHDB)


def test_endpoint_virtuoso_with_credentials_writes_through_its_auth_urls(monkeypatch):
    monkeypatch.setenv("KG_ENDPOINT_USER", "dba")
    ep = Endpoint.from_url("http://h:8890/sparql")
    assert (ep.kind, ep.query_url, ep.update_url, ep.store_url) == (
        ServerKind.VIRTUOSO, "http://h:8890/sparql", "http://h:8890/sparql-auth", "http://h:8890/sparql-graph-crud-auth")


def test_endpoint_kind_from_the_url():
    assert [detect_kind(u) for u in ("http://h:7878", "http://h/ds/query", "http://h/repositories/r",
                                     "http://h:8890/sparql", "http://h/a/b/c")] == [
        ServerKind.OXIGRAPH, ServerKind.FUSEKI, ServerKind.GRAPHDB, ServerKind.VIRTUOSO, ServerKind.GENERIC]


def _rows(capsys, *args: str) -> list[str]:
    """`kg query ... --format csv`: the header, then the rows sorted. (CSV holds values without datatypes:
    Oxigraph stores an xsd:nonNegativeInteger as an xsd:integer of the same value.)"""
    assert main(["query", *args, "--format", "csv"]) == 0, capsys.readouterr().err
    lines = capsys.readouterr().out.splitlines()
    return lines[:1] + sorted(lines[1:])


def _load_twice_then_every_query(url: str, seeds_ttl: Path, triples: int, capsys) -> None:
    for _ in range(2):  # the count read back after each load: the second replaced the first
        assert main(["load", str(seeds_ttl), "--endpoint", url]) == 0
        assert f"<{BUILD_GRAPH}> {triples} triples (" in capsys.readouterr().err
    for path in QUERY_FILES:  # the rows of the graph file, through the server's default graph = the build's
        assert _rows(capsys, str(path), "--endpoint", url) == _rows(capsys, str(path), str(seeds_ttl)), path.name


def test_endpoint_oxigraph_load_twice_then_every_query_gives_the_rows_of_the_file(oxigraph_url, seeds_ttl,
                                                                                 seeds_graph, capsys):
    _load_twice_then_every_query(oxigraph_url, seeds_ttl, len(seeds_graph), capsys)


def test_endpoint_virtuoso_load_twice_then_every_query_gives_the_rows_of_the_file(virtuoso_url, seeds_ttl, seeds_graph,
                                                                                 capsys, monkeypatch):
    monkeypatch.setenv("KG_ENDPOINT_USER", "dba")  # Virtuoso's default account, asked for by Digest
    monkeypatch.setenv("KG_ENDPOINT_PASSWORD", "dba")
    _load_twice_then_every_query(virtuoso_url, seeds_ttl, len(seeds_graph), capsys)
    ep = Endpoint.from_url(virtuoso_url)
    assert answer_remote("ASK { ?s ?p ?o }", ep).boolean is True  # Virtuoso's ?__ASK_RETVAL row, read as ASK
    assert answer_remote("ASK { <http://ex.org/none> ?p ?o }", ep).boolean is False


def test_endpoint_virtuoso_refuses_anonymous_updates_clearly(virtuoso_url, seeds_ttl, capsys, monkeypatch, tmp_path):
    monkeypatch.delenv("KG_ENDPOINT_USER", raising=False)
    monkeypatch.setenv("NETRC", str(tmp_path / "none"))
    assert main(["load", str(seeds_ttl), "--endpoint", virtuoso_url]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "sparql-graph-crud: HTTP 403" in err and "update not permitted for anonymous" in err
    monkeypatch.setenv("KG_ENDPOINT_USER", "dba")
    monkeypatch.setenv("KG_ENDPOINT_PASSWORD", "wrong")
    assert main(["load", str(seeds_ttl), "--endpoint", virtuoso_url]) == 2
    err = capsys.readouterr().err
    assert "HTTP 401" in err and "refused the credentials of user 'dba'" in err and "(Digest authentication)" in err


def test_endpoint_virtuoso_never_answers_a_direct_post(virtuoso_url, capsys):
    # the reason queries go as a form POST by default: the same query as a raw body waits for ever
    q = str(QUERIES / "envoys.rq")
    assert main(["query", q, "--endpoint", virtuoso_url, "--query-method", "direct", "--timeout", "2"]) == 2
    assert "no answer within 2 s" in capsys.readouterr().err
    for method in ("get", "form"):
        assert main(["query", q, "--endpoint", virtuoso_url, "--query-method", method]) == 0
    capsys.readouterr()


def test_endpoint_query_methods_give_the_same_answer(oxigraph_url, seeds_ttl, seeds_graph):
    ep = Endpoint.from_url(oxigraph_url, timeout=30)
    assert load_remote(seeds_ttl, ep).triples == len(seeds_graph)
    qf = QueryFile.read(QUERIES / "aliases.rq")
    answers = [query_remote(qf.text, Endpoint.from_url(oxigraph_url, method=m), bindings=qf.bindings(
        {"name": "Rustem Omerov"})) for m in QueryMethod]
    assert answers[0] == answers[1] == answers[2]
    # 000 "Rustem Umerov", 003 "Roustem Oumerov", 004 "Rustem Omerov": one person
    rows = answers[0][1]
    assert {rows[0][1]} | {r[2] for r in rows} == {"Rustem Umerov", "Roustem Oumerov", "Rustem Omerov"}


def test_endpoint_falls_back_to_sparql_update(oxigraph_url, tmp_path):
    g = tmp_path / "small.ttl"
    g.write_text('<http://ex.org/a> <http://ex.org/p> "l\'été \\"chaud\\"" , 2 .\n', encoding="utf-8")
    # no Graph Store Protocol at this URL (404): the load goes through SPARQL Update instead
    ep = Endpoint.from_url(oxigraph_url, store_url=oxigraph_url + "/no-gsp-here")
    name = "http://ex.org/graph/fallback"
    assert load_remote(g, ep, graph_name=name).triples == 2
    assert load_remote(g, ep, graph_name=name).triples == 2
    _, rows = query_remote("SELECT ?o WHERE { ?s ?p ?o } ORDER BY ?o", ep, default_graphs=[name])
    assert sorted(r[0] for r in rows) == ["2", 'l\'été "chaud"']


def test_endpoint_dataset_of_several_graphs_and_the_ontology(oxigraph_url, tmp_path, capsys):
    f = tmp_path / "several.trig"
    f.write_text("@prefix ex: <http://ex.org/> .\nex:d ex:p 0 .\nex:g1 { ex:a ex:p 1 , 2 . }\n", encoding="utf-8")
    ep = Endpoint.from_url(oxigraph_url)
    res = load_remote(f, ep, with_ontology=True)
    counts = dict(res.graphs)
    assert counts[BUILD_GRAPH] == 1 and counts["http://ex.org/g1"] == 2 and counts[ONTOLOGY_GRAPH] > 100
    assert main(["query", str(QUERIES / "envoys.rq"), "--endpoint", oxigraph_url, "--graph-name", ONTOLOGY_GRAPH,
                 "--format", "csv"]) == 0
    assert capsys.readouterr().out.strip() == "envoy,principal,title"


def test_endpoint_cli_graph_name_and_default_graph(oxigraph_url, seeds_ttl, capsys):
    name = "http://ex.org/graph/cli"
    assert main(["load", str(seeds_ttl), "--endpoint", oxigraph_url, "--graph-name", name]) == 0
    assert count_remote(Endpoint.from_url(oxigraph_url), graph_name=name) > 0
    q = str(QUERIES / "negotiation_sides.rq")
    assert main(["query", q, "--endpoint", oxigraph_url, "--graph-name", name, "--format", "csv"]) == 0
    assert "Russie,Kirill Dmitriev" in capsys.readouterr().out  # 001: talks in Miami with the Russian envoy Dmitriev
    assert main(["query", q, "--endpoint", oxigraph_url, "--default-graph", "--format", "csv"]) == 0
    assert capsys.readouterr().out.splitlines()[1:] == []  # nothing was loaded into the server's default graph


def test_endpoint_down_gives_a_clear_error(dead_url, seeds_ttl, capsys):
    url = dead_url
    with pytest.raises(EndpointError, match="cannot connect.*is the SPARQL server running"):
        load_remote(seeds_ttl, Endpoint.from_url(url, timeout=5))
    assert main(["query", str(QUERIES / "envoys.rq"), "--endpoint", url, "--timeout", "5"]) == 2
    assert f"{url}/query" in capsys.readouterr().err


def test_endpoint_server_error_names_the_url(oxigraph_url):
    with pytest.raises(EndpointError, match=r"/query: HTTP 400"):
        query_remote("SELECT WHERE {", Endpoint.from_url(oxigraph_url))


def test_endpoint_credentials_from_environment_then_netrc(tmp_path, monkeypatch):
    monkeypatch.delenv("KG_ENDPOINT_USER", raising=False)
    monkeypatch.delenv("KG_ENDPOINT_PASSWORD", raising=False)
    rc = tmp_path / "netrc"
    rc.write_text("machine db.example.org login alice password s3cret\n", encoding="utf-8")
    rc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(rc))
    assert _credentials("https://db.example.org/sparql") == ("alice", "s3cret")
    assert _credentials("https://other.example.org/sparql") is None
    monkeypatch.setenv("KG_ENDPOINT_USER", "bob")
    monkeypatch.setenv("KG_ENDPOINT_PASSWORD", "pw")
    assert _credentials("https://db.example.org/sparql") == ("bob", "pw")
