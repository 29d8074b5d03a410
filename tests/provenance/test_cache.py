"""Incremental builds: the persistent build state in kg/cache.py and `kg build --into`."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from kg.build.cache import STATE_FILE, BuildState, extractor_version, from_json, to_json
from kg.build.pipeline import corpus_of
from kg.graph.mapping import to_graph
from kg.input.ingest import iter_articles


class RecordingAnalyzer:
    """Gives the records the real pipeline produced for the seeds, and notes which were asked for."""

    def __init__(self, results):
        self.by_hash = {r.article.content_hash: r for r in results}
        self.asked: list[str] = []

    def __call__(self, articles):
        self.asked += [a.file_name for a in articles]
        return [self.by_hash[a.content_hash] for a in articles]


def _diff(expected, actual) -> str:
    only_e, only_a = sorted(set(expected) - set(actual)), sorted(set(actual) - set(expected))
    return f"only in full build: {only_e[:5]}\nonly in incremental: {only_a[:5]}"


def test_cache_docresult_json_roundtrip(seeds_results):
    for result in seeds_results:
        assert result.facts and result.entities
        assert from_json(json.loads(json.dumps(to_json(result)))) == result


def test_cache_incremental_build_equals_full_build(tmp_path, seeds_dir, seeds_results, seeds_graph):
    files = sorted(seeds_dir.glob("*.txt"))
    first, rest = files[:3], files[3:]
    analyzer = RecordingAnalyzer(seeds_results)
    with BuildState.open(tmp_path, extractor="test") as state:
        state.update(iter_articles(first), analyze=analyzer)
    assert analyzer.asked == [p.name for p in first]
    analyzer.asked.clear()
    with BuildState.open(tmp_path, extractor="test") as state:
        report = state.update(iter_articles(rest), analyze=analyzer)
        g = to_graph(corpus_of(state.results()))
    assert analyzer.asked == [p.name for p in rest], "articles already in the build were analysed again"
    assert report.analysed == [p.name for p in rest]
    assert set(g) == set(seeds_graph), _diff(seeds_graph, g)


def test_cache_readding_is_a_noop(tmp_path, seeds_dir, seeds_results):
    analyzer = RecordingAnalyzer(seeds_results)
    with BuildState.open(tmp_path, extractor="test") as state:
        state.update(iter_articles([seeds_dir]), analyze=analyzer)
        before = set(to_graph(corpus_of(state.results())))
    saved = {p: p.read_bytes() for p in tmp_path.rglob("*.json")}
    analyzer.asked.clear()
    again = sorted(seeds_dir.glob("*.txt"))[1]
    with BuildState.open(tmp_path, extractor="test") as state:
        report = state.update(iter_articles([again]), analyze=analyzer)
        after = set(to_graph(corpus_of(state.results())))
    assert analyzer.asked == [] and report.unchanged == [again.name]
    assert after == before
    assert {p: p.read_bytes() for p in tmp_path.rglob("*.json")} == saved
    assert not list(tmp_path.rglob("*.tmp")), "a temporary file was left behind"


def test_cache_extractor_change_reanalyses_every_member(tmp_path, seeds_dir, seeds_results):
    analyzer = RecordingAnalyzer(seeds_results)
    with BuildState.open(tmp_path, extractor="rules-v1") as state:
        state.update(iter_articles([seeds_dir]), analyze=analyzer)
    analyzer.asked.clear()
    with BuildState.open(tmp_path, extractor="rules-v2") as state:
        assert all(state.cached(a) is None for a in iter_articles([seeds_dir]))
        report = state.update([], analyze=analyzer)  # no input given: members are re-read from the cache
        assert len(state.results()) == len(seeds_results)
    assert sorted(analyzer.asked) == sorted(p.name for p in seeds_dir.glob("*.txt"))
    assert sorted(report.analysed) == sorted(analyzer.asked)


def test_cache_refuses_a_foreign_directory(tmp_path):
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(ValueError, match="not a build directory"):
        BuildState.open(tmp_path, extractor="test")


def test_cache_new_alias_attaches_to_existing_person(tmp_path, nlp):
    """A later article naming a person by surname only joins the person built before."""
    from rdflib import RDF, Literal
    from rdflib.namespace import SKOS

    from kg.build.pipeline import build_into
    from kg.graph.vocab import DIP

    one, two = tmp_path / "one", tmp_path / "two"
    one.mkdir(), two.mkdir()
    (one / "a.txt").write_text("Le ministre des Affaires étrangères, Pavel Ostrakov, a affirmé que "
                               "la trêve tiendrait.\n", encoding="utf-8")
    (two / "b.txt").write_text("Selon Ostrakov, les discussions reprendront lundi.\n", encoding="utf-8")
    g1, _ = build_into(tmp_path / "build", [one], workers=1)
    people1 = set(g1.subjects(RDF.type, DIP.Person))
    g2, report = build_into(tmp_path / "build", [two], workers=1)
    assert report.analysed == ["b.txt"]
    people2 = set(g2.subjects(RDF.type, DIP.Person))
    assert people1 == people2 and len(people2) == 1
    person = people2.pop()
    assert (person, SKOS.altLabel, Literal("Ostrakov")) in g2
    assert len(list(g2.objects(person, DIP.stated))) == 2


def test_cli_build_into_is_byte_identical_across_processes(tmp_path, seeds_dir, seeds_results, seeds_graph):
    """`kg build --into` on a filled build: no analysis, and the same bytes whatever the hash seed."""
    from kg.graph.formats import write_graph

    extractor_version.cache_clear()  # the subprocesses hash the sources as they are now
    with BuildState.open(tmp_path / "build", extractor=extractor_version()) as state:
        state.update(iter_articles([seeds_dir]), analyze=RecordingAnalyzer(seeds_results))
    expected = tmp_path / "expected.ttl"
    write_graph(seeds_graph, expected)
    outputs = []
    for seed in ("1", "2"):
        out = tmp_path / f"out-{seed}.ttl"
        proc = subprocess.run([sys.executable, "-m", "kg.cli", "build", "--into", str(tmp_path / "build"),
                               str(seeds_dir), "-o", str(out)], capture_output=True, text=True,
                              env={**os.environ, "PYTHONHASHSEED": seed}, timeout=300)
        assert proc.returncode == 0, proc.stderr
        assert "0 analysed" in proc.stderr, proc.stderr
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1] == expected.read_bytes()
    assert json.loads((tmp_path / "build" / STATE_FILE).read_text(encoding="utf-8"))["extractor"] == extractor_version()


def test_cache_key_covers_patterns_lexicons_and_what_shapes_records():
    from kg.build.cache import extractor_files

    files = {p.name for p in extractor_files()}
    for needed in ("meetings.yml", "statements.yml", "roles.yml", "entities.yml", "reporting_verbs.txt",
                   "titles.tsv", "patterns.py", "resolve.py", "ingest.py", "pipeline.py", "dates.py"):
        assert needed in files, f"{needed} does not key the build cache"
    assert not any(name.endswith(".pyc") for name in files)
