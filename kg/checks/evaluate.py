"""Score a graph against gold annotations (JSON Lines, described in shared/eval/GOLD-SCHEMA.md).

The figures are those of the reference scorer, shared/eval/score.py: graph nodes are matched to gold
entities by their normalised labels; predicted facts are read through the public shortcuts
(dip:envoyOf, dip:metWith, dip:stated); a prediction is a true positive when it matches a required or
an optional gold fact; recall counts required facts; facts are pooled over the corpus. On top of
them: precision per rule id, read from the evidence of each fact, and figures per group of documents.
"""
from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from itertools import combinations
from pathlib import Path
from typing import NamedTuple

from rdflib import RDF, RDFS, Graph, Literal
from rdflib.namespace import FOAF, SDO, SKOS
from rdflib.term import Node

from kg.graph import iri
from kg.graph.vocab import DIP

CORE = ("envoy_of", "met_with", "stated")
# The predicates score.py reads names from, in its order (the first one gives the label shown).
NAME_PREDICATES = (RDFS.label, SKOS.prefLabel, SKOS.altLabel, SDO.name, FOAF.name)
# Fields a gold line needs to be scored (holds_role and other relations are not scored).
_FIELDS = {"entity": ("id", "type", "names"), "fact": ("rel", "status"),
           "envoy_of": ("subj", "obj"), "met_with": ("a", "b"), "stated": ("speaker", "key")}
NO_RULE = "(none)"


class EvalError(ValueError):
    """An input the scorer cannot read; the message names the file (and the line when known)."""


def norm(text: object) -> str:
    """Case, accents and punctuation folded: 'Sergueï  Ivanov,' -> 'serguei ivanov'."""
    text = unicodedata.normalize("NFKD", str(text))
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return " ".join(re.sub(r"[\W_]+", " ", text).split())


def _alternatives(value) -> frozenset:
    return frozenset(value if isinstance(value, list) else [value])


def fact_key(fact: dict) -> tuple:
    """What identifies a gold fact across documents (the same fact stated by two articles is one)."""
    rel = fact["rel"]
    if rel == "envoy_of":
        return (rel, fact["subj"], _alternatives(fact["obj"]))
    if rel == "met_with":
        return (rel, frozenset([_alternatives(fact["a"]), _alternatives(fact["b"])]))
    return (rel, fact["speaker"], norm(fact["key"]))


@dataclass(frozen=True)
class Gold:
    """Gold entities by id, and the core facts of each relation grouped by key (one per document)."""

    entities: dict[str, dict]
    facts: dict[str, dict[tuple, list[dict]]]
    by_name: dict[str, set[str]]

    @property
    def docs(self) -> set[str]:
        return {f.get("doc", "") for keys in self.facts.values() for fs in keys.values() for f in fs}


def read_gold(path: Path) -> Gold:
    """Read a gold JSON Lines file, or raise EvalError naming the file and line."""
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise EvalError(f"{path}: cannot read ({err.strerror})") from None
    entities: dict[str, dict] = {}
    facts: dict[str, defaultdict[tuple, list[dict]]] = {rel: defaultdict(list) for rel in CORE}
    for n, line in enumerate(raw.split(b"\n"), 1):
        try:
            item = json.loads(line.decode("utf-8")) if line.strip() else None
        except UnicodeDecodeError:
            raise EvalError(f"{path}: line {n}: not UTF-8") from None
        except json.JSONDecodeError as err:
            raise EvalError(f"{path}: line {n}: bad JSON ({err.msg} at column {err.colno})") from None
        if item is None:
            continue
        kind = item.get("kind") if isinstance(item, dict) else None
        if kind not in ("entity", "fact"):
            raise EvalError(f"{path}: line {n}: not an entity or fact object")
        needed = _FIELDS[kind] + (_FIELDS.get(item.get("rel"), ()) if kind == "fact" else ())
        if missing := [k for k in needed if k not in item]:
            raise EvalError(f"{path}: line {n}: {kind} without {', '.join(map(repr, missing))}")
        if kind == "entity":
            entities[item["id"]] = item
        elif item["rel"] in CORE:
            facts[item["rel"]][fact_key(item)].append(item)
    by_name = defaultdict(set)
    for ent in entities.values():
        for name in ent["names"]:
            by_name[norm(name)].add(ent["id"])
    return Gold(entities, {rel: dict(keys) for rel, keys in facts.items()}, dict(by_name))


@dataclass(frozen=True)
class Support:
    """One rule's evidence for a predicted fact: the rule id, the article's doc id, the sentence."""

    rule: str
    doc: str
    sentence: str


@dataclass
class Prediction:
    """A predicted fact of one relation, the gold keys it matches and the evidence behind it."""

    rel: str
    shown: str
    support: list[Support]
    hits: set[tuple] = field(default_factory=set)

    @property
    def rules(self) -> set[str]:
        return {s.rule for s in self.support} or {NO_RULE}


class Counts(NamedTuple):
    predicted: int
    tp: int
    required: int
    recalled: int

    def figures(self) -> dict:
        """Precision, recall and F1 rounded as score.py rounds them, with the two totals."""
        p = self.tp / self.predicted if self.predicted else 0.0
        r = self.recalled / self.required if self.required else 0.0
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        return {"precision": round(p, 3), "recall": round(r, 3), "f1": round(f1, 3),
                "predicted": self.predicted, "required": self.required}


def _sum(counts) -> Counts:
    return Counts(*(sum(c) for c in zip(*counts)))


class _Reader:
    """The graph as the scorer sees it: node names as gold ids, predicted facts with their evidence."""

    def __init__(self, g: Graph, gold: Gold):
        self.g, self.gold = g, gold
        self._ids: dict[Node, set[str]] = {}
        # The builder mints an article's IRI from its doc id, which is also right for articles read
        # from JSON Lines (whose file name is the .jsonl's); other articles go by their file's stem.
        minted: dict[Node, str] = {iri.article_iri(doc): doc for doc in gold.docs}
        self.doc_of: dict[Node, str] = {}
        for art in set(g.objects(None, DIP.article)) | set(g.subjects(RDF.type, DIP.Article)):
            name = g.value(art, DIP.fileName)
            stem = Path(str(name)).stem if name else str(art).rsplit("/", 1)[-1]
            self.doc_of[art] = minted.get(art, stem)

    def ids(self, node) -> set[str]:
        if node not in self._ids:
            self._ids[node] = {i for p in NAME_PREDICATES for name in self.g.objects(node, p)
                               for i in self.gold.by_name.get(norm(name), ())}
        return self._ids[node]

    def label(self, node) -> str:
        return next((str(name) for p in NAME_PREDICATES for name in self.g.objects(node, p)), str(node))

    def support(self, facts) -> list[Support]:
        found = set()
        for fact in facts:
            for ev in self.g.objects(fact, DIP.evidence):
                art = self.g.value(ev, DIP.article)
                doc = self.doc_of.get(art, "") if art is not None else ""
                sentence = str(self.g.value(ev, DIP.sentence) or "")
                rules = {str(rule) for rule in self.g.objects(ev, DIP.rule)} or {NO_RULE}
                found |= {Support(rule, doc, sentence) for rule in rules}
        return sorted(found, key=lambda s: (s.doc, s.rule, s.sentence))

    def predictions(self) -> dict[str, list[Prediction]]:
        """The facts of the three core relations, each matched against every gold key of its relation."""
        g, gold = self.g, self.gold
        # The shortcuts carry no evidence: it hangs on the Mandate, Meeting or Statement behind them.
        mandates: defaultdict[tuple[Node, Node], set[Node]] = defaultdict(set)
        meetings: defaultdict[frozenset[Node], set[Node]] = defaultdict(set)
        for node, envoy in g.subject_objects(DIP.envoy):
            for principal in g.objects(node, DIP.principal):
                mandates[envoy, principal].add(node)
        for node in set(g.subjects(DIP.participant, None)):
            planned = g.value(node, DIP.planned)
            if not (isinstance(planned, Literal) and planned.toPython() is True):  # planned meetings make no metWith
                for two in combinations(set(g.objects(node, DIP.participant)), 2):
                    meetings[frozenset(two)].add(node)
        found: dict[str, list[Prediction]] = {rel: [] for rel in CORE}
        for s, o in set(g.subject_objects(DIP.envoyOf)):
            hits = _matching(gold.facts["envoy_of"],
                             lambda f, s=s, o=o: f["subj"] in self.ids(s) and self.ids(o) & _alternatives(f["obj"]))
            found["envoy_of"].append(Prediction("envoy_of", f"{self.label(s)} envoyOf {self.label(o)}",
                                                self.support(mandates[s, o]), hits))
        for pair in {frozenset([a, b]) for a, b in g.subject_objects(DIP.metWith)}:
            a, b = (sorted(pair, key=str) * 2)[:2]  # a node said to meet itself is a pair of one
            hits = _matching(gold.facts["met_with"], lambda f, a=a, b=b: _meet(self.ids(a), self.ids(b), f))
            found["met_with"].append(Prediction("met_with", f"{self.label(a)} metWith {self.label(b)}",
                                                self.support(meetings[pair]), hits))
        for speaker, st in set(g.subject_objects(DIP.stated)):
            shown = " | ".join(str(c) for c in g.objects(st, DIP.content))
            words = norm(shown)
            hits = _matching(gold.facts["stated"],
                             lambda f, sp=speaker, w=words: f["speaker"] in self.ids(sp) and norm(f["key"]) in w)
            found["stated"].append(Prediction("stated", f"{self.label(speaker)} stated «{shown[:120]}»",
                                              self.support([st]), hits))
        return {rel: sorted(preds, key=lambda p: p.shown) for rel, preds in found.items()}

    def persons(self) -> dict:
        """Person nodes against gold persons, with the gold persons split across nodes and the merges."""
        person_ids = {i for i, e in self.gold.entities.items() if e["type"] == "Person"}
        required = {i for i in person_ids if self.gold.entities[i].get("status") != "optional"}
        nodes = set(self.g.subjects(RDF.type, DIP.Person))
        per_gold, wrong, merged = defaultdict(set), [], []
        for node in nodes:
            hit = self.ids(node) & person_ids
            for i in hit:
                per_gold[i].add(node)
            if not hit:
                wrong.append(self.label(node))
            if len(hit) > 1:
                merged.append(f"{self.label(node)} -> {sorted(hit)}")
        splits = {i: sorted(self.label(n) for n in ns) for i, ns in sorted(per_gold.items()) if len(ns) > 1}
        found = required & set(per_gold)
        return {"counts": Counts(len(nodes), len(nodes) - len(wrong), len(required), len(found)),
                "wrong": sorted(wrong), "missed": sorted(required - found), "splits": splits,
                "merged": sorted(merged)}


def _matching(keys: dict[tuple, list[dict]], test) -> set[tuple]:
    """The gold keys whose facts pass ``test`` (facts of one key all pass or all fail: any one serves)."""
    return {k for k, facts in keys.items() if test(facts[0])}


def _meet(a: set[str], b: set[str], fact: dict) -> bool:
    fa, fb = _alternatives(fact["a"]), _alternatives(fact["b"])
    return bool((a & fa and b & fb) or (a & fb and b & fa))


def _count(preds: list[Prediction], keys: dict[tuple, list[dict]], docs: set[str] | None = None) -> Counts:
    """Predictions against gold keys; ``docs`` keeps only the predictions with evidence in those
    documents and the gold facts of those documents (None: the whole corpus)."""
    if docs is not None:
        preds = [p for p in preds if any(s.doc in docs for s in p.support)]
        keys = {k: kept for k, fs in keys.items() if (kept := [f for f in fs if f.get("doc", "") in docs])}
    required = {k for k, fs in keys.items() if any(f["status"] == "required" for f in fs)}
    tp = sum(1 for p in preds if p.hits & keys.keys())
    recalled = set().union(*(p.hits for p in preds)) & required
    return Counts(len(preds), tp, len(required), len(recalled))


@dataclass
class Report:
    """What `kg eval` prints: score.py's figures, precision per rule id, figures per group, errors."""

    figures: dict[str, dict]
    rules: dict[str, dict]
    groups: dict[str, dict[str, dict]]
    missed: list[tuple[str, dict]]
    wrong: list[Prediction]
    persons: dict

    def as_json(self, *, errors: bool = False) -> dict:
        out = dict(self.figures, rules=self.rules)
        if self.groups:
            out["groups"] = self.groups
        if errors:
            out["errors"] = {
                "missed": [{"relation": rel, "fact": f} for rel, f in self.missed],
                "wrong": [{"relation": p.rel, "fact": p.shown, "rules": sorted(p.rules),
                           "evidence": [asdict(s) for s in p.support]} for p in self.wrong],
                "persons": {k: self.persons[k] for k in ("missed", "wrong", "splits", "merged")}}
        return out


def evaluate(gold: Gold, g: Graph, *, group: str | None = None) -> Report:
    """Score ``g`` against ``gold``; ``group`` is a regex whose first match on a doc id (its group 1
    when it has one) names the document's group."""
    try:
        pattern = re.compile(group) if group is not None else None
    except re.error as err:
        raise EvalError(f"--group: bad regular expression {group!r}: {err}") from None
    reader = _Reader(g, gold)
    preds = reader.predictions()
    counts = {rel: _count(preds[rel], gold.facts[rel]) for rel in CORE}
    persons = reader.persons()
    counts["persons"], counts["core"] = persons["counts"], _sum(counts[rel] for rel in CORE)
    figures = {name: c.figures() for name, c in counts.items()}
    figures["persons"].update(split=sum(len(v) - 1 for v in persons["splits"].values()),
                              merged=len(persons["merged"]))

    every = [p for rel in CORE for p in preds[rel]]
    by_rule: Counter[str] = Counter()
    right: Counter[str] = Counter()
    for p in every:  # a fact found by several rules counts for each of them
        by_rule.update(p.rules)
        right.update(p.rules if p.hits else ())
    rules = {r: {"predicted": n, "tp": right[r], "precision": round(right[r] / n, 3)}
             for r, n in sorted(by_rule.items())}

    groups = {}
    if pattern is not None:
        members = defaultdict(set)
        for doc in gold.docs | set(reader.doc_of.values()):
            if (m := pattern.search(doc)) and (name := m.group(1 if pattern.groups else 0)) is not None:
                members[name].add(doc)
        for name, docs in sorted(members.items()):
            per_rel = {rel: _count(preds[rel], gold.facts[rel], docs) for rel in CORE}
            per_rel["core"] = _sum(per_rel.values())
            groups[name] = {rel: c.figures() for rel, c in per_rel.items()}

    recalled = {rel: set().union(*(p.hits for p in preds[rel])) for rel in CORE}
    missed = [(rel, next(f for f in fs if f["status"] == "required"))
              for rel in CORE for k, fs in gold.facts[rel].items()
              if k not in recalled[rel] and any(f["status"] == "required" for f in fs)]
    wrong = [p for p in every if not p.hits]
    return Report(figures, rules, groups, missed, wrong, persons)


def _table(head: list[str], rows: list[list], *, labels: int = 1) -> list[str]:
    """Rows under ``head``: the first ``labels`` columns left-aligned, numbers right-aligned (fractions
    with 3 decimals)."""
    cells = [[f"{v:.3f}" if isinstance(v, float) else str(v) for v in row] for row in rows]
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(head)]

    def line(values: list[str]) -> str:
        return "  ".join(v.ljust(w) if i < labels else v.rjust(w)
                         for i, (v, w) in enumerate(zip(values, widths))).rstrip()

    return [line(head)] + [line(r) for r in cells]


def format_text(report: Report, *, errors: bool = False) -> str:
    """The report as plain text: figures, rules, groups, then (with ``errors``) misses and false positives."""
    out = _table(["", "P", "R", "F1", "predicted", "required"],
                 [[name, f["precision"], f["recall"], f["f1"], f["predicted"], f["required"]]
                  for name, f in report.figures.items()])
    pr = report.figures["persons"]
    out += [f"persons split across IRIs: {pr['split']}, nodes merging several persons: {pr['merged']}", ""]
    out += _table(["rule", "facts", "TP", "P"],
                  [[r, f["predicted"], f["tp"], f["precision"]] for r, f in report.rules.items()])
    if report.groups:
        out += [""] + _table(["group", "relation", "P", "R", "F1", "predicted", "required"],
                             [[name, rel, f["precision"], f["recall"], f["f1"], f["predicted"], f["required"]]
                              for name, rels in report.groups.items() for rel, f in rels.items()], labels=2)
    if errors:
        out.append("")
        for rel, fact in report.missed:
            out.append(f"MISSED {rel}: {json.dumps(fact, ensure_ascii=False)}")
            out.append(f"  {fact.get('doc', '')} « {fact.get('evidence', '')} »")
        for p in report.wrong:
            out.append(f"WRONG  {p.rel}: {p.shown}  [{', '.join(sorted(p.rules))}]")
            out += [f"  {s.doc} [{s.rule}] « {s.sentence} »" for s in p.support]
        persons = report.persons
        out += [f"MISSED persons: {i}" for i in persons["missed"]]
        out += [f"WRONG  persons: {label}" for label in persons["wrong"]]
        out += [f"SPLIT  {i}: {labels}" for i, labels in persons["splits"].items()]
        out += [f"MERGED {shown}" for shown in persons["merged"]]
    return "\n".join(out)
