"""The embedded store: named graph per build, reload without duplicates, atomic replace, named faults.

Kills, Ctrl-C and a full disk during a load: test_store_faults.py."""
from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.cli import main
from kg.stores.embedded import graph_name_for, graphs, load, query_store

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


def _count(store: Path) -> int:
    return int(query_store(COUNT, store)[1][0][0])


def test_store_reload_leaves_triple_count_unchanged(seeds_graph, seeds_ttl, tmp_path):
    store = tmp_path / "store"
    first = load(seeds_ttl, store)
    second = load(seeds_ttl, store)
    assert first.triples == second.triples == len(seeds_graph)
    assert _count(store) == len(seeds_graph)
    assert graphs(store) == {graph_name_for(seeds_ttl): len(seeds_graph)}


def test_store_reload_replaces_the_graph(tmp_path):
    g = tmp_path / "build.ttl"
    g.write_text("<http://ex.org/a> <http://ex.org/p> <http://ex.org/old> .\n", encoding="utf-8")
    store = tmp_path / "store"
    load(g, store)
    g.write_text("<http://ex.org/a> <http://ex.org/p> <http://ex.org/new> .\n", encoding="utf-8")
    assert load(g, store).triples == 1
    rows = query_store("SELECT ?o WHERE { ?s ?p ?o }", store)[1]
    assert rows == [["http://ex.org/new"]]


def test_store_builds_get_their_own_graphs(tmp_path):
    a, b = tmp_path / "a.ttl", tmp_path / "b.nt"
    a.write_text("<http://ex.org/a> <http://ex.org/p> 1 .\n", encoding="utf-8")
    b.write_text("<http://ex.org/b> <http://ex.org/p> \"2\" .\n", encoding="utf-8")
    store = tmp_path / "store"
    load(a, store)
    load(b, store)
    load(b, store, graph_name="http://ex.org/graph/extra")
    assert graphs(store) == {graph_name_for(a): 1, graph_name_for(b): 1, "http://ex.org/graph/extra": 1}
    assert _count(store) == 3  # queries see the union of the graphs


def test_store_no_replace_adds_to_the_graph(tmp_path):
    g = tmp_path / "g.ttl"
    store = tmp_path / "store"
    g.write_text("<http://ex.org/a> <http://ex.org/p> 1 .\n", encoding="utf-8")
    load(g, store)
    g.write_text("<http://ex.org/a> <http://ex.org/p> 2 .\n", encoding="utf-8")
    assert load(g, store, replace=False).triples == 2


def test_store_bad_file_leaves_store_as_it_was(seeds_ttl, tmp_path):
    store = tmp_path / "store"
    good = load(seeds_ttl, store)
    bad = tmp_path / "seeds.ttl"  # same file name: would replace the same graph
    bad.write_text("<http://ex.org/a> <http://ex.org/p> .\n", encoding="utf-8")
    with pytest.raises(ValueError, match="seeds.ttl"):
        load(bad, store)
    assert graphs(store) == {good.graph_name: good.triples}  # the old graph, untouched


def test_store_rejects_a_graph_name_that_is_not_an_iri(seeds_ttl, tmp_path):
    with pytest.raises(ValueError, match="not an absolute IRI"):
        load(seeds_ttl, tmp_path / "store", graph_name="my graph")


def test_store_query_missing_store_names_it(tmp_path):
    with pytest.raises(FileNotFoundError, match="nostore"):
        query_store(COUNT, tmp_path / "nostore")


def test_store_cli_load_and_query_with_param(seeds_ttl, tmp_path, capsys):
    store = tmp_path / "store"
    assert main(["load", str(seeds_ttl), "--store", str(store)]) == 0
    assert main(["load", str(seeds_ttl), "--store", str(store)]) == 0
    err = capsys.readouterr().err
    assert err.count(f"<{graph_name_for(seeds_ttl)}>") == 2
    q = Path(__file__).resolve().parents[2] / "queries" / "aliases.rq"
    assert main(["query", str(q), "--store", str(store), "--format", "csv",
                 "--param", "name=Yuri Ushakov"]) == 0
    out = capsys.readouterr().out.splitlines()
    # 000 writes "Yuri Ushakov", 001 "Iouri Ouchakov": one person, one spelling the label, the other an alias
    assert out[0] == "entity,label,alias"
    assert len(out) == 2 and sorted(out[1].split(",")[1:]) == ["Iouri Ouchakov", "Yuri Ushakov"]
    assert main(["query", str(q), "--store", str(store), "--param", "nope=1"]) == 2
    assert "unknown parameter" in capsys.readouterr().err


def test_store_replace_keeps_the_other_graphs_and_no_staging(tmp_path):
    a, b = tmp_path / "a.ttl", tmp_path / "b.ttl"
    a.write_text("<http://ex.org/a> <http://ex.org/p> 1 .\n", encoding="utf-8")
    b.write_text("<http://ex.org/b> <http://ex.org/p> 1 .\n<http://ex.org/b> <http://ex.org/p> 2 .\n",
                 encoding="utf-8")
    store = tmp_path / "store"
    load(a, store)
    load(b, store)
    b.write_text("<http://ex.org/b> <http://ex.org/p> 2 .\n<http://ex.org/b> <http://ex.org/p> 3 .\n",
                 encoding="utf-8")
    assert load(b, store).triples == 2
    assert graphs(store) == {graph_name_for(a): 1, graph_name_for(b): 2}
    rows = query_store(f"SELECT ?o WHERE {{ GRAPH <{graph_name_for(b)}> {{ ?s ?p ?o }} }} ORDER BY ?o", store)[1]
    assert rows == [["2"], ["3"]]
    assert len(list(ox.Store.read_only(str(store)).named_graphs())) == 2  # the staging graph is gone


def test_store_in_use_is_a_one_line_error(seeds_ttl, tmp_path, capsys):
    store = tmp_path / "store"
    load(seeds_ttl, store)
    holder = ox.Store(str(store))  # another writer holds the store's lock
    try:
        assert main(["load", str(seeds_ttl), "--store", str(store)]) == 2
    finally:
        del holder
    assert capsys.readouterr().err == f"kg: {store}: cannot open the store for writing (in use by another writer)\n"
    assert graphs(store) == {graph_name_for(seeds_ttl): load(seeds_ttl, store).triples}


def test_store_unwritable_folder_is_a_one_line_error(seeds_ttl, tmp_path, capsys):
    (tmp_path / "file").write_text("not a folder", encoding="utf-8")
    store = tmp_path / "file" / "store"
    assert main(["load", str(seeds_ttl), "--store", str(store)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"kg: {store}: cannot open the store for writing (") and err.count("\n") == 1, err
    assert "Not a directory" in err
