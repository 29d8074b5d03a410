"""Token scans: find the few tokens a rule cares about without building a Token for every word.

Iterating a Doc builds one Python ``Token`` per word, and the extractors used to do that many times
per article only to test a word against a small set. Here a token attribute is read once per Doc
as a numpy array of string hashes (``Doc.to_array``, cached in ``doc.user_data``) and looked up in
a ``Words`` set of hashes, so rules only build the tokens that can match.
``Span.text`` builds a Token per word as well, so span texts are sliced from the Doc's text.
"""
from __future__ import annotations

from collections.abc import Iterable
from enum import Enum

import numpy as np
from spacy.attrs import IDX, LEMMA, LOWER, MORPH, ORTH, POS, SPACY
from spacy.strings import get_string_id
from spacy.tokens import Doc, Span, Token

_COLUMNS = "kg.columns"
_STRINGS = "kg.strings"
_TEXT = "kg.text"
_INTS = "kg.ints"
# hash -> string, shared by every Doc (a hash names the same string in any vocabulary); cleared when big
_NAMES: dict[int, str] = {}
_NAMES_MAX = 1_000_000
_FEATS: dict[int, dict[str, list[str]]] = {}  # MORPH hash -> {field: values}


class Attr(Enum):
    """Token attributes that hold a string hash: ``tok.lower_``, ``tok.lemma_``, ``tok.text``."""

    LOWER = LOWER
    LEMMA = LEMMA
    ORTH = ORTH
    POS = POS  # a symbol id; its string is ``tok.pos_``


class Words:
    """A fixed set of strings compared against one token attribute."""

    def __init__(self, attr: Attr, words: Iterable[str]) -> None:
        self.attr = Attr(attr)
        self.attr_id: int = self.attr.value  # caches are keyed by the id: an Enum hashes in Python
        self.ids = np.array(sorted({get_string_id(w) for w in words}), dtype=np.uint64)


def column(doc: Doc, attr: Attr | int) -> np.ndarray:
    """One token attribute of the whole Doc as an array of string hashes, read once per Doc."""
    attr_id = attr if isinstance(attr, int) else attr.value
    columns = doc.user_data.setdefault(_COLUMNS, {})
    col = columns.get(attr_id)
    if col is None:
        col = columns[attr_id] = doc.to_array(attr_id)
    return col


def indices(doc: Doc, *sets: Words) -> list[int]:
    """Indices of the tokens whose attribute is in any of ``sets``, in Doc order."""
    hit = np.zeros(len(doc), dtype=bool)
    for words in sets:
        if len(words.ids):  # a sorted lookup: cheaper than np.isin, which sorts the Doc's column
            col = column(doc, words.attr_id)
            at = np.minimum(np.searchsorted(words.ids, col), len(words.ids) - 1)
            hit |= words.ids[at] == col
    return np.flatnonzero(hit).tolist()


def tokens(doc: Doc, *sets: Words) -> list[Token]:
    """The tokens whose attribute is in any of ``sets``, in Doc order."""
    return [doc[i] for i in indices(doc, *sets)]


def orth(doc: Doc) -> list[str]:
    """``[t.text for t in doc]``, read once per Doc."""
    return strings(doc, ORTH)


def lower(doc: Doc) -> list[str]:
    """``[t.lower_ for t in doc]``, read once per Doc."""
    return strings(doc, LOWER)


def pos(doc: Doc) -> list[str]:
    """``[t.pos_ for t in doc]``, read once per Doc."""
    return strings(doc, POS)


def lemma(doc: Doc) -> list[str]:
    """``[t.lemma_ for t in doc]``, read once per Doc."""
    return strings(doc, LEMMA)


def strings(doc: Doc, attr: Attr | int) -> list[str]:
    """One token attribute of the whole Doc as Python strings (``[t.lower_ for t in doc]``), read once.

    Rules that walk many tokens index these lists: ``doc[i].lower_`` builds a Token and decodes a string."""
    attr_id = attr if isinstance(attr, int) else attr.value
    columns = doc.user_data.setdefault(_STRINGS, {})
    out = columns.get(attr_id)
    if out is None:
        hashes = column(doc, attr_id).tolist()
        try:
            out = [_NAMES[h] for h in hashes]
        except KeyError:
            if len(_NAMES) > _NAMES_MAX:
                _NAMES.clear()
            vocab = doc.vocab.strings
            out = [_NAMES[h] if h in _NAMES else _NAMES.setdefault(h, vocab[h]) for h in hashes]
        columns[attr_id] = out
    return out


def text(span: Span) -> str:
    """Same as ``span.text``, sliced from the Doc's text (read once per Doc)."""
    if span.end <= span.start:
        return ""
    return doc_text(span.doc)[span.start_char:span.end_char]


def text_at(doc: Doc, i: int, j: int) -> str:
    """Same as ``doc[i:j].text``, without building the Span."""
    if j <= i:
        return ""
    idx = _ints(doc, IDX)
    return doc_text(doc)[idx[i]:idx[j - 1] + len(orth(doc)[j - 1])]


def doc_text(doc: Doc) -> str:
    """Same as ``doc.text``, joined from the ORTH column (``doc.text`` builds a Token per word)."""
    full = doc.user_data.get(_TEXT)
    if full is None:
        spaces = doc.to_array(SPACY).tolist()
        full = doc.user_data[_TEXT] = "".join(
            [w + " " if sp else w for w, sp in zip(orth(doc), spaces)])
    return full


def feats(doc: Doc, i: int) -> dict[str, list[str]]:
    """The morphological features of token ``i``: ``feats(doc, i).get(f, [])`` == ``doc[i].morph.get(f)``."""
    key = _ints(doc, MORPH)[i]
    found = _FEATS.get(key)
    if found is None:
        found = {}
        for feat in doc.vocab.strings[key].split("|") if key else ():
            field, _, values = feat.partition("=")
            found.setdefault(field, []).extend(values.split(","))
        if len(_FEATS) > _NAMES_MAX:
            _FEATS.clear()
        _FEATS[key] = found
    return found


def _ints(doc: Doc, attr: int) -> list[int]:
    """One token attribute of the whole Doc as Python ints (offsets, MORPH hashes), read once per Doc."""
    lists = doc.user_data.setdefault(_INTS, {})
    out = lists.get(attr)
    if out is None:
        out = lists[attr] = column(doc, attr).tolist()
    return out
