"""The graph describes itself (VoID, DCAT, PROV), links out offline (Wikidata, ISO 3166, the user's
authority file), and its JSON-LD reads back through pyld to the same triples."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime

import pyoxigraph as ox
import pytest
from rdflib import OWL, RDF, RDFS, Literal, URIRef
from rdflib.namespace import DCTERMS, ORG, PROV, SDO, VOID, XSD

from kg.build.pipeline import corpus_of
from kg.graph.formats import read_graph, write_graph
from kg.graph.links import AuthorityError, lexicon_links, read_authorities
from kg.graph.mapping import BuildInfo, build_time, graph_of, to_triples
from kg.graph.vocab import DIP, ID, WD, WDT

WHEN = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
BUILD = BuildInfo(WHEN, "9.9.9", "sha256:0123", skipped=2)


@pytest.fixture(scope="module")
def corpus(seeds_results):
    return corpus_of(seeds_results)


@pytest.fixture(scope="module")
def described(corpus):
    return graph_of(to_triples(corpus, build=BUILD))


def _one(g, s, p):
    values = list(g.objects(s, p))
    assert len(values) == 1, (s, p, values)
    return values[0]


def test_dataset_description_states_time_versions_and_counts(described, corpus):
    (dataset,) = described.subjects(RDF.type, VOID.Dataset)
    assert (dataset, RDF.type, URIRef("http://www.w3.org/ns/dcat#Dataset")) in described
    assert _one(described, dataset, DCTERMS.created) == Literal("2025-03-01T12:00:00+00:00", datatype=XSD.dateTime)
    # the count is of the whole graph, the description included
    assert _one(described, dataset, VOID.triples).toPython() == len(described)
    assert _one(described, dataset, VOID.documents).toPython() == len(corpus.docs) == 5
    assert _one(described, dataset, DIP.skippedCount).toPython() == 2
    assert _one(described, dataset, DIP.inputCount).toPython() == 7
    activity = _one(described, dataset, PROV.wasGeneratedBy)
    assert (activity, RDF.type, PROV.Activity) in described
    assert set(described.objects(activity, PROV.used)) == set(described.subjects(RDF.type, DIP.Article))
    assert str(_one(described, activity, DIP.extractorVersion)) == "sha256:0123"
    software = _one(described, activity, PROV.wasAssociatedWith)
    assert (software, RDF.type, PROV.SoftwareAgent) in described
    assert str(_one(described, software, SDO.softwareVersion)) == "9.9.9"


def test_dataset_description_is_deterministic_and_follows_the_time(corpus):
    one = to_triples(corpus, build=BUILD).ntriples()
    assert to_triples(corpus, build=BUILD).ntriples() == one
    later = BuildInfo(datetime(2025, 3, 2, tzinfo=UTC), "9.9.9", "sha256:0123", skipped=2)
    other = to_triples(corpus, build=later).ntriples()
    assert other != one
    plain = to_triples(corpus).ntriples()
    assert set(plain.splitlines()) < set(one.splitlines())  # the description only adds


def test_dataset_build_time_from_option_environment_or_clock():
    assert build_time("2025-03-01T12:00:00Z", environ={}) == WHEN
    assert build_time("2025-03-01T13:00:00+01:00", environ={"SOURCE_DATE_EPOCH": "0"}) == WHEN
    assert build_time(None, environ={"SOURCE_DATE_EPOCH": str(int(WHEN.timestamp()))}) == WHEN
    before = datetime.now(UTC).replace(microsecond=0)
    assert before <= build_time(None, environ={}) <= datetime.now(UTC)
    with pytest.raises(ValueError, match="--timestamp 'yesterday'"):
        build_time("yesterday", environ={})
    with pytest.raises(ValueError, match="SOURCE_DATE_EPOCH '1e9'"):
        build_time(None, environ={"SOURCE_DATE_EPOCH": "1e9"})


def test_links_states_and_organisations_from_the_lexicons(seeds_graph):
    russia = ID["state/russie"]
    assert (russia, OWL.sameAs, WD.Q159) in seeds_graph and (russia, SDO.sameAs, WD.Q159) in seeds_graph
    assert str(_one(seeds_graph, russia, WDT.P297)) == "RU" and str(_one(seeds_graph, russia, WDT.P298)) == "RUS"
    # every lexicon state has its ISO codes from pycountry (but Kosovo, which ISO has not assigned)
    links = lexicon_links()
    assert links["FR"].iso_alpha3 == "FRA" and links["XK"].iso_alpha2 is None and links["XK"].wikidata == WD.Q1246
    assert links["onu"].wikidata == WD.Q1065 and links["onu"].iso_alpha2 is None
    # the Wikidata items are distinct: no two entries would become one individual under owl:sameAs
    items = [x.wikidata for x in links.values() if x.wikidata is not None]
    assert len(items) == len(set(items)) > 150


def test_links_persons_only_through_the_authority_file(seeds_graph, corpus, tmp_path):
    people = set(seeds_graph.subjects(RDF.type, DIP.Person))
    assert people and not any(list(seeds_graph.objects(p, OWL.sameAs)) for p in people)
    # an alias (another spelling, another case) finds the person
    person = next(p for p in sorted(people) if list(seeds_graph.objects(p, SKOS_ALT)))
    alias = str(next(iter(seeds_graph.objects(person, SKOS_ALT))))
    authority = tmp_path / "people.tsv"
    authority.write_text(f"# name\tIRI\n\n{alias.upper()}\thttp://example.org/people/1\n"
                         "Personne Inconnue\thttp://example.org/people/2\n", encoding="utf-8")
    g = graph_of(to_triples(corpus, authorities=read_authorities(authority)))
    linked = {(s, o) for s, o in g.subject_objects(OWL.sameAs) if (s, RDF.type, DIP.Person) in g}
    assert linked == {(person, URIRef("http://example.org/people/1"))}
    assert (person, SDO.sameAs, URIRef("http://example.org/people/1")) in g


@pytest.mark.parametrize("text, problem", [
    ("Jean Dupont\n", "expected a name, a tab and an IRI"),
    ("Jean Dupont\thttp://a\tb\n", "expected a name, a tab and an IRI"),
    ("Jean Dupont\tpas une IRI\n", "is not an absolute IRI"),
    ("Jean Dupont\thttp://a/<b>\n", "is not an absolute IRI"),
])
def test_links_bad_authority_file_names_file_and_line(tmp_path, text, problem):
    path = tmp_path / "a.tsv"
    path.write_text("# ok\n" + text, encoding="utf-8")
    with pytest.raises(AuthorityError, match=f"{path}:2: .*{problem}"):
        read_authorities(path)
    with pytest.raises(AuthorityError, match="cannot read"):
        read_authorities(tmp_path / "missing.tsv")


SKOS_ALT = URIRef("http://www.w3.org/2004/02/skos/core#altLabel")


def test_standard_terms_french_literals_and_iri_urls(seeds_graph):
    (article,) = seeds_graph.subjects(SDO.url, None)
    url = _one(seeds_graph, article, SDO.url)
    assert isinstance(url, URIRef) and str(url) == str(_one(seeds_graph, article, DIP.sourceURL))
    assert _one(seeds_graph, article, SDO.headline).language == "fr"
    for person in seeds_graph.subjects(RDF.type, DIP.Person):
        assert _one(seeds_graph, person, RDFS.label) == _one(seeds_graph, person, SDO.name)
    assert set(seeds_graph.subjects(RDF.type, DIP.State)) <= set(seeds_graph.subjects(RDF.type, ORG.Organization))


def test_jsonld_round_trip_through_pyld_gives_the_same_triples(tmp_path, described):
    from pyld import jsonld

    path = tmp_path / "g.jsonld"
    write_graph(described, path)
    doc = json.loads(path.read_text(encoding="utf-8"))
    nquads = jsonld.to_rdf(doc, {"format": "application/n-quads"})
    back = {str(t) for t in ox.parse(nquads.encode("utf-8"), format=ox.RdfFormat.N_QUADS)}
    nt = tmp_path / "g.nt"
    write_graph(described, nt)
    expected = {str(t) for t in ox.parse(path=nt, format=ox.RdfFormat.N_QUADS)}
    assert back == expected and len(expected) == len(described)


def test_jsonld_values_are_native_and_terms_shadow_no_keyword(tmp_path, described):
    path = tmp_path / "g.jsonld"
    write_graph(described, path)
    doc = json.loads(path.read_text(encoding="utf-8"))
    context = doc["@context"]
    assert context["@language"] == "fr" and "id" not in context and "type" not in context
    nodes = doc["@graph"]
    meetings = [n for n in nodes if "planned" in n]
    assert meetings and all(isinstance(n["planned"], bool) for n in meetings)
    evidence = [n for n in nodes if "beginIndex" in n]
    assert evidence and all(isinstance(n["beginIndex"], int) and isinstance(n["endIndex"], int) for n in evidence)
    statements = [n for n in nodes if "content" in n]
    assert statements and all(isinstance(n["content"], str) for n in statements)  # @fr, by the context
    files = [n["fileName"] for n in nodes if "fileName" in n]
    assert files and all(isinstance(f, str) for f in files)  # plain strings, no language
    (dataset,) = [n for n in nodes if "void:triples" in n]
    assert isinstance(dataset["void:triples"], int)
    # one graph always gives the same bytes
    again = tmp_path / "again.jsonld"
    write_graph(read_graph(path), again)
    assert again.read_bytes() == path.read_bytes()


@pytest.mark.slow
def test_cli_build_same_bytes_for_the_same_time_with_authorities(tmp_path, two_articles_dir):
    authority = tmp_path / "a.tsv"
    authority.write_text("Dmitri Pesko\thttp://example.org/p\n", encoding="utf-8")
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1740830400"}
    outs = []
    for n, extra in enumerate(([], ["--timestamp", "2025-03-01T12:00:00Z"])):
        out = tmp_path / f"out{n}.ttl"
        proc = subprocess.run([sys.executable, "-m", "kg.cli", "build", str(two_articles_dir), "-o", str(out), "-q",
                               "--workers", "1", "--authorities", str(authority), *extra],
                              capture_output=True, text=True, env=env, timeout=300)
        assert proc.returncode == 0, proc.stderr
        outs.append(out.read_bytes())
    assert outs[0] == outs[1]  # SOURCE_DATE_EPOCH 1740830400 is 2025-03-01T12:00:00Z
    g = read_graph(tmp_path / "out0.ttl")
    (dataset,) = g.subjects(RDF.type, VOID.Dataset)
    assert str(_one(g, dataset, DCTERMS.created)).startswith("2025-03-01T12:00:00")
    assert _one(g, dataset, VOID.triples).toPython() == len(g)
    assert (None, OWL.sameAs, URIRef("http://example.org/p")) in g
    bad = tmp_path / "bad.tsv"
    bad.write_text("Dmitri Pesko\n", encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "kg.cli", "build", str(two_articles_dir), "-o",
                           str(tmp_path / "never.ttl"), "-q", "--authorities", str(bad)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 2 and f"{bad}:1: expected a name, a tab and an IRI" in proc.stderr
    assert not (tmp_path / "never.ttl").exists()


def test_dataset_description_removed_leaves_the_data(corpus, described):
    from kg.graph.mapping import without_description

    assert set(without_description(described)) == set(graph_of(to_triples(corpus)))
