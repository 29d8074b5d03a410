"""The build: articles -> spaCy Docs -> records -> resolved corpus -> RDF graph."""
from __future__ import annotations

import dataclasses
import functools
import gc
import itertools
import multiprocessing as mp
import os
import signal
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sized
from contextlib import contextmanager
from multiprocessing.pool import Pool
from pathlib import Path

from rdflib import Graph

from kg.extract import extract
from kg.extract import nlp as nlp_mod
from kg.graph.mapping import BuildInfo, Triples, graph_of, to_triples
from kg.graph.resolve import Corpus, resolve
from kg.input.articles import iter_articles
from kg.lang import lexicon
from kg.progress import Stopwatch
from kg.records import Article, DocResult

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


# Articles per nlp.pipe call: batching costs less than one nlp() call per article, and small chunks
# keep every worker busy until the end.
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


def batches_of(articles: Iterable[Article], size: int) -> Iterator[list[Article]]:
    """Lists of ``size`` articles (the last one shorter), read as they are asked for."""
    chunk: list[Article] = []
    for article in articles:
        chunk.append(article)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def analyze_all(articles: Iterable[Article], *, workers: int = 1, progress: Progress | None = None,
                stopwatch: Stopwatch | None = None, keep_text: bool = True) -> list[DocResult]:
    """Analyze articles, in ``workers`` processes when more than one.

    Articles are read as they are needed (at most a few chunks per worker in flight), so memory
    holds the small DocResults, never the input corpus or the Docs. The model is loaded once, before
    the workers start, so that they share it (timed as the stage "model"; "analysis" is the rest).
    ``keep_text`` as for analyze_batch. An exception or interrupt (KeyboardInterrupt) stops the
    workers before it goes on.
    """
    watch = stopwatch or Stopwatch()
    results: list[DocResult] = []
    chunks = batches_of(articles, CHUNK)
    first = next(chunks, None)
    if first is None:  # nothing to analyse (e.g. every article cached): no model to load
        return results
    with watch.stage("model"):
        nlp_mod.load()
    with watch.stage("analysis"):
        todo = itertools.chain([first], chunks)
        analyze = functools.partial(analyze_batch, keep_text=keep_text)
        with worker_pool(workers) as pool:
            for batch in _in_order(pool, analyze, todo, window=3 * workers) if pool else map(analyze, todo):
                for result in batch:
                    results.append(result)
                    if progress:
                        progress(len(results), result.article)
    return results


def _in_order(pool, fn: Callable, tasks: Iterable, *, window: int) -> Iterator:
    """``fn`` of each task, run in ``pool``, in the order of ``tasks``, with at most ``window`` in flight.

    Tasks are handed over from the calling thread: a reader blocked inside the pool's own feeder
    thread is what kept a 2-worker build from stopping on Ctrl-C. A worker killed by a signal (the
    kernel's out-of-memory killer, someone's kill) raises WorkerDied instead of waiting for ever for
    the task it took with it.
    """
    pending: deque = deque()
    for task in tasks:
        pending.append(pool.apply_async(fn, (task,)))
        if len(pending) >= window:
            yield _result(pending.popleft(), pool)
    while pending:
        yield _result(pending.popleft(), pool)


class WorkerDied(RuntimeError):
    """A worker process was killed while it analysed articles."""


def _result(result, pool: _Pool):
    """The value of a pool's AsyncResult, checking every half second that no worker was killed."""
    while True:
        try:
            return result.get(timeout=0.5)
        except mp.TimeoutError:
            pass
        for worker in list(pool.started):
            if worker.exitcode is not None and worker.exitcode < 0:
                name = signal.Signals(-worker.exitcode).name
                raise WorkerDied(f"a worker process was killed by {name} (out of memory?)")


class _Pool(Pool):
    """A Pool that keeps every worker it starts, renewed ones too, so that one killed can be noticed:
    Pool starts another in its place and waits for ever for the task the dead one took."""

    def __init__(self, *args, **kwargs):
        self.started: list[mp.Process] = []
        super().__init__(*args, **kwargs)

    def Process(self, ctx, *args, **kwargs):  # noqa: N802 (Pool's name for its process factory)
        process = super().Process(ctx, *args, **kwargs)
        self.started.append(process)
        return process


# Seconds the pool is given to stop by itself after an interrupt before its workers are killed.
STOP_S = 1.0


@contextmanager
def worker_pool(workers: int) -> Iterator[_Pool | None]:
    """A pool of ``workers`` forked processes (None for one: the caller's own process does the work).

    The workers ignore SIGINT (a Ctrl-C reaches the whole process group; the parent decides) and die
    with the parent (within PARENT_CHECK_S), even when it is killed with SIGKILL. Leaving the block by
    an exception or an interrupt stops them within about STOP_S seconds, whatever state they are in.
    """
    if workers <= 1:
        yield None
        return
    # fork: the workers inherit the loaded model instead of loading their own
    ctx = mp.get_context("fork" if "fork" in mp.get_all_start_methods() else "spawn")
    before = {p.pid for p in mp.active_children() if p.pid is not None}
    pool = None
    with _frozen(enabled=True):
        try:
            with _signals_held():
                pool = _Pool(workers, initializer=_worker_started, initargs=(os.getpid(),),
                             maxtasksperchild=WORKER_TASKS, context=ctx)
            yield pool
            pool.close()
            pool.join()
            # its finalizer, here rather than when the pool is collected: an interrupt raised in a
            # weakref callback would be dropped (and printed)
            pool.terminate()
        except BaseException:
            _stop(pool, spare=before)
            raise


def _stop(pool: Pool | None, *, spare: set[int]) -> None:
    """Stop ``pool`` and kill whatever children it leaves (but those in ``spare``) after STOP_S.

    Pool.terminate alone can wait for ever: on a lock a killed worker held, or on a worker
    busy with its chunk. It runs in a thread of its own, given STOP_S seconds.
    """
    if pool is not None:
        stopper = threading.Thread(target=pool.terminate, name="kg-pool-stop", daemon=True)
        stopper.start()
        stopper.join(STOP_S)
    for child in mp.active_children():
        if child.pid not in spare:
            child.kill()
            child.join(STOP_S)


_STOP_SIGNALS = {signal.SIGINT, signal.SIGTERM}


@contextmanager
def _signals_held() -> Iterator[None]:
    """SIGINT and SIGTERM held back from this thread while the pool forks its first workers and starts
    its threads (which keep the mask, so signals only ever reach the main thread). A signal handled
    inside a fork's after-fork hooks would be lost: Python prints and drops exceptions raised there."""
    held = threading.current_thread() is threading.main_thread()
    if held:
        signal.pthread_sigmask(signal.SIG_BLOCK, _STOP_SIGNALS)
    try:
        yield
    finally:
        if held:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOP_SIGNALS)


def _worker_started(parent: int) -> None:
    """Set up a worker process: signals left to the parent, and death with the parent."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOP_SIGNALS)  # held while the parent forked it
    threading.Thread(target=_watch_parent, args=(parent,), name="kg-parent-watch", daemon=True).start()


# How often a worker checks that its parent is alive. (Linux's PR_SET_PDEATHSIG fires when the
# thread that forked a worker ends: the pool's own thread forks the renewed ones, and ends with the
# pool, killing them while one may hold the lock of the task queue: the pool then waits for ever.)
PARENT_CHECK_S = 0.2


def _watch_parent(parent: int) -> None:
    """End this worker when its parent is gone (killed with SIGKILL, it could not stop its workers)."""
    while os.getppid() == parent:
        time.sleep(PARENT_CHECK_S)
    os._exit(1)


@contextmanager
def _frozen(*, enabled: bool) -> Iterator[None]:
    """The objects of this process (the model above all) out of the cyclic collector's reach while
    workers share them: its passes write to every object, here and in each worker, and each page
    written to becomes a private copy."""
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


def _analyze(articles: Iterable[Article], *, workers: int, cluster: str | None, **options) -> list[DocResult]:
    """analyze_all, or the same analysis on the Dask cluster at ``cluster`` (kg.build.cluster) when given."""
    if cluster is None:
        return analyze_all(articles, workers=workers, **options)
    from kg.build.cluster import analyze_on

    return analyze_on(cluster, articles, **options)


def build_triples(inputs: list[Path], *, workers: int | None = None, progress: Progress | None = None,
                  on_skip: Callable[[Path, str], None] | None = None,
                  on_notice: Callable[[Path, str], None] | None = None,
                  stopwatch: Stopwatch | None = None, cluster: str | None = None, **mapping) -> Triples:
    """The triples of every article found in ``inputs`` (files or folders); `kg build` writes them.

    ``stopwatch`` receives the time of each stage: model, analysis, resolution, mapping. With
    ``cluster`` (``tcp://HOST:PORT`` or ``local:N``) the articles are analysed on that Dask cluster
    (stage "cluster" instead of "model"; ``workers`` does not apply) and the triples are the same.
    ``mapping``: ``authorities`` and ``build`` as for kg.graph.mapping.to_triples (the skipped count is
    this run's).
    """
    workers = worker_count(workers)
    watch = stopwatch or Stopwatch()
    on_skip, skipped = _counted(on_skip)
    results = _analyze(iter_articles(inputs, on_skip=on_skip, on_notice=on_notice), workers=workers,
                       cluster=cluster, progress=progress, stopwatch=watch, keep_text=False)
    return _map(results, watch, skipped=skipped, **mapping)


def _counted(on_skip: Callable[[Path, str], None] | None):
    """``on_skip`` and a list that holds every input it was called for."""
    skipped: list[Path] = []

    def counted(path: Path, why: str) -> None:
        skipped.append(path)
        if on_skip is not None:
            on_skip(path, why)
    return counted, skipped


def _map(results: list[DocResult], watch: Stopwatch, *, skipped: Sized = (), build: BuildInfo | None = None,
         **mapping) -> Triples:
    with watch.stage("resolution"):
        corpus = corpus_of(results)
    if build is not None:
        build = dataclasses.replace(build, skipped=build.skipped + len(skipped))
    with watch.stage("mapping"), _temporary_folder_named():
        return to_triples(corpus, build=build, **mapping)


def count_triples(triples: Triples) -> int:
    """How many triples there are; merges the runs a big build spilled to the temporary folder, so that
    a full one fails here, named, rather than while the output is written."""
    with _temporary_folder_named():
        return len(triples)


@contextmanager
def _temporary_folder_named() -> Iterator[None]:
    """An OSError of the triples' run files (a full disk: a write error names no file) raised as one
    naming the temporary folder."""
    try:
        yield
    except OSError as err:
        if err.filename is not None or err.errno is None:
            raise
        raise OSError(err.errno, err.strerror, f"{tempfile.gettempdir()} (the temporary folder)") from err


def build_graph(inputs: list[Path], **options) -> Graph:
    """Build the RDF graph of every article found in ``inputs``; options as for build_triples."""
    return graph_of(build_triples(inputs, **options))


def build_triples_into(state_dir: Path, inputs: list[Path], *, workers: int | None = None,
                       progress: Progress | None = None, on_skip: Callable[[Path, str], None] | None = None,
                       on_notice: Callable[[Path, str], None] | None = None,
                       stopwatch: Stopwatch | None = None, cluster: str | None = None, **mapping):
    """Add the articles in ``inputs`` to the build in ``state_dir``; triples of all its articles.

    Returns (triples, kg.build.cache.BuildReport). Only articles whose content is not cached for the
    current extractor run through spaCy (on the Dask ``cluster`` when given, as for build_triples);
    resolution and mapping re-run over every member. ``mapping`` as for build_triples.
    """
    from kg.build.cache import BuildState, extractor_version

    workers = worker_count(workers)
    watch = stopwatch or Stopwatch()
    on_skip, skipped = _counted(on_skip)
    with BuildState.open(state_dir, extractor=extractor_version()) as state:
        report = state.update(iter_articles(inputs, on_skip=on_skip, on_notice=on_notice),
                              analyze=lambda todo: _analyze(todo, workers=workers, cluster=cluster,
                                                            progress=progress, stopwatch=watch))
        return _map(state.results(), watch, skipped=skipped, **mapping), report


def build_into(state_dir: Path, inputs: list[Path], **options):
    """As build_triples_into, with the triples as an rdflib Graph: returns (graph, BuildReport)."""
    triples, report = build_triples_into(state_dir, inputs, **options)
    return graph_of(triples), report
