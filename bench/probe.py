"""One measurement in a fresh process, printed as JSON: ``python -m bench.probe KIND ARGS...``.

Kinds: ``raw DIR N`` (spaCy alone), ``stages DIR OUT.nt`` (the build stage by stage, one process),
``graph GRAPH.nt STORE_DIR RDFLIB_TIMEOUT QUERY.rq...`` (validation and queries on one graph size),
``serve GRAPH.nt STORE_DIR CLIENTS REQUESTS BUDGET_S`` (`kg serve` under concurrent clients, bench/serve.py),
``reduce DIR SIZE...`` (the resolution and mapping a cluster build leaves to its client, against corpus size).
"""
from __future__ import annotations

import json
import multiprocessing as mp
import statistics
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class Clock:
    """Wall and CPU seconds spent in named stages."""

    def __init__(self) -> None:
        from kg.progress import Stopwatch

        self.wall, self.cpu = Stopwatch(), Stopwatch(clock=time.process_time)

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        with self.wall.stage(name), self.cpu.stage(name):
            yield


def raw(folder: Path, n_process: int) -> dict:
    """The baseline: load the same model with the same components and run nlp.pipe over the files."""
    import spacy

    from kg.extract.nlp import MODEL

    t = time.perf_counter()
    nlp = spacy.load(MODEL, exclude=["senter"])
    loaded = time.perf_counter()
    texts = (p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.txt")))
    n = sum(1 for _ in nlp.pipe(texts, n_process=n_process))
    return {"docs": n, "pipes": nlp.pipe_names, "load_s": loaded - t, "pipe_s": time.perf_counter() - loaded}


def stages(folder: Path, out: Path) -> dict:
    """The build of ``folder`` in one process with every stage timed separately, written to ``out``
    (kept for the graph sizes), then `kg validate` of that file."""
    from kg.build.pipeline import CHUNK, body_text, corpus_of
    from kg.checks.shacl import validate
    from kg.extract import extract
    from kg.extract import nlp as nlp_mod
    from kg.extract.components import COMPONENTS
    from kg.graph.formats import read_graph, write_graph
    from kg.graph.mapping import to_triples
    from kg.input.articles import iter_articles

    clock = Clock()
    with clock.stage("model load"):
        nlp = nlp_mod.load()
    with clock.stage("reading"):
        articles = list(iter_articles([folder]))
    results = []
    for k in range(0, len(articles), CHUNK):
        chunk = articles[k:k + CHUNK]
        with clock.stage("parsing"), nlp.select_pipes(disable=list(COMPONENTS)):  # spaCy's own components
            docs = list(nlp.pipe((body_text(a) for a in chunk), batch_size=len(chunk)))
        with clock.stage("extraction"):  # the rule components, then the records
            rules = [nlp.get_pipe(name) for name in COMPONENTS]
            for doc, a in zip(docs, chunk):
                for rule in rules:
                    doc = rule(doc)
                results.append(extract(doc, a))
    with clock.stage("resolution"):
        corpus = corpus_of(results)
    with clock.stage("mapping"):
        triples = to_triples(corpus)
    with clock.stage("writing"):
        write_graph(triples, out)
    with clock.stage("validation"):
        conforms = validate(read_graph(out)).conforms
    return {"wall": clock.wall.seconds, "cpu": clock.cpu.seconds, "triples": len(triples), "conforms": conforms,
            "output": str(out)}


def reduce(folder: Path, sizes: list[int]) -> dict:
    """Resolution and mapping (the reduce, which a cluster build runs on its client) at each corpus size:
    the records of ``folder``, analysed here with all cores, copied under new article ids up to the size.

    The copies keep the names of the original articles: the same actors recur across a corpus, so the
    blocks of names that resolution compares grow with its size, as they would in a real archive.
    """
    import dataclasses
    import gc

    from kg.build.pipeline import analyze_all, corpus_of, worker_count
    from kg.graph.mapping import to_triples
    from kg.input.articles import iter_articles

    base = analyze_all(iter_articles([folder]), workers=worker_count(None), keep_text=False)

    def copy(k: int):
        r, n = base[k % len(base)], k // len(base)
        if n == 0:
            return r
        art = dataclasses.replace(r.article, doc_id=f"{r.article.doc_id}-c{n}", file_name=f"c{n}-{r.article.file_name}")
        return dataclasses.replace(r, article=art)

    out: dict = {"analysed": len(base), "sizes": {}}
    for size in sizes:
        records = [copy(k) for k in range(size)]
        gc.collect()
        clock = Clock()
        with clock.stage("resolution"):
            corpus = corpus_of(records)
        with clock.stage("mapping"):
            triples = len(to_triples(corpus))  # len: the spilled runs merged, as before writing
        out["sizes"][size] = {"wall": clock.wall.seconds, "cpu": clock.cpu.seconds, "entities": len(corpus.entities),
                              "triples": triples}
        del records, corpus
    return out


def graph(graph_file: Path, store_dir: Path, queries: list[Path], *, rdflib_timeout: float, repeat: int = 3) -> dict:
    """One graph size: SHACL validation (`kg validate`'s function, all cores) of the rdflib graph read
    as `kg validate` reads it, then load time and median query latency, rdflib in memory against the
    pyoxigraph store.

    An rdflib query slower than ``rdflib_timeout`` seconds is stopped and reported as None.
    """
    import pyoxigraph as ox

    from kg.checks.shacl import validate
    from kg.graph.formats import read_graph

    t = time.perf_counter()
    g = read_graph(graph_file)  # an rdflib Graph (pyoxigraph parses N-Triples for it)
    rdflib_load = time.perf_counter() - t
    t = time.perf_counter()
    conforms = validate(g).conforms
    validate_s = time.perf_counter() - t
    t = time.perf_counter()
    store = ox.Store(str(store_dir))
    store.bulk_load(path=str(graph_file), format=ox.RdfFormat.N_TRIPLES)
    store.flush()
    ox_load = time.perf_counter() - t
    out = {"triples": len(g), "rdflib_load_s": rdflib_load, "validate_s": validate_s, "conforms": conforms,
           "oxigraph_load_s": ox_load, "queries": {}}
    for q in queries:
        text = q.read_text(encoding="utf-8")
        timings: dict[str, list[float]] = {"rdflib": [], "oxigraph": []}
        rows = {}
        for k in range(repeat):
            if k == 0 or timings["rdflib"] and timings["rdflib"][0] < 1.0:  # one run of a slow query says enough
                answer = _stoppable(lambda text=text: len(list(g.query(text))), rdflib_timeout)
                if answer is not None:
                    timings["rdflib"].append(answer[0])
                    rows["rdflib"] = answer[1]
            t = time.perf_counter()
            rows["oxigraph"] = len(list(store.query(text)))
            timings["oxigraph"].append(time.perf_counter() - t)
        out["queries"][q.stem] = {"rows": rows, **{k: statistics.median(v) if v else None for k, v in timings.items()}}
    return out


def _stoppable(work, timeout: float) -> tuple[float, object] | None:
    """(seconds, result) of ``work()`` run in a forked child (it shares the loaded graph), or None
    when it takes longer than ``timeout`` seconds: a thread could not be stopped."""
    ctx = mp.get_context("fork")
    receive, send = ctx.Pipe(duplex=False)

    def child() -> None:
        t = time.perf_counter()
        result = work()
        send.send((time.perf_counter() - t, result))

    proc = ctx.Process(target=child, daemon=True)
    proc.start()
    answer = receive.recv() if receive.poll(timeout) else None
    proc.kill()
    proc.join()
    return answer


def main(argv: list[str]) -> int:
    kind, *args = argv
    if kind == "raw":
        out = raw(Path(args[0]), int(args[1]))
    elif kind == "stages":
        out = stages(Path(args[0]), Path(args[1]))
    elif kind == "graph":
        out = graph(Path(args[0]), Path(args[1]), [Path(a) for a in args[3:]], rdflib_timeout=float(args[2]))
    elif kind == "reduce":
        out = reduce(Path(args[0]), [int(a) for a in args[1:]])
    elif kind == "serve":
        from bench.serve import probe

        out = probe(Path(args[0]), Path(args[1]), clients=int(args[2]), requests=int(args[3]), budget_s=float(args[4]))
    else:
        print(f"bench.probe: unknown kind {kind!r}", file=sys.stderr)
        return 2
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
