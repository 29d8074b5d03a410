"""The only place that turns records into RDF triples.

Triples are written straight to N-Triples lines: building rdflib terms and adding them to a Graph
cost more than the rest of the build after parsing. Formats and the stores read the lines through
pyoxigraph, the build summary counts them (kg/stats.py); ``graph_of`` gives an rdflib Graph to those
who want one.
"""
from __future__ import annotations

import fcntl
import heapq
import io
import itertools
import os
import shutil
import tempfile
import weakref
from collections.abc import Iterable, Iterator
from decimal import Decimal
from enum import Enum
from itertools import combinations
from pathlib import Path

from rdflib import RDF, RDFS, XSD, Graph, URIRef
from rdflib.namespace import SKOS

from kg.graph import iri
from kg.graph.resolve import Corpus
from kg.graph.vocab import DIP, ID
from kg.lang.names import fold
from kg.records import Article, EntityType, Evidence, Mandate, Meeting, Position, Statement

_CLASS = {t.value: DIP[t.value] for t in EntityType}
# Prefixes a built graph is bound to (rdflib's own rdf, rdfs, xsd, owl come with every Graph).
PREFIXES = {"dip": DIP._NS, "skos": SKOS._NS, "id": ID}
# Looked up once: rdflib checks every attribute access on its namespaces (RDF.type, XSD.date...).
_TYPE, _LABEL, _ALT_LABEL = RDF.type, RDFS.label, SKOS.altLabel
_BOOLEAN, _STRING, _DATE, _DECIMAL = XSD.boolean, XSD.string, XSD.date, XSD.decimal
_ANY_URI, _NON_NEGATIVE = XSD.anyURI, XSD.nonNegativeInteger
# The characters N-Triples must escape in a string (canonical N-Triples escapes no others).
_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})


class Keep(Enum):
    """Which value of a single-valued property stays when articles report several: the least or the
    greatest in N-Triples order, so that it does not depend on the order of the articles."""

    LEAST = "least"
    GREATEST = "greatest"


# Lines held in memory before they are sorted into a run file: what bounds the builder's memory.
SPILL_LINES = 200_000
# The properties of a fact with one value although several articles report it: the words of a
# statement (any one spelling of them), whether any article quoted them, the best confidence
# ("true" sorts after "false", and confidences, in [0, 1], sort as their decimal forms do).
SINGLE = {DIP.content: Keep.LEAST, DIP.quoted: Keep.GREATEST, DIP.confidence: Keep.GREATEST}


class Triples:
    """A set of triples held as canonical N-Triples lines (a fact reported twice is one line).

    Past ``spill`` lines, the lines so far go sorted into a temporary run file, so that a build of
    any size holds at most that many in memory; reading merges the runs. ``single`` names the
    properties with one value per subject, of which only the value ``Keep`` says is read back.
    """

    def __init__(self, *, single: dict[URIRef, Keep] | None = None, spill: int = SPILL_LINES) -> None:
        self.lines: set[str] = set()
        self.single = {f"<{p}>": keep for p, keep in (single or {}).items()}
        self.spill = spill
        self._runs: list[Path] = []
        self._folder: tempfile.TemporaryDirectory | None = None  # deleted with the Triples
        self._count: int | None = None

    def __len__(self) -> int:
        if self._count is None:
            self._count = sum(1 for _ in self)
        return self._count

    def __bool__(self) -> bool:
        return bool(self.lines or self._runs)

    def __iter__(self) -> Iterator[str]:
        """The lines (without line ends) in sorted order, each once."""
        if not self._runs:
            return self._distinct(sorted(self.lines))
        if len(self._runs) > 1 or self.lines:  # merge everything into one run, read from then on
            runs, self._runs = self._runs, []
            self._count = self._write_run(self._distinct(heapq.merge(*map(_read_run, runs), sorted(self.lines))))
            self.lines = set()
            for run in runs:
                run.unlink()
        return _read_run(self._runs[0])

    def link(self, s: URIRef, p: URIRef, o: URIRef) -> None:
        """Add a triple whose object is a resource."""
        self._add(f"<{s}> <{p}> <{o}> .")

    def value(self, s: URIRef, p: URIRef, value: str | bool | int | Decimal, datatype: URIRef | None = None) -> None:
        """Add a triple whose object is a literal: a string (typed by ``datatype`` if given), a boolean,
        or a number with its ``datatype``."""
        if isinstance(value, bool):
            lexical, datatype = ("true" if value else "false"), _BOOLEAN
        else:
            lexical = str(value)
            if '"' in lexical or "\\" in lexical or "\n" in lexical or "\r" in lexical:
                lexical = lexical.translate(_ESCAPES)
        typed = f"^^<{datatype}>" if datatype is not None and datatype != _STRING else ""
        self._add(f'<{s}> <{p}> "{lexical}"{typed} .')

    def _add(self, line: str) -> None:
        self.lines.add(line)
        self._count = None
        if len(self.lines) >= self.spill:
            # picking a single value within each run first leaves the same pick over all runs
            self._write_run(self._distinct(sorted(self.lines)))
            self.lines = set()

    def _write_run(self, lines: Iterable[str]) -> int:
        """Write sorted ``lines`` to a new run file; returns how many there were."""
        if self._folder is None:
            self._folder = _run_folder()
        path = Path(self._folder.name) / f"run{next(_RUN_NUMBERS)}.nt"
        count = 0
        with path.open("w", encoding="utf-8", newline="\n") as out:
            for count, line in enumerate(lines, 1):  # noqa: B007 (the count is the result)
                out.write(line + "\n")
        self._runs.append(path)
        return count

    def _distinct(self, lines: Iterable[str]) -> Iterator[str]:
        """Sorted ``lines`` each once, and of each single-valued property only the value to keep (the
        values of one subject and property follow each other in sorted order)."""
        last = held = prefix = keep = None
        for line in lines:
            if line == last:
                continue
            last = line
            if held is not None:
                if line.startswith(prefix):  # another value of the held property
                    if keep is Keep.GREATEST:
                        held = line
                    continue
                yield held
                held = None
            if self.single:
                s, p, _ = line.split(" ", 2)
                keep = self.single.get(p)
                if keep is not None:
                    held, prefix = line, f"{s} {p} "
                    continue
            yield line
        if held is not None:
            yield held

    def ntriples(self) -> bytes:
        """The triples as sorted N-Triples: the same set always gives the same bytes."""
        return "".join(line + "\n" for line in self).encode("utf-8")

    def reader(self) -> io.BufferedReader:
        """The bytes of ``ntriples()`` as a stream, made as they are read: no second copy of a big
        graph in memory while pyoxigraph parses it."""
        return io.BufferedReader(_LineStream(iter(self)), buffer_size=1 << 16)


_RUN_NUMBERS = itertools.count()


def _read_run(path: Path) -> Iterator[str]:
    with path.open(encoding="utf-8", newline="\n") as lines:  # only "\n" ends a line
        for line in lines:
            yield line[:-1]


class _LineStream(io.RawIOBase):
    """A readable stream of lines (each given without its line end)."""

    def __init__(self, lines: Iterator[str]) -> None:
        self.lines, self.pending = lines, b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if not self.pending:
            self.pending = "".join(line + "\n" for line in itertools.islice(self.lines, 1024)).encode("utf-8")
        n = min(len(buffer), len(self.pending))
        buffer[:n] = self.pending[:n]
        self.pending = self.pending[n:]
        return n


def new_graph() -> Graph:
    g = Graph()
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns)
    return g


def graph_of(triples: Triples) -> Graph:
    """An rdflib Graph holding ``triples``, with the builder's prefixes."""
    return new_graph().parse(data=triples.ntriples(), format="nt")


class _Mapper:
    def __init__(self, corpus: Corpus, *, spill: int):
        self.corpus = corpus
        self.triples = Triples(single=SINGLE, spill=spill)
        labels = {gid: (e.type.value, e.label) for gid, e in corpus.entities.items()}
        slugs = iri.entity_slugs(labels)
        self.entity_iri = {gid: iri.entity_iri(e.type.value, slugs[gid]) for gid, e in corpus.entities.items()}

    def run(self) -> Triples:
        for doc in self.corpus.docs:
            self.article(doc.article)
        for gid, ent in sorted(self.corpus.entities.items()):
            self.entity(gid, ent)
        for doc in self.corpus.docs:
            for fact in doc.facts:
                self.fact(doc.article, fact)
        return self.triples

    def ref(self, doc_id: str, key: str | None) -> URIRef | None:
        if key is None:
            return None
        return self.entity_iri[self.corpus.key_map[(doc_id, key)]]

    def article(self, art: Article) -> None:
        t, node = self.triples, iri.article_iri(art.doc_id)
        t.link(node, _TYPE, DIP.Article)
        t.value(node, DIP.fileName, art.file_name)
        t.value(node, DIP.contentHash, art.content_hash)
        t.value(node, DIP.language, art.language)
        if art.title:
            t.value(node, DIP.title, art.title)
        if art.url:
            t.value(node, DIP.sourceURL, art.url, _ANY_URI)
        if art.date:
            t.value(node, DIP.datePublished, art.date, _DATE)

    def entity(self, gid: str, ent) -> None:
        t, node = self.triples, self.entity_iri[gid]
        t.link(node, _TYPE, _CLASS[ent.type.value])
        t.value(node, _LABEL, ent.label)
        for alt in ent.alt_labels:
            t.value(node, _ALT_LABEL, alt)
        for doc_id in ent.articles:
            t.link(node, DIP.mentionedIn, iri.article_iri(doc_id))
        if ent.part_of:
            t.link(node, DIP.partOf, self.entity_iri[ent.part_of])

    def evidence(self, fact: URIRef, art: Article, ev: Evidence) -> None:
        t = self.triples
        node = iri.fact_iri("evidence", str(fact), art.doc_id, str(ev.start), str(ev.end), ev.rule)
        t.link(fact, DIP.evidence, node)
        t.link(node, _TYPE, DIP.Evidence)
        t.link(node, DIP.article, iri.article_iri(art.doc_id))
        t.value(node, DIP.sentence, ev.sentence)
        t.value(node, DIP.beginIndex, ev.start, _NON_NEGATIVE)
        t.value(node, DIP.endIndex, ev.end, _NON_NEGATIVE)
        t.value(node, DIP.rule, ev.rule)
        # One sentence may give the same fact twice by one rule (a name, then a pronoun): the best stays.
        t.value(node, DIP.confidence, Decimal(str(round(ev.confidence, 2))), _DECIMAL)

    def fact(self, art: Article, fact) -> None:
        t, ref = self.triples, (lambda key: self.ref(art.doc_id, key))
        if isinstance(fact, Statement):
            speaker = ref(fact.speaker)
            # Keyed on content, not article: the same words reported by several articles are one fact.
            node = iri.fact_iri("statement", str(speaker), fold(fact.content))
            t.link(speaker, DIP.stated, node)
            t.link(node, _TYPE, DIP.Statement)
            t.value(node, DIP.content, fact.content)
            t.value(node, DIP.quoted, fact.quoted)  # quoted by any article: the speaker's own words
        elif isinstance(fact, Meeting):
            people = sorted({ref(k) for k in fact.participants})
            if len(people) < 2:
                return
            node = iri.fact_iri("meeting", *map(str, people), str(fact.planned))
            t.link(node, _TYPE, DIP.Meeting)
            t.value(node, DIP.planned, fact.planned)
            for p in people:
                t.link(node, DIP.participant, p)
            if not fact.planned:
                for a, b in combinations(people, 2):
                    t.link(a, DIP.metWith, b)
                    t.link(b, DIP.metWith, a)
            if fact.place:
                t.link(node, DIP.location, ref(fact.place))
            if fact.date:
                t.value(node, DIP.date, fact.date, _DATE)
        elif isinstance(fact, Mandate):
            envoy, principal = ref(fact.envoy), ref(fact.principal)
            if envoy == principal:
                return
            node = iri.fact_iri("mandate", str(envoy), str(principal))
            t.link(node, _TYPE, DIP.Mandate)
            t.link(node, DIP.envoy, envoy)
            t.link(node, DIP.principal, principal)
            t.value(node, DIP.title, fact.title)
            t.link(envoy, DIP.envoyOf, principal)
        elif isinstance(fact, Position):
            holder, org = ref(fact.holder), ref(fact.org)
            node = iri.fact_iri("position", str(holder), str(org or ""), fold(fact.title))
            t.link(node, _TYPE, DIP.Position)
            t.link(node, DIP.holder, holder)
            t.value(node, DIP.title, fact.title)
            t.link(holder, DIP.holdsPosition, node)
            if org is not None:
                t.link(node, DIP.positionIn, org)
        else:
            raise TypeError(f"mapping: unknown record type {type(fact).__name__}")
        self.evidence(node, art, fact.evidence)


def to_triples(corpus: Corpus, *, spill: int = SPILL_LINES) -> Triples:
    """The triples of a resolved corpus: articles, entities, facts and their evidence (at most
    ``spill`` lines of them in memory)."""
    return _Mapper(corpus, spill=spill).run()


def to_graph(corpus: Corpus) -> Graph:
    """RDF graph of a resolved corpus: articles, entities, facts and their evidence."""
    return graph_of(to_triples(corpus))


_RUNS_PREFIX = "kg-triples-"
_LOCK_NAME = "in-use"


def _run_folder() -> tempfile.TemporaryDirectory:
    """A new folder for run files, locked while it is in use; the folders of killed builds (whose lock
    died with them) are removed first, so that they do not fill the temporary folder."""
    root = Path(tempfile.gettempdir())
    for stale in root.glob(f"{_RUNS_PREFIX}*"):
        if stale.is_dir() and not stale.is_symlink() and _unlocked(stale / _LOCK_NAME):
            shutil.rmtree(stale, ignore_errors=True)
    folder = tempfile.TemporaryDirectory(prefix=_RUNS_PREFIX)
    fd = os.open(Path(folder.name) / _LOCK_NAME, os.O_WRONLY | os.O_CREAT | os.O_CLOEXEC, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX)  # released by the kernel when this process ends, however it ends
    weakref.finalize(folder, os.close, fd)  # the lock lives as long as the folder object
    return folder


def _unlocked(lock: Path) -> bool:
    """Whether no live process holds ``lock`` (a folder without one is another program's: kept)."""
    try:
        fd = os.open(lock, os.O_RDONLY | os.O_CLOEXEC | os.O_NOFOLLOW)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except OSError:
        return False
    finally:
        os.close(fd)

