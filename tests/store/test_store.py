"""The embedded store: the build's named graph, reload without duplicates, atomic replace, datasets of several
graphs, the ontology in its own graph, named faults.

Kills, Ctrl-C and a full disk during a load: test_store_faults.py."""
from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.cli import main
from kg.graph.formats import BUILD_GRAPH
from kg.stores.embedded import ONTOLOGY_GRAPH, answer_store, graphs, load, query_store

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
B = "http://ex.org/graph/b"


def _count(store: Path) -> int:
    return int(query_store(COUNT, store, default_graphs=None)[1][0][0])


def test_store_reload_leaves_triple_count_unchanged(seeds_graph, seeds_ttl, tmp_path):
    store = tmp_path / "store"
    first = load(seeds_ttl, store)
    second = load(seeds_ttl, store)
    assert first.triples == second.triples == len(seeds_graph)
    assert _count(store) == len(seeds_graph)
    assert graphs(store) == {BUILD_GRAPH: len(seeds_graph)}


def test_store_reload_replaces_the_graph(tmp_path):
    g = tmp_path / "build.ttl"
    g.write_text("<http://ex.org/a> <http://ex.org/p> <http://ex.org/old> .\n", encoding="utf-8")
    store = tmp_path / "store"
    load(g, store)
    g.write_text("<http://ex.org/a> <http://ex.org/p> <http://ex.org/new> .\n", encoding="utf-8")
    assert load(g, store).triples == 1
    rows = query_store("SELECT ?o WHERE { ?s ?p ?o }", store)[1]
    assert rows == [["http://ex.org/new"]]


def test_store_builds_go_to_the_build_graph_or_their_own(tmp_path):
    a, b = tmp_path / "a.ttl", tmp_path / "b.nt"
    a.write_text("<http://ex.org/a> <http://ex.org/p> 1 .\n", encoding="utf-8")
    b.write_text("<http://ex.org/b> <http://ex.org/p> \"2\" .\n", encoding="utf-8")
    store = tmp_path / "store"
    load(a, store)
    load(b, store, graph_name="http://ex.org/graph/extra")
    assert graphs(store) == {BUILD_GRAPH: 1, "http://ex.org/graph/extra": 1}
    # queries read the build's graph unless told otherwise
    assert query_store("SELECT ?s WHERE { ?s ?p ?o }", store)[1] == [["http://ex.org/a"]]
    assert query_store("SELECT ?s WHERE { ?s ?p ?o }", store, default_graphs=["http://ex.org/graph/extra"])[1] == [
        ["http://ex.org/b"]]
    assert query_store("SELECT ?s WHERE { ?s ?p ?o }", store, default_graphs=())[1] == []  # the store's own default
    assert _count(store) == 2  # the union of the graphs


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
    assert err.count(f"<{BUILD_GRAPH}>") == 2
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
    load(b, store, graph_name=B)
    b.write_text("<http://ex.org/b> <http://ex.org/p> 2 .\n<http://ex.org/b> <http://ex.org/p> 3 .\n",
                 encoding="utf-8")
    assert load(b, store, graph_name=B).triples == 2
    assert graphs(store) == {BUILD_GRAPH: 1, B: 2}
    rows = query_store(f"SELECT ?o WHERE {{ GRAPH <{B}> {{ ?s ?p ?o }} }} ORDER BY ?o", store)[1]
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
    assert graphs(store) == {BUILD_GRAPH: load(seeds_ttl, store).triples}


def test_store_unwritable_folder_is_a_one_line_error(seeds_ttl, tmp_path, capsys):
    (tmp_path / "file").write_text("not a folder", encoding="utf-8")
    store = tmp_path / "file" / "store"
    assert main(["load", str(seeds_ttl), "--store", str(store)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"kg: {store}: cannot open the store for writing (") and err.count("\n") == 1, err
    assert "Not a directory" in err


TRIG = """@prefix ex: <http://ex.org/> .
ex:d ex:p 0 .
ex:g1 { ex:a ex:p 1 . ex:a ex:p 2 . }
ex:g2 { ex:b ex:p 3 . }
"""


def test_store_dataset_keeps_its_graphs_and_its_default_graph_goes_to_the_build_graph(tmp_path):
    f = tmp_path / "several.trig"
    f.write_text(TRIG, encoding="utf-8")
    store = tmp_path / "store"
    first = load(f, store)
    assert load(f, store).graphs == first.graphs  # replaced, not added to
    assert dict(first.graphs) == graphs(store) == {BUILD_GRAPH: 1, "http://ex.org/g1": 2, "http://ex.org/g2": 1}
    assert first.graph_name == BUILD_GRAPH


def test_store_graph_name_renames_a_dataset_of_one_graph_only(tmp_path, capsys):
    one = tmp_path / "one.nq"
    one.write_text("<http://ex.org/a> <http://ex.org/p> \"1\" <http://ex.org/g1> .\n", encoding="utf-8")
    store = tmp_path / "store"
    assert load(one, store, graph_name="http://ex.org/renamed").graphs == (("http://ex.org/renamed", 1),)
    several = tmp_path / "several.trig"
    several.write_text(TRIG, encoding="utf-8")
    with pytest.raises(ValueError, match=r"several.trig: holds 3 graphs .*--graph-name"):
        load(several, store, graph_name="http://ex.org/renamed")
    assert main(["load", str(several), "--store", str(store), "--graph-name", "http://ex.org/x"]) == 2
    assert capsys.readouterr().err.count("\n") == 1
    assert graphs(store) == {"http://ex.org/renamed": 1}


def test_store_trig_export_of_a_build_loads_into_the_build_graph(seeds_graph, tmp_path):
    from kg.graph.formats import write_graph

    trig, ttl = tmp_path / "seeds.trig", tmp_path / "seeds.ttl"
    write_graph(seeds_graph, trig)
    write_graph(seeds_graph, ttl)
    a, b = tmp_path / "a", tmp_path / "b"
    assert load(trig, a).graphs == load(ttl, b).graphs == ((BUILD_GRAPH, len(seeds_graph)),)
    q = "SELECT ?s ?p ?o WHERE { ?s ?p ?o FILTER(!isBlank(?s) && !isBlank(?o)) }"
    assert sorted(query_store(q, a)[1]) == sorted(query_store(q, b)[1])


def test_store_with_ontology_loads_it_into_its_own_graph(tmp_path):
    g = tmp_path / "g.ttl"
    g.write_text("<http://ex.org/a> <http://ex.org/p> 1 .\n", encoding="utf-8")
    store = tmp_path / "store"
    res = load(g, store, with_ontology=True)
    counts = dict(res.graphs)
    assert counts[BUILD_GRAPH] == 1 and counts[ONTOLOGY_GRAPH] > 100
    ask = "ASK { <https://w3id.org/diplomacy-kg/ontology#Person> a <http://www.w3.org/2002/07/owl#Class> }"
    assert answer_store(ask, store, default_graphs=[ONTOLOGY_GRAPH]).boolean is True
    assert answer_store(ask, store).boolean is False  # the build's graph alone holds no ontology
