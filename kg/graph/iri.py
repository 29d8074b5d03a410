"""Deterministic, readable IRIs for entities, articles, facts and evidence."""
from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from functools import lru_cache

from rdflib import URIRef

from kg.graph.vocab import ID
from kg.records import EntityType

# An absolute IRI that N-Triples can hold as it is: a scheme, then no space, control character or <>"{}|\^`.
_PLAIN_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\x00-\x20<>\"{}|\\^`\x7f]+")
_MAX_SLUG = 60


def slug(text: str) -> str:
    """ASCII slug of a name: 'Sergueï Riabkov' -> 'serguei-riabkov' ('x' when nothing is left)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return words[:_MAX_SLUG].strip("-") or "x"


def digest(*parts: str, length: int = 16) -> str:
    """Short stable hash of some strings (joined unambiguously)."""
    if any("\x1f" in p or "\x1e" in p for p in parts):  # noqa: SIM108 (the why needs two lines)
        # a part holding the separator would make ("a\x1fb",) and ("a", "b") alike; JSON keeps them apart,
        # and the \x1e mark keeps this form apart from every plain join (so existing IRIs do not move)
        joined = "\x1e" + json.dumps(parts)
    else:
        joined = "\x1f".join(parts)
    return hashlib.sha256(joined.encode("utf-8", "surrogatepass")).hexdigest()[:length]


def entity_slugs(names: dict[str, tuple[str, str]]) -> dict[str, str]:
    """Give each entity id a unique slug of its label; collisions are told apart by a hash suffix.

    ``names`` maps an entity id to (type, label). Among entities whose slugs collide, the smallest
    id keeps the plain slug (so an existing IRI survives a homonym joining the corpus) and the
    others get ``-<hash of id>``. The result does not depend on dict order.
    """
    wanted: dict[tuple[str, str], list[str]] = {}
    for eid, (etype, label) in names.items():
        wanted.setdefault((etype, slug(label)), []).append(eid)
    taken = set(wanted)
    result = {}
    for (etype, base), eids in sorted(wanted.items()):
        first, *others = sorted(eids)
        result[first] = base
        for eid in others:
            length = 8
            while (etype, candidate := f"{base}-{digest(eid, length=length)}") in taken:
                length += 4  # a label that happens to look like a suffixed slug
            taken.add((etype, candidate))
            result[eid] = candidate
    return result


def entity_iri(etype: EntityType | str, entity_slug: str) -> URIRef:
    """The IRI of an entity of type ``etype`` (an EntityType or its value) with the slug ``entity_slug``."""
    return ID[f"{EntityType(etype).info.iri_path}/{entity_slug}"]


@lru_cache(maxsize=4096)  # asked for every mention and evidence of an article
def article_iri(doc_id: str) -> URIRef:
    return ID[f"article/{slug(doc_id)}-{digest(doc_id, length=8)}"]


def fact_iri(kind: str, *key: str) -> URIRef:
    return ID[f"{kind}/{digest(kind, *key)}"]


def is_plain_iri(text: str) -> bool:
    """Whether ``text`` is an absolute IRI that can be written as it is (no character to escape)."""
    return _PLAIN_IRI.fullmatch(text) is not None
