"""Fast sentence lookup: spaCy's Token.sent walks the Doc on every call, which dominated extraction."""
from __future__ import annotations

from bisect import bisect_right

from spacy.tokens import Span, Token

_KEY = "kg.sent_starts"


_FINAL = {".", "!", "?", "…"}
_CLOSING = {"»", '"', ")"}


def _ends_sentence(doc, i: int) -> bool:
    """Whether token ``i`` closes a sentence: final punctuation (maybe inside a closing quote) or a line end."""
    tok = doc[i]
    if "\n" in tok.whitespace_ or "\n" in tok.text or tok.text in _FINAL:
        return True
    return tok.text in _CLOSING and i > 0 and doc[i - 1].text in _FINAL


def _starts(doc) -> list[int]:
    """Sentence starts: the parser's, except where it cut inside a sentence ("« … » , a-t-il dit")."""
    starts = doc.user_data.get(_KEY)
    if starts is None:
        starts = [s.start for s in doc.sents if s.start == 0 or _ends_sentence(doc, s.start - 1)]
        doc.user_data[_KEY] = starts
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
