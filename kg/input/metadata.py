"""An article's metadata read from its text: headline, source address and publication date."""
from __future__ import annotations

import re

from kg.input.chrome import chrome_flags, is_source_line
from kg.lang.dates import parse_date, url_date

_SOURCE_URL = re.compile(r"^\s*source\s*:\s*((?:https?://|www\.)\S+)\s*$", re.IGNORECASE | re.MULTILINE)
# A web address a reader can follow: http(s), no character RFC 3986 forbids (ontology/shapes.ttl says the same).
_WEB_URL = re.compile(r"^https?://[^\s<>\"{}|\\^`]+$", re.IGNORECASE)


def web_url(value: str | None) -> str | None:
    """``value`` as an http(s) URL ("www.x.org/a" gets "http://"), or None when it is no web address."""
    if not value:
        return None
    value = value.strip()
    if value.lower().startswith("www."):
        value = "http://" + value
    return value if _WEB_URL.match(value) else None


def _title(lines: list[str], flags: list[bool]) -> str | None:
    """The headline: the first body line, when short, unpunctuated and set off from the text.

    A first line run straight into the text is only taken when no other line looks like a heading
    (then it is a section heading, not the headline).
    """
    body = [i for i, (s, f) in enumerate(zip(lines, flags)) if s and not f]
    if not body:
        return None
    first = lines[body[0]]
    if len(first) > 200 or first.endswith((".", ":", ";", ",")):
        return None
    nxt = body[0] + 1
    set_off = nxt >= len(lines) or not lines[nxt] or flags[nxt]
    heading_like = [i for i in body[1:] if len(lines[i]) <= 100 and not lines[i].endswith((".", "!", "?", "»", ":"))]
    return first if set_off or not heading_like else None


def text_metadata(text: str) -> tuple[str | None, str | None, str | None]:
    """Title, source URL and publication date found in a plain text's lines."""
    lines = [ln.strip() for ln in text.splitlines()]
    flags = chrome_flags(lines)
    url = web_url((m := _SOURCE_URL.search(text)) and m.group(1))
    date = None
    if url:
        date = url_date(url)
    for line, chrome in zip(lines, flags):
        if date:
            break
        if chrome and not is_source_line(line):
            date = parse_date(line)
    return _title(lines, flags), url or None, date
