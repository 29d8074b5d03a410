"""The extraction as spaCy components: entity correction, then one component per fact family.

Each is registered with ``@Language.factory`` and declares what it reads and writes, so that
``nlp.analyze_pipes()`` shows the whole extraction. Their results live in ``Doc._`` extensions:
``kg_mentions`` (the typed entity mentions), ``kg_titles`` (title phrases), ``kg_refs`` (what phrases
refer to) and ``kg_facts`` (the facts, in family order). The patterns each family runs, with their rule
ids and confidences, come from ``resources/fr/patterns/<family>.yml``.
"""
from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

from kg.extract import meetings as _meetings  # noqa: F401 (handlers)
from kg.extract import patterns
from kg.extract import statements as _statements
from kg.extract import transcripts as _transcripts  # noqa: F401 (handlers)
from kg.extract.entities import EntityFinder
from kg.extract.patterns import Context, Triggers
from kg.extract.refs import Referents
from kg.extract.roles import RoleFinder
from kg.lang import lexicon

for _name in ("kg_mentions", "kg_titles", "kg_refs", "kg_facts"):
    Doc.set_extension(_name, default=None, force=True)

_PARSE = ["token.pos", "token.lemma", "token.dep", "token.morph"]


class EntityCorrection:
    """Typed mentions: the statistical NER corrected by the lexicons and the entity patterns."""

    def __init__(self, nlp: Language) -> None:
        self.finder = EntityFinder(lexicon.load(), nlp.vocab)

    def __call__(self, doc: Doc) -> Doc:
        doc._.kg_mentions = self.finder(doc)
        doc._.kg_facts = []
        return doc


class RoleExtraction:
    """Title phrases linked to their holders (mandates and positions), then what phrases refer to."""

    def __init__(self, nlp: Language) -> None:
        self.titles = RoleFinder(lexicon.load(), nlp.vocab)
        self.triggers = Triggers(nlp.vocab, patterns.load("roles"))

    def __call__(self, doc: Doc) -> Doc:
        ms = doc._.kg_mentions
        uses = self.titles(doc, ms)
        ctx = Context(doc, ms, state={"titles": {u.start: u for u in uses}})
        doc._.kg_facts = [*doc._.kg_facts, *patterns.run(self.triggers, ctx)]
        doc._.kg_titles = uses
        doc._.kg_refs = Referents(doc, ms, uses)
        return doc


class FactExtraction:
    """The facts of one family's patterns (meetings or statements)."""

    def __init__(self, nlp: Language, family: str, finish=None) -> None:
        self.triggers = Triggers(nlp.vocab, patterns.load(family))
        self.finish = finish

    def __call__(self, doc: Doc) -> Doc:
        found = patterns.run(self.triggers, Context(doc, doc._.kg_mentions, doc._.kg_refs))
        doc._.kg_facts = [*doc._.kg_facts, *(self.finish(found) if self.finish else found)]
        return doc


@Language.factory("kg_entities", requires=["doc.ents", *_PARSE], assigns=["doc._.kg_mentions", "doc._.kg_facts"])
def make_entities(nlp: Language, name: str) -> EntityCorrection:
    return EntityCorrection(nlp)


@Language.factory("kg_roles", requires=["doc._.kg_mentions", *_PARSE],
                  assigns=["doc._.kg_titles", "doc._.kg_refs", "doc._.kg_facts", "token._.kg_title"])
def make_roles(nlp: Language, name: str) -> RoleExtraction:
    return RoleExtraction(nlp)


@Language.factory("kg_meetings", requires=["doc._.kg_mentions", "doc._.kg_refs", *_PARSE],
                  assigns=["doc._.kg_facts"])
def make_meetings(nlp: Language, name: str) -> FactExtraction:
    return FactExtraction(nlp, "meetings")


@Language.factory("kg_statements", requires=["doc._.kg_mentions", "doc._.kg_refs", *_PARSE],
                  assigns=["doc._.kg_facts"])
def make_statements(nlp: Language, name: str) -> FactExtraction:
    return FactExtraction(nlp, "statements", finish=_statements.without_nested)


# After kg_statements: a transcript turn leaves alone the sentences whose speaker those patterns found.
@Language.factory("kg_transcripts", requires=["doc._.kg_mentions", "doc._.kg_refs", "doc._.kg_facts", *_PARSE],
                  assigns=["doc._.kg_facts"])
def make_transcripts(nlp: Language, name: str) -> FactExtraction:
    return FactExtraction(nlp, "transcripts")


COMPONENTS = ("kg_entities", "kg_roles", "kg_meetings", "kg_statements", "kg_transcripts")
