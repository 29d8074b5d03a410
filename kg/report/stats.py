"""Counts that summarise a graph: articles, entities by type, facts by relation, evidence."""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

import pyoxigraph as ox
from rdflib import RDF, XSD, Graph, URIRef
from rdflib.query import ResultRow

from kg.graph.mapping import Triples
from kg.graph.vocab import DIP
from kg.packaged import report_query
from kg.records import EntityType

ENTITY_CLASSES = {t.value: DIP[t.value] for t in EntityType}
# Row label in the summary -> (query, key): class counts come from stats_classes.rq, the rest from
# stats_relations.rq; the order is the order printed.
FACT_ROWS = {
    "envoyOf": "envoyOf",
    "metWith pairs": "metWith",
    "statements": "stated",
    "meetings held": "meetingsHeld",
    "meetings planned": "meetingsPlanned",
    "positions": DIP.Position,
    "mandates": DIP.Mandate,
}


@dataclass(frozen=True)
class GraphStats:
    """The summary of one graph; ``skipped`` is only known to the build that read the articles."""

    articles: int
    entities: dict[str, int]
    facts: dict[str, int]
    evidence: int
    skipped: int | None = None
    extra: dict[str, int] = field(default_factory=dict)


def graph_stats(g: Graph | Triples | ox.Store, *, skipped: int | None = None) -> GraphStats:
    """Count articles, entities by type, facts by relation and evidence in ``g``.

    A graph is counted with stats_classes.rq and stats_relations.rq. The builder's triples are
    counted by ``_tally``, in one pass over their sorted lines, as those queries would count them:
    the triples of a big build live in run files on disk, and loading them into a graph or a store
    only to count them would take the memory (or the second copy on disk) the spilling avoids.
    tests/report/test_stats.py checks that both paths agree.
    """
    if isinstance(g, ox.Store):  # the report's copy of a graph: the same queries, run by pyoxigraph
        by_class = {URIRef(key): n for key, n in _store_counts(g, "stats_classes").items()}
        by_relation = _store_counts(g, "stats_relations")
    elif isinstance(g, Graph):
        by_class = {URIRef(key): n for key, n in _counts(g, "stats_classes").items()}
        by_relation = _counts(g, "stats_relations")
    else:
        by_class, by_relation = _tally(g)
    facts = {}
    for label, key in FACT_ROWS.items():
        facts[label] = by_class.get(key, 0) if isinstance(key, URIRef) else by_relation.get(key, 0)
    return GraphStats(
        articles=by_class.get(DIP.Article, 0),
        entities={name: by_class.get(cls, 0) for name, cls in ENTITY_CLASSES.items()},
        facts=facts,
        evidence=by_class.get(DIP.Evidence, 0),
        skipped=skipped,
    )


def _counts(g: Graph, name: str) -> dict[str, int]:
    """The (key, count) rows of the report query ``name`` over ``g``."""
    counts = {}
    for row in g.query(report_query(name)):
        assert isinstance(row, ResultRow)  # a SELECT's rows
        counts[str(row[0])] = int(str(row[1]))
    return counts


def _store_counts(store: ox.Store, name: str) -> dict[str, int]:
    """The (key, count) rows of the report query ``name`` over a pyoxigraph store."""
    res = store.query(report_query(name))
    assert isinstance(res, ox.QuerySolutions)  # a SELECT's rows
    return {sol[0].value: int(sol[1].value) for sol in res}


_DIP, _TYPE, _MEETING, _PLANNED = f"<{DIP._NS}", f"<{RDF.type}>", f"<{DIP.Meeting}>", f"<{DIP.planned}>"
_MET_WITH = f"<{DIP.metWith}>"
_RELATIONS = {f"<{DIP.envoyOf}>": "envoyOf", f"<{DIP.metWith}>": "metWith", f"<{DIP.stated}>": "stated"}
_HELD = {f'"{value}"^^<{XSD.boolean}>': key for value, key in (("false", "meetingsHeld"), ("true", "meetingsPlanned"))}


def _tally(lines: Iterable[str]) -> tuple[dict[URIRef, int], dict[str, int]]:
    """What stats_classes.rq and stats_relations.rq count, counted on sorted, distinct N-Triples lines
    of IRIs and literals (the lines of one subject follow each other)."""
    classes: Counter[URIRef] = Counter()
    relations: Counter[str] = Counter()
    subject, meeting, held = None, False, set[str]()
    for line in lines:
        s, p, o = line[:-2].split(" ", 2)  # "<s> <p> o ."
        if s != subject:
            relations.update(held if meeting else ())
            subject, meeting, held = s, False, set()
        if p == _TYPE:
            if o.startswith(_DIP):
                classes[URIRef(o[1:-1])] += 1
            meeting = meeting or o == _MEETING
        elif p == _PLANNED and o in _HELD:
            held.add(_HELD[o])
        elif p in _RELATIONS and (p != _MET_WITH or s[1:-1] < o[1:-1]):  # a pair met once, as in the query
            relations[_RELATIONS[p]] += 1
    relations.update(held if meeting else ())
    return dict(classes), dict(relations)


def format_stats(stats: GraphStats) -> str:
    """The summary as aligned text lines, as `kg stats` and the end of `kg build` print it."""
    read = f"{stats.articles}" + (f" read, {stats.skipped} skipped" if stats.skipped is not None else "")
    rows = [("articles", read)]
    rows += [("entities", str(sum(stats.entities.values())))]
    rows += [(f"  {name}", str(n)) for name, n in stats.entities.items()]
    rows += [("facts", "")]
    rows += [(f"  {name}", str(n)) for name, n in stats.facts.items()]
    rows += [("evidence", str(stats.evidence))]
    width = max(len(label) for label, _ in rows)
    return "\n".join(f"{label.ljust(width)}  {value}".rstrip() for label, value in rows)
