"""A self-contained HTML report of a graph: a network of actors, entity panels, facts with their sentences.

The page data comes from the packaged SPARQL queries (kg/report/templates/sparql/report_*.rq), run by
pyoxigraph over a copy of the graph; the network is drawn by vis-network, whose standalone bundle is
read from the installed pyvis package and inlined, so the file works offline. The page filters the
data itself (kg/report/templates/report.html): the network starts with the best-connected actors and
the panels page their lists, so a graph of thousands of articles stays readable.
"""
from __future__ import annotations

import html
import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph

from kg.graph.vocab import RESOURCE_BASE
from kg.packaged import report_query, template_file
from kg.records import EntityType
from kg.report.stats import format_stats, graph_stats

VIS_VERSION = "9.1.2"


class FactKind(str, Enum):
    POSITION = "position"
    MANDATE = "mandate"
    MEETING = "meeting"
    STATEMENT = "statement"


AGENT_TYPES = tuple(t.value for t in EntityType if t.info.agent)  # the network's nodes
TYPES = tuple(t.value for t in EntityType)
KINDS = tuple(k.value for k in FactKind)
EDGE_KINDS = ("meeting", "envoy")
_SHAPE = {t.value: t.info.shape for t in EntityType}
NO_STATE = "(no state)"
# Colours of the 24 states with most actors (Tableau 10, d3 category 10, a few more); the rest share one.
PALETTE = ("#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7",
           "#9c755f", "#17becf", "#bcbd22", "#8c564b", "#1f77b4", "#d62728", "#2ca02c", "#9467bd",
           "#e377c2", "#7f7f7f", "#393b79", "#637939", "#8c6d31", "#843c39", "#7b4173", "#3182bd")
OTHER_COLOR, NO_STATE_COLOR = "#a7a9ac", "#d9d9d9"


def vis_network_js() -> str:
    """The minified standalone vis-network bundle shipped inside the pyvis package."""
    import pyvis

    path = Path(pyvis.__file__).parent / "lib" / f"vis-{VIS_VERSION}" / "vis-network.min.js"
    if not path.is_file():
        raise FileNotFoundError(f"{path}: vis-network {VIS_VERSION} not found in the installed pyvis package")
    return path.read_text(encoding="utf-8")


def short_id(iri: str) -> str:
    """A readable id for the page: the IRI without the resource base ("person/jean-dupont")."""
    return iri[len(RESOURCE_BASE):] if iri.startswith(RESOURCE_BASE) else iri


def query_store(g: Graph | ox.Store) -> ox.Store:
    """``g`` as a pyoxigraph store (an in-memory copy of an rdflib graph): its SPARQL engine answers the
    report's queries over a graph of thousands of articles in seconds, where rdflib's takes minutes."""
    if isinstance(g, ox.Store):
        return g
    store = ox.Store()
    store.bulk_load(g.serialize(format="nt", encoding="utf-8"), ox.RdfFormat.N_TRIPLES)
    return store


def _rows(store: ox.Store, name: str) -> list[dict[str, str]]:
    # .value is the lexical form: a label tagged @fr compares and prints as the plain one.
    res = store.query(report_query(name))
    assert isinstance(res, ox.QuerySolutions), name
    names = [v.value for v in res.variables]
    return [{k: term.value for k in names if (term := sol[k]) is not None} for sol in res]


@lru_cache(maxsize=1 << 16)
def _regex(term: str) -> re.Pattern:
    # Compiled once per term: a report of thousands of articles looks for the same names in tens of
    # thousands of sentences, far more patterns than the re module's own cache holds.
    return re.compile(_pattern(term), re.IGNORECASE)


def _pattern(term: str) -> str:
    # Sentences may keep typographic apostrophes and hyphens that labels write plainly, or the reverse.
    parts = []
    for ch in term:
        if ch in "'’":
            parts.append("['’]")
        elif ch in "-‐‑–":
            parts.append("[-‐‑–]")
        elif ch.isspace():
            parts.append(r"\s+")
        else:
            parts.append(re.escape(ch))
    return "".join(parts)


def highlight_spans(sentence: str, terms: list[str]) -> list[list[int]]:
    """Sorted, merged [start, end) character ranges of ``sentence`` where any of ``terms`` occurs."""
    spans = []
    for term in {t.strip() for t in terms if t and len(t.strip()) >= 2}:
        spans += [[m.start(), m.end()] for m in _regex(term).finditer(sentence)]
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return merged


@dataclass
class _Fact:
    kind: FactKind
    text: str
    actors: list[str]  # entity ids the fact is about, shown as links and used to list it in their panels
    terms: list[str]  # words to highlight in the evidence sentences
    planned: bool = False
    date: str | None = None  # when the graph says (a meeting's dip:date)


def report_data(g: Graph | ox.Store) -> dict:
    """Everything the page shows, read from ``g`` with SPARQL: entities, facts, evidence, nodes and edges."""
    store = query_store(g)
    entities: dict[str, dict] = {}
    for row in _rows(store, "report_entities"):
        eid = short_id(row["entity"])
        entities.setdefault(eid, {"id": eid, "type": row["type"].rsplit("#", 1)[-1], "label": row["label"],
                                  "aliases": [], "facts": []})
    for row in _rows(store, "report_aliases"):
        ent = entities.get(short_id(row["entity"]))
        if ent is not None and row["alias"] not in ent["aliases"] and row["alias"] != ent["label"]:
            ent["aliases"].append(row["alias"])
    part_of = {short_id(r["entity"]): short_id(r["state"]) for r in _rows(store, "report_part_of")}

    def label(eid: str) -> str:
        return entities[eid]["label"] if eid in entities else eid

    def names(eid: str) -> list[str]:
        ent = entities.get(eid)
        return [ent["label"], *ent["aliases"]] if ent else []

    facts: dict[str, _Fact] = {}
    affiliation: dict[str, list[str]] = defaultdict(list)  # person -> states or organizations, best first

    for row in _rows(store, "report_positions"):
        fid, holder, org = short_id(row["fact"]), short_id(row["holder"]), row.get("org") and short_id(row["org"])
        text = row["title"] + (f" — {label(org)}" if org else "")
        facts[fid] = _Fact(FactKind.POSITION, text, [holder] + ([org] if org else []),
                           [row["title"], *names(holder), *(names(org) if org else [])])
        if org:
            affiliation[holder].append(org)

    mandates: dict[str, dict] = {}
    for row in _rows(store, "report_mandates"):
        m = mandates.setdefault(short_id(row["fact"]), {"envoy": short_id(row["envoy"]),
                                                         "principal": short_id(row["principal"]), "titles": []})
        if "title" in row and row["title"] not in m["titles"]:
            m["titles"].append(row["title"])
    for fid, m in mandates.items():
        titles = ", ".join(m["titles"]) or "envoy"
        facts[fid] = _Fact(FactKind.MANDATE, f"{label(m['envoy'])} ({titles}) — envoy of {label(m['principal'])}",
                           [m["envoy"], m["principal"]], [*m["titles"], *names(m["envoy"]), *names(m["principal"])])
        affiliation[m["envoy"]].append(m["principal"])

    meetings: dict[str, dict] = {}
    for row in _rows(store, "report_meetings"):
        m = meetings.setdefault(short_id(row["fact"]), {"planned": row["planned"] == "true", "people": [],
                                                         "place": row.get("location") and short_id(row["location"]),
                                                         "date": row.get("date")})
        if (p := short_id(row["participant"])) not in m["people"]:
            m["people"].append(p)
    for fid, m in meetings.items():
        text = ("planned: " if m["planned"] else "") + " · ".join(label(p) for p in m["people"])
        text += (f" — in {label(m['place'])}" if m["place"] else "") + (f" — {m['date']}" if m["date"] else "")
        places = [m["place"]] if m["place"] else []
        facts[fid] = _Fact(FactKind.MEETING, text, m["people"] + places,
                           [n for p in m["people"] + places for n in names(p)], planned=m["planned"], date=m["date"])

    for row in _rows(store, "report_statements"):
        fid, speaker = short_id(row["fact"]), short_id(row["speaker"])
        quoted = row.get("quoted") == "true"
        text = f"{label(speaker)}: " + (f"« {row['content']} »" if quoted else row["content"])
        facts[fid] = _Fact(FactKind.STATEMENT, text, [speaker], [row["content"], *names(speaker)])

    evidence: dict[str, dict[str, dict]] = defaultdict(dict)  # fact -> evidence IRI -> its row, once each
    for row in _rows(store, "report_evidence"):
        fid = short_id(row["fact"])
        if row["evidence"] in evidence[fid]:
            continue  # another spelling (language tag) of a headline or a file name: the same evidence
        fact = facts.get(fid)
        evidence[fid][row["evidence"]] = {
            "sentence": row["sentence"],
            "marks": highlight_spans(row["sentence"], fact.terms if fact else []),
            "article": short_id(row["article"]), "file": row.get("file"), "url": row.get("url"),
            "headline": row.get("headline"), "date": row.get("published"),
            "begin": int(row["begin"]) if "begin" in row else None,
            "end": int(row["end"]) if "end" in row else None,
            "rule": row.get("rule"), "confidence": float(row["confidence"]) if "confidence" in row else None,
        }

    for fid, fact in facts.items():
        for eid in dict.fromkeys(fact.actors):
            if eid in entities:
                entities[eid]["facts"].append(fid)

    def group(eid: str) -> str:
        """The state an actor belongs to, for its colour: itself, its organization's state, or its principal's."""
        ent = entities.get(eid, {})
        if ent.get("type") == "State":
            return ent["label"]
        for other in [part_of.get(eid), *affiliation.get(eid, [])]:
            if other and entities.get(other, {}).get("type") == "State":
                return label(other)
            if other and entities.get(part_of.get(other, ""), {}).get("type") == "State":
                return label(part_of[other])
        return NO_STATE

    edges: dict[tuple[str, str, str], dict] = {}
    for fid, m in meetings.items():
        people = m["people"]
        for i, a in enumerate(people):
            for b in people[i + 1:]:
                key = ("meeting", *sorted((a, b)))
                edge = edges.setdefault(key, {"id": "|".join(key), "from": key[1], "to": key[2], "kind": "meeting",
                                              "planned": True, "facts": []})
                edge["planned"] = edge["planned"] and m["planned"]
                edge["facts"].append(fid)
    for fid, m in mandates.items():
        key = ("envoy", m["envoy"], m["principal"])
        edges.setdefault(key, {"id": "|".join(key), "from": m["envoy"], "to": m["principal"], "kind": "envoy",
                               "planned": False, "facts": []})["facts"].append(fid)

    node_ids = {eid for eid, e in entities.items() if e["type"] in AGENT_TYPES}
    node_ids |= {e[k] for e in edges.values() for k in ("from", "to") if e[k] in entities}
    for ent in entities.values():
        ent["group"] = group(ent["id"])
    nodes = [{"id": eid, "label": entities[eid]["label"], "group": entities[eid]["group"],
              "shape": _SHAPE[entities[eid]["type"]], "title": f"{entities[eid]['type']} · {entities[eid]['group']}"}
             for eid in sorted(node_ids)]
    return {
        "entities": entities,
        "facts": {fid: {"id": fid, "kind": f.kind.value, "planned": f.planned, "date": f.date, "text": f.text,
                        "actors": list(dict.fromkeys(f.actors)), "evidence": list(evidence.get(fid, {}).values())}
                  for fid, f in facts.items()},
        "nodes": nodes,
        "edges": [e for e in edges.values() if e["from"] in node_ids and e["to"] in node_ids],
        "colors": group_colors(entities[n]["group"] for n in node_ids),
        "stats": format_stats(graph_stats(store)),
    }


def group_colors(groups: Iterable[str]) -> dict[str, str]:
    """A colour for each of the states with most actors; the others share OTHER_COLOR (NO_STATE its own)."""
    counts = Counter(g for g in groups if g != NO_STATE)
    ranked = sorted(counts, key=lambda g: (-counts[g], g))
    return {g: c for g, c in zip(ranked, PALETTE)} | {NO_STATE: NO_STATE_COLOR}


def page_data(data: dict) -> dict:
    """``data`` packed for the page: entities, facts, articles, sentences and rules as lists referred to
    by index, evidence as short rows; 3,000 articles stay a few megabytes. The page unpacks it."""
    entity_ids = list(data["entities"])
    entity_ix = {eid: i for i, eid in enumerate(entity_ids)}
    fact_ids = list(data["facts"])
    fact_ix = {fid: i for i, fid in enumerate(fact_ids)}
    articles: dict[str, int] = {}
    article_rows: list[list] = []
    sentences: dict[str, int] = {}
    rules: dict[str, int] = {}
    groups = {g: i for i, g in enumerate(dict.fromkeys([NO_STATE, *data["colors"],
                                                         *(e["group"] for e in data["entities"].values())]))}

    def article(ev: dict) -> int:
        if ev["article"] not in articles:
            articles[ev["article"]] = len(article_rows)
            article_rows.append([ev["file"], ev["url"], ev["headline"], ev["date"]])
        return articles[ev["article"]]

    facts = []
    for fid in fact_ids:
        f = data["facts"][fid]
        evidence = [[sentences.setdefault(ev["sentence"], len(sentences)), ev["marks"], article(ev), ev["begin"],
                     ev["end"], rules.setdefault(ev["rule"] or "?", len(rules)), ev["confidence"]]
                    for ev in f["evidence"]]
        facts.append([fid, KINDS.index(f["kind"]), int(f["planned"]), f["date"], f["text"],
                      [entity_ix[a] for a in f["actors"] if a in entity_ix], evidence])
    return {
        "types": list(TYPES),
        "kinds": list(KINDS),
        "groups": list(groups),
        "colors": data["colors"],
        "entities": [[e["id"], TYPES.index(e["type"]), e["label"], e["aliases"], groups[e["group"]]]
                     for e in (data["entities"][eid] for eid in entity_ids)],
        "facts": facts,
        "edges": [[entity_ix[e["from"]], entity_ix[e["to"]], EDGE_KINDS.index(e["kind"]),
                   [fact_ix[f] for f in e["facts"]]] for e in data["edges"]],
        "articles": article_rows,
        "sentences": list(sentences),
        "rules": list(rules),
        "stats": data["stats"],
    }


def _script_json(data: dict) -> str:
    # "</" would end the <script> element early; "<\/" is the same string to JSON.
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")


def render_report(g: Graph | ox.Store, *, title: str) -> str:
    """The report page of ``g`` as one HTML string with everything inlined."""
    return render_page(report_data(g), title=title)


def render_page(data: dict, *, title: str) -> str:
    """The page of report_data's ``data``, with everything inlined."""
    template = template_file("report.html").read_text(encoding="utf-8")
    js = vis_network_js()
    if "</script" in js.lower():
        raise ValueError(f"vis-network {VIS_VERSION}: bundle contains '</script' and cannot be inlined")
    fill = {"{{TITLE}}": html.escape(title), "/*KG:DATA*/": _script_json(page_data(data)),
            "/*KG:OTHER*/": json.dumps(OTHER_COLOR), "/*KG:VIS*/": js}
    # One pass over the template: a marker inside a title, a sentence or the library stays as it is.
    return re.sub("|".join(map(re.escape, fill)), lambda m: fill[m.group(0)], template)


def write_report(g: Graph | ox.Store, path: Path, *, title: str) -> int:
    """Write the report of ``g`` to ``path``; returns its size in bytes."""
    page = render_report(g, title=title)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(page, encoding="utf-8")
    return len(page.encode("utf-8"))
