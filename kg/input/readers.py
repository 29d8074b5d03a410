"""The readers of the three input formats: plain text, saved web pages (trafilatura), JSON Lines."""
from __future__ import annotations

import codecs
import hashlib
import json
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from kg.input.chrome import split_body
from kg.input.decode import binary_kind, clean, decode
from kg.input.files import (
    InputKind,
    OnNotice,
    OnSkip,
    SkipError,
    open_regular,
    read_raw,
    skip,
)
from kg.input.language import MIN_FRENCH_RATIO, french_ratio, looks_french
from kg.input.metadata import text_metadata, web_url
from kg.lang.dates import parse_date
from kg.records import Article

if TYPE_CHECKING:
    from lxml.html import HtmlElement
    from trafilatura.settings import Document

MAX_CHARS = 1_000_000  # spaCy's default nlp.max_length: a longer text cannot be analysed in one Doc
MAX_FILE_BYTES = 4 * MAX_CHARS  # no text file larger than this can decode to MAX_CHARS characters
MAX_HTML_BYTES = 16 * MAX_CHARS


def _sha256(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def _check_text(text: str, *, empty: str) -> None:
    """Raise SkipError when ``text`` cannot be a French article (``empty`` says why when it has no text)."""
    if not text.strip():
        raise SkipError(empty)
    if len(text) > MAX_CHARS:
        raise SkipError(f"too long: {len(text):,} characters, over the limit of {MAX_CHARS:,} for one article")
    controls = sum(1 for c in text[:65536] if unicodedata.category(c) == "Cc" and c not in "\t\n\r\f\v")
    if controls > min(len(text), 65536) // 100:
        raise SkipError("binary data, not text")
    if not looks_french(text):
        ratio, n = french_ratio(text)
        raise SkipError(f"not French: {ratio:.0%} of {n} words are French function words "
                        f"(need {MIN_FRENCH_RATIO:.0%})")


def _with_body(article: Article) -> Article:
    """``article`` unless all its lines are page chrome."""
    if not article.body:
        raise SkipError("no article text, only page chrome (menus, bylines, links)")
    return article


def read_text_file(path: Path, *, on_notice: OnNotice | None = None) -> Article:
    """The article stored in one plain-text file, with its metadata."""
    raw = read_raw(path, MAX_FILE_BYTES)
    if not raw.strip():
        raise SkipError("empty file" if not raw else "only whitespace")
    if kind := binary_kind(raw):
        raise SkipError(f"binary file ({kind}), not text")
    text, note = decode(raw)
    if note and on_notice:  # a guess, or a repair; UTF-8 and BOMs are certain
        on_notice(path, note)
    _check_text(text, empty="only whitespace")
    title, url, date = text_metadata(text)
    return _with_body(Article(doc_id=path.stem, file_name=path.name, content_hash=_sha256(raw), text=text,
                   title=title, url=url, date=date, body=split_body(text)))


def read_text(text: str, *, doc_id: str) -> Article:
    """The article held in a string (the Python API's texts, `kg build -`): checked and read as the
    text of a .txt file is, its file name being ``doc_id``; raises SkipError naming ``doc_id``."""
    text = clean(text)
    try:
        _check_text(text, empty="empty text" if not text else "only whitespace")
        title, url, date = text_metadata(text)
        return _with_body(Article(doc_id=doc_id, file_name=doc_id, content_hash=_sha256(text.encode("utf-8")),
                                  text=text, title=title, url=url, date=date, body=split_body(text)))
    except SkipError as err:
        raise SkipError(f"{doc_id}: {err}") from None


def read_html_file(path: Path, *, on_notice: OnNotice | None = None) -> Article:
    """The article of a saved web page: body text and metadata extracted by trafilatura."""
    raw = read_raw(path, MAX_HTML_BYTES)
    if not raw.strip():
        raise SkipError("empty file")
    if (kind := binary_kind(raw)) and not raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise SkipError(f"binary file ({kind}), not an HTML page")
    doc = _extraction(raw)
    if doc is None or not doc.text:  # perhaps nested deeper than lxml reads by default
        doc = _extraction(_deep_html_tree(raw))
    text = clean(doc.text) if doc is not None and doc.text else ""
    _check_text(text, empty="no article text found in the HTML page")
    assert doc is not None  # it has text
    _, text_url, text_date = text_metadata(text)
    date = (doc.date and parse_date(doc.date)) or text_date
    return _with_body(Article(doc_id=path.stem, file_name=path.name, content_hash=_sha256(raw), text=text,
                   title=clean(doc.title) if doc.title else None, url=web_url(doc.url) or text_url, date=date,
                   body=split_body(text)))


def _extraction(page: bytes | HtmlElement) -> Document | None:
    """What trafilatura reads in a page: its main text and metadata."""
    import trafilatura  # slow to import; only HTML inputs need it

    doc = trafilatura.bare_extraction(page, with_metadata=True, include_comments=False, include_tables=False)
    return doc if isinstance(doc, trafilatura.settings.Document) else None  # never a dict: as_dict is off


def _deep_html_tree(raw: bytes) -> HtmlElement:
    """The page parsed by lxml without its limit of 255 nested elements (libxml2's ``HUGE`` option, up
    to 2,048): past it trafilatura sees an empty page."""
    from lxml.html import HTMLParser, document_fromstring
    from trafilatura.utils import decode_file

    parser = HTMLParser(huge_tree=True, encoding="utf-8", remove_comments=True, remove_pis=True,
                        collect_ids=False, default_doctype=False)
    return document_fromstring(decode_file(raw).encode("utf-8"), parser=parser)


def _jsonl_lines(path: Path) -> Iterator[tuple[int, bytes | None]]:
    """(line number, bytes) of each line; None for a line longer than MAX_FILE_BYTES, which is not kept."""
    with open_regular(path) as f:
        n = 0
        while True:
            line = f.readline(MAX_FILE_BYTES + 1)
            if not line:
                return
            n += 1
            if len(line) > MAX_FILE_BYTES and not line.endswith(b"\n"):
                while (chunk := f.readline(1 << 20)) and not chunk.endswith(b"\n"):
                    pass
                yield n, None
            else:
                yield n, line


def _field(obj: dict, name: str) -> str | None:
    value = obj.get(name)
    return clean(value).strip() or None if isinstance(value, str) else None


def read_jsonl_file(path: Path, *, on_skip: OnSkip | None = None,
                    on_notice: OnNotice | None = None) -> Iterator[Article]:
    """The articles of a JSON Lines collection: one object per line with text, title, url, date and id."""
    for n, line in _jsonl_lines(path):
        try:
            if line is None:
                raise SkipError(f"too large: over the limit of {MAX_FILE_BYTES / 1e6:.0f} MB for one article")
            if not line.strip():
                continue
            try:
                obj = json.loads(line.decode("utf-8-sig" if n == 1 else "utf-8"))
            except UnicodeDecodeError as err:
                raise SkipError(f"not valid UTF-8 ({err.reason} at byte {err.start})") from err
            except json.JSONDecodeError as err:
                raise SkipError(f"not valid JSON ({err.msg} at column {err.colno})") from err
            if not isinstance(obj, dict):
                raise SkipError(f"a JSON {type(obj).__name__}, not an object with a \"text\" field")
            text = obj.get("text")
            if not isinstance(text, str):
                raise SkipError('no "text" field (a string) in the object')
            text = clean(text)
            _check_text(text, empty="empty text")
            ident = obj.get("id")
            doc_id = str(ident) if isinstance(ident, (str, int)) and str(ident).strip() else f"{path.stem}-{n}"
            date = None
            if (raw_date := _field(obj, "date")) and not (date := parse_date(raw_date)) and on_notice:
                on_notice(path, f"line {n}: date {raw_date[:40]!r} not understood; left out")
            title, url, text_date = text_metadata(text)
            if (raw_url := _field(obj, "url")) and not web_url(raw_url) and on_notice:
                on_notice(path, f"line {n}: url {raw_url[:40]!r} is no http(s) address; left out")
            yield _with_body(Article(doc_id=doc_id, file_name=path.name, content_hash=_sha256(line), text=text,
                          title=_field(obj, "title") or title, url=web_url(_field(obj, "url")) or url,
                          date=date or text_date, body=split_body(text)))
        except SkipError as err:
            skip(on_skip, path, f"line {n}: {err}")


def read_article(path: Path, *, on_notice: OnNotice | None = None) -> Article:
    """The article stored in one .txt or .html file (raises SkipError when there is none)."""
    kind = InputKind.of(path)
    try:
        if kind is InputKind.HTML:
            return read_html_file(path, on_notice=on_notice)
        if kind is InputKind.JSONL:
            raise SkipError("a .jsonl collection holds many articles; read it with iter_articles")
        return read_text_file(path, on_notice=on_notice)
    except SkipError as err:
        raise SkipError(f"{path}: {err}") from None
