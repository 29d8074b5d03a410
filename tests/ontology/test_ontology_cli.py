"""`kg validate` and `kg reason` through kg.cli.main: exit codes and what a person reads."""
from __future__ import annotations

import json
from pathlib import Path

from kg.cli import main

FIXTURES = Path(__file__).parent / "fixtures"


def _broken(tmp_path: Path) -> Path:
    path = tmp_path / "broken.ttl"
    text = (FIXTURES / "valid.ttl").read_text(encoding="utf-8")
    path.write_text(text + "\nid:state-s a dip:Person .\n", encoding="utf-8")
    return path


def test_cli_validate_seeds_exits_0(seeds_ttl, capsys):
    assert main(["validate", str(seeds_ttl)]) == 0
    assert capsys.readouterr().out.startswith("Conforms: yes")


def test_cli_validate_broken_graph_exits_1_grouped_by_shape(tmp_path, capsys):
    assert main(["validate", str(_broken(tmp_path))]) == 1
    out = capsys.readouterr().out
    assert out.startswith("Conforms: no (1 violations)")
    assert "dsh:OneKindShape (1)" in out
    assert "id:state-s" in out


def test_cli_validate_json(tmp_path, capsys):
    assert main(["validate", str(_broken(tmp_path)), "--format", "json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["conforms"] is False
    assert [(v["shape"], v["focus"]) for v in report["violations"]] == [
        ("https://w3id.org/diplomacy-kg/shapes#OneKindShape", "https://w3id.org/diplomacy-kg/id/state-s")]


def test_cli_reason_writes_inferred_triples_and_flags_inconsistency(tmp_path, capsys):
    out_path = tmp_path / "inferred.ttl"
    assert main(["reason", str(FIXTURES / "valid.ttl"), "-o", str(out_path)]) == 0
    assert "Consistent: yes" in capsys.readouterr().out
    assert "actedOnBehalfOf" in out_path.read_text(encoding="utf-8")
    assert main(["reason", str(_broken(tmp_path))]) == 1
    out = capsys.readouterr().out
    assert "Consistent: no" in out and "state-s" in out


def test_cli_validate_text_output(tmp_path, capsys):
    assert main(["validate", str(_broken(tmp_path))]) == 1
    out = capsys.readouterr().out
    assert out.startswith("Conforms: no (1 violations)") and "dsh:OneKindShape (1)" in out
