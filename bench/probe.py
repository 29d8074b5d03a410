"""One measurement in a fresh process, printed as JSON: ``python -m bench.probe KIND ARGS...``.

Kinds: ``raw DIR N`` (spaCy alone), ``stages DIR`` (the build stage by stage, one process),
``shacl GRAPH.nt`` and ``sparql GRAPH.nt STORE_DIR QUERY.rq...`` (graph sizes).
"""
from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
from pathlib import Path


class Clock:
    """Wall and CPU seconds spent in named stages."""

    def __init__(self) -> None:
        self.wall: dict[str, float] = {}
        self.cpu: dict[str, float] = {}

    def add(self, stage: str, wall0: float, cpu0: float) -> None:
        self.wall[stage] = self.wall.get(stage, 0.0) + time.perf_counter() - wall0
        self.cpu[stage] = self.cpu.get(stage, 0.0) + time.process_time() - cpu0

    @staticmethod
    def now() -> tuple[float, float]:
        return time.perf_counter(), time.process_time()


def raw(folder: Path, n_process: int) -> dict:
    """The baseline: load the same model with the same components and run nlp.pipe over the files."""
    import spacy

    from kg.nlp import MODEL

    nlp = spacy.load(MODEL, exclude=["senter"])
    texts = (p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.txt")))
    n = sum(1 for _ in nlp.pipe(texts, n_process=n_process))
    return {"docs": n, "pipes": nlp.pipe_names}


def stages(folder: Path) -> dict:
    """The build of ``folder`` in one process with every stage timed separately."""
    from kg import nlp as nlp_mod
    from kg.extract import extract
    from kg.formats import write_graph
    from kg.ingest import iter_articles
    from kg.mapping import to_graph
    from kg.pipeline import CHUNK, body_text, corpus_of
    from kg.validate import validate

    clock = Clock()
    t = clock.now()
    nlp = nlp_mod.load()
    clock.add("model load", *t)
    t = clock.now()
    articles = list(iter_articles([folder]))
    clock.add("reading", *t)
    results = []
    for k in range(0, len(articles), CHUNK):
        chunk = articles[k:k + CHUNK]
        t = clock.now()
        docs = list(nlp.pipe((body_text(a) for a in chunk), batch_size=len(chunk)))
        clock.add("parsing", *t)
        t = clock.now()
        results += [extract(doc, a) for doc, a in zip(docs, chunk)]
        clock.add("extraction", *t)
    t = clock.now()
    corpus = corpus_of(results)
    clock.add("resolution", *t)
    t = clock.now()
    g = to_graph(corpus)
    clock.add("mapping", *t)
    t = clock.now()
    with tempfile.TemporaryDirectory() as tmp:
        write_graph(g, Path(tmp) / "out.ttl")
    clock.add("writing", *t)
    t = clock.now()
    conforms = validate(g).conforms
    clock.add("validation", *t)
    return {"wall": clock.wall, "cpu": clock.cpu, "triples": len(g), "conforms": conforms}


def shacl(graph_file: Path) -> dict:
    """pyshacl validation (rdflib graph in memory) of an N-Triples file."""
    from rdflib import Graph

    from kg.validate import validate

    t = time.perf_counter()
    g = Graph().parse(graph_file, format="nt")
    parsed = time.perf_counter() - t
    t = time.perf_counter()
    result = validate(g)
    return {"triples": len(g), "parse_s": parsed, "validate_s": time.perf_counter() - t,
            "conforms": result.conforms}


def sparql(graph_file: Path, store_dir: Path, queries: list[Path], *, repeat: int = 3) -> dict:
    """Load time and median query latency: rdflib in memory against the pyoxigraph on-disk store."""
    import pyoxigraph as ox
    from rdflib import Graph

    t = time.perf_counter()
    g = Graph().parse(graph_file, format="nt")
    rdflib_load = time.perf_counter() - t
    t = time.perf_counter()
    store = ox.Store(str(store_dir))
    store.bulk_load(path=str(graph_file), format=ox.RdfFormat.N_TRIPLES)
    store.flush()
    ox_load = time.perf_counter() - t
    out = {"triples": len(g), "rdflib_load_s": rdflib_load, "oxigraph_load_s": ox_load, "queries": {}}
    for q in queries:
        text = q.read_text(encoding="utf-8")
        timings: dict[str, list[float]] = {"rdflib": [], "oxigraph": []}
        rows = {}
        for k in range(repeat):
            if k == 0 or timings["rdflib"][0] < 1.0:  # one run of a slow query says enough
                t = time.perf_counter()
                rows["rdflib"] = len(list(g.query(text)))
                timings["rdflib"].append(time.perf_counter() - t)
            t = time.perf_counter()
            rows["oxigraph"] = len(list(store.query(text)))
            timings["oxigraph"].append(time.perf_counter() - t)
        out["queries"][q.stem] = {"rows": rows, **{k: statistics.median(v) for k, v in timings.items()}}
    return out


def main(argv: list[str]) -> int:
    kind, *args = argv
    if kind == "raw":
        out = raw(Path(args[0]), int(args[1]))
    elif kind == "stages":
        out = stages(Path(args[0]))
    elif kind == "shacl":
        out = shacl(Path(args[0]))
    elif kind == "sparql":
        out = sparql(Path(args[0]), Path(args[1]), [Path(a) for a in args[2:]])
    else:
        print(f"bench.probe: unknown kind {kind!r}", file=sys.stderr)
        return 2
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
