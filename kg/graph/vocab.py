"""The dip: ontology namespace as a closed rdflib namespace, and the base of resource IRIs.

Every ontology term the builder writes is listed here; `tests/` keeps this list and
`ontology/diplomacy.ttl` in sync, so a typo such as ``DIP.envoyof`` fails at once.
"""
from rdflib import Namespace, URIRef
from rdflib.namespace import DefinedNamespace

ONTOLOGY_IRI = "https://w3id.org/diplomacy-kg/ontology"
RESOURCE_BASE = "https://w3id.org/diplomacy-kg/id/"

ID = Namespace(RESOURCE_BASE)


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


# Give every term a plain class attribute: otherwise each DIP.x goes through DefinedNamespace's
# checking __getattr__ (about a third of the mapping's time). Unknown names still fail.
for _term in DIP.__annotations__:
    setattr(DIP, _term, DIP[_term])
