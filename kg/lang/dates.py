"""French dates in text, as ISO dates; never an impossible one ("31 février 2025" is no date)."""
from __future__ import annotations

import datetime as dt
import re

_MONTHS = {m: i for i, m in enumerate(("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
                                       "septembre", "octobre", "novembre", "décembre"), 1)}
_DATE_WORDS = re.compile(r"\b(\d{{1,2}})(?:er)?\s+({})\s+(\d{{4}})\b".format("|".join(_MONTHS)), re.IGNORECASE)
_DATE_NUM = re.compile(r"\b(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\b")
_DATE_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})(?!\d)")  # also "2024-03-05T10:00"
_URL_DATE = re.compile(r"/((?:19|20)\d\d)[/-](\d\d)[/-](\d\d)(?:/|$|[^\d])")


def _iso(y: str | int, m: str | int, d: str | int) -> str | None:
    try:
        return dt.date(int(y), int(m), int(d)).isoformat()
    except ValueError:
        return None


def french_date(text: str) -> str | None:
    """ISO date of the first date written out in words: 'le 1er mars 2025' -> '2025-03-01'."""
    m = _DATE_WORDS.search(text)
    return _iso(m.group(3), _MONTHS[m.group(2).lower()], m.group(1)) if m else None


def parse_date(text: str) -> str | None:
    """ISO date of the first date written in ``text`` ("23 décembre 2025", "23/12/2025", "2025-12-23")."""
    if m := _DATE_ISO.search(text):
        return _iso(*m.groups())
    if m := _DATE_WORDS.search(text):
        return _iso(m.group(3), _MONTHS[m.group(2).lower()], m.group(1))
    if m := _DATE_NUM.search(text):
        return _iso(m.group(3), m.group(2), m.group(1))
    return None


def url_date(url: str) -> str | None:
    """ISO date of a URL's /YYYY/MM/DD/ path ("https://…/2025/12/23/…")."""
    m = _URL_DATE.search(url)
    return _iso(*m.groups()) if m else None
