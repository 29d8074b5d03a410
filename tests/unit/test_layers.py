"""The data flows one way: text -> Doc -> records -> resolution -> RDF; no stage imports a later one."""
from __future__ import annotations

import ast
from pathlib import Path

KG = Path(__file__).resolve().parents[2] / "kg"
# Modules of the stages after extraction: an extractor must not depend on them.
LATER = {"kg.resolve", "kg.mapping", "kg.pipeline", "kg.formats", "kg.store", "kg.validate", "kg.reason",
         "kg.report", "kg.cli", "kg.evaluate", "kg.cache", "kg.ingest"}


def _imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
    return found


def test_layers_extractors_import_no_later_stage():
    for path in sorted((KG / "extract").glob("*.py")):
        later = {m for m in _imports(path) if m in LATER or any(m.startswith(f"{x}.") for x in LATER)}
        assert not later, f"{path.name} imports {sorted(later)}"


def test_layers_the_checker_sees_an_import_of_a_later_stage(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("from kg.resolve import fold\nimport kg.mapping\n", encoding="utf-8")
    assert {"kg.resolve", "kg.mapping"} <= _imports(bad)
