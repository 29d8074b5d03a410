"""Golden cases: each folder holds article.txt and the hand-reviewed graph expected from it.

Compared by isomorphism; on failure the triples only in one of the graphs are listed, sorted.
A regression found in real text gets a case of its own here.
"""
from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.compare import graph_diff, to_isomorphic

from kg.build.pipeline import build_graph

CASES = sorted(p for p in Path(__file__).parent.iterdir() if (p / "article.txt").is_file())


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_golden_case_builds_the_expected_graph(case):
    actual = build_graph([case / "article.txt"], workers=1)
    expected = Graph().parse(case / "expected.ttl")
    iso_actual, iso_expected = to_isomorphic(actual), to_isomorphic(expected)
    if iso_actual != iso_expected:
        _, only_expected, only_actual = graph_diff(iso_expected, iso_actual)
        lines = ["only in expected:"] + sorted(f"  {t}" for t in only_expected.triples((None, None, None)))
        lines += ["only in actual:"] + sorted(f"  {t}" for t in only_actual.triples((None, None, None)))
        pytest.fail("\n".join(lines))
