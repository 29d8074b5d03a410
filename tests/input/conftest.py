"""Helpers for the input tests: French articles generated on the fly (no fixture files committed)."""
from __future__ import annotations

from pathlib import Path

import pytest

# Invented people and general places: the generated corpus must not echo the sample articles.
_PEOPLE = ["Amélie Rostand", "Karim Benali", "Hélène Varga", "Tomas Lindqvist", "Nadia Ferhat", "Paulo Mendes",
           "Irène Castel", "Jonas Weber", "Léa Moreau", "Samir Haddad", "Clara Novak", "Hugo Lambert"]
_CITIES = ["Genève", "Vienne", "Oslo", "Rabat", "Lisbonne", "Nairobi", "Doha", "Helsinki"]


def french_article(i: int, *, paragraphs: int = 3) -> str:
    """A short French news text about a meeting and a statement; different for each ``i``."""
    a, b = _PEOPLE[i % len(_PEOPLE)], _PEOPLE[(i * 5 + 1) % len(_PEOPLE)]
    city = _CITIES[i % len(_CITIES)]
    text = [f"{a}, ministre des affaires étrangères, a rencontré {b} à {city} le {1 + i % 28} mars (dépêche {i})."]
    for k in range(paragraphs):
        text.append(f"« Nous avons parlé de la paix et de la sécurité dans la région », a déclaré {a} après la "
                    f"réunion numéro {k + 1}. Les deux délégations doivent se retrouver dans les prochaines "
                    f"semaines pour poursuivre les discussions sur le commerce, l'énergie et les sanctions.")
    return "\n\n".join(text) + "\n"


def write_articles(folder: Path, n: int, *, paragraphs: int = 3) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        path = folder / f"article_{i:04d}.txt"
        path.write_text(french_article(i, paragraphs=paragraphs), encoding="utf-8")
        paths.append(path)
    return paths


@pytest.fixture(scope="session")
def article_text():
    """``article_text(i, paragraphs=3)``: a generated French article."""
    return french_article


@pytest.fixture(scope="session")
def make_articles():
    """``make_articles(folder, n)``: write n generated French articles into folder."""
    return write_articles
