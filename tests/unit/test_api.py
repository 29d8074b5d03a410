"""The Python API: what `import kg` shows, the rule that tells paths from texts, typed query rows."""
from __future__ import annotations

import doctest
import importlib.metadata
import subprocess
import sys
from decimal import Decimal
from importlib import resources
from pathlib import Path

import pytest
from rdflib import RDF, RDFS, XSD, BNode, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import SDO

import kg
import kg.checks.shacl
from kg.graph.vocab import DIP, ID
from kg.input.files import SkipError
from kg.records import Article

ROOT = Path(__file__).resolve().parents[2]
TEXT = ("Le ministre kalvanien des Affaires étrangères, Jean Dupont, a rencontré lundi à Genève son "
        "homologue Paul Martin. « Nous voulons la paix », a déclaré Jean Dupont après la réunion.")


def test_api_dir_shows_the_public_names_and_each_resolves():
    assert dir(kg) == sorted([*kg.__all__, "__version__"])
    for name in kg.__all__:
        assert getattr(kg, name).__doc__, name  # documented (help(kg) lists them)
    with pytest.raises(AttributeError):
        kg.no_such_name  # noqa: B018


def test_api_version_is_the_installed_distribution():
    assert kg.__version__ == importlib.metadata.version("diplomacy-kg")
    out = subprocess.run([sys.executable, "-m", "kg", "--version"], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0 and out.stdout.strip() == f"kg (diplomacy-kg) {kg.__version__}"


def test_api_is_typed():
    assert resources.files("kg").joinpath("py.typed").is_file()
    assert '"py.typed"' in (ROOT / "pyproject.toml").read_text(encoding="utf-8")  # shipped as package data


def test_api_import_is_light():
    """`import kg` loads neither spaCy nor rdflib: the CLI's --help and a notebook's import stay fast."""
    code = "import sys, kg; dir(kg); print(sorted(m for m in ('spacy', 'rdflib', 'pyshacl') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "[]", out.stderr


# --- the inputs of build_graph -------------------------------------------------------------------

def test_api_inputs_paths_and_texts_told_apart(tmp_path):
    from kg import _sources

    folder = tmp_path / "mes articles"  # a path with a space, that exists
    folder.mkdir()
    got = _sources([folder, str(folder), "seeds/typo.txt", TEXT, ("note-7", TEXT + " Encore."), "x"], None)
    assert got[:3] == [folder, folder, Path("seeds/typo.txt")]  # no whitespace: a (mistyped) path, not a text
    assert isinstance(got[3], Article) and got[3].doc_id == "text-1" and got[3].text == TEXT
    assert got[3].file_name == "text-1" and got[3].content_hash.startswith("sha256:")
    assert isinstance(got[4], Article) and got[4].doc_id == "note-7"
    assert got[5] == Path("x")
    one = _sources(TEXT, None)  # a single text is one input, not a list of characters
    assert len(one) == 1 and one[0].text == TEXT
    pairs = _sources({"a": TEXT, "b": TEXT + " Bis."}, None)
    assert [a.doc_id for a in pairs] == ["a", "b"]
    art = one[0]
    assert _sources(art, None) == [art]


def test_api_unusable_text_raises_or_goes_to_on_skip():
    from kg import _sources

    with pytest.raises(SkipError, match="^text-1: only whitespace"):
        _sources(["   \n  "], None)
    with pytest.raises(TypeError, match="not a path, a text"):
        _sources([42], None)
    skipped = []
    assert _sources([" \t ", ("vide", "")], lambda path, why: skipped.append((str(path), why))) == []
    assert skipped == [("text-1", "only whitespace"), ("vide", "empty text")]


@pytest.mark.slow
def test_api_build_from_a_text_equals_the_build_from_its_file(tmp_path):
    path = tmp_path / "note.txt"
    path.write_text(TEXT, encoding="utf-8")
    from_file = kg.build_graph(path, workers=1)
    from_text = kg.build_graph(("note", TEXT), workers=1)
    assert len(from_file) > 20
    # the same triples but the article's file name (a text has none: its id stands for it)
    assert set(from_text.objects(None, DIP.fileName)) == {Literal("note")}
    for g in (from_file, from_text):
        g.remove((None, DIP.fileName, None))
        g.remove((None, SDO.identifier, None))  # schema.org's name for the same file name
    assert isomorphic(from_file, from_text)
    both = kg.build_graph([path, ("autre", TEXT + " Paul Martin a quitté Genève mardi.")], workers=1)
    assert len(set(both.subjects(RDF.type, DIP.Article))) == 2


@pytest.mark.slow
def test_api_docstring_examples_run():
    result = doctest.testmod(kg, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.attempted >= 15 and result.failed == 0


# --- queries -------------------------------------------------------------------------------------

def _small_graph() -> Graph:
    g = Graph()
    jean, paul = ID["person/jean-dupont"], ID["person/paul-martin"]
    g.add((jean, RDF.type, DIP.Person))
    g.add((jean, RDFS.label, Literal("Jean Dupont")))
    g.add((paul, RDF.type, DIP.Person))
    g.add((paul, RDFS.label, Literal("Paul Martin", lang="fr")))
    g.add((jean, DIP.confidence, Literal("0.75", datatype=XSD.decimal)))
    g.add((paul, DIP.confidence, BNode("b0")))
    return g


Q = ("PREFIX dip: <https://w3id.org/diplomacy-kg/ontology#> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
     "SELECT ?p ?name ?c WHERE { ?p a dip:Person ; rdfs:label ?name OPTIONAL { ?p dip:confidence ?c } } ORDER BY ?p")


def test_api_query_rows_hold_rdflib_terms_and_plain_values():
    rows = kg.query_graph(Q, _small_graph())
    assert [r.variables for r in rows] == [("p", "name", "c")] * 2
    jean, paul = rows
    assert jean["p"] == ID["person/jean-dupont"] and isinstance(jean["p"], URIRef)
    assert isinstance(jean["name"], Literal) and jean[1] == Literal("Jean Dupont")  # an IRI and a literal apart
    assert paul["name"].language == "fr" and isinstance(paul["c"], BNode)
    assert jean.plain() == {"p": str(ID["person/jean-dupont"]), "name": "Jean Dupont", "c": Decimal("0.75")}
    assert paul.plain()["c"].startswith("_:")
    assert list(jean) == [jean["p"], jean["name"], jean["c"]] and len(jean) == 3
    assert jean.asdict()["name"] == Literal("Jean Dupont")


def test_api_query_bindings_and_errors():
    g = _small_graph()
    rows = kg.query_graph(Q, g, bindings={"name": Literal("Paul Martin", lang="fr")})
    assert [r["p"] for r in rows] == [ID["person/paul-martin"]]
    assert kg.query_graph(Q, g, bindings={"?p": ID["person/jean-dupont"]})[0]["name"] == Literal("Jean Dupont")
    assert kg.query_graph(Q, g, bindings={"name": "Jean Dupont"})[0]["p"] == ID["person/jean-dupont"]
    with pytest.raises(ValueError, match="SPARQL syntax error"):
        kg.query_graph("SELECT ?x WHERE { ?x", g)
    with pytest.raises(ValueError, match="not a SELECT query"):
        kg.query_graph("ASK { ?s ?p ?o }", g)


def test_api_query_store_rows_equal_the_graph_rows(tmp_path):
    g = _small_graph()
    g.remove((None, DIP.confidence, BNode("b0")))  # blank node labels are the store's own
    path = tmp_path / "small.ttl"
    kg.write_graph(g, path)
    assert kg.load(path, tmp_path / "store").triples == len(g)
    assert kg.query_store(Q, tmp_path / "store") == kg.query_graph(Q, kg.read_graph(path))


@pytest.mark.slow
def test_api_query_file_with_its_parameters_as_kg_query_gives(seeds_graph):
    from kg.stores.embedded import query_graph as query_strings
    from kg.stores.sparql import QueryFile

    for name in ("envoys.rq", "statements_by_person.rq"):
        qf = QueryFile.read(ROOT / "queries" / name)
        cols, rows = query_strings(qf.text, seeds_graph, bindings=qf.bindings({}))
        typed = kg.query_graph(ROOT / "queries" / name, seeds_graph)
        assert rows and [list(r.variables) for r in typed] == [cols] * len(rows)
        assert [[None if t is None else str(t) for t in r] for r in typed] == rows


def test_api_validate_graph_is_the_shacl_check():
    result = kg.validate_graph(_small_graph())
    assert isinstance(result, kg.checks.shacl.ValidationResult)
