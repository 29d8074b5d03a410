"""The analysis of a build on a Dask cluster (``kg build --cluster ADDRESS``): the map on the workers.

Articles are read here, as in a local build, and travel to the workers in the batches a local build
would give ``nlp.pipe``; every worker loads the spaCy pipeline once (a worker plugin) and sends the
records back. Dask re-runs on another worker the batches of a worker that dies. The records are put
back in input order before the reduce (resolution, then mapping, here as in a local build), so the
output does not depend on the number of workers nor on the order batches finish in.
"""
from __future__ import annotations

import asyncio
import itertools
import logging
import re
import uuid
from collections.abc import Iterable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass

from kg.progress import Stopwatch
from kg.records import Article, DocResult

try:  # the optional extra `cluster`; without it analyze_on says how to install it
    from distributed import WorkerPlugin
except ImportError:  # pragma: no cover - exercised by a subprocess that hides the package
    WorkerPlugin = object  # type: ignore[misc,assignment]

PLUGIN = "kg-pipeline"
# A batch whose task raised (a worker short of memory, a hiccup of its file system) is run again this
# many times, on any worker, before the build fails. A worker that dies is the scheduler's business:
# it re-runs the worker's batches elsewhere (up to distributed.scheduler.allowed-failures deaths each).
RETRIES = 2
# Seconds the build waits for a first worker to join the scheduler.
WAIT_FOR_WORKERS_S = 60.0
_LOCAL = re.compile(r"local:(\d+)")
# Dask starts its workers with MALLOC_TRIM_THRESHOLD_ set, which also fixes glibc's mmap threshold: then
# every array spaCy allocates above 128 KB is mapped and unmapped again, and the analysis costs about 25%
# more CPU (measured on one batch sequence, same process otherwise). The workers of local:N go without.
MALLOC_TRIM = "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_"


class ClusterError(RuntimeError):
    """The Dask cluster cannot run the build: unreachable, no worker, another extractor, a batch lost."""


@dataclass(frozen=True)
class Address:
    """Where the workers are: a running scheduler, or ``local`` workers the build starts itself."""

    scheduler: str | None  # tcp://HOST:PORT (or another Dask protocol)
    local: int = 0  # worker processes of a LocalCluster


def parse_address(text: str) -> Address:
    """``tcp://HOST:PORT`` (any Dask protocol, or bare HOST:PORT) or ``local:N``; ValueError otherwise."""
    if text.startswith("local:"):
        m = _LOCAL.fullmatch(text)
        if not m or int(m.group(1)) < 1:
            raise ValueError(f"{text!r}: local:N needs a number of worker processes N >= 1")
        return Address(None, int(m.group(1)))
    if not re.fullmatch(r"([a-z]+://)?[^\s/:]+:\d+", text):
        raise ValueError(f"{text!r} is not a scheduler address: tcp://HOST:PORT or local:N")
    return Address(text)


class PipelineLoaded(WorkerPlugin):
    """Loads the spaCy pipeline once on every worker, those that join later or replace a dead one too."""

    name = PLUGIN
    idempotent = True  # registered again by every build on a long-running cluster: once is enough

    async def setup(self, worker) -> None:
        # in a thread: the worker's event loop keeps answering the scheduler during the load
        await asyncio.get_running_loop().run_in_executor(None, _load_pipeline)


def _load_pipeline() -> None:
    """The pipeline loaded, then the worker's objects (the model above all) moved out of the cyclic
    collector's reach: each of its full passes would walk every one of them (as kg.build.pipeline's
    forked workers, which the parent froze)."""
    import gc

    from kg.extract import nlp as nlp_mod

    nlp_mod.load()
    gc.collect()
    gc.freeze()


def analyze_remote(articles: list[Article], extractor: str, *, keep_text: bool) -> list[DocResult]:
    """On a worker: the records of one batch, as kg.build.pipeline.analyze_batch, by the same extractor."""
    import socket

    from kg.build.cache import extractor_version
    from kg.build.pipeline import analyze_batch

    if (here := extractor_version()) != extractor:
        raise ClusterError(f"the worker on {socket.gethostname()} has another extractor ({here}) than the "
                           f"build ({extractor}): install the same diplomacy-kg and model on every worker")
    return analyze_batch(articles, keep_text=keep_text)


@contextmanager
def connect(address: Address, *, shown: str) -> Iterator:
    """A Dask client of ``address`` (a LocalCluster started for ``local``), the pipeline loaded on its
    workers; the client (and the local cluster) closed at the end. ``shown`` names it in errors."""
    try:
        import dask
        from distributed import Client, LocalCluster
    except ImportError:
        raise ClusterError("--cluster needs Dask: pip install 'diplomacy-kg[cluster]' (dask[distributed]), "
                           "here and on every worker") from None
    with ExitStack() as stack:
        if address.local:
            # reachable from this machine only; its HTTP server (there even without a dashboard) on a
            # free port: the default one (8787) may belong to another cluster; the workers' warnings
            # (tasks cancelled by an interrupt, a worker restarted) left out of the build's stderr
            with dask.config.set({MALLOC_TRIM: None}):
                target = stack.enter_context(LocalCluster(n_workers=address.local, threads_per_worker=1,
                                                          processes=True, host="127.0.0.1",
                                                          dashboard_address="127.0.0.1:0",
                                                          silence_logs=logging.ERROR))
        else:
            target = address.scheduler
        try:
            client = stack.enter_context(Client(target, set_as_default=False))
        except (OSError, TimeoutError) as err:
            raise ClusterError(f"cannot reach the Dask scheduler at {shown}: {err}") from None
        try:
            client.wait_for_workers(1, timeout=WAIT_FOR_WORKERS_S)
        except TimeoutError:
            raise ClusterError(f"no worker joined the Dask scheduler at {shown} "
                               f"within {WAIT_FOR_WORKERS_S:.0f} s") from None
        try:
            client.register_plugin(PipelineLoaded())
        except ImportError as err:  # raised on a worker, passed on by Dask
            raise ClusterError(_not_installed(shown, err)) from None
        yield client


def _not_installed(shown: str, err: ImportError) -> str:
    return (f"a worker of the Dask scheduler at {shown} cannot load the pipeline ({err}): install "
            "diplomacy-kg[cluster] on every worker")


def analyze_on(address: str, articles: Iterable[Article], *, progress=None, stopwatch: Stopwatch | None = None,
               keep_text: bool = True) -> list[DocResult]:
    """The records of ``articles`` analysed on the Dask cluster at ``address``, in input order.

    As kg.build.pipeline.analyze_all: articles are read as batches are sent (a few per worker thread
    in flight), ``progress(n, article)`` is called for every article done (in the order batches
    finish), ``keep_text`` as for analyze_batch. Stage "cluster": connecting (or starting the local
    workers) and loading the pipeline on the workers; "analysis": the rest.
    """
    from kg.build.cache import extractor_version
    from kg.build.pipeline import CHUNK, batches_of

    where = parse_address(address)
    watch = stopwatch or Stopwatch()
    chunks = batches_of(articles, CHUNK)
    first = next(chunks, None)
    if first is None:  # nothing to analyse: no cluster to bother
        return []
    with ExitStack() as stack:
        with watch.stage("cluster"):
            client = stack.enter_context(connect(where, shown=address))
        with watch.stage("analysis"):
            batches = _run(client, itertools.chain([first], chunks), extractor=extractor_version(),
                           keep_text=keep_text, progress=progress, shown=address)
    return [result for batch in batches for result in batch]


def _run(client, chunks: Iterator[list[Article]], *, extractor: str, keep_text: bool, progress,
         shown: str) -> list[list[DocResult]]:
    """The records of every batch, in the order of ``chunks``; batches sent as others finish."""
    from distributed import as_completed
    from distributed.scheduler import KilledWorker

    build = uuid.uuid4().hex[:12]
    numbered = enumerate(chunks)
    index: dict[str, int] = {}  # task key -> batch number
    names: dict[str, str] = {}  # task key -> first file of the batch, for errors
    done: dict[int, list[DocResult]] = {}
    finished = as_completed(loop=client.loop)

    def send() -> bool:
        item = next(numbered, None)
        if item is None:
            return False
        i, batch = item
        key = f"kg-batch-{i}-{build}"
        index[key], names[key] = i, batch[0].file_name
        finished.add(client.submit(analyze_remote, batch, extractor, keep_text=keep_text, key=key,
                                   retries=RETRIES))
        return True

    for _ in range(_window(client)):
        if not send():
            break
    count = 0
    for future in finished:
        try:
            results = future.result()
        except KilledWorker as err:
            raise ClusterError(f"the batch of articles from {names[future.key]} on killed the workers that "
                               f"ran it: {err}") from None
        except ImportError as err:
            raise ClusterError(_not_installed(shown, err)) from None
        done[index.pop(future.key)] = results
        future.release()
        for result in results:
            count += 1
            if progress:
                progress(count, result.article)
        # one more batch for each one done, more when workers joined meanwhile
        for _ in range(max(1, _window(client) - len(index))):
            if not send():
                break
    return [done[i] for i in sorted(done)]


def _window(client) -> int:
    """Batches in flight: three per worker thread, so that no worker waits for the next one."""
    return 3 * max(sum(client.nthreads().values()), 1)
