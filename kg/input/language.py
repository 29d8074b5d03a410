"""Whether a text is French: the share of French function words among its first words."""
from __future__ import annotations

import re

from kg.lang import lexicon

MIN_WORDS_FOR_LANGUAGE = 30
MIN_FRENCH_RATIO = 0.10  # share of function words: about 0.27 in French prose, < 0.05 in other languages


def french_ratio(text: str, *, max_words: int = 3000) -> tuple[float, int]:
    """Share of French function words among the first ``max_words`` words, and how many words were seen."""
    words = re.findall(r"[^\W\d_]+", text[: max_words * 12].lower())[:max_words]
    if not words:
        return 0.0, 0
    fw = lexicon.words("function_words")
    return sum(w in fw for w in words) / len(words), len(words)


def looks_french(text: str) -> bool:
    """False only for a text long enough to judge whose function words are not French ones."""
    ratio, n = french_ratio(text)
    return n < MIN_WORDS_FOR_LANGUAGE or ratio >= MIN_FRENCH_RATIO
