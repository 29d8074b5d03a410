"""A local read-only SPARQL endpoint over the embedded store (SPARQL 1.1 Protocol, query only)."""
from __future__ import annotations

import html
import sys
import urllib.parse
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pyoxigraph as ox

from kg.store import open_read_only

MAX_QUERY_BYTES = 1 << 20
_RESULTS = [  # (media type, pyoxigraph format), the first is the default
    ("application/sparql-results+json", ox.QueryResultsFormat.JSON),
    ("application/sparql-results+xml", ox.QueryResultsFormat.XML),
    ("text/csv", ox.QueryResultsFormat.CSV),
    ("text/tab-separated-values", ox.QueryResultsFormat.TSV),
]
_GRAPHS = [("text/turtle", ox.RdfFormat.TURTLE), ("application/n-triples", ox.RdfFormat.N_TRIPLES)]

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
  const r = await fetch("/query", {method: "POST", body: new URLSearchParams({query: document.getElementById("q").value}),
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


def make_server(store_dir: Path, *, host: str = "127.0.0.1", port: int = 7878) -> ThreadingHTTPServer:
    """An HTTP server answering SPARQL queries over the store (port 0: any free port)."""
    store = open_read_only(store_dir)

    class Handler(_Handler):
        pass

    Handler.store, Handler.store_name = store, str(store_dir)
    return ThreadingHTTPServer((host, port), Handler)


def serve(store_dir: Path, *, host: str = "127.0.0.1", port: int = 7878) -> None:
    """Serve until interrupted."""
    server = make_server(store_dir, host=host, port=port)
    h, p = server.server_address[:2]
    print(f"serving {store_dir} read-only at http://{h}:{p}/ (SPARQL endpoint: /query); Ctrl-C stops",
          file=sys.stderr)
    try:
        server.serve_forever()
    finally:
        server.server_close()


class _Handler(BaseHTTPRequestHandler):
    store: ox.Store
    store_name: str
    server_version = "diplomacy-kg"

    def log_message(self, fmt, *args):  # one line per request on stderr, like http.server, minus the noise
        sys.stderr.write(f"{self.command} {self.path[:80]} {args[1] if len(args) > 1 else ''}\n")

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        params = urllib.parse.parse_qs(url.query)
        if url.path == "/" and "query" not in params:
            page = PAGE.replace("{store}", html.escape(self.store_name)).replace("{query}", html.escape(EXAMPLE))
            return self._send(HTTPStatus.OK, page.encode(), "text/html; charset=utf-8")
        if url.path not in ("/", "/query", "/sparql"):
            return self._error(HTTPStatus.NOT_FOUND, f"no such path {url.path}; the endpoint is /query")
        if "update" in params:
            return self._error(HTTPStatus.FORBIDDEN, "this endpoint is read-only")
        self._answer(params.get("query", []), params)

    def do_POST(self):
        url = urllib.parse.urlsplit(self.path)
        if url.path not in ("/", "/query", "/sparql"):
            return self._error(HTTPStatus.NOT_FOUND, f"no such path {url.path}; the endpoint is /query")
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_QUERY_BYTES:
            return self._error(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, f"query larger than {MAX_QUERY_BYTES} bytes")
        body = self.rfile.read(length).decode("utf-8", "replace")
        ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        params = urllib.parse.parse_qs(url.query)
        if ctype == "application/sparql-query":
            return self._answer([body], params)
        if ctype == "application/x-www-form-urlencoded":
            form = urllib.parse.parse_qs(body)
            if "update" in form:
                return self._error(HTTPStatus.FORBIDDEN, "this endpoint is read-only")
            return self._answer(form.get("query", []), {**params, **form})
        if ctype == "application/sparql-update":
            return self._error(HTTPStatus.FORBIDDEN, "this endpoint is read-only")
        return self._error(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, f"unsupported Content-Type {ctype or '(none)'}")

    def _answer(self, queries: list[str], params: dict[str, list[str]]) -> None:
        if len(queries) != 1:
            return self._error(HTTPStatus.BAD_REQUEST, "give exactly one 'query' parameter")
        try:
            default = [ox.NamedNode(g) for g in params.get("default-graph-uri", [])]
            if default:
                res = self.store.query(queries[0], default_graph=default)
            else:
                res = self.store.query(queries[0], use_default_graph_as_union=True)
        except (SyntaxError, ValueError) as err:
            return self._error(HTTPStatus.BAD_REQUEST, f"bad query: {err}")
        accept = self.headers.get("Accept") or ""
        if isinstance(res, ox.QueryTriples):
            mime, fmt = next(((m, f) for m, f in _GRAPHS if m in accept), _GRAPHS[0])
        else:
            mime, fmt = next(((m, f) for m, f in _RESULTS if m in accept), _RESULTS[0])
        self._send(HTTPStatus.OK, res.serialize(format=fmt), mime)

    def _error(self, status: HTTPStatus, message: str) -> None:
        self._send(status, (message + "\n").encode(), "text/plain; charset=utf-8")

    def _send(self, status: HTTPStatus, body: bytes, ctype: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
