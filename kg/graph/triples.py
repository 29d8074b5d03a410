"""A set of triples as canonical N-Triples lines, spilled to sorted run files past a size.

mapping.py writes the graph of a build into one; formats.py, the stores and the build summary read
its lines back in sorted order (each once), so that a build of any size holds a bounded number of
lines in memory and the same set always gives the same bytes.
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
from pathlib import Path

from rdflib import XSD, URIRef

_BOOLEAN, _STRING = XSD.boolean, XSD.string
# The characters N-Triples must escape in a string (canonical N-Triples escapes no others).
_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})


class Keep(Enum):
    """Which value of a single-valued property stays when articles report several: the least or the
    greatest in N-Triples order, so that it does not depend on the order of the articles."""

    LEAST = "least"
    GREATEST = "greatest"


# Lines held in memory before they are sorted into a run file: what bounds the builder's memory.
SPILL_LINES = 200_000
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

    def value(self, s: URIRef, p: URIRef, value: str | bool | int | Decimal, datatype: URIRef | None = None,
              *, lang: str | None = None) -> None:
        """Add a triple whose object is a literal: a string (typed by ``datatype``, or tagged with the
        language ``lang``, if given), a boolean, or a number with its ``datatype``."""
        if isinstance(value, bool):
            lexical, datatype = ("true" if value else "false"), _BOOLEAN
        else:
            lexical = str(value)
            if '"' in lexical or "\\" in lexical or "\n" in lexical or "\r" in lexical:
                lexical = lexical.translate(_ESCAPES)
        if lang is not None:
            typed = f"@{lang}"
        else:
            typed = f"^^<{datatype}>" if datatype is not None and datatype != _STRING else ""
        self._add(f'<{s}> <{p}> "{lexical}"{typed} .')

    def update(self, other: Triples) -> None:
        """Add the lines of ``other``."""
        for line in other:
            self._add(line)

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
        last = held = keep = None
        prefix = ""
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

