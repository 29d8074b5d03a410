"""Links out of the graph, offline: Wikidata items and ISO 3166 codes of the lexicon's states and
international organisations (kg/resources/fr/wikidata.tsv, pycountry), and the user's authority file
(`kg build --authorities FILE.tsv`: a name or alias, a tab, an IRI), the only way a person is linked.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pycountry
from rdflib import URIRef

from kg.graph.iri import is_plain_iri
from kg.graph.vocab import WD
from kg.lang import lexicon
from kg.lang.names import fold


@dataclass(frozen=True)
class Links:
    """Where a lexicon entry is described outside the graph."""

    wikidata: URIRef | None = None
    iso_alpha2: str | None = None  # ISO 3166-1, for states only
    iso_alpha3: str | None = None


@lru_cache(maxsize=1)
def lexicon_links() -> dict[str, Links]:
    """The links of every lexicon id (states and organisations) that has one."""
    items = {row[0].strip(): WD[row[1].strip()] for row in lexicon.rows("wikidata.tsv")}
    found = {}
    lex = lexicon.load()
    for cid in lex.countries:
        country = pycountry.countries.get(alpha_2=cid)  # None for a code ISO has not assigned (XK)
        found[cid] = Links(items.get(cid), *((country.alpha_2, country.alpha_3) if country else (None, None)))
    for bid in lex.bodies:
        if bid in items:
            found[bid] = Links(items[bid])
    return found


class AuthorityError(ValueError):
    """An authority file that cannot be used: the message names the file (and line) and the problem."""


def read_authorities(path: Path) -> dict[str, tuple[URIRef, ...]]:
    """The authority file at ``path``: folded name -> the IRIs it names (rows ``name<TAB>IRI``; empty
    lines and lines starting with # left out)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        why = getattr(err, "strerror", None) or err
        raise AuthorityError(f"{path}: cannot read the authority file: {why}") from err
    found: dict[str, set[URIRef]] = defaultdict(set)
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        cells = line.split("\t")
        if len(cells) != 2 or not cells[0].strip():
            raise AuthorityError(f"{path}:{number}: expected a name, a tab and an IRI, got {line.strip()!r}")
        name, target = cells[0].strip(), cells[1].strip()
        if not is_plain_iri(target):
            raise AuthorityError(f"{path}:{number}: {target!r} is not an absolute IRI")
        found[authority_key(name)].add(URIRef(target))
    return {name: tuple(sorted(iris)) for name, iris in found.items()}


def authority_key(name: str) -> str:
    """The form under which a name is looked up in an authority file (case, accents, punctuation folded)."""
    return fold(name) or name.casefold()
