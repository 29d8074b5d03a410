"""Extraction: one spaCy Doc of an article -> its entities and facts as plain records.

The rules run as spaCy components (``kg.extract.components``) added to the pipeline by ``kg.extract.nlp``;
``extract`` turns what they left on the Doc into the article's records.
"""
from __future__ import annotations

from dataclasses import replace

from spacy.tokens import Doc

from kg.records import Article, DocResult


def extract(doc: Doc, article: Article) -> DocResult:
    """Entities and facts of one article, from its Doc as the pipeline's components left it."""
    facts = doc._.kg_facts
    if facts is None:
        raise ValueError("the Doc was not made by kg.extract.nlp.load(): no extraction components ran")
    # Evidence quotes the article as written (the Doc holds the normalised text); facts of one
    # sentence share one rewritten Evidence.
    quoted: dict = {}
    for ev in {f.evidence for f in facts}:
        sentence = article.text[ev.start:ev.end]
        if sentence != ev.sentence:  # most sentences read the same: their facts are kept as they are
            quoted[ev] = replace(ev, sentence=sentence)
    if quoted:
        facts = [replace(f, evidence=quoted[f.evidence]) if f.evidence in quoted else f for f in facts]
    return DocResult(article, doc._.kg_mentions.entities(), tuple(dict.fromkeys(facts)))
