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
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from enum import Enum
from functools import lru_cache
from pathlib import Path
from typing import BinaryIO
from xml.sax import SAXParseException

import pyoxigraph as ox
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import XSD

from kg.graph.mapping import PREFIXES, Triples, graph_of
from kg.packaged import ontology_file


class RdfFormat(Enum):
    """An RDF syntax: its rdflib name, file extension, and the names `--format` accepts for it."""

    TURTLE = ("turtle", ".ttl", "Turtle", ("ttl",))
    TRIG = ("trig", ".trig", "TriG", ())
    NQUADS = ("nquads", ".nq", "N-Quads", ("nq", "n-quads"))
    NTRIPLES = ("nt", ".nt", "N-Triples", ("ntriples", "n-triples"))
    JSONLD = ("json-ld", ".jsonld", "JSON-LD", ("jsonld",))
    RDFXML = ("xml", ".rdf", "RDF/XML", ("rdfxml", "rdf/xml", "rdf"))

    @property
    def rdflib_name(self) -> str:
        return self.value[0]

    @property
    def extension(self) -> str:
        return self.value[1]

    @property
    def label(self) -> str:
        """The syntax's usual name, for messages (``Turtle``, ``RDF/XML``)."""
        return self.value[2]

    @property
    def names(self) -> tuple[str, ...]:
        """What `--format` accepts for it: the member's name in lower case first, then the aliases."""
        return (self.name.lower(), self.rdflib_name, *self.value[3])

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
        raise ValueError(f"{path}: unknown RDF format {suffix or '(no extension)'!r}; use one of {known} "
                         "(or say which with --format)")

    @classmethod
    def from_name(cls, name: str) -> RdfFormat:
        """The syntax called ``name`` (``turtle``, ``ttl``, ``nt``, ``rdfxml``...; case ignored)."""
        wanted = name.strip().lower()
        for fmt in cls:
            if wanted in fmt.names:
                return fmt
        raise ValueError(f"unknown RDF format {name!r}; use one of {', '.join(f.name.lower() for f in cls)}")


STDIO = "-"  # as a file name: standard input, or standard output


def is_stdio(path: str | os.PathLike | None) -> bool:
    """Whether ``path`` is ``-``: standard input to a reader, standard output to a writer."""
    return path is not None and os.fspath(path) == STDIO


class GraphSyntaxError(ValueError):
    """A graph that does not parse: the message names the file (``source``), the line when known
    (``line``, 1-based) and the problem (``problem``), on one line."""

    def __init__(self, source: str, fmt: RdfFormat, problem: str, *, line: int | None = None,
                 column: int | None = None):
        where = f"line {line}" + (f", column {column}" if column else "") + ": " if line else ""
        super().__init__(f"{source}: {where}not valid {fmt.label}: {problem}")
        self.source, self.format, self.problem, self.line, self.column = source, fmt, problem, line, column


# The named graph of a build (docs: README "Named graphs"): TriG and N-Quads exports put their triples
# there, `kg load` loads a triple file there and `kg query --store/--endpoint` reads it by default.
BUILD_GRAPH = "https://w3id.org/diplomacy-kg/graph/build"


@lru_cache(maxsize=1)
def jsonld_context() -> dict:
    """The published JSON-LD context of the dip: vocabulary (ontology/context.jsonld)."""
    return json.loads(ontology_file("context.jsonld").read_text(encoding="utf-8"))["@context"]


def _integer_terms(context: dict) -> frozenset[str]:
    """The terms of ``context`` whose values are coerced to an integer datatype."""
    integers = {"xsd:integer", "xsd:nonNegativeInteger", str(XSD.integer), str(XSD.nonNegativeInteger)}
    return frozenset(term for term, definition in context.items()
                     if isinstance(definition, dict) and definition.get("@type") in integers)


_CANONICAL_INTEGER = re.compile(r"-?(?:0|[1-9][0-9]*)")


def _native(node, integer_terms: frozenset[str]):
    """A compacted JSON-LD document with the values of integer terms as JSON numbers (rdflib leaves the
    values of a term with a datatype as strings), and the nodes and values of lists in a stable order."""
    if isinstance(node, list):
        items = [_native(item, integer_terms) for item in node]
        return sorted(items, key=lambda item: json.dumps(item, sort_keys=True, ensure_ascii=False))
    if not isinstance(node, dict):
        return node
    out = {}
    for key, value in node.items():
        if key == "@context":
            out[key] = value
            continue
        value = _native(value, integer_terms)
        if key in integer_terms:
            value = [_as_number(v) for v in value] if isinstance(value, list) else _as_number(value)
        out[key] = value
    return out


def _as_number(value):
    # only canonical forms: "007" read back from the number 7 would not be the same literal
    return int(value) if isinstance(value, str) and _CANONICAL_INTEGER.fullmatch(value) else value


def _write_jsonld(g: Graph, out: BinaryIO) -> None:
    """JSON-LD compacted with the published context (written inline, so the file reads offline): JSON
    booleans and numbers for booleans and integers, the strings of the article's language untagged
    (the context's @language), in a stable order. Decimals stay strings: a JSON number with a fraction
    reads back as an xsd:double, not the same literal."""
    context = jsonld_context()
    doc = json.loads(g.serialize(format="json-ld", context=context))
    doc["@context"] = context
    doc = _native(doc, _integer_terms(context))
    out.write((json.dumps(doc, indent=2, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8"))


def _new_file_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def write_graph(g: Graph | Triples, path: Path | str, *, fmt: RdfFormat | None = None,
                graph_name: str = BUILD_GRAPH) -> None:
    """Serialise a graph (or the builder's triples) to ``path`` through a temporary file, so a crash
    never leaves half a file (see atomic_output; raises WriteError); ``-`` is standard output.

    ``fmt`` defaults to the one of the extension (Turtle for standard output). Turtle, N-Triples and
    RDF/XML are sorted, so one graph always gives the same bytes. JSON-LD is compacted with the
    published context, written inline so the file reads offline. TriG and N-Quads put the triples in
    the named graph ``graph_name`` (a Dataset given as it is keeps its own graphs).
    """
    fmt = fmt or (RdfFormat.TURTLE if is_stdio(path) else RdfFormat.from_extension(path))
    with _output(Path(path)) as out:
        if fmt in _SORTED:
            _write_sorted(g, fmt, out)
            return
        graph = g if isinstance(g, Graph) else graph_of(g)
        if fmt.is_dataset and not graph.context_aware:  # rdflib writes N-Quads only from a Dataset
            graph = _as_dataset(graph, graph_name)
        if fmt is RdfFormat.JSONLD:
            _write_jsonld(graph, out)
        else:
            graph.serialize(destination=out, format=fmt.rdflib_name, encoding="utf-8")


@contextmanager
def _output(path: Path) -> Iterator[BinaryIO]:
    """Standard output for ``-`` (flushed at the end), else an atomic_output."""
    if not is_stdio(path):
        with atomic_output(path) as out:
            yield out
        return
    out = sys.stdout.buffer
    yield out
    out.flush()


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
_TURTLE_PREFIXES = ("rdf", "rdfs", "xsd", "owl", "skos", "dip", "prov", "schema", "org", "nif", "void", "dcat",
                    "dcterms", "wd", "wdt")
_STANDARD_PREFIXES = {p: str(ns) for p, ns in Graph().namespaces() if p in _TURTLE_PREFIXES} | {
    p: str(ns) for p, ns in PREFIXES.items()}
# Written by pyoxigraph from sorted triples: deterministic, and faster than rdflib's writers.
_SORTED = {RdfFormat.TURTLE: ox.RdfFormat.TURTLE, RdfFormat.NTRIPLES: ox.RdfFormat.N_TRIPLES,
           RdfFormat.RDFXML: ox.RdfFormat.RDF_XML}
# Characters XML 1.0 cannot hold, even escaped: the C0 controls but tab and line ends, and U+FFFE/FFFF.
_NOT_XML = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]|\xef\xbf[\xbe\xbf]")


def _write_sorted(g: Graph | Triples, fmt: RdfFormat, out: BinaryIO) -> None:
    """Write the triples in N-Triples order (so subjects group in Turtle) to ``out`` with pyoxigraph."""
    if isinstance(g, Graph):
        # split on "\n" only: a literal may hold other line separators (form feed, U+2028) unescaped
        lines = sorted(set(g.serialize(format="nt", encoding="utf-8").decode("utf-8").split("\n")) - {""})
        ntriples: bytes | BinaryIO = ("\n".join(lines) + "\n").encode("utf-8")
        bound = {prefix: str(ns) for prefix, ns in g.namespaces()}
    else:
        ntriples, bound = g.reader(), _STANDARD_PREFIXES
    triples = ox.parse(ntriples, format=ox.RdfFormat.N_TRIPLES)
    prefixes = {p: bound[p] for p in _TURTLE_PREFIXES if p in bound} if fmt is not RdfFormat.NTRIPLES else {}
    if fmt is RdfFormat.RDFXML:
        out.write(_xml_safe(ox.serialize(triples, format=_SORTED[fmt], prefixes=prefixes) or b""))
        return
    ox.serialize(triples, out, format=_SORTED[fmt], prefixes=prefixes)


def _xml_safe(data: bytes) -> bytes:
    """RDF/XML that every XML parser reads back as written: a carriage return in a literal as ``&#13;``
    (a parser turns a raw one into a line feed); ValueError for a character XML cannot hold at all."""
    if bad := _NOT_XML.search(data):
        char = bad.group().decode("utf-8")
        line = data.count(b"\n", 0, bad.start()) + 1
        raise ValueError(f"RDF/XML cannot hold the character U+{ord(char):04X} (in a literal, line {line} of "
                         "the RDF/XML); write Turtle, N-Triples or JSON-LD instead")
    return data.replace(b"\r", b"&#13;")


def read_graph(path: Path | str, *, fmt: RdfFormat | None = None) -> Graph:
    """Parse an RDF file; ``-`` is standard input.

    ``fmt`` defaults to the one of the extension (Turtle for standard input, which N-Triples also
    is). A file that does not parse raises GraphSyntaxError (a ValueError) naming it, the line and
    the problem.
    """
    if is_stdio(path):
        return _read_data(sys.stdin.buffer.read(), fmt or RdfFormat.TURTLE, source="<stdin>")
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such file")
    fmt = fmt or RdfFormat.from_extension(path)
    with _no_cyclic_gc():
        if fmt is RdfFormat.NTRIPLES and (g := _read_ntriples(path)) is not None:
            return g
        try:
            return _read_rdflib(path, fmt)
        except (OSError, MemoryError, RecursionError):
            raise
        except Exception as err:  # rdflib's parsers raise errors of many kinds on bad input
            raise _syntax_error(str(path), fmt, err, lambda: ox.parse(path=path, format=_OX[fmt])) from None


def _read_data(data: bytes, fmt: RdfFormat, *, source: str) -> Graph:
    """Parse RDF held in memory (what came on standard input); ``source`` names it in errors."""
    with _no_cyclic_gc():
        try:
            return _read_rdflib(data, fmt)
        except (MemoryError, RecursionError):
            raise
        except Exception as err:
            raise _syntax_error(source, fmt, err, lambda: ox.parse(data, format=_OX[fmt])) from None


_OX = {RdfFormat.TURTLE: ox.RdfFormat.TURTLE, RdfFormat.TRIG: ox.RdfFormat.TRIG,
       RdfFormat.NQUADS: ox.RdfFormat.N_QUADS, RdfFormat.NTRIPLES: ox.RdfFormat.N_TRIPLES,
       RdfFormat.JSONLD: ox.RdfFormat.JSON_LD, RdfFormat.RDFXML: ox.RdfFormat.RDF_XML}
_OX_PREFIX = re.compile(r"^Parser error (?:at|between) line \d+ column \d+(?: and line \d+ column \d+)?: ")


def _syntax_error(source: str, fmt: RdfFormat, err: Exception, reparse) -> GraphSyntaxError:
    """One line for rdflib's parse error ``err``: where and why, from rdflib when its error says
    where, else from pyoxigraph's parser (``reparse``), whose errors always do."""
    if isinstance(err, SAXParseException):
        return GraphSyntaxError(source, fmt, err.getMessage(), line=err.getLineNumber(),
                                column=(err.getColumnNumber() or 0) + 1)
    if isinstance(err, json.JSONDecodeError):
        return GraphSyntaxError(source, fmt, err.msg, line=err.lineno, column=err.colno)
    lines, why = getattr(err, "lines", None), getattr(err, "_why", None)  # rdflib's Turtle and TriG parsers
    if isinstance(lines, int) and why:
        return GraphSyntaxError(source, fmt, str(why), line=lines + 1)
    try:
        for _ in reparse():
            pass
    except SyntaxError as ox_err:
        return GraphSyntaxError(source, fmt, _OX_PREFIX.sub("", ox_err.msg or str(ox_err)),
                                line=ox_err.lineno, column=ox_err.offset)
    except (ValueError, OSError):
        pass
    else:  # RDF 1.2 (triple terms, text directions), or another spelling only pyoxigraph reads
        return GraphSyntaxError(source, fmt, f"{' '.join(str(err).split())} (pyoxigraph reads it; rdflib does not)")
    return GraphSyntaxError(source, fmt, " ".join(str(err).split()) or type(err).__name__)


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


_Term = URIRef | BNode | Literal


def _rdflib_term(t: ox.NamedNode | ox.BlankNode | ox.Literal) -> _Term:
    """The term rdflib's N-Triples parser makes for ``t`` (a new BNode for each blank node label)."""
    if isinstance(t, ox.NamedNode):
        return URIRef(t.value)
    if isinstance(t, ox.BlankNode):
        return BNode()
    if isinstance(t, ox.Literal) and t.direction is None:
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
    g = Graph()
    terms: dict[object, _Term] = {}
    batch: list[tuple[_Term, _Term, _Term, Graph]] = []
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
            batch.append((spo[0], spo[1], spo[2], g))
            if len(batch) == _BATCH:
                g.addN(batch)
                batch.clear()
    except (SyntaxError, _NotForRdflib):
        return None
    g.addN(batch)
    return g


def _read_rdflib(source: Path | bytes, fmt: RdfFormat) -> Graph:
    where = {"data": source} if isinstance(source, bytes) else {"source": source}
    if not fmt.is_dataset:
        return Graph().parse(format=fmt.rdflib_name, **where)
    # Graph.parse keeps only a TriG file's named graphs; read all and merge them into one graph
    ds = Dataset()
    ds.parse(format=fmt.rdflib_name, **where)
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
