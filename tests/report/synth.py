"""A synthetic graph at the scale of thousands of articles, for the report's tests and measurements.

Running spaCy over 3,000 articles takes minutes, so the records the extractors would return are
generated directly and go through the real resolution and mapping (kg.graph.resolve, kg.graph.mapping):
the graph has the builder's exact vocabulary and shape. The proportions follow a real build of the
synthetic benchmark corpus (bench/corpus.py, 300 articles: about 3 entities, 3.7 meetings, 3.6
statements, 1.8 mandates and 1.5 positions per article), with one difference that news has and the
benchmark lacks: actors are drawn with a Zipf-like popularity, so a few of them are in many articles.
Names are invented from bench/lexicon.json; article ``i`` depends only on ``(seed, i)``.

    python -m tests.report.synth 3000 out/synth3000.ttl   # the graph as a file, to try `kg report` on
"""
from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import random
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph

from kg.graph.mapping import to_graph, to_triples
from kg.graph.resolve import resolve
from kg.records import (
    Article,
    DocResult,
    Entity,
    EntityKey,
    EntityType,
    Evidence,
    Mandate,
    Meeting,
    Position,
    Statement,
)

LEXICON = Path(__file__).resolve().parents[2] / "bench" / "lexicon.json"
EPOCH = 738_000  # date.toordinal() of 2021-08-04: articles are spread over the two years after it


@dataclass(frozen=True)
class _Actor:
    name: str
    country: int  # index into the lexicon's countries
    title: str
    envoy: bool


@lru_cache(maxsize=1)
def _lexicon() -> dict:
    return json.loads(LEXICON.read_text(encoding="utf-8"))


def _actors(n: int, rng: random.Random) -> list[_Actor]:
    """``n`` distinct invented people; past the lexicon's first x last names, double-barrelled surnames."""
    lex = _lexicon()
    firsts = lex["first_names_m"] + lex["first_names_f"]
    simple = [f"{f} {last}" for last in lex["last_names"] for f in firsts]
    double = [f"{f} {a}-{b}" for a, b in itertools.permutations(lex["last_names"], 2) for f in firsts]
    rng.shuffle(simple)
    rng.shuffle(double)
    names = simple + double
    actors = []
    for name in names[:n]:
        envoy = rng.random() < 0.5
        title = rng.choice(lex["envoy_titles"] if envoy else lex["positions"])
        actors.append(_Actor(name, rng.randrange(len(lex["countries"])), title, envoy))
    return actors


def _zipf(rng: random.Random, n: int, s: float = 1.05) -> int:
    """An index in [0, n) drawn with weight 1 / (rank + 1) ** s: a few popular, a long tail."""
    # Inverse transform of the continuous approximation; cheap enough for tens of thousands of draws.
    u = rng.random()
    hi = (n + 1) ** (1 - s)
    return min(n - 1, int((1 + u * (hi - 1)) ** (1 / (1 - s))) - 1)


class _Writer:
    """One article's text and records: each fact gets a sentence whose offsets are its evidence."""

    def __init__(self, doc_id: str):
        self.doc_id, self.sents, self.pos = doc_id, [], 0
        self.entities: dict[EntityKey, Entity] = {}
        self.facts: list = []

    def entity(self, etype: EntityType, name: str, *, part_of: EntityKey | None = None,
               alias: str | None = None) -> EntityKey:
        for key, e in self.entities.items():
            if e.type is etype and e.names[0] == name:
                return key
        key = EntityKey(etype, str(len(self.entities)))
        names = (name, alias) if alias else (name,)
        self.entities[key] = Entity(key, etype, names, part_of=part_of)
        return key

    def sentence(self, text: str, rule: str, confidence: float) -> Evidence:
        ev = Evidence(self.pos, self.pos + len(text), text, rule, confidence)
        self.sents.append(text)
        self.pos += len(text) + 1
        return ev


def article(i: int, pool: list[_Actor], *, seed: int) -> DocResult:
    """Article ``i``: two to four states, their people, and the facts a dispatch reports about them."""
    lex, rng = _lexicon(), random.Random(f"synth:{seed}:{i}")
    countries = lex["countries"]
    w = _Writer(f"synth_{i:06d}")
    # Some of the people are the well-known few (Zipf over the first tenth), the rest anyone.
    famous = max(10, len(pool) // 10)
    people = list(dict.fromkeys(pool[_zipf(rng, famous) if rng.random() < 0.4 else rng.randrange(len(pool))]
                                for _ in range(rng.randint(3, 7))))
    if len(people) < 2:
        people.append(pool[(pool.index(people[0]) + 1) % len(pool)])
    state_of = {}
    for p in people:
        c = countries[p.country]
        state_of[p.name] = w.entity(EntityType.STATE, c[0])
    keys = {p.name: w.entity(EntityType.PERSON, p.name, alias=p.name.split()[-1] if rng.random() < 0.3 else None)
            for p in people}
    conf = (0.64, 0.7, 0.75, 0.75, 0.8, 0.85, 0.85, 0.85)
    for _ in range(rng.randint(1, 7)):  # meetings, a quarter of them planned
        a, b = rng.sample(people, 2)
        city = countries[rng.choice(people).country][4] if rng.random() < 0.6 else rng.choice(
            ["Genève", "Vienne", "Istanbul", "Helsinki"])
        planned = rng.random() < 0.25
        verb = "doit rencontrer" if planned else "a rencontré"
        ev = w.sentence(f"{a.name} {verb} {b.name} à {city}.", "meeting.verb.v2", rng.choice(conf))
        place = w.entity(EntityType.PLACE, city)
        date = None
        if rng.random() < 0.2:
            day = EPOCH + rng.randrange(730)
            date = _iso(day)
        w.facts.append(Meeting(tuple(sorted((keys[a.name], keys[b.name]))), planned, ev, place=place, date=date))
    for _ in range(rng.randint(2, 7)):  # statements
        p = rng.choice(people)
        if quoted := rng.random() < 0.45:
            content = rng.choice(lex["quotes"])
            ev = w.sentence(f"« {content} », a déclaré {p.name} {rng.choice(lex['venues'])}.",
                            "statement.quote-incise.v2", rng.choice(conf))
        else:
            content = rng.choice(lex["clauses"])
            ev = w.sentence(f"Selon {p.name}, {content}.", "statement.according-to.v2", rng.choice(conf))
        w.facts.append(Statement(keys[p.name], content, quoted, ev))
    for p in people:
        state = state_of[p.name]
        adj = countries[p.country][2]
        if p.envoy and rng.random() < 0.9:  # the envoy of a leader of the same state, or of the state
            boss = next((q for q in people if q.country == p.country and not q.envoy), None)
            principal = keys[boss.name] if boss else state
            whose = f"{boss.title} {adj} {boss.name}" if boss else countries[p.country][0]
            ev = w.sentence(f"{p.name}, {p.title} de {whose}, est arrivé à {countries[p.country][4]}.",
                            "role.name-envoy-apposition.v1", rng.choice(conf))
            w.facts.append(Mandate(keys[p.name], principal, p.title, ev))
        elif not p.envoy and rng.random() < 0.8:
            ev = w.sentence(f"Le {p.title} {adj} {p.name} a pris la parole.", "role.position-before-name.v1",
                            rng.choice(conf))
            org = state
            if rng.random() < 0.3:  # a ministry of the state rather than the state itself
                org = w.entity(EntityType.ORGANIZATION, f"ministère {adj} des Affaires étrangères", part_of=state)
            w.facts.append(Position(keys[p.name], p.title, ev, org=org))
    w.sentence(rng.choice(lex["fillers"]), "", 0)
    text = "\n".join(w.sents) + "\n"
    day = EPOCH + rng.randrange(730)
    art = Article(doc_id=w.doc_id, file_name=f"{w.doc_id}.txt",
                  content_hash="sha256:" + hashlib.sha256(text.encode()).hexdigest(), text=text,
                  title=f"{countries[people[0].country][0]} : {rng.choice(lex['topics'])}",
                  url=f"https://example.org/{_iso(day)}/{w.doc_id}" if rng.random() < 0.7 else None,
                  date=_iso(day) if rng.random() < 0.85 else None)
    return DocResult(art, tuple(w.entities.values()), tuple(w.facts))


def _iso(ordinal: int) -> str:
    from datetime import date

    return date.fromordinal(ordinal).isoformat()


def records(n: int, *, seed: int = 7) -> list[DocResult]:
    """The records of ``n`` synthetic articles, as the extractors would return them."""
    pool = _actors(max(60, 4 * n), random.Random(f"synth:{seed}:actors"))
    return [article(i, pool, seed=seed) for i in range(n)]


def synthetic_graph(n: int, *, seed: int = 7) -> Graph:
    """The graph of ``n`` synthetic articles, resolved and mapped by the builder's own code."""
    return to_graph(resolve(records(n, seed=seed)))


def synthetic_store(n: int, *, seed: int = 7) -> ox.Store:
    """The same graph in an in-memory pyoxigraph store: seconds for 3,000 articles, where parsing it
    into rdflib takes half a minute."""
    store = ox.Store()
    triples = to_triples(resolve(records(n, seed=seed)), spill=10**7)  # in memory: no sorted runs on disk
    store.bulk_load(triples.ntriples(), ox.RdfFormat.N_TRIPLES)
    return store


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m tests.report.synth", description="Write a synthetic graph.")
    p.add_argument("n", type=int, help="number of articles")
    p.add_argument("out", type=Path, help="output file (.ttl, .nt ...)")
    p.add_argument("--seed", type=int, default=7)
    args = p.parse_args(argv)
    from kg.graph.formats import write_graph

    g = synthetic_graph(args.n, seed=args.seed)
    write_graph(g, args.out)
    print(f"wrote {len(g)} triples of {args.n} synthetic articles to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
