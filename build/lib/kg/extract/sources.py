"""Sources of a statement: "selon X, …", "d'après X, …", "pour X, …" opening a sentence or a quotation.

One detector for every rule family: X is the source of what the sentence says, not a participant
of a meeting nor the holder of a title. A temporal "après X" (without "d'") is no source.
"""
from __future__ import annotations

from spacy.tokens import Doc

from kg.extract import scan
from kg.extract.sents import sent_at

_SOURCE_WORDS = scan.Words(scan.Attr.LOWER, {"selon", "d'", "pour"})
_PHRASES = "kg.source_phrases"


def source_start(doc: Doc, i: int) -> int | None:
    """The first token of the source when a source phrase opens at token ``i``, else None."""
    lower = scan.lower(doc)
    word = lower[i]
    if word == "selon":
        return i + 1
    if word == "d'" and i + 1 < len(doc) and lower[i + 1] == "après":
        return i + 2
    if word == "pour" and (sent_at(doc, i).start == i or _opens_quoted_view(doc, i)):
        return i + 1
    return None


def _opens_quoted_view(doc: Doc, i: int) -> bool:
    """'…, tandis que, pour X, « … »': a "pour" phrase closed by a comma and followed by a quotation."""
    orth = scan.orth(doc)
    if i == 0 or orth[i - 1] not in (",", "et", "mais"):
        return False
    end = min(sent_at(doc, i).end, i + 14)
    for k in range(i + 1, end):
        if orth[k] == ",":
            return k + 1 < len(doc) and orth[k + 1] in ("«", '"', "“") and k > i + 1
        if orth[k] in (".", ";", ":", "«", "»") or doc[k].pos_ in ("VERB", "AUX"):
            return False
    return False


def source_phrases(doc: Doc) -> set[int]:
    """The tokens of every source phrase of a Doc, up to the punctuation that closes it."""
    found = doc.user_data.get(_PHRASES)
    if found is None:
        found = set()
        orth = scan.orth(doc)
        for i in scan.indices(doc, _SOURCE_WORDS):
            j = source_start(doc, i)
            if j is None:
                continue
            end = sent_at(doc, i).end
            while j < end and orth[j] not in (",", ".", ";", ":"):
                found.add(j)
                j += 1
        doc.user_data[_PHRASES] = found
    return found
