"""The only place that turns records into RDF triples.

Triples are written straight to N-Triples lines: building rdflib terms and adding them to a Graph
cost more than the rest of the build after parsing. Formats, stats and the stores read the lines
through pyoxigraph; ``graph_of`` gives an rdflib Graph to those who want one.
"""
from __future__ import annotations

import io
from decimal import Decimal
from itertools import combinations

from rdflib import RDF, RDFS, XSD, Graph, URIRef
from rdflib.namespace import SKOS

from kg import iri
from kg.records import Article, Evidence, Mandate, Meeting, Position, Statement
from kg.resolve import Corpus, fold
from kg.vocab import DIP, ID

_CLASS = {"Person": DIP.Person, "State": DIP.State, "Organization": DIP.Organization, "Place": DIP.Place}
# Prefixes a built graph is bound to (rdflib's own rdf, rdfs, xsd, owl come with every Graph).
PREFIXES = {"dip": DIP._NS, "skos": SKOS._NS, "id": ID}
# The characters N-Triples must escape in a string (canonical N-Triples escapes no others).
_BOOLEAN, _STRING = XSD.boolean, XSD.string  # looked up once: rdflib checks every XSD.x access
_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})


class Triples:
    """A set of triples held as canonical N-Triples lines (a fact reported twice is one line)."""

    def __init__(self) -> None:
        self.lines: set[str] = set()

    def __len__(self) -> int:
        return len(self.lines)

    def link(self, s: URIRef, p: URIRef, o: URIRef) -> None:
        """Add a triple whose object is a resource."""
        self.lines.add(f"<{s}> <{p}> <{o}> .")

    def value(self, s: URIRef, p: URIRef, value: str | bool | int | Decimal, datatype: URIRef | None = None) -> None:
        """Add a triple whose object is a literal: a string (typed by ``datatype`` if given), a boolean,
        or a number with its ``datatype``."""
        if isinstance(value, bool):
            lexical, datatype = ("true" if value else "false"), _BOOLEAN
        else:
            lexical = str(value)
            if '"' in lexical or "\\" in lexical or "\n" in lexical or "\r" in lexical:
                lexical = lexical.translate(_ESCAPES)
        typed = f"^^<{datatype}>" if datatype is not None and datatype != _STRING else ""
        self.lines.add(f'<{s}> <{p}> "{lexical}"{typed} .')

    def ntriples(self) -> bytes:
        """The triples as sorted N-Triples: the same set always gives the same bytes."""
        return "".join(line + "\n" for line in sorted(self.lines)).encode("utf-8")

    def reader(self) -> io.BufferedReader:
        """The bytes of ``ntriples()`` as a stream, made as they are read: no second copy of a big
        graph in memory while pyoxigraph parses it."""
        return io.BufferedReader(_LineStream(sorted(self.lines)), buffer_size=1 << 16)


class _LineStream(io.RawIOBase):
    """A readable stream of lines (each given without its line end)."""

    def __init__(self, lines: list[str]) -> None:
        self.lines, self.next, self.pending = lines, 0, b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if not self.pending and self.next < len(self.lines):
            batch = self.lines[self.next:self.next + 1024]
            self.next += len(batch)
            self.pending = "".join(line + "\n" for line in batch).encode("utf-8")
        n = min(len(buffer), len(self.pending))
        buffer[:n] = self.pending[:n]
        self.pending = self.pending[n:]
        return n


def new_graph() -> Graph:
    g = Graph()
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns)
    return g


def graph_of(triples: Triples) -> Graph:
    """An rdflib Graph holding ``triples``, with the builder's prefixes."""
    return new_graph().parse(data=triples.ntriples(), format="nt")


class _Mapper:
    def __init__(self, corpus: Corpus):
        self.corpus = corpus
        self.triples = Triples()
        labels = {gid: (e.type.value, e.label) for gid, e in corpus.entities.items()}
        slugs = iri.entity_slugs(labels)
        self.entity_iri = {gid: iri.entity_iri(e.type.value, slugs[gid]) for gid, e in corpus.entities.items()}
        # Values of functional properties, merged over every report of a fact (see finish()).
        self.contents: dict[URIRef, set[str]] = {}
        self.confidences: dict[URIRef, float] = {}
        self.quoted: dict[URIRef, bool] = {}  # quoted by any article: the speaker's own words

    def run(self) -> Triples:
        for doc in self.corpus.docs:
            self.article(doc.article)
        for gid, ent in sorted(self.corpus.entities.items()):
            self.entity(gid, ent)
        for doc in self.corpus.docs:
            for fact in doc.facts:
                self.fact(doc.article, fact)
        self.finish()
        return self.triples

    def finish(self) -> None:
        """Write the merged single values, so that they do not depend on the order of articles."""
        for node, contents in self.contents.items():
            self.triples.value(node, DIP.content, min(contents))
        for node, quoted in self.quoted.items():
            self.triples.value(node, DIP.quoted, quoted)
        for node, conf in self.confidences.items():
            self.triples.value(node, DIP.confidence, Decimal(str(round(conf, 2))), XSD.decimal)

    def ref(self, doc_id: str, key: str | None) -> URIRef | None:
        if key is None:
            return None
        return self.entity_iri[self.corpus.key_map[(doc_id, key)]]

    def article(self, art: Article) -> None:
        t, node = self.triples, iri.article_iri(art.doc_id)
        t.link(node, RDF.type, DIP.Article)
        t.value(node, DIP.fileName, art.file_name)
        t.value(node, DIP.contentHash, art.content_hash)
        t.value(node, DIP.language, art.language)
        if art.title:
            t.value(node, DIP.title, art.title)
        if art.url:
            t.value(node, DIP.sourceURL, art.url, XSD.anyURI)
        if art.date:
            t.value(node, DIP.datePublished, art.date, XSD.date)

    def entity(self, gid: str, ent) -> None:
        t, node = self.triples, self.entity_iri[gid]
        t.link(node, RDF.type, _CLASS[ent.type.value])
        t.value(node, RDFS.label, ent.label)
        for alt in ent.alt_labels:
            t.value(node, SKOS.altLabel, alt)
        for doc_id in ent.articles:
            t.link(node, DIP.mentionedIn, iri.article_iri(doc_id))
        if ent.part_of:
            t.link(node, DIP.partOf, self.entity_iri[ent.part_of])

    def evidence(self, fact: URIRef, art: Article, ev: Evidence) -> None:
        t = self.triples
        node = iri.fact_iri("evidence", str(fact), art.doc_id, str(ev.start), str(ev.end), ev.rule)
        t.link(fact, DIP.evidence, node)
        t.link(node, RDF.type, DIP.Evidence)
        t.link(node, DIP.article, iri.article_iri(art.doc_id))
        t.value(node, DIP.sentence, ev.sentence)
        t.value(node, DIP.beginIndex, ev.start, XSD.nonNegativeInteger)
        t.value(node, DIP.endIndex, ev.end, XSD.nonNegativeInteger)
        t.value(node, DIP.rule, ev.rule)
        # One sentence may give the same fact twice by one rule (a name, then a pronoun): keep the best.
        self.confidences[node] = max(ev.confidence, self.confidences.get(node, 0.0))

    def fact(self, art: Article, fact) -> None:
        t, ref = self.triples, (lambda key: self.ref(art.doc_id, key))
        if isinstance(fact, Statement):
            speaker = ref(fact.speaker)
            # Keyed on content, not article: the same words reported by several articles are one fact.
            node = iri.fact_iri("statement", str(speaker), fold(fact.content))
            t.link(speaker, DIP.stated, node)
            t.link(node, RDF.type, DIP.Statement)
            self.contents.setdefault(node, set()).add(fact.content)
            self.quoted[node] = fact.quoted or self.quoted.get(node, False)
        elif isinstance(fact, Meeting):
            people = sorted({ref(k) for k in fact.participants})
            if len(people) < 2:
                return
            node = iri.fact_iri("meeting", *map(str, people), str(fact.planned))
            t.link(node, RDF.type, DIP.Meeting)
            t.value(node, DIP.planned, fact.planned)
            for p in people:
                t.link(node, DIP.participant, p)
            if not fact.planned:
                for a, b in combinations(people, 2):
                    t.link(a, DIP.metWith, b)
                    t.link(b, DIP.metWith, a)
            if fact.place:
                t.link(node, DIP.location, ref(fact.place))
            if fact.date:
                t.value(node, DIP.date, fact.date, XSD.date)
        elif isinstance(fact, Mandate):
            envoy, principal = ref(fact.envoy), ref(fact.principal)
            if envoy == principal:
                return
            node = iri.fact_iri("mandate", str(envoy), str(principal))
            t.link(node, RDF.type, DIP.Mandate)
            t.link(node, DIP.envoy, envoy)
            t.link(node, DIP.principal, principal)
            t.value(node, DIP.title, fact.title)
            t.link(envoy, DIP.envoyOf, principal)
        elif isinstance(fact, Position):
            holder, org = ref(fact.holder), ref(fact.org)
            node = iri.fact_iri("position", str(holder), str(org or ""), fold(fact.title))
            t.link(node, RDF.type, DIP.Position)
            t.link(node, DIP.holder, holder)
            t.value(node, DIP.title, fact.title)
            t.link(holder, DIP.holdsPosition, node)
            if org is not None:
                t.link(node, DIP.positionIn, org)
        else:
            raise TypeError(f"mapping: unknown record type {type(fact).__name__}")
        self.evidence(node, art, fact.evidence)


def to_triples(corpus: Corpus) -> Triples:
    """The triples of a resolved corpus: articles, entities, facts and their evidence."""
    return _Mapper(corpus).run()


def to_graph(corpus: Corpus) -> Graph:
    """RDF graph of a resolved corpus: articles, entities, facts and their evidence."""
    return graph_of(to_triples(corpus))
