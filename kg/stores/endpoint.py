"""Remote SPARQL stores over HTTP: load through the Graph Store Protocol, query through the SPARQL Protocol.

HTTP goes through httpx. Credentials come from KG_ENDPOINT_USER / KG_ENDPOINT_PASSWORD or from ~/.netrc
(the machine of the endpoint's host), never from the command line, where other users of the machine could
read them. They stay with their host: no redirect to another host, port or scheme is followed, and a PUT or
POST is never resent after a redirect; each is an error naming where the server points.
"""
from __future__ import annotations

import functools
import json
import netrc
import os
import ssl
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

import httpx
import pyoxigraph as ox

from kg.graph.formats import RdfFormat
from kg.stores.embedded import OX_FORMAT, LoadResult, check_graph_name, graph_name_for
from kg.stores.sparql import Table, Term, inject_values

USER_VAR, PASSWORD_VAR = "KG_ENDPOINT_USER", "KG_ENDPOINT_PASSWORD"
DEFAULT_TIMEOUT = 30.0
# Status codes meaning "this server has no Graph Store Protocol here": fall back to SPARQL Update.
_NO_GSP = {404, 405, 406, 415, 501}
# Only a GET can be resent without losing a body; a chain this long is a loop.
_FOLLOWABLE, _MAX_REDIRECTS = {"GET", "HEAD"}, 5


@dataclass(frozen=True)
class Endpoint:
    """The three URLs of a SPARQL service and how to talk to it."""

    query_url: str
    update_url: str
    store_url: str  # Graph Store Protocol
    timeout: float = DEFAULT_TIMEOUT

    @classmethod
    def from_url(cls, url: str, *, update_url: str | None = None, store_url: str | None = None,
                 timeout: float = DEFAULT_TIMEOUT) -> Endpoint:
        """URLs from the service's base or query URL: Oxigraph (/query /update /store) or Fuseki
        (/sparql /update /data)."""
        parts = _checked(url)
        path = parts.path.rstrip("/")
        if path.endswith("/query"):
            base, query, gsp = path[: -len("/query")], path, "/store"
        elif path.endswith("/sparql"):
            base, query, gsp = path[: -len("/sparql")], path, "/data"
        else:
            base, query, gsp = path, path + "/query", "/store"
        at = lambda p: urllib.parse.urlunsplit((parts.scheme, parts.netloc, p, "", ""))  # noqa: E731
        for given in filter(None, (update_url, store_url)):
            _checked(given)
        return cls(at(query), update_url or at(base + "/update"), store_url or at(base + gsp), timeout)


def _checked(url: str) -> urllib.parse.SplitResult:
    parts = urllib.parse.urlsplit(url)
    if parts.username is not None or parts.password is not None:
        # httpx would send them, and a command line is readable by every user of the machine
        shown = parts._replace(netloc=parts.netloc.rpartition("@")[2]).geturl()
        raise ValueError(f"endpoint {shown!r}: credentials do not go in the URL; set {USER_VAR} and "
                         f"{PASSWORD_VAR}, or use ~/.netrc")
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"endpoint {url!r}: expected an http:// or https:// URL")
    return parts


def _credentials(url: str) -> tuple[str, str] | None:
    user, password = os.environ.get(USER_VAR), os.environ.get(PASSWORD_VAR)
    if user is not None:
        return user, password or ""
    rc = _netrc_path()
    if not rc.is_file():
        return None
    try:
        auth = netrc.netrc(str(rc)).authenticators(urllib.parse.urlsplit(url).hostname or "")
    except netrc.NetrcParseError as err:
        raise RuntimeError(f"{rc}: cannot read credentials: {err}") from None
    return (auth[0], auth[2] or "") if auth else None


def _netrc_path() -> Path:
    return Path(os.environ.get("NETRC", Path.home() / ".netrc"))


@functools.cache
def _tls() -> ssl.SSLContext:
    # The system's trust store (and SSL_CERT_FILE), as urllib used, rather than httpx's bundled one.
    return ssl.create_default_context()


def _request(ep: Endpoint, method: str, url: str, *, body: bytes | None = None,
             content_type: str | None = None, accept: str | None = None) -> tuple[int, bytes]:
    """Send one request; errors name the URL and say what to check."""
    headers = {k: v for k, v in (("Content-Type", content_type), ("Accept", accept)) if v}
    creds = _credentials(url)
    try:
        # follow_redirects=False: httpx would keep Authorization on an http -> https redirect and resend
        # the body on 307/308; every redirect is decided here instead.
        with httpx.Client(follow_redirects=False, timeout=ep.timeout, verify=_tls(), trust_env=True) as client:
            resp = client.request(method, url, content=body, headers=headers,
                                  auth=httpx.BasicAuth(*creds) if creds else None)
            hops = 0
            while resp.next_request is not None:
                _check_redirect(method, url, resp, hops)
                resp = client.send(resp.next_request)
                hops += 1
    except httpx.TimeoutException:
        raise EndpointError(f"{method} {url}: no answer within {ep.timeout:g} s") from None
    except httpx.ConnectError as err:
        raise EndpointError(f"{method} {url}: cannot connect ({err}); is the SPARQL server running?") from None
    except httpx.RemoteProtocolError as err:
        raise EndpointError(f"{method} {url}: broken HTTP reply ({_printable(str(err))})") from None
    except httpx.TransportError as err:
        raise EndpointError(f"{method} {url}: connection failed ({err}); is the SPARQL server running?") from None
    except httpx.InvalidURL as err:
        raise EndpointError(f"{method} {url}: not a usable URL ({err})") from None
    if not resp.is_success:
        raise _status_error(method, url, resp, creds)
    return resp.status_code, resp.content


def _check_redirect(method: str, url: str, resp: httpx.Response, hops: int) -> None:
    """Raise unless the redirect is a GET to the same scheme, host and port."""
    target = resp.next_request.url
    moved = f"{method} {url}: the server redirects (HTTP {resp.status_code}) to {_printable(str(target))}"
    if hops >= _MAX_REDIRECTS:
        raise EndpointError(f"{moved}: more than {_MAX_REDIRECTS} redirects, not followed")
    if method not in _FOLLOWABLE:
        raise EndpointError(f"{moved}; a {method} is not resent after a redirect (its body and credentials go "
                            "only where you say): give that URL with --endpoint, --update-url or --gsp-url")
    if _origin(target) != _origin(resp.url):
        raise EndpointError(f"{moved}, another host, port or scheme: not followed, so the credentials stay "
                            f"with {resp.url.scheme}://{resp.url.netloc.decode('ascii')}")


def _origin(url: httpx.URL) -> tuple[str, str, int | None]:
    return url.scheme, url.host, url.port or {"http": 80, "https": 443}.get(url.scheme)


def _status_error(method: str, url: str, resp: httpx.Response, creds: tuple[str, str] | None) -> EndpointError:
    code = resp.status_code
    source = USER_VAR if USER_VAR in os.environ else str(_netrc_path())
    ask = (f"set {USER_VAR} and {PASSWORD_VAR}, or a 'machine {urllib.parse.urlsplit(url).hostname}' entry "
           f"in {_netrc_path()}")
    if code == 401:
        why = (f"the server refused the credentials of user {creds[0]!r} (from {source})" if creds
               else f"the server wants credentials: {ask}")
    elif code == 403:
        why = f"forbidden to user {creds[0]!r} (from {source})" if creds else f"forbidden without credentials: {ask}"
    elif code == 404:
        why = "nothing at this URL; check --endpoint (or --update-url, --gsp-url)"
    else:
        why = _printable(resp.text)
    status = " ".join(f"HTTP {code} {_printable(resp.reason_phrase)}".split())
    return EndpointError(f"{method} {url}: {status}: {why}", status=code)


def _printable(text: str, limit: int = 300) -> str:
    """One line of at most `limit` characters, control characters escaped (a server's words reach a terminal)."""
    line = " ".join(text.split())
    line = "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in line)
    return line if len(line) <= limit else line[: limit - 1] + "…"


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
