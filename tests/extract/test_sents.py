"""Sentence lookup: cached sentence spans tile the Doc and agree with sents_up_to."""
from kg.extract.nlp import normalise
from kg.extract.sents import sent_of, sents_up_to

TEXT = ("Le président a reçu l'envoyé russe. « Nous avançons », a-t-il dit, selon l'agence.\n"
        "Titre sans point\nLes entretiens reprendront lundi à Genève.")


def test_sents_tile_the_doc_and_agree(nlp):
    doc = nlp(normalise(TEXT))
    sents = list(dict.fromkeys((sent_of(t).start, sent_of(t).end) for t in doc))
    assert sents[0][0] == 0 and sents[-1][1] == len(doc)
    assert all(a[1] == b[0] for a, b in zip(sents, sents[1:]))
    assert len(sents) == 4  # the incise ", a-t-il dit" stays in its sentence; line ends cut
    for tok in doc:
        sent = sent_of(tok)
        assert sent.start <= tok.i < sent.end
        assert sent_of(tok) is sent  # built once per Doc
        up_to = sents_up_to(tok, 3)
        assert up_to[-1] == sent and len(up_to) == min(3, sents.index((sent.start, sent.end)) + 1)
        assert all(a.end == b.start for a, b in zip(up_to, up_to[1:]))
