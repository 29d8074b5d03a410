"""Helpers for extractor tests: run the real French pipeline and the extractors on a small text."""
from __future__ import annotations

import pytest

from kg.extract import extract
from kg.extract.nlp import normalise
from kg.records import Article, Mandate, Meeting, Position, Statement


class Result:
    """The records of one small text, with entity keys replaced by their first name."""

    def __init__(self, doc_result):
        self.raw = doc_result
        self.names = {e.key: e.names[0] for e in doc_result.entities}
        self.types = {e.key: e.type.value for e in doc_result.entities}

    def name(self, key):
        return self.names.get(key, key)

    def of(self, cls):
        return [f for f in self.raw.facts if isinstance(f, cls)]

    def mandates(self):
        return {(self.name(f.envoy), self.name(f.principal)) for f in self.of(Mandate)}

    def positions(self):
        return {(self.name(f.holder), f.title, self.name(f.org) if f.org else None) for f in self.of(Position)}

    def meetings(self, *, planned=None):
        return {frozenset(self.name(k) for k in f.participants) for f in self.of(Meeting)
                if planned is None or f.planned == planned}

    def statements(self):
        return {(self.name(f.speaker), f.content) for f in self.of(Statement)}


@pytest.fixture(scope="session")
def run(nlp):
    def _run(text: str) -> Result:
        article = Article(doc_id="t", file_name="t.txt", content_hash="sha256:0", text=text)
        return Result(extract(nlp(normalise(text)), article))
    return _run
