"""The embedded on-disk triple store (pyoxigraph) and SPARQL queries over it or over a graph."""
from __future__ import annotations

import signal
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from pyparsing import ParseException
from rdflib import Graph

from kg.graph import iri
from kg.graph.formats import RdfFormat
from kg.stores.sparql import Table, Term, inject_values

OX_FORMAT = {
    RdfFormat.TURTLE: ox.RdfFormat.TURTLE, RdfFormat.TRIG: ox.RdfFormat.TRIG,
    RdfFormat.NQUADS: ox.RdfFormat.N_QUADS, RdfFormat.NTRIPLES: ox.RdfFormat.N_TRIPLES,
    RdfFormat.JSONLD: ox.RdfFormat.JSON_LD,
}
GRAPH_BASE = "https://w3id.org/diplomacy-kg/graph/"
# A replacing load bulk-loads its triples here, then swaps them into the target graph in one transaction.
# A graph left here by a killed load is removed by the next load and hidden from queries meanwhile.
STAGING_BASE = GRAPH_BASE + "staging/"


@dataclass(frozen=True)
class LoadResult:
    graph_name: str
    triples: int  # triples in the named graph after the load


class LoadInterrupted(KeyboardInterrupt):
    """Ctrl-C or SIGTERM stopped a load; the message says which graph the store holds."""

    def __init__(self, message: str, signum: int):
        super().__init__(message)
        self.signum = signum


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

    Whatever stops it (a bad file, a full disk, Ctrl-C, kill -9), the named graph is afterwards the old
    one or the new one, complete: the file is parsed before the store is touched; a replace bulk-loads
    it into a staging graph and swaps it in with one SPARQL update (one transaction); a first load or
    ``replace=False`` is one transactional load. Ctrl-C and SIGTERM wait for the step under way and
    raise :class:`LoadInterrupted`; a store error raises RuntimeError; both say what the store holds.
    """
    fmt = RdfFormat.from_extension(graph_file)
    if not graph_file.is_file():
        raise FileNotFoundError(f"{graph_file}: no such file")
    name = check_graph_name(graph_name or graph_name_for(graph_file))
    with _signals_deferred() as stop:
        _check_parses(graph_file, fmt, stop)
        stop.check(f"load interrupted while reading {graph_file}; the store was not touched")
        store = _open_for_writing(store_dir)
        existed = _has_triples(store, name)
        before = (f"the store still holds the previous graph <{name.value}>" if existed
                  else f"the store is as before (no graph <{name.value}>)")
        staging = ox.NamedNode(STAGING_BASE + iri.digest(name.value))
        try:
            _remove_staging(store, store_dir)
            stop.check(f"load interrupted; {before}")
            if replace and existed:
                store.bulk_load(path=str(graph_file), format=OX_FORMAT[fmt], to_graph=staging)
                stop.check(f"load interrupted; {before} (its staging copy is removed by the next load)")
                store.update(_SWAP.format(graph=name, staging=staging))
            else:  # nothing to replace: one transaction adds the whole file or nothing
                store.load(path=str(graph_file), format=OX_FORMAT[fmt], to_graph=name)
        except OSError as err:
            _remove_bulk_files(store_dir)  # a full disk gets its space back
            raise RuntimeError(f"{store_dir}: cannot write the store ({_one_line(err)}); {before}") from None
        result = LoadResult(name.value, _count(store, name))
        after = f"the store holds the new graph <{name.value}> ({result.triples} triples)"
        stop.check(f"load interrupted after the new graph was committed; {after}")
        try:
            store.remove_graph(staging)
            store.flush()
        except OSError as err:
            raise RuntimeError(f"{store_dir}: {after}, but its staging copy could not be removed "
                               f"({_one_line(err)}); the next load removes it") from None
        stop.check(f"load interrupted after the new graph was committed; {after}")
    return result


# The new graph is the old one minus what the file lacks plus what it adds, in one transaction that
# writes only the difference: reloading a rebuilt corpus changes little, and a wholly new graph costs
# about what DROP + ADD would.
_SWAP = """
DELETE {{ GRAPH {graph} {{ ?s ?p ?o }} }}
WHERE {{ GRAPH {graph} {{ ?s ?p ?o }} FILTER NOT EXISTS {{ GRAPH {staging} {{ ?s ?p ?o }} }} }} ;
INSERT {{ GRAPH {graph} {{ ?s ?p ?o }} }}
WHERE {{ GRAPH {staging} {{ ?s ?p ?o }} FILTER NOT EXISTS {{ GRAPH {graph} {{ ?s ?p ?o }} }} }}
"""


def _check_parses(graph_file: Path, fmt: RdfFormat, stop: _Deferred) -> None:
    try:
        for _ in ox.parse(path=str(graph_file), format=OX_FORMAT[fmt]):
            if stop.signum:  # parsing a big file takes seconds: Ctrl-C ends it
                return
    except SyntaxError as err:
        raise ValueError(f"{graph_file}: not valid {fmt.name}: {err}") from None


class _Deferred:
    signum = 0

    def check(self, message: str) -> None:
        if self.signum:
            raise LoadInterrupted(message, self.signum)


@contextmanager
def _signals_deferred():
    """Ctrl-C and SIGTERM are noted, not raised, so a load stops only between steps whose outcome is known."""
    stop = _Deferred()
    if threading.current_thread() is not threading.main_thread():
        yield stop  # signal handlers belong to the main thread; elsewhere the caller's own rules apply
        return

    def note(signum, frame):
        stop.signum = stop.signum or signum

    previous = {s: signal.signal(s, note) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield stop
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)


def _open_for_writing(store_dir: Path) -> ox.Store:
    try:
        return ox.Store(str(store_dir))
    except OSError as err:
        why = "in use by another writer" if "lock" in str(err).lower() else _one_line(err)
        raise RuntimeError(f"{store_dir}: cannot open the store for writing ({why})") from None


def _one_line(err: OSError) -> str:
    return " ".join(str(err).split())


def _remove_staging(store: ox.Store, store_dir: Path) -> None:
    """Remove what a killed or failed load left: its staging graph, and the bulk loader's unfinished files."""
    _remove_bulk_files(store_dir)
    for g in list(store.named_graphs()):
        if _is_staging(g):
            store.remove_graph(g)


def _remove_bulk_files(store_dir: Path) -> None:
    # Oxigraph's bulk loader writes bulk-*.sst files and moves them into the database when they are
    # complete; one still there while this process holds the store's lock is from a load that died.
    for path in Path(store_dir).glob("bulk-*.sst"):
        path.unlink(missing_ok=True)


def _is_staging(g) -> bool:
    return isinstance(g, ox.NamedNode) and g.value.startswith(STAGING_BASE)


def _has_triples(store: ox.Store, name: ox.NamedNode) -> bool:
    return bool(store.query(f"ASK {{ GRAPH {name} {{ ?s ?p ?o }} }}"))


def _count(store: ox.Store, name: ox.NamedNode) -> int:
    sols = store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {name} {{ ?s ?p ?o }} }}")
    return int(next(iter(sols))["n"].value)


def graphs(store_dir: Path) -> dict[str, int]:
    """Named graphs of a store and their triple counts (staging copies of an interrupted load left out)."""
    store = open_read_only(store_dir)
    return {g.value: _count(store, g) for g in store.named_graphs() if not _is_staging(g)}


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
        res = store.query(inject_values(text, bindings or {}), **union_of_graphs(store))
    except SyntaxError as err:
        raise ValueError(f"SPARQL syntax error: {err}") from None
    if not isinstance(res, ox.QuerySolutions):
        raise ValueError("only SELECT queries print as tables")
    cols = [v.value for v in res.variables]
    rows = [[None if sol[c] is None else sol[c].value for c in cols] for sol in res]
    return cols, rows


def union_of_graphs(store: ox.Store) -> dict:
    """Query options for the union of the store's graphs, staging copies of an interrupted load left out."""
    staged = [g for g in store.named_graphs() if _is_staging(g)]
    if not staged:
        return {"use_default_graph_as_union": True}
    graphs = [g for g in store.named_graphs() if not _is_staging(g)]
    return {"default_graph": [ox.DefaultGraph(), *graphs], "named_graphs": graphs}


def query_graph(text: str, g: Graph, *, bindings: dict[str, Term] | None = None) -> Table:
    """Run a SELECT query over an in-memory rdflib graph; parameters go in as an injected VALUES."""
    try:
        res = g.query(inject_values(text, bindings or {}))
        if res.type != "SELECT":
            raise ValueError("only SELECT queries print as tables")
        cols = [str(v) for v in res.vars]
        rows = [[None if v is None else str(v) for v in row] for row in res]
    except ParseException as err:
        raise ValueError(f"SPARQL syntax error: {err.msg} at line {err.lineno}, column {err.col}") from None
    except RecursionError:  # rdflib's parser recurses per bracket: a few dozen nested ( or { exhaust Python's stack
        raise ValueError("query nested too deep for rdflib's parser; query the store (kg load --store) "
                         "instead") from None
    return cols, rows

