"""Shared fixtures: the real French pipeline and the seeds graph, built once per test session."""
from __future__ import annotations

import threading
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"


@pytest.fixture(scope="session")
def nlp():
    from kg.extract.nlp import load

    return load()


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    return SEEDS


@pytest.fixture(scope="session")
def seeds_results(nlp, seeds_dir):
    """The records of every seed article, from the real pipeline (sorted by doc id)."""
    from kg.build.pipeline import analyze_all
    from kg.input.articles import iter_articles

    return analyze_all(list(iter_articles([seeds_dir])), workers=1)


@pytest.fixture(scope="session")
def seeds_graph():
    """The graph of the five seed articles, built by the real pipeline (in-process)."""
    from kg.build.pipeline import build_graph

    return build_graph([SEEDS], workers=1)


@pytest.fixture(scope="session")
def seeds_ttl(tmp_path_factory, seeds_graph) -> Path:
    from kg.graph.formats import write_graph

    path = tmp_path_factory.mktemp("seeds") / "seeds.ttl"
    write_graph(seeds_graph, path)
    return path


@pytest.fixture(scope="session")
def serving():
    """``with serving(STORE) as url``: `kg serve` of the store in a thread of this process, stopped after."""
    from kg.stores.serve import make_server

    @contextmanager
    def serve(store: Path):
        server = make_server(store, host="127.0.0.1", port=0, workers=1)
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        try:
            yield server.url
        finally:
            server.close()
            thread.join(timeout=10)
        assert not thread.is_alive()
    return serve
