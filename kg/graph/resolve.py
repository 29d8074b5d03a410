"""Cross-document entity resolution: one corpus-wide entity per real-world entity.

Persons merge when their surnames are the same up to transliteration (Ouvarov / Uvarov / Uvarow)
and their first names, when both are known, agree; a surname seen alone joins the one full name
that carries it and stays apart when several people share it. States and organizations from the
lexicons merge by lexicon id; other entities by normalised name.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

from kg.lang.names import consonants, fold, same_first_name, same_word, split_name, translit_key
from kg.records import DocResult, Entity, EntityKey, EntityType


@dataclass
class GlobalEntity:
    """A corpus-wide entity: its id, type, preferred label, other surface forms and articles."""

    id: str
    type: EntityType
    label: str
    alt_labels: tuple[str, ...]
    articles: tuple[str, ...]
    part_of: str | None = None


@dataclass
class Corpus:
    """Resolved entities and, for each (doc_id, entity key), the id of its corpus-wide entity."""

    entities: dict[str, GlobalEntity]
    key_map: dict[tuple[str, EntityKey], str]
    docs: list[DocResult]


def _person_names(ent: Entity) -> tuple[tuple[str, ...], str]:
    """First names and surname of the most complete name of a person."""
    best = max(ent.names, key=lambda n: (len(split_name(n)[0]), len(n), n))
    return split_name(best)


def _compatible_first(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    if not a or not b:
        return True
    return same_first_name(a[0], b[0])


def _block(surname: str) -> str:
    """Names that can be spellings of each other share this key (see same_word), so only they are compared."""
    return consonants(translit_key(surname))


def _cluster_persons(people: list[tuple[str, Entity]]) -> dict[tuple[str, EntityKey], int]:
    """Cluster person entities; returns (doc_id, key) -> cluster number."""
    full: list[tuple] = []
    surname_only: list[tuple] = []
    for doc_id, ent in people:
        first, surname = _person_names(ent)
        (full if first else surname_only).append((doc_id, ent, first, surname))
    clusters: list[list[tuple]] = []
    blocks: dict[str, list[list[tuple]]] = defaultdict(list)
    for item in full:
        block = blocks[_block(item[3])]
        for cluster in block:
            _, _, first, surname = cluster[0]
            if same_word(surname, item[3]) and _compatible_first(first, item[2]):
                cluster.append(item)
                break
        else:
            clusters.append([item])
            block.append(clusters[-1])
    for item in surname_only:
        block = blocks[_block(item[3])]
        hits = [c for c in block if c[0][2] and same_word(c[0][3], item[3])]
        if len(hits) == 1:
            hits[0].append(item)
            continue
        singles = [c for c in block if not c[0][2] and same_word(c[0][3], item[3])]
        if singles:
            singles[0].append(item)
        else:
            clusters.append([item])
            block.append(clusters[-1])
    return {(doc_id, ent.key): n for n, c in enumerate(clusters) for doc_id, ent, _, _ in c}


def _group_key(doc_id: str, ent: Entity) -> str:
    if ent.lexicon_id:
        return f"{ent.type.value}:{ent.lexicon_id}"
    return f"{ent.type.value}:{fold(ent.names[0])}"


def _pick_label(forms: Counter, etype: EntityType) -> str:
    """The preferred name: for persons the most used full name, else the most used form."""
    def rank(name: str):
        if etype is not EntityType.PERSON:
            return (forms[name], len(name), name)
        surname = split_name(name)[1]
        spelling = sum(n for form, n in forms.items() if split_name(form)[1] == surname)
        # A full name, the most used, in the most used spelling of the surname; then a stable order.
        return (bool(split_name(name)[0]), forms[name], spelling, -len(name), name)
    return max(forms, key=rank)


def resolve(docs: list[DocResult], *, lexicon_labels: dict[str, str] | None = None) -> Corpus:
    """Merge the entities of all articles; the result does not depend on the order of ``docs``."""
    docs = sorted(docs, key=lambda d: d.article.doc_id)
    lexicon_labels = lexicon_labels or {}
    people = [(d.article.doc_id, e) for d in docs for e in d.entities if e.type is EntityType.PERSON]
    people.sort(key=lambda p: (-len(_person_names(p[1])[0]), p[0], p[1].key))
    person_cluster = _cluster_persons(people)

    groups: dict[str, list[tuple[str, Entity]]] = defaultdict(list)
    for d in docs:
        for e in d.entities:
            doc_key = (d.article.doc_id, e.key)
            gkey = f"Person:#{person_cluster[doc_key]}" if e.type is EntityType.PERSON else _group_key(*doc_key[:1], e)
            groups[gkey].append((d.article.doc_id, e))

    key_map: dict[tuple[str, EntityKey], str] = {}
    entities: dict[str, GlobalEntity] = {}
    drafts = []
    for members in groups.values():
        etype = members[0][1].type
        forms = Counter(name for _, e in members for name in e.names)
        lex = members[0][1].lexicon_id
        label = lexicon_labels.get(lex) if lex else None
        label = label or _pick_label(forms, etype)
        drafts.append((etype, label, members))
    # Ids come from labels; equal labels of different entities are told apart deterministically.
    seen: Counter = Counter()
    def order(draft):
        etype, label, members = draft
        return etype.value, fold(label), label, sorted((d, e.key) for d, e in members)

    for etype, label, members in sorted(drafts, key=order):
        base = f"{etype.value}:{fold(label) or 'x'}"
        seen[base] += 1
        gid = base if seen[base] == 1 else f"{base}#{seen[base]}"
        for doc_id, e in members:
            key_map[(doc_id, e.key)] = gid
        alts = sorted({n for _, e in members for n in e.names} - {label})
        entities[gid] = GlobalEntity(gid, etype, label, tuple(alts), tuple(sorted({d for d, _ in members})))
    for d in docs:
        for e in d.entities:
            if e.part_of:
                gid = key_map[(d.article.doc_id, e.key)]
                entities[gid].part_of = key_map.get((d.article.doc_id, e.part_of))
    return Corpus(entities=entities, key_map=key_map, docs=docs)
