"""General French diplomacy lexicons (data files in resources/fr), loaded once."""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources


def rows(name: str) -> list[list[str]]:
    """The tab-separated rows of the lexicon file ``resources/fr/<name>`` (comment lines left out)."""
    text = resources.files("kg.resources.fr").joinpath(name).read_text(encoding="utf-8")
    return [line.split("\t") for line in text.splitlines() if line.strip() and not line.startswith("#")]


def lines(name: str) -> list[str]:
    """The stripped lines of the lexicon file ``resources/fr/<name>``, in order (comments left out)."""
    text = resources.files("kg.resources.fr").joinpath(name).read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


def _words(name: str) -> frozenset[str]:
    return frozenset(row[0].strip() for row in rows(name))


@cache
def words(name: str) -> frozenset[str]:
    """The words of the lexicon file ``resources/fr/<name>.txt`` (first column, comments left out), or of
    a list the table lexicons give: ``demonyms`` (every form of every nationality adjective)."""
    if name == "demonyms":
        return frozenset(load().demonym_index())
    return _words(f"{name}.txt")


def _plural(word: str) -> str:
    return word if word.endswith(("s", "x")) else word + "s"


@dataclass(frozen=True)
class Country:
    id: str
    name: str
    aliases: tuple[str, ...]
    capitals: tuple[str, ...]
    demonyms: tuple[str, ...]  # every gender and number, lowercase


@dataclass(frozen=True)
class Body:
    """A government body or international organization ("Kremlin", "OTAN")."""

    id: str
    name: str
    aliases: tuple[str, ...]
    state: str | None


@dataclass(frozen=True)
class Lexicon:
    countries: dict[str, Country]
    bodies: dict[str, Body]
    titles: dict[str, str]  # title -> "envoy" | "position"

    def demonym_index(self) -> dict[str, str]:
        return {d: c.id for c in self.countries.values() for d in c.demonyms}

    def labels(self) -> dict[str, str]:
        """Preferred label of every lexicon id."""
        return {**{c.id: c.name for c in self.countries.values()}, **{b.id: b.name for b in self.bodies.values()}}


def _split(cell: str) -> tuple[str, ...]:
    return tuple(x.strip() for x in cell.split("|") if x.strip())


@lru_cache(maxsize=1)
def load() -> Lexicon:
    """The French lexicons shipped with the package."""
    countries = {}
    for row in rows("countries.tsv"):
        row += [""] * (5 - len(row))
        cid, name, aliases, capitals, demonyms = (c.strip() for c in row[:5])
        forms = _split(demonyms)
        all_forms = tuple(sorted({f.lower() for f in forms} | {_plural(f.lower()) for f in forms}))
        countries[cid] = Country(cid, name, _split(aliases), _split(capitals), all_forms)
    bodies = {}
    for row in rows("organizations.tsv"):
        row += [""] * (4 - len(row))
        bid, name, aliases, state = (c.strip() for c in row[:4])
        bodies[bid] = Body(bid, name, _split(aliases), state or None)
    titles = {row[0].strip(): row[1].strip() for row in rows("titles.tsv")}
    return Lexicon(countries, bodies, titles)
