"""Fast sentence lookup: spaCy's Token.sent walks the Doc on every call, which dominated extraction."""
from __future__ import annotations

from bisect import bisect_right

from spacy.tokens import Span, Token

_KEY = "kg.sent_starts"
_SPANS = "kg.sent_spans"


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


def _sent(doc, k: int) -> Span:
    """Sentence number ``k``, built once per Doc: rules ask for the same few sentences many times."""
    spans = doc.user_data.setdefault(_SPANS, {})
    span = spans.get(k)
    if span is None:
        starts = _starts(doc)
        span = spans[k] = Span(doc, starts[k], starts[k + 1] if k + 1 < len(starts) else len(doc))
    return span


def sent_of(tok: Token) -> Span:
    """The sentence of a token (same as ``tok.sent``, in O(log n))."""
    return _sent(tok.doc, bisect_right(_starts(tok.doc), tok.i) - 1)


def sents_up_to(tok: Token, n: int) -> list[Span]:
    """The sentence of ``tok`` and the ``n - 1`` sentences before it."""
    k = bisect_right(_starts(tok.doc), tok.i) - 1
    return [_sent(tok.doc, j) for j in range(max(0, k - n + 1), k + 1)]
