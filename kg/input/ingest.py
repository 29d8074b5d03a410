"""Reading input articles: finding files, decoding them, and separating the body from page chrome.

Inputs are plain-text files (``.txt``), saved web pages (``.html``/``.htm``, read with trafilatura) and
collections with one JSON article per line (``.jsonl``). Whatever cannot be used as an article is
reported to ``on_skip(path, why)``; what was assumed to read the rest goes to ``on_notice(path, what)``.
"""
from __future__ import annotations

import codecs
import errno
import hashlib
import json
import os
import re
import stat
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from enum import Enum
from functools import lru_cache, partial
from importlib import resources
from pathlib import Path
from typing import BinaryIO

from kg.lang.dates import parse_date, url_date
from kg.records import Article

OnSkip = Callable[[Path, str], None]
OnNotice = Callable[[Path, str], None]

MAX_CHARS = 1_000_000  # spaCy's default nlp.max_length: a longer text cannot be analysed in one Doc
MAX_FILE_BYTES = 4 * MAX_CHARS  # no text file larger than this can decode to MAX_CHARS characters
MAX_HTML_BYTES = 16 * MAX_CHARS
_MIN_WORDS_FOR_LANGUAGE = 30
_MIN_FRENCH_RATIO = 0.10  # share of function words: about 0.27 in French prose, < 0.05 in other languages
_SHORT_LINE = 120  # chrome lines are short; longer lines are always article text


class InputKind(Enum):
    TEXT = ".txt"
    HTML = ".html"
    JSONL = ".jsonl"

    @classmethod
    def of(cls, path: Path) -> InputKind | None:
        suffix = path.suffix.lower()
        return cls.HTML if suffix == ".htm" else next((k for k in cls if k.value == suffix), None)


SUFFIXES = (".txt", ".html", ".htm", ".jsonl")


class SkipError(ValueError):
    """An input that cannot be used as an article; the message names the file and the reason."""


# --- finding files -------------------------------------------------------------------------------

def find_files(inputs: Iterable[Path], on_skip: OnSkip | None = None) -> list[Path]:
    """Article files named by ``inputs`` (files, or folders searched recursively), sorted.

    Hidden files and folders (name starting with ".") are not searched, nor are symbolic links to
    folders. A folder that cannot be listed, and an article name that is not a regular file (a
    broken link, a FIFO, a device...), go to ``on_skip`` with the reason; files of other types in
    folders are ignored.
    """
    found: set[Path] = set()
    for path in map(Path, inputs):
        if not _is_folder(path):
            if (why := _not_an_article_file(path, named=True)) is None:
                found.add(path)
            else:
                _skip(on_skip, path, why)
            continue
        listing_failed = partial(_unlistable, on_skip)
        for folder, subfolders, names in os.walk(path, onerror=listing_failed):
            subfolders[:] = [d for d in subfolders if not d.startswith(".")]
            for name in names:
                file = Path(folder, name)
                if name.startswith(".") or not InputKind.of(file):
                    continue
                if (why := _not_an_article_file(file, named=False)) is None:
                    found.add(file)
                else:
                    _skip(on_skip, file, why)
    return sorted(found)


def _is_folder(path: Path) -> bool:
    try:
        return stat.S_ISDIR(path.stat().st_mode)
    except OSError:
        return False


def _unlistable(on_skip: OnSkip | None, err: OSError) -> None:
    _skip(on_skip, Path(err.filename), f"cannot list the folder: {err.strerror}")


_FILE_TYPES = {stat.S_ISFIFO: "a named pipe (FIFO)", stat.S_ISCHR: "a character device",
               stat.S_ISBLK: "a block device", stat.S_ISSOCK: "a socket"}


def _not_an_article_file(path: Path, *, named: bool) -> str | None:
    """Why ``path`` cannot be read as an article file, or None when it can (never opens it)."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        if path.is_symlink():
            return f"broken symbolic link (to {os.readlink(path)}, which does not exist)"
        return "no such file or folder"
    except OSError as err:
        if err.errno == errno.ELOOP:
            return "symbolic link loop"
        return f"cannot read: {err.strerror}"
    if not stat.S_ISREG(mode):
        kind = next((what for test, what in _FILE_TYPES.items() if test(mode)), "not a file")
        return f"{kind}, not a regular file"
    if named and not InputKind.of(path):
        return f"unsupported file type {path.suffix or '(no extension)'!r}; use one of {', '.join(SUFFIXES)}"
    return None


def _skip(on_skip: OnSkip | None, path: Path, why: str) -> None:
    if on_skip is None:
        raise SkipError(f"{path}: {why}")
    on_skip(path, why)


# --- decoding ------------------------------------------------------------------------------------

_MAGIC = {b"%PDF": "PDF", b"PK\x03\x04": "ZIP or office document", b"\x89PNG": "PNG image",
          b"\xff\xd8\xff": "JPEG image", b"GIF8": "GIF image", b"\x1f\x8b": "gzip archive",
          b"\x7fELF": "executable", b"{\\rtf": "RTF document"}


def binary_kind(raw: bytes) -> str | None:
    """What kind of binary data ``raw`` is ("binary data" when unknown), or None for text."""
    for magic, kind in _MAGIC.items():
        if raw.startswith(magic):
            return kind
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return None
    head = raw[:65536]
    controls = sum(1 for b in head if b < 32 and b not in b"\t\n\r\f\v")
    return "binary data" if b"\x00" in head or controls > len(head) // 100 else None


def decode(raw: bytes) -> tuple[str, str | None]:
    """Text of ``raw`` and a note on how it was read: None when it is UTF-8 (with or without BOM) or
    UTF-16 with a BOM.

    Bytes that are not UTF-8 are read as Windows-1252 (French files that are not UTF-8 are almost
    always Windows-1252 or Latin-1, the same letters), run by run: a file mixing both, text pasted
    from two sources, keeps its UTF-8 lines. Invalid UTF-16 is read with U+FFFD in place of what
    cannot be decoded (an odd last byte, a lone surrogate).
    """
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _decode_utf16(raw)
    body = raw[3:] if raw.startswith(codecs.BOM_UTF8) else raw
    try:
        return body.decode("utf-8"), None
    except UnicodeDecodeError:
        pass
    text = body.decode("utf-8", errors=_CP1252_FALLBACK)
    lines = body.splitlines()
    bad = [line for line in lines if not _is_utf8(line)]
    if len(bad) == len(lines) or all(line.isascii() for line in lines if _is_utf8(line)):
        return text, "not valid UTF-8; decoded as Windows-1252"
    return text, (f"mixed encodings: {len(bad)} of {len(lines)} lines not valid UTF-8, decoded as "
                  "Windows-1252; the others as UTF-8")


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
        return True
    except UnicodeDecodeError:
        return False


_CP1252_UNDEFINED = frozenset(b"\x81\x8d\x8f\x90\x9d")


def _read_as_cp1252(err: UnicodeError) -> tuple[str, int]:
    """Codec error handler: an invalid UTF-8 run read as Windows-1252 (Latin-1 for the five bytes
    Windows-1252 leaves undefined)."""
    if not isinstance(err, UnicodeDecodeError):
        raise err
    run = err.object[err.start:err.end]
    return "".join(chr(b) if b in _CP1252_UNDEFINED else bytes((b,)).decode("cp1252") for b in run), err.end


_CP1252_FALLBACK = "kg.cp1252-fallback"
codecs.register_error(_CP1252_FALLBACK, _read_as_cp1252)


def _decode_utf16(raw: bytes) -> tuple[str, str | None]:
    try:
        return raw.decode("utf-16"), None
    except UnicodeDecodeError as err:
        problem = "an odd number of bytes" if err.reason == "truncated data" else f"{err.reason} at byte {err.start}"
    text = raw.decode("utf-16", errors="replace")
    return text, f"not valid UTF-16 ({problem}); what cannot be decoded is read as U+FFFD"


def _clean(text: str) -> str:
    """Text without lone surrogates (from JSON escapes), which no RDF file can hold."""
    return re.sub("[\ud800-\udfff]", "\ufffd", text) if _has_surrogate(text) else text


def _has_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
        return False
    except UnicodeEncodeError:
        return True


# --- language ------------------------------------------------------------------------------------

def _lines(name: str) -> list[str]:
    text = resources.files("kg.resources.fr").joinpath(name).read_text(encoding="utf-8")
    return [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]


@lru_cache(maxsize=1)
def _function_words() -> frozenset[str]:
    return frozenset(_lines("function_words.txt"))


def french_ratio(text: str, *, max_words: int = 3000) -> tuple[float, int]:
    """Share of French function words among the first ``max_words`` words, and how many words were seen."""
    words = re.findall(r"[^\W\d_]+", text[: max_words * 12].lower())[:max_words]
    if not words:
        return 0.0, 0
    fw = _function_words()
    return sum(w in fw for w in words) / len(words), len(words)


def looks_french(text: str) -> bool:
    """False only for a text long enough to judge whose function words are not French ones."""
    ratio, n = french_ratio(text)
    return n < _MIN_WORDS_FOR_LANGUAGE or ratio >= _MIN_FRENCH_RATIO


# --- page chrome ---------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def _chrome_patterns() -> tuple[re.Pattern, re.Pattern, re.Pattern]:
    line = re.compile("|".join(f"(?:{p})" for p in _lines("chrome_lines.txt")), re.IGNORECASE)
    tail = re.compile("|".join(f"(?:{p})" for p in _lines("chrome_tail.txt")), re.IGNORECASE)
    nav = sorted(_lines("nav_words.txt"), key=len, reverse=True)
    menu = re.compile(r"(?:(?:{})(?:[\s>/|»›·•,:-]+|$|(?=[A-ZÉÈÀÂÎÔ])))+".format("|".join(map(re.escape, nav))),
                      re.IGNORECASE)
    return line, tail, menu


_BYLINE = re.compile(r"(?i:par)\s+[A-ZÉÈÀÂÎÔÛÇ][\w'’.-]*(?:\s+(?:(?:de|du|des|van|von|le|la|d'|d’)\s+)?"
                     r"[A-ZÉÈÀÂÎÔÛÇ][\w'’.-]*){0,3}(?:\s*(?:,|\||-|–|et|avec)\s*.{0,60})?")
_SOURCE = re.compile(r"^\s*source\s*:\s*(\S+)\s*$", re.IGNORECASE | re.MULTILINE)
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


def _is_sentence(line: str) -> bool:
    return len(line) > _SHORT_LINE or (line.endswith((".", "!", "?", "…", "»", '"')) and len(line.split()) >= 5)


def _is_tag_line(line: str) -> bool:
    """A short list of capitalised words: the tags under a headline ("Ukraine, Russie, Diplomatie")."""
    if line.startswith("#") and all(w.startswith("#") for w in line.split()):
        return True
    parts = [p.strip() for p in re.split(r"[,|·•]", line)]
    return len(parts) >= 3 and all(p and p[0].isupper() and len(p.split()) <= 3 for p in parts)


def _is_menu(line: str) -> bool:
    """A menu or breadcrumb line ("Accueil > Monde > Europe", "Accueil ActualitéUn titre")."""
    m = _chrome_patterns()[2].match(line)
    if not m:
        return False
    rest, words = line[m.end():].strip(), len(re.findall(r"\w+", line[: m.end()]))
    return not rest or words >= 2 or line.lower().startswith("accueil")


def is_chrome_line(line: str) -> bool:
    """Whether one stripped line is page chrome (menu, byline, tags, sharing, date, source...)."""
    if _SOURCE.match(line):
        return True
    if _is_sentence(line):
        return False
    line_re = _chrome_patterns()[0]
    return bool(line_re.fullmatch(line) or _BYLINE.fullmatch(line) or _is_tag_line(line) or _is_menu(line))


def _chrome_flags(lines: list[str]) -> list[bool]:
    """For each stripped line, whether it is chrome; a tail heading also takes the short lines after it."""
    tail = _chrome_patterns()[1]
    flags, in_tail = [], False
    for line in lines:
        if tail.fullmatch(line) and not _is_sentence(line):
            in_tail = True
            flags.append(True)
            continue
        if in_tail and line and len(line.split()) >= 25:
            in_tail = False  # a real paragraph: the article goes on after a block of teasers
        flags.append(in_tail or is_chrome_line(line))
    return flags


def split_body(text: str) -> tuple[tuple[int, int], ...]:
    """Character ranges of the lines that are article text rather than page chrome."""
    raw_lines = text.splitlines(keepends=True)
    stripped = [ln.strip() for ln in raw_lines]
    ranges, pos = [], 0
    for line, s, chrome in zip(raw_lines, stripped, _chrome_flags(stripped)):
        if s and not chrome:
            content = line.rstrip("\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")
            lead = len(content) - len(content.lstrip())
            ranges.append((pos + lead, pos + len(content.rstrip())))
        pos += len(line)
    return tuple(ranges)


# --- metadata ------------------------------------------------------------------------------------

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


def _text_metadata(text: str) -> tuple[str | None, str | None, str | None]:
    """Title, source URL and publication date found in a plain text's lines."""
    lines = [ln.strip() for ln in text.splitlines()]
    flags = _chrome_flags(lines)
    url = web_url((m := _SOURCE_URL.search(text)) and m.group(1))
    date = None
    if url:
        date = url_date(url)
    for line, chrome in zip(lines, flags):
        if date:
            break
        if chrome and not _SOURCE.match(line):
            date = parse_date(line)
    return _title(lines, flags), url or None, date


# --- readers -------------------------------------------------------------------------------------

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
                        f"(need {_MIN_FRENCH_RATIO:.0%})")


def _with_body(article: Article) -> Article:
    """``article`` unless all its lines are page chrome."""
    if not article.body:
        raise SkipError("no article text, only page chrome (menus, bylines, links)")
    return article


def _open_regular(path: Path) -> BinaryIO:
    """``path`` opened for reading when it is a regular file; opened without blocking, so that a FIFO
    put in its place since it was found cannot hold the build."""
    f = open(os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC), "rb")  # noqa: SIM115 (returned)
    if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):
        f.close()
        raise SkipError("not a regular file")
    return f


def _read_raw(path: Path, limit: int) -> bytes:
    """The bytes of the regular file ``path``, unless it is larger than ``limit``."""
    with _open_regular(path) as f:
        info = os.fstat(f.fileno())
        if info.st_size > limit:
            raise SkipError(f"too large: {info.st_size / 1e6:.1f} MB, over the limit of {limit / 1e6:.0f} MB "
                            "for one article")
        return f.read()


def read_text_file(path: Path, *, on_notice: OnNotice | None = None) -> Article:
    """The article stored in one plain-text file, with its metadata."""
    raw = _read_raw(path, MAX_FILE_BYTES)
    if not raw.strip():
        raise SkipError("empty file" if not raw else "only whitespace")
    if kind := binary_kind(raw):
        raise SkipError(f"binary file ({kind}), not text")
    text, note = decode(raw)
    if note and on_notice:  # a guess, or a repair; UTF-8 and BOMs are certain
        on_notice(path, note)
    _check_text(text, empty="only whitespace")
    title, url, date = _text_metadata(text)
    return _with_body(Article(doc_id=path.stem, file_name=path.name, content_hash=_sha256(raw), text=text,
                   title=title, url=url, date=date, body=split_body(text)))


def read_html_file(path: Path, *, on_notice: OnNotice | None = None) -> Article:
    """The article of a saved web page: body text and metadata extracted by trafilatura."""
    import trafilatura  # slow to import; only HTML inputs need it

    raw = _read_raw(path, MAX_HTML_BYTES)
    if not raw.strip():
        raise SkipError("empty file")
    if (kind := binary_kind(raw)) and not raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise SkipError(f"binary file ({kind}), not an HTML page")
    options = {"with_metadata": True, "include_comments": False, "include_tables": False}
    doc = trafilatura.bare_extraction(raw, **options)
    if doc is None or not doc.text:  # perhaps nested deeper than lxml reads by default
        doc = trafilatura.bare_extraction(_deep_html_tree(raw), **options)
    text = _clean(doc.text) if doc is not None and doc.text else ""
    _check_text(text, empty="no article text found in the HTML page")
    _, text_url, text_date = _text_metadata(text)
    date = (doc.date and parse_date(doc.date)) or text_date
    return _with_body(Article(doc_id=path.stem, file_name=path.name, content_hash=_sha256(raw), text=text,
                   title=_clean(doc.title) if doc.title else None, url=web_url(doc.url) or text_url, date=date,
                   body=split_body(text)))


def _deep_html_tree(raw: bytes):
    """The page parsed by lxml without its limit of 255 nested elements (libxml2's ``HUGE`` option, up
    to 2,048): past it trafilatura sees an empty page."""
    from lxml.html import HTMLParser, document_fromstring
    from trafilatura.utils import decode_file

    parser = HTMLParser(huge_tree=True, encoding="utf-8", remove_comments=True, remove_pis=True,
                        collect_ids=False, default_doctype=False)
    return document_fromstring(decode_file(raw).encode("utf-8"), parser=parser)


def _jsonl_lines(path: Path) -> Iterator[tuple[int, bytes | None]]:
    """(line number, bytes) of each line; None for a line longer than MAX_FILE_BYTES, which is not kept."""
    with _open_regular(path) as f:
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
    return _clean(value).strip() or None if isinstance(value, str) else None


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
            text = _clean(text)
            _check_text(text, empty="empty text")
            ident = obj.get("id")
            doc_id = str(ident) if isinstance(ident, (str, int)) and str(ident).strip() else f"{path.stem}-{n}"
            date = None
            if (raw_date := _field(obj, "date")) and not (date := parse_date(raw_date)) and on_notice:
                on_notice(path, f"line {n}: date {raw_date[:40]!r} not understood; left out")
            title, url, text_date = _text_metadata(text)
            if (raw_url := _field(obj, "url")) and not web_url(raw_url) and on_notice:
                on_notice(path, f"line {n}: url {raw_url[:40]!r} is no http(s) address; left out")
            yield _with_body(Article(doc_id=doc_id, file_name=path.name, content_hash=_sha256(line), text=text,
                          title=_field(obj, "title") or title, url=web_url(_field(obj, "url")) or url,
                          date=date or text_date, body=split_body(text)))
        except SkipError as err:
            _skip(on_skip, path, f"line {n}: {err}")


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


def _articles_of(path: Path, on_skip: OnSkip | None, on_notice: OnNotice | None) -> Iterator[Article]:
    try:
        if InputKind.of(path) is InputKind.JSONL:
            yield from read_jsonl_file(path, on_skip=on_skip, on_notice=on_notice)
            return
        kind = InputKind.of(path)
        reader = read_html_file if kind is InputKind.HTML else read_text_file
        yield reader(path, on_notice=on_notice)
    except SkipError as err:
        _skip(on_skip, path, str(err))
    except OSError as err:
        _skip(on_skip, path, f"cannot read: {err.strerror or err}")


def _fingerprint(text: str) -> str:
    """Same for two copies of an article that differ only in encoding, BOM, line ends or spacing."""
    return hashlib.sha256(" ".join(unicodedata.normalize("NFC", text).split()).encode("utf-8")).hexdigest()


def iter_articles(inputs: Iterable[Path], *, on_skip: OnSkip | None = None,
                  on_notice: OnNotice | None = None) -> Iterator[Article]:
    """Every usable article under ``inputs``, once each.

    Unusable inputs (missing, empty, binary, not French, too large, duplicate) go to ``on_skip``; without
    it they raise SkipError. Assumptions made to read an input (encoding, renamed id) go to ``on_notice``.
    """
    seen_text: dict[str, str] = {}
    seen_id: dict[str, str] = {}
    for path in find_files(inputs, on_skip):
        for article in _articles_of(path, on_skip, on_notice):
            where = str(path) if article.doc_id == path.stem else f"{path} (id {article.doc_id})"
            key = _fingerprint(article.text)
            if key in seen_text:
                which = "" if article.doc_id == path.stem else f"id {article.doc_id}: "
                _skip(on_skip, path, f"{which}duplicate of {seen_text[key]} (same text)")
                continue
            seen_text[key] = where
            if article.doc_id in seen_id:
                new_id = _free_id(f"{path.parent.name}/{article.doc_id}", seen_id)
                if on_notice:
                    on_notice(path, f"id {article.doc_id!r} already used by {seen_id[article.doc_id]}; "
                                    f"using {new_id!r}")
                article = _replace_id(article, new_id)
            seen_id[article.doc_id] = where
            yield article


def _free_id(base: str, taken: dict[str, str]) -> str:
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = f"{base}~{n}"
    return candidate


def _replace_id(article: Article, doc_id: str) -> Article:
    from dataclasses import replace

    return replace(article, doc_id=doc_id)
