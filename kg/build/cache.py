"""Persistent build state: the records of every article analysed, keyed by content hash.

A build directory holds ``build.json`` (format, extractor version, and which file each member
article came from) and ``docs/<sha256>.json``, one ``DocResult`` per article content. Adding
articles analyses only those whose content is not cached for the current extractor version;
resolution and mapping then re-run over every member, so the graph equals a full rebuild.
Every file is written through a temporary file and ``os.replace``, so a crash never leaves half
a file; a lock keeps two builds from updating one directory at once.
"""
from __future__ import annotations

import dataclasses
import fcntl
import hashlib
import json
import os
import tempfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import IO

from kg.build.codec import from_json, to_json
from kg.records import Article, DocResult

FORMAT = 1
STATE_FILE = "build.json"
DOCS_DIR = "docs"

_UMASK = os.umask(0)
os.umask(_UMASK)

# What decides the records of an article, as files of the kg package: the extractors, the language
# helpers they use, the reading of input files (with the blanking of page chrome before analysis in
# pipeline.body_text), resolution, the records and their JSON form, the patterns and lexicons.
# (Mapping records to RDF is not here: it re-runs on every build.)
KEY_SOURCES = ("extract/*.py", "lang/*.py", "input/*.py", "build/pipeline.py", "graph/resolve.py",
               "records.py", "build/codec.py", "resources/fr/**/*")


def package_root() -> Path:
    """The folder of the kg package (a checkout's kg/ or an installed one)."""
    return Path(__file__).resolve().parents[1]


def extractor_files(root: Path | None = None) -> list[Path]:
    """The files whose bytes decide the records: extraction code, patterns and lexicons, input handling."""
    root = root or package_root()
    return [path for pattern in KEY_SOURCES for path in sorted(root.glob(pattern))
            if path.is_file() and "__pycache__" not in path.parts]


def cache_key(root: Path, *, model: str, versions: Mapping[str, str]) -> str:
    """The key of cached records: a hash of the files of ``root`` that decide them (``KEY_SOURCES``),
    the spaCy model's name and the ``versions`` of the packages that run (spaCy, the model, ours)."""
    h = hashlib.sha256(f"model={model}\0".encode())
    for path in extractor_files(root):
        h.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    for dist in sorted(versions):
        h.update(f"{dist}={versions[dist]}\0".encode())
    return "sha256:" + h.hexdigest()[:32]


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "?"


@cache
def extractor_version() -> str:
    """The cache key of this installation: its sources, its spaCy model and the installed versions."""
    from kg.extract.nlp import MODEL

    dists = ("diplomacy-kg", "spacy", MODEL.replace("_", "-"))
    return cache_key(package_root(), model=MODEL, versions={d: _version(d) for d in dists})


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp makes private files; cache files are ordinary ones
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _dumps(obj) -> bytes:
    return json.dumps(obj, ensure_ascii=False, sort_keys=True, indent=1).encode("utf-8")


# --- the build state ------------------------------------------------------------------------

@dataclass
class BuildReport:
    """What one update did, by file name."""

    analysed: list[str] = field(default_factory=list)  # new, changed or stale: ran the extractors
    cached: list[str] = field(default_factory=list)  # records reused from the cache
    unchanged: list[str] = field(default_factory=list)  # already a member with the same content
    replaced: list[str] = field(default_factory=list)  # a member whose file now has other content


Analyze = Callable[[list[Article]], list[DocResult]]


class BuildState:
    """A build directory: member articles (doc id -> content hash, metadata) and cached records.

    Records depend only on an article's text and body, so one cache entry per content serves
    every file with that content; the member entry keeps each file's own metadata.
    """

    def __init__(self, root: Path, *, extractor: str):
        self.root = Path(root)
        self.extractor = extractor
        self.members: dict[str, dict] = {}  # doc_id -> {"hash": ..., "article": Article JSON without text}
        self._lock: IO[str] | None = None

    @classmethod
    def open(cls, root: Path, *, extractor: str) -> BuildState:
        """Open (creating it if needed) and lock the build directory ``root``."""
        state = cls(root, extractor=extractor)
        if state.root.exists() and not state.root.is_dir():
            raise ValueError(f"{state.root}: not a directory (kg build --into needs a build directory)")
        path = state.root / STATE_FILE
        if state.root.is_dir() and not path.exists() and any(
                p.name not in (".lock", DOCS_DIR) for p in state.root.iterdir()):
            raise ValueError(f"{state.root}: not a build directory (no {STATE_FILE}) and not empty")
        state.root.mkdir(parents=True, exist_ok=True)
        state._lock = open(state.root / ".lock", "w")  # noqa: SIM115 (held until close())
        fcntl.flock(state._lock, fcntl.LOCK_EX)
        if path.exists():
            try:
                saved = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError) as err:
                state.close()
                raise ValueError(f"{path}: unreadable build state: {err}") from err
            if saved.get("format") != FORMAT:
                state.close()
                raise ValueError(f"{path}: build state format {saved.get('format')!r}, expected {FORMAT}")
            state.members = saved["articles"]
        return state

    def close(self) -> None:
        if self._lock is not None:
            self._lock.close()
            self._lock = None

    def __enter__(self) -> BuildState:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _doc_path(self, content_hash: str) -> Path:
        return self.root / DOCS_DIR / (content_hash.removeprefix("sha256:") + ".json")

    def _entry(self, content_hash: str) -> dict | None:
        path = self._doc_path(content_hash)
        if not path.exists():
            return None
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as err:
            raise ValueError(f"{path}: unreadable cache entry: {err}") from err

    def cached(self, article: Article) -> DocResult | None:
        """The records of ``article`` if its content was analysed by the current extractor."""
        entry = self._entry(article.content_hash)
        if entry is None or entry.get("extractor") != self.extractor:
            return None
        try:
            result = from_json(entry["result"])
        except (ValueError, KeyError, TypeError) as err:
            raise ValueError(f"{self._doc_path(article.content_hash)}: unreadable cache entry: {err}") from err
        if (result.article.text, result.article.body) != (article.text, article.body):
            return None  # the same bytes read differently (input handling changed): analyse again
        return dataclasses.replace(result, article=article)

    def store(self, result: DocResult) -> None:
        """Cache the records of one article (atomically)."""
        entry = {"extractor": self.extractor, "result": to_json(result)}
        _write_atomic(self._doc_path(result.article.content_hash), _dumps(entry))

    def _save(self) -> None:
        state = {"format": FORMAT, "extractor": self.extractor, "articles": self.members}
        _write_atomic(self.root / STATE_FILE, _dumps(state))

    def member_article(self, doc_id: str) -> Article:
        """The article of a member, its text read back from the cache."""
        member = self.members[doc_id]
        entry = self._entry(member["hash"])
        if entry is None:
            raise ValueError(f"{self._doc_path(member['hash'])}: missing cache entry of {doc_id}")
        fields = dict(member["article"], text=entry["result"]["article"]["text"])
        return from_json(fields)

    def update(self, articles: Iterable[Article], *, analyze: Analyze) -> BuildReport:
        """Make ``articles`` members, analysing only content not cached for this extractor.

        Members not given again are re-analysed too when their records predate the extractor.
        """
        report = BuildReport()
        given: dict[str, Article] = {}
        was_member: set[str] = set()
        for art in articles:
            old = self.members.get(art.doc_id)
            if old and old["hash"] != art.content_hash:
                report.replaced.append(art.file_name)
            elif old:
                was_member.add(art.doc_id)
            given[art.doc_id] = art
            meta = to_json(art)
            del meta["text"]  # kept once, in the cache entry of the content
            self.members[art.doc_id] = {"hash": art.content_hash, "article": meta}
        todo: list[Article] = []
        for doc_id in sorted(self.members):
            art = given.get(doc_id) or self.member_article(doc_id)
            if self.cached(art) is None:
                todo.append(art)
            elif doc_id in was_member:
                report.unchanged.append(art.file_name)
            elif doc_id in given:
                report.cached.append(art.file_name)
        for result in analyze(todo):
            self.store(result)
            report.analysed.append(result.article.file_name)
        self._save()
        return report

    def results(self) -> list[DocResult]:
        """The records of every member article, sorted by doc id."""
        out = []
        for doc_id in sorted(self.members):
            art = self.member_article(doc_id)
            result = self.cached(art)
            if result is None:
                raise ValueError(f"{self._doc_path(art.content_hash)}: no current records of {art.file_name}")
            out.append(result)
        return out
