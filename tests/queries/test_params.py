"""`kg query --param`: one reading of VALUE into a term, the same rows from a graph file (rdflib), the embedded
store (pyoxigraph) and `kg serve` over HTTP, or the same one-line error (exit 2) naming the parameter."""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.cli import main
from kg.stores.embedded import load
from kg.stores.sparql import inject_values, parse_term

KG = str(Path(sys.executable).with_name("kg"))

EX = "http://ex/"
# Values held by the data, each the object of ex:p of its own subject ex:s<index>: hostile text for a parser;
# also "paix"@fr (ex:s-lang) and the IRI ex:s0 as the object of ex:o0 ex:q.
HELD = ['q"q', "x}", "x\\U0000007D", "a\\u0022b", "a\\\\u0022", "tab\there", "a\nb", "r\rn", "}} } UNION {",
        "ends\\", "> <http://evil/>", "Zelensky «paix» — 🕊", "\\u00410042", "'single'", "nul\x00x"]

# --param VALUE -> the one value it stands for (the literal's text or the IRI), the same on every back end.
PARAMS = {
    '"q\\"q"': 'q"q',
    '"q\\u0022q"': 'q"q',  # \u inside a literal is a character escape, read once
    "q\\u0022q": "q\\u0022q",  # plain text is taken as written
    '"x}"': "x}",
    '"x\\U0000007D"': "x}",
    "x\\U0000007D": "x\\U0000007D",  # was a traceback on a graph file
    '"x\\\\U0000007D"': "x\\U0000007D",
    '"a\\\\u0022b"': "a\\u0022b",
    '"a\\\\\\\\u0022"': "a\\\\u0022",
    '"tab\\there"': "tab\there",
    '"a\\nb"': "a\nb",
    '"a\nb"': "a\nb",  # a raw newline inside quotes stays a newline
    '"r\\rn"': "r\rn",
    '"}} } UNION {"': "}} } UNION {",
    '"ends\\\\"': "ends\\",
    '"> <http://evil/>"': "> <http://evil/>",
    "Zelensky «paix» — 🕊": "Zelensky «paix» — 🕊",
    '"Zelensky \\u00ABpaix\\u00BB \\u2014 \\U0001F54A"': "Zelensky «paix» — 🕊",
    '"\\\\u00410042"': "\\u00410042",
    "\"\\'single\\'\"": "'single'",
    '"nul\\u0000x"': "nul\x00x",
    '"paix"@fr': "paix",
    "<http://ex/s0>": EX + "s0",
    "ex:s\\-1": EX + "s-1",
    "<http://ex/\\u0073\\u0030>": EX + "s0",
}
# --param VALUE -> what the one-line error says after "parameter ?v: ".
BAD = {
    '"x\\q"': "bad escape '\\q' in a literal",
    '"\\uD800"': "'\\uD800' in a literal is not a Unicode character (a lone surrogate)",
    '"\\U00110000"': "'\\U00110000' in a literal is not a Unicode character",
    '"\\u12"': "bad escape '\\u' in a literal",
    "<http://ex/a\nb>": "invalid IRI <http://ex/a\\nb>",
    "<http://ex/\\u003E>": "invalid IRI <http://ex/>>",
    "<http://ex/a>b>": "expected one <...>",
    "<http://ex/\\z>": "bad escape '\\z' in an IRI",
    "ex:a\\zb": "bad escape '\\z' in a prefixed name",
    '"open': "as a literal",
    "a\udcffb": "is not valid UTF-8 text",  # a byte of argv that was not UTF-8
}
ECHO = """# param ?v   the value to read back
PREFIX ex: <http://ex/>
SELECT ?v WHERE { }
"""
MATCH = """# param ?v   the value to look for
PREFIX ex: <http://ex/>
SELECT ?s WHERE { ?s ?p ?v }
"""


def _holders(value: str) -> set[tuple[str]]:
    """The rows of MATCH for the term PARAMS reads as ``value``."""
    if value in HELD:
        return {(f"{EX}s{HELD.index(value)}",)}
    return {"paix": {(EX + "s-lang",)}, EX + "s0": {(EX + "o0",)}}.get(value, set())


@pytest.fixture(scope="module")
def data(tmp_path_factory, serving):
    """A query file, a graph file holding HELD, the store loaded from it and `kg serve` over that store."""
    tmp = tmp_path_factory.mktemp("params")
    quads = [ox.Quad(ox.NamedNode(f"{EX}s{i}"), ox.NamedNode(EX + "p"), ox.Literal(v)) for i, v in enumerate(HELD)]
    quads += [ox.Quad(ox.NamedNode(f"{EX}s-lang"), ox.NamedNode(EX + "p"), ox.Literal("paix", language="fr")),
              ox.Quad(ox.NamedNode(EX + "o0"), ox.NamedNode(EX + "q"), ox.NamedNode(EX + "s0"))]
    graph = tmp / "data.nt"
    graph.write_bytes(ox.serialize(quads, format=ox.RdfFormat.N_QUADS))
    (tmp / "echo.rq").write_text(ECHO, encoding="utf-8")
    (tmp / "match.rq").write_text(MATCH, encoding="utf-8")
    store = tmp / "store"
    load(graph, store)
    with serving(store) as url:
        yield {"query": tmp / "echo.rq", "match": tmp / "match.rq", "graph": [str(graph)],
               "store": ["--store", str(store)], "endpoint": ["--endpoint", url]}


def _kg_query(data, backend: str, value: str, capsys, *, query: str = "query") -> tuple[int, str, str]:
    code = main(["query", str(data[query]), *data[backend], "--param", f"v={value}", "--format", "json"])
    out, err = capsys.readouterr()
    return code, out, _ACCESS_LOG.sub("", err)  # kg serve, in this process, logs each request


_ACCESS_LOG = re.compile(r"^(?:GET|POST) /query \d+\n", re.MULTILINE)


def _rows(out: str) -> set[tuple[str | None, ...]]:
    doc = json.loads(out)  # SPARQL 1.1 Query Results JSON
    return {tuple(b.get(v, {}).get("value") for v in doc["head"]["vars"]) for b in doc["results"]["bindings"]}


@pytest.mark.parametrize("value", list(PARAMS), ids=range(len(PARAMS)))
def test_params_same_rows_on_every_backend(data, value, capsys):
    expected = PARAMS[value]
    for query, rows in (("query", {(expected,)}), ("match", _holders(expected))):
        for backend in ("graph", "store", "endpoint"):
            code, out, err = _kg_query(data, backend, value, capsys, query=query)
            assert (code, err) == (0, ""), f"{backend}: {err}"
            assert _rows(out) == rows, f"{query} on {backend}"


def test_params_language_and_datatype_are_part_of_the_term(data, capsys):
    for value, rows in (('"paix"@fr', {(EX + "s-lang",)}), ('"paix"@en', set()), ('"paix"', set()),
                        ('"paix"^^<http://www.w3.org/2001/XMLSchema#token>', set()), ("<http://ex/s0>", {(EX + "o0",)}),
                        ("ex:s\\-1", set())):
        for backend in ("graph", "store", "endpoint"):
            code, out, err = _kg_query(data, backend, value, capsys, query="match")
            assert (code, _rows(out)) == (0, rows), (backend, value, err)


@pytest.mark.parametrize("value", list(BAD), ids=range(len(BAD)))
def test_params_bad_value_is_one_line_naming_the_parameter(data, value, capsys):
    lines = set()
    for backend in ("graph", "store", "endpoint"):
        code, out, err = _kg_query(data, backend, value, capsys)
        assert code == 2 and out == ""
        assert err.count("\n") == 1 and err.startswith(f"kg: {data['query']}: parameter ?v: "), err
        assert BAD[value] in err
        lines.add(err)
    assert len(lines) == 1


def test_params_hostile_value_from_the_real_command(data):
    """The `kg` process itself on a graph file: the value that was a traceback gives its row; bad values
    are exit 2 and one line, no traceback."""
    proc = subprocess.run([KG, "query", str(data["query"]), *data["graph"], "--param", "v=x\\U0000007D",
                           "--format", "csv"], capture_output=True, text=True, timeout=60)
    assert (proc.returncode, proc.stdout.splitlines(), proc.stderr) == (0, ["v", "x\\U0000007D"], "")
    for value in ('"x\\U0000007D\\q"', "<http://ex/\nx>"):
        proc = subprocess.run([KG, "query", str(data["query"]), *data["graph"], "--param", f"v={value}"],
                              capture_output=True, text=True, timeout=60)
        assert proc.returncode == 2 and proc.stdout == "", proc.stderr
        assert proc.stderr.count("\n") == 1 and "parameter ?v:" in proc.stderr, proc.stderr


def test_params_parse_term_reads_escapes_once():
    assert parse_term('"\\u005Cu0022"', prefixes={}).value == "\\u0022"  # not a second time into '"'
    assert parse_term('"\\\\n"', prefixes={}).value == "\\n"


def test_params_deeply_nested_query_on_a_graph_is_one_line(data, tmp_path, capsys):
    deep = tmp_path / "deep.rq"
    deep.write_text("SELECT * WHERE { FILTER(" + "(" * 200 + "1" + ")" * 200 + ") }", encoding="utf-8")
    code = main(["query", str(deep), *data["graph"]])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert err == f"kg: {deep}: query nested too deep for rdflib's parser; query the store (kg load --store) instead\n"
    code = main(["query", str(deep), *data["store"]])  # the store's parser takes it
    assert code == 0, capsys.readouterr().err


def test_params_syntax_error_on_a_graph_is_one_line(data, tmp_path, capsys):
    bad = tmp_path / "bad.rq"
    bad.write_text("SELECT * WHERE { ?s ?p }", encoding="utf-8")
    for backend in ("graph", "store"):
        code = main(["query", str(bad), *data[backend]])
        out, err = capsys.readouterr()
        assert code == 2 and out == "" and err.count("\n") == 1
        assert err.startswith(f"kg: {bad}: SPARQL syntax error"), err


# Pieces that an escape reading could join across: backslashes, u and U, runs of hex digits, quotes, line ends.
_PIECES = st.sampled_from(["\\", "u", "U", "0022", "007D", "0000", "00410042", '"', "'", "\n", "\r", "\t", "}", ">"])


@settings(max_examples=300, deadline=None)
@given(st.lists(_PIECES | st.characters(exclude_categories=["Cs"]), max_size=10).map("".join))
def test_params_any_text_reads_back_the_same_in_both_parsers(text):
    """sparql_term's text, in a VALUES block, is the same literal to rdflib and to pyoxigraph."""
    query = inject_values("SELECT ?v WHERE { }", {"v": ox.Literal(text)})
    (ox_row,) = ox.Store().query(query)
    (rdflib_row,) = rdflib.Graph().query(query)
    assert ox_row["v"].value == str(rdflib_row[0]) == text
