"""RDF serialisation formats and atomic writing of output files."""
from __future__ import annotations

import contextlib
import fcntl
import gc
import json
import mmap
import os
import re
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from enum import Enum
from functools import lru_cache
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import XSD

from kg.graph.mapping import PREFIXES, Triples, graph_of
from kg.packaged import ontology_file


class RdfFormat(Enum):
    TURTLE = ("turtle", ".ttl")
    TRIG = ("trig", ".trig")
    NQUADS = ("nquads", ".nq")
    NTRIPLES = ("nt", ".nt")
    JSONLD = ("json-ld", ".jsonld")

    @property
    def rdflib_name(self) -> str:
        return self.value[0]

    @property
    def extension(self) -> str:
        return self.value[1]

    @property
    def is_dataset(self) -> bool:
        """Whether the syntax holds named graphs (rdflib reads and writes it through a Dataset)."""
        return self in (RdfFormat.TRIG, RdfFormat.NQUADS)

    @classmethod
    def from_extension(cls, path: str | Path) -> RdfFormat:
        suffix = Path(path).suffix.lower()
        for fmt in cls:
            if fmt.extension == suffix:
                return fmt
        known = ", ".join(f.extension for f in cls)
        raise ValueError(f"{path}: unknown RDF format {suffix or '(no extension)'!r}; use one of {known}")


# The named graph of a build (docs: README "Named graphs"): TriG and N-Quads exports put their triples
# there, `kg load` loads a triple file there and `kg query --store/--endpoint` reads it by default.
BUILD_GRAPH = "https://w3id.org/diplomacy-kg/graph/build"


@lru_cache(maxsize=1)
def jsonld_context() -> dict:
    """The published JSON-LD context of the dip: vocabulary (ontology/context.jsonld)."""
    return json.loads(ontology_file("context.jsonld").read_text(encoding="utf-8"))["@context"]


def _new_file_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def write_graph(g: Graph | Triples, path: Path, *, fmt: RdfFormat | None = None,
                graph_name: str = BUILD_GRAPH) -> None:
    """Serialise a graph (or the builder's triples) to ``path`` through a temporary file, so a crash
    never leaves half a file (see atomic_output; raises WriteError).

    Turtle and N-Triples are sorted, so one graph always gives the same bytes. JSON-LD is compacted
    with the published context, written inline so the file reads offline. TriG and N-Quads put the
    triples in the named graph ``graph_name`` (a Dataset given as it is keeps its own graphs).
    """
    fmt = fmt or RdfFormat.from_extension(path)
    options = {"context": jsonld_context()} if fmt is RdfFormat.JSONLD else {}
    with atomic_output(path) as out:
        if not isinstance(g, Graph) and fmt not in _SORTED:
            g = graph_of(g)
        if fmt.is_dataset and not g.context_aware:  # rdflib writes N-Quads only from a Dataset
            g = _as_dataset(g, graph_name)
        if fmt in _SORTED:
            _write_sorted(g, fmt, out)
        else:
            g.serialize(destination=out, format=fmt.rdflib_name, encoding="utf-8", **options)


class WriteError(OSError):
    """An output file could not be written: the message names it (``path``), says why and what is left
    there."""

    def __init__(self, path: Path | str | None, message: str):
        super().__init__(message)
        self.path = Path(path) if path else None


@contextmanager
def atomic_output(path: Path) -> Iterator[BinaryIO]:
    """A binary file that becomes ``path`` when the block ends: flushed, synced, then renamed over it.

    On any error or interrupt ``path`` is left as it was and the temporary file (``.NAME.XXXXXXXX.tmp``
    beside it) is removed; one left by a killed run is removed by the next (a live one is locked by
    its writer and kept). An OSError becomes a WriteError naming ``path`` (a full disk, a folder that
    is read-only or not ours).
    """
    existed = path.exists()
    fd, tmp = _temporary_beside(path)
    out = os.fdopen(fd, "wb")
    try:
        yield out
        out.flush()
        os.fsync(out.fileno())  # the bytes are on disk before the name points at them
        # mkstemp makes the file private (0600); give it the mode a plainly created file would have
        os.chmod(tmp, path.stat().st_mode & 0o777 if existed and path.exists() else _new_file_mode())
        os.replace(tmp, path)  # still open, so locked: no other run takes it for a stale one
    except BaseException as err:
        Path(tmp).unlink(missing_ok=True)
        with contextlib.suppress(OSError):  # the buffered bytes of a full disk: not going to be written
            out.close()
        if isinstance(err, OSError):
            left = "the file there before is intact" if existed else "nothing written"
            raise WriteError(path, f"{path}: cannot write: {err.strerror or err} ({left})") from err
        raise
    out.close()
    _sync_folder(path.parent)


def check_writable(path: Path) -> None:
    """Raise WriteError unless a file can be written at ``path``, so that a long build fails before
    its work rather than after (folders made to try are removed again)."""
    missing = [folder for folder in path.parents if not folder.exists()]
    try:
        fd, tmp = _temporary_beside(path)
        os.close(fd)
        os.unlink(tmp)
    finally:
        for folder in missing:  # deepest first
            with suppress(OSError):
                folder.rmdir()


def check_temp_folder() -> Path:
    """The folder for temporary files; raises WriteError when ``TMPDIR`` names one that cannot be
    written (Python would quietly use another)."""
    folder = os.environ.get("TMPDIR")
    if folder:
        try:
            fd, tmp = tempfile.mkstemp(dir=folder, prefix=".kg-probe-")
            os.close(fd)
            os.unlink(tmp)
        except OSError as err:
            raise WriteError(folder, f"TMPDIR {folder}: cannot write temporary files there: "
                             f"{err.strerror or err}") from err
    try:
        return Path(tempfile.gettempdir())
    except FileNotFoundError as err:
        raise WriteError(None, f"no folder for temporary files: {err}") from err


def _temporary_beside(path: Path) -> tuple[int, str]:
    """A new temporary file in the folder of ``path`` (made if missing), locked while this process
    holds it open; stale ones from killed runs removed first."""
    folder = path.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise WriteError(path, f"{path}: cannot create the folder {folder}: {err.strerror or err}") from err
    _remove_stale(path)
    for _ in range(3):
        try:
            fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
        except OSError as err:
            raise WriteError(path, f"{path}: cannot write in {folder}: {err.strerror or err}") from err
        if _lock(fd) and _same_file(fd, tmp):
            return fd, tmp
        os.close(fd)  # removed by another run's clean-up before it was locked: make another
    raise WriteError(path, f"{path}: cannot write in {folder}: its temporary files keep disappearing")


def _lock(fd: int) -> bool:
    """Lock an open file for as long as it is open (the kernel drops the lock when the process dies);
    True also where locks are not supported."""
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False
    except OSError:
        return True


def _same_file(fd: int, name: str) -> bool:
    try:
        return os.path.samestat(os.fstat(fd), os.stat(name))
    except OSError:
        return False


def _remove_stale(path: Path) -> None:
    """Remove the temporary files of earlier writes of ``path`` that no live process holds."""
    pattern = re.compile(rf"\.{re.escape(path.name)}\.[a-z0-9_]{{8}}\.tmp")
    try:
        names = [n for n in os.listdir(path.parent) if pattern.fullmatch(n)]
    except OSError:
        return
    for name in names:
        stale = path.parent / name
        try:
            fd = os.open(stale, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC | os.O_NOFOLLOW)
        except OSError:
            continue
        try:
            if stat.S_ISREG(os.fstat(fd).st_mode):
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # raises while its writer is alive
                if _same_file(fd, str(stale)):
                    stale.unlink()
        except OSError:
            pass
        finally:
            os.close(fd)


def _sync_folder(folder: Path) -> None:
    """Make a rename in ``folder`` durable (best effort: not every file system can sync a folder)."""
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


# Prefixes written in Turtle output, in this order (others are spelled out as full IRIs).
_TURTLE_PREFIXES = ("rdf", "rdfs", "xsd", "owl", "skos", "dip")
_STANDARD_PREFIXES = {p: str(ns) for p, ns in Graph().namespaces() if p in _TURTLE_PREFIXES} | {
    p: str(ns) for p, ns in PREFIXES.items()}
# Written by pyoxigraph from sorted triples: deterministic, and faster than rdflib's writers.
_SORTED = {RdfFormat.TURTLE: ox.RdfFormat.TURTLE, RdfFormat.NTRIPLES: ox.RdfFormat.N_TRIPLES}


def _write_sorted(g: Graph | Triples, fmt: RdfFormat, out: BinaryIO) -> None:
    """Write the triples in N-Triples order (so subjects group in Turtle) to ``out`` with pyoxigraph."""
    if isinstance(g, Graph):
        # split on "\n" only: a literal may hold other line separators (form feed, U+2028) unescaped
        lines = sorted(set(g.serialize(format="nt", encoding="utf-8").decode("utf-8").split("\n")) - {""})
        ntriples = ("\n".join(lines) + "\n").encode("utf-8")
        bound = {prefix: str(ns) for prefix, ns in g.namespaces()}
    else:
        ntriples, bound = g.reader(), _STANDARD_PREFIXES
    triples = ox.parse(ntriples, format=ox.RdfFormat.N_TRIPLES)
    prefixes = {p: bound[p] for p in _TURTLE_PREFIXES if p in bound} if fmt is RdfFormat.TURTLE else {}
    ox.serialize(triples, out, format=_SORTED[fmt], prefixes=prefixes)


def read_graph(path: Path) -> Graph:
    """Parse an RDF file whose format is given by its extension."""
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such file")
    fmt = RdfFormat.from_extension(path)
    with _no_cyclic_gc():
        if fmt is RdfFormat.NTRIPLES and (g := _read_ntriples(path)) is not None:
            return g
        return _read_rdflib(path, fmt)


@contextmanager
def _no_cyclic_gc() -> Iterator[None]:
    """Cyclic garbage collection paused: loading a graph allocates millions of objects, none of them
    garbage, and the collector's repeated passes over them took a quarter of the load time."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


# Spellings pyoxigraph normalises and rdflib keeps: an explicit xsd:string datatype (perhaps written
# with \u escapes) and capitals in a language tag. A match inside a literal only costs the fast path.
_OX_NORMALISES = (re.compile(rb"\^\^<(?:http://www\.w3\.org/2001/XMLSchema#string>|[^>\\]*\\)"),
                  re.compile(rb'"@[a-zA-Z0-9-]*[A-Z]'))
_XSD_STRING = str(XSD.string)
_BATCH = 10_000


class _NotForRdflib(Exception):
    """A term rdflib's own parser would not make (RDF 1.2 triple terms and text directions)."""


def _rdflib_term(t: ox.NamedNode | ox.BlankNode | ox.Literal) -> URIRef | BNode | Literal:
    """The term rdflib's N-Triples parser makes for ``t`` (a new BNode for each blank node label)."""
    kind = type(t)
    if kind is ox.NamedNode:
        return URIRef(t.value)
    if kind is ox.BlankNode:
        return BNode()
    if kind is ox.Literal and t.direction is None:
        if t.language:
            return Literal(t.value, lang=t.language)
        datatype = t.datatype.value
        return Literal(t.value) if datatype == _XSD_STRING else Literal(t.value, datatype=URIRef(datatype))
    raise _NotForRdflib(repr(t))


def _read_ntriples(path: Path) -> Graph | None:
    """N-Triples parsed by pyoxigraph into the graph rdflib's parser makes, in about a third of its
    time; None when rdflib must read the file (a spelling pyoxigraph normalises, a syntax it rejects
    and rdflib may accept, or a term rdflib has no class for)."""
    if path.stat().st_size == 0:
        return Graph()
    with path.open("rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as data:
        if any(pattern.search(data) for pattern in _OX_NORMALISES):
            return None
    g, terms, batch = Graph(), {}, []
    try:
        for q in ox.parse(path=path, format=ox.RdfFormat.N_TRIPLES):
            spo = []
            for t in (q.subject, q.predicate, q.object):
                # one rdflib term per distinct term: a blank node label keeps its identity, and the
                # graph shares one object per IRI instead of one per occurrence
                term = terms.get(t)
                if term is None:
                    term = terms[t] = _rdflib_term(t)
                spo.append(term)
            batch.append((*spo, g))
            if len(batch) == _BATCH:
                g.addN(batch)
                batch.clear()
    except (SyntaxError, _NotForRdflib):
        return None
    g.addN(batch)
    return g


def _read_rdflib(path: Path, fmt: RdfFormat) -> Graph:
    if not fmt.is_dataset:
        return Graph().parse(path, format=fmt.rdflib_name)
    # Graph.parse keeps only a TriG file's named graphs; read all and merge them into one graph
    ds = Dataset()
    ds.parse(path, format=fmt.rdflib_name)
    g = Graph()
    for prefix, ns in ds.namespaces():
        g.bind(prefix, ns, override=False)
    for s, p, o, _ in ds.quads():
        g.add((s, p, o))
    return g


def _as_dataset(g: Graph, graph_name: str) -> Dataset:
    """``g`` as the named graph ``graph_name`` of a new dataset, with its prefixes."""
    ds = Dataset()
    for prefix, ns in g.namespaces():
        ds.bind(prefix, ns, override=True)
    named = ds.graph(URIRef(graph_name))
    named.addN((*triple, named) for triple in g)
    return ds
