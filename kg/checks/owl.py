"""OWL reasoning over a graph with the diplomacy ontology: HermiT (through owlready2).

HermiT checks consistency and realizes every individual (its inferred types); the property
hierarchy it computes (sub-properties, inverses, symmetric properties) is then applied to the
asserted triples to materialize the inferred property values, e.g. ``dip:represents`` from
``dip:envoyOf`` and ``org:heldBy`` from ``dip:holder``.
"""
from __future__ import annotations

import itertools
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import OWL, RDF, RDFS, XSD, Graph, Literal, URIRef
from rdflib.term import Node

from kg.checks.ontology import ontology_graph


class JavaNotFoundError(RuntimeError):
    """HermiT runs on Java, and no `java` executable was found."""


@dataclass(frozen=True)
class Clash:
    """A likely cause of an inconsistency: an individual and why it cannot exist."""

    individual: str
    reason: str


@dataclass
class ReasoningResult:
    consistent: bool
    unsatisfiable: tuple[str, ...] = ()
    clashes: tuple[Clash, ...] = ()
    inferred: Graph = field(default_factory=Graph)
    seconds: float = 0.0


_BUILTIN = (str(OWL), str(RDF), str(RDFS))


def _require_java() -> str:
    import owlready2

    java = shutil.which(owlready2.JAVA_EXE)
    if java is None:
        raise JavaNotFoundError(f"reason: Java not found ({owlready2.JAVA_EXE!r} is not on PATH); HermiT needs "
                                "a Java runtime: install one, e.g. `apt-get install default-jre-headless`")
    return java


def reason(g: Graph, *, ontology: Graph | None = None) -> ReasoningResult:
    """Run HermiT on ``g`` with the ontology: consistency, unsatisfiable classes, inferred triples."""
    import owlready2

    _require_java()
    ont = ontology if ontology is not None else ontology_graph()
    started = time.monotonic()
    if any(isinstance(o, Literal) and o.ill_typed for o in g.objects()):
        # An ill-typed literal denotes no value, so the graph has no model (and owlready2 cannot load it).
        return ReasoningResult(False, clashes=tuple(explain_inconsistency(g, ont)), seconds=time.monotonic() - started)
    with tempfile.TemporaryDirectory(prefix="kg-reason-") as tmp:
        # owlready2 reads N-Triples much faster than it would get Turtle through another parser.
        ont_path, data_path = Path(tmp) / "ontology.nt", Path(tmp) / "data.nt"
        ont.serialize(ont_path, format="nt", encoding="utf-8")
        g.serialize(data_path, format="nt", encoding="utf-8")
        world = owlready2.World()
        world.get_ontology(ont_path.as_uri()).load(format="ntriples")
        world.get_ontology(data_path.as_uri()).load(format="ntriples")
        try:
            # The ontology keeps to the OWL 2 datatype map; the graphs' days are xsd:date, outside it:
            # HermiT leaves such values uninterpreted (an ill-formed one was caught above).
            owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0,
                                           ignore_unsupported_datatypes=True)
        except owlready2.OwlReadyInconsistentOntologyError:
            return ReasoningResult(False, clashes=tuple(explain_inconsistency(g, ont)),
                                   seconds=time.monotonic() - started)
        unsat = tuple(sorted(c.iri for c in world.inconsistent_classes()))
        inferred = _materialize(world, g)
        world.close()
    return ReasoningResult(True, unsat, (), inferred, time.monotonic() - started)


def _materialize(world, g: Graph) -> Graph:
    """Triples entailed but not asserted: inferred types, and property values by hierarchy."""
    import owlready2

    inferred = Graph()
    for prefix, ns in itertools.chain(ontology_graph().namespaces(), g.namespaces()):
        inferred.bind(prefix, ns, replace=True)
    nodes = set(g.subjects()) | {o for p, o in g.predicate_objects() if p != RDF.type}
    for node in sorted(n for n in nodes if isinstance(n, URIRef)):
        ind = world[str(node)]
        if not isinstance(ind, owlready2.Thing):
            continue
        for cls in ind.is_a:
            if not isinstance(cls, owlready2.ThingClass):
                continue
            for anc in cls.ancestors():
                t = URIRef(anc.iri)
                if anc is not owlready2.Thing and (node, RDF.type, t) not in g:
                    inferred.add((node, RDF.type, t))

    supers: dict[Node, set[URIRef]] = {}
    inverse: dict[Node, Node] = {}
    symmetric: set[Node] = set()
    for prop in itertools.chain(world.object_properties(), world.data_properties()):
        iri = URIRef(prop.iri)
        supers[iri] = {URIRef(a.iri) for a in prop.ancestors()
                       if isinstance(a, owlready2.PropertyClass) and not a.iri.startswith(_BUILTIN)} - {iri}
        if owlready2.SymmetricProperty in prop.is_a:
            symmetric.add(iri)
        inv = getattr(prop, "inverse_property", None)
        if inv is not None:
            inverse[iri] = URIRef(inv.iri)
            inverse[URIRef(inv.iri)] = iri

    # Forward chaining to a fixpoint: sub-property, symmetric and inverse rules only.
    todo: list[tuple[Node, Node, Node]] = [t for t in g if t[1] in supers]
    seen: set[tuple[Node, Node, Node]] = set(todo)
    while todo:
        s, p, o = todo.pop()
        derived: list[tuple[Node, Node, Node]] = [(s, q, o) for q in supers.get(p, set())]
        if p in symmetric:
            derived.append((o, p, s))
        if p in inverse and not isinstance(o, Literal):
            derived.append((o, inverse[p], s))
        for triple in derived:
            if triple not in seen:
                seen.add(triple)
                todo.append(triple)
                if triple not in g:
                    inferred.add(triple)
    return inferred


def _closure(ont: Graph, node: Node, pred: URIRef) -> set[Node]:
    return {n for n in ont.transitiveClosure(lambda x, _: ont.objects(x, pred), node) if isinstance(n, URIRef)}


def explain_inconsistency(g: Graph, ont: Graph) -> list[Clash]:
    """Individuals that make ``g`` inconsistent, found by the usual causes.

    HermiT says only that the ontology is inconsistent; this looks for disjoint types (asserted or
    from domains and ranges), functional properties with several values and ill-typed literals.
    """
    disjoint: set[frozenset[Node]] = set()
    for a, b in ont.subject_objects(OWL.disjointWith):
        disjoint.add(frozenset((a, b)))
    for axiom in ont.subjects(RDF.type, OWL.AllDisjointClasses):
        listed = ont.value(axiom, OWL.members)
        members = list(ont.items(listed)) if listed is not None else []
        disjoint.update(frozenset(pair) for pair in itertools.combinations(members, 2))

    def named(cls: Node) -> set[Node]:
        """Named classes a class expression implies (a union implies only what all members share)."""
        members = ont.value(cls, OWL.unionOf)
        if members is not None:
            return set.intersection(*(named(m) for m in ont.items(members)))
        return {cls, *_closure(ont, cls, RDFS.subClassOf)} if isinstance(cls, URIRef) else set()

    why: dict[Node, dict[Node, str]] = {}

    def add(node: Node, cls: Node, reason: str) -> None:
        for c in named(cls):
            why.setdefault(node, {}).setdefault(c, reason)

    for s, cls in g.subject_objects(RDF.type):
        add(s, cls, f"typed {g.qname(str(cls))}")
    clashes: list[Clash] = []
    functional = set(ont.subjects(RDF.type, OWL.FunctionalProperty))
    for s, p, o in g:
        for dom in ont.objects(p, RDFS.domain):
            add(s, dom, f"subject of {g.qname(str(p))}")
        for rng in ont.objects(p, RDFS.range):
            if isinstance(o, Literal):
                if isinstance(rng, URIRef) and str(rng).startswith(str(XSD)) and (
                        o.datatype != rng and not (rng == XSD.string and o.datatype is None and not o.language)
                        or o.ill_typed):
                    clashes.append(Clash(str(s), f"{g.qname(str(p))} value {o.n3()} "
                                                 f"is not a valid {g.qname(str(rng))}"))
            else:
                add(o, rng, f"value of {g.qname(str(p))}")
    for p in functional:
        for s in set(g.subjects(p, None)):
            values = set(g.objects(s, p))
            if len(values) > 1:
                shown = ", ".join(sorted(v.n3() for v in values))
                clashes.append(Clash(str(s), f"{g.qname(str(p))} is functional but has {len(values)} values: {shown}"))
    for node, types in why.items():
        for a, b in itertools.combinations(sorted(types, key=str), 2):
            if frozenset((a, b)) in disjoint:
                clashes.append(Clash(str(node), f"{g.qname(str(a))} ({types[a]}) and {g.qname(str(b))} ({types[b]}) "
                                                "are disjoint"))
    return sorted(set(clashes), key=lambda c: (c.individual, c.reason))


def format_text(result: ReasoningResult) -> str:
    """A readable summary of a reasoning run."""
    if not result.consistent:
        lines = [f"Consistent: no (HermiT, {result.seconds:.1f} s)"]
        if result.clashes:
            lines.append("Likely causes:")
            lines += [f"  - {c.individual}: {c.reason}" for c in result.clashes]
        else:
            lines.append("The offending individuals could not be located by the usual causes.")
        return "\n".join(lines)
    lines = [f"Consistent: yes (HermiT, {result.seconds:.1f} s)"]
    lines.append("Unsatisfiable classes: " + (", ".join(result.unsatisfiable) or "none"))
    by_pred: dict[str, int] = {}
    for _, p, o in result.inferred:
        key = f"rdf:type {result.inferred.qname(str(o))}" if p == RDF.type else result.inferred.qname(str(p))
        by_pred[key] = by_pred.get(key, 0) + 1
    lines.append(f"Inferred triples: {len(result.inferred)}")
    lines += [f"  {n:6d}  {k}" for k, n in sorted(by_pred.items(), key=lambda kv: (-kv[1], kv[0]))]
    return "\n".join(lines)
