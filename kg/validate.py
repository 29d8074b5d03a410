"""SHACL validation of a graph against ontology/shapes.ttl, with the ontology as ont_graph."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyshacl
from rdflib import Graph
from rdflib.namespace import SH

ONTOLOGY_DIR = Path(__file__).resolve().parent.parent / "ontology"


@dataclass(frozen=True)
class Violation:
    shape: str
    focus: str
    path: str
    message: str
    severity: str


@dataclass(frozen=True)
class ValidationResult:
    conforms: bool
    violations: tuple[Violation, ...]
    report: Graph


def ontology_graph() -> Graph:
    return Graph().parse(ONTOLOGY_DIR / "diplomacy.ttl", format="turtle")


def shapes_graph() -> Graph:
    return Graph().parse(ONTOLOGY_DIR / "shapes.ttl", format="turtle")


def validate(g: Graph) -> ValidationResult:
    """Validate ``g`` with the shapes, using the ontology for class hierarchy (RDFS inference)."""
    conforms, report, _ = pyshacl.validate(
        g, shacl_graph=shapes_graph(), ont_graph=ontology_graph(), inference="rdfs", abort_on_first=False,
    )
    violations = []
    for res in report.subjects(SH.resultSeverity, None):
        def val(p):
            v = report.value(res, p)
            return "" if v is None else str(v)
        violations.append(Violation(val(SH.sourceShape), val(SH.focusNode), val(SH.resultPath),
                                    val(SH.resultMessage), val(SH.resultSeverity).rsplit("#", 1)[-1]))
    violations.sort(key=lambda v: (v.shape, v.focus, v.path, v.message))
    return ValidationResult(bool(conforms), tuple(violations), report)


def format_text(result: ValidationResult) -> str:
    """A readable report: violations grouped by shape."""
    if result.conforms:
        return "Conforms: yes (no violations)"
    lines = [f"Conforms: no ({len(result.violations)} violations)"]
    shape = None
    for v in result.violations:
        if v.shape != shape:
            shape = v.shape
            lines.append(f"\nShape {shape}:")
        lines.append(f"  - {v.severity}: {v.focus} {v.path and '(' + v.path + ') '}{v.message}")
    return "\n".join(lines)
