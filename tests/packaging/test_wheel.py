"""A wheel built from the repository works outside the checkout: build, validate, reason, query, JSON-LD.

The fresh virtual environment sees this environment's third-party packages (spaCy, its model, rdflib…)
through a .pth line naming our site-packages, so nothing is downloaded again. A directory a .pth adds
is not a site directory: the .pth files inside it, the editable install's finder among them, are not
run, so ``kg`` can only come from the wheel; the test checks that it does.
"""
from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

from kg.graph.vocab import DIP

ROOT = Path(__file__).resolve().parents[2]
SEED = min((ROOT / "seeds").glob("*.txt"))
# What a source distribution of the project needs; the rest of the checkout (tests, .venv, build
# leftovers) stays out, so that nothing but the sources can reach the wheel.
SOURCES = ("pyproject.toml", "README.md", "kg", "ontology", "queries")
TIMEOUT_S = 300

pytestmark = pytest.mark.slow


def _run(args: list[str], *, cwd: Path) -> subprocess.CompletedProcess:
    proc = subprocess.run(args, check=False, cwd=cwd, capture_output=True, text=True, timeout=TIMEOUT_S)
    assert proc.returncode == 0, f"{' '.join(map(str, args))}\n{proc.stdout}\n{proc.stderr}"
    return proc


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """The bin folder of a fresh virtual environment holding the wheel built from the repository."""
    base = tmp_path_factory.mktemp("wheel")
    src = base / "src"
    src.mkdir()
    for name in SOURCES:
        path = ROOT / name
        if path.is_dir():  # symlinks kept: kg/ontology and kg/queries point at ../ontology, ../queries
            shutil.copytree(path, src / name, symlinks=True,
                            ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
        else:
            shutil.copy2(path, src / name)
    dist = base / "dist"
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(dist), str(src)], cwd=base)
    (wheel,) = dist.glob("diplomacy_kg-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for packaged in ("kg/ontology/diplomacy.ttl", "kg/ontology/shapes.ttl", "kg/ontology/context.jsonld",
                     "kg/queries/envoys.rq", "kg/report/templates/report.html"):
        assert packaged in names, f"{packaged} is not in the wheel"

    venv = base / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], cwd=base)
    python = venv / "bin" / "python"
    site = _run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], cwd=base)
    (Path(site.stdout.strip()) / "_kg_test_parent.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    _run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--quiet", str(wheel)],
         cwd=base)
    where = _run([str(python), "-c", "import kg; print(kg.__file__)"], cwd=base).stdout.strip()
    assert Path(where).is_relative_to(venv), f"kg imported from {where}, not from the wheel"
    return venv / "bin"


def test_wheel_builds_validates_reasons_and_queries_outside_the_checkout(installed, tmp_path):
    kg = str(installed / "kg")
    article = tmp_path / SEED.name
    shutil.copy2(SEED, article)
    # one build time for both: the dataset description states it
    when = ["--timestamp", "2025-03-01T12:00:00Z"]
    _run([kg, "build", article.name, "-o", "graph.ttl", "--workers", "1", *when], cwd=tmp_path)
    _run([kg, "build", article.name, "-o", "graph.jsonld", "--workers", "1", *when], cwd=tmp_path)
    ttl = Graph().parse(tmp_path / "graph.ttl")
    jsonld = Graph().parse(tmp_path / "graph.jsonld", format="json-ld")
    assert len(ttl) > 100 and isomorphic(ttl, jsonld)

    assert "Conforms: yes" in _run([kg, "validate", "graph.ttl"], cwd=tmp_path).stdout
    reasoned = _run([kg, "reason", "graph.ttl", "-o", "inferred.ttl"], cwd=tmp_path)
    assert "Consistent: yes" in reasoned.stdout and len(Graph().parse(tmp_path / "inferred.ttl")) > 0

    (tmp_path / "envoys.rq").write_text(
        "PREFIX dip: <https://w3id.org/diplomacy-kg/ontology#>\n"
        "SELECT ?envoy ?principal WHERE { ?envoy dip:envoyOf ?principal }\n", encoding="utf-8")
    _run([kg, "load", "graph.ttl", "--store", "store"], cwd=tmp_path)
    rows = _run([kg, "query", "envoys.rq", "--store", "store", "--format", "csv"], cwd=tmp_path).stdout
    expected = {(str(s), str(o)) for s, _, o in ttl.triples((None, DIP.envoyOf, None))}
    assert expected and {tuple(r.split(",")) for r in rows.splitlines()[1:]} == expected
