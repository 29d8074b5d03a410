"""Real SPARQL servers on 127.0.0.1 (Oxigraph, Virtuoso 7), started for the module that asks for one and
stopped after it."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _oxigraph() -> str:
    exe = Path(sys.executable).with_name("oxigraph")
    found = str(exe) if exe.exists() else shutil.which("oxigraph")
    if not found:
        pytest.fail("the oxigraph server binary is missing: pip install -e '.[test]'")
    return found


@pytest.fixture(scope="module")
def oxigraph_url(tmp_path_factory):
    """Base URL of a fresh Oxigraph server (stopped after the module)."""
    port = free_port()
    location = tmp_path_factory.mktemp("oxigraph")
    proc = subprocess.Popen([_oxigraph(), "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    with _answering(proc, url + "/query?query=ASK%7B%7D", seconds=10, stop_seconds=10,
                    exited=lambda: proc.stderr.read().decode(errors="replace")):
        yield url


@contextmanager
def _answering(proc: subprocess.Popen, probe: str, *, seconds: int, stop_seconds: int,
               exited: Callable[[], str]) -> Iterator[None]:
    """Wait until the server ``proc`` answers a GET of ``probe`` (``exited()`` says why it died, if it did),
    and stop it at the end."""
    name = Path(proc.args[0]).name
    try:
        for _ in range(seconds * 10):
            if proc.poll() is not None:
                pytest.fail(f"{name} exited with {proc.returncode}: {exited()}")
            try:
                urllib.request.urlopen(probe, timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail(f"{name} did not answer on {probe} within {seconds} s")
        yield
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=stop_seconds)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture
def dead_url() -> str:
    """A URL on 127.0.0.1 where nothing listens."""
    return f"http://127.0.0.1:{free_port()}"


def missing(why: str) -> None:
    """Skip with a visible reason on a developer machine; fail under CI=true, where `make test` installs it."""
    if os.environ.get("CI", "").lower() not in ("", "0", "false"):
        pytest.fail(f"cannot run in CI: {why}")
    pytest.skip(why)


VIRTUOSO = "/usr/bin/virtuoso-t"
VIRTUOSO_INI = """[Database]
DatabaseFile = {d}/virtuoso.db
ErrorLogFile = {d}/virtuoso.log
LockFile = {d}/virtuoso.lck
TransactionFile = {d}/virtuoso.trx
xa_persistent_file = {d}/virtuoso.pxa
FileExtend = 200
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {d}/virtuoso-temp.db
TransactionFile = {d}/virtuoso-temp.trx
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{isql}
DisableUnixSocket = 1
ServerThreads = 10
CheckpointInterval = 0
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
DirsAllowed = ., {d}

[HTTPServer]
ServerPort = 127.0.0.1:{http}
ServerRoot = {d}
ServerThreads = 10
Charset = UTF-8

[SPARQL]
ResultSetMaxRows = 100000
MaxQueryExecutionTime = 60
"""


@pytest.fixture(scope="module")
def virtuoso_url(tmp_path_factory):
    """The /sparql URL of a fresh Virtuoso 7 (Debian's virtuoso-opensource-7-bin, `make test` installs it) with
    its default security: anonymous /sparql reads only, updates need the dba account through Digest."""
    if not os.access(VIRTUOSO, os.X_OK):
        missing(f"{VIRTUOSO} is missing: apt-get install virtuoso-opensource-7-bin (make test does, as root)")
    folder = tmp_path_factory.mktemp("virtuoso")
    isql, http = free_port(), free_port()
    (folder / "virtuoso.ini").write_text(VIRTUOSO_INI.format(d=folder, isql=isql, http=http), encoding="utf-8")
    proc = subprocess.Popen([VIRTUOSO, "+configfile", str(folder / "virtuoso.ini"), "+foreground"], cwd=folder,
                            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{http}/sparql"
    # a new database takes about 5 s
    with _answering(proc, url + "?query=ASK%7B%7D", seconds=60, stop_seconds=30,
                    exited=lambda: (folder / "virtuoso.log").read_text(errors="replace")[-2000:]):
        yield url
