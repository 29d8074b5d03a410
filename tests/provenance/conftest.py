"""Fixtures of the provenance tests: two tiny articles reporting one fact."""
from __future__ import annotations

from pathlib import Path

import pytest

# Two invented articles reporting the same statement and position, in different sentences and offsets.
SAME_FACT = "Le porte-parole du Kremlin, Dmitri Pesko, a déclaré que les pourparlers avançaient lentement."
TWO_ARTICLES = {
    "alpha.txt": SAME_FACT + "\n",
    "beta.txt": "Moscou reste prudente.\n\n" + SAME_FACT + "\n",
}


@pytest.fixture(scope="session")
def two_articles_dir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("two-articles")
    for name, text in TWO_ARTICLES.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder
