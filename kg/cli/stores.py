"""The commands of stores and endpoints: `kg load`, `kg query`, `kg serve`."""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from kg.cli.common import add_input_format, display_name, verbosity
from kg.cli.common import err as _err


def _endpoint(args):
    from kg.stores.endpoint import Endpoint, QueryMethod, ServerKind

    if not 0 < args.timeout < float("inf"):
        raise ValueError(f"--timeout must be a positive number of seconds, not {args.timeout:g}")
    kind = None if args.server_kind == "auto" else ServerKind(args.server_kind)
    return Endpoint.from_url(args.endpoint, update_url=args.update_url, store_url=args.gsp_url,
                             timeout=args.timeout, method=QueryMethod(args.query_method), kind=kind)


@contextmanager
def _loadable(args) -> Iterator[Path]:
    """GRAPH as a file the loaders read by its extension: itself, or standard input or a file whose
    syntax --input-format gives, saved under a temporary name; RDF/XML, which the loaders do not
    read, as N-Triples (it has no named graphs to lose)."""
    from kg.graph.formats import RdfFormat, is_stdio, read_graph, write_graph
    from kg.stores.embedded import OX_FORMAT

    stdio = is_stdio(args.graph)
    named = None if stdio or Path(args.graph).suffix.lower() not in {f.extension for f in RdfFormat} \
        else RdfFormat.from_extension(args.graph)
    fmt = args.input_format or named or (RdfFormat.TURTLE if stdio else RdfFormat.from_extension(args.graph))
    if fmt is named and fmt in OX_FORMAT:
        yield args.graph
        return
    with tempfile.TemporaryDirectory(prefix="kg-load-") as folder:
        path = Path(folder, "stdin" if stdio else args.graph.stem)
        if fmt not in OX_FORMAT:
            path = path.with_name(path.name + RdfFormat.NTRIPLES.extension)
            write_graph(read_graph(args.graph, fmt=fmt), path)
        else:
            path = path.with_name(path.name + fmt.extension)
            if stdio:
                path.write_bytes(sys.stdin.buffer.read())
            else:
                path.symlink_to(args.graph.resolve())
        try:
            yield path
        except ValueError as err:  # a syntax error names the temporary file: name the input
            raise ValueError(str(err).replace(str(path), display_name(args.graph))) from None


def cmd_load(args) -> int:
    with _loadable(args) as graph:
        return _load(args, graph)


def _load(args, graph: Path) -> int:
    from kg.stores.embedded import LoadInterrupted, load

    started = time.monotonic()
    if args.endpoint:
        from kg.stores.endpoint import load_remote

        if not args.replace:
            _err("load: --no-replace applies to --store only (a remote load replaces its graph)")
            return 2
        res = load_remote(graph, _endpoint(args), graph_name=args.graph_name, with_ontology=args.with_ontology)
        where = args.endpoint
    elif args.store:
        try:
            res = load(graph, args.store, graph_name=args.graph_name, replace=args.replace,
                       with_ontology=args.with_ontology)
            where = args.store
        except LoadInterrupted as stop:  # its message says which graph the store holds
            _err(str(stop))
            return 128 + stop.signum
    else:
        _err("load: give --store DIR or --endpoint URL")
        return 2
    if verbosity(args):
        print(f"loaded {display_name(args.graph)} into {where}: {res.summary()} "
              f"({time.monotonic() - started:.2f} s)", file=sys.stderr)
    return 0


def _print_table(cols: list[str], rows: list[list[str | None]]) -> None:
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
        value = value.removeprefix(prefix)
    return value if len(value) <= limit else value[: limit - 1] + "…"


def _write_answer(answer, fmt: str | None, prefixes: dict[str, str]) -> None:
    from kg.stores.sparql import GRAPH_FORMATS, RESULTS_FORMATS, QueryForm

    if answer.form.gives_graph:
        fmt = fmt or "turtle"
        if fmt not in GRAPH_FORMATS:
            raise ValueError(f"--format {fmt}: a {answer.form.value} query gives a graph; choose one of "
                             f"{', '.join(GRAPH_FORMATS)}")
        sys.stdout.buffer.write(answer.graph_document(GRAPH_FORMATS[fmt], prefixes=prefixes))
        return
    fmt = fmt or "table"
    if fmt == "table":
        if answer.form is QueryForm.ASK:
            print("yes" if answer.boolean else "no")
        else:
            _print_table(*answer.table)
        return
    if fmt not in RESULTS_FORMATS:
        raise ValueError(f"--format {fmt}: a {answer.form.value} query gives results; choose one of table, "
                         f"{', '.join(RESULTS_FORMATS)}")
    body = answer.results_document(RESULTS_FORMATS[fmt])
    sys.stdout.buffer.write(body if body.endswith(b"\n") else body + b"\n")


def _default_graphs(args) -> tuple[str, ...]:
    """What --store and --endpoint queries read as their default graph: the build's, or as told."""
    from kg.graph.formats import BUILD_GRAPH

    if args.default_graph and args.graph_name:
        raise ValueError("query: --default-graph and --graph-name exclude each other")
    if args.default_graph:
        return ()
    return tuple(args.graph_name) or (BUILD_GRAPH,)


def cmd_query(args) -> int:
    from kg.graph.formats import read_graph
    from kg.stores.embedded import answer_graph, answer_store
    from kg.stores.sparql import QueryFile, parse_param_args

    try:
        qf = QueryFile.read(args.query)
    except UnicodeDecodeError as err:
        raise ValueError(f"{args.query}: not valid UTF-8 (byte {err.start}: {err.reason})") from None
    bindings = qf.bindings(parse_param_args(args.param))
    if sum(map(bool, (args.store, args.endpoint, args.graph))) != 1:
        _err("query: give one of GRAPH, --store DIR or --endpoint URL")
        return 2
    if args.graph and (args.graph_name or args.default_graph):
        _err("query: --graph-name and --default-graph choose graphs of --store or --endpoint (a GRAPH file is "
             "queried whole)")
        return 2
    if args.endpoint:
        from kg.stores.endpoint import answer_remote

        answer = answer_remote(qf.text, _endpoint(args), bindings=bindings, default_graphs=_default_graphs(args))
    else:
        g = None if args.store else read_graph(args.graph, fmt=args.input_format)
        try:
            if g is None:
                answer = answer_store(qf.text, args.store, bindings=bindings, default_graphs=_default_graphs(args))
            else:
                answer = answer_graph(qf.text, g, bindings=bindings)
        except ValueError as err:  # the engine refused the query: name the file (the endpoint's errors name the URL)
            raise ValueError(f"{args.query}: {err}") from None
    _write_answer(answer, args.format, qf.prefixes)
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
    parser.add_argument("--endpoint", metavar="URL", help=f"remote SPARQL service ({how}): its base URL or its "
                        "query URL (Oxigraph http://HOST:7878, Fuseki .../DATASET/sparql, GraphDB "
                        ".../repositories/REPO, Virtuoso http://HOST:8890/sparql)")
    parser.add_argument("--server-kind", choices=["auto", "oxigraph", "fuseki", "graphdb", "virtuoso", "generic"],
                        default="auto", help="how the server lays out its query, update and Graph Store URLs "
                        "(default auto: from the URL's shape)")
    parser.add_argument("--query-method", choices=["form", "get", "direct"], default="form",
                        help="how queries travel: form POST (default, every server answers it), GET, or "
                        "direct POST of application/sparql-query (Virtuoso 7 never answers it)")
    parser.add_argument("--update-url", metavar="URL", help="SPARQL Update URL, when not derived from --endpoint")
    parser.add_argument("--gsp-url", metavar="URL", help="Graph Store Protocol URL, when not derived from --endpoint")
    parser.add_argument("--timeout", type=float, default=30.0, metavar="SECONDS", help="per request (default 30)")


def add_parsers(sub) -> None:
    ld = sub.add_parser("load", help="load a graph into the embedded store or a SPARQL server",
                        description="Load GRAPH into the embedded on-disk store in DIR (created if needed) or a "
                        "remote SPARQL store. A triple file (Turtle, N-Triples, JSON-LD) goes to the build's named "
                        "graph <https://w3id.org/diplomacy-kg/graph/build> (or --graph-name); a TriG or N-Quads "
                        "file keeps its named graphs, its default graph going there. Loading again replaces "
                        "those graphs. Remote credentials come from KG_ENDPOINT_USER / KG_ENDPOINT_PASSWORD or "
                        "~/.netrc, sent (Digest or Basic) when the server asks.")
    ld.add_argument("graph", type=Path, metavar="GRAPH", help="RDF file, - for standard input")
    add_input_format(ld, "--input-format", "--format")
    ld.add_argument("--store", type=Path, metavar="DIR")
    ld.add_argument("--graph-name", metavar="IRI", help="named graph to load into (default: the build's graph; "
                    "for a TriG or N-Quads file of one graph, renames it)")
    ld.add_argument("--with-ontology", action="store_true", help="load the ontology too, into its own graph "
                    "<https://w3id.org/diplomacy-kg/graph/ontology>")
    ld.add_argument("--replace", action=argparse.BooleanOptionalAction, default=True,
                    help="replace the graph loaded before (default) instead of adding to it")
    _endpoint_options(ld, "Graph Store Protocol PUT, or SPARQL Update when the server has none")
    ld.set_defaults(func=cmd_load)

    q = sub.add_parser("query", help="run a SPARQL query file", description="Run the query in QUERY.rq (SELECT, "
                       "ASK, CONSTRUCT or DESCRIBE) over GRAPH (an RDF file, all its graphs), over the store in "
                       "--store DIR or over --endpoint URL, and print the answer. A store or endpoint query reads "
                       "the build's graph <https://w3id.org/diplomacy-kg/graph/build> as its default graph, unless "
                       "--graph-name or --default-graph says otherwise.")
    q.add_argument("query", type=Path, metavar="QUERY.rq")
    q.add_argument("graph", type=Path, nargs="?", metavar="GRAPH", help="RDF file, - for standard input")
    add_input_format(q)
    q.add_argument("--store", type=Path, metavar="DIR")
    q.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                   help="bind a parameter declared in the query's header: <iri>, prefix:name, \"text\"@fr, "
                   "a number, or plain text (a string); repeatable")
    q.add_argument("--format", choices=["table", "csv", "tsv", "json", "xml", "turtle", "nt", "nq", "trig", "jsonld",
                                        "rdfxml"], default=None,
                   help="SELECT and ASK: table (default), or the W3C SPARQL results formats csv, tsv, json, xml; "
                   "CONSTRUCT and DESCRIBE: turtle (default), nt, nq, trig, jsonld, rdfxml")
    _endpoint_options(q, "SPARQL 1.1 Protocol")
    q.add_argument("--graph-name", action="append", default=[], metavar="IRI",
                   help="with --store or --endpoint: read this named graph as the default graph (repeatable; "
                   "default: the build's graph)")
    q.add_argument("--default-graph", action="store_true",
                   help="with --store or --endpoint: read the store's or server's own default graph instead")
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
