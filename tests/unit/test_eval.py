"""kg eval: the reference scorer's figures, precision per rule id, groups, errors and exit codes.

The expected numbers were counted by hand on fixtures/eval/{gold.jsonl, graph.ttl} (the comments in
graph.ttl say what each fact is there for).
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import RDF, RDFS, Graph, Literal

from kg.checks.evaluate import evaluate, read_gold
from kg.cli import main
from kg.graph import iri
from kg.graph.formats import read_graph
from kg.graph.vocab import DIP, ID

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "eval"
GOLD, GRAPH = FIXTURES / "gold.jsonl", FIXTURES / "graph.ttl"
SHARED_EVAL = Path(__file__).parents[2].parent / "shared" / "eval"
SCORE_PY = SHARED_EVAL / "score.py"


def fig(p, r, f1, predicted, required):
    return {"precision": p, "recall": r, "f1": f1, "predicted": predicted, "required": required}


def run(capsys, *argv):
    code = main(["eval", *map(str, argv)])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def report():
    return evaluate(read_gold(GOLD), read_graph(GRAPH), group="^([a-z])")


def test_eval_figures_counted_by_hand(report):
    assert report.figures == {
        # 3 predicted, 2 match; Dmitriev's mandate is optional in b01 but required in a02: required
        "envoy_of": fig(0.667, 1.0, 0.8, 3, 2),
        # the gold pair stated by a01 and b01 is one pooled fact
        "met_with": fig(0.5, 1.0, 0.667, 2, 1),
        # two of three statements match Ouchakov's key; Peskov's is missed
        "stated": fig(0.667, 0.5, 0.571, 3, 2),
        # 5 Person nodes, "Monsieur" matches nobody; trump and peskov are not found; the optional
        # dupont is not required; Witkoff has two nodes
        "persons": {**fig(0.8, 0.6, 0.686, 5, 5), "split": 1, "merged": 0},
        "core": fig(0.625, 0.8, 0.702, 8, 5),
    }


def test_eval_precision_per_rule(report):
    assert report.rules == {
        # the Witkoff-Dmitriev meeting has evidence by two rules: it counts for both
        "meeting.noun.v1": {"predicted": 1, "tp": 1, "precision": 1.0},
        "meeting.verb.v1": {"predicted": 2, "tp": 1, "precision": 0.5},
        "role.title-apposition.v1": {"predicted": 2, "tp": 1, "precision": 0.5},
        "role.title-before-name.v1": {"predicted": 1, "tp": 1, "precision": 1.0},
        "statement.according-to.v1": {"predicted": 1, "tp": 1, "precision": 1.0},
        "statement.quote-incise.v1": {"predicted": 1, "tp": 0, "precision": 0.0},
        "statement.reporting-verb.v1": {"predicted": 1, "tp": 1, "precision": 1.0},
    }
    # the planned meeting of the same two people makes no dip:metWith, so its rule scores nothing
    assert "meeting.planned.v1" not in report.rules


def test_eval_groups_score_each_group_against_its_own_gold(report):
    assert report.groups == {
        # Dmitriev's mandate has its evidence in b01 only: a miss in group a, whose a02 requires it
        "a": {"envoy_of": fig(0.5, 0.5, 0.5, 2, 2), "met_with": fig(1.0, 1.0, 1.0, 1, 1),
              "stated": fig(1.0, 1.0, 1.0, 1, 1), "core": fig(0.75, 0.75, 0.75, 4, 4)},
        # the meeting with evidence in a01 and b01 belongs to both groups; Ouchakov's statement from
        # b01 matches only a gold fact of a01, so it is a false positive in group b; b01 gives
        # Dmitriev's mandate as optional: a true positive, nothing required
        "b": {"envoy_of": fig(1.0, 0.0, 0.0, 1, 0), "met_with": fig(0.5, 1.0, 0.667, 2, 1),
              "stated": fig(0.0, 0.0, 0.0, 2, 1), "core": fig(0.4, 0.5, 0.444, 5, 2)},
    }


def test_eval_group_named_by_group_1_or_the_whole_match():
    gold, g = read_gold(GOLD), read_graph(GRAPH)
    assert list(evaluate(gold, g, group=r"^([a-z])0").groups) == ["a", "b"]
    report = evaluate(gold, g, group=r"b\d")
    assert list(report.groups) == ["b0"]
    assert report.groups["b0"]["core"] == fig(0.4, 0.5, 0.444, 5, 2)


def test_eval_errors_list_misses_and_false_positives(capsys):
    code, out, _ = run(capsys, GOLD, GRAPH, "--errors")
    assert code == 0
    lines = out.splitlines()
    missed = next(i for i, line in enumerate(lines) if line.startswith("MISSED stated: "))
    assert json.loads(lines[missed].removeprefix("MISSED stated: "))["speaker"] == "peskov"
    assert lines[missed + 1] == "  b01 « « Pas de commentaire », a répondu Dmitri Peskov. »"
    wrong = lines.index("WRONG  met_with: Iouri Ouchakov metWith Steve Witkoff  [meeting.verb.v1]")
    assert lines[wrong + 1] == "  b01 [meeting.verb.v1] « Witkoff s'est entretenu avec Ouchakov. »"
    assert "WRONG  envoy_of: Iouri Ouchakov envoyOf Russie  [role.title-apposition.v1]" in lines
    assert sum(line.startswith("WRONG  ") and "persons" not in line for line in lines) == 3
    assert sum(line.startswith("MISSED ") and "persons" not in line for line in lines) == 1
    assert {"MISSED persons: peskov", "MISSED persons: trump", "WRONG  persons: Monsieur"} <= set(lines)


def test_eval_text_without_errors_lists_none(capsys):
    code, out, _ = run(capsys, GOLD, GRAPH)
    assert code == 0
    assert "core      0.625  0.800  0.702          8         5" in out.splitlines()
    assert "MISSED" not in out and "WRONG" not in out and "group" not in out


def test_eval_json_output(capsys):
    code, out, _ = run(capsys, GOLD, GRAPH, "--format", "json", "--group", "^([a-z])", "--errors")
    assert code == 0
    data = json.loads(out)
    assert data["core"] == fig(0.625, 0.8, 0.702, 8, 5)
    assert data["persons"]["split"] == 1
    assert data["rules"]["meeting.verb.v1"] == {"predicted": 2, "tp": 1, "precision": 0.5}
    assert data["groups"]["b"]["core"] == fig(0.4, 0.5, 0.444, 5, 2)
    assert [m["fact"]["speaker"] for m in data["errors"]["missed"]] == ["peskov"]
    wrong = {w["fact"]: w for w in data["errors"]["wrong"]}
    witkoff = wrong["Steve Witkoff stated «nous avançons»"]
    assert witkoff["rules"] == ["statement.quote-incise.v1"]
    assert witkoff["evidence"] == [{"rule": "statement.quote-incise.v1", "doc": "b01",
                                    "sentence": "« Nous avançons », a assuré Witkoff."}]


def test_eval_min_f1_sets_exit_status(capsys):
    assert run(capsys, GOLD, GRAPH, "--min-f1", "0.702")[0] == 0
    code, _, err = run(capsys, GOLD, GRAPH, "--min-f1", "0.71")
    assert code == 1
    assert err == "kg: eval: core F1 0.702 < 0.71\n"


@pytest.mark.parametrize("content, problem", [
    ('{"kind": "entity", "id": "x", "type": "Person", "names": ["X"]}\n\n{"kind": "fact", "rel"\n',
     "line 3: bad JSON"),
    ('{"kind": "fact", "doc": "a", "rel": "envoy_of", "subj": "x", "status": "required"}\n',
     "line 1: fact without 'obj'"),
    ('["not", "an", "object"]\n', "line 1: not an entity or fact object"),
])
def test_eval_bad_gold_line_names_file_and_line(tmp_path, capsys, content, problem):
    gold = tmp_path / "gold.jsonl"
    gold.write_text(content, encoding="utf-8")
    code, out, err = run(capsys, gold, GRAPH)
    assert code == 2 and out == ""
    assert err.startswith(f"kg: {gold}: {problem}")
    assert err.count("\n") == 1 and "Traceback" not in err


def test_eval_unreadable_inputs_exit_2(tmp_path, capsys):
    bad = tmp_path / "bad.ttl"
    bad.write_text('@prefix dip: <https://w3id.org/diplomacy-kg/ontology#> .\n\ndip:a dip:b "open .\n')
    for argv, start in [((tmp_path / "none.jsonl", GRAPH), f"kg: {tmp_path / 'none.jsonl'}: cannot read"),
                        ((GOLD, tmp_path / "none.ttl"), f"kg: {tmp_path / 'none.ttl'}: no such file"),
                        ((GOLD, bad), f"kg: {bad}: line 3: not valid Turtle: newline found in string literal"),
                        ((GOLD, GRAPH, "--group", "(["), "kg: --group: bad regular expression")]:
        code, _, err = run(capsys, *argv)
        assert code == 2, argv
        assert err.startswith(start) and err.count("\n") == 1, err


def test_eval_doc_id_from_the_article_iri(tmp_path):
    # An article read from a JSON Lines file is named after the .jsonl, but its IRI is minted from its
    # doc id: the group comes from the id.
    g = Graph()
    art, ev, st = iri.article_iri("b01"), ID["evidence/x"], ID["statement/x"]
    speaker = ID["person/iouri-ouchakov"]
    g.add((art, RDF.type, DIP.Article))
    g.add((art, DIP.fileName, Literal("news.jsonl")))
    g.add((speaker, RDF.type, DIP.Person))
    g.add((speaker, RDFS.label, Literal("Iouri Ouchakov")))
    g.add((speaker, DIP.stated, st))
    g.add((st, DIP.content, Literal("des propos non constructifs")))
    g.add((st, DIP.evidence, ev))
    g.add((ev, DIP.article, art))
    g.add((ev, DIP.rule, Literal("statement.reporting-verb.v1")))
    report = evaluate(read_gold(GOLD), g, group="^([a-z])")
    assert report.groups["b"]["stated"]["predicted"] == 1
    assert report.groups["a"]["stated"]["predicted"] == 0
    assert "n" not in report.groups


def test_eval_fact_without_rule_counts_under_none():
    g = read_graph(GRAPH)
    g.remove((None, DIP.rule, Literal("statement.quote-incise.v1")))
    report = evaluate(read_gold(GOLD), g)
    assert report.rules["(none)"] == {"predicted": 1, "tp": 0, "precision": 0.0}
    assert "statement.quote-incise.v1" not in report.rules


def _score_py(gold: Path, graph: Path) -> dict:
    if not SCORE_PY.is_file():
        pytest.skip(f"{SCORE_PY} is not there (the gold annotations live beside the repository)")
    done = subprocess.run([sys.executable, str(SCORE_PY), str(gold), str(graph), "--json"],
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def test_eval_same_figures_as_score_py_on_the_fixture(capsys):
    expected = _score_py(GOLD, GRAPH)
    code, out, _ = run(capsys, GOLD, GRAPH, "--format", "json")
    assert code == 0
    assert {k: v for k, v in json.loads(out).items() if k in expected} == expected


@pytest.mark.slow
def test_eval_same_figures_as_score_py_on_the_seeds_graph(tmp_path, capsys):
    gold = SHARED_EVAL / "seeds-gold.jsonl"
    if not gold.is_file():
        pytest.skip(f"{gold} is not there (the gold annotations live beside the repository)")
    graph = tmp_path / "seeds.ttl"
    kg = Path(sys.executable).with_name("kg")  # the venv's command, as `make eval` runs it
    subprocess.run([str(kg), "build", str(ROOT / "seeds"), "-o", str(graph), "-q"], check=True)
    expected = _score_py(gold, graph)
    assert expected["core"]["predicted"] > 0  # a graph with facts in it, or the comparison proves little
    code, out, _ = run(capsys, gold, graph, "--format", "json")
    assert code == 0
    assert {k: v for k, v in json.loads(out).items() if k in expected} == expected


def test_eval_output_to_a_reader_that_stops_ends_quietly():
    import os

    fixtures = Path(__file__).parent / "fixtures" / "eval"
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before kg writes, as after `| head -1`
    try:
        done = subprocess.run([str(Path(sys.executable).parent / "kg"), "eval", str(fixtures / "gold.jsonl"),
                               str(fixtures / "graph.ttl")], stdout=write_end, stderr=subprocess.PIPE, timeout=60)
    finally:
        os.close(write_end)
    assert (done.returncode, done.stderr) == (0, b"")
