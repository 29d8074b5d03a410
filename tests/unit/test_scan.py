"""Vectorised token scans find exactly the tokens a plain loop over the Doc finds."""
import pytest

from kg.extract import scan
from kg.extract.nlp import normalise

TEXT = ("Le ministère russe des Affaires étrangères a démenti. Selon Moscou, « rien n'est décidé », "
        "a affirmé la porte-parole. Pour Kiev, les Ministères concernés représentent l'État.")


@pytest.fixture(scope="module")
def doc(nlp):
    return nlp(normalise(TEXT))


def test_scan_lower_matches_any_case(doc):
    words = scan.Words(scan.Attr.LOWER, {"ministère", "selon", "absent"})
    assert scan.indices(doc, words) == [t.i for t in doc if t.lower_ in {"ministère", "selon"}]
    assert [t.text for t in scan.tokens(doc, words)] == ["ministère", "Selon"]


def test_scan_lemma_and_orth(doc):
    verbs = scan.Words(scan.Attr.LEMMA, {"représenter", "affirmer"})
    assert scan.indices(doc, verbs) == [t.i for t in doc if t.lemma_ in {"représenter", "affirmer"}]
    assert len(scan.indices(doc, verbs)) == 2
    marks = scan.Words(scan.Attr.ORTH, {"«", "»"})
    assert [doc[i].text for i in scan.indices(doc, marks)] == ["«", "»"]


def test_scan_several_sets_keep_doc_order(doc):
    found = scan.indices(doc, scan.Words(scan.Attr.ORTH, {"»"}), scan.Words(scan.Attr.LOWER, {"selon", "pour"}))
    assert [doc[i].text for i in found] == ["Selon", "»", "Pour"]
    assert found == sorted(found)


def test_scan_empty_set_and_empty_doc(nlp, doc):
    assert scan.indices(doc, scan.Words(scan.Attr.LOWER, ())) == []
    assert scan.indices(nlp(""), scan.Words(scan.Attr.LOWER, {"le"})) == []


def test_scan_rejects_unsupported_attribute():
    with pytest.raises(ValueError, match="'LOWER'"):
        scan.Words("LOWER", {"le"})  # an attribute name, not an Attr


def test_scan_text_equals_span_text(doc):
    spans = [*doc.sents, *doc.ents, doc[2:2], doc[0:1], doc[3:9], doc[len(doc) - 2:]]
    assert [scan.text(s) for s in spans] == [s.text for s in spans]
    assert scan.text(doc[2:2]) == ""
