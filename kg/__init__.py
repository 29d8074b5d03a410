"""diplomacy-kg: French diplomatic news -> a validated, queryable RDF knowledge graph.

The public API; the `kg` command line (kg/cli/) is a thin layer over it. Names are imported on
first use, so `kg --help` does not pay for loading spaCy. (SHACL validation is `validate_graph`:
the name `kg.checks.shacl` is the module.)
"""
from importlib import import_module

_API = {
    "build_graph": ("kg.build.pipeline", "build_graph"), "build_into": ("kg.build.pipeline", "build_into"),
    "validate_graph": ("kg.checks.shacl", "validate"),
    "load": ("kg.stores.embedded", "load"), "query_graph": ("kg.stores.embedded", "query_graph"),
    "query_store": ("kg.stores.embedded", "query_store"),
}
__all__ = sorted(_API)


def __getattr__(name: str):
    if name in _API:
        module, attr = _API[name]
        return getattr(import_module(module), attr)
    raise AttributeError(f"module 'kg' has no attribute {name!r}")
