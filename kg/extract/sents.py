"""Fast sentence lookup: spaCy's Token.sent walks the Doc on every call, which dominated extraction."""
from __future__ import annotations

from bisect import bisect_right

from spacy.tokens import Span, Token

_KEY = "kg.sent_starts"


def _starts(doc) -> list[int]:
    starts = doc.user_data.get(_KEY)
    if starts is None:
        starts = doc.user_data[_KEY] = [s.start for s in doc.sents]
    return starts


def sent_of(tok: Token) -> Span:
    """The sentence of a token (same as ``tok.sent``, in O(log n))."""
    starts = _starts(tok.doc)
    k = bisect_right(starts, tok.i) - 1
    end = starts[k + 1] if k + 1 < len(starts) else len(tok.doc)
    return tok.doc[starts[k]:end]


def sents_up_to(tok: Token, n: int) -> list[Span]:
    """The sentence of ``tok`` and the ``n - 1`` sentences before it."""
    starts, doc = _starts(tok.doc), tok.doc
    k = bisect_right(starts, tok.i) - 1
    bounds = starts[max(0, k - n + 1):k + 2] + ([len(doc)] if k + 1 >= len(starts) else [])
    return [doc[a:b] for a, b in zip(bounds, bounds[1:])]
