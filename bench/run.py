"""The benchmark: build throughput against raw spaCy measured in the same run, scaling, stages, graphs.

Every measurement runs in a fresh process (model loading included on both sides) whose process
tree is sampled for peak resident memory. Wall times on a shared machine are noisy: compare the
ratios, which are measured back to back, and the CPU seconds, which noise affects less.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from bench.corpus import DEFAULT_SEED, write_corpus

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
QUERIES = sorted((HERE / "queries").glob("*.rq"))
ID_IRI = re.compile(r"<(https://w3id\.org/diplomacy-kg/id/[^>]*)>")


@dataclass(frozen=True)
class Mode:
    articles: int  # corpus for throughput, workers and stages
    scaling: tuple[int, ...]
    graph_sizes: tuple[int, ...]
    timeout: float  # seconds allowed to one graph measurement
    workers: tuple[int, ...] = (1, 2)


MODES = {
    "quick": Mode(articles=60, scaling=(), graph_sizes=(5_000, 20_000), timeout=60),
    "full": Mode(articles=1000, scaling=(1000, 5000, 10000), graph_sizes=(100_000, 1_000_000), timeout=900),
}


def _tree_rss(pid: int) -> int:
    """Resident bytes of a process and all its descendants (shared pages counted in each)."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/statm") as f:
                total += int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as f:
                    todo += [int(c) for c in f.read().split()]
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
    return total


def measure(cmd: list[str], *, timeout: float | None = None) -> dict:
    """Run ``cmd``; wall and CPU seconds (its children included), peak tree memory, JSON it printed."""
    env = {**os.environ, "PYTHONPATH": str(HERE.parent)}
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True)
    peak, done = [0], threading.Event()

    def sample() -> None:
        while not done.wait(0.05):
            peak[0] = max(peak[0], _tree_rss(proc.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out_chunks: list[str] = []
    reader = threading.Thread(target=lambda: out_chunks.append(proc.stdout.read()), daemon=True)
    reader.start()
    timed_out = False
    deadline = None if timeout is None else t0 + timeout
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if deadline and time.perf_counter() > deadline:
            proc.kill()
            timed_out = True
        time.sleep(0.02)
    wall = time.perf_counter() - t0
    done.set()
    reader.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read()
    result = {"wall_s": wall, "cpu_s": usage.ru_utime + usage.ru_stime, "peak_rss_mb": peak[0] / 2**20}
    if timed_out:
        return {**result, "timeout": True}
    if proc.returncode != 0:
        raise RuntimeError(f"bench: {' '.join(cmd)} failed ({proc.returncode}):\n{err[-2000:]}")
    text = "".join(out_chunks).strip()
    if text.startswith("{"):
        result["out"] = json.loads(text.splitlines()[-1])
    return result


def _probe(*args: str) -> list[str]:
    return [sys.executable, "-m", "bench.probe", *args]


def _build(folder: Path, out: Path, workers: int) -> list[str]:
    return [sys.executable, "-m", "kg.cli", "build", str(folder), "-o", str(out), "--workers", str(workers), "-q"]


def words_in(folder: Path) -> int:
    return sum(len(p.read_text(encoding="utf-8").split()) for p in folder.glob("*.txt"))


def replicate(base_nt: Path, out: Path, size: int) -> int:
    """Write ``size`` triples made of renamed copies of ``base_nt`` (same shape, distinct resources)."""
    lines = [ln for ln in base_nt.read_text(encoding="utf-8").splitlines() if ln.strip()]
    n = 0
    with out.open("w", encoding="utf-8") as f:
        copy = 0
        while n < size:
            for ln in lines[: size - n]:
                f.write(ID_IRI.sub(lambda m: f"<{m.group(1)}-c{copy}>", ln) + "\n")
            n += min(len(lines), size - n)
            copy += 1
    return n


def run(mode: Mode, work: Path, *, mode_name: str, seed: int = DEFAULT_SEED, log=print) -> dict:
    res: dict = {"mode": mode_name, "seed": seed, "cpus": os.cpu_count(), "python": platform.python_version(),
                 "started": time.strftime("%Y-%m-%d %H:%M:%S"), "throughput": {}, "scaling": {}, "graphs": {}}
    corpus = work / f"corpus_{mode.articles}"
    write_corpus(corpus, mode.articles, seed=seed)
    words = words_in(corpus)
    res["corpus"] = {"articles": mode.articles, "words": words}
    log(f"corpus: {mode.articles} articles, {words} words in {corpus}")

    # Raw spaCy and the build, back to back for each process count, so both see the same machine load.
    for workers in mode.workers:
        raw = measure(_probe("raw", str(corpus), str(workers)))
        build = measure(_build(corpus, work / f"build_w{workers}.nt", workers))
        res["throughput"][workers] = {"raw": raw, "build": build}
        log(f"workers={workers}: raw {raw['wall_s']:.1f}s  build {build['wall_s']:.1f}s  "
            f"ratio {build['wall_s'] / raw['wall_s']:.2f}")

    st = measure(_probe("stages", str(corpus)))
    res["stages"] = st["out"]
    log(f"stages: {json.dumps({k: round(v, 2) for k, v in st['out']['cpu'].items()})}")

    for n in mode.scaling:
        folder = work / f"corpus_{n}"
        write_corpus(folder, n, seed=seed)
        m = measure(_build(folder, work / f"scale_{n}.nt", os.cpu_count() or 1))
        res["scaling"][n] = {**m, "words": words_in(folder)}
        log(f"scaling {n}: {m['wall_s']:.1f}s, peak {m['peak_rss_mb']:.0f} MB")
        shutil.rmtree(folder) if n != mode.articles else None

    base = work / f"build_w{mode.workers[0]}.nt"
    for size in mode.graph_sizes:
        nt = work / f"graph_{size}.nt"
        replicate(base, nt, size)
        store = work / f"store_{size}"
        shutil.rmtree(store, ignore_errors=True)
        sh = measure(_probe("shacl", str(nt)), timeout=mode.timeout)
        sq = measure(_probe("sparql", str(nt), str(store), *map(str, QUERIES)), timeout=mode.timeout)
        res["graphs"][size] = {"shacl": sh, "sparql": sq}
        log(f"graph {size}: shacl {'timeout' if sh.get('timeout') else round(sh['out']['validate_s'], 1)}s")
        shutil.rmtree(store, ignore_errors=True)
        nt.unlink()
    res["targets"] = targets(res)
    return res


def targets(res: dict) -> dict:
    """The issue's targets, each with the measured figure and whether it holds."""
    tp, out = res["throughput"], {}
    for w in tp:
        ratio = tp[w]["build"]["wall_s"] / tp[w]["raw"]["wall_s"]
        out[f"build <= 1.15 x raw spaCy (workers={w})"] = (round(ratio, 2), ratio <= 1.15)
    if 1 in tp and 2 in tp:
        speedup = tp[1]["build"]["wall_s"] / tp[2]["build"]["wall_s"]
        out["--workers 2 >= 1.6 x faster than 1"] = (round(speedup, 2), speedup >= 1.6)
    cpu = res["stages"]["cpu"]
    build_cpu = sum(v for k, v in cpu.items() if k not in ("validation", "model load"))
    after = sum(cpu.get(k, 0.0) for k in ("extraction", "resolution", "mapping", "writing"))
    out["after parsing <= 10% of build"] = (round(after / build_cpu, 3), after / build_cpu <= 0.10)
    sc = res["scaling"]
    if len(sc) >= 2:
        sizes = sorted(sc)
        small, big = sizes[0], sizes[-1]
        if len(sizes) >= 3:  # marginal seconds per article, so the fixed start-up cost does not count
            lo = (sc[sizes[1]]["wall_s"] - sc[sizes[0]]["wall_s"]) / (sizes[1] - sizes[0])
            hi = (sc[sizes[-1]]["wall_s"] - sc[sizes[-2]]["wall_s"]) / (sizes[-1] - sizes[-2])
            out[f"linear {small}->{big} within 15% (marginal s/article)"] = (round(hi / lo, 2),
                                                                             abs(hi / lo - 1) <= 0.15)
        peak = sc[big]["peak_rss_mb"]
        out[f"peak memory < 2 GB at {big}"] = (round(peak), peak < 2048)
        growth = peak / sc[small]["peak_rss_mb"]
        out[f"memory flat {small}->{big} (within 25%)"] = (round(growth, 2), growth <= 1.25)
    return out


def table(res: dict) -> str:
    """The results as Markdown tables."""
    c = res["corpus"]
    lines = [f"Corpus: {c['articles']} synthetic articles, {c['words']} words (seed {res['seed']}); "
             f"{res['cpus']} CPUs; mode {res['mode']}; {res['started']}.", "",
             "| workers | raw spaCy s | build s | build / raw | raw words/s | build words/s | build articles/s "
             "| build CPU s | raw CPU s | build peak MB |", "|---|---|---|---|---|---|---|---|---|---|"]
    for w, m in res["throughput"].items():
        r, b = m["raw"], m["build"]
        lines.append(f"| {w} | {r['wall_s']:.1f} | {b['wall_s']:.1f} | {b['wall_s'] / r['wall_s']:.2f} | "
                     f"{c['words'] / r['wall_s']:,.0f} | {c['words'] / b['wall_s']:,.0f} | "
                     f"{c['articles'] / b['wall_s']:.1f} | {b['cpu_s']:.1f} | {r['cpu_s']:.1f} | "
                     f"{b['peak_rss_mb']:.0f} |")
    st = res["stages"]
    total = sum(v for k, v in st["cpu"].items() if k not in ("validation", "model load"))
    lines += ["", "| stage (1 process) | CPU s | wall s | share of build CPU |", "|---|---|---|---|"]
    for k in st["cpu"]:
        share = "" if k in ("validation", "model load") else f"{st['cpu'][k] / total:.1%}"
        lines.append(f"| {k} | {st['cpu'][k]:.2f} | {st['wall'][k]:.2f} | {share} |")
    if res["scaling"]:
        lines += ["", "| articles | words | build s | articles/s | ms/article | peak MB |", "|---|---|---|---|---|---|"]
        for n, m in res["scaling"].items():
            lines.append(f"| {n} | {m['words']} | {m['wall_s']:.1f} | {int(n) / m['wall_s']:.1f} | "
                         f"{1000 * m['wall_s'] / int(n):.1f} | {m['peak_rss_mb']:.0f} |")
    if res["graphs"]:
        qs = [q.stem for q in QUERIES]
        lines += ["", "| triples | SHACL s (pyshacl) | load rdflib s | load oxigraph s | "
                  + " | ".join(f"{q} rdflib / oxigraph ms" for q in qs) + " |",
                  "|---|---|---|---|" + "---|" * len(qs)]
        for size, m in res["graphs"].items():
            sh = "timeout" if m["shacl"].get("timeout") else f"{m['shacl']['out']['validate_s']:.1f}"
            if m["sparql"].get("timeout"):
                lines.append(f"| {int(size):,} | {sh} | timeout | timeout |" + " |" * len(qs))
                continue
            sq = m["sparql"]["out"]
            cells = [f"{1000 * sq['queries'][q]['rdflib']:.0f} / {1000 * sq['queries'][q]['oxigraph']:.1f}"
                     for q in qs]
            lines.append(f"| {int(size):,} | {sh} | {sq['rdflib_load_s']:.1f} | {sq['oxigraph_load_s']:.1f} | "
                         + " | ".join(cells) + " |")
    lines += ["", "| target | measured | holds |", "|---|---|---|"]
    for name, (value, ok) in res["targets"].items():
        lines.append(f"| {name} | {value} | {'yes' if ok else 'no'} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench", description="Benchmark the build against raw spaCy "
                                "(same model, same process count, same run), its stages, scaling and graph sizes.")
    p.add_argument("--quick", action="store_true", help="small corpus and graphs, no scaling (under 2 minutes)")
    p.add_argument("--seed", type=int, default=DEFAULT_SEED, help="corpus seed")
    p.add_argument("--work", type=Path, default=None, help="folder for corpora and outputs (default: a temp dir)")
    p.add_argument("--articles", type=int, help="override the throughput corpus size")
    p.add_argument("--scaling", type=int, nargs="*", help="override the scaling corpus sizes")
    p.add_argument("--graph-sizes", type=int, nargs="*", help="override the graph sizes (triples)")
    p.add_argument("--output", type=Path, default=RESULTS / "latest.json", help="JSON results file")
    args = p.parse_args(argv)
    log = lambda msg: print(msg, file=sys.stderr, flush=True)  # noqa: E731
    with tempfile.TemporaryDirectory(prefix="kg-bench-") as tmp:
        work = args.work or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        name = "quick" if args.quick else "full"
        mode = MODES[name]
        if args.articles or args.scaling is not None or args.graph_sizes is not None:
            name += " (custom)"
            mode = Mode(articles=args.articles or mode.articles,
                        scaling=mode.scaling if args.scaling is None else tuple(args.scaling),
                        graph_sizes=mode.graph_sizes if args.graph_sizes is None else tuple(args.graph_sizes),
                        timeout=mode.timeout)
        res = run(mode, work, mode_name=name, seed=args.seed, log=log)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(res, indent=1, ensure_ascii=False), encoding="utf-8")
    print(table(res))
    log(f"wrote {args.output}")
    return 0
