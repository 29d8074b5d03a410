"""SHACL validation of a graph against ontology/shapes.ttl, with the ontology as ont_graph."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pyshacl
from rdflib import BNode, Graph, Literal
from rdflib.namespace import SH
from rdflib.term import Node

from kg.vocab import ID

ONTOLOGY_DIR = Path(__file__).resolve().parent.parent / "ontology"
SHAPES_NS = "https://w3id.org/diplomacy-kg/shapes#"


@dataclass(frozen=True)
class Violation:
    """One validation result; IRIs in full, the path as SPARQL-like text ("^dip:stated" for an inverse)."""

    shape: str
    focus: str
    path: str
    message: str
    severity: str
    value: str = ""


@dataclass(frozen=True)
class ValidationResult:
    conforms: bool
    violations: tuple[Violation, ...]
    report: Graph


def ontology_graph() -> Graph:
    """The OWL ontology, ontology/diplomacy.ttl (a fresh copy: callers may change it)."""
    g = Graph()
    g += _parsed(ONTOLOGY_DIR / "diplomacy.ttl")
    _bind(g, _parsed(ONTOLOGY_DIR / "diplomacy.ttl"))
    return g


def shapes_graph() -> Graph:
    """The SHACL shapes, ontology/shapes.ttl (a fresh copy)."""
    g = Graph()
    g += _parsed(ONTOLOGY_DIR / "shapes.ttl")
    _bind(g, _parsed(ONTOLOGY_DIR / "shapes.ttl"))
    return g


@lru_cache(maxsize=4)
def _parsed(path: Path) -> Graph:
    try:
        return Graph().parse(path, format="turtle")
    except Exception as err:  # rdflib raises several syntax error types
        raise ValueError(f"{path}: cannot parse Turtle: {err}") from err


def _bind(g: Graph, src: Graph) -> None:
    for prefix, ns in src.namespaces():
        g.bind(prefix, ns, replace=True)


def validate(g: Graph) -> ValidationResult:
    """Validate ``g`` with the shapes; the ontology is mixed in so sh:class follows rdfs:subClassOf."""
    # No RDFS inference: it would type every value of dip:envoy a dip:Person from the property's
    # range, so the shapes' sh:class checks could never fail (and it triples the run time).
    conforms, report, _ = pyshacl.validate(
        g, shacl_graph=shapes_graph(), ont_graph=ontology_graph(), inference="none", abort_on_first=False,
    )
    def text(node: Node | None, *, short: bool = False) -> str:
        if node is None:
            return ""
        if isinstance(node, BNode):
            inverse = report.value(node, SH.inversePath)
            return "^" + text(inverse, short=short) if inverse is not None else "[]"
        if isinstance(node, Literal):
            return node.n3() if short else str(node)
        return compact(str(node)) if short else str(node)

    violations = []
    for res in report.subjects(SH.resultSeverity, None):
        violations.append(Violation(
            text(report.value(res, SH.sourceShape)), text(report.value(res, SH.focusNode)),
            text(report.value(res, SH.resultPath), short=True), text(report.value(res, SH.resultMessage)),
            str(report.value(res, SH.resultSeverity)).rsplit("#", 1)[-1],
            text(report.value(res, SH.value), short=True)))
    violations.sort(key=lambda v: (v.shape, v.focus, v.path, v.message, v.value))
    return ValidationResult(bool(conforms), tuple(violations), report)


def compact(iri: str) -> str:
    """``iri`` as prefix:rest with the prefixes of the shapes file (and id: for resources)."""
    for prefix, ns in _prefixes():
        if iri.startswith(ns):
            return f"{prefix}:{iri[len(ns):]}"
    return iri


@lru_cache(maxsize=1)
def _prefixes() -> tuple[tuple[str, str], ...]:
    pairs = {str(ns): prefix for prefix, ns in _parsed(ONTOLOGY_DIR / "shapes.ttl").namespaces() if prefix}
    pairs[str(ID)] = "id"
    return tuple(sorted(((p, ns) for ns, p in pairs.items()), key=lambda pn: -len(pn[1])))


def format_text(result: ValidationResult) -> str:
    """A readable report: violations grouped by shape, each with its focus node, path and value."""
    if result.conforms:
        return "Conforms: yes (no violations)"
    lines = [f"Conforms: no ({len(result.violations)} violations)"]
    shape = None
    for v in result.violations:
        if v.shape != shape:
            shape = v.shape
            count = sum(1 for w in result.violations if w.shape == shape)
            lines.append(f"\n{compact(shape)} ({count}): {v.message}")
        where = f" {v.path}" if v.path else ""
        value = f" = {v.value}" if v.value else ""
        lines.append(f"  - {v.severity}: {compact(v.focus)}{where}{value}")
    return "\n".join(lines)
