"""Cross-document entity resolution: one corpus-wide entity per real-world entity.

Persons merge when their surnames are the same up to transliteration (Umerov / Oumerov / Omerov)
and their first names, when both are known, agree; a surname seen alone joins the one full name
that carries it and stays apart when several people share it. States and organizations from the
lexicons merge by lexicon id; other entities by normalised name.
"""
from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import lru_cache

from kg.records import DocResult, Entity, EntityType

# French and English transliterations of the same Cyrillic sounds, folded to one spelling.
_TRANSLIT = [
    ("sch", "sh"), ("tch", "ch"), ("ch", "sh"), ("ou", "u"), ("gue", "ge"), ("gui", "gi"),
    ("kh", "h"), ("ck", "k"), ("w", "v"), ("y", "i"), ("j", "i"), ("ii", "i"), ("ei", "e"),
    ("ph", "f"), ("ff", "f"), ("ss", "s"), ("ll", "l"), ("nn", "n"), ("tt", "t"),
]
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_VOWELS = re.compile(r"[aeiou]")
_SPACES = re.compile(r"\s+")
_PARTICLES = {"de", "du", "des", "la", "le", "van", "von", "der", "da", "di", "bin", "ben", "al", "el"}
# translit_key and same_word are pure and called on the same few thousand name words over and over
# (every person of an article against every other); bounded caches keep memory flat on big corpora.
# fold is not cached: it also folds whole statements, which would fill a cache with one-off texts.
_CACHE_SIZE = 1 << 16


def fold(text: str) -> str:
    """Lowercase ASCII form of a name: accents, case and punctuation removed."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return " ".join(_NON_ALNUM.sub(" ", text).split())


@lru_cache(maxsize=_CACHE_SIZE)
def translit_key(word: str) -> str:
    """Spelling-independent key of one name word: 'Ouchakov' and 'Ushakov' -> 'ushakov'."""
    key = fold(word).replace(" ", "")
    for old, new in _TRANSLIT:
        key = key.replace(old, new)
    return key


def _edit_distance_le1(a: str, b: str) -> bool:
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b)) == 1
    short, long_ = sorted((a, b), key=len)
    return any(long_[:i] + long_[i + 1:] == short for i in range(len(long_)))


@lru_cache(maxsize=_CACHE_SIZE)
def same_word(a: str, b: str) -> bool:
    """Whether two name words are spellings of one name (one vowel may differ in long words)."""
    ka, kb = translit_key(a), translit_key(b)
    if ka == kb:
        return True
    if min(len(ka), len(kb)) < 5 or ka[-1] != kb[-1]:  # short names, or gendered forms (-ov / -ova)
        return False
    return _edit_distance_le1(ka, kb) and _consonants(ka) == _consonants(kb)


def _consonants(key: str) -> str:
    return _VOWELS.sub("", key)


def split_name(name: str) -> tuple[tuple[str, ...], str]:
    """('Vladimir',), 'Poutine' from 'Vladimir Poutine'; particles stay with the surname."""
    words = [w for w in _SPACES.split(name.strip()) if w and w.rstrip(".") not in {"M", "Mme", "Dr"}]
    if not words:
        return (), ""
    if len(words) > 1 and len(words[0]) > 2 and words[0].isalpha() and words[0].isupper() and not all(w.isupper() for w in words[1:]):
        words = [*words[1:], words[0]]  # surname first in capitals: "MOTEGI Toshimitsu"
    i = len(words) - 1
    while i > 0 and words[i - 1].lower() in _PARTICLES:
        i -= 1
    return tuple(words[:i]), " ".join(words[i:])


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
    key_map: dict[tuple[str, str], str]
    docs: list[DocResult]


def _person_names(ent: Entity) -> tuple[tuple[str, ...], str]:
    """First names and surname of the most complete name of a person."""
    best = max(ent.names, key=lambda n: (len(split_name(n)[0]), len(n), n))
    return split_name(best)


def _hypocoristics() -> frozenset[tuple[str, str]]:
    from importlib import resources
    text = resources.files("kg.resources.fr").joinpath("entities_hypocoristics.tsv").read_text(encoding="utf-8")
    rows = [line.split("\t") for line in text.splitlines() if line.strip() and not line.startswith("#")]
    return frozenset(pair for a, b in rows for pair in ((a.strip(), b.strip()), (b.strip(), a.strip())))


_SHORT_FORMS = _hypocoristics()


def same_first_name(x: str, y: str) -> bool:
    """Whether two given names can name one person: spellings ("Anthony" / "Antony"), initials ("R."),
    short forms ("Mike" / "Michael")."""
    x, y = x.rstrip("."), y.rstrip(".")
    if not x or not y:
        return True
    if len(x) == 1 or len(y) == 1:
        return x[0].lower() == y[0].lower()
    if same_word(x, y) or (fold(x), fold(y)) in _SHORT_FORMS:
        return True
    kx, ky = translit_key(x), translit_key(y)
    return min(len(kx), len(ky)) >= 5 and kx[-1] == ky[-1] and _edit_distance_le1(kx, ky)


def _compatible_first(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    if not a or not b:
        return True
    return same_first_name(a[0], b[0])


def _block(surname: str) -> str:
    """Names that can be spellings of each other share this key (see same_word), so only they are compared."""
    return _consonants(translit_key(surname))


def _cluster_persons(people: list[tuple[str, Entity]]) -> dict[tuple[str, str], int]:
    """Cluster person entities; returns (doc_id, key) -> cluster number."""
    full, surname_only = [], []
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

    key_map: dict[tuple[str, str], str] = {}
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
    for etype, label, members in sorted(drafts, key=lambda x: (x[0].value, fold(x[1]), x[1], sorted((d, e.key) for d, e in x[2]))):
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
