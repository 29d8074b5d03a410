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
from kg.graph.formats import BUILD_GRAPH, RdfFormat
from kg.packaged import ontology_file
from kg.stores.sparql import Answer, QueryForm, Table, Term, inject_values, query_form

OX_FORMAT = {
    RdfFormat.TURTLE: ox.RdfFormat.TURTLE, RdfFormat.TRIG: ox.RdfFormat.TRIG,
    RdfFormat.NQUADS: ox.RdfFormat.N_QUADS, RdfFormat.NTRIPLES: ox.RdfFormat.N_TRIPLES,
    RdfFormat.JSONLD: ox.RdfFormat.JSON_LD,
}
GRAPH_BASE = "https://w3id.org/diplomacy-kg/graph/"
# Where `kg load --with-ontology` puts ontology/diplomacy.ttl (BUILD_GRAPH, formats.py: the build's graph).
ONTOLOGY_GRAPH = GRAPH_BASE + "ontology"
# A replacing load bulk-loads its triples here, then swaps them into the target graph in one transaction.
# A graph left here by a killed load is removed by the next load and hidden from queries meanwhile.
STAGING_BASE = GRAPH_BASE + "staging/"


@dataclass(frozen=True)
class LoadResult:
    graph_name: str  # the graph of the file's triples (the first, for a file of several graphs)
    triples: int  # triples in that graph after the load
    graphs: tuple[tuple[str, int], ...] = ()  # every graph the load wrote, with its triples after the load

    def summary(self) -> str:
        return ", ".join(f"<{g}> {n} triples" for g, n in self.graphs or ((self.graph_name, self.triples),))


class LoadInterrupted(KeyboardInterrupt):
    """Ctrl-C or SIGTERM stopped a load; the message says which graph the store holds."""

    def __init__(self, message: str, signum: int):
        super().__init__(message)
        self.signum = signum


def check_graph_name(name: str) -> ox.NamedNode:
    try:
        return ox.NamedNode(name)
    except ValueError as err:
        raise ValueError(f"graph name {name!r} is not an absolute IRI: {err}") from None


@dataclass(frozen=True)
class Part:
    """What a load writes into one named graph: a triple file as it is, or triples read from a dataset."""

    graph: ox.NamedNode
    path: Path
    fmt: RdfFormat
    triples: tuple[ox.Triple, ...] | None = None  # None: the whole (triple) file at path


def plan(graph_file: Path, *, graph_name: str | None = None, with_ontology: bool = False,
         stop: _Deferred | None = None) -> list[Part]:
    """The named graphs a file goes to, one rule for the embedded store and for servers.

    A triple file (Turtle, N-Triples, JSON-LD) goes to ``graph_name`` (default: the build's graph,
    BUILD_GRAPH). A dataset file (TriG, N-Quads) keeps its named graphs and puts its default graph's
    triples in ``graph_name``; a ``graph_name`` given for a dataset of one graph renames that graph,
    and is an error for a dataset of several. ``with_ontology`` adds the ontology in ONTOLOGY_GRAPH.
    The file is parsed whole first (ValueError names it), so a bad file changes nothing.
    """
    fmt = RdfFormat.from_extension(graph_file)
    if not graph_file.is_file():
        raise FileNotFoundError(f"{graph_file}: no such file")
    target = check_graph_name(graph_name or BUILD_GRAPH)
    stop = stop or _Deferred()
    if fmt.is_dataset:
        parts = _dataset_parts(graph_file, fmt, target, explicit=graph_name is not None, stop=stop)
    else:
        _check_parses(graph_file, fmt, stop)
        parts = [Part(target, graph_file, fmt)]
    if with_ontology:
        parts.append(ontology_part())
    names = [p.graph for p in parts]
    if len(set(names)) != len(names) or any(_is_staging(g) for g in names):
        raise ValueError(f"{graph_file}: its graphs and the ontology's <{ONTOLOGY_GRAPH}> must differ, and none "
                         f"may be under <{STAGING_BASE}>")
    return parts


def ontology_part() -> Part:
    """The ontology (ontology/diplomacy.ttl) as a load's part in ONTOLOGY_GRAPH."""
    source = ontology_file("diplomacy.ttl")
    triples = tuple(q.triple for q in ox.parse(source.read_bytes(), format=ox.RdfFormat.TURTLE))
    return Part(ox.NamedNode(ONTOLOGY_GRAPH), Path(str(source)), RdfFormat.TURTLE, triples)


def _dataset_parts(graph_file: Path, fmt: RdfFormat, target: ox.NamedNode, *, explicit: bool,
                   stop: _Deferred) -> list[Part]:
    by_graph: dict[ox.NamedNode | ox.BlankNode | ox.DefaultGraph, list[ox.Triple]] = {}
    try:
        for q in ox.parse(path=str(graph_file), format=OX_FORMAT[fmt]):
            by_graph.setdefault(q.graph_name, []).append(q.triple)
            if stop.signum:
                return []
    except SyntaxError as err:
        raise ValueError(f"{graph_file}: not valid {fmt.name}: {err}") from None
    if not by_graph:
        return [Part(target, graph_file, fmt, ())]
    if explicit and len(by_graph) > 1:
        shown = ", ".join("the default graph" if isinstance(g, ox.DefaultGraph) else str(g) for g in by_graph)
        raise ValueError(f"{graph_file}: holds {len(by_graph)} graphs ({shown}); --graph-name renames the graph of "
                         "a file of one graph only")
    parts = []
    for g, triples in by_graph.items():
        if isinstance(g, ox.BlankNode):
            raise ValueError(f"{graph_file}: a graph named by a blank node ({g}) cannot be loaded by name")
        name = target if explicit or isinstance(g, ox.DefaultGraph) else g
        parts.append(Part(name, graph_file, fmt, tuple(triples)))
    parts.sort(key=lambda p: (p.graph != target, p.graph.value))
    return parts


def load(graph_file: Path, store_dir: Path, *, graph_name: str | None = None, replace: bool = True,
         with_ontology: bool = False) -> LoadResult:
    """Load an RDF file into named graphs of the store (see :func:`plan`), replacing what they held
    unless ``replace=False``.

    Whatever stops it (a bad file, a full disk, Ctrl-C, kill -9), each named graph is afterwards the
    old one or the new one, complete: the file is parsed before the store is touched; a replace
    bulk-loads it into staging graphs and swaps them in with one SPARQL update (one transaction); a
    first load or ``replace=False`` is one transactional load a graph. Ctrl-C and SIGTERM wait for the
    step under way and raise :class:`LoadInterrupted`; a store error raises RuntimeError; both say
    what the store holds.
    """
    with _signals_deferred() as stop:
        parts = plan(graph_file, graph_name=graph_name, with_ontology=with_ontology, stop=stop)
        stop.check(f"load interrupted while reading {graph_file}; the store was not touched")
        store = _open_for_writing(store_dir)
        shown = ", ".join(f"<{p.graph.value}>" for p in parts)
        graph = "graph" if len(parts) == 1 else "graphs"
        existed = [p for p in parts if _has_triples(store, p.graph)]
        before = (f"the store still holds the previous {graph} {shown}" if existed
                  else f"the store is as before (no {graph} {shown})")
        staging = {p.graph: ox.NamedNode(STAGING_BASE + iri.digest(p.graph.value)) for p in parts}
        try:
            _remove_staging(store, store_dir)
            stop.check(f"load interrupted; {before}")
            if replace and existed:
                for p in parts:
                    _write_part(store, p, staging[p.graph], bulk=True)
                    stop.check(f"load interrupted; {before} (its staging copy is removed by the next load)")
                store.update(" ;\n".join(_SWAP.format(graph=p.graph, staging=staging[p.graph]) for p in parts))
            else:  # nothing to replace: one transaction a graph adds the whole part or nothing
                for p in parts:
                    _write_part(store, p, p.graph, bulk=False)
        except OSError as err:
            _remove_bulk_files(store_dir)  # a full disk gets its space back
            raise RuntimeError(f"{store_dir}: cannot write the store ({_one_line(err)}); {before}") from None
        counts = tuple((p.graph.value, _count(store, p.graph)) for p in parts)
        result = LoadResult(*counts[0], graphs=counts)
        after = f"the store holds the new {graph} {result.summary()}"
        stop.check(f"load interrupted after the new graph was committed; {after}")
        try:
            for g in staging.values():
                store.remove_graph(g)
            store.flush()
        except OSError as err:
            raise RuntimeError(f"{store_dir}: {after}, but its staging copy could not be removed "
                               f"({_one_line(err)}); the next load removes it") from None
        stop.check(f"load interrupted after the new graph was committed; {after}")
    return result


def _write_part(store: ox.Store, part: Part, graph: ox.NamedNode, *, bulk: bool) -> None:
    if part.triples is None:
        (store.bulk_load if bulk else store.load)(path=str(part.path), format=OX_FORMAT[part.fmt], to_graph=graph)
    else:
        quads = (ox.Quad(t.subject, t.predicate, t.object, graph) for t in part.triples)
        (store.bulk_extend if bulk else store.extend)(quads)


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
    if not store.contains_named_graph(name):
        return False
    return bool(store.query(f"ASK {{ GRAPH {name} {{ ?s ?p ?o }} }}"))


def _count(store: ox.Store, name: ox.NamedNode | ox.BlankNode) -> int:
    sols = store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {name} {{ ?s ?p ?o }} }}")
    assert isinstance(sols, ox.QuerySolutions)
    return int(next(iter(sols))["n"].value)


def graphs(store_dir: Path) -> dict[str, int]:
    """Named graphs of a store and their triple counts (staging copies of an interrupted load left out)."""
    store = open_read_only(store_dir)
    return {g.value: _count(store, g) for g in store.named_graphs() if not _is_staging(g)}


def open_read_only(store_dir: Path) -> ox.Store:
    if not Path(store_dir).is_dir():
        raise FileNotFoundError(f"{store_dir}: no such store (run `kg load` first)")
    return ox.Store.read_only(str(store_dir))


# What a query of the store reads as its default graph: the build's graph unless told otherwise (the same
# rule as `kg query --endpoint`). STORE_DEFAULT is the store's own default graph (kg load never writes it).
STORE_DEFAULT: tuple[str, ...] = ()


def query_store(text: str, store_dir: Path, *, bindings: dict[str, Term] | None = None,
                default_graphs: tuple[str, ...] | list[str] | None = (BUILD_GRAPH,)) -> Table:
    """Run a SELECT query over the store (default graph: the build's; None: the union of the named graphs);
    parameters go in as an injected VALUES."""
    return _select(answer_store(text, store_dir, bindings=bindings, default_graphs=default_graphs))


def answer_store(text: str, store_dir: Path, *, bindings: dict[str, Term] | None = None,
                 default_graphs: tuple[str, ...] | list[str] | None = (BUILD_GRAPH,)) -> Answer:
    """Run any query over the store, ``default_graphs`` as its default graph (STORE_DEFAULT: the store's own;
    None: the union of its named graphs)."""
    return query_open_store(text, open_read_only(store_dir), bindings=bindings, default_graphs=default_graphs)


def query_open_store(text: str, store: ox.Store, *, bindings: dict[str, Term] | None = None,
                     default_graphs: tuple[str, ...] | list[str] | None = None) -> Answer:
    """Run a query on an open store; ``default_graphs`` None: the union of its graphs (as kg serve does)."""
    # VALUES rather than pyoxigraph's substitutions, which insist on projected variables and would
    # give the store other semantics than rdflib and remote endpoints.
    if default_graphs is None:
        options = union_of_graphs(store)
    else:
        options = {"default_graph": [check_graph_name(g) for g in default_graphs] or ox.DefaultGraph()}
    try:
        res = store.query(inject_values(text, bindings or {}), **options)
        answer = Answer.of(res)
    except SyntaxError as err:
        raise ValueError(f"SPARQL syntax error: {err}") from None
    if answer.form is QueryForm.CONSTRUCT:  # pyoxigraph gives triples for DESCRIBE too
        answer = Answer(query_form(text), triples=answer.triples)
    return answer


def _select(answer: Answer) -> Table:
    if answer.form is not QueryForm.SELECT:
        raise ValueError("only SELECT queries print as tables")
    return answer.table


def union_of_graphs(store: ox.Store) -> dict:
    """Query options for the union of the store's graphs, staging copies of an interrupted load left out."""
    staged = [g for g in store.named_graphs() if _is_staging(g)]
    if not staged:
        return {"use_default_graph_as_union": True}
    graphs = [g for g in store.named_graphs() if not _is_staging(g)]
    return {"default_graph": [ox.DefaultGraph(), *graphs], "named_graphs": graphs}


def query_graph(text: str, g: Graph, *, bindings: dict[str, Term] | None = None) -> Table:
    """Run a SELECT query over an in-memory rdflib graph; parameters go in as an injected VALUES."""
    return _select(answer_graph(text, g, bindings=bindings))


def answer_graph(text: str, g: Graph, *, bindings: dict[str, Term] | None = None) -> Answer:
    """Run any query over an in-memory rdflib graph (rdflib's engine); parameters go in as VALUES."""
    try:
        res = g.query(inject_values(text, bindings or {}))
        if res.type == "SELECT":
            return Answer.from_results(res.serialize(format="json") or b"", ox.QueryResultsFormat.JSON)
        if res.type == "ASK":
            return Answer(QueryForm.ASK, boolean=bool(res.askAnswer))
        assert res.graph is not None  # CONSTRUCT and DESCRIBE
        triples = ox.parse(res.graph.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES)
        return Answer(QueryForm(res.type), triples=tuple(q.triple for q in triples))
    except ParseException as err:
        raise ValueError(f"SPARQL syntax error: {err.msg} at line {err.lineno}, column {err.col}") from None
    except RecursionError:  # rdflib's parser recurses per bracket: a few dozen nested ( or { exhaust Python's stack
        raise ValueError("query nested too deep for rdflib's parser; query the store (kg load --store) "
                         "instead") from None
