"""The embedded on-disk triple store (pyoxigraph) and SPARQL queries over it or over a graph."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph

from kg import iri
from kg.formats import RdfFormat
from kg.sparql import Table, Term, inject_values

OX_FORMAT = {
    RdfFormat.TURTLE: ox.RdfFormat.TURTLE, RdfFormat.TRIG: ox.RdfFormat.TRIG,
    RdfFormat.NQUADS: ox.RdfFormat.N_QUADS, RdfFormat.NTRIPLES: ox.RdfFormat.N_TRIPLES,
    RdfFormat.JSONLD: ox.RdfFormat.JSON_LD,
}
GRAPH_BASE = "https://w3id.org/diplomacy-kg/graph/"


@dataclass(frozen=True)
class LoadResult:
    graph_name: str
    triples: int  # triples in the named graph after the load


def graph_name_for(graph_file: Path) -> str:
    """The named graph a build file goes to: one per file name, so reloading replaces it."""
    return GRAPH_BASE + iri.slug(Path(graph_file).stem)


def check_graph_name(name: str) -> ox.NamedNode:
    try:
        return ox.NamedNode(name)
    except ValueError as err:
        raise ValueError(f"graph name {name!r} is not an absolute IRI: {err}") from None


def load(graph_file: Path, store_dir: Path, *, graph_name: str | None = None, replace: bool = True) -> LoadResult:
    """Load an RDF file into a named graph of the store, replacing what it held unless ``replace=False``.

    The file is parsed once before the store is touched, so a bad file changes nothing; the load itself
    is one transaction, so a crash leaves no half graph. (Between clearing the old graph and committing
    the new one a reader may see the graph empty: a copy-and-swap was 5x slower in pyoxigraph.)
    """
    fmt = RdfFormat.from_extension(graph_file)
    if not graph_file.is_file():
        raise FileNotFoundError(f"{graph_file}: no such file")
    name = check_graph_name(graph_name or graph_name_for(graph_file))
    try:
        for _ in ox.parse(path=str(graph_file), format=OX_FORMAT[fmt]):
            pass
    except SyntaxError as err:
        raise ValueError(f"{graph_file}: not valid {fmt.name}: {err}") from None
    try:
        store = ox.Store(str(store_dir))
    except OSError as err:
        raise RuntimeError(f"{store_dir}: cannot open the store for writing ({err}); is it in use?") from None
    if replace:
        store.remove_graph(name)
    store.load(path=str(graph_file), format=OX_FORMAT[fmt], to_graph=name)
    store.flush()
    return LoadResult(name.value, _count(store, name))


def _count(store: ox.Store, name: ox.NamedNode) -> int:
    return sum(1 for _ in store.quads_for_pattern(None, None, None, name))


def graphs(store_dir: Path) -> dict[str, int]:
    """Named graphs of a store and their triple counts."""
    store = open_read_only(store_dir)
    return {g.value: _count(store, g) for g in store.named_graphs()}


def open_read_only(store_dir: Path) -> ox.Store:
    if not Path(store_dir).is_dir():
        raise FileNotFoundError(f"{store_dir}: no such store (run `kg load` first)")
    return ox.Store.read_only(str(store_dir))


def query_store(text: str, store_dir: Path, *, bindings: dict[str, Term] | None = None) -> Table:
    """Run a SELECT query over the union of the store's graphs; parameters go in as an injected VALUES."""
    return query_open_store(text, open_read_only(store_dir), bindings=bindings)


def query_open_store(text: str, store: ox.Store, *, bindings: dict[str, Term] | None = None) -> Table:
    # VALUES rather than pyoxigraph's substitutions, which insist on projected variables and would
    # give the store other semantics than rdflib and remote endpoints.
    try:
        res = store.query(inject_values(text, bindings or {}), use_default_graph_as_union=True)
    except SyntaxError as err:
        raise ValueError(f"SPARQL syntax error: {err}") from None
    if not isinstance(res, ox.QuerySolutions):
        raise ValueError("only SELECT queries print as tables")
    cols = [v.value for v in res.variables]
    rows = [[None if sol[c] is None else sol[c].value for c in cols] for sol in res]
    return cols, rows


def query_graph(text: str, g: Graph, *, bindings: dict[str, Term] | None = None) -> Table:
    """Run a SELECT query over an in-memory rdflib graph; parameters go in as an injected VALUES."""
    res = g.query(inject_values(text, bindings or {}))
    if res.type != "SELECT":
        raise ValueError("only SELECT queries print as tables")
    cols = [str(v) for v in res.vars]
    rows = [[None if v is None else str(v) for v in row] for row in res]
    return cols, rows

