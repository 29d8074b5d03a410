"""diplomacy-kg: French diplomatic news -> a validated, queryable RDF knowledge graph.

The public API; the `kg` command line (kg/cli.py) is a thin layer over it. Names are imported on
first use, so `kg --help` does not pay for loading spaCy.
"""
from importlib import import_module

_API = {
    "build_graph": "kg.pipeline", "build_into": "kg.pipeline",
    "validate": "kg.validate",
    "load": "kg.store", "query_graph": "kg.store", "query_store": "kg.store",
}
__all__ = sorted(_API)


def __getattr__(name: str):
    if name in _API:
        return getattr(import_module(_API[name]), name)
    raise AttributeError(f"module 'kg' has no attribute {name!r}")
