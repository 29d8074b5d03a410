"""The pattern files: every example of every pattern runs through the real French pipeline.

A positive example must yield its fact with the pattern's rule id in the evidence; a negative one must
yield nothing by that pattern. A pattern without a positive and a negative example cannot be loaded.
"""
from __future__ import annotations

import pytest

from kg.extract import patterns
from kg.extract.patterns import PatternError, all_patterns
from kg.records import Mandate, Meeting, Position, Statement

CASES = [(p, ex) for p in all_patterns() for ex in p.examples]


def _shown(r) -> list[str]:
    return [f"{type(f).__name__} {f.evidence.rule}: {_args(r, f)}" for f in r.raw.facts]


def _args(r, fact) -> tuple[str, ...]:
    if isinstance(fact, Meeting):
        return tuple(sorted(r.name(k) for k in fact.participants))
    if isinstance(fact, Mandate):
        return r.name(fact.envoy), r.name(fact.principal)
    if isinstance(fact, Position):
        return r.name(fact.holder), fact.title
    if isinstance(fact, Statement):
        return r.name(fact.speaker), fact.content
    raise TypeError(fact)


def _named(r, key: str, name: str) -> bool:
    """Whether the entity of ``key`` goes by ``name`` in the text (a state by its capital, say)."""
    return any(e.key == key and name in e.names for e in r.raw.entities)


def _yields(r, relation: str, fact: tuple[str, ...], found) -> bool:
    if relation == "met_with":
        a, b = fact
        return any(len(f.participants) == 2 and (
            _named(r, f.participants[0], a) and _named(r, f.participants[1], b)
            or _named(r, f.participants[0], b) and _named(r, f.participants[1], a))
            for f in found if isinstance(f, Meeting))
    if relation == "stated":
        return any(_named(r, f.speaker, fact[0]) and fact[1] in f.content for f in found if isinstance(f, Statement))
    if relation == "envoy_of":
        return any(_named(r, f.envoy, fact[0]) and _named(r, f.principal, fact[1])
                   for f in found if isinstance(f, Mandate))
    return any(_named(r, f.holder, fact[0]) and f.title == fact[1] for f in found if isinstance(f, Position))


def _entity(r, fact: tuple[str, ...]) -> bool:
    name, etype = fact
    return any(name in e.names and e.type.value == etype for e in r.raw.entities)


@pytest.mark.slow
@pytest.mark.parametrize("pattern,example", CASES,
                         ids=[f"{p.id}-{'pos' if ex.positive else 'neg'}{i}" for i, (p, ex) in enumerate(CASES)])
def test_patterns_example(run, pattern, example):
    r = run(example.text)
    if pattern.relation == "entity":
        assert _entity(r, example.fact) == example.positive, (example.text, [e.names for e in r.raw.entities])
        return
    found = [f for f in r.raw.facts if f.evidence.rule == pattern.id]
    if example.positive:
        assert _yields(r, pattern.relation, example.fact, found), (example.text, _shown(r))
    else:
        assert not found, (example.text, _shown(r))


def test_patterns_every_family_has_patterns_with_unique_ids():
    ids = [p.id for p in all_patterns()]
    assert {p.family for p in all_patterns()} == set(patterns.FAMILIES)
    assert len(ids) == len(set(ids))
    assert all(p.id.startswith(f"{p.family.rstrip('s')}.") or p.family == "entities" for p in all_patterns())


def test_patterns_a_pattern_without_examples_is_refused():
    raw = {"id": "meeting.x.v1", "yields": {"relation": "met_with"}, "description": "d", "handler": "meeting_verb",
           "trigger": [{"LOWER": "x"}], "examples": {"positive": [{"text": "X a vu Y.", "fact": ["X", "Y"]}]}}
    with pytest.raises(PatternError, match="meeting.x.v1.*negative"):
        patterns._pattern(raw, "meetings", 0, "patterns/meetings.yml")
    raw["examples"] = {"positive": [{"text": "X a vu Y."}], "negative": ["Z."]}
    with pytest.raises(PatternError, match="says no 'fact'"):
        patterns._pattern(raw, "meetings", 0, "patterns/meetings.yml")


def test_patterns_unknown_lexicon_and_unknown_key_are_named():
    raw = {"id": "meeting.x.v1", "yields": {"relation": "met_with"}, "description": "d", "handler": "meeting_verb",
           "trigger": [{"LEMMA": {"IN": "$no_such_words"}}],
           "examples": {"positive": [{"text": "a", "fact": ["X", "Y"]}], "negative": ["b"]}}
    with pytest.raises(PatternError, match="no lexicon file no_such_words.txt"):
        patterns._pattern(raw, "meetings", 0, "patterns/meetings.yml")
    raw["trigger"], raw["colour"] = [{"LOWER": "x"}], "red"
    with pytest.raises(PatternError, match="unknown keys"):
        patterns._pattern(raw, "meetings", 0, "patterns/meetings.yml")


def test_patterns_components_show_in_analyze_pipes(nlp):
    analysis = nlp.analyze_pipes(pretty=False)
    assert not any(analysis["problems"].values())
    for name in ("kg_entities", "kg_roles", "kg_meetings", "kg_statements"):
        assert name in analysis["summary"]
    assert "doc._.kg_facts" in analysis["summary"]["kg_statements"]["assigns"]
