"""Bytes to text: binary data told apart, UTF-8, UTF-16 and Windows-1252 read, surrogates replaced."""
from __future__ import annotations

import codecs
import re

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


def clean(text: str) -> str:
    """Text without lone surrogates (from JSON escapes), which no RDF file can hold."""
    return re.sub("[\ud800-\udfff]", "\ufffd", text) if _has_surrogate(text) else text


def _has_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
        return False
    except UnicodeEncodeError:
        return True
