"""`kg build --cluster`: the same bytes as a local build, on a real Dask scheduler with two workers on
127.0.0.1 (one of them killed mid-build) and on a `local:2` cluster; progress, skips and errors as locally."""
from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from bench.corpus import write_corpus

pytest.importorskip("distributed")  # the optional extra `cluster`, which `make setup` installs

pytestmark = pytest.mark.slow
KG = [sys.executable, "-m", "kg.cli"]
ARTICLES = 80  # five batches of 16: more batches than workers, so that batches finish out of order
START_S = 60  # a scheduler and two workers start well within this, even on a busy machine
BUILD_S = 240


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# One build time for every build here, so that the dataset descriptions of two builds are alike.
BUILD_TIME = {"SOURCE_DATE_EPOCH": "1740830400"}


def _kg(*args, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([*KG, *map(str, args)], capture_output=True, text=True, timeout=BUILD_S,
                          env={**os.environ, **BUILD_TIME, **(env or {})})


def _stop(procs: list[subprocess.Popen]) -> None:
    """SIGTERM to each server and whatever it started (a worker's nanny and its worker), then SIGKILL."""
    tree = []
    for proc in procs:
        with contextlib.suppress(psutil.NoSuchProcess):
            tree += [psutil.Process(proc.pid), *psutil.Process(proc.pid).children(recursive=True)]
    for p in reversed(tree):
        with contextlib.suppress(psutil.NoSuchProcess):
            p.terminate()
    _, alive = psutil.wait_procs(tree, timeout=10)
    for p in alive:
        p.kill()
    psutil.wait_procs(alive, timeout=5)
    for proc in procs:
        proc.wait(timeout=5)


@pytest.fixture(scope="module")
def scheduler(tmp_path_factory) -> Iterator[str]:
    """The address of a `dask scheduler` with two `dask worker` processes (one thread each, each under
    a nanny that restarts it when it dies), all on 127.0.0.1 and stopped at the end."""
    from distributed import Client

    logs = tmp_path_factory.mktemp("dask-logs")
    config = tmp_path_factory.mktemp("dask-config")  # the workers' settings the README gives
    (config / "kg.yaml").write_text("distributed:\n  nanny:\n    pre-spawn-environ:\n"
                                    "      MALLOC_TRIM_THRESHOLD_: null\n", encoding="utf-8")
    env = {**os.environ, "DASK_CONFIG": str(config)}
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    dask = [sys.executable, "-m", "dask"]
    procs = [subprocess.Popen([*dask, "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
                              stdout=subprocess.DEVNULL, stderr=(logs / "scheduler.log").open("wb"))]
    try:
        for name in ("w1", "w2"):
            procs.append(subprocess.Popen([*dask, "worker", address, "--name", name, "--host", "127.0.0.1",
                                           "--nworkers", "1", "--nthreads", "1", "--no-dashboard",
                                           "--death-timeout", "30"],
                                          stdout=subprocess.DEVNULL, stderr=(logs / f"{name}.log").open("wb"),
                                          env=env))
        with Client(address, timeout=START_S, set_as_default=False) as client:
            client.wait_for_workers(2, timeout=START_S)
        yield address
    finally:
        _stop(procs)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """A generated corpus and one unusable input, which every build must skip in the same way."""
    folder = tmp_path_factory.mktemp("corpus")
    write_corpus(folder, ARTICLES, seed=11)
    (folder / "empty.txt").write_bytes(b"")
    return folder


@pytest.fixture(scope="module")
def local_corpus(tmp_path_factory, corpus) -> tuple[bytes, str]:
    """The bytes and skip lines of the local build (one process) of the corpus."""
    out = tmp_path_factory.mktemp("local") / "corpus.nt"
    done = _kg("build", corpus, "-o", out, "--workers", "1", "-q")
    assert done.returncode == 3, done.stderr  # written, one input skipped
    return out.read_bytes(), done.stderr


def test_cluster_build_of_seeds_and_corpus_is_byte_identical(tmp_path, scheduler, seeds_dir, corpus, local_corpus):
    local_ttl, cluster_ttl = tmp_path / "local.ttl", tmp_path / "cluster.ttl"
    assert _kg("build", seeds_dir, "-o", local_ttl, "--workers", "1", "-q").returncode == 0
    done = _kg("build", seeds_dir, "-o", cluster_ttl, "--cluster", scheduler, "--timings", tmp_path / "t.json")
    assert done.returncode == 0, done.stderr
    assert cluster_ttl.read_bytes() == local_ttl.read_bytes()
    assert "wrote" in done.stderr and "cluster" in done.stderr  # the summary names the stage
    into = _kg("build", seeds_dir, "--into", tmp_path / "state", "-o", tmp_path / "into.ttl", "--cluster", scheduler)
    assert into.returncode == 0 and "5 analysed, 0 from cache" in into.stderr, into.stderr
    assert (tmp_path / "into.ttl").read_bytes() == local_ttl.read_bytes()  # the cache keeps the texts sent back

    cluster_nt = tmp_path / "cluster.nt"
    done = _kg("build", corpus, "-o", cluster_nt, "--cluster", scheduler, "-q")
    assert done.returncode == 3, done.stderr
    assert cluster_nt.read_bytes() == local_corpus[0]
    assert done.stderr == local_corpus[1] == f"kg: skipped {corpus / 'empty.txt'}: empty file\n"


def test_cluster_progress_counts_every_article_done_on_the_workers(scheduler, corpus):
    from kg.build.pipeline import build_triples

    seen: list[tuple[int, str]] = []
    skipped: list[Path] = []
    triples = build_triples([corpus], cluster=scheduler, progress=lambda n, a: seen.append((n, a.file_name)),
                            on_skip=lambda path, why: skipped.append(path))
    assert [n for n, _ in seen] == list(range(1, ARTICLES + 1))
    assert sorted(name for _, name in seen) == sorted(p.name for p in corpus.glob("*.txt") if p.stat().st_size)
    assert skipped == [corpus / "empty.txt"] and len(triples) > 1000


def test_cluster_build_survives_a_worker_killed_mid_build(tmp_path, scheduler, corpus, local_corpus):
    from distributed import Client

    out = tmp_path / "killed.nt"
    build = subprocess.Popen([*KG, "build", str(corpus), "-o", str(out), "--cluster", scheduler, "-q"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ, **BUILD_TIME})
    try:
        with Client(scheduler, timeout=START_S, set_as_default=False) as client:
            deadline = time.monotonic() + BUILD_S
            busy: list[str] = []
            while not busy and build.poll() is None and time.monotonic() < deadline:
                busy = _batches_running(client)
                time.sleep(0.05)
            assert busy and build.poll() is None, "no batch was seen on a worker while the build ran"
            pid = client.run(os.getpid, workers=busy[:1])[busy[0]]
            os.kill(pid, signal.SIGKILL)  # the worker process itself: its batch dies with it
            assert build.poll() is None  # killed while the build was still running
        _, err = build.communicate(timeout=BUILD_S)
    finally:
        build.kill()
        build.wait()
    assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    assert build.returncode == 3, err
    assert out.read_bytes() == local_corpus[0]
    assert err == local_corpus[1]


def _batches_running(client) -> list[str]:
    """The workers running a batch of a build."""
    return [w for w, keys in client.processing().items() if any("kg-batch" in str(k) for k in keys)]


def test_cluster_build_interrupted_stops_its_batches_and_writes_nothing(tmp_path, scheduler, corpus):
    from distributed import Client

    out = tmp_path / "interrupted.nt"
    build = subprocess.Popen([*KG, "build", str(corpus), "-o", str(out), "--cluster", scheduler, "-q"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ, **BUILD_TIME})
    try:
        with Client(scheduler, timeout=START_S, set_as_default=False) as client:
            deadline = time.monotonic() + BUILD_S
            while not _batches_running(client) and build.poll() is None and time.monotonic() < deadline:
                time.sleep(0.05)
            assert build.poll() is None, "the build ended before a batch was seen on a worker"
            build.send_signal(signal.SIGINT)
            _, err = build.communicate(timeout=30)
            deadline = time.monotonic() + 30  # a batch under way finishes; the others never start
            while _batches_running(client) and time.monotonic() < deadline:
                time.sleep(0.1)
            assert not _batches_running(client)
    finally:
        build.kill()
        build.wait()
    assert build.returncode == 130
    *before, last = err.splitlines()  # the empty file is reported if it was read before the interrupt
    assert last == f"kg: interrupted by SIGINT; {out} not written"
    assert before in ([], [f"kg: skipped {corpus / 'empty.txt'}: empty file"])
    assert not out.exists()


def test_cluster_local_workers_started_by_the_build(tmp_path, corpus, local_corpus):
    out = tmp_path / "local2.nt"
    done = _kg("build", corpus, "-o", out, "--cluster", "local:2", "-q")
    assert done.returncode == 3, done.stderr
    assert out.read_bytes() == local_corpus[0]
    assert done.stderr == local_corpus[1]


def test_cluster_unreachable_scheduler_is_one_line_exit_2_nothing_written(tmp_path, seeds_dir):
    out = tmp_path / "out.ttl"
    address = f"tcp://127.0.0.1:{_free_port()}"  # nothing listens there
    started = time.monotonic()
    done = _kg("build", seeds_dir, "-o", out, "--cluster", address,
               env={"DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT": "2s"})
    assert done.returncode == 2
    assert done.stderr.startswith(f"kg: cannot reach the Dask scheduler at {address}: ")
    assert done.stderr.count("\n") == 1 and done.stderr.rstrip().endswith(f"{out} not written")
    assert not out.exists() and list(tmp_path.iterdir()) == []
    assert time.monotonic() - started < 30


def test_cluster_bad_address_and_missing_dask_are_one_line_errors(tmp_path, seeds_dir):
    out = tmp_path / "out.ttl"
    for bad in ("local:0", "127.0.0.1", "http://host/x"):
        done = _kg("build", seeds_dir, "-o", out, "--cluster", bad)
        assert done.returncode == 2 and "argument --cluster:" in done.stderr, bad
    # Dask hidden from the interpreter, as where the extra `cluster` is not installed
    hide = "import sys; sys.modules['distributed'] = None; from kg.cli import main; sys.exit(main(sys.argv[1:]))"
    done = subprocess.run([sys.executable, "-c", hide, "build", str(seeds_dir), "-o", str(out), "--cluster",
                           "local:1"], capture_output=True, text=True, timeout=BUILD_S)
    assert done.returncode == 2
    assert done.stderr.startswith("kg: --cluster needs Dask: pip install 'diplomacy-kg[cluster]'")
    assert done.stderr.count("\n") == 1 and not out.exists()
