"""Graph summary: `kg stats` and the end of `kg build`."""
from __future__ import annotations

from rdflib import RDF, RDFS, XSD, Literal

from kg.build.pipeline import corpus_of
from kg.cli import main
from kg.graph.mapping import Triples, graph_of, new_graph, to_triples
from kg.graph.vocab import DIP, ID
from kg.report.stats import format_stats, graph_stats


def _small_graph():
    """Two persons who met once (both directions written), a planned meeting, one envoy, one statement."""
    g = new_graph()
    art, a, b, state = ID["article/a1"], ID["person/a"], ID["person/b"], ID["state/s"]
    g.add((art, RDF.type, DIP.Article))
    for node, cls in ((a, DIP.Person), (b, DIP.Person), (state, DIP.State), (ID["place/p"], DIP.Place)):
        g.add((node, RDF.type, cls))
        g.add((node, RDFS.label, Literal(str(node)[-1])))
    g.add((a, DIP.metWith, b))
    g.add((b, DIP.metWith, a))
    for name, planned in (("held", False), ("later", True)):
        g.add((ID[f"meeting/{name}"], RDF.type, DIP.Meeting))
        g.add((ID[f"meeting/{name}"], DIP.planned, Literal(planned)))
    g.add((a, DIP.envoyOf, state))
    g.add((ID["mandate/m"], RDF.type, DIP.Mandate))
    g.add((b, DIP.stated, ID["statement/s"]))
    g.add((ID["statement/s"], RDF.type, DIP.Statement))
    for n in range(3):
        g.add((ID[f"evidence/{n}"], RDF.type, DIP.Evidence))
    return g


def test_stats_counts_a_small_graph():
    stats = graph_stats(_small_graph(), skipped=2)
    assert stats.articles == 1 and stats.skipped == 2 and stats.evidence == 3
    assert stats.entities == {"Person": 2, "State": 1, "Organization": 0, "Place": 1}
    assert stats.facts == {"envoyOf": 1, "metWith pairs": 1, "statements": 1, "meetings held": 1,
                           "meetings planned": 1, "positions": 0, "mandates": 1}


def test_stats_agree_with_triples_of_seeds(seeds_graph):
    g = seeds_graph
    stats = graph_stats(g)
    assert stats.articles == len(set(g.subjects(RDF.type, DIP.Article))) == 5
    assert stats.entities["Person"] == len(set(g.subjects(RDF.type, DIP.Person)))
    assert stats.facts["metWith pairs"] == len({frozenset(p) for p in g.subject_objects(DIP.metWith)})
    assert stats.facts["envoyOf"] == len(set(g.subject_objects(DIP.envoyOf)))
    assert stats.facts["statements"] == len(set(g.subject_objects(DIP.stated)))
    planned = {m for m in g.subjects(RDF.type, DIP.Meeting) if g.value(m, DIP.planned) == Literal(True)}
    assert stats.facts["meetings planned"] == len(planned)
    assert stats.facts["meetings held"] == len(set(g.subjects(RDF.type, DIP.Meeting))) - len(planned)
    assert stats.evidence == len(set(g.subjects(RDF.type, DIP.Evidence))) > 0


def _as_triples(g) -> Triples:
    triples = Triples()
    for s, p, o in g:
        if isinstance(o, Literal):
            triples.value(s, p, o.toPython() if o.datatype == XSD.boolean else str(o), o.datatype)
        else:
            triples.link(s, p, o)
    return triples


def test_stats_of_triples_agree_with_the_queries_on_their_graph(seeds_results):
    """The one-pass count of the builder's triples (stats._tally) and the SPARQL queries agree."""
    small = _as_triples(_small_graph())
    seeds = to_triples(corpus_of(seeds_results))
    for triples in (small, seeds):
        assert graph_stats(triples) == graph_stats(graph_of(triples))
    assert graph_stats(small) == graph_stats(_small_graph())
    spilled = to_triples(corpus_of(seeds_results), spill=100)  # merged from run files
    assert graph_stats(spilled) == graph_stats(seeds)


def test_stats_format_lists_every_row():
    text = format_stats(graph_stats(_small_graph(), skipped=0))
    lines = [line.split() for line in text.splitlines()]
    assert lines[0] == ["articles", "1", "read,", "0", "skipped"]
    assert ["entities", "4"] in lines and ["Person", "2"] in lines
    assert ["metWith", "pairs", "1"] in lines and ["meetings", "planned", "1"] in lines
    assert lines[-1] == ["evidence", "3"]


def test_cli_stats_prints_the_summary(seeds_ttl, seeds_graph, capsys):
    assert main(["stats", str(seeds_ttl)]) == 0
    assert capsys.readouterr().out.strip() == format_stats(graph_stats(seeds_graph))


def test_cli_build_prints_summary_without_progress_off_a_terminal(nlp, seeds_dir, tmp_path, capsys):
    article = sorted(seeds_dir.glob("*.txt"))[0]
    out = tmp_path / "one.ttl"
    # exit 3: written, but an input was skipped
    assert main(["build", str(article), str(tmp_path / "missing.txt"), "-o", str(out), "--workers", "1"]) == 3
    err = capsys.readouterr().err
    assert "\r" not in err  # pytest's captured stderr is not a terminal: no progress bar
    lines = [line.split() for line in err.splitlines()]
    assert ["articles", "1", "read,", "1", "skipped"] in lines
    assert lines[-1][0] == "evidence" and int(lines[-1][1]) > 0
    assert out.is_file()


def test_stats_of_builder_triples_count_as_the_queries(seeds_results):
    """The build counts its triples line by line; the counts equal the SPARQL ones on the same graph."""
    from kg.build.pipeline import corpus_of
    from kg.graph.mapping import SINGLE, Triples, graph_of, to_triples

    seeds = to_triples(corpus_of(list(seeds_results)), spill=100)
    assert graph_stats(seeds) == graph_stats(graph_of(seeds))
    # IRIs that sort differently with and without their brackets; a meeting planned and held;
    # "planned" on something that is not a meeting; a class outside dip:
    t = Triples(single=SINGLE)
    a, ab = ID["person/a"], ID["person/a-b"]
    for x, y in ((a, ab), (ab, a), (a, ID["person/ab"]), (ID["person/ab"], a)):
        t.link(x, DIP.metWith, y)
    for node, cls in ((ID["meeting/m"], DIP.Meeting), (ID["article/x"], DIP.Article), (a, RDFS.Resource)):
        t.link(node, RDF.type, cls)
        t.value(node, DIP.planned, True)
        t.value(node, DIP.planned, False)
    stats = graph_stats(t)
    assert stats == graph_stats(graph_of(t))
    assert stats.facts["metWith pairs"] == 2 and stats.facts["meetings held"] == 1
    assert stats.facts["meetings planned"] == 1 and stats.articles == 1
