"""Fast sentence lookup: spaCy's Token.sent walks the Doc on every call, which dominated extraction."""
from __future__ import annotations

from bisect import bisect_right

from spacy.tokens import Doc, Span, Token

from kg.extract import scan

_KEY = "kg.sent_starts"
_SPANS = "kg.sent_spans"


_FINAL = {".", "!", "?", "…"}
_CLOSING = {"»", '"', ")"}


def _ends_sentence(orth: list[str], i: int) -> bool:
    """Whether token ``i`` closes a sentence: final punctuation (maybe inside a closing quote) or a line end.

    ``orth`` holds the token texts; a line end is a token of its own (spaCy's whitespace is " " or "")."""
    text = orth[i]
    if "\n" in text or text in _FINAL:
        return True
    return text in _CLOSING and i > 0 and orth[i - 1] in _FINAL


def _starts(doc) -> list[int]:
    """Sentence starts: the parser's, except where it cut inside a sentence ("« … » , a-t-il dit")."""
    starts = doc.user_data.get(_KEY)
    if starts is None:
        orth = scan.orth(doc)
        starts = [s.start for s in doc.sents if s.start == 0 or _ends_sentence(orth, s.start - 1)]
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


def sent_at(doc: Doc, i: int) -> Span:
    """The sentence of token ``i`` (as ``sent_of(doc[i])``, without building the Token)."""
    return _sent(doc, bisect_right(_starts(doc), i) - 1)


def sents_up_to(tok: Token, n: int) -> list[Span]:
    """The sentence of ``tok`` and the ``n - 1`` sentences before it."""
    k = bisect_right(_starts(tok.doc), tok.i) - 1
    return [_sent(tok.doc, j) for j in range(max(0, k - n + 1), k + 1)]
