"""Counts that summarise a graph: articles, entities by type, facts by relation, evidence."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, URIRef

from kg.mapping import Triples
from kg.vocab import DIP

TEMPLATES = Path(__file__).resolve().parent / "templates"
ENTITY_CLASSES = {"Person": DIP.Person, "State": DIP.State, "Organization": DIP.Organization, "Place": DIP.Place}
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


def sparql(name: str) -> str:
    """The text of the packaged SPARQL query ``name`` (kg/templates/sparql/<name>.rq)."""
    path = TEMPLATES / "sparql" / f"{name}.rq"
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise FileNotFoundError(f"{path}: no such packaged query") from None


@dataclass(frozen=True)
class GraphStats:
    """The summary of one graph; ``skipped`` is only known to the build that read the articles."""

    articles: int
    entities: dict[str, int]
    facts: dict[str, int]
    evidence: int
    skipped: int | None = None
    extra: dict[str, int] = field(default_factory=dict)


def graph_stats(g: Graph | Triples, *, skipped: int | None = None) -> GraphStats:
    """Count articles, entities by type, facts by relation and evidence in ``g`` with SPARQL.

    The builder's plain triples are counted in an in-memory pyoxigraph store, many times faster
    than rdflib for these aggregate queries on a big build.
    """
    select = g.query if isinstance(g, Graph) else _oxigraph_select(g)
    by_class = {URIRef(str(row[0])): int(row[1]) for row in select(sparql("stats_classes"))}
    by_relation = {str(row[0]): int(row[1]) for row in select(sparql("stats_relations"))}
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


def _oxigraph_select(triples: Triples):
    """A SELECT function over ``triples`` loaded in memory; rows of plain lexical values."""
    import pyoxigraph as ox

    store = ox.Store()
    store.load(triples.reader(), format=ox.RdfFormat.N_TRIPLES)
    return lambda query: ([term.value for term in row] for row in store.query(query))


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
