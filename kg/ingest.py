"""Reading input articles: finding files, decoding them, and separating the body from page chrome."""
from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from kg.records import Article

SUFFIXES = (".txt",)
OnSkip = Callable[[Path, str], None]

# Lines that belong to the web page around an article, not to the article.
_CHROME = re.compile(
    r"^\s*(accueil\b.*|par\s+\S+(\s+\S+)?\s*|cela pourrait vous intéresser.*|laisser un commentaire.*"
    r"|lire aussi.*|à lire aussi.*|partager.*|publicité|commentaires?|source\s*:.*|crédit.*photo.*)\s*$",
    re.IGNORECASE,
)
_SOURCE = re.compile(r"^\s*source\s*:\s*(\S+)\s*$", re.IGNORECASE | re.MULTILINE)
_URL_DATE = re.compile(r"/(20\d\d|19\d\d)[/-](\d\d)[/-](\d\d)/")


def find_files(inputs: Iterable[Path], on_skip: OnSkip | None = None) -> list[Path]:
    """Article files named by ``inputs`` (files, or folders searched recursively), sorted."""
    found = []
    for path in inputs:
        if path.is_dir():
            found += [p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES]
        elif path.is_file():
            found.append(path)
        elif on_skip:
            on_skip(path, "no such file or folder")
        else:
            raise FileNotFoundError(f"{path}: no such file or folder")
    return sorted(set(found))


def _is_tag_line(line: str) -> bool:
    """A short comma-separated list of capitalised words: the tags under a headline."""
    parts = [p.strip() for p in line.split(",")]
    return len(parts) >= 3 and all(p and p[0].isupper() and len(p.split()) <= 3 for p in parts)


def split_body(text: str) -> tuple[tuple[int, int], ...]:
    """Character ranges of the lines that are article text rather than page chrome."""
    ranges, pos = [], 0
    for line in text.splitlines(keepends=True):
        stripped = line.strip()
        if stripped and not _CHROME.match(stripped) and not _is_tag_line(stripped):
            ranges.append((pos, pos + len(line.rstrip("\r\n"))))
        pos += len(line)
    return tuple(ranges)


def _title(text: str, body: tuple[tuple[int, int], ...]) -> str | None:
    """The headline: the first body line when it is short and has no final full stop."""
    if not body:
        return None
    first = text[body[0][0]:body[0][1]].strip()
    return first if len(first) <= 200 and not first.endswith(".") else None


def read_article(path: Path) -> Article:
    """The article stored in one text file, with its metadata."""
    raw = path.read_bytes()
    text = raw.decode("utf-8-sig")
    body = split_body(text)
    url = (m := _SOURCE.search(text)) and m.group(1)
    date = (url and (d := _URL_DATE.search(url))) and "-".join(d.groups())
    return Article(
        doc_id=path.stem, file_name=path.name, content_hash="sha256:" + hashlib.sha256(raw).hexdigest(),
        text=text, title=_title(text, body), url=url or None, date=date or None, body=body,
    )


def iter_articles(inputs: Iterable[Path], *, on_skip: OnSkip | None = None) -> Iterator[Article]:
    """Every readable article under ``inputs``; unreadable files go to ``on_skip`` (or raise)."""
    for path in find_files(inputs, on_skip):
        try:
            article = read_article(path)
        except (OSError, UnicodeDecodeError) as err:
            if on_skip is None:
                raise ValueError(f"{path}: {err}") from err
            on_skip(path, str(err))
            continue
        if not article.text.strip():
            if on_skip:
                on_skip(path, "empty file")
            continue
        yield article
