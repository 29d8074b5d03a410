"""The data flows one way: text -> Doc -> records -> resolution -> RDF -> checks, stores, report.

Each sub-package of kg/ is a stage; a module may import its own stage and earlier ones, never a later one.
"""
from __future__ import annotations

import ast
from pathlib import Path

KG = Path(__file__).resolve().parents[2] / "kg"
# The stages in the order data flows through them; the shared foundations (records, packaged files,
# progress display) come first, the command line last.
STAGES = ["kg.records", "kg.packaged", "kg.resources", "kg.progress", "kg.lang", "kg.input", "kg.extract", "kg.graph",
          "kg.build", "kg.checks", "kg.stores", "kg.report", "kg.cli", "kg.__main__"]


def _imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
    return found


def _stage(module: str) -> int | None:
    for i, stage in enumerate(STAGES):
        if module == stage or module.startswith(f"{stage}."):
            return i
    return None


def _module(path: Path) -> str:
    parts = path.relative_to(KG.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def test_layers_every_module_belongs_to_a_stage():
    for path in sorted(KG.rglob("*.py")):
        module = _module(path)
        assert module == "kg" or _stage(module) is not None, f"{module} is in no stage of {STAGES}"


def test_layers_no_module_imports_a_later_stage():
    for path in sorted(KG.rglob("*.py")):
        own = _stage(_module(path))
        if own is None:  # kg/__init__.py: the lazy public API reaches every stage
            continue
        later = {m for m in _imports(path) if (s := _stage(m)) is not None and s > own}
        assert not later, f"{_module(path)} imports {sorted(later)}"


def test_layers_the_checker_sees_an_import_of_a_later_stage(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("from kg.graph.resolve import fold\nimport kg.graph.mapping\n", encoding="utf-8")
    assert {"kg.graph.resolve", "kg.graph.mapping"} <= _imports(bad)
    assert _stage("kg.graph.mapping") > _stage("kg.extract.roles")
