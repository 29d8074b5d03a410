"""Extraction: one spaCy Doc of an article -> its entities and facts as plain records."""
from __future__ import annotations

from dataclasses import replace
from functools import lru_cache

from spacy.tokens import Doc

from kg import lexicon
from kg.extract.entities import EntityFinder
from kg.extract.meetings import MeetingFinder
from kg.extract.refs import Referents
from kg.extract.roles import RoleFinder, role_facts
from kg.extract.statements import StatementFinder
from kg.records import Article, DocResult


class Extractor:
    """All rule families, built once for a vocabulary and applied to each Doc."""

    def __init__(self, vocab) -> None:
        lex = lexicon.load()
        self.entities = EntityFinder(lex, vocab)
        self.roles = RoleFinder(lex, vocab)
        self.meetings = MeetingFinder(lex)
        self.statements = StatementFinder(lex)

    def __call__(self, doc: Doc, article: Article) -> DocResult:
        ms = self.entities(doc)
        uses = self.roles(doc, ms)
        refs = Referents(doc, ms, uses)
        facts = [*role_facts(doc, uses, ms), *self.meetings(doc, ms, refs), *self.statements(doc, ms, refs)]
        # Evidence quotes the article as written (the Doc holds the normalised text); facts of one
        # sentence share one rewritten Evidence.
        quoted: dict = {}
        for ev in {f.evidence for f in facts}:
            sentence = article.text[ev.start:ev.end]
            if sentence != ev.sentence:  # most sentences read the same: their facts are kept as they are
                quoted[ev] = replace(ev, sentence=sentence)
        if quoted:
            facts = [replace(f, evidence=quoted[f.evidence]) if f.evidence in quoted else f for f in facts]
        return DocResult(article, ms.entities(), tuple(dict.fromkeys(facts)))


@lru_cache(maxsize=2)
def _extractor(vocab) -> Extractor:
    return Extractor(vocab)


def extract(doc: Doc, article: Article) -> DocResult:
    """Entities and facts of one article, from its parsed Doc."""
    return _extractor(doc.vocab)(doc, article)
