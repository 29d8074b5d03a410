"""Files shipped inside the package: the ontology, SHACL shapes, JSON-LD context, example queries and
the report's templates and queries.

In the repository `kg/ontology` and `kg/queries` are links to the top-level `ontology/` and `queries/`
folders, which stay the source of truth; a wheel carries copies, found the same way.
"""
from __future__ import annotations

from importlib import resources
from importlib.resources.abc import Traversable


def ontology_file(name: str) -> Traversable:
    """``name`` in the packaged ontology folder (diplomacy.ttl, shapes.ttl, context.jsonld)."""
    return resources.files("kg").joinpath("ontology", name)


def query_file(*parts: str) -> Traversable:
    """A packaged SPARQL file, e.g. ``query_file("envoys.rq")``."""
    return resources.files("kg").joinpath("queries", *parts)


def template_file(*parts: str) -> Traversable:
    """A file of the report's templates (report.html, sparql/<name>.rq)."""
    return resources.files("kg").joinpath("report", "templates", *parts)


def report_query(name: str) -> str:
    """The text of the report's SPARQL query ``name`` (kg/report/templates/sparql/<name>.rq)."""
    path = template_file("sparql", f"{name}.rq")
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise FileNotFoundError(f"{path}: no such packaged query") from None
