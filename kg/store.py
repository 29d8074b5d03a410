"""The embedded on-disk triple store (pyoxigraph) and SPARQL queries over it or over a graph."""
from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph

from kg.formats import RdfFormat

_OX_FORMAT = {
    RdfFormat.TURTLE: ox.RdfFormat.TURTLE, RdfFormat.TRIG: ox.RdfFormat.TRIG,
    RdfFormat.NQUADS: ox.RdfFormat.N_QUADS, RdfFormat.NTRIPLES: ox.RdfFormat.N_TRIPLES,
    RdfFormat.JSONLD: ox.RdfFormat.JSON_LD,
}
DEFAULT_GRAPH_NAME = "https://w3id.org/diplomacy-kg/graph/default"


def load(graph_file: Path, store_dir: Path, *, graph_name: str = DEFAULT_GRAPH_NAME, replace: bool = True) -> int:
    """Load an RDF file into a named graph of the store; returns the graph's triple count."""
    fmt = RdfFormat.from_extension(graph_file)
    store = ox.Store(str(store_dir))
    name = ox.NamedNode(graph_name)
    if replace:
        store.update(f"CLEAR SILENT GRAPH <{graph_name}>")
    store.bulk_load(path=str(graph_file), format=_OX_FORMAT[fmt], to_graph=name)
    store.flush()
    return sum(1 for _ in store.quads_for_pattern(None, None, None, name))


def query_store(text: str, store_dir: Path) -> tuple[list[str], list[list[str | None]]]:
    """Run a SELECT query over the union of the store's graphs."""
    if not store_dir.is_dir():
        raise FileNotFoundError(f"{store_dir}: no such store (run `kg load` first)")
    store = ox.Store.read_only(str(store_dir))
    res = store.query(text, use_default_graph_as_union=True)
    cols = [v.value for v in res.variables]
    rows = [[None if sol[c] is None else sol[c].value for c in cols] for sol in res]
    return cols, rows


def query_graph(text: str, g: Graph) -> tuple[list[str], list[list[str | None]]]:
    """Run a SELECT query over an in-memory rdflib graph."""
    res = g.query(text)
    cols = [str(v) for v in res.vars]
    rows = [[None if v is None else str(v) for v in row] for row in res]
    return cols, rows
