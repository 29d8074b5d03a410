"""A reproducible synthetic corpus of French diplomatic articles for benchmarks.

Article ``i`` of seed ``s`` depends only on ``(s, i)``, so the first 1,000 articles of a 10,000-article
corpus are the 1,000-article corpus. Actors are invented names with general titles and real countries.
"""
from __future__ import annotations

import argparse
import json
import random
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

LEXICON = Path(__file__).resolve().parent / "lexicon.json"
DEFAULT_SEED = 7


@dataclass(frozen=True)
class Country:
    name: str
    det: str  # "le", "la", "l'", "les" or "" (no article)
    adj_m: str
    adj_f: str
    capital: str

    @property
    def the(self) -> str:
        return f"{self.det}{self.name}" if self.det == "l'" else f"{self.det} {self.name}".strip()

    @property
    def of(self) -> str:
        return {"le": "du ", "les": "des ", "la": "de la ", "l'": "de l'"}.get(self.det, "d'" if self.name[0] in
                                                                             "AEIOUÉÈÎ" else "de ") + self.name

    @property
    def to(self) -> str:
        return {"le": "au ", "les": "aux "}.get(self.det, "en " if self.det in ("la", "l'") else "à ") + self.name


@dataclass(frozen=True)
class Person:
    name: str
    feminine: bool
    country: Country
    role: str  # a position ("ministre des Affaires étrangères") or an envoy title

    @property
    def adj(self) -> str:
        return self.country.adj_f if self.feminine else self.country.adj_m

    @property
    def surname(self) -> str:
        return self.name.split()[-1]


@lru_cache(maxsize=1)
def _lexicon() -> dict:
    return json.loads(LEXICON.read_text(encoding="utf-8"))


def _elide(word: str, before: str) -> str:
    """``before`` ('de', 'le') glued to ``word`` the French way (d'Ukraine, l'émissaire)."""
    return f"{before[:-1]}'{word}" if word[:1].lower() in "aeiouéèêîh" else f"{before} {word}"


def _the(person: Person) -> str:
    """The role with its definite article: "l'émissaire", "la présidente", "le ministre"."""
    if person.role[:1].lower() in "aeiouéèê":
        return f"l'{person.role}"
    return f"{'la' if person.feminine else 'le'} {person.role}"


def _people(rng: random.Random, countries: list[Country], lex: dict) -> list[Person]:
    people, used = [], set()
    for country in countries:
        for k in range(rng.randint(1, 3)):
            feminine = rng.random() < 0.35
            while True:
                first = rng.choice(lex["first_names_f" if feminine else "first_names_m"])
                name = f"{first} {rng.choice(lex['last_names'])}"
                if name not in used:
                    break
            used.add(name)
            role = rng.choice(lex["envoy_titles"] if k else lex["positions"])
            role = lex["feminine"].get(role, role) if feminine else role
            people.append(Person(name, feminine, country, role))
    return people


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _de(phrase: str) -> str:
    """"de" before a noun phrase with its article: du président, de la ministre, de l'émissaire."""
    for det, contracted in (("le ", "du "), ("les ", "des ")):
        if phrase.startswith(det):
            return contracted + phrase[len(det):]
    return _elide(phrase, "de") if not phrase.startswith(("la ", "l'")) else "de " + phrase


def _a(phrase: str) -> str:
    """"à" before a noun phrase with its article: au retour, aux sanctions, à la sécurité."""
    for det, contracted in (("le ", "au "), ("les ", "aux ")):
        if phrase.startswith(det):
            return contracted + phrase[len(det):]
    return "à " + phrase


def _sentences(rng: random.Random, people: list[Person], countries: list[Country], lex: dict) -> str:
    """One sentence, of a pattern chosen at random among those a diplomatic dispatch is made of."""
    a, b = rng.sample(people, 2)
    c1, c2 = rng.sample(countries, 2)
    envoys = [p for p in people if p.role in lex["envoy_titles"] or p.role in lex["feminine"].values()
              and p.role not in (lex["feminine"].get(r) for r in lex["positions"])]
    envoy = rng.choice(envoys) if envoys else a
    boss = next((p for p in people if p.country == envoy.country and p.role not in
                 {*lex["envoy_titles"], *(lex["feminine"].get(r, r) for r in lex["envoy_titles"])}), None)
    city = rng.choice([c.capital for c in countries] + ["Genève", "Vienne", "Istanbul", "Helsinki"])
    topic, quote, clause = rng.choice(lex["topics"]), rng.choice(lex["quotes"]), rng.choice(lex["clauses"])
    venue, days = rng.choice(lex["venues"]), rng.choice(["deux", "trois", "quatre"])
    e = "e" if a.feminine else ""
    patterns = [
        lambda: f"{_cap(_the(a))} {a.adj} {a.name} est arrivé{e} à {city} pour une visite de {days} jours "
                f"consacrée {_a(topic)}.",
        lambda: (f"{envoy.name}, {envoy.role} {_de(_the(boss))} {boss.adj} {boss.name}, a rencontré {b.name} "
                 f"à {city}." if boss and b is not envoy else f"{a.name} a rencontré {b.name} à {city}."),
        lambda: f"« {quote} », a déclaré {a.name} {venue}.",
        lambda: f"{a.name} a affirmé {_elide(clause, 'que')}.",
        lambda: f"Selon {a.name}, {clause}.",
        lambda: f"{a.name} doit rencontrer {b.name} la semaine prochaine à {city} pour discuter {_de(topic)}.",
        lambda: f"{_cap(c1.the)} et {c2.the} ont tenu {days} jours de pourparlers à {city} sur {topic}.",
        lambda: f"{a.name} s'est entretenu{e} par téléphone avec {_the(b)} {b.adj} {b.name}.",
        lambda: f"{_cap(_the(b))} {b.adj} {b.name} a reçu {a.name} à {b.country.capital}, a indiqué "
                f"{rng.choice(['le', 'un'])} porte-parole.",
        lambda: rng.choice(lex["fillers"]),
        lambda: rng.choice(lex["fillers"]),
    ]
    return rng.choice(patterns)()


def article(i: int, *, seed: int = DEFAULT_SEED) -> str:
    """The text of article ``i``: headline, paragraphs, sometimes web-page chrome around them."""
    lex = _lexicon()
    rng = random.Random(f"{seed}:{i}")
    countries = [Country(*row) for row in rng.sample(lex["countries"], rng.randint(2, 4))]
    people = _people(rng, countries, lex)
    # Lengths vary like real dispatches: many short notes, some long analyses.
    n_sent = min(60, max(3, int(rng.lognormvariate(2.5, 0.6))))
    sents = [_sentences(rng, people, countries, lex) for _ in range(n_sent)]
    paras, k = [], 0
    while k < len(sents):
        step = rng.randint(2, 5)
        paras.append(" ".join(sents[k:k + step]))
        k += step
    headline = (f"{_cap(countries[0].the)} et {countries[1].the} relancent les discussions sur "
                f"{rng.choice(lex['topics'])}")
    lines = [headline, *paras]
    if rng.random() < 0.2:
        lines = ["Accueil > International", f"Par {rng.choice(lex['last_names'])}", *lines,
                 "Lire aussi : les autres articles de la rubrique",
                 f"source: https://example.org/{2020 + i % 6}/{1 + i % 12:02d}/{1 + i % 28:02d}/article-{i}"]
    return "\n".join(lines) + "\n"


def write_corpus(out: Path, n: int, *, seed: int = DEFAULT_SEED) -> list[Path]:
    """Write articles 0..n-1 as ``bench_NNNNNN.txt`` into ``out`` (kept when already identical)."""
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        path = out / f"bench_{i:06d}.txt"
        text = article(i, seed=seed)
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.corpus", description="Write a synthetic corpus.")
    p.add_argument("n", type=int, help="number of articles")
    p.add_argument("out", type=Path, help="output folder")
    p.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = p.parse_args(argv)
    paths = write_corpus(args.out, args.n, seed=args.seed)
    words = sum(len(p.read_text(encoding="utf-8").split()) for p in paths)
    print(f"wrote {len(paths)} articles ({words} words) to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
