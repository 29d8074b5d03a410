"""The builder's triples: a set of N-Triples lines that spills to sorted run files past a size."""
from __future__ import annotations

from decimal import Decimal
from itertools import groupby
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib import RDF, XSD

from kg.graph.mapping import SINGLE
from kg.graph.triples import Keep, Triples
from kg.graph.vocab import DIP, ID

NODES = [ID[f"fact/{name}"] for name in ("a", "a-b", "ab", "b")]
PROPERTIES = [RDF.type, DIP.content, DIP.quoted, DIP.confidence, DIP.title]
VALUES = st.one_of(st.sampled_from(["", "x", "x y", 'say "no"', "back\\slash", "é\nline", "zz"]),
                   st.booleans(), st.sampled_from(["0.5", "0.55", "0.9", "1.0"]))
TRIPLES = st.lists(st.tuples(st.sampled_from(NODES), st.sampled_from(PROPERTIES), VALUES), max_size=60)


def _add(t: Triples, triples) -> Triples:
    for s, p, v in triples:
        if p is RDF.type:
            t.link(s, p, DIP.Statement if v else DIP.Evidence)
        elif p is DIP.confidence:
            t.value(s, p, Decimal(v) if isinstance(v, str) and v[:1].isdigit() else Decimal("0.1"), XSD.decimal)
        else:
            t.value(s, p, v)
    return t


def _expected(lines: set[str]) -> list[str]:
    """Sorted lines, each once, one value per subject of each single-valued property (by hand)."""
    single = {f"<{p}>": keep for p, keep in SINGLE.items()}
    out = []
    for (_s, p), group in groupby(sorted(lines), key=lambda line: tuple(line.split(" ", 2)[:2])):
        group = list(group)
        if p not in single:
            out += group
        else:
            out.append(min(group) if single[p] is Keep.LEAST else max(group))
    return out


@settings(max_examples=80, deadline=None)
@given(TRIPLES, st.integers(1, 8))
def test_triples_spilled_read_as_one_set(triples, spill):
    whole = _add(Triples(single=SINGLE), triples)
    spilled = _add(Triples(single=SINGLE, spill=spill), triples)
    expected = _expected(whole.lines)
    assert list(whole) == expected
    assert list(spilled) == expected
    assert list(spilled) == expected  # a second read gives the same lines
    assert len(spilled) == len(expected) and bool(spilled) == bool(triples)
    assert spilled.ntriples() == whole.ntriples() == spilled.reader().read()


def test_triples_single_values_do_not_depend_on_order():
    node = ID["statement/s"]
    reports = [("b", False, "0.5"), ("a", True, "0.9"), ("c", False, "1.0")]
    outputs = set()
    for order in (reports, reports[::-1], reports[1:] + reports[:1]):
        t = Triples(single=SINGLE, spill=2)
        for content, quoted, confidence in order:
            t.value(node, DIP.content, content)
            t.value(node, DIP.quoted, quoted)
            t.value(node, DIP.confidence, Decimal(confidence), XSD.decimal)
        outputs.add(t.ntriples())
    assert len(outputs) == 1
    text = outputs.pop().decode()
    assert f'<{DIP.content}> "a" .' in text  # the least spelling
    assert f'<{DIP.quoted}> "true"' in text  # quoted by any report
    assert f'<{DIP.confidence}> "1.0"' in text and '"0.9"' not in text  # the best confidence


def test_triples_runs_merge_into_one_file_and_go_with_the_triples():
    t = _add(Triples(single=SINGLE, spill=3), [(n, DIP.title, str(i)) for i, n in enumerate(NODES * 3)])
    folder = Path(t._folder.name)
    assert len(list(folder.glob("run*.nt"))) == 4  # 12 lines, 3 a run
    assert len(t) == 12
    assert len(list(folder.glob("run*.nt"))) == 1  # merged once, read from then on
    del t
    assert not folder.exists()


def test_mapping_spilled_gives_the_same_bytes(seeds_results):
    from kg.build.pipeline import corpus_of
    from kg.graph.mapping import to_triples

    corpus = corpus_of(list(seeds_results))
    whole, spilled = to_triples(corpus), to_triples(corpus, spill=50)
    assert len(whole) > 1000 and spilled._runs
    assert spilled.ntriples() == whole.ntriples()


def test_triples_run_folders_of_killed_builds_are_removed(tmp_path, monkeypatch):
    import subprocess
    import sys
    import tempfile

    from kg.graph import triples as mapping

    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setattr(tempfile, "tempdir", None)  # gettempdir() reads TMPDIR again
    # a build killed while it spilled: its folder stays, its lock died with it
    code = ("import os, kg.graph.triples as m; f = m._run_folder(); print(f.name, flush=True); "
            "os.kill(os.getpid(), 9)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    stale = Path(out.stdout.strip())
    assert stale.is_dir() and stale.parent == tmp_path
    other = tmp_path / "kg-triples-not-ours"  # no lock file: not a folder of ours, kept
    other.mkdir()
    live = mapping._run_folder()  # a live one is kept by the next build too
    newer = mapping._run_folder()
    assert not stale.exists()
    assert other.is_dir() and Path(live.name).is_dir() and Path(newer.name).is_dir()
