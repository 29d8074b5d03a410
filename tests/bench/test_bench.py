"""The benchmark corpus generator is reproducible and the bench harness runs end to end."""
from __future__ import annotations

import re

import pytest
from rdflib import Graph

from bench import corpus
from bench.run import Mode, replicate, run, table


def test_corpus_article_is_deterministic_and_seeded():
    assert corpus.article(3, seed=1) == corpus.article(3, seed=1)
    assert corpus.article(3, seed=1) != corpus.article(3, seed=2)
    assert corpus.article(3, seed=1) != corpus.article(4, seed=1)


def test_corpus_smaller_corpus_is_a_prefix_of_a_larger_one(tmp_path):
    small = corpus.write_corpus(tmp_path / "a", 3, seed=5)
    big = corpus.write_corpus(tmp_path / "b", 6, seed=5)
    assert [p.read_text(encoding="utf-8") for p in small] == [p.read_text(encoding="utf-8") for p in big[:3]]


def test_corpus_articles_vary_and_leave_no_template_holes():
    texts = [corpus.article(i) for i in range(200)]
    lengths = [len(t.split()) for t in texts]
    assert min(lengths) < 100 < 300 < max(lengths)  # short notes and long analyses
    assert len(set(texts)) == len(texts)
    for t in texts:
        assert not re.search(r"[{}]|\bNone\b|  |\bde le\b|\bà le\b|\bque [aeiou]", t), t
    assert sum("source: https://example.org/" in t for t in texts) > 10  # some keep page chrome


def test_replicate_writes_exact_size_with_distinct_resources(tmp_path):
    base = tmp_path / "base.nt"
    base.write_text('<https://w3id.org/diplomacy-kg/id/person/a> <http://www.w3.org/2000/01/rdf-schema#label> "A" .\n'
                    '<https://w3id.org/diplomacy-kg/id/person/a> <https://w3id.org/diplomacy-kg/ontology#metWith> '
                    '<https://w3id.org/diplomacy-kg/id/person/b> .\n', encoding="utf-8")
    n = replicate(base, tmp_path / "big.nt", 7)
    g = Graph().parse(tmp_path / "big.nt", format="nt")
    assert n == len(g) == 7
    assert len(set(g.subjects())) == 4  # copies 0..3 of person/a


@pytest.mark.slow
def test_bench_tiny_run_end_to_end(tmp_path):
    res = run(Mode(articles=3, scaling=(), graph_sizes=(400,), timeout=120, workers=(1,)), tmp_path,
              mode_name="test")
    build = res["throughput"][1]["build"]
    assert build["wall_s"] > 0 and build["peak_rss_mb"] > 50  # spaCy's model alone is larger
    assert len(Graph().parse(tmp_path / "build_w1.nt", format="nt")) > 50
    assert {"parsing", "extraction", "resolution", "mapping", "writing"} <= set(res["stages"]["cpu"])
    sparql = res["graphs"][400]["sparql"]["out"]
    assert sparql["triples"] == 400
    for q in sparql["queries"].values():  # both engines answer the same
        assert q["rows"]["rdflib"] == q["rows"]["oxigraph"]
    text = table(res)
    assert "| 1 |" in text and "after parsing <= 10% of build" in text
