"""Every command on a malformed graph or query: one line naming the file, the line and the problem,
exit status 2 (1 stays "does not conform" / "inconsistent"); a traceback only with --debug. And `-`
for standard input and output, --format, RDF/XML, --version."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic

from kg.cli import main
from kg.graph.formats import GraphSyntaxError, RdfFormat, read_graph, write_graph

ROOT = Path(__file__).resolve().parents[2]
KG = [sys.executable, "-m", "kg"]

# One malformed file per syntax, and where its problem is.
BAD = {
    "bad.ttl": ('@prefix ex: <http://ex.org/> .\nex:a ex:b ex:c .\n\nex:a ex:b "open .\nex:d ex:e ex:f .\n',
                "line 4: not valid Turtle: newline found in string literal"),
    "bad.nt": ('<http://ex.org/a> <http://ex.org/b> <http://ex.org/c> .\n<http://ex.org/a> <http://ex.org/b> "x .\n',
               "line 2, column 37: not valid N-Triples: "),
    "bad.nq": ('<http://ex.org/a> <http://ex.org/b> <http://ex.org/c> .\n<http://ex.org/a> <http://ex.org/b> .\n',
               "line 2, column "),
    "bad.trig": ('<http://ex.org/g> {\n <http://ex.org/a> <http://ex.org/b> <http://ex.org/c> .\n'
                 ' <http://ex.org/a> <http://ex.org/b> "open .\n}\n', "line 3: not valid TriG: newline found in string"),
    "bad.jsonld": ('{"@id": "http://ex.org/a",\n "http://ex.org/b": [1,}\n', "line 2, column 24: not valid JSON-LD: Expecting value"),
    "bad.rdf": ('<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
                '<rdf:Description rdf:about="http://ex.org/a">\n</rdf:RDF>\n',
                "line 4, column 3: not valid RDF/XML: mismatched tag"),
}
GOOD = "@prefix ex: <http://ex.org/> .\nex:a ex:b ex:c .\nex:a ex:label \"Jean Dupont\"@fr .\n"
QUERY = "SELECT ?s ?o WHERE { ?s ?p ?o } ORDER BY ?o\n"


@pytest.fixture()
def bad_files(tmp_path) -> dict[str, Path]:
    out = {}
    for name, (text, _) in BAD.items():
        out[name] = tmp_path / name
        out[name].write_text(text, encoding="utf-8")
    return out


@pytest.mark.parametrize("name", sorted(BAD))
def test_cli_errors_read_graph_names_file_line_and_problem(bad_files, name):
    with pytest.raises(GraphSyntaxError) as info:
        read_graph(bad_files[name])
    assert str(info.value).startswith(f"{bad_files[name]}: {BAD[name][1]}"), str(info.value)
    assert "\n" not in str(info.value)


def _commands(graph: Path, tmp: Path) -> list[list[str]]:
    query = tmp / "all.rq"
    query.write_text(QUERY, encoding="utf-8")
    gold = tmp / "gold.jsonl"
    gold.write_text("", encoding="utf-8")
    return [["validate", str(graph)], ["validate", str(graph), "--format", "json"], ["stats", str(graph)],
            ["report", str(graph), "-o", str(tmp / "r.html")], ["reason", str(graph)],
            ["query", str(query), str(graph)], ["eval", str(gold), str(graph)],
            ["load", str(graph), "--store", str(tmp / "store")]]


@pytest.mark.parametrize("name", ["bad.ttl", "bad.nt", "bad.rdf"])
def test_cli_errors_every_command_on_a_malformed_graph_exits_2_with_one_line(bad_files, tmp_path, capsys, name):
    for argv in _commands(bad_files[name], tmp_path):
        assert main(argv) == 2, argv
        out, err = capsys.readouterr()
        assert out == "" and err.count("\n") == 1 and "Traceback" not in err, (argv, err)
        assert err.startswith(f"kg: {bad_files[name]}: ") and "line " in err, (argv, err)
    assert not (tmp_path / "r.html").exists() and not (tmp_path / "store").exists()


def test_cli_errors_debug_shows_the_traceback(bad_files, capsys):
    assert main(["stats", str(bad_files["bad.ttl"]), "--debug"]) == 2
    err = capsys.readouterr().err
    assert "Traceback" in err and "GraphSyntaxError" in err
    assert err.rstrip().endswith(f"kg: {bad_files['bad.ttl']}: {BAD['bad.ttl'][1]}")
    assert main(["--debug", "stats", str(bad_files["bad.ttl"])]) == 2  # before the command as well
    assert "Traceback" in capsys.readouterr().err


def test_cli_errors_a_bug_is_one_line_too(monkeypatch, tmp_path, capsys):
    from kg.cli import graphs

    def broken(args):
        raise TypeError("an internal mistake")

    monkeypatch.setattr(graphs, "cmd_stats", broken)
    good = tmp_path / "g.ttl"
    good.write_text(GOOD, encoding="utf-8")
    assert main(["stats", str(good)]) == 2
    err = capsys.readouterr().err
    assert err == "kg: unexpected TypeError: an internal mistake (a bug in kg; --debug shows where)\n"


def test_cli_errors_malformed_query_file(tmp_path, capsys):
    good = tmp_path / "g.ttl"
    good.write_text(GOOD, encoding="utf-8")
    bad, binary = tmp_path / "bad.rq", tmp_path / "binary.rq"
    bad.write_text("SELECT ?s WHERE {\n  ?s ?p\n", encoding="utf-8")
    binary.write_bytes(b"SELECT \xff")
    for query, problem in [(bad, "SPARQL syntax error"), (binary, "not valid UTF-8")]:
        assert main(["query", str(query), str(good)]) == 2
        err = capsys.readouterr().err
        assert err.startswith(f"kg: {query}: {problem}") and err.count("\n") == 1, err


def test_cli_errors_exit_1_still_means_does_not_conform(tmp_path, capsys):
    g = tmp_path / "person.ttl"
    g.write_text("<https://w3id.org/diplomacy-kg/id/person/x> a <https://w3id.org/diplomacy-kg/ontology#Person> .\n",
                 encoding="utf-8")
    assert main(["validate", str(g)]) == 1
    assert main(["validate", "-", "--input-format", "turtle"]) == 2  # pytest's stdin is no graph
    capsys.readouterr()


def test_cli_format_names_and_unknown_format(tmp_path, capsys):
    assert [RdfFormat.from_name(n) for n in ("ttl", "Turtle", "nt", "n-quads", "json-ld", "rdfxml", "xml")] == [
        RdfFormat.TURTLE, RdfFormat.TURTLE, RdfFormat.NTRIPLES, RdfFormat.NQUADS, RdfFormat.JSONLD,
        RdfFormat.RDFXML, RdfFormat.RDFXML]
    with pytest.raises(SystemExit) as info:
        main(["stats", "g.ttl", "--format", "yaml"])
    assert info.value.code == 2 and "unknown RDF format 'yaml'" in capsys.readouterr().err
    odd = tmp_path / "graph.data"  # an extension that says nothing: --format does
    odd.write_text(GOOD, encoding="utf-8")
    assert main(["stats", str(odd)]) == 2
    assert "unknown RDF format '.data'" in capsys.readouterr().err
    assert main(["stats", str(odd), "--format", "turtle"]) == 0
    assert main(["load", str(odd), "--store", str(tmp_path / "store"), "--format", "turtle", "-q"]) == 0
    assert main(["query", str(ROOT / "queries" / "envoys.rq"), "--store", str(tmp_path / "store")]) == 0


# --- standard input and output (real processes) --------------------------------------------------

def _kg(*args: str, stdin: bytes = b"") -> subprocess.CompletedProcess:
    return subprocess.run([*KG, *args], input=stdin, capture_output=True, timeout=120)


def test_cli_stdin_and_stdout(tmp_path):
    query = tmp_path / "all.rq"
    query.write_text(QUERY, encoding="utf-8")
    stats = _kg("stats", "-", stdin=GOOD.encode())
    assert stats.returncode == 0 and b"articles" in stats.stdout
    nt = Graph().parse(data=GOOD, format="turtle").serialize(format="nt").encode()
    rows = _kg("query", str(query), "-", "--input-format", "nt", "--format", "json", stdin=nt)
    assert rows.returncode == 0, rows.stderr
    bindings = json.loads(rows.stdout)["results"]["bindings"]  # the W3C SPARQL JSON results
    assert [b["o"]["value"] for b in bindings] == ["http://ex.org/c", "Jean Dupont"]  # IRIs sort first
    bad = _kg("stats", "-", "--format", "ntriples", stdin=BAD["bad.nt"][0].encode())
    assert bad.returncode == 2 and bad.stderr.decode() == f"kg: <stdin>: {BAD['bad.nt'][1]}Unexpected end of file\n"
    report = _kg("report", "-", "-o", "-", stdin=GOOD.encode())
    assert report.returncode == 0 and report.stdout.startswith(b"<!DOCTYPE html>") and not Path("-").exists()
    assert b"<title>standard input" in report.stdout
    loaded = _kg("load", "-", "--store", str(tmp_path / "store"), stdin=GOOD.encode())
    assert loaded.returncode == 0 and b"loaded <stdin> into" in loaded.stderr
    stored = _kg("query", str(query), "--store", str(tmp_path / "store"), "--format", "csv")
    assert stored.stdout.decode().splitlines()[1:] == ["http://ex.org/a,http://ex.org/c", "http://ex.org/a,Jean Dupont"]


def test_cli_version():
    import importlib.metadata

    out = _kg("--version")
    assert out.returncode == 0
    assert out.stdout.decode().strip() == f"kg (diplomacy-kg) {importlib.metadata.version('diplomacy-kg')}"


# --- RDF/XML -------------------------------------------------------------------------------------

@pytest.mark.slow
def test_cli_rdfxml_round_trip_sorted_and_line_ends_kept(tmp_path, seeds_ttl):
    g = read_graph(seeds_ttl)
    g.add((URIRef("http://ex.org/a"), URIRef("http://ex.org/p"), Literal("ligne\r\nsuivante <b> & \"x\"")))
    a, b = tmp_path / "a.rdf", tmp_path / "b.rdf"
    write_graph(g, a)
    write_graph(read_graph(a), b)
    assert a.read_bytes() == b.read_bytes()  # sorted: one graph, one file
    assert isomorphic(read_graph(a), g)
    import pyoxigraph as ox

    assert sum(1 for _ in ox.parse(path=str(a), format=ox.RdfFormat.RDF_XML)) == len(g)
    out = tmp_path / "seeds.rdf"
    assert main(["stats", str(a)]) == 0
    assert main(["load", str(a), "--store", str(tmp_path / "store")]) == 0
    assert main(["query", str(ROOT / "queries" / "envoys.rq"), str(a)]) == 0
    assert not out.exists()


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("java") is None, reason="HermiT needs Java (make java installs it)")
def test_cli_reason_to_standard_output_in_another_syntax():
    fixture = ROOT / "tests" / "ontology" / "fixtures" / "valid.ttl"
    out = _kg("reason", str(fixture), "-o", "-", "--output-format", "ntriples")
    assert out.returncode == 0, out.stderr
    assert b"Consistent: yes" in out.stderr and b"Consistent" not in out.stdout  # the summary is not the graph
    inferred = Graph().parse(data=out.stdout, format="nt")
    assert any("actedOnBehalfOf" in str(p) for p in inferred.predicates())
