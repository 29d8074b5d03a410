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

from spacy.attrs import LEMMA, LOWER, ORTH
from spacy.strings import get_string_id
from spacy.tokens import Doc, Span, Token

_COLUMNS = "kg.columns"
_TEXT = "kg.text"


class Attr(Enum):
    """Token attributes that hold a string hash: ``tok.lower_``, ``tok.lemma_``, ``tok.text``."""

    LOWER = LOWER
    LEMMA = LEMMA
    ORTH = ORTH


class Words:
    """A fixed set of strings compared against one token attribute."""

    def __init__(self, attr: Attr, words: Iterable[str]) -> None:
        self.attr = Attr(attr)
        self.ids = np.array(sorted({get_string_id(w) for w in words}), dtype=np.uint64)


def column(doc: Doc, attr: Attr) -> np.ndarray:
    """One token attribute of the whole Doc as an array of string hashes, read once per Doc."""
    columns = doc.user_data.setdefault(_COLUMNS, {})
    col = columns.get(attr)
    if col is None:
        col = columns[attr] = doc.to_array(attr.value)
    return col


def indices(doc: Doc, *sets: Words) -> list[int]:
    """Indices of the tokens whose attribute is in any of ``sets``, in Doc order."""
    hit = np.zeros(len(doc), dtype=bool)
    for words in sets:
        if len(words.ids):  # a sorted lookup: cheaper than np.isin, which sorts the Doc's column
            col = column(doc, words.attr)
            at = np.minimum(np.searchsorted(words.ids, col), len(words.ids) - 1)
            hit |= words.ids[at] == col
    return np.flatnonzero(hit).tolist()


def tokens(doc: Doc, *sets: Words) -> list[Token]:
    """The tokens whose attribute is in any of ``sets``, in Doc order."""
    return [doc[i] for i in indices(doc, *sets)]


def text(span: Span) -> str:
    """Same as ``span.text``, sliced from the Doc's text (read once per Doc)."""
    if span.end <= span.start:
        return ""
    full = span.doc.user_data.get(_TEXT)
    if full is None:
        full = span.doc.user_data[_TEXT] = span.doc.text
    return full[span.start_char:span.end_char]
