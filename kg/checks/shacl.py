"""SHACL validation of a graph against ontology/shapes.ttl, on the data alone.

The shapes are self-contained (no inference, no ontology merged in: see shapes.ttl), so pyshacl here,
Jena's `shacl validate` or any other engine give the same verdict on the same file. A graph is validated
by one call of pyshacl's public ``pyshacl.validate``; a big one in chunks, in parallel (see below).
"""
from __future__ import annotations

import multiprocessing as mp
import os
from dataclasses import dataclass
from functools import lru_cache

import pyshacl

# Internals, for the chunked validation only (pyproject pins pyshacl to the minor version tested, and
# tests/ontology/test_ontology_validate_chunks.py checks the chunks give the violations of one public call):
# each chunk must validate only its own subjects as focus nodes, and pyshacl's public focus_nodes option
# also filters the value nodes nested shapes check (an sh:or or sh:qualifiedValueShape then passes).
from pyshacl import Validator
from pyshacl.pytypes import SHACLExecutor
from pyshacl.shapes_graph import ShapesGraph
from rdflib import BNode, Graph, Literal
from rdflib.namespace import OWL, RDF, RDFS, SH
from rdflib.term import Node

from kg.checks.ontology import bind_prefixes as _bind
from kg.checks.ontology import ontology_graph, shapes_graph
from kg.checks.ontology import parsed as _parsed
from kg.graph.vocab import ID

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


# Below this size one in-process pyshacl call beats starting workers and building chunk graphs.
SMALL_GRAPH = 20_000
# Triples per chunk: big enough that pyshacl's per-call set-up (shape harvest, ontology mixing) is
# negligible, small enough that both workers stay busy to the end and a chunk's report stays small
# (pyshacl's report building is quadratic in the number of results).
CHUNK_TRIPLES = 20_000
_FORK_SHARED: tuple = ()  # (graph, chunks, context) inherited by forked workers, never pickled


def validate(g: Graph, *, workers: int | None = None, chunk_triples: int | None = None) -> ValidationResult:
    """Validate ``g`` with the shapes, on the data alone (the shapes need no ontology nor inference).

    A graph of ``SMALL_GRAPH`` triples or more (or ``chunk_triples``, when given) is validated in
    chunks of about ``chunk_triples`` triples, in ``workers`` processes (default: all cores); the
    result is the same as one pyshacl call on the whole graph (tests/ontology checks it).
    """
    workers = workers or os.cpu_count() or 1
    if len(g) < (chunk_triples or SMALL_GRAPH) or not _partitionable():
        return _single(g)
    # at least four chunks a worker, so that none waits long for the last one
    size = chunk_triples or max(SMALL_GRAPH // 4, min(CHUNK_TRIPLES, -(-len(g) // (4 * workers))))
    chunks = _partition(g, size)
    context = _Context.of(g)
    _shapes()
    results: list[tuple[bool, list[Violation], list]] = []
    if workers <= 1 or len(chunks) == 1:
        results = [_validate_chunk(g, chunk, context) for chunk in chunks]
    else:
        global _FORK_SHARED
        # fork: the workers share the graph copy-on-write instead of receiving a pickled copy
        _FORK_SHARED = (g, chunks, context)
        try:
            with mp.get_context("fork").Pool(min(workers, len(chunks))) as pool:
                results = list(pool.imap_unordered(_validate_shared_chunk, range(len(chunks))))
        finally:
            _FORK_SHARED = ()
    report = Graph()
    report_node = BNode()
    report.add((report_node, RDF.type, SH.ValidationReport))
    violations: list[Violation] = []
    conforms = True
    for chunk_conforms, chunk_violations, triples in results:
        conforms = conforms and chunk_conforms
        violations += chunk_violations
        for t in triples:
            report.add(t)
            if t[1] == RDF.type and t[2] == SH.ValidationResult:
                report.add((report_node, SH.result, t[0]))
    report.add((report_node, SH.conforms, Literal(conforms)))
    _bind(report, _parsed("shapes.ttl"))
    violations.sort(key=_order)
    return ValidationResult(conforms, tuple(violations), report)


def _single(g: Graph) -> ValidationResult:
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


# Chunked validation. A focus node's checks in our shapes read only: its own triples (properties,
# sh:closed), the triples pointing to it through a predicate used in an sh:inversePath, and the
# rdf:type of every node those triples reach (sh:class, and the data's own rdfs:subClassOf). A chunk
# graph holds exactly that for a set of subjects, so their results are the same as on the whole
# graph. The other nodes typed in a chunk graph (values) are not validated there, with partial
# triples: each node is validated in the chunk that holds its own triples (see _validate_chunk).

@dataclass(frozen=True)
class _Context:
    """What every chunk graph needs besides its subjects' triples."""

    inverse: tuple[Node, ...]  # predicates read backwards by some shape
    schema: tuple[tuple[Node, Node, Node], ...]  # the data graph's own rdfs:subClassOf triples

    @classmethod
    def of(cls, g: Graph) -> _Context:
        inverse = tuple(sorted(set(_parsed("shapes.ttl").objects(None, SH.inversePath)), key=str))
        return cls(inverse, tuple(g.triples((None, RDFS.subClassOf, None))))


@lru_cache(maxsize=1)
def _partitionable() -> bool:
    """True when every shape targets by class or subject, so each focus node is some triple's subject."""
    sg = _parsed("shapes.ttl")
    other = (SH.targetNode, SH.targetObjectsOf, SH.target)
    return not any(True for p in other for _ in sg.subject_objects(p)) and not any(
        True for c in (RDFS.Class, OWL.Class) for _ in sg.subjects(RDF.type, c))


def _partition(g: Graph, size: int) -> list[list[Node]]:
    """The subjects of ``g`` in chunks of about ``size`` triples, in the graph's order (a file written
    sorted keeps the nodes of one kind together)."""
    subjects = list(g.subjects(unique=True))
    step = max(1, size * len(subjects) // max(1, len(g)))
    return [subjects[k:k + step] for k in range(0, len(subjects), step)]


def _chunk_graph(g: Graph, subjects: list[Node], context: _Context) -> Graph:
    # the prefixes as pyshacl's own copy of the data graph has them: they appear in generic messages
    cg = Graph(bind_namespaces="core")
    for prefix, ns in g.namespace_manager.namespaces():
        cg.namespace_manager.bind(prefix, ns, override=True, replace=True)
    own = set(subjects)
    reached: set[Node] = set()
    triples = []
    for s in subjects:
        for p, o in g.predicate_objects(s):
            triples.append((s, p, o, cg))
            if not isinstance(o, Literal):
                reached.add(o)
        for p in context.inverse:
            for x in g.subjects(p, s):
                triples.append((x, p, s, cg))
                reached.add(x)
    for v in reached - own:
        triples += [(v, RDF.type, c, cg) for c in g.objects(v, RDF.type)]
    triples += [(*t, cg) for t in context.schema]
    cg.addN(triples)
    return cg


@lru_cache(maxsize=1)
def _shapes() -> ShapesGraph:
    """pyshacl's shapes, harvested once a process (before the fork: workers inherit them)."""
    sg = ShapesGraph(shapes_graph())
    sg.shapes  # noqa: B018 - the property harvests the shapes
    return sg


def _validate_chunk(g: Graph, subjects: list[Node], context: _Context) -> tuple[bool, list[Violation], list]:
    """Conformance, violations and report triples of the focus nodes among ``subjects``."""
    cg = _chunk_graph(g, subjects, context)
    own = set(subjects)
    # What pyshacl.validate does, with each shape's targets cut down to the chunk's own subjects. The
    # values typed in the chunk graph are targets too, with partial triples: validated there, they
    # failed most of their shapes, and building the results that were then dropped (pyshacl's report
    # is quadratic in them) took most of the time. A result's sh:focusNode is the shape's target, so
    # cutting targets drops exactly those results. (pyshacl's focus_nodes option cannot do this: it
    # filters the nodes given to nested shapes too, so sh:or, sh:qualifiedValueShape would pass.)
    executor = SHACLExecutor(abort_on_first=False)
    sg = _shapes()
    results: list = []
    for shape in sg.shapes:
        focus = [n for n in shape.focus_nodes(cg) if n in own]
        if focus:
            results += shape.validate(executor, cg, focus=focus)[1]
    report, _ = Validator.create_validation_report(sg, not results, results)
    violations, triples = [], []
    for res in report.subjects(SH.resultSeverity, None):
        violations.append(_violation(report, res))
        todo, seen = [res], {res}
        while todo:  # the result node and the blank nodes under it (paths, blank values)
            node = todo.pop()
            for p, o in report.predicate_objects(node):
                triples.append((node, p, o))
                if isinstance(o, BNode) and o not in seen:
                    seen.add(o)
                    todo.append(o)
    return not violations, violations, triples


def _validate_shared_chunk(index: int) -> tuple[bool, list[Violation], list]:
    g, chunks, context = _FORK_SHARED
    return _validate_chunk(g, chunks[index], context)


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
