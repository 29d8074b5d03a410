"""RDF serialisation formats and atomic writing of output files."""
from __future__ import annotations

import os
import tempfile
from enum import Enum
from pathlib import Path

from rdflib import Graph


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

    @classmethod
    def from_extension(cls, path: str | Path) -> "RdfFormat":
        suffix = Path(path).suffix.lower()
        for fmt in cls:
            if fmt.extension == suffix:
                return fmt
        known = ", ".join(f.extension for f in cls)
        raise ValueError(f"{path}: unknown RDF format {suffix or '(no extension)'!r}; use one of {known}")


def write_graph(g: Graph, path: Path, *, fmt: RdfFormat | None = None) -> None:
    """Serialise ``g`` to ``path`` through a temporary file, so a crash never leaves half a file."""
    fmt = fmt or RdfFormat.from_extension(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            g.serialize(destination=out, format=fmt.rdflib_name, encoding="utf-8")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def read_graph(path: Path) -> Graph:
    """Parse an RDF file whose format is given by its extension."""
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such file")
    g = Graph()
    g.parse(path, format=RdfFormat.from_extension(path).rdflib_name)
    return g
