"""Per-Doc columns (strings, flags, morphology, text) hold what the Tokens themselves say."""
import pytest

from kg.extract import scan
from kg.extract.nlp import normalise

TEXT = ("Le président russe Vladimir Poutine rencontrera jeudi l'envoyé spécial américain à Moscou.\n"
        "« Nous ne céderons pas », a déclaré mercredi la porte-parole, qui s'était entretenue avec lui. "
        "Selon elle, les négociations auraient été menées par des diplomates.")


@pytest.fixture(scope="module")
def doc(nlp):
    return nlp(normalise(TEXT))


@pytest.mark.parametrize("attr, name", [(scan.Attr.ORTH, "text"), (scan.Attr.LOWER, "lower_"),
                                        (scan.Attr.LEMMA, "lemma_"), (scan.Attr.POS, "pos_")])
def test_scan_strings_match_token_attributes(doc, attr, name):
    assert scan.strings(doc, attr) == [getattr(t, name) for t in doc]


def test_scan_feats_match_morph_get(doc):
    fields = {f for t in doc for f in t.morph.to_dict()}
    assert {"Tense", "Mood", "VerbForm"} <= fields
    for t in doc:
        for f in fields:
            assert scan.feats(doc, t.i).get(f, []) == t.morph.get(f), (t.text, f)
    futures = [t.text for t in doc if "Fut" in scan.feats(doc, t.i).get("Tense", [])]
    assert "rencontrera" in futures


def test_scan_text_matches_doc_and_span_text(doc):
    assert scan.doc_text(doc) == doc.text
    for sent in doc.sents:
        assert scan.text(sent) == sent.text
    assert scan.text(doc[3:3]) == ""
