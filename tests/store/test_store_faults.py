"""Faults during `kg load --store`: kill -9, SIGINT, SIGTERM and a full disk leave the old graph or the new one."""
from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pyoxigraph as ox
import pytest

from kg.stores.embedded import STAGING_BASE, graphs, load, query_store

KG = [sys.executable, "-m", "kg.cli"]
G = "https://w3id.org/diplomacy-kg/graph/faults"
ID = "https://w3id.org/diplomacy-kg/id/"
DIP = "https://w3id.org/diplomacy-kg/ontology#"
XSD = "http://www.w3.org/2001/XMLSchema#"
# 3 kill -9, 3 SIGINT, 2 SIGTERM; the seed is printed when a trial fails
SIGNALS = [signal.SIGKILL, signal.SIGINT, signal.SIGTERM] * 2 + [signal.SIGKILL, signal.SIGINT]
SEED = 21


def _article(i: int, version: str) -> list[str]:
    """The triples of one synthetic article shaped like a build's: article, persons, a meeting, evidence."""
    art, met = f"<{ID}article/a{i}>", f"<{ID}meeting/m{i}-{version}>"
    a, b = f"<{ID}person/p{i}>", f"<{ID}person/p{i + 1}>"
    lines = [f'{art} <{DIP}fileName> "a{i}.txt" .', f'{art} <{DIP}language> "fr" .',
             f'{art} <{DIP}title> "Rencontre n° {i} à Genève, version {version}"@fr .',
             f"{met} <{DIP}participant> {a} .", f"{met} <{DIP}participant> {b} .", f"{a} <{DIP}metWith> {b} ."]
    for k in range(4):
        ev = f"<{ID}evidence/e{i}-{k}-{version}>"
        lines += [f"{met} <{DIP}evidence> {ev} .", f"{ev} <{DIP}article> {art} .",
                  f'{ev} <{DIP}beginIndex> "{k * 100}"^^<{XSD}nonNegativeInteger> .',
                  f'{ev} <{DIP}rule> "meeting.verb-with.v1" .', f'{ev} <{DIP}confidence> "0.8"^^<{XSD}decimal> .',
                  f'{ev} <{DIP}sentence> "La délégation {i} a rencontré l\'émissaire spécial, dit-il ({k})."@fr .']
    return lines


def _write(path: Path, articles: range, version_of) -> set[str]:
    lines = [t for i in articles for t in _article(i, version_of(i))]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    memory = ox.Store()  # the triples as a store gives them back (it stores xsd:nonNegativeInteger as xsd:integer)
    memory.load(path=str(path), format=ox.RdfFormat.N_TRIPLES)
    return _canonical(memory)


def _canonical(triples) -> set[str]:
    return {str(ox.Triple(t.subject, t.predicate, t.object)) for t in triples}


def _graph(store_dir: Path) -> set[str]:
    """The triples of G as the store holds them, read the way `kg query` reads the store."""
    store = ox.Store.read_only(str(store_dir))
    return _canonical(store.quads_for_pattern(None, None, None, ox.NamedNode(G)))


@pytest.fixture(scope="module")
def stores(tmp_path_factory):
    """An old and a new version of one graph (half the articles changed, a quarter added), a store holding
    the old one, and the seconds a replacing `kg load` of the new one takes."""
    root = tmp_path_factory.mktemp("faults")
    old = _write(root / "old.nt", range(0, 500), lambda i: "a")
    new = _write(root / "new.nt", range(0, 625), lambda i: "a" if i % 2 else "b")
    base = root / "base"
    load(root / "old.nt", base, graph_name=G)
    ref = root / "ref"
    shutil.copytree(base, ref)
    started = time.monotonic()
    done = subprocess.run(KG + ["load", str(root / "new.nt"), "--store", str(ref), "--graph-name", G],
                          capture_output=True, text=True, timeout=120)
    seconds = time.monotonic() - started
    assert done.returncode == 0, done.stderr
    assert _graph(ref) == new
    return root, base, old, new, seconds


def test_store_faults_kill_at_random_points_leaves_old_or_new_graph(stores):
    root, base, old, new, seconds = stores
    assert len(old) > 10_000 and old != new
    rng = random.Random(SEED)
    outcomes = []
    for n, sig in enumerate(SIGNALS):
        # spread over the run: interpreter start, parse, staging load, swap, clean-up
        delay = 0.8 * seconds * (n + rng.random()) / len(SIGNALS)
        store = root / f"s{n}"
        shutil.copytree(base, store)
        proc = subprocess.Popen(KG + ["load", str(root / "new.nt"), "--store", str(store), "--graph-name", G],
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        time.sleep(delay)
        alive = proc.poll() is None
        proc.send_signal(sig)
        err = proc.communicate(timeout=60)[1]
        where = f"trial {n} (seed {SEED}): {sig.name} after {delay:.2f} of {seconds:.2f} s, exit {proc.returncode}"
        assert not psutil.pid_exists(proc.pid), where
        held = _graph(store)
        assert held in (old, new), f"{where}: the graph is neither the old nor the new one ({len(held)} triples)"
        state = "old" if held == old else "new"
        outcomes.append((sig.name, round(delay, 2), proc.returncode, state, err.strip()[:90]))
        if sig == signal.SIGKILL or not alive:
            continue
        assert proc.returncode in (128 + sig, -sig), f"{where}: {err}"
        if proc.returncode == -sig:  # the interpreter's default action, before `kg` set its handlers
            assert state == "old", where
            continue
        assert err.count("\n") == 1 and "Traceback" not in err, f"{where}: {err}"
        # what it says is true: a load that did not reach the store says nothing of it
        claims_new = "the store holds the new graph" in err
        assert claims_new == (state == "new"), f"{where}: the message does not say what the store holds: {err}"
        # the union the queries see holds no staging copy left by the interrupted load
        assert int(query_store("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", store, default_graphs=None)[1][0][0]) == len(held), where
    print("outcomes:", outcomes)
    assert {o[3] for o in outcomes} == {"old", "new"}, f"no kill landed on both sides of the swap: {outcomes}"


def test_store_faults_next_load_removes_stale_staging(stores):
    root, base, old, new, seconds = stores
    store = root / "stale"
    shutil.copytree(base, store)
    s = ox.Store(str(store))  # what a load killed between its staging load and the swap leaves
    s.bulk_load(path=str(root / "new.nt"), format=ox.RdfFormat.N_TRIPLES,
                to_graph=ox.NamedNode(STAGING_BASE + "killed"))
    del s
    assert _graph(store) == old
    # hidden from queries meanwhile
    assert int(query_store("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", store, default_graphs=None)[1][0][0]) == len(old)
    assert graphs(store) == {G: len(old)}
    assert load(root / "old.nt", store, graph_name=G).triples == len(old)
    assert [g.value for g in ox.Store.read_only(str(store)).named_graphs()] == [G]
    assert _graph(store) == old


@pytest.fixture
def small_disk(tmp_path):
    """A 6 MiB tmpfs at tmp_path/disk, unmounted at the end (needs root)."""
    disk = tmp_path / "disk"
    disk.mkdir()
    if not shutil.which("mount") or psutil.Process().uids().effective != 0:
        pytest.skip("a small disk needs `mount -t tmpfs`, run as root; not root here")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=6m", "tmpfs", str(disk)],
                          capture_output=True, text=True)
    if done.returncode:
        pytest.skip(f"mount -t tmpfs refused: {done.stderr.strip()}")
    try:
        yield disk
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=True)


def test_store_faults_full_disk_keeps_the_old_graph(small_disk, tmp_path):
    old = _write(tmp_path / "old.nt", range(0, 100), lambda i: "a")
    big = tmp_path / "big.nt"  # 8 MB of random hex that compresses to more than the 6 MiB disk has left
    with big.open("w", encoding="utf-8") as out:
        for i in range(40_000):
            out.write(f'<{ID}evidence/x{i}> <{DIP}sentence> "{os.urandom(100).hex()}"@fr .\n')
    store = small_disk / "store"
    load(tmp_path / "old.nt", store, graph_name=G)
    for replace in ("--replace", "--no-replace"):
        done = subprocess.run(KG + ["load", str(big), "--store", str(store), "--graph-name", G, replace],
                              capture_output=True, text=True, timeout=60)
        assert done.returncode == 2, done.stderr
        assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr, done.stderr
        assert done.stderr.startswith(f"kg: {store}: cannot write the store (") and "No space left" in done.stderr
        assert done.stderr.rstrip().endswith(f"the store still holds the previous graph <{G}>"), done.stderr
        assert _graph(store) == old
    # the failed loads gave their space back: the next load works and leaves no staging copy behind
    (tmp_path / "old.nt").rename(tmp_path / "again.nt")
    assert load(tmp_path / "again.nt", store, graph_name=G).triples == len(old)
    assert [g.value for g in ox.Store.read_only(str(store)).named_graphs()] == [G]
