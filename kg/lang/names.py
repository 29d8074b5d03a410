"""Person names: spelling-independent keys, surname and given names, spellings of one name.

Used by the extractors (one person within an article) and by cross-document resolution (one person
across the corpus), so that both stages compare names the same way.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from kg.lang import lexicon

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
    """Spelling-independent key of one name word: 'Ouvarov' and 'Uvarov' -> 'uvarov'."""
    key = fold(word).replace(" ", "")
    for old, new in _TRANSLIT:
        key = key.replace(old, new)
    return key


def edit_distance_le1(a: str, b: str) -> bool:
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
    return edit_distance_le1(ka, kb) and consonants(ka) == consonants(kb)


def consonants(key: str) -> str:
    return _VOWELS.sub("", key)


def split_name(name: str) -> tuple[tuple[str, ...], str]:
    """('Piotr',), 'Sidorenko' from 'Piotr Sidorenko'; particles stay with the surname."""
    words = [w for w in _SPACES.split(name.strip()) if w and w.rstrip(".") not in {"M", "Mme", "Dr"}]
    if not words:
        return (), ""
    if (len(words) > 1 and len(words[0]) > 2 and words[0].isalpha() and words[0].isupper()
            and not all(w.isupper() for w in words[1:])):
        words = [*words[1:], words[0]]  # surname first in capitals: "TANAKA Hiroshi"
    i = len(words) - 1
    while i > 0 and words[i - 1].lower() in _PARTICLES:
        i -= 1
    return tuple(words[:i]), " ".join(words[i:])


def _hypocoristics() -> frozenset[tuple[str, str]]:
    rows = lexicon.rows("entities_hypocoristics.tsv")
    return frozenset(pair for a, b, *_ in rows for pair in ((a.strip(), b.strip()), (b.strip(), a.strip())))


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
    return min(len(kx), len(ky)) >= 5 and kx[-1] == ky[-1] and edit_distance_le1(kx, ky)
