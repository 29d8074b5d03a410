"""SHACL validation of a graph against ontology/shapes.ttl, on the data alone.

The shapes are self-contained (no inference, no ontology merged in: see shapes.ttl), so pyshacl here,
Jena's `shacl validate` or any other engine give the same verdict on the same file. A graph is validated
by one call of pyshacl's public ``pyshacl.validate``.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import pyshacl
from rdflib import BNode, Graph, Literal
from rdflib.namespace import SH
from rdflib.term import Node

from kg.checks.ontology import ontology_graph, shapes_graph
from kg.checks.ontology import parsed as _parsed
from kg.graph.vocab import ID

__all__ = ["SHAPES_NS", "ValidationResult", "Violation", "compact", "format_text", "ontology_graph", "shapes_graph",
           "validate"]

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


def validate(g: Graph) -> ValidationResult:
    """Validate ``g`` with the shapes, on the data alone (the shapes need no ontology nor inference): one
    call of pyshacl's public ``pyshacl.validate``.

    One call, not chunks in parallel processes: without the ontology merged in, chunking (which needed
    pyshacl's internals) took longer than the single call when measured side by side.
    """
    # No RDFS inference: it would type every value of dip:envoy a dip:Person from the property's
    # range, so the shapes' sh:class checks could never fail (and it triples the run time).
    conforms, report, _ = pyshacl.validate(g, shacl_graph=shapes_graph(), inference="none", abort_on_first=False)
    violations = [_violation(report, res) for res in report.subjects(SH.resultSeverity, None)]
    violations.sort(key=_order)
    return ValidationResult(bool(conforms), tuple(violations), report)


def _order(v: Violation) -> tuple:
    return (v.shape, v.focus, v.path, v.message, v.value)


def _violation(report: Graph, res: Node) -> Violation:
    def text(node: Node | None, *, short: bool = False) -> str:
        if node is None:
            return ""
        if isinstance(node, BNode):
            inverse = report.value(node, SH.inversePath)
            return "^" + text(inverse, short=short) if inverse is not None else "[]"
        if isinstance(node, Literal):
            return node.n3() if short else str(node)
        return compact(str(node)) if short else str(node)

    return Violation(
        text(report.value(res, SH.sourceShape)), text(report.value(res, SH.focusNode)),
        text(report.value(res, SH.resultPath), short=True), text(report.value(res, SH.resultMessage)),
        str(report.value(res, SH.resultSeverity)).rsplit("#", 1)[-1],
        text(report.value(res, SH.value), short=True))


def compact(iri: str) -> str:
    """``iri`` as prefix:rest with the prefixes of the shapes file (and id: for resources)."""
    for prefix, ns in _prefixes():
        if iri.startswith(ns):
            return f"{prefix}:{iri[len(ns):]}"
    return iri


@lru_cache(maxsize=1)
def _prefixes() -> tuple[tuple[str, str], ...]:
    pairs = {str(ns): prefix for prefix, ns in _parsed("shapes.ttl").namespaces() if prefix}
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
