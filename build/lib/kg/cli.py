"""The `kg` command line: thin wrappers around the public API."""
from __future__ import annotations

import argparse
import csv
import json
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from kg.records import Article


def _err(msg: str) -> None:
    from kg.progress import printable

    print(f"kg: {printable(msg)}", file=sys.stderr)


def cmd_build(args) -> int:
    before = _file_id(args.output)
    try:
        from kg.graph.formats import RdfFormat, check_temp_folder, check_writable

        fmt = RdfFormat.from_extension(args.output)
        # before the long part: a folder that cannot be written fails now, not after the analysis
        check_writable(args.output)
        check_temp_folder()
        return _build(args, fmt=fmt)
    except (KeyboardInterrupt, Exception) as err:
        if getattr(err, "path", None) != args.output:  # a WriteError of the output says what it left
            err.add_note(_output_state(args.output, before))
        raise


def _build(args, *, fmt) -> int:
    from kg.graph.formats import write_graph
    from kg.input.ingest import find_files
    from kg.build.pipeline import build_triples, count_triples, worker_count
    from kg.progress import ProgressBar, Stopwatch, printable
    from kg.report.stats import format_stats, graph_stats

    skipped: list[str] = []
    started = time.monotonic()
    # Missing inputs are reported by the build itself; here they only must not stop the count.
    bar = ProgressBar(len(find_files(args.inputs, lambda path, why: None)), enabled=False if args.quiet else None)

    def on_skip(path: Path, why: str) -> None:
        skipped.append(str(path))
        bar.close()
        _err(f"skipped {path}: {why}")

    def on_notice(path: Path, what: str) -> None:
        bar.close()
        _err(f"note: {path}: {what}")

    def progress(n: int, article: Article) -> None:
        _interrupt_missed()
        bar.update(n, article.file_name)

    if args.strict:  # reading is cheap next to analysis: find every unusable input before spaCy runs
        from kg.input.ingest import iter_articles

        for _ in iter_articles(args.inputs, on_skip=on_skip, on_notice=on_notice):
            pass
        if skipped:
            _err(f"--strict: {len(skipped)} input(s) skipped; {args.output} not written")
            return 1
    watch = Stopwatch()
    try:
        if args.into:
            triples = _build_into(args, progress=progress, on_skip=on_skip,
                                  on_notice=None if args.strict else on_notice, stopwatch=watch)
        else:
            triples = build_triples(args.inputs, workers=args.workers, progress=progress, on_skip=on_skip,
                                    on_notice=None if args.strict else on_notice, stopwatch=watch)
    finally:
        bar.close()
    if not triples:
        _err(f"no usable article in {', '.join(map(str, args.inputs))}; {args.output} not written")
        return 2
    _interrupt_missed()
    with watch.stage("writing"):
        count = count_triples(triples)
        write_graph(triples, args.output, fmt=fmt)
    if args.timings:
        _write_timings(args.timings, watch, triples=count, workers=worker_count(args.workers))
    if not args.quiet:
        print(printable(f"wrote {count} triples to {args.output} in {time.monotonic() - started:.1f} s "
                        f"({watch.summary()})"), file=sys.stderr)
        print(format_stats(graph_stats(triples, skipped=len(skipped))), file=sys.stderr)
    return 3 if skipped else 0


def _file_id(path: Path) -> tuple[int, int] | None:
    """What identifies the file at ``path`` (device and inode: a rename puts another there), or None."""
    try:
        info = path.stat()
    except OSError:
        return None
    return info.st_dev, info.st_ino


def _output_state(path: Path, before: tuple[int, int] | None) -> str:
    """What an interrupted or failed build left at ``path``, ``before`` being what was there when it began."""
    now = _file_id(path)
    if now != before:
        return f"{path} was written"
    return f"{path} not written" + ("; the file there before is intact" if before else "")


def _write_timings(path: Path, watch, **facts) -> None:
    """`kg build --timings FILE`: the seconds of each stage as JSON, for benchmarks and monitoring."""
    from kg.graph.formats import atomic_output

    with atomic_output(path) as out:
        out.write((json.dumps({"seconds": watch.seconds, **facts}, indent=1) + "\n").encode("utf-8"))


def _build_into(args, **callbacks):
    """`kg build --into DIR`: add the inputs to a persistent build and return the triples of all of it."""
    from kg.build.pipeline import build_triples_into

    triples, report = build_triples_into(args.into, args.inputs, workers=args.workers, **callbacks)
    if not args.quiet:
        print(file=sys.stderr)
        _err(f"build {args.into}: {len(report.analysed)} analysed, {len(report.cached)} from cache, "
             f"{len(report.unchanged)} unchanged, {len(report.replaced)} replaced by new content")
    return triples


def cmd_validate(args) -> int:
    from kg.graph.formats import read_graph
    from kg.checks.shacl import format_text, validate

    result = validate(read_graph(args.graph), workers=args.workers)
    if args.format == "json":
        print(json.dumps({"conforms": result.conforms,
                          "violations": [v.__dict__ for v in result.violations]}, ensure_ascii=False, indent=1))
    else:
        print(format_text(result))
    return 0 if result.conforms else 1


def cmd_reason(args) -> int:
    from kg.graph.formats import RdfFormat, read_graph, write_graph
    from kg.checks.owl import format_text, reason

    result = reason(read_graph(args.graph))
    print(format_text(result))
    if args.output and result.consistent:
        write_graph(result.inferred, args.output, fmt=RdfFormat.from_extension(args.output))
        print(f"wrote {len(result.inferred)} inferred triples to {args.output}", file=sys.stderr)
    return 0 if result.consistent else 1


def cmd_stats(args) -> int:
    from kg.graph.formats import read_graph
    from kg.report.stats import format_stats, graph_stats

    print(format_stats(graph_stats(read_graph(args.graph))))
    return 0


def cmd_report(args) -> int:
    from kg.graph.formats import read_graph
    from kg.report.html import write_report

    g = read_graph(args.graph)
    size = write_report(g, args.output, title=args.title or args.graph.name)
    print(f"wrote the report of {args.graph} to {args.output} ({size // 1024} KiB)", file=sys.stderr)
    return 0


def cmd_eval(args) -> int:
    from kg.checks.evaluate import evaluate, format_text, load_graph, read_gold

    report = evaluate(read_gold(args.gold), load_graph(args.graph), group=args.group)
    if args.format == "json":
        print(json.dumps(report.as_json(errors=args.errors), ensure_ascii=False, indent=1))
    else:
        print(format_text(report, errors=args.errors))
    f1 = report.figures["core"]["f1"]
    if args.min_f1 is not None and f1 < args.min_f1:
        _err(f"eval: core F1 {f1} < {args.min_f1}")
        return 1
    return 0


def _endpoint(args):
    from kg.stores.endpoint import Endpoint

    return Endpoint.from_url(args.endpoint, update_url=args.update_url, store_url=args.gsp_url,
                             timeout=args.timeout)


def cmd_load(args) -> int:
    from kg.stores.embedded import LoadInterrupted, load

    started = time.monotonic()
    if args.endpoint:
        from kg.stores.endpoint import load_remote

        if not args.replace:
            _err("load: --no-replace applies to --store only (a remote load replaces its graph)")
            return 2
        res, where = load_remote(args.graph, _endpoint(args), graph_name=args.graph_name), args.endpoint
    elif args.store:
        try:
            res, where = load(args.graph, args.store, graph_name=args.graph_name, replace=args.replace), args.store
        except LoadInterrupted as stop:  # its message says which graph the store holds
            _err(str(stop))
            return 128 + stop.signum
    else:
        _err("load: give --store DIR or --endpoint URL")
        return 2
    print(f"loaded {args.graph} into {where} <{res.graph_name}>: {res.triples} triples in the graph "
          f"({time.monotonic() - started:.2f} s)", file=sys.stderr)
    return 0


def _print_table(cols: list[str], rows: list[list[str | None]], fmt: str) -> None:
    if fmt == "json":
        print(json.dumps([dict(zip(cols, r)) for r in rows], ensure_ascii=False, indent=1))
        return
    if fmt == "csv":
        w = csv.writer(sys.stdout)
        w.writerow(cols)
        w.writerows([["" if v is None else v for v in r] for r in rows])
        return
    cells = [[_short(v) for v in r] for r in rows]
    widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(cols)]
    print("  ".join(c.ljust(w) for c, w in zip(cols, widths)))
    print("  ".join("-" * w for w in widths))
    for r in cells:
        print("  ".join(v.ljust(w) for v, w in zip(r, widths)))
    print(f"({len(rows)} rows)")


def _short(value: str | None, limit: int = 70) -> str:
    if value is None:
        return ""
    value = value.replace("\n", " ")
    for prefix in ("https://w3id.org/diplomacy-kg/id/",):
        if value.startswith(prefix):
            value = value[len(prefix):]
    return value if len(value) <= limit else value[: limit - 1] + "…"


def cmd_query(args) -> int:
    from kg.graph.formats import read_graph
    from kg.stores.sparql import QueryFile, parse_param_args
    from kg.stores.embedded import query_graph, query_store

    qf = QueryFile.read(args.query)
    bindings = qf.bindings(parse_param_args(args.param))
    if sum(map(bool, (args.store, args.endpoint, args.graph))) != 1:
        _err("query: give one of GRAPH, --store DIR or --endpoint URL")
        return 2
    if args.endpoint:
        from kg.stores.endpoint import query_remote

        cols, rows = query_remote(qf.text, _endpoint(args), bindings=bindings, default_graphs=args.graph_name)
    else:
        g = None if args.store else read_graph(args.graph)
        try:
            if args.store:
                cols, rows = query_store(qf.text, args.store, bindings=bindings)
            else:
                cols, rows = query_graph(qf.text, g, bindings=bindings)
        except ValueError as err:  # the engine refused the query: name the file (the endpoint's errors name the URL)
            raise ValueError(f"{args.query}: {err}") from None
    _print_table(cols, rows, args.format)
    return 0


def make_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="kg", description="Build, validate, store and query a knowledge graph "
                                "of French diplomatic news (envoys, meetings, statements).")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    b = sub.add_parser("build", help="extract a graph from articles", description="Extract entities, envoys, "
                       "meetings and statements from articles (.txt, .html and .jsonl files, or folders of them)\n"
                       "into an RDF file. Unusable inputs (empty, binary, not French, too large, duplicate, not a\n"
                       "regular file, a folder that cannot be listed) are skipped with one line each on stderr.\n"
                       "The output is replaced atomically: an interrupted or failed build leaves the previous\n"
                       "file intact. Ctrl-C or SIGTERM stops the build and its workers within about a second.",
                       epilog="exit status:\n  0    every input was used\n"
                       "  1    --strict and some input would be skipped; nothing written\n"
                       "  2    error (bad option, no usable article, a file or folder that cannot be written,\n"
                       "       a full disk); nothing written\n"
                       "  3    graph written, but some input was skipped\n"
                       "  130  interrupted (SIGINT, Ctrl-C), 143 terminated (SIGTERM); nothing written",
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    b.add_argument("inputs", nargs="+", type=Path, metavar="INPUT", help="article file or folder of articles")
    b.add_argument("--into", type=Path, metavar="BUILD_DIR",
                   help="incremental build: add the inputs to the build kept in BUILD_DIR (created if needed) "
                   "and write the graph of every article in it; only new or changed articles are analysed")
    b.add_argument("-o", "--output", type=Path, required=True,
                   help="output file; format from the extension: .ttl .trig .nq .nt .jsonld")
    b.add_argument("--workers", type=int, default=None, help="parallel processes (default: all cores)")
    b.add_argument("--strict", action="store_true",
                   help="fail (exit 1, write nothing) when any input would be skipped")
    b.add_argument("-q", "--quiet", action="store_true", help="no progress or summary on stderr")
    b.add_argument("--timings", type=Path, metavar="FILE.json",
                   help="also write the seconds spent in each stage (model, analysis, resolution, mapping, "
                   "writing) as JSON")
    b.set_defaults(func=cmd_build)

    v = sub.add_parser("validate", help="check a graph against the SHACL shapes",
                       description="Validate GRAPH against ontology/shapes.ttl (with the ontology). "
                       "Exit 0 when it conforms, 1 when not.")
    v.add_argument("graph", type=Path, metavar="GRAPH")
    v.add_argument("--format", choices=["text", "json"], default="text")
    v.add_argument("--workers", type=int, default=None,
                   help="parallel processes for a big graph (default: all cores; a small graph uses one)")
    v.set_defaults(func=cmd_validate)

    r = sub.add_parser("reason", help="check a graph with the OWL reasoner (HermiT, needs Java)",
                       description="Run HermiT on GRAPH with ontology/diplomacy.ttl: report inconsistency (with "
                       "the likely offending individuals), unsatisfiable classes and a summary of the inferred "
                       "triples. Exit 0 when consistent, 1 when not.")
    r.add_argument("graph", type=Path, metavar="GRAPH")
    r.add_argument("-o", "--output", type=Path, metavar="INFERRED",
                   help="write the inferred triples (not the asserted ones); format from the extension")
    r.set_defaults(func=cmd_reason)

    st = sub.add_parser("stats", help="summarise a graph", description="Print the articles, entities by type, "
                        "facts by relation and evidence count of GRAPH (the summary `kg build` prints).")
    st.add_argument("graph", type=Path, metavar="GRAPH")
    st.set_defaults(func=cmd_stats)

    r = sub.add_parser("report", help="write a browsable HTML report of a graph",
                       description="Write one self-contained HTML file (works offline): a network of actors, "
                       "a panel per entity, and every fact with its highlighted source sentences.")
    r.add_argument("graph", type=Path, metavar="GRAPH")
    r.add_argument("-o", "--output", type=Path, required=True, metavar="REPORT.html")
    r.add_argument("--title", help="page title (default: the graph's file name)")
    r.set_defaults(func=cmd_report)

    ev = sub.add_parser("eval", help="score a graph against gold annotations",
                        description="Score GRAPH against the gold annotations in GOLD.jsonl (the format of\n"
                        "shared/eval/GOLD-SCHEMA.md) as shared/eval/score.py does: precision, recall and F1 of\n"
                        "envoy_of, met_with, stated, their pool (core) and persons. Also the precision of each\n"
                        "rule id (a fact found by several rules counts for each), and with --group the figures\n"
                        "of each group of documents.",
                        epilog="exit status:\n  0  scored\n  1  --min-f1 given and the core F1 is below it\n"
                        "  2  error (unreadable gold file or graph, bad option)",
                        formatter_class=argparse.RawDescriptionHelpFormatter)
    ev.add_argument("gold", type=Path, metavar="GOLD.jsonl", help="gold entities and facts, one JSON object a line")
    ev.add_argument("graph", type=Path, metavar="GRAPH", help="RDF file; format from the extension")
    ev.add_argument("--group", metavar="REGEX",
                    help="also score groups of documents: a document's group is the first match of REGEX on its "
                    "doc id (file name without extension; group 1 if REGEX has one), e.g. '^([a-z])'; a predicted "
                    "fact belongs to the groups of its evidence articles")
    ev.add_argument("--errors", action="store_true",
                    help="list missed gold facts and false positives, with their sentences and rule ids")
    ev.add_argument("--format", choices=["text", "json"], default="text")
    ev.add_argument("--min-f1", type=float, metavar="F", help="exit 1 when the core F1 is below F")
    ev.set_defaults(func=cmd_eval)

    ld = sub.add_parser("load", help="load a graph into the embedded store or a SPARQL server",
                        description="Load GRAPH into a named graph (one per file name, or --graph-name) of the "
                        "embedded on-disk store in DIR (created if needed) or of a remote SPARQL store; loading "
                        "the same file again replaces that graph. Remote credentials come from "
                        "KG_ENDPOINT_USER / KG_ENDPOINT_PASSWORD or ~/.netrc.")
    ld.add_argument("graph", type=Path, metavar="GRAPH")
    ld.add_argument("--store", type=Path, metavar="DIR")
    ld.add_argument("--graph-name", metavar="IRI", help="named graph to load into (default: from the file name)")
    ld.add_argument("--replace", action=argparse.BooleanOptionalAction, default=True,
                    help="replace the graph loaded before (default) instead of adding to it")
    _endpoint_options(ld, "Graph Store Protocol PUT, or SPARQL Update when the server has none")
    ld.set_defaults(func=cmd_load)

    q = sub.add_parser("query", help="run a SPARQL query file", description="Run the SELECT query in QUERY.rq "
                       "over GRAPH (an RDF file) or over the store in --store DIR, and print the rows.")
    q.add_argument("query", type=Path, metavar="QUERY.rq")
    q.add_argument("graph", type=Path, nargs="?", metavar="GRAPH")
    q.add_argument("--store", type=Path, metavar="DIR")
    q.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                   help="bind a parameter declared in the query's header: <iri>, prefix:name, \"text\"@fr, "
                   "a number, or plain text (a string); repeatable")
    q.add_argument("--format", choices=["table", "csv", "json"], default="table")
    _endpoint_options(q, "SPARQL 1.1 Protocol")
    q.add_argument("--graph-name", action="append", default=[], metavar="IRI",
                   help="with --endpoint: query this named graph as the default graph (repeatable; "
                   "default: the server's default graph)")
    q.set_defaults(func=cmd_query)

    sv = sub.add_parser("serve", help="serve the store as a local read-only SPARQL endpoint",
                        description="Serve the store in DIR over HTTP: SPARQL 1.1 Protocol queries (GET or POST) "
                        "at /query, a query page at /. Read-only; bound to localhost unless --host says otherwise. "
                        "Queries nested over 256 deep or with over 1,000 operators are refused before parsing (400), "
                        "and so is SERVICE; bound to a loopback address, it answers only requests whose Host is "
                        "localhost, 127.0.0.1 or [::1].")
    sv.add_argument("--store", type=Path, required=True, metavar="DIR")
    sv.add_argument("--host", default="127.0.0.1")
    sv.add_argument("--port", type=int, default=7878)
    sv.add_argument("--timeout-s", type=float, default=10.0, metavar="SECONDS",
                    help="stop a query running longer (503; default 10)")
    sv.add_argument("--request-timeout-s", type=float, default=10.0, metavar="SECONDS",
                    help="close a connection whose request has not arrived whole, or that is idle, after this "
                    "long (default 10)")
    sv.add_argument("--allow-service", action="store_true",
                    help="run SERVICE clauses (federated queries: the server then sends requests where they say)")
    sv.add_argument("--cors", metavar="ORIGIN",
                    help="let web pages from ORIGIN (e.g. http://localhost:8000, or *) read the answers")
    sv.add_argument("--workers", type=int, default=None, metavar="N",
                    help="query processes (default: all cores)")
    sv.set_defaults(func=cmd_serve)
    return p


def _endpoint_options(parser: argparse.ArgumentParser, how: str) -> None:
    parser.add_argument("--endpoint", metavar="URL", help=f"remote SPARQL service ({how}): its base URL "
                        "(Oxigraph: /query /update /store) or its query URL (.../query, or .../sparql for Fuseki)")
    parser.add_argument("--update-url", metavar="URL", help="SPARQL Update URL, when not derived from --endpoint")
    parser.add_argument("--gsp-url", metavar="URL", help="Graph Store Protocol URL, when not derived from --endpoint")
    parser.add_argument("--timeout", type=float, default=30.0, metavar="SECONDS", help="per request (default 30)")


def cmd_serve(args) -> int:
    from kg.stores.serve import serve

    for name, value in (("--timeout-s", args.timeout_s), ("--request-timeout-s", args.request_timeout_s)):
        if not 0 < value < float("inf"):
            _err(f"serve: {name} must be a positive number of seconds, not {value:g}")
            return 2
    if args.workers is not None and args.workers < 1:
        _err("serve: --workers must be at least 1")
        return 2
    serve(args.store, host=args.host, port=args.port, timeout_s=args.timeout_s,
          request_timeout_s=args.request_timeout_s, allow_service=args.allow_service, cors=args.cors,
          workers=args.workers)
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run one `kg` command; its exit status. Without ``argv`` (the process is `kg` itself) an
    interrupted command ends the process at once, its work undone, skipping the second or so Python
    takes to free a loaded model, and a signal after the command has ended is ignored."""
    args = make_parser().parse_args(argv)
    try:
        with _signals_interrupt(then=signal.SIG_IGN if argv is None else None):
            code = args.func(args)
            sys.stdout.flush()  # here, where a reader that stopped is caught, not at exit
            return code
    except (FileNotFoundError, ValueError, RuntimeError) as err:
        _err(_message(err))
        return 2
    except BrokenPipeError:  # the reader of the output stopped ("kg query Q.rq G | head"): nothing to say
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # and nothing left to flush
        return 0
    except OSError as err:  # a system fault: full disk, unreadable or unwritable folder...
        _err(_message(err))
        return 2
    except KeyboardInterrupt as err:
        signum = getattr(err, "signum", signal.SIGINT)
        _err("; ".join([f"interrupted by {signal.Signals(signum).name}", *getattr(err, "__notes__", ())]))
        code = 128 + signum
    if argv is None:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    return code


def _message(err: Exception) -> str:
    """One line for an error: an OSError from the system as "FILE: reason", others as they say."""
    if isinstance(err, OSError) and err.errno is not None and err.filename is not None:
        text = f"{os.fsdecode(err.filename)}: {err.strerror}"
    else:
        text = str(err) or type(err).__name__
    return "; ".join([text, *getattr(err, "__notes__", ())])


class Interrupted(KeyboardInterrupt):
    """SIGINT or SIGTERM reached `kg`; ``signum`` says which (the exit status is 128 + signum)."""

    def __init__(self, signum: int):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


_received: list[int] = []  # the signals received while main() runs


def _interrupt_missed() -> None:
    """Raise Interrupted again for a signal already received: Python drops an exception raised where
    it cannot propagate (in a __del__, a weakref callback or an after-fork hook), and the handler
    may have run there. Long commands call this at their steps."""
    if _received:
        raise Interrupted(_received[0])


@contextmanager
def _signals_interrupt(*, then=None) -> Iterator[None]:
    """SIGINT and SIGTERM raise Interrupted in this process, so that what it was doing is undone
    (workers stopped, temporary files removed) before it exits with 128 + the signal's number.

    A second signal ends the process at once (its workers killed). A forked child gets the handlers
    from before (a worker must still die of SIGTERM). At the end they are ``then``, or the ones before.
    """
    owner, received = os.getpid(), _received

    def handler(signum, frame):
        if os.getpid() != owner:
            return
        if received:
            import multiprocessing

            for child in multiprocessing.active_children():
                child.kill()
            # os.write: print could be re-entered, the signal having come in the middle of one
            os.write(2, f"kg: interrupted again by {signal.Signals(signum).name}; stopped at once\n".encode())
            os._exit(128 + signum)
        received.append(signum)
        raise Interrupted(signum)

    if threading.current_thread() is not threading.main_thread():  # only the main thread can handle signals
        yield
        return
    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    _replaced.update(previous)
    try:
        yield
    finally:
        _replaced.clear()
        for sig, old in previous.items():
            signal.signal(sig, old if then is None else then)
        received.clear()


_replaced: dict[int, object] = {}  # the handlers _signals_interrupt replaced, while it is active


def _handlers_back_in_child() -> None:
    for sig, old in _replaced.items():
        signal.signal(sig, old)
    _replaced.clear()


os.register_at_fork(after_in_child=_handlers_back_in_child)


if __name__ == "__main__":
    sys.exit(main())
