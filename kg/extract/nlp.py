"""The spaCy pipeline and the text normalisation that keeps character offsets."""
from __future__ import annotations

from functools import lru_cache

import spacy
from spacy.language import Language
from spacy.tokens import Doc

MODEL = "fr_core_news_md"

# One character for one character, so offsets in the normalised text are offsets in the original.
_CHAR_MAP = str.maketrans({
    "\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u2032": "'",
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u00ad": "-",
    "\u00a0": " ", "\u202f": " ", "\u2007": " ", "\u2009": " ",
    "\u201c": '"', "\u201d": '"', "\u201e": '"',
})


def normalise(text: str) -> str:
    """Text with curly apostrophes, special hyphens and spaces made plain; same length as ``text``."""
    return text.translate(_CHAR_MAP)


@Language.component("line_breaks", assigns=["token.is_sent_start"])
def line_breaks(doc: Doc) -> Doc:
    """Start a sentence after every line break: headlines, headings and paragraphs never run on."""
    for tok in doc[1:]:
        prev = doc[tok.i - 1]
        if "\n" in prev.text or "\n" in prev.whitespace_:
            tok.is_sent_start = True
        elif prev.text in (",", ";", "«", "(", "-", "–"):  # the parser sometimes ends a sentence on a comma
            tok.is_sent_start = False
    return doc


@lru_cache(maxsize=2)
def load(model: str = MODEL) -> Language:
    """The French pipeline with only the components the extractors use, then the extraction components."""
    try:
        nlp = spacy.load(model, exclude=["senter"])
    except OSError as err:
        raise RuntimeError(f"spaCy model {model!r} is not installed: run `make setup` "
                           f"(it installs {model.replace('_', '-')} from PyPI)") from err
    nlp.add_pipe("line_breaks", before="parser")
    from kg.extract.components import COMPONENTS  # registers the extraction factories

    for name in COMPONENTS:
        nlp.add_pipe(name)
    return nlp
