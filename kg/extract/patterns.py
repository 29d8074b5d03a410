"""Extraction rules as data: the pattern files of ``kg/resources/fr/patterns/``, one per rule family.

A pattern is a construction of French with a stable versioned id, what it yields, a one-line
description, a base confidence, a trigger written for spaCy's own rule engines (a ``Matcher`` token
pattern, or a ``DependencyMatcher`` pattern when its entries carry ``RIGHT_ID``), the name of the
small Python function (``handler``) that reads the arguments the trigger cannot say (coordination,
lists, references), and positive and negative example sentences that the test suite runs.

In a trigger, ``"$name"`` in place of a list stands for the words of the lexicon file
``resources/fr/<name>.txt``. A trigger's *anchor* is the token of its first entry (or the one
``anchor`` names). Patterns of a family are tried in file order: for one anchor token, the first
pattern whose handler finds its construction claims it, and later patterns are not asked. Patterns of
a later ``phase`` run after every pattern of the earlier ones.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import srsly
from spacy.matcher import DependencyMatcher, Matcher
from spacy.tokens import Doc

from kg.lang import lexicon

FAMILIES = ("entities", "roles", "meetings", "statements", "transcripts")
RELATIONS = {"entity", "envoy_of", "holds_role", "met_with", "stated"}
_KEYS = {"id", "yields", "description", "confidence", "trigger", "triggers", "anchor", "phase", "handler", "args",
         "examples"}
# Lower confidence when the agent was found through a pronoun or a role description.
INDIRECT_REFERENCE_FACTOR = 0.85


class PatternError(ValueError):
    """A pattern file that cannot be used: names the file, the pattern and the problem."""


@dataclass(frozen=True)
class Example:
    """An example sentence: a positive one yields ``fact`` (by this pattern), a negative one does not."""

    text: str
    positive: bool
    fact: tuple[str, ...] = ()  # the fact's arguments as names (and words of a statement)


@dataclass(frozen=True)
class Pattern:
    """One construction; ``id`` and ``confidence`` go into the evidence of every fact it yields."""

    id: str
    family: str
    relation: str
    roles: tuple[str, ...]
    description: str
    confidence: float
    handler: str
    triggers: tuple = field(default=(), hash=False, compare=False)  # alternative trigger patterns
    anchor: int = 0
    phase: int = 0
    args: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)
    examples: tuple[Example, ...] = ()
    order: int = 0


def _path(family: str):
    return resources.files("kg.resources.fr").joinpath("patterns", f"{family}.yml")


def _resolve_lexicons(value, where: str):
    """The trigger with every ``"$lexicon"`` replaced by that lexicon's words."""
    if isinstance(value, str) and value.startswith("$"):
        try:
            return sorted(lexicon.words(value[1:]))
        except FileNotFoundError:
            raise PatternError(f"{where}: no lexicon file {value[1:]}.txt for {value}") from None
    if isinstance(value, dict):
        return {k: _resolve_lexicons(v, where) for k, v in value.items()}
    if isinstance(value, list):
        return [_resolve_lexicons(v, where) for v in value]
    return value


def _example(item, where: str, positive: bool) -> Example:
    if isinstance(item, str):
        item = {"text": item}
    if not isinstance(item, dict) or not isinstance(item.get("text"), str):
        raise PatternError(f"{where}: an example needs a 'text'")
    fact = tuple(str(x) for x in item.get("fact", ()))
    if positive and not fact:
        raise PatternError(f"{where}: positive example {item['text']!r} says no 'fact'")
    return Example(item["text"], positive, fact)


def _pattern(raw: dict, family: str, order: int, file: str) -> Pattern:
    where = f"{file}: pattern {raw.get('id', order + 1)!r}"
    if not isinstance(raw, dict) or not {"id", "yields", "description", "handler"} <= raw.keys():
        raise PatternError(f"{where}: needs id, yields, description and handler")
    if unknown := set(raw) - _KEYS:
        raise PatternError(f"{where}: unknown keys {sorted(unknown)}")
    yields = raw["yields"]
    relation = yields.get("relation") if isinstance(yields, dict) else None
    if relation not in RELATIONS:
        raise PatternError(f"{where}: yields.relation must be one of {sorted(RELATIONS)}")
    examples = raw.get("examples") or {}
    found = tuple(_example(x, where, True) for x in examples.get("positive", ())) + tuple(
        _example(x, where, False) for x in examples.get("negative", ()))
    if not any(e.positive for e in found) or all(e.positive for e in found):
        raise PatternError(f"{where}: needs at least one positive and one negative example")
    triggers = raw.get("triggers") or ([raw["trigger"]] if raw.get("trigger") else [])
    triggers = _resolve_lexicons(triggers, where)
    return Pattern(id=raw["id"], family=family, relation=relation, roles=tuple(yields.get("roles", ())),
                   description=" ".join(str(raw["description"]).split()),
                   confidence=float(raw.get("confidence", 1.0)), handler=raw["handler"],
                   triggers=tuple(map(tuple, triggers)), anchor=int(raw.get("anchor", 0)),
                   phase=int(raw.get("phase", 0)), args=dict(raw.get("args") or {}),
                   examples=found, order=order)


@cache
def load(family: str) -> tuple[Pattern, ...]:
    """The patterns of one family, in file order."""
    path = _path(family)
    try:
        data = srsly.yaml_loads(path.read_text(encoding="utf-8"))
    except Exception as err:  # the YAML parser's errors carry the line
        raise PatternError(f"patterns/{family}.yml: {err}") from err
    raws = data.get("patterns") if isinstance(data, dict) else None
    if not isinstance(raws, list):
        raise PatternError(f"patterns/{family}.yml: needs a list 'patterns'")
    found = tuple(_pattern(raw, family, i, f"patterns/{family}.yml") for i, raw in enumerate(raws))
    ids = [p.id for p in found]
    if len(ids) != len(set(ids)):
        raise PatternError(f"patterns/{family}.yml: duplicate pattern ids")
    return found


def all_patterns() -> tuple[Pattern, ...]:
    return tuple(p for family in FAMILIES for p in load(family))


def by_id(pattern_id: str) -> Pattern:
    """The pattern of a rule id (as found in evidence)."""
    for p in all_patterns():
        if p.id == pattern_id:
            return p
    raise KeyError(pattern_id)


# A handler returns the facts it found (a list, maybe empty: the pattern applied), or None: not applicable.
Handler = Callable[..., list | None]
_HANDLERS: dict[str, Handler] = {}


def handler(name: str) -> Callable[[Handler], Handler]:
    """Register the function a pattern names as its ``handler``."""
    def register(fn: Handler) -> Handler:
        _HANDLERS[name] = fn
        return fn
    return register


_GATE = "kg.dependency-roots"


class Triggers:
    """The triggers of a family's patterns, matched with spaCy's Matcher and DependencyMatcher.

    Patterns with the same trigger share one matcher entry (the Matcher's cost grows with its
    entries, and many constructions start from the same word); the DependencyMatcher only runs on a
    Doc where the root of one of its patterns is found.
    """

    def __init__(self, vocab, patterns: tuple[Pattern, ...]) -> None:
        self.groups: dict[str, list[Pattern]] = {}  # matcher key -> the patterns with that trigger
        self.matcher = Matcher(vocab)
        self.dep_matcher = DependencyMatcher(vocab)
        keys: dict[str, str] = {}
        for p in patterns:
            if p.handler not in _HANDLERS:
                raise PatternError(f"patterns/{p.family}.yml: pattern {p.id!r}: no handler {p.handler!r}")
            if not p.triggers:
                raise PatternError(f"patterns/{p.family}.yml: pattern {p.id!r}: no trigger")
            dependency = "RIGHT_ID" in p.triggers[0][0]
            shape = srsly.json_dumps([dependency, p.triggers], sort_keys=True)
            if shape in keys:
                self.groups[keys[shape]].append(p)
                continue
            key = keys[shape] = f"{p.family}.trigger-{len(keys)}"
            self.groups[key] = [p]
            try:
                if dependency:
                    self.dep_matcher.add(key, [list(t) for t in p.triggers])
                    self.matcher.add(_GATE, [[t[0]["RIGHT_ATTRS"]] for t in p.triggers])
                else:
                    self.matcher.add(key, [list(t) for t in p.triggers])
            except Exception as err:  # spaCy's own pattern validation
                raise PatternError(f"patterns/{p.family}.yml: pattern {p.id!r}: {err}") from err

    def __call__(self, doc: Doc) -> list[tuple[Pattern, int]]:
        """(pattern, anchor token) of every match, by phase, anchor and the pattern's order."""
        strings = doc.vocab.strings
        found = set()
        gate = False
        for match_id, start, _end in self.matcher(doc):
            key = strings[match_id]
            if key == _GATE:
                gate = True
                continue
            for p in self.groups[key]:
                found.add((p.phase, start + p.anchor, p.order, p.id, key))
        for match_id, token_ids in self.dep_matcher(doc) if gate else ():
            key = strings[match_id]
            for p in self.groups[key]:
                found.add((p.phase, token_ids[p.anchor], p.order, p.id, key))
        by_id = {p.id: p for ps in self.groups.values() for p in ps}
        return [(by_id[pid], i) for _, i, _, pid, _ in sorted(found)]


@dataclass
class Context:
    """What the handlers of one Doc share: its mentions, title phrases, references and the family's state."""

    doc: Doc
    ms: Any  # kg.extract.entities.Mentions
    refs: Any = None  # kg.extract.refs.Referents
    state: dict = field(default_factory=dict)


def run(triggers: Triggers, ctx: Context) -> list:
    """Facts of every triggered pattern: per anchor, those of the first pattern whose handler applies.

    A handler returns None when the construction is not there, else the facts it reads (maybe none).
    """
    out: list = []
    claimed: set[int] = set()
    doc = ctx.doc
    for p, i in triggers(doc):
        if i in claimed:
            continue
        facts = _HANDLERS[p.handler](ctx, doc[i], p, **p.args)
        if facts is not None:
            claimed.add(i)
            out += facts
    return out
