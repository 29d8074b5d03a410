"""`kg serve` under load: concurrent clients sending SELECT requests to a real server on 127.0.0.1.

The server is the `kg serve` command in its own process over a store loaded with the bench's stage
build; each client is a thread with one keep-alive connection (as a SPARQL client library keeps one),
timing each request from sending it to reading the whole answer. The clients stop early at a deadline,
so the probe stays bounded on a slow machine; ``completed`` says how many requests were answered.
"""
from __future__ import annotations

import contextlib
import ctypes
import http.client
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
from collections import deque
from pathlib import Path

# A light SELECT: the figures are the server's cost per request (HTTP, the worker round trip, JSON),
# not the engine's on a heavy query, which the graph table already reports.
QUERY = ("PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
         "SELECT ?s ?label WHERE { ?s rdfs:label ?label } ORDER BY ?label LIMIT 20")
_SERVING = re.compile(r" at (http://[^/\s]+)/")


def probe(graph_file: Path, store_dir: Path, *, clients: int = 20, requests: int = 50,
          budget_s: float = 20.0) -> dict:
    """Load ``graph_file`` into ``store_dir``, serve it, run the clients; requests/s and latencies."""
    from kg.stores.embedded import load

    load(graph_file, store_dir)
    with _served(store_dir) as url:
        host, port = urllib.parse.urlsplit(url).hostname, urllib.parse.urlsplit(url).port
        path = "/query?" + urllib.parse.urlencode({"query": QUERY})
        latencies: list[float] = []
        failures: list[str] = []
        deadline = [time.perf_counter() + budget_s]  # a list: set again once every client is connected
        ready = threading.Barrier(clients + 1, timeout=budget_s)
        threads = [threading.Thread(target=_client, args=(host, port, path, requests, ready, deadline, latencies,
                                                          failures)) for _ in range(clients)]
        for t in threads:
            t.start()
        ready.wait()
        started = time.perf_counter()
        deadline[0] = started + budget_s
        for t in threads:
            t.join()
        wall = time.perf_counter() - started
    latencies.sort()
    return {"clients": clients, "requests_each": requests, "completed": len(latencies), "failed": len(failures),
            "failures": sorted(set(failures))[:5], "wall_s": wall, "requests_per_s": len(latencies) / wall,
            "p50_ms": 1000 * _percentile(latencies, 50), "p99_ms": 1000 * _percentile(latencies, 99),
            "max_ms": 1000 * latencies[-1] if latencies else None,
            "stopped_at_deadline": len(latencies) + len(failures) < clients * requests}


def _client(host: str, port: int, path: str, n: int, ready: threading.Barrier, deadline: list[float],
            latencies: list[float], failures: list[str]) -> None:
    conn = http.client.HTTPConnection(host, port, timeout=30)
    try:
        _get(conn, path)  # warm-up, not timed: the connection opened and the server's workers started
    except (OSError, http.client.HTTPException):
        conn.close()
    try:
        ready.wait()
        for _ in range(n):
            if time.perf_counter() > deadline[0]:
                return
            t = time.perf_counter()
            try:
                status = _get(conn, path)
            except (OSError, http.client.HTTPException) as err:
                failures.append(f"{type(err).__name__}: {err}")
                conn.close()  # a fresh connection for the next request
                continue
            if status == 200:
                latencies.append(time.perf_counter() - t)  # list.append is atomic under the GIL
            else:
                failures.append(f"HTTP {status}")
    finally:
        conn.close()


def _get(conn: http.client.HTTPConnection, path: str) -> int:
    """GET ``path``, read the whole answer; its status. The connection is closed if the server said so."""
    conn.request("GET", path, headers={"Accept": "application/sparql-results+json"})
    resp = conn.getresponse()
    resp.read()
    if resp.will_close:
        conn.close()
    return resp.status


def _percentile(sorted_values: list[float], pct: float) -> float | None:
    """The nearest-rank percentile of already sorted values."""
    if not sorted_values:
        return None
    rank = max(1, -(-len(sorted_values) * pct // 100))  # ceil(n * pct / 100)
    return sorted_values[int(rank) - 1]


class _served:
    """`kg serve` on a free port of 127.0.0.1 for the ``with`` block; its URL; the process ended after."""

    def __init__(self, store_dir: Path, *, start_timeout_s: float = 30.0):
        self.cmd = [sys.executable, "-m", "kg.cli", "serve", "--store", str(store_dir), "--host", "127.0.0.1",
                    "--port", "0"]
        self.start_timeout_s = start_timeout_s

    def __enter__(self) -> str:
        self.proc = subprocess.Popen(self.cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                                     preexec_fn=_die_with_parent)
        self.tail: deque[str] = deque(maxlen=20)
        found, url = threading.Event(), []

        def drain() -> None:  # the access log, one line a request, must not fill the pipe
            for line in self.proc.stderr:
                self.tail.append(line)
                if not found.is_set() and (m := _SERVING.search(line)):
                    url.append(m.group(1))
                    found.set()
            found.set()

        threading.Thread(target=drain, daemon=True).start()
        if not found.wait(self.start_timeout_s) or not url:
            self.__exit__()
            raise RuntimeError(f"bench: kg serve did not start within {self.start_timeout_s:.0f} s: "
                               f"{''.join(self.tail)[-1000:]}")
        return url[0]

    def __exit__(self, *exc) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def _die_with_parent() -> None:
    """In the server's child process: SIGTERM when the probe ends, even killed at the bench's timeout.

    The probe's main thread starts the server and lives as long as the probe, so Linux's parent-death
    signal (sent when the forking thread ends) fires only when the probe is gone."""
    with contextlib.suppress(OSError, AttributeError):  # not Linux: the bench's own timeout is the bound
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
