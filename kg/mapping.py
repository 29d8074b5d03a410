"""The only place that turns records into RDF triples."""
from __future__ import annotations

from decimal import Decimal
from itertools import combinations

from rdflib import RDF, RDFS, XSD, Graph, Literal, URIRef
from rdflib.namespace import SKOS

from kg import iri
from kg.records import Article, Evidence, Mandate, Meeting, Position, Statement
from kg.resolve import Corpus, fold
from kg.vocab import DIP, ID

_CLASS = {"Person": DIP.Person, "State": DIP.State, "Organization": DIP.Organization, "Place": DIP.Place}


def new_graph() -> Graph:
    g = Graph()
    g.bind("dip", DIP._NS)
    g.bind("skos", SKOS)
    g.bind("id", ID)
    return g


class _Mapper:
    def __init__(self, corpus: Corpus):
        self.corpus = corpus
        self.g = new_graph()
        labels = {gid: (e.type.value, e.label) for gid, e in corpus.entities.items()}
        slugs = iri.entity_slugs(labels)
        self.entity_iri = {gid: iri.entity_iri(e.type.value, slugs[gid]) for gid, e in corpus.entities.items()}
        # Values of functional properties, merged over every report of a fact (see finish()).
        self.contents: dict[URIRef, set[str]] = {}
        self.confidences: dict[URIRef, float] = {}
        self.quoted: dict[URIRef, bool] = {}  # quoted by any article: the speaker's own words

    def run(self) -> Graph:
        for doc in self.corpus.docs:
            self.article(doc.article)
        for gid, ent in sorted(self.corpus.entities.items()):
            self.entity(gid, ent)
        for doc in self.corpus.docs:
            for fact in doc.facts:
                self.fact(doc.article, fact)
        self.finish()
        return self.g

    def finish(self) -> None:
        """Write the merged single values, so that they do not depend on the order of articles."""
        for node, contents in self.contents.items():
            self.g.add((node, DIP.content, Literal(min(contents))))
        for node, quoted in self.quoted.items():
            self.g.add((node, DIP.quoted, Literal(quoted)))
        for node, conf in self.confidences.items():
            self.g.add((node, DIP.confidence, Literal(Decimal(str(round(conf, 2))), datatype=XSD.decimal)))

    def ref(self, doc_id: str, key: str | None) -> URIRef | None:
        if key is None:
            return None
        return self.entity_iri[self.corpus.key_map[(doc_id, key)]]

    def article(self, art: Article) -> None:
        g, node = self.g, iri.article_iri(art.doc_id)
        g.add((node, RDF.type, DIP.Article))
        g.add((node, DIP.fileName, Literal(art.file_name)))
        g.add((node, DIP.contentHash, Literal(art.content_hash)))
        g.add((node, DIP.language, Literal(art.language)))
        if art.title:
            g.add((node, DIP.title, Literal(art.title)))
        if art.url:
            g.add((node, DIP.sourceURL, Literal(art.url, datatype=XSD.anyURI)))
        if art.date:
            g.add((node, DIP.datePublished, Literal(art.date, datatype=XSD.date)))

    def entity(self, gid: str, ent) -> None:
        g, node = self.g, self.entity_iri[gid]
        g.add((node, RDF.type, _CLASS[ent.type.value]))
        g.add((node, RDFS.label, Literal(ent.label)))
        for alt in ent.alt_labels:
            g.add((node, SKOS.altLabel, Literal(alt)))
        for doc_id in ent.articles:
            g.add((node, DIP.mentionedIn, iri.article_iri(doc_id)))
        if ent.part_of:
            g.add((node, DIP.partOf, self.entity_iri[ent.part_of]))

    def evidence(self, fact: URIRef, art: Article, ev: Evidence) -> None:
        g = self.g
        node = iri.fact_iri("evidence", str(fact), art.doc_id, str(ev.start), str(ev.end), ev.rule)
        g.add((fact, DIP.evidence, node))
        g.add((node, RDF.type, DIP.Evidence))
        g.add((node, DIP.article, iri.article_iri(art.doc_id)))
        g.add((node, DIP.sentence, Literal(ev.sentence)))
        g.add((node, DIP.beginIndex, Literal(ev.start, datatype=XSD.nonNegativeInteger)))
        g.add((node, DIP.endIndex, Literal(ev.end, datatype=XSD.nonNegativeInteger)))
        g.add((node, DIP.rule, Literal(ev.rule)))
        # One sentence may give the same fact twice by one rule (a name, then a pronoun): keep the best.
        self.confidences[node] = max(ev.confidence, self.confidences.get(node, 0.0))

    def fact(self, art: Article, fact) -> None:
        g, ref = self.g, (lambda key: self.ref(art.doc_id, key))
        if isinstance(fact, Statement):
            speaker = ref(fact.speaker)
            # Keyed on content, not article: the same words reported by several articles are one fact.
            node = iri.fact_iri("statement", str(speaker), fold(fact.content))
            g.add((speaker, DIP.stated, node))
            g.add((node, RDF.type, DIP.Statement))
            self.contents.setdefault(node, set()).add(fact.content)
            self.quoted[node] = fact.quoted or self.quoted.get(node, False)
        elif isinstance(fact, Meeting):
            people = sorted({ref(k) for k in fact.participants})
            if len(people) < 2:
                return
            node = iri.fact_iri("meeting", *map(str, people), str(fact.planned))
            g.add((node, RDF.type, DIP.Meeting))
            g.add((node, DIP.planned, Literal(fact.planned)))
            for p in people:
                g.add((node, DIP.participant, p))
            if not fact.planned:
                for a, b in combinations(people, 2):
                    g.add((a, DIP.metWith, b))
                    g.add((b, DIP.metWith, a))
            if fact.place:
                g.add((node, DIP.location, ref(fact.place)))
            if fact.date:
                g.add((node, DIP.date, Literal(fact.date, datatype=XSD.date)))
        elif isinstance(fact, Mandate):
            envoy, principal = ref(fact.envoy), ref(fact.principal)
            if envoy == principal:
                return
            node = iri.fact_iri("mandate", str(envoy), str(principal))
            g.add((node, RDF.type, DIP.Mandate))
            g.add((node, DIP.envoy, envoy))
            g.add((node, DIP.principal, principal))
            g.add((node, DIP.title, Literal(fact.title)))
            g.add((envoy, DIP.envoyOf, principal))
        elif isinstance(fact, Position):
            holder, org = ref(fact.holder), ref(fact.org)
            node = iri.fact_iri("position", str(holder), str(org or ""), fold(fact.title))
            g.add((node, RDF.type, DIP.Position))
            g.add((node, DIP.holder, holder))
            g.add((node, DIP.title, Literal(fact.title)))
            g.add((holder, DIP.holdsPosition, node))
            if org is not None:
                g.add((node, DIP.positionIn, org))
        else:
            raise TypeError(f"mapping: unknown record type {type(fact).__name__}")
        self.evidence(node, art, fact.evidence)


def to_graph(corpus: Corpus) -> Graph:
    """RDF graph of a resolved corpus: articles, entities, facts and their evidence."""
    return _Mapper(corpus).run()
