"""The evidence of a fact: its sentence in the article, offsets, rule id and confidence."""
from __future__ import annotations

from spacy.tokens import Doc

from kg.extract import scan
from kg.extract.patterns import Pattern
from kg.extract.sents import sent_at
from kg.records import Evidence


def evidence(doc: Doc, token_i: int, rule: Pattern, factor: float = 1.0) -> Evidence:
    """Evidence for a fact found at token ``token_i``: its sentence, offsets, rule and confidence."""
    sent = sent_at(doc, token_i)
    where = doc.user_data.setdefault(_QUOTES, {})  # many facts come from one sentence
    found: tuple[int, int, str] | None = where.get(sent.start)
    if found is None:
        start = sent.start_char
        text = scan.text(sent)
        stripped = text.rstrip()
        lead = len(text) - len(text.lstrip())
        found = where[sent.start] = (start + lead, start + len(stripped), stripped.lstrip())
    return Evidence(*found, rule.id, round(rule.confidence * factor, 2))


_QUOTES = "kg.evidence"
