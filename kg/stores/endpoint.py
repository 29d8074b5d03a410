"""Remote SPARQL stores over HTTP: load through the Graph Store Protocol, query through the SPARQL Protocol.

Servers lay their URLs out differently (Oxigraph, Fuseki, GraphDB, Virtuoso: see ServerKind) and answer
some request forms only: queries go as a form POST by default, which every one of them answers (Virtuoso
never answers a raw ``application/sparql-query`` body), GET or a direct POST when asked.

HTTP goes through httpx. Credentials come from KG_ENDPOINT_USER / KG_ENDPOINT_PASSWORD or from ~/.netrc
(the machine of the endpoint's host), never from the command line, where other users of the machine could
read them; they are sent only when the server asks (HTTP 401), by the scheme it asks for: Digest
(httpx.DigestAuth) or Basic. They stay with their host: no redirect to another host, port or scheme is
followed, and a PUT or POST is never resent after a redirect; each is an error naming where the server points.
"""
from __future__ import annotations

import functools
import json
import netrc
import os
import re
import ssl
import urllib.parse
from collections.abc import Generator
from dataclasses import dataclass, replace
from enum import Enum
from pathlib import Path

import httpx
import pyoxigraph as ox

from kg.graph.formats import BUILD_GRAPH
from kg.stores.embedded import LoadResult, Part, check_graph_name, plan
from kg.stores.sparql import Answer, AnyTerm, QueryForm, Term, inject_values, query_form

USER_VAR, PASSWORD_VAR = "KG_ENDPOINT_USER", "KG_ENDPOINT_PASSWORD"
DEFAULT_TIMEOUT = 30.0
# Status codes meaning "this server has no Graph Store Protocol here": fall back to SPARQL Update.
_NO_GSP = {404, 405, 406, 415, 501}
# Only a GET can be resent without losing a body; a chain this long is a loop.
_FOLLOWABLE, _MAX_REDIRECTS = {"GET", "HEAD"}, 5
_XSD = "http://www.w3.org/2001/XMLSchema#"


class ServerKind(Enum):
    """The URL layouts of SPARQL servers: (query, update, Graph Store Protocol) under the service's base."""

    OXIGRAPH = "oxigraph"  # BASE/query BASE/update BASE/store
    FUSEKI = "fuseki"  # BASE/DATASET/sparql .../update .../data
    GRAPHDB = "graphdb"  # BASE/repositories/REPO, .../statements, .../rdf-graphs/service
    VIRTUOSO = "virtuoso"  # /sparql; /sparql-auth and /sparql-graph-crud-auth when credentials are set
    GENERIC = "generic"  # Oxigraph's layout, or Fuseki's when the URL ends in /sparql


class QueryMethod(Enum):
    """How a query travels (SPARQL 1.1 Protocol, section 2.1)."""

    GET = "get"
    FORM = "form"  # POST, application/x-www-form-urlencoded: the one every server answers
    DIRECT = "direct"  # POST, application/sparql-query (Virtuoso 7 never answers it)


@dataclass(frozen=True)
class Endpoint:
    """The three URLs of a SPARQL service and how to talk to it."""

    query_url: str
    update_url: str
    store_url: str  # Graph Store Protocol
    timeout: float = DEFAULT_TIMEOUT
    method: QueryMethod = QueryMethod.FORM
    kind: ServerKind = ServerKind.GENERIC

    @classmethod
    def from_url(cls, url: str, *, update_url: str | None = None, store_url: str | None = None,
                 timeout: float = DEFAULT_TIMEOUT, method: QueryMethod = QueryMethod.FORM,
                 kind: ServerKind | None = None) -> Endpoint:
        """URLs from the service's base or query URL, laid out as ``kind`` does (None: from the URL's shape)."""
        parts = _checked(url)
        for given in filter(None, (update_url, store_url)):
            _checked(given)
        kind = kind or detect_kind(url)
        query, update, gsp = _layout(kind, parts.path.rstrip("/"), credentials=_credentials(url) is not None)
        def at(path: str) -> str:
            return urllib.parse.urlunsplit((parts.scheme, parts.netloc, path, "", ""))

        return cls(at(query), update_url or at(update), store_url or at(gsp), timeout, method, kind)


def _layout(kind: ServerKind, path: str, *, credentials: bool) -> tuple[str, str, str]:
    def base(*ends: str) -> str:
        for end in ends:
            if path.endswith(end):
                return path[: -len(end)]
        return path

    if kind is ServerKind.VIRTUOSO:
        root = base("/sparql-auth", "/sparql")
        # the anonymous endpoints may read only (Virtuoso's default security); updates need an account
        query = path if path.endswith(("/sparql", "/sparql-auth")) else root + "/sparql"
        return query, root + ("/sparql-auth" if credentials else "/sparql"), root + (
            "/sparql-graph-crud-auth" if credentials else "/sparql-graph-crud")
    if kind is ServerKind.GRAPHDB:
        m = re.match(r"^(.*/repositories/[^/]+)", path)
        if not m:
            raise ValueError(f"endpoint path {path!r}: a GraphDB URL names its repository (…/repositories/NAME)")
        return m.group(1), m.group(1) + "/statements", m.group(1) + "/rdf-graphs/service"
    if kind is ServerKind.FUSEKI or (kind is ServerKind.GENERIC and path.endswith("/sparql")):
        root = base("/sparql", "/query", "/update", "/data", "/get")
        query = path if path.endswith(("/sparql", "/query")) else root + "/sparql"
        return query, root + "/update", root + "/data"
    root = base("/query", "/update", "/store")
    return root + "/query", root + "/update", root + "/store"


def detect_kind(url: str) -> ServerKind:
    """The server's kind from the shape of its URL (no request): GraphDB's /repositories/NAME, Virtuoso's
    /sparql at the root, Fuseki's /DATASET/sparql (or /query, /update, /data), Oxigraph's root or /query."""
    segments = urllib.parse.urlsplit(url).path.strip("/").split("/")
    if "repositories" in segments[:-1]:
        return ServerKind.GRAPHDB
    if len(segments) == 1 and segments[0] in ("sparql", "sparql-auth", "sparql-graph-crud", "sparql-graph-crud-auth"):
        return ServerKind.VIRTUOSO
    if len(segments) == 2 and segments[1] in ("sparql", "query", "update", "data", "get"):
        return ServerKind.FUSEKI
    if len(segments) == 1 and segments[0] in ("", "query", "update", "store"):
        return ServerKind.OXIGRAPH
    return ServerKind.GENERIC


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


class ChallengeAuth(httpx.Auth):
    """Credentials sent only when the server asks, in the scheme it asks for: Digest or Basic."""

    requires_request_body = True

    def __init__(self, user: str, password: str):
        self.user, self.password = user, password
        self.scheme = ""  # the scheme last answered, for messages

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        response = yield request
        if response.status_code != 401:
            return
        challenge = response.headers.get("www-authenticate", "")
        self.scheme = challenge.split(" ", 1)[0].capitalize()
        if self.scheme == "Digest":
            flow = httpx.DigestAuth(self.user, self.password).auth_flow(request)
            next(flow)
            try:
                retry = flow.send(response)
            except StopIteration:
                return
            yield retry
        elif self.scheme == "Basic":
            yield httpx.BasicAuth(self.user, self.password).auth_flow(request).__next__()


def _request(ep: Endpoint, method: str, url: str, *, body: bytes | None = None, content_type: str | None = None,
             accept: str | None = None, params: list[tuple[str, str | int | float | bool | None]] | None = None,
             writes: bool = False) -> httpx.Response:
    """Send one request (``writes``: an update or a Graph Store write); errors name the URL and say what to check."""
    headers = {k: v for k, v in (("Content-Type", content_type), ("Accept", accept)) if v}
    creds = _credentials(url)
    auth = ChallengeAuth(*creds) if creds else None
    try:
        # follow_redirects=False: httpx would keep Authorization on an http -> https redirect and resend
        # the body on 307/308; every redirect is decided here instead.
        with httpx.Client(follow_redirects=False, timeout=ep.timeout, verify=_tls(), trust_env=True) as client:
            resp = client.request(method, url, content=body, headers=headers, params=params, auth=auth)
            hops = 0
            while resp.next_request is not None:
                _check_redirect(method, url, resp, hops)
                resp = client.send(resp.next_request, auth=auth)
                hops += 1
    except httpx.TimeoutException:
        raise EndpointError(f"{method} {url}: no answer within {ep.timeout:g} s (--timeout; a server that never "
                            "answers a query may want another --query-method)") from None
    except httpx.ConnectError as err:
        raise EndpointError(f"{method} {url}: cannot connect ({err}); is the SPARQL server running?") from None
    except httpx.RemoteProtocolError as err:
        raise EndpointError(f"{method} {url}: broken HTTP reply ({_printable(str(err))})") from None
    except httpx.TransportError as err:
        raise EndpointError(f"{method} {url}: connection failed ({err}); is the SPARQL server running?") from None
    except httpx.InvalidURL as err:
        raise EndpointError(f"{method} {url}: not a usable URL ({err})") from None
    if not resp.is_success:
        raise _status_error(method, url, resp, creds, auth.scheme if auth else "", writes=writes)
    return resp


def _check_redirect(method: str, url: str, resp: httpx.Response, hops: int) -> None:
    """Raise unless the redirect is a GET to the same scheme, host and port."""
    assert resp.next_request is not None  # the caller checked
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


# What servers answer to an update the account may not make: Virtuoso's SR186 (HTTP 500), Fuseki's and
# GraphDB's 403, Oxigraph's read-only mode.
_NOT_PERMITTED = re.compile(r"SR186|no permission|not permitted|read[- ]only|forbidden|not allowed", re.IGNORECASE)


def _status_error(method: str, url: str, resp: httpx.Response, creds: tuple[str, str] | None,
                  scheme: str, *, writes: bool) -> EndpointError:
    code = resp.status_code
    source = USER_VAR if USER_VAR in os.environ else str(_netrc_path())
    ask = (f"set {USER_VAR} and {PASSWORD_VAR}, or a 'machine {urllib.parse.urlsplit(url).hostname}' entry "
           f"in {_netrc_path()}")
    who = f"user {creds[0]!r} (from {source})" if creds else "anonymous requests"
    if code == 401:
        sent = f" ({scheme} authentication)" if scheme else ""
        why = (f"the server refused the credentials of user {creds[0]!r} (from {source}){sent}" if creds
               else f"the server wants credentials: {ask}")
    elif code == 403:
        why = f"forbidden to {who}" + ("" if creds else f": {ask}")
    elif code == 404:
        why = "nothing at this URL; check --endpoint and --server-kind (or --update-url, --gsp-url)"
    elif code == 406:
        why = "the server cannot answer in the format asked for"
    else:
        why = _printable(resp.text)
    if writes and (code == 403 or (code in (405, 500) and _NOT_PERMITTED.search(resp.text))):
        why = f"update not permitted for {who}: " + (
            "the account needs the right to update (Virtuoso: the SPARQL_UPDATE role, through /sparql-auth)"
            if creds else f"updates usually need an account: {ask}") + f" ({_printable(resp.text, 160)})"
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


def _ntriples(part: Part) -> bytes:
    """A part's triples as N-Triples (parsed locally first, so syntax errors name the file)."""
    if part.triples is not None:
        triples = list(part.triples)
    else:
        from kg.stores.embedded import OX_FORMAT

        triples = [q.triple for q in ox.parse(path=str(part.path), format=OX_FORMAT[part.fmt])]
    return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""


def load_remote(graph_file: Path, ep: Endpoint, *, graph_name: str | None = None,
                with_ontology: bool = False) -> LoadResult:
    """Replace named graphs of a remote store with the file's (idempotent); the same graphs as a load
    into the embedded store (see embedded.plan).

    A Graph Store Protocol PUT a graph; SPARQL Update (DROP + INSERT DATA in one request) when the
    server has no Graph Store Protocol at that URL. The triple count after the load is read back with
    a query sent as ``ep.method`` says.
    """
    parts = plan(graph_file, graph_name=graph_name, with_ontology=with_ontology)
    for part in parts:
        data = _ntriples(part)
        try:
            _request(ep, "PUT", ep.store_url, body=data, content_type="application/n-triples",
                     params=[("graph", part.graph.value)], writes=True)
        except EndpointError as err:
            if err.status not in _NO_GSP:
                raise
            update = f"DROP SILENT GRAPH {part.graph} ;\nINSERT DATA {{ GRAPH {part.graph} {{\n{data.decode()}}}}}"
            update_remote(update, ep)
    counts = tuple((p.graph.value, count_remote(ep, graph_name=p.graph.value)) for p in parts)
    return LoadResult(*counts[0], graphs=counts)


def update_remote(update: str, ep: Endpoint) -> None:
    """Send a SPARQL Update (form POST, or a direct POST when ``ep.method`` is DIRECT)."""
    if ep.method is QueryMethod.DIRECT:
        _request(ep, "POST", ep.update_url, body=update.encode("utf-8"), content_type="application/sparql-update",
                 writes=True)
    else:
        _request(ep, "POST", ep.update_url, body=urllib.parse.urlencode({"update": update}).encode("ascii"),
                 content_type="application/x-www-form-urlencoded", writes=True)


def count_remote(ep: Endpoint, *, graph_name: str) -> int:
    """Number of triples in a named graph of the remote store."""
    q = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    answer = answer_remote(q, ep, bindings={"g": check_graph_name(graph_name)}, default_graphs=None)
    return int(answer.table[1][0][0] or 0)


def query_remote(text: str, ep: Endpoint, *, bindings: dict[str, Term] | None = None,
                 default_graphs: list[str] | tuple[str, ...] | None = (BUILD_GRAPH,)) -> tuple[list, list]:
    """Run a SELECT query on the endpoint; its rows as strings (see answer_remote)."""
    answer = answer_remote(text, ep, bindings=bindings, default_graphs=default_graphs)
    if answer.form is not QueryForm.SELECT:
        raise ValueError("only SELECT queries print as tables")
    return answer.table


_GRAPH_ACCEPT = "application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.5, application/ld+json;q=0.4"
_RESULTS_ACCEPT = "application/sparql-results+json, application/sparql-results+xml;q=0.5"


def answer_remote(text: str, ep: Endpoint, *, bindings: dict[str, Term] | None = None,
                  default_graphs: list[str] | tuple[str, ...] | None = (BUILD_GRAPH,)) -> Answer:
    """Run any query on the endpoint (SPARQL 1.1 Protocol, ``ep.method``); parameters go in as VALUES.

    ``default_graphs``: the graphs the query reads as its default graph (default-graph-uri; by default
    the build's graph, as for the embedded store); None or () for the server's own default graph.
    """
    form = query_form(text)
    query = inject_values(text, bindings or {})
    graphs: list[tuple[str, str | int | float | bool | None]] = [
        ("default-graph-uri", check_graph_name(g).value) for g in default_graphs or ()]
    accept = _GRAPH_ACCEPT if form.gives_graph else _RESULTS_ACCEPT
    if ep.method is QueryMethod.GET:
        resp = _request(ep, "GET", ep.query_url, params=[("query", query), *graphs], accept=accept)
    elif ep.method is QueryMethod.FORM:
        resp = _request(ep, "POST", ep.query_url, body=urllib.parse.urlencode([("query", query), *graphs]).encode(),
                        content_type="application/x-www-form-urlencoded", accept=accept)
    else:
        resp = _request(ep, "POST", ep.query_url, body=query.encode("utf-8"), params=graphs or None,
                        content_type="application/sparql-query", accept=accept)
    where = f"{resp.request.method} {ep.query_url}"
    ctype = resp.headers.get("content-type", "").split(";")[0].strip().lower()
    try:
        if form.gives_graph:
            fmt = ox.RdfFormat.from_media_type(ctype) or ox.RdfFormat.N_TRIPLES
            if ctype == "text/plain":  # N-Triples' old media type
                fmt = ox.RdfFormat.N_TRIPLES
            return Answer(form, triples=tuple(q.triple for q in ox.parse(resp.content, format=fmt)))
        if ctype == "application/sparql-results+xml":
            return _fixed(Answer.from_results(resp.content, ox.QueryResultsFormat.XML), form)
        return _fixed(_answer_of_json(json.loads(resp.content)), form)
    except (ValueError, KeyError, TypeError, AttributeError, SyntaxError) as err:
        kind = "RDF" if form.gives_graph else "SPARQL results"
        raise EndpointError(f"{where}: not a {kind} document ({_printable(str(err), 200)})") from None


def _answer_of_json(doc: dict) -> Answer:
    """SPARQL 1.1 JSON results, read as servers write them (Virtuoso's typed-literal and nodeID:// blank nodes)."""
    if "boolean" in doc:
        return Answer(QueryForm.ASK, boolean=bool(doc["boolean"]))
    names = tuple(doc["head"]["vars"])
    rows = tuple(tuple(_json_term(b[n]) if n in b else None for n in names) for b in doc["results"]["bindings"])
    return Answer(QueryForm.SELECT, names, rows)


def _json_term(d: dict) -> AnyTerm:
    kind, value = d["type"], d["value"]
    if kind == "uri":
        return ox.NamedNode(value)
    if kind == "bnode":
        return ox.BlankNode(re.sub(r"[^A-Za-z0-9_]", "_", value))
    if kind == "triple":
        s, p, o = (_json_term(value[k]) for k in ("subject", "predicate", "object"))
        if isinstance(s, ox.Literal) or not isinstance(p, ox.NamedNode):
            raise ValueError(f"not an RDF triple: {value}")
        return ox.Triple(s, p, o)
    if lang := d.get("xml:lang"):
        return ox.Literal(value, language=lang)
    datatype = d.get("datatype")
    if datatype == _XSD + "boolean" and value in ("0", "1"):  # Virtuoso's spelling of false and true
        value = "true" if value == "1" else "false"
    return ox.Literal(value, datatype=ox.NamedNode(datatype)) if datatype else ox.Literal(value)


def _fixed(answer: Answer, form: QueryForm) -> Answer:
    """Virtuoso answers an ASK as one row of ?__ASK_RETVAL (1 or 0)."""
    if form is QueryForm.ASK and answer.form is QueryForm.SELECT:
        cell = answer.rows[0][0] if answer.rows and answer.rows[0] else None
        return Answer(QueryForm.ASK, boolean=cell is not None and getattr(cell, "value", "") in ("1", "true"))
    if form is QueryForm.ASK or answer.form is QueryForm.ASK:
        return answer
    return replace(answer, form=form)
