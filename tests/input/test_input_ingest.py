"""Reading inputs: encodings, junk skipped with a reason naming the file, duplicates, many files."""
from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from kg.input.articles import iter_articles
from kg.input.files import SkipError
from kg.input.readers import MAX_FILE_BYTES, read_article


def _read(inputs, **kw):
    skips, notes = [], []
    arts = list(iter_articles(inputs, on_skip=lambda p, why: skips.append((p, why)),
                              on_notice=lambda p, what: notes.append((p, what)), **kw))
    return arts, skips, notes


TEXT = "L’envoyé spécial a été reçu à Genève où il a déclaré : « Nous sommes prêts à négocier ». " * 3


@pytest.mark.parametrize("encoding,expected_note", [
    ("utf-8", None), ("utf-8-sig", None), ("utf-16", None),
    ("cp1252", "not valid UTF-8; decoded as Windows-1252"),
])
def test_ingest_decodes_encodings(tmp_path, encoding, expected_note):
    path = tmp_path / "a.txt"
    path.write_bytes(TEXT.encode(encoding))
    (art,), skips, notes = _read([path])
    assert art.text == TEXT and not skips
    assert notes == ([(path, expected_note)] if expected_note else [])


def test_ingest_latin1_with_byte_undefined_in_cp1252(tmp_path):
    path = tmp_path / "a.txt"
    text = TEXT.replace("’", "'") + "\x81"  # 0x81 is unassigned in Windows-1252, a control in Latin-1
    path.write_bytes(text.encode("latin-1"))
    (art,), _, notes = _read([path])
    assert art.text == text
    assert notes == [(path, "not valid UTF-8; decoded as Windows-1252")]


def test_ingest_same_article_in_two_encodings_is_a_duplicate(tmp_path):
    (tmp_path / "a.txt").write_bytes(TEXT.encode("utf-8"))
    (tmp_path / "b.txt").write_bytes(TEXT.replace("’", "'").encode("cp1252"))
    (tmp_path / "c.txt").write_bytes(("\ufeff" + TEXT + "\r\n").encode("utf-8"))
    arts, skips, _ = _read([tmp_path])
    assert [a.file_name for a in arts] == ["a.txt", "b.txt"]  # b differs: straight apostrophe
    assert skips == [(tmp_path / "c.txt", f"duplicate of {tmp_path / 'a.txt'} (same text)")]


def test_ingest_skips_junk_with_one_reason_each(tmp_path, article_text):
    junk = {
        "empty.txt": (b"", "empty file"),
        "blank.txt": (b"  \n\t\n \r\n", "only whitespace"),
        "nul.txt": (b"abc\x00\x01\x02def" * 100, "binary file (binary data), not text"),
        "doc.txt": (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "binary file (PDF), not text"),
        "english.txt": (("The special envoy met the foreign minister in Geneva on Monday and said that both "
                         "sides were ready to talk about the peace plan, the sanctions and the prisoners. ") * 2,
                        "not French"),
        "spanish.txt": (("El enviado especial se reunió con el ministro en Ginebra el lunes y dijo que las dos "
                         "partes estaban listas para hablar del plan de paz y de las sanciones. ") * 2, "not French"),
    }
    for name, (content, _) in junk.items():
        data = content.encode("utf-8") if isinstance(content, str) else content
        (tmp_path / name).write_bytes(data)
    (tmp_path / "good.txt").write_text(article_text(1), encoding="utf-8")
    (tmp_path / "notes.md").write_text("not an input", encoding="utf-8")  # ignored in folders
    arts, skips, _ = _read([tmp_path, tmp_path / "missing.txt"])
    assert [a.file_name for a in arts] == ["good.txt"]
    reasons = {p.name: why for p, why in skips}
    assert reasons.pop("missing.txt") == "no such file or folder"
    assert set(reasons) == set(junk)
    for name, (_, why) in junk.items():
        assert reasons[name].startswith(why), (name, reasons[name])
    assert "% of" in reasons["english.txt"] and "words are French function words" in reasons["english.txt"]


def test_ingest_short_text_is_not_judged_on_language(tmp_path):
    (tmp_path / "a.txt").write_text("Paris, le 3 mars.\n", encoding="utf-8")
    arts, skips, _ = _read([tmp_path])
    assert len(arts) == 1 and not skips


def test_ingest_too_large_file_is_skipped_without_reading_it(tmp_path):
    big = tmp_path / "big.txt"
    with big.open("wb") as f:  # sparse: tens of MB on paper, nothing on disk
        f.truncate(40_000_000)
    _, skips, _ = _read([big])
    assert skips == [(big, f"too large: 40.0 MB, over the limit of {MAX_FILE_BYTES / 1e6:.0f} MB for one article")]


def test_ingest_too_many_characters_is_skipped(tmp_path):
    path = tmp_path / "long.txt"
    path.write_text(TEXT * (1_000_001 // len(TEXT) + 1), encoding="utf-8")
    _, skips, _ = _read([path])
    assert len(skips) == 1 and skips[0][1].startswith("too long: ") and "1,000,000" in skips[0][1]


def test_ingest_without_on_skip_raises_naming_the_file(tmp_path):
    (tmp_path / "e.txt").write_bytes(b"")
    with pytest.raises(SkipError, match=r"e\.txt: empty file"):
        list(iter_articles([tmp_path]))
    with pytest.raises(SkipError, match=r"e\.txt: empty file"):
        read_article(tmp_path / "e.txt")


def test_ingest_unsupported_file_named_explicitly(tmp_path):
    path = tmp_path / "article.docx"
    path.write_bytes(b"PK\x03\x04")
    _, skips, _ = _read([path])
    assert skips == [(path, "unsupported file type '.docx'; use one of .txt, .html, .htm, .jsonl")]


def test_ingest_same_stem_in_two_folders_gets_distinct_ids(tmp_path, article_text):
    for i, sub in enumerate(["a", "b"]):
        (tmp_path / sub).mkdir()
        (tmp_path / sub / "x.txt").write_text(article_text(i), encoding="utf-8")
    arts, skips, notes = _read([tmp_path])
    assert [a.doc_id for a in arts] == ["x", "b/x"] and not skips
    assert notes == [(tmp_path / "b" / "x.txt", f"id 'x' already used by {tmp_path / 'a' / 'x.txt'}; using 'b/x'")]


def test_ingest_thousands_of_tiny_files(tmp_path):
    for i in range(3000):
        (tmp_path / f"t{i:05d}.txt").write_text(f"Le ministre est arrivé à Oslo (dépêche {i}).\n", encoding="utf-8")
    (tmp_path / "t00007.txt").write_bytes(b"")
    started = time.monotonic()
    arts, skips, _ = _read([tmp_path])
    assert len(arts) == 2999 and skips == [(tmp_path / "t00007.txt", "empty file")]
    assert time.monotonic() - started < 20


def test_ingest_jsonl_collection(tmp_path, article_text):
    path = tmp_path / "coll.jsonl"
    lines = [
        json.dumps({"id": "dépêche-1", "text": article_text(1), "title": "Un titre", "url": "https://exemple.fr/a",
                    "date": "2024-03-05T10:00:00Z"}, ensure_ascii=False),
        json.dumps({"text": article_text(2), "date": "5 mars 2024"}),
        "",
        "{not json",
        json.dumps({"title": "pas de texte"}),
        json.dumps(["a", "list"]),
        json.dumps({"text": article_text(1)}),  # same text as line 1
        json.dumps({"text": article_text(3), "date": "hier"}),
        '{"text": "' + article_text(4).replace("\n", "\\n") + ' \\ud800"}',  # lone surrogate from a JSON escape
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    arts, skips, notes = _read([path])
    assert [a.doc_id for a in arts] == ["dépêche-1", "coll-2", "coll-8", "coll-9"]
    first = arts[0]
    assert (first.title, first.url, first.date, first.file_name) == ("Un titre", "https://exemple.fr/a",
                                                                     "2024-03-05", "coll.jsonl")
    assert arts[1].date == "2024-03-05"
    assert arts[3].text.endswith(" \ufffd") and arts[3].text.encode("utf-8")
    assert [(p, why.split(":")[0]) for p, why in skips] == [(path, "line 4"), (path, "line 5"), (path, "line 6"),
                                                           (path, "id coll-7")]
    assert "not valid JSON" in skips[0][1] and 'no "text" field' in skips[1][1]
    assert skips[3][1] == f"id coll-7: duplicate of {path} (id dépêche-1) (same text)"
    assert notes == [(path, "line 8: date 'hier' not understood; left out")]


def test_ingest_jsonl_streams_past_an_oversized_line(tmp_path, article_text):
    path = tmp_path / "big.jsonl"
    with path.open("w", encoding="utf-8") as f:
        f.write(json.dumps({"text": "x" * (MAX_FILE_BYTES + 10)}) + "\n")
        f.write(json.dumps({"text": article_text(5)}) + "\n")
    arts, skips, _ = _read([path])
    assert [a.doc_id for a in arts] == ["big-2"]
    assert skips == [(path, f"line 1: too large: over the limit of {MAX_FILE_BYTES / 1e6:.0f} MB for one article")]


def test_ingest_content_hash_is_of_the_raw_bytes(tmp_path):
    import hashlib

    path = tmp_path / "a.txt"
    raw = TEXT.replace("’", "'").encode("cp1252")
    path.write_bytes(raw)
    (art,), _, _ = _read([path])
    assert art.content_hash == "sha256:" + hashlib.sha256(raw).hexdigest()


def test_ingest_hidden_files_are_not_searched(tmp_path, article_text):
    (tmp_path / ".cache").mkdir()
    (tmp_path / ".cache" / "a.txt").write_text(article_text(1), encoding="utf-8")
    (tmp_path / "._b.txt").write_bytes(b"\x00\x05\x16\x07")  # macOS resource fork
    arts, skips, _ = _read([tmp_path])
    assert arts == [] and skips == []


def test_ingest_reads_seeds_without_notes(seeds_dir: Path):
    arts, skips, notes = _read([seeds_dir])
    assert len(arts) == 5 and not skips and not notes


def test_ingest_only_web_addresses_become_source_urls(tmp_path, article_text):
    path = tmp_path / "urls.jsonl"
    urls = ["javascript:alert(1)", "http://x/ <a> \"", "www.exemple.fr/b", "HTTPS://EXEMPLE.FR/C"]
    path.write_text("\n".join(json.dumps({"text": article_text(i + 1), "url": u}) for i, u in enumerate(urls)) + "\n",
                    encoding="utf-8")
    arts, _, notices = _read([path])
    assert [a.url for a in arts] == [None, None, "http://www.exemple.fr/b", "HTTPS://EXEMPLE.FR/C"]
    assert [why for _, why in notices if "url" in why] == [
        "line 1: url 'javascript:alert(1)' is no http(s) address; left out",
        "line 2: url 'http://x/ <a> \"' is no http(s) address; left out"]
