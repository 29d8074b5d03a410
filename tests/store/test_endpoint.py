"""Remote stores: a real Oxigraph server on 127.0.0.1 (Graph Store Protocol, Update fallback, errors)."""
from __future__ import annotations

from pathlib import Path

import pytest

from kg.cli import main
from kg.stores.embedded import graph_name_for
from kg.stores.endpoint import Endpoint, EndpointError, _credentials, count_remote, load_remote, query_remote
from kg.stores.sparql import QueryFile

QUERIES = Path(__file__).resolve().parents[2] / "queries"


def test_endpoint_urls_from_base_or_query_url():
    ox = Endpoint.from_url("http://h:7878/")
    assert (ox.query_url, ox.update_url, ox.store_url) == ("http://h:7878/query", "http://h:7878/update",
                                                           "http://h:7878/store")
    fu = Endpoint.from_url("http://h/ds/sparql")
    assert (fu.query_url, fu.update_url, fu.store_url) == ("http://h/ds/sparql", "http://h/ds/update",
                                                           "http://h/ds/data")
    with pytest.raises(ValueError, match="ftp://h"):
        Endpoint.from_url("ftp://h")


def test_endpoint_load_twice_and_query(oxigraph_url, seeds_graph, seeds_ttl):
    ep = Endpoint.from_url(oxigraph_url, timeout=30)
    first = load_remote(seeds_ttl, ep)
    second = load_remote(seeds_ttl, ep)
    assert first.graph_name == graph_name_for(seeds_ttl)
    assert first.triples == second.triples == len(seeds_graph)  # PUT replaces: no duplicates
    qf = QueryFile.read(QUERIES / "envoys.rq")
    cols, rows = query_remote(qf.text, ep, default_graphs=[first.graph_name])
    assert cols == ["envoy", "principal", "title"]
    # 001: "l'émissaire spécial de Donald Trump, Steve Witkoff"
    assert ["Steve Witkoff", "Donald Trump", "émissaire spécial"] in rows
    # parameters reach the server as VALUES built from parsed terms
    qf = QueryFile.read(QUERIES / "aliases.rq")
    _, rows = query_remote(qf.text, ep, bindings=qf.bindings({"name": "Rustem Omerov"}),
                           default_graphs=[first.graph_name])
    # 000 "Rustem Umerov", 003 "Roustem Oumerov", 004 "Rustem Omerov": one person
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


def test_endpoint_cli_load_and_query(oxigraph_url, seeds_ttl, capsys):
    name = "http://ex.org/graph/cli"
    assert main(["load", str(seeds_ttl), "--endpoint", oxigraph_url, "--graph-name", name]) == 0
    assert count_remote(Endpoint.from_url(oxigraph_url), graph_name=name) > 0
    assert main(["query", str(QUERIES / "negotiation_sides.rq"), "--endpoint", oxigraph_url,
                 "--graph-name", name, "--format", "csv"]) == 0
    out = capsys.readouterr().out
    assert "Russie,Kirill Dmitriev" in out  # 001: talks in Miami with the Russian envoy Dmitriev


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
