"""The commands of stores and endpoints: `kg load`, `kg query`, `kg serve`."""
from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from pathlib import Path

from kg.cli.common import err as _err


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
    from kg.stores.embedded import query_graph, query_store
    from kg.stores.sparql import QueryFile, parse_param_args

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


def _endpoint_options(parser: argparse.ArgumentParser, how: str) -> None:
    parser.add_argument("--endpoint", metavar="URL", help=f"remote SPARQL service ({how}): its base URL "
                        "(Oxigraph: /query /update /store) or its query URL (.../query, or .../sparql for Fuseki)")
    parser.add_argument("--update-url", metavar="URL", help="SPARQL Update URL, when not derived from --endpoint")
    parser.add_argument("--gsp-url", metavar="URL", help="Graph Store Protocol URL, when not derived from --endpoint")
    parser.add_argument("--timeout", type=float, default=30.0, metavar="SECONDS", help="per request (default 30)")


def add_parsers(sub) -> None:
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
