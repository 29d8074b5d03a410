"""The per-type table of kg/records.py against the ontology, the IRIs and the summaries that read it."""
from __future__ import annotations

from rdflib import RDFS

from kg.checks.ontology import ontology_graph
from kg.graph import iri
from kg.graph.vocab import DIP, ID
from kg.records import ENTITY_TYPES, EntityType
from kg.report.stats import ENTITY_CLASSES


def test_records_every_entity_type_has_one_row():
    assert list(ENTITY_TYPES) == list(EntityType)
    assert len({t.info.iri_path for t in EntityType}) == len(EntityType)  # IRIs of two types never meet


def test_records_agent_types_are_the_ontology_agents():
    ont = ontology_graph()
    for etype in EntityType:
        is_agent = DIP.Agent in set(ont.transitive_objects(DIP[etype.value], RDFS.subClassOf))
        assert is_agent == etype.info.agent, etype


def test_records_table_names_iris_and_summary_rows():
    assert iri.entity_iri(EntityType.ORGANIZATION, "onu") == ID["org/onu"] == iri.entity_iri("Organization", "onu")
    assert list(ENTITY_CLASSES) == ["Person", "State", "Organization", "Place"]  # the order `kg stats` prints
    assert ENTITY_CLASSES["Place"] == DIP.Place
