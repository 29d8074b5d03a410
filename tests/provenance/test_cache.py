"""Incremental builds: the persistent build state in kg/build/cache.py, its key, and `kg build --into`."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import UTC
from pathlib import Path

import pytest

from kg.build.cache import STATE_FILE, BuildState, cache_key, extractor_files, extractor_version, package_root
from kg.build.codec import from_json, to_json
from kg.build.pipeline import corpus_of
from kg.graph.mapping import to_graph
from kg.input.articles import iter_articles


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
    assert (person, SKOS.altLabel, Literal("Ostrakov", lang="fr")) in g2
    assert len(list(g2.objects(person, DIP.stated))) == 2


def test_cli_build_into_is_byte_identical_across_processes(tmp_path, seeds_dir, seeds_results):
    """`kg build --into` on a filled build: no analysis, and the same bytes whatever the hash seed (the
    build time from SOURCE_DATE_EPOCH)."""
    from datetime import datetime
    from importlib import metadata

    from kg.build.pipeline import corpus_of
    from kg.graph.formats import write_graph
    from kg.graph.mapping import BuildInfo, to_triples

    extractor_version.cache_clear()  # the subprocesses hash the sources as they are now
    with BuildState.open(tmp_path / "build", extractor=extractor_version()) as state:
        state.update(iter_articles([seeds_dir]), analyze=RecordingAnalyzer(seeds_results))
    expected = tmp_path / "expected.ttl"
    when = datetime(2025, 3, 1, 12, tzinfo=UTC)
    build = BuildInfo(when, metadata.version("diplomacy-kg"), extractor_version())
    write_graph(to_triples(corpus_of(seeds_results), build=build), expected)
    outputs = []
    for seed in ("1", "2"):
        out = tmp_path / f"out-{seed}.ttl"
        proc = subprocess.run([sys.executable, "-m", "kg.cli", "build", "--into", str(tmp_path / "build"),
                               str(seeds_dir), "-o", str(out)], capture_output=True, text=True,
                              env={**os.environ, "PYTHONHASHSEED": seed,
                                   "SOURCE_DATE_EPOCH": str(int(when.timestamp()))}, timeout=300)
        assert proc.returncode == 0, proc.stderr
        assert "0 analysed" in proc.stderr, proc.stderr
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1] == expected.read_bytes()
    assert json.loads((tmp_path / "build" / STATE_FILE).read_text(encoding="utf-8"))["extractor"] == extractor_version()


def test_cache_key_covers_patterns_lexicons_and_what_shapes_records():
    files = {p.name for p in extractor_files()}
    for needed in ("meetings.yml", "statements.yml", "roles.yml", "entities.yml", "reporting_verbs.txt",
                   "titles.tsv", "patterns.py", "resolve.py", "pipeline.py", "dates.py", "codec.py"):
        assert needed in files, f"{needed} does not key the build cache"
    assert not any(name.endswith(".pyc") for name in files)


# One file of each kind that shapes the records, as a path in the kg package.
SHAPING = {
    "extractor": "extract/meetings.py",
    "spaCy pipeline": "extract/nlp.py",
    "language helpers": "lang/names.py",
    "input handling": "input/__init__.py",
    "body blanking before analysis": "build/pipeline.py",
    "resolution": "graph/resolve.py",
    "records": "records.py",
    "pattern file": "resources/fr/patterns/roles.yml",
    "lexicon": "resources/fr/titles.tsv",
}
MODEL, VERSIONS = "fr_core_news_md", {"diplomacy-kg": "0.1.0", "spacy": "3.8.2", "fr-core-news-md": "3.8.0"}


@pytest.fixture(scope="module")
def package_copy(tmp_path_factory) -> Path:
    """A copy of the kg package, to change its files without touching the checkout."""
    copy = tmp_path_factory.mktemp("key") / "kg"
    shutil.copytree(package_root(), copy, ignore=shutil.ignore_patterns("__pycache__"))
    return copy


@pytest.mark.parametrize("what", sorted(SHAPING))
def test_cache_key_changes_with_each_file_that_shapes_records(package_copy, what):
    path = package_copy / SHAPING[what]
    before = cache_key(package_copy, model=MODEL, versions=VERSIONS)
    saved = path.read_bytes()
    try:
        path.write_bytes(saved + b"\n")
        assert cache_key(package_copy, model=MODEL, versions=VERSIONS) != before, f"a changed {what} kept the key"
    finally:
        path.write_bytes(saved)
    assert cache_key(package_copy, model=MODEL, versions=VERSIONS) == before


def test_cache_key_changes_with_a_new_input_module_the_model_and_versions(package_copy):
    before = cache_key(package_copy, model=MODEL, versions=VERSIONS)
    added = package_copy / "input" / "added.py"
    added.write_text("X = 1\n", encoding="utf-8")
    try:
        assert cache_key(package_copy, model=MODEL, versions=VERSIONS) != before
    finally:
        added.unlink()
    assert cache_key(package_copy, model="fr_core_news_lg", versions=VERSIONS) != before
    for dist in VERSIONS:
        assert cache_key(package_copy, model=MODEL, versions={**VERSIONS, dist: "9.9.9"}) != before, dist


def test_cache_key_ignores_what_only_shapes_the_rdf(package_copy):
    """Mapping, checks, stores and the report re-run on every build: changing them keeps the cache."""
    before = cache_key(package_copy, model=MODEL, versions=VERSIONS)
    for name in ("graph/mapping.py", "graph/iri.py", "report/stats.py", "checks/shacl.py"):
        path = package_copy / name
        saved = path.read_bytes()
        path.write_bytes(saved + b"\n")
        try:
            assert cache_key(package_copy, model=MODEL, versions=VERSIONS) == before, name
        finally:
            path.write_bytes(saved)


def test_cache_key_of_this_installation_is_the_key_of_its_package():
    from kg.extract.nlp import MODEL as model

    extractor_version.cache_clear()
    key = extractor_version()
    assert key.startswith("sha256:") and key == extractor_version()
    assert key != cache_key(package_root(), model=model, versions={})  # the installed versions count
