"""queries/standard/: each competency query written only with standard vocabularies gives the rows of
its dip: version on the seeds graph, in rdflib and in the embedded store."""
from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from kg.stores.embedded import load, query_graph, query_store
from kg.stores.sparql import QueryFile

ROOT = Path(__file__).resolve().parents[2]
STANDARD = sorted((ROOT / "queries" / "standard").glob("*.rq"))
# The vocabularies a standard query may use (NIF for the offsets into the article); id: is the base
# of the graph's resources, not a vocabulary.
ALLOWED = {"prov": "http://www.w3.org/ns/prov#", "schema": "https://schema.org/", "org": "http://www.w3.org/ns/org#",
           "skos": "http://www.w3.org/2004/02/skos/core#",
           "nif": "http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#",
           "id": "https://w3id.org/diplomacy-kg/id/"}
# Columns of a dip: query that no standard term gives (the standard query leaves them out).
DIP_ONLY = {"fact_sources.rq": {"confidence"}}
# Parameter values besides each query's default, so that every parameter is tried twice.
OTHER_PARAMS = {
    "aliases.rq": {"name": '"roustem oumerov"'},
    "article_facts.rq": {"file": '"004_7161a7e6f48fcc54.txt"'},
    "meetings_at_place.rq": {"place": "id:place/floride"},
    "negotiation_sides.rq": {"place": "id:place/floride"},
    "positions_in_state.rq": {"state": "id:state/ukraine"},
    "spoke_about.rq": {"about": '"cessez-le-feu"'},
    "statements_by_person.rq": {"name": '"dmitri peskov"'},
}


@pytest.fixture(scope="module")
def store(seeds_ttl, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("standard-queries") / "store"
    load(seeds_ttl, path)
    return path


def _rows(path: Path, graph, store, params: dict[str, str]) -> tuple[list[str], Counter]:
    qf = QueryFile.read(path)
    bindings = qf.bindings(params)
    cols, rows = query_graph(qf.text, graph, bindings=bindings)
    cols_s, rows_s = query_store(qf.text, store, bindings=bindings)
    assert cols == cols_s and Counter(map(tuple, rows)) == Counter(map(tuple, rows_s)), f"{path.name}: engines differ"
    return cols, [dict(zip(cols, r)) for r in rows]


def test_standard_queries_one_for_each_competency_query():
    assert [p.name for p in STANDARD] == [p.name for p in sorted((ROOT / "queries").glob("*.rq"))]


@pytest.mark.parametrize("path", STANDARD, ids=lambda p: p.stem)
def test_standard_queries_use_only_standard_vocabularies(path):
    text = path.read_text(encoding="utf-8")
    declared = dict(re.findall(r"^PREFIX\s+(\w*):\s*<([^>]+)>", text, flags=re.M))
    assert declared and all(ALLOWED.get(p) == iri for p, iri in declared.items()), declared
    body = "\n".join(line for line in text.splitlines() if not line.startswith(("#", "PREFIX")))
    assert "dip:" not in body and "diplomacy-kg/ontology" not in body
    assert set(re.findall(r"\b(\w+):\w", body)) <= set(ALLOWED), path.name


@pytest.mark.parametrize("path", STANDARD, ids=lambda p: p.stem)
def test_standard_queries_same_answers_as_the_dip_queries(path, seeds_graph, store):
    for params in ({}, OTHER_PARAMS.get(path.name)):
        if params is None:
            continue
        cols, rows = _rows(path, seeds_graph, store, params)
        dip_cols, dip_rows = _rows(ROOT / "queries" / path.name, seeds_graph, store, params)
        assert rows, f"{path.name} {params}: no rows on the seeds graph"
        assert cols == [c for c in dip_cols if c not in DIP_ONLY.get(path.name, set())]
        expected = Counter(tuple(r[c] for c in cols) for r in dip_rows)
        assert Counter(tuple(r[c] for c in cols) for r in rows) == expected, f"{path.name} {params}"
