"""The build: articles -> spaCy Docs -> records -> resolved corpus -> RDF graph."""
from __future__ import annotations

import dataclasses
import functools
import gc
import itertools
import multiprocessing as mp
import os
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path

from rdflib import Graph

from kg import lexicon, nlp as nlp_mod
from kg.extract import extract
from kg.ingest import iter_articles
from kg.mapping import Triples, graph_of, to_triples
from kg.progress import Stopwatch
from kg.records import Article, DocResult
from kg.resolve import Corpus, resolve

Progress = Callable[[int, Article], None]


def body_text(article: Article) -> str:
    """The normalised text with everything outside the article body blanked (offsets kept)."""
    text = nlp_mod.normalise(article.text)
    if not article.body:
        return text
    chars = [c if c == "\n" else " " for c in text]
    for start, end in article.body:
        chars[start:end] = text[start:end]
    return "".join(chars)


def analyze(article: Article) -> DocResult:
    """Extract the records of one article (loads the pipeline once per process)."""
    doc = nlp_mod.load()(body_text(article))
    return extract(doc, article)


# Articles per nlp.pipe call: batching saves ~15% CPU over one nlp() call per article
# (bench/, same run), and small chunks keep both workers busy until the end.
CHUNK = 16
# Chunks a worker analyses before a fresh one is forked in its place. A worker's memory grows as it
# touches more of the model it shares with the parent (each page it writes to, if only to count a
# reference, becomes its own copy) and keeps the peak of its biggest batch: renewed workers keep the
# build's memory flat however many articles it reads, for the cost of a fork every 64 articles.
WORKER_TASKS = 4


def analyze_batch(articles: list[Article], *, keep_text: bool = True) -> list[DocResult]:
    """Extract the records of several articles with one ``nlp.pipe`` call; no Doc outlives it.

    Without ``keep_text`` the records' articles have no text (nor body ranges): only the build cache
    needs them, and a build holds the records of every article until it maps them.
    """
    docs = nlp_mod.load().pipe((body_text(a) for a in articles), batch_size=len(articles) or 1)
    results = [extract(doc, article) for doc, article in zip(docs, articles)]
    if keep_text:
        return results
    return [dataclasses.replace(r, article=dataclasses.replace(r.article, text="", body=())) for r in results]


def _chunks(articles: Iterable[Article], size: int, gate: threading.Semaphore) -> Iterator[list[Article]]:
    """Lists of ``size`` articles, read only when ``gate`` lets one more chunk be in flight."""
    chunk: list[Article] = []
    for article in articles:
        chunk.append(article)
        if len(chunk) == size:
            gate.acquire()
            yield chunk
            chunk = []
    if chunk:
        gate.acquire()
        yield chunk


def analyze_all(articles: Iterable[Article], *, workers: int = 1, progress: Progress | None = None,
                stopwatch: Stopwatch | None = None, keep_text: bool = True) -> list[DocResult]:
    """Analyze articles, in ``workers`` processes when more than one.

    Articles are read as they are needed (at most a few chunks per worker in flight), so memory
    holds the small DocResults, never the input corpus or the Docs. The model is loaded once, before
    the workers start, so that they share it (timed as the stage "model"; "analysis" is the rest).
    ``keep_text`` as for analyze_batch.
    """
    watch = stopwatch or Stopwatch()
    results: list[DocResult] = []
    gate = threading.Semaphore(1 if workers <= 1 else 3 * workers)
    chunks = _chunks(articles, CHUNK, gate)
    first = next(chunks, None)
    if first is None:  # nothing to analyse (e.g. every article cached): no model to load
        return results
    with watch.stage("model"):
        nlp_mod.load()
    with watch.stage("analysis"):
        todo = itertools.chain([first], chunks)
        # fork: the workers inherit the loaded model instead of loading their own
        ctx = mp.get_context("fork" if "fork" in mp.get_all_start_methods() else "spawn")
        with _frozen(enabled=workers > 1), \
                ctx.Pool(workers, maxtasksperchild=WORKER_TASKS) if workers > 1 else nullcontext() as pool:
            # Pool.imap feeds tasks from a thread that would otherwise read the whole input at once.
            analyze = functools.partial(analyze_batch, keep_text=keep_text)
            for batch in pool.imap(analyze, todo) if pool else map(analyze, todo):
                gate.release()
                for result in batch:
                    results.append(result)
                    if progress:
                        progress(len(results), result.article)
    return results


@contextmanager
def _frozen(*, enabled: bool) -> Iterator[None]:
    """The objects of this process (the model above all) out of the cyclic collector's reach while
    workers share them: its passes write to every object, here and in each worker, and each page
    written to becomes a private copy (measured: 3k articles peak at 820 MB with, 970 MB without)."""
    if not enabled:
        yield
        return
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def worker_count(workers: int | None) -> int:
    """The number of processes a build uses: ``workers``, or all cores when not given."""
    return workers or os.cpu_count() or 1


def corpus_of(results: list[DocResult]) -> Corpus:
    return resolve(results, lexicon_labels=lexicon.load().labels())


def build_triples(inputs: list[Path], *, workers: int | None = None, progress: Progress | None = None,
                  on_skip: Callable[[Path, str], None] | None = None,
                  on_notice: Callable[[Path, str], None] | None = None,
                  stopwatch: Stopwatch | None = None) -> Triples:
    """The triples of every article found in ``inputs`` (files or folders); `kg build` writes them.

    ``stopwatch`` receives the time of each stage: model, analysis, resolution, mapping.
    """
    workers = worker_count(workers)
    watch = stopwatch or Stopwatch()
    results = analyze_all(iter_articles(inputs, on_skip=on_skip, on_notice=on_notice), workers=workers,
                          progress=progress, stopwatch=watch, keep_text=False)
    return _map(results, watch)


def _map(results: list[DocResult], watch: Stopwatch) -> Triples:
    with watch.stage("resolution"):
        corpus = corpus_of(results)
    with watch.stage("mapping"):
        return to_triples(corpus)


def build_graph(inputs: list[Path], **options) -> Graph:
    """Build the RDF graph of every article found in ``inputs``; options as for build_triples."""
    return graph_of(build_triples(inputs, **options))


def build_triples_into(state_dir: Path, inputs: list[Path], *, workers: int | None = None,
                       progress: Progress | None = None, on_skip: Callable[[Path, str], None] | None = None,
                       on_notice: Callable[[Path, str], None] | None = None,
                       stopwatch: Stopwatch | None = None):
    """Add the articles in ``inputs`` to the build in ``state_dir``; triples of all its articles.

    Returns (triples, kg.cache.BuildReport). Only articles whose content is not cached for the
    current extractor run through spaCy; resolution and mapping re-run over every member.
    """
    from kg.cache import BuildState, extractor_version

    workers = worker_count(workers)
    watch = stopwatch or Stopwatch()
    with BuildState.open(state_dir, extractor=extractor_version()) as state:
        report = state.update(iter_articles(inputs, on_skip=on_skip, on_notice=on_notice),
                              analyze=lambda todo: analyze_all(todo, workers=workers, progress=progress,
                                                               stopwatch=watch))
        return _map(state.results(), watch), report


def build_into(state_dir: Path, inputs: list[Path], **options):
    """As build_triples_into, with the triples as an rdflib Graph: returns (graph, BuildReport)."""
    triples, report = build_triples_into(state_dir, inputs, **options)
    return graph_of(triples), report
