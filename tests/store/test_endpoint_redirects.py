"""Credentials stay with their host: a redirecting endpoint on 127.0.0.1, and a second server on another
port that records every request it receives (a real http.server each, in threads of the test). Both ask
for Basic credentials (401) when a request comes without: kg sends them only when asked."""
from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from kg.cli import main
from kg.stores.endpoint import Endpoint, EndpointError, _request

QUERY = Path(__file__).resolve().parents[2] / "queries" / "envoys.rq"
RESULTS = json.dumps({"head": {"vars": ["n"]}, "results": {"bindings": [{"n": {"type": "literal", "value": "1"}}]}})
REDIRECTS = [301, 302, 303, 307, 308]


class _Handler(BaseHTTPRequestHandler):
    """Records the request, then answers with whatever the server's `reply` says."""

    def _any(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.server.requests.append({"method": self.command, "path": self.path,
                                     "headers": {k.lower(): v for k, v in self.headers.items()}, "body": body})
        if self.server.challenge and "authorization" not in self.headers:
            status, headers, content = 401, {"WWW-Authenticate": 'Basic realm="test"'}, b""
        else:
            status, headers, content = self.server.reply(self)
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        self.wfile.write(content)

    do_GET = do_POST = do_PUT = do_HEAD = _any

    def log_message(self, *args):
        pass


def _answer(handler) -> tuple[int, dict, bytes]:
    """What a working SPARQL server says: so a followed redirect would succeed, and show."""
    if handler.command == "PUT":
        return 204, {}, b""
    return 200, {"Content-Type": "application/sparql-results+json"}, RESULTS.encode()


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.requests: list[dict] = []
        self.reply = _answer
        self.challenge = True
        self.url = f"http://127.0.0.1:{self.server_address[1]}"


@pytest.fixture(scope="module")
def pair():
    """`home`, the endpoint kg is given, and `elsewhere`, the same kind of server on another port."""
    servers = [_Server(), _Server()]
    threads = [threading.Thread(target=s.serve_forever, daemon=True) for s in servers]
    for t in threads:
        t.start()
    yield servers
    for s, t in zip(servers, threads):
        s.shutdown()
        s.server_close()
        t.join(5)


@pytest.fixture
def home_elsewhere(pair, monkeypatch):
    for s in pair:
        s.requests.clear()
        s.reply = _answer
        s.challenge = True
    monkeypatch.setenv("KG_ENDPOINT_USER", "alice")
    monkeypatch.setenv("KG_ENDPOINT_PASSWORD", "s3cret")
    return pair


def _redirect(status: int, to: str):
    return lambda handler: (status, {"Location": to + handler.path}, b"moved")


def _status(status: int, body: bytes = b""):
    return lambda handler: (status, {"Content-Type": "text/plain"}, body)


def _graph(tmp_path: Path) -> Path:
    g = tmp_path / "small.ttl"
    g.write_text("<http://ex.org/a> <http://ex.org/p> <http://ex.org/b> .\n", encoding="utf-8")
    return g


def _run(command: str, home: _Server, tmp_path: Path) -> int:
    if command == "load":
        return main(["load", str(_graph(tmp_path)), "--endpoint", home.url, "--graph-name", "http://ex.org/g",
                     "--timeout", "5"])
    return main(["query", str(QUERY), "--endpoint", home.url, "--timeout", "5"])


def _one_error_line(capsys) -> str:
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("kg: "), lines
    return lines[0]


def test_endpoint_answering_servers_work_when_nothing_redirects(home_elsewhere, tmp_path):
    home, _ = home_elsewhere
    assert _run("load", home, tmp_path) == 0  # PUT, then the count query
    assert _run("query", home, tmp_path) == 0
    # each asked for credentials first, then sent with them (the PUT's body twice)
    assert [r["method"] for r in home.requests] == ["PUT", "PUT", "POST", "POST", "POST", "POST"]
    assert [r["headers"].get("authorization", "")[:6] for r in home.requests] == ["", "Basic "] * 3


@pytest.mark.parametrize("command", ["load", "query"])
@pytest.mark.parametrize("status", REDIRECTS)
def test_endpoint_redirect_to_another_port_reaches_nothing_there(home_elsewhere, tmp_path, capsys, command, status):
    home, elsewhere = home_elsewhere
    home.reply = _redirect(status, elsewhere.url)
    assert _run(command, home, tmp_path) == 2
    line = _one_error_line(capsys)
    assert f"redirects (HTTP {status}) to {elsewhere.url}/" in line and "is not resent" in line
    assert "authorization" in home.requests[1]["headers"]  # the credentials were there to leak
    assert not any("authorization" in r["headers"] for r in elsewhere.requests)
    assert elsewhere.requests == []  # nor the body, nor anything else
    assert len(home.requests) == 2


def test_endpoint_netrc_credentials_do_not_follow_to_another_port(home_elsewhere, tmp_path, capsys, monkeypatch):
    home, elsewhere = home_elsewhere
    monkeypatch.delenv("KG_ENDPOINT_USER")
    rc = tmp_path / "netrc"
    rc.write_text("machine 127.0.0.1 login carol password pw\n", encoding="utf-8")  # both servers' host
    rc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(rc))
    home.reply = _redirect(307, elsewhere.url)
    assert _run("query", home, tmp_path) == 2
    assert "redirects (HTTP 307)" in _one_error_line(capsys)
    assert home.requests[1]["headers"]["authorization"] == "Basic Y2Fyb2w6cHc="  # carol:pw
    assert elsewhere.requests == []


def test_endpoint_get_follows_a_redirect_on_the_same_host_and_port(home_elsewhere):
    home, _ = home_elsewhere
    home.reply = lambda h: _redirect(302, home.url + "/b")(h) if h.path == "/a" else _answer(h)
    resp = _request(Endpoint.from_url(home.url, timeout=5), "GET", home.url + "/a")
    assert (resp.status_code, json.loads(resp.content)) == (200, json.loads(RESULTS))
    assert [r["path"] for r in home.requests] == ["/a", "/a", "/b/a"]
    assert all(r["headers"]["authorization"].startswith("Basic ") for r in home.requests[1:])


@pytest.mark.parametrize("other", ["port", "host", "scheme"])
def test_endpoint_get_redirect_to_another_origin_is_an_error(home_elsewhere, other):
    home, elsewhere = home_elsewhere
    port = home.server_address[1]
    to = {"port": elsewhere.url, "host": f"http://localhost:{port}", "scheme": f"https://127.0.0.1:{port}"}[other]
    home.reply = _redirect(301, to)
    with pytest.raises(EndpointError, match="another host, port or scheme: not followed, so the credentials "
                                            f"stay with http://127.0.0.1:{port}$"):
        _request(Endpoint.from_url(home.url, timeout=5), "GET", home.url + "/a")
    assert len(home.requests) == 2 and elsewhere.requests == []


def test_endpoint_redirect_loop_stops(home_elsewhere):
    home, _ = home_elsewhere
    home.reply = lambda h: (302, {"Location": "/again"}, b"")
    with pytest.raises(EndpointError, match="more than 5 redirects"):
        _request(Endpoint.from_url(home.url, timeout=5), "GET", home.url + "/again")
    assert len(home.requests) == 7  # the challenge, then six


@pytest.mark.parametrize(("status", "with_credentials", "expected"), [
    (401, False, "HTTP 401 Unauthorized: the server wants credentials: set KG_ENDPOINT_USER and "
                 "KG_ENDPOINT_PASSWORD, or a 'machine 127.0.0.1' entry in "),
    (401, True, "HTTP 401 Unauthorized: the server refused the credentials of user 'alice' (from KG_ENDPOINT_USER) "
                "(Basic authentication)"),
    (403, False, "HTTP 403 Forbidden: forbidden to anonymous requests: set KG_ENDPOINT_USER"),
    (403, True, "HTTP 403 Forbidden: forbidden to user 'alice' (from KG_ENDPOINT_USER)"),
    (404, True, "/query: HTTP 404 Not Found: nothing at this URL; check --endpoint and --server-kind (or "
                "--update-url, --gsp-url)"),
])
def test_endpoint_refusals_say_what_to_check(home_elsewhere, tmp_path, capsys, monkeypatch,
                                             status, with_credentials, expected):
    home, _ = home_elsewhere
    if not with_credentials:
        monkeypatch.delenv("KG_ENDPOINT_USER")
        monkeypatch.setenv("NETRC", str(tmp_path / "no-netrc"))
        home.challenge = status == 401
    home.reply = _status(status)
    assert _run("query", home, tmp_path) == 2
    line = _one_error_line(capsys)
    assert line.startswith(f"kg: POST {home.url}/query: ") and expected in line
    assert "s3cret" not in line


def test_endpoint_load_without_gsp_nor_update_names_the_update_url(home_elsewhere, tmp_path, capsys):
    home, _ = home_elsewhere
    home.reply = _status(404)
    assert _run("load", home, tmp_path) == 2
    assert [r["method"] for r in home.requests] == ["PUT", "PUT", "POST", "POST"]  # the Update fallback was tried
    assert _one_error_line(capsys) == (f"kg: POST {home.url}/update: HTTP 404 Not Found: nothing at this URL; "
                                       "check --endpoint and --server-kind (or --update-url, --gsp-url)")


def test_endpoint_server_words_reach_the_terminal_escaped(home_elsewhere, tmp_path, capsys):
    home, _ = home_elsewhere
    home.reply = _status(500, b"boom\n\x1b[31mred\x07 " + b"x" * 1000)
    assert _run("query", home, tmp_path) == 2
    line = _one_error_line(capsys)
    assert "HTTP 500 Internal Server Error: boom \\x1b[31mred\\x07 xxx" in line and "\x1b" not in line
    assert len(line) < 500


def test_endpoint_credentials_in_the_url_are_refused_unshown():
    for kwargs in ({}, {"update_url": "http://u:hunter2@127.0.0.1:1/update"}):
        url = "http://127.0.0.1:1/" if kwargs else "http://u:hunter2@127.0.0.1:1/"
        with pytest.raises(ValueError, match="credentials do not go in the URL") as err:
            Endpoint.from_url(url, **kwargs)
        assert "hunter2" not in str(err.value)


def test_endpoint_silent_server_times_out(home_elsewhere, tmp_path, capsys):
    home, _ = home_elsewhere
    release = threading.Event()
    home.reply = lambda h: (release.wait(10), _answer(h))[1]
    try:
        assert main(["query", str(QUERY), "--endpoint", home.url, "--timeout", "0.5"]) == 2
    finally:
        release.set()
    assert _one_error_line(capsys).startswith(f"kg: POST {home.url}/query: no answer within 0.5 s (--timeout")
