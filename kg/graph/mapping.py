"""The only place that turns records into RDF triples.

Triples are written straight to N-Triples lines (kg/graph/triples.py): building rdflib terms and
adding them to a Graph cost more than the rest of the build after parsing. Formats and the stores
read the lines through pyoxigraph, the build summary counts them (kg/report/stats.py); ``graph_of``
gives an rdflib Graph to those who want one.

Every fact is written twice over: in the dip: vocabulary (the public contract) and, where a standard
term exists, in PROV-O, schema.org, ORG, SKOS and NIF, so that a user of those finds the data without
a reasoner (the README has the table). Natural-language literals carry the article's language tag.
"""
from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from itertools import combinations
from urllib.parse import quote

from rdflib import OWL, RDF, RDFS, XSD, Graph, URIRef

from kg.graph import iri
from kg.graph.links import authority_key, lexicon_links
from kg.graph.resolve import Corpus
from kg.graph.triples import SPILL_LINES, Keep, Triples
from kg.graph.vocab import DCAT, DCTERMS, DIP, ID, NIF, ORG, PROV, SDO, SKOS, VOID, WD, WDT
from kg.lang.names import fold
from kg.records import Article, EntityKey, EntityType, Evidence, Mandate, Meeting, Position, Statement

__all__ = ["PREFIXES", "SINGLE", "BuildInfo", "Keep", "Triples", "description_nodes", "graph_of", "new_graph",
           "to_graph", "to_triples", "without_description"]

_CLASS = {t.value: DIP[t.value] for t in EntityType}
# The standard classes each kind of entity is also typed with.
_STANDARD_CLASSES = {"Person": (SDO.Person,), "State": (SDO.Country, ORG.Organization),
                     "Organization": (ORG.Organization, SDO.Organization), "Place": (SDO.Place,)}
# Prefixes a built graph is bound to (rdflib's own rdf, rdfs, xsd, owl come with every Graph).
PREFIXES = {"dip": DIP._NS, "skos": SKOS._NS, "id": ID, "prov": PROV._NS, "schema": SDO._NS, "org": ORG._NS,
            "nif": NIF._NS, "void": VOID._NS, "dcat": DCAT._NS, "dcterms": DCTERMS._NS, "wd": WD, "wdt": WDT}
# Looked up once: rdflib checks every attribute access on its namespaces (RDF.type, XSD.date...).
_TYPE, _LABEL, _ALT_LABEL, _SAME_AS = RDF.type, RDFS.label, SKOS.altLabel, OWL.sameAs
_BOOLEAN, _STRING, _DATE, _DECIMAL, _DATE_TIME = XSD.boolean, XSD.string, XSD.date, XSD.decimal, XSD.dateTime
_ANY_URI, _NON_NEGATIVE = XSD.anyURI, XSD.nonNegativeInteger
_NAME, _TEXT, _SCHEMA_SAME_AS, _MENTIONS = SDO.name, SDO.text, SDO.sameAs, SDO.mentions
_DERIVED, _SOURCE, _INFLUENCED = PROV.wasDerivedFrom, PROV.hadPrimarySource, PROV.wasInfluencedBy
# Wikidata's direct properties for the ISO 3166-1 alpha-2 and alpha-3 codes.
_ISO_ALPHA2, _ISO_ALPHA3 = WDT.P297, WDT.P298
# The language of the lexicons, and so of the entities' labels.
LABEL_LANGUAGE = "fr"
# The properties of a fact with one value although several articles report it: the words of a
# statement (any one spelling of them, the same in both vocabularies), whether any article quoted
# them, the best confidence ("true" sorts after "false", and confidences, in [0, 1], sort as their
# decimal forms do).
SINGLE = {DIP.content: Keep.LEAST, _TEXT: Keep.LEAST, DIP.quoted: Keep.GREATEST, DIP.confidence: Keep.GREATEST}


@dataclass(frozen=True)
class BuildInfo:
    """What the dataset description of a build says about it (``kg build``)."""

    timestamp: datetime  # the build time: --timestamp, SOURCE_DATE_EPOCH or the clock
    software_version: str
    extractor_version: str
    skipped: int = 0  # inputs skipped by this build


def new_graph() -> Graph:
    g = Graph()
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns)
    return g


def graph_of(triples: Triples) -> Graph:
    """An rdflib Graph holding ``triples``, with the builder's prefixes."""
    return new_graph().parse(data=triples.ntriples(), format="nt")


class _Mapper:
    def __init__(self, corpus: Corpus, *, spill: int, authorities: dict[str, tuple[URIRef, ...]] | None):
        self.corpus = corpus
        self.triples = Triples(single=SINGLE, spill=spill)
        self.authorities = authorities or {}
        labels = {gid: (e.type.value, e.label) for gid, e in corpus.entities.items()}
        slugs = iri.entity_slugs(labels)
        self.entity_iri = {gid: iri.entity_iri(e.type.value, slugs[gid]) for gid, e in corpus.entities.items()}
        # the lexicon entry of each entity that has one (resolution merges the entities of one entry)
        self.lexicon_id = {corpus.key_map[(d.article.doc_id, e.key)]: e.lexicon_id
                           for d in corpus.docs for e in d.entities if e.lexicon_id}
        self.rules: set[str] = set()

    def run(self) -> Triples:
        for doc in self.corpus.docs:
            self.article(doc.article)
        for gid, ent in sorted(self.corpus.entities.items()):
            self.entity(gid, ent)
        for doc in self.corpus.docs:
            for fact in doc.facts:
                self.fact(doc.article, fact)
        for rule in sorted(self.rules):
            self.triples.link(_rule_iri(rule), _TYPE, PROV.Plan)
            self.triples.value(_rule_iri(rule), _NAME, rule)
        return self.triples

    def ref(self, doc_id: str, key: EntityKey) -> URIRef:
        return self.entity_iri[self.corpus.key_map[(doc_id, key)]]

    def article(self, art: Article) -> None:
        t, node, lang = self.triples, iri.article_iri(art.doc_id), art.language
        t.link(node, _TYPE, DIP.Article)
        t.link(node, _TYPE, SDO.NewsArticle)
        t.value(node, DIP.fileName, art.file_name)
        t.value(node, SDO.identifier, art.file_name)
        t.value(node, DIP.contentHash, art.content_hash)
        t.value(node, DIP.language, art.language)
        t.value(node, SDO.inLanguage, art.language)
        if art.title:
            t.value(node, DIP.title, art.title, lang=lang)
            t.value(node, SDO.headline, art.title, lang=lang)
        if art.url:
            t.value(node, DIP.sourceURL, art.url, _ANY_URI)
            if iri.is_plain_iri(art.url):
                t.link(node, SDO.url, URIRef(art.url))
        if art.date:
            t.value(node, DIP.datePublished, art.date, _DATE)
            t.value(node, SDO.datePublished, art.date, _DATE)

    def entity(self, gid: str, ent) -> None:
        t, node, kind = self.triples, self.entity_iri[gid], ent.type.value
        t.link(node, _TYPE, _CLASS[kind])
        for cls in _STANDARD_CLASSES[kind]:
            t.link(node, _TYPE, cls)
        t.value(node, _LABEL, ent.label, lang=LABEL_LANGUAGE)
        t.value(node, _NAME, ent.label, lang=LABEL_LANGUAGE)
        for alt in ent.alt_labels:
            t.value(node, _ALT_LABEL, alt, lang=LABEL_LANGUAGE)
        for doc_id in ent.articles:
            t.link(node, DIP.mentionedIn, iri.article_iri(doc_id))
            t.link(iri.article_iri(doc_id), _MENTIONS, node)
        if ent.part_of:
            t.link(node, DIP.partOf, self.entity_iri[ent.part_of])
            t.link(node, ORG.subOrganizationOf, self.entity_iri[ent.part_of])
        links = lexicon_links().get(self.lexicon_id.get(gid, ""))
        same = set()
        if links is not None:
            if links.wikidata is not None:
                same.add(links.wikidata)
            if links.iso_alpha2 and links.iso_alpha3:
                t.value(node, _ISO_ALPHA2, links.iso_alpha2)
                t.value(node, _ISO_ALPHA3, links.iso_alpha3)
        if self.authorities:
            for name in (ent.label, *ent.alt_labels):
                same.update(self.authorities.get(authority_key(name), ()))
        for target in same:
            t.link(node, _SAME_AS, target)
            t.link(node, _SCHEMA_SAME_AS, target)

    def evidence(self, fact: URIRef, art: Article, ev: Evidence) -> None:
        t, article = self.triples, iri.article_iri(art.doc_id)
        node = iri.fact_iri("evidence", str(fact), art.doc_id, str(ev.start), str(ev.end), ev.rule)
        t.link(fact, DIP.evidence, node)
        t.link(fact, _DERIVED, node)
        t.link(node, _TYPE, DIP.Evidence)
        t.link(node, DIP.article, article)
        t.link(node, _SOURCE, article)
        t.link(node, NIF.referenceContext, article)
        t.value(node, DIP.sentence, ev.sentence, lang=art.language)
        t.value(node, NIF.anchorOf, ev.sentence, lang=art.language)
        t.value(node, DIP.beginIndex, ev.start, _NON_NEGATIVE)
        t.value(node, NIF.beginIndex, ev.start, _NON_NEGATIVE)
        t.value(node, DIP.endIndex, ev.end, _NON_NEGATIVE)
        t.value(node, NIF.endIndex, ev.end, _NON_NEGATIVE)
        t.value(node, DIP.rule, ev.rule)
        t.link(node, _INFLUENCED, _rule_iri(ev.rule))
        self.rules.add(ev.rule)
        # One sentence may give the same fact twice by one rule (a name, then a pronoun): the best stays.
        t.value(node, DIP.confidence, Decimal(str(round(ev.confidence, 2))), _DECIMAL)

    def fact(self, art: Article, fact) -> None:
        t, ref, lang = self.triples, (lambda key: self.ref(art.doc_id, key)), art.language
        if isinstance(fact, Statement):
            speaker = ref(fact.speaker)
            # Keyed on content, not article: the same words reported by several articles are one fact.
            node = iri.fact_iri("statement", str(speaker), fold(fact.content))
            t.link(speaker, DIP.stated, node)
            t.link(node, _TYPE, DIP.Statement)
            t.link(node, _TYPE, SDO.CreativeWork)
            t.link(node, SDO.creator, speaker)
            t.value(node, DIP.content, fact.content, lang=lang)
            t.value(node, _TEXT, fact.content, lang=lang)
            t.value(node, DIP.quoted, fact.quoted)  # quoted by any article: the speaker's own words
            if fact.quoted:
                t.link(node, _TYPE, SDO.Quotation)
        elif isinstance(fact, Meeting):
            people = sorted({ref(k) for k in fact.participants})
            if len(people) < 2:
                return
            node = iri.fact_iri("meeting", *map(str, people), str(fact.planned))
            t.link(node, _TYPE, DIP.Meeting)
            t.link(node, _TYPE, SDO.Event)
            t.value(node, DIP.planned, fact.planned)
            if fact.planned:  # announced, not (yet) held: what its participants intend
                t.link(node, _TYPE, PROV.Plan)
            for p in people:
                t.link(node, DIP.participant, p)
                t.link(node, SDO.attendee, p)
            if not fact.planned:
                for a, b in combinations(people, 2):
                    t.link(a, DIP.metWith, b)
                    t.link(b, DIP.metWith, a)
            if fact.place:
                t.link(node, DIP.location, ref(fact.place))
                t.link(node, SDO.location, ref(fact.place))
            if fact.date:
                t.value(node, DIP.date, fact.date, _DATE)
                t.value(node, SDO.startDate, fact.date, _DATE)
        elif isinstance(fact, Mandate):
            envoy, principal = ref(fact.envoy), ref(fact.principal)
            if envoy == principal:
                return
            node = iri.fact_iri("mandate", str(envoy), str(principal))
            t.link(node, _TYPE, DIP.Mandate)
            t.link(node, _TYPE, PROV.Delegation)
            t.link(node, DIP.envoy, envoy)
            t.link(envoy, PROV.qualifiedDelegation, node)
            t.link(node, DIP.principal, principal)
            t.link(node, PROV.agent, principal)
            t.value(node, DIP.title, fact.title, lang=lang)
            t.value(node, _NAME, fact.title, lang=lang)
            t.link(envoy, DIP.envoyOf, principal)
            t.link(envoy, PROV.actedOnBehalfOf, principal)
        elif isinstance(fact, Position):
            holder, org = ref(fact.holder), (ref(fact.org) if fact.org is not None else None)
            node = iri.fact_iri("position", str(holder), str(org or ""), fold(fact.title))
            t.link(node, _TYPE, DIP.Position)
            t.link(node, _TYPE, ORG.Post)
            t.link(node, DIP.holder, holder)
            t.link(node, ORG.heldBy, holder)
            t.value(node, DIP.title, fact.title, lang=lang)
            t.value(node, _NAME, fact.title, lang=lang)
            t.link(holder, DIP.holdsPosition, node)
            t.link(holder, ORG.holds, node)
            if org is not None:
                t.link(node, DIP.positionIn, org)
                t.link(node, ORG.postIn, org)
        else:
            raise TypeError(f"mapping: unknown record type {type(fact).__name__}")
        self.evidence(node, art, fact.evidence)

    def describe(self, build: BuildInfo) -> None:
        """Add the dataset node (VoID, DCAT) and the build (a PROV activity that used the articles)."""
        articles = sorted(iri.article_iri(d.article.doc_id) for d in self.corpus.docs)
        when = build.timestamp.astimezone(UTC).isoformat()  # rdflib's normal form: "+00:00", not "Z"
        dataset, activity, software = description_nodes(when, build, articles)
        d = Triples()
        d.link(dataset, _TYPE, VOID.Dataset)
        d.link(dataset, _TYPE, DCAT.Dataset)
        d.link(dataset, _TYPE, PROV.Entity)
        d.value(dataset, DCTERMS.title, "Graphe de connaissances diplomatiques", lang="fr")
        d.value(dataset, DCTERMS.created, when, _DATE_TIME)
        d.link(dataset, DCTERMS.conformsTo, URIRef(str(DIP._NS).rstrip("#")))
        for vocabulary in (DIP._NS, PROV._NS, SDO._NS, ORG._NS, SKOS._NS, NIF._NS):
            d.link(dataset, VOID.vocabulary, URIRef(str(vocabulary)))
        d.value(dataset, VOID.documents, len(articles), XSD.integer)
        d.value(dataset, DIP.inputCount, len(articles) + build.skipped, _NON_NEGATIVE)
        d.value(dataset, DIP.skippedCount, build.skipped, _NON_NEGATIVE)
        d.link(dataset, PROV.wasGeneratedBy, activity)
        d.link(activity, _TYPE, PROV.Activity)
        d.value(activity, PROV.endedAtTime, when, _DATE_TIME)
        d.link(activity, PROV.wasAssociatedWith, software)
        d.value(activity, DIP.extractorVersion, build.extractor_version)
        for article in articles:
            d.link(activity, PROV.used, article)
        d.link(software, _TYPE, PROV.SoftwareAgent)
        d.link(software, _TYPE, SDO.SoftwareApplication)
        d.value(software, _NAME, "diplomacy-kg")
        d.value(software, SDO.softwareVersion, build.software_version)
        # the count is of the whole graph, this description and its own line included
        total = len(self.triples) + len(d) + 1
        d.value(dataset, VOID.triples, total, XSD.integer)
        self.triples.update(d)


def description_nodes(when: str, build: BuildInfo, articles: Iterable[URIRef]) -> tuple[URIRef, URIRef, URIRef]:
    """The dataset, build and software IRIs of a build: the same inputs, versions and time give the same."""
    key = iri.digest("build", when, build.software_version, build.extractor_version, *map(str, articles))
    return ID[f"dataset/{key}"], ID[f"build/{key}"], ID[f"software/diplomacy-kg-{iri.slug(build.software_version)}"]


def without_description(g: Graph) -> Graph:
    """``g`` without the dataset description of a build (its dataset, build and software nodes): what
    two builds of the same articles at other times, or with other inputs skipped, have in common."""
    nodes = set(g.subjects(_TYPE, VOID.Dataset))
    nodes |= {a for d in list(nodes) for a in g.objects(d, PROV.wasGeneratedBy)}
    nodes |= {s for a in list(nodes) for s in g.objects(a, PROV.wasAssociatedWith)}
    out = new_graph()
    for t in g:
        if t[0] not in nodes:
            out.add(t)
    return out


def _rule_iri(rule: str) -> URIRef:
    return ID[f"rule/{quote(rule, safe='')}"]


def to_triples(corpus: Corpus, *, spill: int = SPILL_LINES, authorities: dict[str, tuple[URIRef, ...]] | None = None,
               build: BuildInfo | None = None) -> Triples:
    """The triples of a resolved corpus: articles, entities, facts and their evidence (at most
    ``spill`` lines of them in memory); entities named in ``authorities`` (links.read_authorities)
    linked to their IRIs; with ``build``, the dataset description too (when there is an article)."""
    mapper = _Mapper(corpus, spill=spill, authorities=authorities)
    mapper.run()
    if build is not None and corpus.docs:  # no article, no dataset: the build writes nothing
        mapper.describe(build)
    return mapper.triples


def to_graph(corpus: Corpus, **options) -> Graph:
    """RDF graph of a resolved corpus: articles, entities, facts and their evidence (options as for
    to_triples)."""
    return graph_of(to_triples(corpus, **options))


def build_time(timestamp: str | None = None, *, environ: dict[str, str] | None = None) -> datetime:
    """The time a build states: ``timestamp`` (ISO 8601; UTC when it names no zone), else the
    SOURCE_DATE_EPOCH of reproducible builds (seconds since 1970, UTC), else now; whole seconds."""
    env = os.environ if environ is None else environ
    if timestamp is not None:
        try:
            when = datetime.fromisoformat(timestamp)
        except ValueError:
            raise ValueError(f"--timestamp {timestamp!r}: not an ISO 8601 date and time "
                             "(such as 2024-03-01T12:00:00Z)") from None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
    elif env.get("SOURCE_DATE_EPOCH"):
        epoch = env["SOURCE_DATE_EPOCH"]
        if not epoch.isdigit():
            raise ValueError(f"SOURCE_DATE_EPOCH {epoch!r}: not a whole number of seconds since 1970")
        when = datetime.fromtimestamp(int(epoch), tz=UTC)
    else:
        when = datetime.now(UTC)
    return when.astimezone(UTC).replace(microsecond=0)
