"""Plain records passed between the stages: extractors return them, mapping.py turns them into RDF.

Entity references inside facts are entity *keys* (``EntityKey``): unique within one article
(``DocResult``); resolve.py maps them to corpus-wide entities.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


class EntityType(str, Enum):
    """The type of an entity; its value is the local name of its class in the ontology (dip:Person)."""

    PERSON = "Person"
    STATE = "State"
    ORGANIZATION = "Organization"
    PLACE = "Place"

    @property
    def info(self) -> EntityTypeInfo:
        """What the later stages need to know of this type (``ENTITY_TYPES``)."""
        return ENTITY_TYPES[self]


@dataclass(frozen=True, slots=True)
class EntityTypeInfo:
    """One row of the per-type table: how each stage shows or names entities of a type."""

    iri_path: str  # entity IRIs are id/<iri_path>/<slug>
    agent: bool  # can act, speak and meet (a dip:Agent); places cannot
    shape: str  # the shape of its nodes in the report's network (vis-network)


# The one per-type table, in the order summaries list the types.
ENTITY_TYPES: dict[EntityType, EntityTypeInfo] = {
    EntityType.PERSON: EntityTypeInfo(iri_path="person", agent=True, shape="dot"),
    EntityType.STATE: EntityTypeInfo(iri_path="state", agent=True, shape="diamond"),
    EntityType.ORGANIZATION: EntityTypeInfo(iri_path="org", agent=True, shape="triangle"),
    EntityType.PLACE: EntityTypeInfo(iri_path="place", agent=False, shape="square"),
}


@dataclass(frozen=True, slots=True, order=True)
class EntityKey:
    """An entity's key within one article: its type and an id unique among the keys of that type there
    (a lexicon id, "RU"; a folded name, "conseil de securite"; a number for persons, "1")."""

    type: EntityType
    id: str


class MentionKind(str, Enum):
    """How a mention refers to its entity."""

    NAME = "name"  # "Jean Dupont", "la Kalvanie"
    DEMONYM = "demonym"  # a nationality adjective or noun standing for its State: "kalvanien"


@dataclass(frozen=True, slots=True)
class Article:
    """One input article and its metadata."""

    doc_id: str  # file stem, unique in a build
    file_name: str
    content_hash: str  # "sha256:<hex>" of the raw bytes
    text: str  # the text offsets refer to (decoded, not normalised)
    title: str | None = None
    url: str | None = None
    date: str | None = None  # ISO date
    language: str = "fr"
    body: tuple[tuple[int, int], ...] = ()  # character ranges of the article body; () = all the text


@dataclass(frozen=True, slots=True)
class Mention:
    """A span of the article that refers to an entity (by a name or a demonym)."""

    start: int
    end: int
    text: str
    key: EntityKey
    kind: MentionKind = MentionKind.NAME


@dataclass(frozen=True, slots=True)
class Entity:
    """An entity as seen in one article: its key, type and every surface form used there."""

    key: EntityKey
    type: EntityType
    names: tuple[str, ...]  # surface forms, the most complete first
    lexicon_id: str | None = None  # id in the general lexicons (states, organizations), when known
    part_of: EntityKey | None = None  # the State an organization belongs to


@dataclass(frozen=True, slots=True)
class Evidence:
    """Where a fact comes from: the sentence (offsets into Article.text), rule and confidence."""

    start: int
    end: int
    sentence: str
    rule: str
    confidence: float


@dataclass(frozen=True, slots=True)
class Statement:
    speaker: EntityKey
    content: str
    quoted: bool
    evidence: Evidence


@dataclass(frozen=True, slots=True)
class Meeting:
    participants: tuple[EntityKey, ...]  # at least two, sorted
    planned: bool
    evidence: Evidence
    place: EntityKey | None = None
    date: str | None = None


@dataclass(frozen=True, slots=True)
class Mandate:
    envoy: EntityKey
    principal: EntityKey
    title: str
    evidence: Evidence


@dataclass(frozen=True, slots=True)
class Position:
    holder: EntityKey
    title: str
    evidence: Evidence
    org: EntityKey | None = None


Fact = Statement | Meeting | Mandate | Position


@dataclass(frozen=True, slots=True)
class DocResult:
    """Everything extracted from one article."""

    article: Article
    entities: tuple[Entity, ...] = ()
    facts: tuple[Fact, ...] = field(default=())
