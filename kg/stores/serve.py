"""A local read-only SPARQL endpoint over the embedded store (SPARQL 1.1 Protocol, query only).

HTTP is waitress's: whole requests are read by its event loop, so slow or broken clients hold no
thread; it refuses bad request lines, bad Content-Length and oversized headers or bodies with 400,
431 or 413. Queries run in a pool of worker processes (pebble), each with the store open read-only:
a query past the timeout is stopped by ending its worker, and a worker that dies (a parser crash)
costs only its own request. What this module adds is the SPARQL protocol and the endpoint's guards:
query shape limits checked before parsing, SERVICE refused, a Host check against DNS rebinding,
CORS for one origin, and a deadline for the whole request.
"""
from __future__ import annotations

import html
import ipaddress
import multiprocessing
import os
import signal
import sys
import time
import urllib.parse
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from http import HTTPStatus
from pathlib import Path

import pebble
import pyoxigraph as ox
import waitress
from waitress.channel import HTTPChannel
from waitress.parser import HTTPRequestParser
from waitress.server import BaseWSGIServer
from waitress.utilities import Error as HttpError

from kg.stores.sparql import check_query, query_form

MAX_QUERY_BYTES = 1 << 20  # a POST body
MAX_HEADER_BYTES = 256 << 10  # the request line (a GET query) and headers together
MAX_CONNECTIONS = 100
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "[::1]")
_RESULTS = [  # (media type, pyoxigraph format), the first is the default
    ("application/sparql-results+json", ox.QueryResultsFormat.JSON),
    ("application/sparql-results+xml", ox.QueryResultsFormat.XML),
    ("text/csv", ox.QueryResultsFormat.CSV),
    ("text/tab-separated-values", ox.QueryResultsFormat.TSV),
]
_GRAPHS = [("text/turtle", ox.RdfFormat.TURTLE), ("application/n-triples", ox.RdfFormat.N_TRIPLES),
           ("application/n-quads", ox.RdfFormat.N_QUADS), ("application/ld+json", ox.RdfFormat.JSON_LD),
           ("application/rdf+xml", ox.RdfFormat.RDF_XML)]
_PATHS = ("/", "/query", "/sparql")
_HTML = "text/html"
_PLAIN = "text/plain; charset=utf-8"


def negotiate(accept: str | None, offers: list[str]) -> str | None:
    """The offer the Accept header prefers (RFC 9110 12.5.1: q-values, the most specific range deciding
    each offer's q; ties go to the order of ``offers``); the first offer without a header; None when
    none is acceptable (406)."""
    if not accept or not accept.strip():
        return offers[0]
    ranges = []
    for item in accept.split(","):
        kind, *params = [x.strip() for x in item.split(";")]
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = max(0.0, min(1.0, float(value)))
                except ValueError:
                    q = 0.0
        if "/" in kind:
            ranges.append((kind.lower(), q))
    best, best_q = None, 0.0
    for offer in offers:
        main = offer.split("/")[0]
        specific = [(3 if r == offer else 2 if r == f"{main}/*" else 1, q) for r, q in ranges
                    if r in (offer, f"{main}/*", "*/*")]
        q = max(specific)[1] if specific else 0.0
        if q > best_q:
            best, best_q = offer, q
    return best

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>diplomacy-kg SPARQL</title>
<style>body{font:14px sans-serif;margin:2em}textarea{width:100%;height:14em;font:13px monospace}
table{border-collapse:collapse;margin-top:1em}td,th{border:1px solid #ccc;padding:2px 6px;text-align:left}</style>
</head><body><h1>diplomacy-kg SPARQL endpoint</h1>
<p>Read-only, over the store <code>{store}</code>. Protocol URL: <code>/query</code> (GET or POST).</p>
<form id="f" method="get" action="/query"><textarea name="query" id="q">{query}</textarea>
<p><button type="submit">Run</button></p></form><div id="out"></div>
<script>
document.getElementById("f").addEventListener("submit", async (e) => {
  e.preventDefault();
  const out = document.getElementById("out");
  const query = document.getElementById("q").value;
  const r = await fetch("/query", {method: "POST", body: new URLSearchParams({query}),
                                   headers: {"Accept": "application/sparql-results+json"}});
  if (!r.ok) { out.textContent = await r.text(); return; }
  const res = await r.json(), vars = res.head.vars || [];
  const t = document.createElement("table"), head = t.insertRow();
  for (const v of vars) { const th = document.createElement("th"); th.textContent = v; head.appendChild(th); }
  for (const b of (res.results ? res.results.bindings : [])) {
    const row = t.insertRow();
    for (const v of vars) row.insertCell().textContent = b[v] ? b[v].value : "";
  }
  out.replaceChildren(t, document.createTextNode((res.results ? res.results.bindings.length : res.boolean) + ""));
});
</script></body></html>
"""
EXAMPLE = """PREFIX dip: <https://w3id.org/diplomacy-kg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?envoy ?principal WHERE {
  ?e dip:envoyOf ?p . ?e rdfs:label ?envoy . ?p rdfs:label ?principal .
} ORDER BY ?envoy"""


@dataclass(frozen=True)
class Reply:
    status: int
    body: bytes
    ctype: str = "text/plain; charset=utf-8"


def _text(status: HTTPStatus, message: str) -> Reply:
    return Reply(status, (message + "\n").encode())


class Server:
    """The endpoint: a waitress server and its query workers (port 0: any free port)."""

    def __init__(self, store_dir: Path, *, host: str = "127.0.0.1", port: int = 7878, timeout_s: float = 10.0,
                 request_timeout_s: float = 10.0, allow_service: bool = False, cors: str | None = None,
                 workers: int | None = None):
        from kg.stores.embedded import open_read_only

        open_read_only(store_dir)  # a missing or unreadable store fails here, not in every worker
        self.store_dir, self._closed = store_dir, False
        app = SparqlApp(None, store_name=str(store_dir), allow_service=allow_service, cors=cors,
                        hosts=_allowed_hosts(host))
        try:
            self.http = waitress.create_server(
                app, host=host, port=port, threads=16, backlog=1024, connection_limit=MAX_CONNECTIONS,
                channel_timeout=max(1, round(request_timeout_s)), cleanup_interval=1,
                max_request_header_size=MAX_HEADER_BYTES, max_request_body_size=MAX_QUERY_BYTES,
                ident="diplomacy-kg", expose_tracebacks=False)
        except OSError as err:
            raise RuntimeError(f"cannot listen on {host}:{port}: {err.strerror or err}") from None
        channel = _deadline_channel(request_timeout_s)
        for listener in self._listeners():
            listener.channel_class = channel
        app.pool = self.pool = QueryPool(store_dir, workers=workers or os.cpu_count() or 2, timeout_s=timeout_s)

    def _listeners(self) -> list[BaseWSGIServer]:
        # one server per address, or several (localhost: IPv4 and IPv6) in one map
        return [s for s in [self.http, *getattr(self.http, "map", {}).values()] if isinstance(s, BaseWSGIServer)]

    @property
    def address(self) -> tuple[str, int]:
        """The first address listened on (host, port)."""
        first = self._listeners()[0]
        return first.effective_host, first.effective_port

    @property
    def url(self) -> str:
        h, p = self.address
        return f"http://{'[' + h + ']' if ':' in h else h}:{p}"

    def run(self) -> None:
        """Serve until close() or an interrupt."""
        self.http.run()

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self.http.close()
            self.pool.close()


make_server = Server  # a server over the store, listening but not yet serving


def serve(store_dir: Path, **options) -> None:
    """Serve until interrupted (Ctrl-C or SIGTERM); ``options`` as :class:`Server` takes them."""
    server = Server(store_dir, **options)
    print(f"serving {store_dir} read-only at {server.url}/ (SPARQL endpoint: /query); Ctrl-C stops",
          file=sys.stderr)
    try:
        server.run()
    finally:
        server.close()


class QueryPool:
    """Worker processes with the store open read-only; a query past its timeout ends its worker."""

    def __init__(self, store_dir: Path, *, workers: int, timeout_s: float):
        self.timeout_s = timeout_s
        # spawn: forking a process whose threads may hold locks is unsafe, and respawns happen while serving
        self.pool = pebble.ProcessPool(max_workers=workers, initializer=_open_store, initargs=(str(store_dir),),
                                       context=multiprocessing.get_context("spawn"))

    def run(self, query: str, default_graphs: list[str], mime: str) -> Reply:
        future = self.pool.schedule(_answer, args=(query, default_graphs, mime), timeout=self.timeout_s)
        try:
            status, body, ctype = future.result()
        except FutureTimeout:
            return _text(HTTPStatus.SERVICE_UNAVAILABLE, f"query stopped after {self.timeout_s:g} s "
                         "(the server's --timeout-s)")
        except pebble.ProcessExpired as err:
            return _text(HTTPStatus.INTERNAL_SERVER_ERROR, f"the query ended its worker process ({_death(err)}); "
                         "the server goes on")
        except Exception as err:  # noqa: BLE001 - whatever else a worker raises is this request's failure alone
            message = f"query failed in its worker: {type(err).__name__}: {' '.join(str(err).split())[:500]}"
            sys.stderr.write(message + "\n")
            return _text(HTTPStatus.INTERNAL_SERVER_ERROR, message)
        return Reply(status, body, ctype)

    def close(self) -> None:
        self.pool.stop()
        self.pool.join(timeout=10)


def _death(err: pebble.ProcessExpired) -> str:
    code = err.exitcode
    if code is not None and code < 0:
        return f"signal {signal.Signals(-code).name}"
    return f"exit status {code}"


_store: ox.Store | None = None  # in a worker process: the store, opened once


def _open_store(store_dir: str) -> None:
    global _store
    from kg.stores.embedded import open_read_only

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole process group: the server stops us
    # pebble's SIGTERM handler is Python, which cannot run while a query holds the main thread in Rust:
    # the default action ends the worker at once (it has nothing to clean up) instead of 3 s later.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _store = open_read_only(Path(store_dir))


def _answer(query: str, default_graphs: list[str], mime: str) -> tuple[int, bytes, str]:
    """Run one query in a worker: (status, body, media type)."""
    from kg.stores.embedded import union_of_graphs

    store = _store
    assert store is not None, "the worker's initializer opens the store"
    try:
        if default_graphs:
            res = store.query(query, default_graph=[ox.NamedNode(g) for g in default_graphs])
        else:
            res = store.query(query, **union_of_graphs(store))
        formats = dict(_GRAPHS if isinstance(res, ox.QueryTriples) else _RESULTS)
        fmt = formats.get(mime)
        if fmt is None:  # the query's form, read before it ran, was not what the engine found
            return HTTPStatus.NOT_ACCEPTABLE, f"cannot answer this query as {mime}\n".encode(), _PLAIN
        return HTTPStatus.OK, res.serialize(format=fmt) or b"", mime  # type: ignore[arg-type]  # fmt fits res
    except (SyntaxError, ValueError) as err:
        return HTTPStatus.BAD_REQUEST, f"bad query: {err}\n".encode(), "text/plain; charset=utf-8"
    except OSError as err:
        return HTTPStatus.INTERNAL_SERVER_ERROR, f"store error: {err}\n".encode(), "text/plain; charset=utf-8"


class SparqlApp:
    """The WSGI application: SPARQL 1.1 Protocol queries at /query (GET or POST), a query page at /."""

    def __init__(self, pool: QueryPool | None, *, store_name: str, allow_service: bool, cors: str | None,
                 hosts: frozenset[str] | None):
        self.pool, self.store_name, self.allow_service = pool, store_name, allow_service
        self.cors, self.hosts = cors, hosts

    def __call__(self, environ, start_response):
        reply = self.reply(environ)
        headers = [("Content-Type", reply.ctype), ("Content-Length", str(len(reply.body)))]
        headers += self._cors_headers(environ)
        if reply.status == HTTPStatus.METHOD_NOT_ALLOWED:
            headers.append(("Allow", "GET, HEAD, POST" + (", OPTIONS" if self.cors else "")))
        start_response(f"{reply.status} {HTTPStatus(reply.status).phrase}", headers)
        path = ascii(environ.get("PATH_INFO", ""))[1:-1]  # escaped: no control character reaches the terminal
        sys.stderr.write(f"{environ['REQUEST_METHOD']} {path[:80]} {reply.status}\n")
        return [b"" if environ["REQUEST_METHOD"] == "HEAD" else reply.body]

    def reply(self, environ) -> Reply:
        if self.hosts is not None and _host_name(environ.get("HTTP_HOST")) not in self.hosts:
            return _text(HTTPStatus.FORBIDDEN, "this server answers only requests for localhost, 127.0.0.1 or "
                         "[::1] (Host header; a guard against DNS rebinding)")
        method, path = environ["REQUEST_METHOD"], environ.get("PATH_INFO", "")
        params = urllib.parse.parse_qs(environ.get("QUERY_STRING", ""))
        if method == "OPTIONS" and self.cors:
            return Reply(HTTPStatus.NO_CONTENT, b"")
        if method not in ("GET", "HEAD", "POST"):
            return _text(HTTPStatus.METHOD_NOT_ALLOWED, f"method {method} not allowed; queries are GET or POST")
        if path not in _PATHS:
            return _text(HTTPStatus.NOT_FOUND, f"no such path {ascii(path)[1:-1][:200]}; the endpoint is /query")
        if method == "POST":
            return self._post(environ, params)
        if "update" in params:
            return _text(HTTPStatus.FORBIDDEN, "this endpoint is read-only")
        if "query" not in params:
            return self._describe(environ)
        return self._answer(params.get("query", []), params, environ)

    def _describe(self, environ) -> Reply:
        """GET without a query: the query page for a browser, else the SPARQL 1.1 Service Description."""
        offers = [_HTML, *(m for m, _ in _GRAPHS)]
        mime = negotiate(environ.get("HTTP_ACCEPT"), offers)
        if mime is None:
            return _text(HTTPStatus.NOT_ACCEPTABLE, f"this URL is described as one of {', '.join(offers)}")
        if mime == _HTML:
            page = PAGE.replace("{store}", html.escape(self.store_name)).replace("{query}", html.escape(EXAMPLE))
            return Reply(HTTPStatus.OK, page.encode(), "text/html; charset=utf-8")
        host = environ.get("HTTP_HOST") or f"{environ['SERVER_NAME']}:{environ['SERVER_PORT']}"
        return Reply(HTTPStatus.OK, service_description(f"http://{host}/query", dict(_GRAPHS)[mime]), mime)

    def _post(self, environ, params: dict[str, list[str]]) -> Reply:
        length = int(environ.get("CONTENT_LENGTH") or 0)  # waitress has checked it and read that much
        body = environ["wsgi.input"].read(length).decode("utf-8", "replace")
        ctype = (environ.get("CONTENT_TYPE") or "").split(";")[0].strip().lower()
        if ctype == "application/sparql-query":
            return self._answer([body], params, environ)
        if ctype == "application/x-www-form-urlencoded":
            form = urllib.parse.parse_qs(body)
            if "update" in form:
                return _text(HTTPStatus.FORBIDDEN, "this endpoint is read-only")
            return self._answer(form.get("query", []), {**params, **form}, environ)
        if ctype == "application/sparql-update":
            return _text(HTTPStatus.FORBIDDEN, "this endpoint is read-only")
        return _text(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, f"unsupported Content-Type {ctype[:100] or '(none)'}")

    def _answer(self, queries: list[str], params: dict[str, list[str]], environ) -> Reply:
        if len(queries) != 1:
            return _text(HTTPStatus.BAD_REQUEST, "give exactly one 'query' parameter")
        try:
            check_query(queries[0], allow_service=self.allow_service)
            graphs = params.get("default-graph-uri", [])
            for g in graphs:
                ox.NamedNode(g)
        except ValueError as err:
            return _text(HTTPStatus.BAD_REQUEST, f"bad query: {err}")
        try:
            form = query_form(queries[0])
        except ValueError as err:
            return _text(HTTPStatus.BAD_REQUEST, f"bad query: {err}")
        offers = [m for m, _ in (_GRAPHS if form.gives_graph else _RESULTS)]
        mime = negotiate(environ.get("HTTP_ACCEPT"), offers)
        if mime is None:
            return _text(HTTPStatus.NOT_ACCEPTABLE, f"a {form.value} query is answered as one of {', '.join(offers)}; "
                         "the Accept header takes none of them")
        assert self.pool is not None, "Server sets the pool before serving"
        return self.pool.run(queries[0], graphs, mime)

    def _cors_headers(self, environ) -> list[tuple[str, str]]:
        origin = environ.get("HTTP_ORIGIN")
        if not self.cors or not origin or self.cors not in ("*", origin):
            return []
        headers = [("Access-Control-Allow-Origin", self.cors), ("Vary", "Origin")]
        if environ["REQUEST_METHOD"] == "OPTIONS":
            headers += [("Access-Control-Allow-Methods", "GET, POST, OPTIONS"),
                        ("Access-Control-Allow-Headers", "Accept, Content-Type"), ("Access-Control-Max-Age", "600")]
        return headers


def _allowed_hosts(bind: str) -> frozenset[str] | None:
    """Host header names a loopback bind answers (None: any, the server was bound to be reached)."""
    name = bind.strip("[]").lower()
    try:
        loopback = name == "localhost" or ipaddress.ip_address(name).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        return None
    return frozenset([*LOOPBACK_NAMES, f"[{name}]" if ":" in name else name])


def _host_name(host: str | None) -> str | None:
    """The name in a Host header, without its port; None when absent or malformed."""
    if not host:
        return "localhost"  # HTTP/1.0 clients send none, and browsers (the rebinding risk) always do
    host = host.strip().lower()
    if host.startswith("["):
        end, rest = host.find("]"), host[host.find("]") + 1:]
        return host[:end + 1] if end > 0 and (not rest or rest.startswith(":")) else None
    return host.rsplit(":", 1)[0] if host.count(":") <= 1 else None


class RequestTimeout(HttpError):
    code = 408
    reason = "Request Timeout"


def _deadline_channel(seconds: float) -> type[HTTPChannel]:
    """A waitress channel whose requests must arrive whole (headers and body) within ``seconds``.

    waitress closes a connection idle for its channel_timeout, but a client that sends a byte now and
    then is never idle: this bounds the whole request, counted from its first byte.
    """

    class Parser(HTTPRequestParser):
        def __init__(self, adj):
            super().__init__(adj)
            self.deadline = time.monotonic() + seconds

        def received(self, data):
            if not self.completed and time.monotonic() > self.deadline:
                self.error = RequestTimeout(f"the request did not arrive whole within {seconds:g} s")
                self.completed = True
                return len(data)
            return super().received(data)

    class Channel(HTTPChannel):
        parser_class = Parser

    return Channel


_SD = "http://www.w3.org/ns/sparql-service-description#"
_FORMATS = "http://www.w3.org/ns/formats/"


def service_description(endpoint: str, fmt: ox.RdfFormat) -> bytes:
    """The SPARQL 1.1 Service Description of the endpoint: query language, formats, the union default graph."""
    sd = lambda name: ox.NamedNode(_SD + name)  # noqa: E731
    service, dataset, graph = ox.NamedNode(endpoint), ox.BlankNode("dataset"), ox.BlankNode("default")
    rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    triples: list[tuple[ox.NamedNode | ox.BlankNode, ox.NamedNode, ox.NamedNode | ox.BlankNode]] = [
               (service, rdf_type, sd("Service")), (service, sd("endpoint"), service),
               (service, sd("supportedLanguage"), sd("SPARQL11Query")),
               (service, sd("feature"), sd("UnionDefaultGraph")), (service, sd("defaultDataset"), dataset),
               (dataset, rdf_type, sd("Dataset")), (dataset, sd("defaultGraph"), graph), (graph, rdf_type, sd("Graph"))]
    for name in ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV", "Turtle",
                 "N-Triples", "N-Quads", "JSON-LD", "RDF_XML"):
        triples.append((service, sd("resultFormat"), ox.NamedNode(_FORMATS + name)))
    quads = [ox.Quad(*t) for t in triples]
    if fmt is ox.RdfFormat.TURTLE:
        return ox.serialize(quads, format=fmt, prefixes={"sd": _SD}) or b""
    return ox.serialize(quads, format=fmt) or b""
