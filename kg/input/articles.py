"""Every article under the inputs, once each: readers chosen by file type, duplicates and ids settled.

Inputs are plain-text files (``.txt``), saved web pages (``.html``/``.htm``, read with trafilatura) and
collections with one JSON article per line (``.jsonl``). Whatever cannot be used as an article is
reported to ``on_skip(path, why)``; what was assumed to read the rest goes to ``on_notice(path, what)``.
"""
from __future__ import annotations

import dataclasses
import hashlib
import itertools
import unicodedata
from collections.abc import Iterable, Iterator
from pathlib import Path

from kg.input.files import InputKind, OnNotice, OnSkip, SkipError, find_files, skip
from kg.input.readers import read_html_file, read_jsonl_file, read_text_file
from kg.records import Article


def _articles_of(path: Path, on_skip: OnSkip | None, on_notice: OnNotice | None) -> Iterator[Article]:
    try:
        if InputKind.of(path) is InputKind.JSONL:
            yield from read_jsonl_file(path, on_skip=on_skip, on_notice=on_notice)
            return
        kind = InputKind.of(path)
        reader = read_html_file if kind is InputKind.HTML else read_text_file
        yield reader(path, on_notice=on_notice)
    except SkipError as err:
        skip(on_skip, path, str(err))
    except OSError as err:
        skip(on_skip, path, f"cannot read: {err.strerror or err}")


def _fingerprint(text: str) -> str:
    """Same for two copies of an article that differ only in encoding, BOM, line ends or spacing."""
    return hashlib.sha256(" ".join(unicodedata.normalize("NFC", text).split()).encode("utf-8")).hexdigest()


def iter_articles(inputs: Iterable[Path | Article], *, on_skip: OnSkip | None = None,
                  on_notice: OnNotice | None = None) -> Iterator[Article]:
    """Every usable article under ``inputs`` (files, folders, or articles already read: those first),
    once each.

    Unusable inputs (missing, empty, binary, not French, too large, duplicate) go to ``on_skip``; without
    it they raise SkipError. Assumptions made to read an input (encoding, renamed id) go to ``on_notice``.
    """
    seen_text: dict[str, str] = {}
    seen_id: dict[str, str] = {}
    inputs = list(inputs)
    given = [(Path(a.file_name), iter([a])) for a in inputs if isinstance(a, Article)]
    files = find_files([p for p in inputs if not isinstance(p, Article)], on_skip)
    for path, articles in itertools.chain(given, ((p, _articles_of(p, on_skip, on_notice)) for p in files)):
        for article in articles:
            where = str(path) if article.doc_id == path.stem else f"{path} (id {article.doc_id})"
            key = _fingerprint(article.text)
            if key in seen_text:
                which = "" if article.doc_id == path.stem else f"id {article.doc_id}: "
                skip(on_skip, path, f"{which}duplicate of {seen_text[key]} (same text)")
                continue
            seen_text[key] = where
            if article.doc_id in seen_id:
                new_id = _free_id(f"{path.parent.name}/{article.doc_id}", seen_id)
                if on_notice:
                    on_notice(path, f"id {article.doc_id!r} already used by {seen_id[article.doc_id]}; "
                                    f"using {new_id!r}")
                article = dataclasses.replace(article, doc_id=new_id)
            seen_id[article.doc_id] = where
            yield article


def _free_id(base: str, taken: dict[str, str]) -> str:
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = f"{base}~{n}"
    return candidate

