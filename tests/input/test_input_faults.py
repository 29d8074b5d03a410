"""`kg build` under faults: signals at random points, a full disk, folders that cannot be written or
listed, files that are no regular files, broken encodings and hostile names.

The fault-injection test sends SIGINT, SIGTERM or SIGKILL to real `kg build --workers 2` processes at
random points of each stage (start, model load, worker start, analysis, writing), and SIGKILL to one
worker, and checks what a user would see: the exit status, the output file (the previous one or the
new one, byte for byte), no temporary file, no process of the tree left. Two builds run at a time (their model loads overlap)
to keep the whole under a minute on two cores.
"""
from __future__ import annotations

import codecs
import fcntl
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import psutil
import pytest

KG = [sys.executable, "-m", "kg.cli"]
# JSON-LD is written by rdflib, slowly enough (a few tenths of a second) for a signal to land in the
# writing; a fixed hash seed makes its bytes the same in every run.
ENV = {**os.environ, "PYTHONHASHSEED": "0", "CI": "1"}
ARTICLES = 64
OLD = b'{"@id": "https://w3id.org/diplomacy-kg/id/person/x", "http://www.w3.org/2000/01/rdf-schema#label": "old"}\n'
EXIT_S = 2.0  # the bound from the signal to the end of the process tree


def _kg(*args, env=ENV, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([*KG, *map(str, args)], capture_output=True, text=True, timeout=120, env=env, **kw)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory, make_articles):
    """A folder with generated French articles (``in/``), where the reference build starts at once in
    the background: ``ref.jsonld`` and the build cache of it, ``cache/`` (see ``reference``)."""
    root = tmp_path_factory.mktemp("faults")
    make_articles(root / "in", ARTICLES)
    with (root / "ref.stderr").open("w") as err:
        build = subprocess.Popen([*KG, "build", str(root / "in"), "-o", str(root / "ref.jsonld"), "--into",
                                  str(root / "cache"), "--workers", "2", "-q", "--timings",
                                  str(root / "ref.json")], stderr=err, env=ENV)
    yield root, build
    build.kill()
    build.wait()


def reference(corpus) -> tuple[Path, bytes, dict[str, float]]:
    """The folder of ``corpus``, the bytes of its uninterrupted build once that has ended, and the
    seconds of each of its stages."""
    root, build = corpus
    assert build.wait(timeout=300) == 0, (root / "ref.stderr").read_text()
    return root, (root / "ref.jsonld").read_bytes(), json.loads((root / "ref.json").read_text())["seconds"]


@dataclass
class Trial:
    name: str
    sig: signal.Signals
    cached: bool = False  # analysis from the build cache: no model, straight to the writing
    group: bool = False  # to the whole process group, as a Ctrl-C in a terminal does
    worker: bool = False  # to a worker only, as the out-of-memory killer does


@dataclass
class Outcome:
    trial: Trial
    code: int | None
    alive_when_signalled: bool
    exit_s: float
    left: list[int]
    out: Path
    stderr: str


def _tree(proc: psutil.Process) -> set[int]:
    try:
        return {p.pid for p in proc.children(recursive=True)}
    except psutil.Error:
        return set()


def _gone(pids: set[int], *, within: float) -> list[int]:
    """The pids of ``pids`` still running (zombies are not) after up to ``within`` seconds."""
    deadline = time.monotonic() + within
    while True:
        alive = []
        for pid in pids:
            try:
                if psutil.Process(pid).status() != psutil.STATUS_ZOMBIE:
                    alive.append(pid)
            except psutil.NoSuchProcess:
                pass
        if not alive or time.monotonic() > deadline:
            return alive
        time.sleep(0.05)


def _when(trial: Trial, rng: random.Random, seconds: dict[str, float]):
    """When to send the signal of ``trial``: a test of (seconds since the start, seconds since the first
    worker or None, temporary files seen in two polls in a row beside the output). ``seconds``: the
    stages of the reference build, where known."""
    stage = trial.name.split("-")[0]
    if stage in ("start", "model"):
        # from 0.4 s: the first tenth of a second is the interpreter's start, before kg can set handlers;
        # the imports take about 1.5 s, the model about 4 s more
        delay = rng.uniform(0.4, 1.0) if stage == "start" else rng.uniform(2.0, 3.5)
        return lambda since_start, since_worker, tmp: since_start >= delay
    if stage in ("workers", "analysis"):
        delay = 0.0 if stage == "workers" else rng.uniform(0.1, 0.6) * seconds["analysis"]
        return lambda since_start, since_worker, tmp: since_worker is not None and since_worker >= delay
    # a temporary file seen twice is the output being written, not the probe made at the start
    return lambda since_start, since_worker, tmp: bool(tmp)


def _run_trial(trial: Trial, corpus: Path, rng: random.Random, seconds: dict[str, float]) -> Outcome:
    folder = corpus / trial.name
    folder.mkdir(exist_ok=True)
    out = folder / "out.jsonld"
    out.write_bytes(OLD)
    args = [*KG, "build", corpus / "in", "-o", out, "--workers", "2", "-q"]
    if trial.cached:
        shutil.copytree(corpus / "cache", folder / "cache")
        args += ["--into", folder / "cache"]
    planted = {p.name for p in folder.glob(".out.jsonld.*.tmp")}
    now = _when(trial, rng, seconds)
    with (folder / "stderr").open("w") as err:
        proc = subprocess.Popen(list(map(str, args)), stderr=err, stdout=subprocess.DEVNULL, env=ENV,
                                start_new_session=trial.group)
        ps, seen, started = psutil.Process(proc.pid), set(), time.monotonic()
        first_worker = last_tmp = None
        while proc.poll() is None and time.monotonic() - started < 90:
            kids = _tree(ps)
            seen |= kids
            if kids and first_worker is None:
                first_worker = time.monotonic()
            tmp = {p.name for p in folder.glob(".out.jsonld.*.tmp")} - planted
            if now(time.monotonic() - started, first_worker and time.monotonic() - first_worker,
                   tmp & (last_tmp or set())):
                if trial.cached:  # somewhere in the writing
                    time.sleep(rng.uniform(0, 0.5) * seconds["writing"])
                break
            last_tmp = tmp
            time.sleep(0.01)
        alive = proc.poll() is None
        seen |= _tree(ps)
        sent = time.monotonic()
        if trial.group:
            os.killpg(proc.pid, trial.sig)
        elif trial.worker:
            os.kill(min(_tree(ps) or {proc.pid}), trial.sig)
        else:
            proc.send_signal(trial.sig)
        try:
            code = proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            code = None
        exit_s = time.monotonic() - sent
        left = _gone(seen | {proc.pid}, within=max(0.2, EXIT_S - exit_s))
        if code is None:  # hung: clean up after it, then fail below
            for pid in left:
                os.kill(pid, signal.SIGKILL)
            proc.wait()
    return Outcome(trial, code, alive, exit_s, left, out, (folder / "stderr").read_text())


def _check(o: Outcome, new: bytes, seed: int) -> None:
    where = f"{o.trial} (seed {seed}): exit {o.code} after {o.exit_s:.2f} s, stderr {o.stderr[-400:]!r}"
    assert o.code is not None, f"hung: {where}"
    assert not o.left, f"processes left {o.left}: {where}"
    data = o.out.read_bytes()
    assert data in (OLD, new), f"output neither the old nor the new file: {where}"
    if o.trial.worker:
        assert o.code == 2 and o.exit_s < EXIT_S, where
        assert o.stderr.splitlines()[-1] == "kg: a worker process was killed by SIGKILL (out of memory?); " \
            f"{o.out} not written; the file there before is intact", where
        assert data == OLD, where
        return
    if o.trial.sig == signal.SIGKILL and o.alive_when_signalled:
        assert o.code == -signal.SIGKILL, where
        # what a killed run leaves, another run takes for stale: no live process holds it
        for tmp in o.out.parent.glob(".out.jsonld.*.tmp"):
            with tmp.open("rb") as f:
                fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return
    assert [p.name for p in o.out.parent.glob(".out.jsonld.*") if "bbbbbbbb" not in p.name] == [], where
    expected = 128 + o.trial.sig
    if o.alive_when_signalled and data == OLD:
        assert o.code == expected, where
        assert o.exit_s < EXIT_S, where
        name = signal.Signals(o.trial.sig).name
        assert o.stderr.splitlines()[-1] == f"kg: interrupted by {name}; {o.out} not written; the file there " \
            "before is intact", where
    else:  # the signal came as the build ended: it wrote the new file
        assert data == new and o.code in (0, expected, -o.trial.sig), where


TRIALS_ANALYSED = [Trial("start-int", signal.SIGINT), Trial("model-term", signal.SIGTERM),
                   Trial("workers-int", signal.SIGINT, group=True), Trial("analysis-term", signal.SIGTERM),
                   Trial("analysis-kill", signal.SIGKILL), Trial("analysis-worker-kill", signal.SIGKILL, worker=True)]
TRIALS_CACHED = [Trial("writing-int", signal.SIGINT, cached=True), Trial("writing-term", signal.SIGTERM, cached=True),
                 Trial("writing-kill", signal.SIGKILL, cached=True)]


@pytest.mark.slow
def test_faults_signals_at_random_points_of_a_build(corpus):
    seed = random.randrange(1 << 30)
    rng = random.Random(seed)
    root, seconds = corpus[0], {}
    run = lambda trial: _run_trial(trial, root, random.Random(rng.random()), seconds)  # noqa: E731
    with ThreadPoolExecutor(2) as pool:
        # the two cheapest trials run next to the reference build, whose model load they overlap
        outcomes = [run(t) for t in TRIALS_ANALYSED[:2]]
        _, new, ref_seconds = reference(corpus)
        seconds.update(ref_seconds)
        outcomes += pool.map(run, TRIALS_ANALYSED[2:])
        # beside one output, a temporary file as a killed run leaves it and one a live writer holds
        (root / "writing-int").mkdir()
        stale = root / "writing-int" / f".out.jsonld.{'a' * 8}.tmp"
        live = stale.with_name(f".out.jsonld.{'b' * 8}.tmp")
        stale.write_bytes(b"half")
        with live.open("wb") as held:
            fcntl.flock(held, fcntl.LOCK_EX)
            outcomes += pool.map(run, TRIALS_CACHED)
        assert not stale.exists(), "a stale temporary file was not removed"
        assert live.exists(), "a live writer's temporary file was removed"
        live.unlink()
    for outcome in outcomes:
        _check(outcome, new, seed)
    missed = [o.trial.name for o in outcomes if not o.alive_when_signalled]
    assert not missed, f"the build had ended before the signal of {missed} (seed {seed}, stages {seconds})"


# --- system faults -------------------------------------------------------------------------------

def _mount_tmpfs(folder: Path, options: str) -> None:
    """A small tmpfs at ``folder`` (root only; the test is skipped, saying why, otherwise)."""
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root")
    folder.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)], capture_output=True, text=True)
    if done.returncode:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")


@pytest.fixture
def small_disk(tmp_path):
    """A 64 KB file system, too small for the build's output (unmounted at the end)."""
    disk = tmp_path / "disk"
    _mount_tmpfs(disk, "size=64k")
    yield disk
    subprocess.run(["umount", str(disk)], check=True)


@pytest.mark.slow
def test_faults_full_disk_one_line_exit_2_previous_output_intact(corpus, small_disk):
    root, _, _ = reference(corpus)
    out = small_disk / "out.jsonld"
    out.write_bytes(OLD)
    shutil.copytree(root / "cache", small_disk.parent / "cache")
    done = _kg("build", root / "in", "-o", out, "--into", small_disk.parent / "cache", "-q")
    assert done.returncode == 2, done.stderr
    assert done.stderr == f"kg: {out}: cannot write: No space left on device (the file there before is intact)\n"
    assert out.read_bytes() == OLD
    assert [p.name for p in small_disk.iterdir()] == ["out.jsonld"]


@pytest.fixture
def tiny_disk(tmp_path):
    """An 8 KB file system (unmounted at the end)."""
    disk = tmp_path / "tiny"
    _mount_tmpfs(disk, "size=8k")
    yield disk
    subprocess.run(["umount", str(disk)], check=True)


@pytest.mark.slow
def test_faults_full_temporary_folder_named_not_taken_for_the_output(tmp_path, make_articles, nlp, tiny_disk,
                                                                     monkeypatch, capsys):
    import functools
    import tempfile

    from kg import cli
    from kg.build import pipeline
    from kg.graph import mapping

    make_articles(tmp_path / "in", 2)
    out = tmp_path / "out.ttl"
    out.write_text("<http://x/a> <http://x/b> <http://x/c> .\n", encoding="utf-8")
    before = out.read_bytes()
    # a big build's triples spill to sorted run files in TMPDIR past SPILL_LINES: here past 40
    monkeypatch.setattr(pipeline, "to_triples", functools.partial(mapping.to_triples, spill=40))
    monkeypatch.setattr(tempfile, "tempdir", str(tiny_disk))
    monkeypatch.setenv("TMPDIR", str(tiny_disk))
    code = cli.main(["build", str(tmp_path / "in"), "-o", str(out), "--workers", "1", "-q"])
    err = capsys.readouterr().err
    assert (code, err) == (2, f"kg: {tiny_disk} (the temporary folder): No space left on device; {out} not written; "
                              "the file there before is intact\n")
    assert out.read_bytes() == before and list(tiny_disk.iterdir()) == []


@pytest.fixture
def read_only_folder(tmp_path):
    """A folder no file can be created in: a read-only tmpfs as root (who may write anywhere else),
    a folder without write permission otherwise."""
    folder = tmp_path / "ro"
    if os.geteuid() != 0:
        folder.mkdir()
        folder.chmod(0o555)
        yield folder, "Permission denied"
        folder.chmod(0o755)
        return
    _mount_tmpfs(folder, "ro,size=16k")
    yield folder, "Read-only file system"
    subprocess.run(["umount", str(folder)], check=True)


def test_faults_unwritable_output_folder_or_tmpdir_fail_before_the_analysis(tmp_path, make_articles,
                                                                            read_only_folder):
    folder, why = read_only_folder
    make_articles(tmp_path / "in", 2)
    for out, message in [(folder / "out.ttl", f"{folder / 'out.ttl'}: cannot write in {folder}: {why}"),
                         (folder / "sub" / "out.ttl",
                          f"{folder / 'sub' / 'out.ttl'}: cannot create the folder {folder / 'sub'}: {why}")]:
        started = time.monotonic()
        done = _kg("build", tmp_path / "in", "-o", out, "-q")
        assert (done.returncode, done.stderr) == (2, f"kg: {message}\n")
        assert time.monotonic() - started < 15  # no model loaded, nothing analysed
    done = _kg("build", tmp_path / "in", "-o", tmp_path / "out.ttl", "-q", env={**ENV, "TMPDIR": str(folder)})
    assert (done.returncode, done.stderr) == (2, f"kg: TMPDIR {folder}: cannot write temporary files there: {why}; "
                                                 f"{tmp_path / 'out.ttl'} not written\n")
    assert not (tmp_path / "out.ttl").exists()


# --- input faults --------------------------------------------------------------------------------

TEXT = "Le ministre a rencontré son homologue à Genève ; « la paix est possible », a-t-il déclaré. " * 4


def test_faults_inputs_that_are_no_regular_files_each_named_never_blocking(tmp_path, article_text):
    inp = tmp_path / "in"
    inp.mkdir()
    os.mkfifo(inp / "pipe.txt")
    os.mkfifo(tmp_path / "named-pipe.txt")
    (inp / "dead.txt").symlink_to("nowhere.txt")
    (inp / "loop.txt").symlink_to("loop.txt")
    (inp / "null.txt").symlink_to(os.devnull)
    hostile = inp / "a\nkg: fake line \x1b[31mred\u202e.txt"
    hostile.write_bytes(b"")
    os.mkfifo(inp / "ignored-pipe")  # no article suffix: not an input, not mentioned
    (inp / "good.txt").write_text(article_text(1), encoding="utf-8")
    started = time.monotonic()
    # --strict reads every input and stops before the analysis
    done = _kg("build", inp, tmp_path / "named-pipe.txt", os.devnull, "-o", tmp_path / "out.ttl", "--strict")
    assert time.monotonic() - started < 30 and done.returncode == 1, done.stderr
    lines = done.stderr.splitlines()
    assert all(line.startswith("kg: ") for line in lines) and "\x1b" not in done.stderr and "\u202e" not in done.stderr
    assert sorted(lines) == sorted([
        f"kg: skipped {inp / 'a'}\\nkg: fake line \\x1b[31mred\\u202e.txt: empty file",
        f"kg: skipped {inp / 'dead.txt'}: broken symbolic link (to nowhere.txt, which does not exist)",
        f"kg: skipped {inp / 'loop.txt'}: symbolic link loop",
        f"kg: skipped {inp / 'null.txt'}: a character device, not a regular file",
        f"kg: skipped {inp / 'pipe.txt'}: a named pipe (FIFO), not a regular file",
        f"kg: skipped {tmp_path / 'named-pipe.txt'}: a named pipe (FIFO), not a regular file",
        f"kg: skipped {os.devnull}: a character device, not a regular file",
        f"kg: --strict: 7 input(s) skipped; {tmp_path / 'out.ttl'} not written",
    ])


def _without_dac_override() -> list[str]:
    """A command prefix that runs a process as a user that file permissions apply to."""
    if os.geteuid() != 0:
        return []
    if not shutil.which("setpriv"):
        pytest.skip("root reads every folder, and setpriv (util-linux) is not there to drop that right")
    caps = "-dac_override,-dac_read_search"
    return ["setpriv", f"--inh-caps={caps}", f"--bounding-set={caps}"]


def test_faults_unlistable_folder_and_a_file_inside_it_named(tmp_path, article_text):
    inp = tmp_path / "in"
    (inp / "locked").mkdir(parents=True)
    (inp / "locked" / "a.txt").write_text(article_text(1), encoding="utf-8")
    (inp / "closed").mkdir()
    (inp / "closed" / "b.txt").write_text(article_text(2), encoding="utf-8")
    (inp / "good.txt").write_text(article_text(3), encoding="utf-8")
    (inp / "locked").chmod(0)
    (inp / "closed").chmod(0o311)  # can be passed through, not listed
    try:
        done = subprocess.run([*_without_dac_override(), *KG, "build", str(inp), str(inp / "locked" / "a.txt"),
                               str(inp / "closed" / "b.txt"), "-o", str(tmp_path / "out.ttl"), "--strict"],
                              capture_output=True, text=True, timeout=120, env=ENV)
    finally:
        (inp / "locked").chmod(0o755)
        (inp / "closed").chmod(0o755)
    assert done.returncode == 1, done.stderr
    assert sorted(done.stderr.splitlines()) == sorted([
        f"kg: skipped {inp / 'closed'}: cannot list the folder: Permission denied",
        f"kg: skipped {inp / 'locked'}: cannot list the folder: Permission denied",
        f"kg: skipped {inp / 'locked' / 'a.txt'}: cannot read: Permission denied",
        f"kg: --strict: 3 input(s) skipped; {tmp_path / 'out.ttl'} not written",
    ])  # b.txt, named, was read: its folder can be passed through


def _read(path: Path):
    from kg.input.articles import iter_articles

    skips, notes = [], []
    arts = list(iter_articles([path], on_skip=lambda p, why: skips.append(why),
                              on_notice=lambda p, what: notes.append(what)))
    return arts, skips, notes


@pytest.mark.parametrize("tail,problem", [(b"A", "an odd number of bytes"),
                                          ("\ud800".encode("utf-16-le", "surrogatepass"),
                                           "illegal UTF-16 surrogate at byte")])
def test_faults_invalid_utf16_read_with_replacement_and_a_note(tmp_path, tail, problem):
    path = tmp_path / "a.txt"
    body = TEXT.encode("utf-16-le")
    path.write_bytes(codecs.BOM_UTF16_LE + body[:40] + tail + body[40:] if len(tail) == 2 else
                     codecs.BOM_UTF16_LE + body + tail)
    (art,), skips, notes = _read(path)
    assert not skips and len(notes) == 1
    assert notes[0].startswith(f"not valid UTF-16 ({problem}") and "read as U+FFFD" in notes[0]
    assert art.text.replace("\ufffd", "") == TEXT and art.text.count("\ufffd") == 1


def test_faults_mixed_utf8_and_cp1252_decoded_line_by_line(tmp_path):
    lines = [f"Phrase {i} : l’émissaire a rencontré à Genève le négociateur, « déjà » prêt."
             for i in range(11)]
    data = b"\r\n".join(line.encode("cp1252" if i % 2 else "utf-8") for i, line in enumerate(lines))
    path = tmp_path / "mixed.txt"
    path.write_bytes(codecs.BOM_UTF8 + data)
    (art,), _, notes = _read(path)
    assert art.text.splitlines() == lines
    assert notes == ["mixed encodings: 5 of 11 lines not valid UTF-8, decoded as Windows-1252; the others as UTF-8"]


def test_faults_names_printed_escaped():
    from kg.progress import printable

    name = "a\nb\r\tc\x1b[2J\x7f\u0085\u2028\u202e\udcff é"
    assert printable(name) == "a\\nb\\r\\tc\\x1b[2J\\x7f\\x85\\u2028\\u202e\\xff é"
    assert printable("plain é ü 中") == "plain é ü 中"
    # the progress bar shows names escaped: tests/report/test_progress.py


# --- the worker pool -----------------------------------------------------------------------------

POOL_SCRIPT = """
import multiprocessing, os, sys, time
from kg.build.pipeline import WORKER_TASKS, worker_pool

def work(i):
    time.sleep(0.01)
    return os.getpid()

with worker_pool(2) as pool:
    pids = [r.get(timeout=30) for r in [pool.apply_async(work, (i,)) for i in range(6 * WORKER_TASKS)]]
    print(len(set(pids)), flush=True)
    if sys.argv[1] == "hold":
        busy = [pool.apply_async(time.sleep, (60,)) for _ in range(2)]
        time.sleep(0.5)
        print(" ".join(str(p.pid) for p in multiprocessing.active_children()), flush=True)
        time.sleep(60)
print("done", flush=True)
"""


def test_faults_pool_with_renewed_workers_ends():
    # the renewed workers are forked by the pool's own thread; they once died with it, locking the
    # task queue, and the pool waited for ever at the end of every build of over 128 articles
    done = subprocess.run([sys.executable, "-c", POOL_SCRIPT, "end"], capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    renewed, end = done.stdout.split()
    assert int(renewed) > 2 and end == "done"


def test_faults_renewed_workers_die_with_a_killed_parent():
    proc = subprocess.Popen([sys.executable, "-c", POOL_SCRIPT, "hold"], stdout=subprocess.PIPE, text=True)
    try:
        assert int(proc.stdout.readline()) > 2
        workers = set(map(int, proc.stdout.readline().split()))
        assert len(workers) == 2
    finally:
        proc.kill()
        proc.wait()
    assert _gone(workers, within=EXIT_S) == []
