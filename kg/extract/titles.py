"""Title phrases ("l'envoyé spécial kalvanien", "la ministre des Affaires étrangères"): what roles.py
finds and links, and what the references and meetings read."""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from kg.records import EntityKey


class TitleKind(str, Enum):
    """What a title says of its holder (titles.tsv gives envoy or position; the other two are word lists)."""

    ENVOY = "envoy"  # acts for a principal: envoyé, ambassadeur, négociateur
    POSITION = "position"  # an office held: ministre, président
    GROUP = "group"  # people who stand for their state or body: délégation, autorités (group_nouns.txt)
    RELATION = "relation"  # kinship or a personal relation, no office: gendre, épouse (relation_nouns.txt)


@dataclass
class TitleUse:
    """One title phrase in a Doc and what it was linked to."""

    start: int  # first token of the title noun
    end: int  # token just past the phrase (complements included, holder excluded)
    title: str
    kind: TitleKind
    plural: bool
    holder: EntityKey | None = None
    principals: list[EntityKey] = field(default_factory=list)
    complement: set[int] = field(default_factory=set)  # tokens of "de …" and "pour …" complements
    nested: bool = False  # inside an earlier title's complement: only a name right after it is its holder
