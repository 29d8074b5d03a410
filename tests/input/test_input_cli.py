"""`kg build` on bad input: exit status, --strict, and a build killed midway leaves the old output intact."""
from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from rdflib.compare import isomorphic

from kg.graph.formats import read_graph
from kg.graph.mapping import without_description

KG = [sys.executable, "-m", "kg.cli"]


def _run(*args: str | Path, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run([*KG, *map(str, args)], input=stdin, capture_output=True, text=True, timeout=300)


@pytest.mark.slow
def test_cli_build_exit_status_and_strict(tmp_path, make_articles):
    inp = tmp_path / "in"
    make_articles(inp, 2, paragraphs=1)
    out = tmp_path / "out.ttl"
    ok = _run("build", inp, "-o", out, "--workers", "1", "-q", "--timings", tmp_path / "timings.json")
    assert ok.returncode == 0, ok.stderr
    good = read_graph(out)
    timings = json.loads((tmp_path / "timings.json").read_text(encoding="utf-8"))
    assert list(timings["seconds"]) == ["model", "analysis", "resolution", "mapping", "writing"]
    assert all(s >= 0 for s in timings["seconds"].values()) and timings["seconds"]["model"] > 0.5
    assert timings["workers"] == 1 and timings["triples"] == len(good)

    (inp / "empty.txt").write_bytes(b"")
    (inp / "junk.txt").write_bytes(b"\x00\x01binary")
    strict = _run("build", inp, "-o", out, "--workers", "1", "-q", "--strict")
    assert strict.returncode == 1
    assert f"skipped {inp / 'empty.txt'}: empty file" in strict.stderr
    assert f"skipped {inp / 'junk.txt'}: binary file (binary data), not text" in strict.stderr
    assert "--strict: 2 input(s) skipped" in strict.stderr
    assert isomorphic(read_graph(out), good)  # untouched

    lenient = _run("build", inp, "-o", out, "--workers", "1", "-q")
    assert lenient.returncode == 3, lenient.stderr
    # the same two articles (the dataset description counts the skipped inputs)
    assert isomorphic(without_description(read_graph(out)), without_description(good))
    assert lenient.stderr.count("skipped ") == 2

    nothing = _run("build", tmp_path / "none", "-o", tmp_path / "new.ttl", "-q")
    assert nothing.returncode == 2 and not (tmp_path / "new.ttl").exists()
    assert f"skipped {tmp_path / 'none'}: no such file or folder" in nothing.stderr


def test_cli_build_help_documents_exit_status():
    help_text = _run("build", "--help").stdout
    for line in ("0    every input was used", "1    --strict", "3    graph written, but some input was skipped"):
        assert line in help_text


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT])
def test_cli_build_killed_midway_keeps_previous_output(tmp_path, make_articles, sig):
    from rdflib import RDFS, Literal

    from kg.graph.formats import write_graph
    from kg.graph.mapping import new_graph
    from kg.graph.vocab import ID

    out = tmp_path / "out.ttl"
    previous = new_graph()
    previous.add((ID["person/x"], RDFS.label, Literal("the output of an earlier build")))
    write_graph(previous, out)
    before = out.read_bytes()

    inp = tmp_path / "many"
    paths = make_articles(inp, 300)
    # a Windows-1252 file early in the order: its note on stderr says the build is under way
    marker = paths[20]
    marker.write_bytes(marker.read_text(encoding="utf-8").encode("cp1252"))
    proc = subprocess.Popen([*KG, "build", str(inp), "-o", str(out), "--workers", "1"],
                            stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    try:
        deadline = time.monotonic() + 120
        for line in proc.stderr:
            if line.startswith(f"kg: note: {marker}"):
                break
            assert time.monotonic() < deadline, "no progress"
        assert proc.poll() is None, "the build finished before it could be interrupted"
        proc.send_signal(sig)
        code = proc.wait(timeout=60)
    finally:
        proc.kill()
        proc.wait()
    assert code == (-signal.SIGKILL if sig == signal.SIGKILL else 130)
    assert out.read_bytes() == before
    assert len(read_graph(out)) > 0
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".out.ttl")] == []


@pytest.mark.slow
def test_cli_build_to_standard_output_with_plain_progress_lines(tmp_path, seeds_dir):
    article = "L'envoyé spécial Jean Dupont a rencontré mardi à Paris le président kalvanien Paul Martin.\n"
    out = tmp_path / "seeds.nt"
    when = ("--timestamp", "2025-03-01T12:00:00Z")  # one build time: the dataset description states it
    assert _run("build", seeds_dir, "-", "-o", out, "--workers", "1", "-q", *when, stdin=article).returncode == 0
    assert '"stdin"' in out.read_text(encoding="utf-8")  # the article on standard input, id "stdin"
    piped = _run("build", "-", seeds_dir, "-o", "-", "--format", "ntriples", "--workers", "1", "-v", *when,
                 stdin=article)
    assert piped.returncode == 0, piped.stderr
    assert piped.stdout == out.read_text(encoding="utf-8")  # the same sorted N-Triples
    assert not Path("-").exists()
    # stderr is no terminal: with -v, one plain line per stage, then the summary
    lines = piped.stderr.splitlines()
    assert lines[:2] == ["kg: loading the French model", "kg: analysing 6 articles"]
    assert "kg: resolving entities" in lines and "\r" not in piped.stderr
    assert any(line.startswith("wrote ") and " to <stdout> in " in line for line in lines)


def test_cli_build_unusable_standard_input_is_skipped():
    empty = _run("build", "-", "-o", "-", "-q", stdin="")
    assert empty.returncode == 2 and empty.stdout == ""
    assert empty.stderr.splitlines() == ["kg: skipped <stdin>: empty text",
                                         "kg: no usable article in <stdin>; <stdout> not written"]


@pytest.mark.slow
def test_cli_build_progress_on_a_terminal_fits_its_width(tmp_path, seeds_dir):
    """On an 80-column terminal: a spinner while the model loads, then a bar, each frame within 80
    columns and drawn over the last; the summary after it on clean lines."""
    import fcntl
    import os
    import pty
    import re
    import struct
    import termios

    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "COLUMNS", "LINES")}
    proc = subprocess.Popen([*KG, "build", str(seeds_dir), "-o", str(tmp_path / "g.ttl"), "--workers", "1"],
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=follower, env=env)
    os.close(follower)
    chunks = []
    try:
        while True:
            try:
                data = os.read(leader, 65536)
            except OSError:  # the terminal closed: the build ended
                break
            if not data:
                break
            chunks.append(data)
        assert proc.wait(timeout=120) == 0
    finally:
        proc.kill()
        proc.wait()
        os.close(leader)
    raw = b"".join(chunks).decode("utf-8", errors="replace")
    frames = [f for f in re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", raw).replace("\r", "\n").split("\n") if f.strip()]
    summary = [i for i, f in enumerate(frames) if f.startswith("wrote ")]
    assert len(summary) == 1 and "triples to" in frames[summary[0]]
    drawn = frames[:summary[0]]  # the progress display's frames (the summary is plain text, wrapped by the terminal)
    assert all(len(f) <= 80 for f in drawn), max(drawn, key=len)
    assert any("loading the French model" in f for f in drawn)
    assert any(re.search(r"analysing .*5/5", f) for f in drawn)
