"""The packaged ontology and SHACL shapes as rdflib graphs, parsed once, for validation and reasoning."""
from __future__ import annotations

from functools import cache

from rdflib import Graph

from kg.packaged import ontology_file


def ontology_graph() -> Graph:
    """The OWL ontology, ontology/diplomacy.ttl (a fresh copy: callers may change it)."""
    g = Graph()
    g += parsed("diplomacy.ttl")
    bind_prefixes(g, parsed("diplomacy.ttl"))
    return g


def shapes_graph() -> Graph:
    """The SHACL shapes, ontology/shapes.ttl (a fresh copy)."""
    g = Graph()
    g += parsed("shapes.ttl")
    bind_prefixes(g, parsed("shapes.ttl"))
    return g


@cache
def parsed(name: str) -> Graph:
    """The packaged ontology file ``name``, parsed once (shared: do not change it)."""
    source = ontology_file(name)
    try:
        return Graph().parse(data=source.read_bytes(), format="turtle")
    except Exception as err:  # rdflib raises several syntax error types
        raise ValueError(f"{source}: cannot parse Turtle: {err}") from err


def bind_prefixes(g: Graph, src: Graph) -> None:
    """Bind in ``g`` the prefixes of ``src``."""
    for prefix, ns in src.namespaces():
        g.bind(prefix, ns, replace=True)
