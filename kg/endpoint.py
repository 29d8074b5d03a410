"""Remote SPARQL stores over HTTP: load through the Graph Store Protocol, query through the SPARQL Protocol.

Standard library only (urllib). Credentials come from KG_ENDPOINT_USER / KG_ENDPOINT_PASSWORD or from
~/.netrc (the machine of the endpoint's host), never from the command line, where other users of the
machine could read them.
"""
from __future__ import annotations

import base64
import json
import netrc
import os
import socket
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from kg.formats import RdfFormat
from kg.sparql import Table, Term, inject_values
from kg.store import OX_FORMAT, LoadResult, check_graph_name, graph_name_for

USER_VAR, PASSWORD_VAR = "KG_ENDPOINT_USER", "KG_ENDPOINT_PASSWORD"
DEFAULT_TIMEOUT = 30.0
# Status codes meaning "this server has no Graph Store Protocol here": fall back to SPARQL Update.
_NO_GSP = {404, 405, 406, 415, 501}


@dataclass(frozen=True)
class Endpoint:
    """The three URLs of a SPARQL service and how to talk to it."""

    query_url: str
    update_url: str
    store_url: str  # Graph Store Protocol
    timeout: float = DEFAULT_TIMEOUT

    @classmethod
    def from_url(cls, url: str, *, update_url: str | None = None, store_url: str | None = None,
                 timeout: float = DEFAULT_TIMEOUT) -> "Endpoint":
        """URLs from the service's base or query URL: Oxigraph (/query /update /store) or Fuseki (/sparql /update /data)."""
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"endpoint {url!r}: expected an http:// or https:// URL")
        path = parts.path.rstrip("/")
        if path.endswith("/query"):
            base, query, gsp = path[: -len("/query")], path, "/store"
        elif path.endswith("/sparql"):
            base, query, gsp = path[: -len("/sparql")], path, "/data"
        else:
            base, query, gsp = path, path + "/query", "/store"
        at = lambda p: urllib.parse.urlunsplit((parts.scheme, parts.netloc, p, "", ""))  # noqa: E731
        return cls(at(query), update_url or at(base + "/update"), store_url or at(base + gsp), timeout)


def _credentials(url: str) -> tuple[str, str] | None:
    user, password = os.environ.get(USER_VAR), os.environ.get(PASSWORD_VAR)
    if user is not None:
        return user, password or ""
    rc = Path(os.environ.get("NETRC", Path.home() / ".netrc"))
    if not rc.is_file():
        return None
    try:
        auth = netrc.netrc(str(rc)).authenticators(urllib.parse.urlsplit(url).hostname or "")
    except netrc.NetrcParseError as err:
        raise RuntimeError(f"{rc}: cannot read credentials: {err}") from None
    return (auth[0], auth[2] or "") if auth else None


def _request(ep: Endpoint, method: str, url: str, *, body: bytes | None = None,
             content_type: str | None = None, accept: str | None = None) -> tuple[int, bytes]:
    """Send one request; errors name the URL and say what to check."""
    req = urllib.request.Request(url, data=body, method=method)
    if content_type:
        req.add_header("Content-Type", content_type)
    if accept:
        req.add_header("Accept", accept)
    creds = _credentials(url)
    if creds:
        token = base64.b64encode(f"{creds[0]}:{creds[1]}".encode()).decode("ascii")
        req.add_header("Authorization", f"Basic {token}")
    try:
        with urllib.request.urlopen(req, timeout=ep.timeout) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as err:
        detail = err.read(500).decode("utf-8", "replace").strip()
        if err.code in (401, 403):
            hint = f"; set {USER_VAR}/{PASSWORD_VAR} or ~/.netrc" if not creds else "; check the credentials"
            raise EndpointError(f"{method} {url}: refused with HTTP {err.code}{hint}", status=err.code) from None
        raise EndpointError(f"{method} {url}: HTTP {err.code} {err.reason}: {detail}", status=err.code) from None
    except (socket.timeout, TimeoutError):
        raise EndpointError(f"{method} {url}: no answer within {ep.timeout:g} s") from None
    except urllib.error.URLError as err:
        reason = err.reason
        if isinstance(reason, (socket.timeout, TimeoutError)):
            raise EndpointError(f"{method} {url}: no answer within {ep.timeout:g} s") from None
        raise EndpointError(f"{method} {url}: cannot connect ({reason}); is the SPARQL server running?") from None
    except ConnectionError as err:
        raise EndpointError(f"{method} {url}: connection failed ({err}); is the SPARQL server running?") from None


class EndpointError(RuntimeError):
    """A remote SPARQL service could not be reached or refused a request."""

    def __init__(self, message: str, *, status: int | None = None):
        super().__init__(message)
        self.status = status


def _ntriples(graph_file: Path) -> bytes:
    """The file's triples as N-Triples (checked locally, so syntax errors name the file)."""
    fmt = RdfFormat.from_extension(graph_file)
    if not graph_file.is_file():
        raise FileNotFoundError(f"{graph_file}: no such file")
    try:
        triples = [q.triple for q in ox.parse(path=str(graph_file), format=OX_FORMAT[fmt])]
    except SyntaxError as err:
        raise ValueError(f"{graph_file}: not valid {fmt.name}: {err}") from None
    return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)


def load_remote(graph_file: Path, ep: Endpoint, *, graph_name: str | None = None) -> LoadResult:
    """Replace a named graph of a remote store with the file's triples (idempotent).

    Graph Store Protocol PUT first; SPARQL Update (DROP + INSERT DATA in one request) when the server
    has no Graph Store Protocol at that URL.
    """
    name = check_graph_name(graph_name or graph_name_for(graph_file))
    data = _ntriples(graph_file)
    url = f"{ep.store_url}?{urllib.parse.urlencode({'graph': name.value})}"
    try:
        _request(ep, "PUT", url, body=data, content_type="application/n-triples")
    except EndpointError as err:
        if err.status not in _NO_GSP:
            raise
        update = f"DROP SILENT GRAPH {name} ;\nINSERT DATA {{ GRAPH {name} {{\n".encode() + data + b"}}"
        _request(ep, "POST", ep.update_url, body=update, content_type="application/sparql-update")
    return LoadResult(name.value, count_remote(ep, graph_name=name.value))


def count_remote(ep: Endpoint, *, graph_name: str) -> int:
    """Number of triples in a named graph of the remote store."""
    q = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    _, rows = query_remote(q, ep, bindings={"g": check_graph_name(graph_name)})
    return int(rows[0][0])


def query_remote(text: str, ep: Endpoint, *, bindings: dict[str, Term] | None = None,
                 default_graphs: list[str] = ()) -> Table:
    """Run a SELECT query on the endpoint (SPARQL 1.1 Protocol, POST); parameters go in as VALUES."""
    params = [("default-graph-uri", check_graph_name(g).value) for g in default_graphs]
    url = ep.query_url + (f"?{urllib.parse.urlencode(params)}" if params else "")
    _, body = _request(ep, "POST", url, body=inject_values(text, bindings or {}).encode("utf-8"),
                       content_type="application/sparql-query", accept="application/sparql-results+json")
    try:
        doc = json.loads(body)
        cols = doc["head"]["vars"]
        rows = [[(b.get(c) or {}).get("value") for c in cols] for b in doc["results"]["bindings"]]
    except (ValueError, KeyError, TypeError) as err:
        if isinstance(doc := _safe_json(body), dict) and "boolean" in doc:
            raise ValueError("only SELECT queries print as tables") from None
        raise EndpointError(f"POST {url}: not a SPARQL JSON results document ({err})") from None
    return cols, rows


def _safe_json(body: bytes):
    try:
        return json.loads(body)
    except ValueError:
        return None
