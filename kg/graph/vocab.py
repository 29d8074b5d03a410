"""The dip: ontology namespace as a closed rdflib namespace, the standard vocabularies the graphs use
beside it, and the base of resource IRIs.

Every ontology term the builder writes is listed here; `tests/` keeps this list and
`ontology/diplomacy.ttl` in sync, so a typo such as ``DIP.envoyof`` fails at once. The standard
vocabularies are rdflib's closed namespaces (PROV, SDO for schema.org, ORG, SKOS, VOID, DCAT, DCTERMS)
and NIF below; Wikidata's items and direct properties are open namespaces (``WD.Q142``).
"""
from rdflib import Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, ORG, PROV, SDO, SKOS, VOID, DefinedNamespace

__all__ = ["DCAT", "DCTERMS", "DIP", "ID", "NIF", "ORG", "PROV", "SDO", "SKOS", "VOID", "WD", "WDT"]

ONTOLOGY_IRI = "https://w3id.org/diplomacy-kg/ontology"
RESOURCE_BASE = "https://w3id.org/diplomacy-kg/id/"

ID = Namespace(RESOURCE_BASE)
WD = Namespace("http://www.wikidata.org/entity/")
WDT = Namespace("http://www.wikidata.org/prop/direct/")


class DIP(DefinedNamespace):
    """Terms of the diplomacy ontology (https://w3id.org/diplomacy-kg/ontology#)."""

    _fail = True
    _NS = Namespace(ONTOLOGY_IRI + "#")

    # Entities
    Agent: URIRef  # a person, state or organization that can act, speak and meet
    Person: URIRef
    State: URIRef
    Organization: URIRef
    Place: URIRef

    # Sources
    Article: URIRef  # one input news article
    Evidence: URIRef  # a sentence of an article that supports a fact

    # Facts (n-ary nodes carrying provenance)
    Fact: URIRef
    Statement: URIRef  # words stated by a speaker, quoted or reported
    Meeting: URIRef  # an encounter, talk or negotiation between agents
    Mandate: URIRef  # an envoy acting for a principal
    Position: URIRef  # an office held in a state or organization

    # Public shortcut relations
    envoyOf: URIRef  # Person -> Agent they represent
    represents: URIRef  # super-property of envoyOf
    metWith: URIRef  # Agent <-> Agent, symmetric
    stated: URIRef  # Agent -> Statement
    content: URIRef  # Statement -> the words stated (string)

    # Statement details
    quoted: URIRef  # Statement -> boolean: a direct quotation rather than reported speech

    # Meeting details
    participant: URIRef  # Meeting -> Agent
    location: URIRef  # Meeting -> Place (or State when only a country is named)
    date: URIRef  # Meeting -> xsd:date
    planned: URIRef  # Meeting -> boolean: announced for the future, not (yet) held

    # Mandate and position details
    envoy: URIRef  # Mandate -> Person
    principal: URIRef  # Mandate -> Agent represented
    holder: URIRef  # Position -> Person
    holdsPosition: URIRef  # Person -> Position
    positionIn: URIRef  # Position -> State or Organization
    title: URIRef  # Mandate/Position -> title as written ("porte-parole"); Article -> headline

    # Entity details
    partOf: URIRef  # Organization -> State it belongs to (Kremlin -> Russia)
    mentionedIn: URIRef  # entity -> Article

    # Provenance
    evidence: URIRef  # Fact -> Evidence
    article: URIRef  # Evidence -> Article
    sentence: URIRef  # Evidence -> sentence text
    beginIndex: URIRef  # Evidence -> offset of the sentence's first character in the article
    endIndex: URIRef  # Evidence -> offset just past the sentence's last character
    rule: URIRef  # Evidence -> versioned name of the rule that produced the fact
    confidence: URIRef  # Evidence -> xsd:decimal in [0, 1]

    # Article metadata
    fileName: URIRef
    contentHash: URIRef  # "sha256:<hex>" of the article's bytes
    sourceURL: URIRef
    datePublished: URIRef
    language: URIRef

    # Dataset description (what no standard vocabulary says)
    extractorVersion: URIRef  # build -> hash of the extraction code, lexicons and model versions
    inputCount: URIRef  # dataset -> articles the build was given: those in the graph and those skipped
    skippedCount: URIRef  # dataset -> inputs the build skipped (empty, binary, not French...)


class NIF(DefinedNamespace):
    """The terms of NIF 2.0 Core the graphs use: offsets of evidence sentences in their article."""

    _fail = True
    _NS = Namespace("http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#")

    Context: URIRef
    beginIndex: URIRef
    endIndex: URIRef
    anchorOf: URIRef
    referenceContext: URIRef


# Give every term a plain class attribute: otherwise each DIP.x goes through DefinedNamespace's
# checking __getattr__ (about a third of the mapping's time). Unknown names still fail.
for _ns in (DIP, NIF):
    for _term in _ns.__annotations__:
        setattr(_ns, _term, _ns[_term])
