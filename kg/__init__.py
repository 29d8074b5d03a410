"""diplomacy-kg: French diplomatic news -> a validated, queryable RDF knowledge graph.

The public API; the `kg` command line (kg/cli/) is a thin layer over it. The heavy parts (spaCy,
rdflib, pyshacl) are imported on first use, so ``import kg`` and `kg --help` stay fast.

>>> import kg
>>> g = kg.build_graph("Le ministre kalvanien des Affaires étrangères, Jean Dupont, a rencontré "
...                    "lundi à Genève son homologue Paul Martin.", workers=1)
>>> [row["name"].value for row in kg.query_graph(
...     "PREFIX dip: <https://w3id.org/diplomacy-kg/ontology#> "
...     "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
...     "SELECT ?name WHERE { ?p a dip:Person ; rdfs:label ?name } ORDER BY ?name", g)]
['Jean Dupont', 'Paul Martin']
>>> kg.validate_graph(g).conforms
True
"""
from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias, cast

if TYPE_CHECKING:
    from rdflib import Graph
    from rdflib.term import Node

    from kg.build.cache import BuildReport
    from kg.checks.shacl import ValidationResult
    from kg.records import Article
    from kg.stores.embedded import LoadResult

__all__ = ["Row", "build_graph", "build_into", "load", "plain", "query_graph", "query_store", "read_graph",
           "validate_graph", "write_graph"]

# One input of build_graph; see its docstring for the rule that tells paths from texts.
Source: TypeAlias = "str | os.PathLike[str] | tuple[str, str] | Article"
Sources: TypeAlias = "Source | Iterable[Source] | Mapping[str, str]"


def __getattr__(name: str) -> Any:
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version("diplomacy-kg")
        except PackageNotFoundError:  # a checkout that was never installed
            return "0+unknown"
    raise AttributeError(f"module 'kg' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*__all__, "__version__"])


# --- building ------------------------------------------------------------------------------------

def build_graph(inputs: Sources, *, workers: int | None = None,
                progress: Callable[[int, Article], None] | None = None,
                on_skip: Callable[[Path, str], None] | None = None,
                on_notice: Callable[[Path, str], None] | None = None) -> Graph:
    """The RDF graph (an rdflib Graph) of the articles in ``inputs``.

    ``inputs`` is one input or a list of them (or a ``{id: text}`` dict). An input is:

    - a ``pathlib.Path`` (any ``os.PathLike``): a .txt, .html or .jsonl file, or a folder of them;
    - a ``str`` naming an existing file or folder, or holding no whitespace: a path as well (so a
      mistyped path fails as a missing file instead of being read as a one-word article);
    - any other ``str``: the text of one article, with id ``text-1``, ``text-2``... by position;
    - a tuple ``(id, text)``: the text of one article with its id;
    - a ``kg.records.Article``, used as it is.

    An unusable input (missing, empty, not French...) raises ``kg.input.files.SkipError`` (a
    ValueError) unless ``on_skip(path, why)`` takes it; ``on_notice(path, what)`` hears what was
    assumed to read an input; ``progress(n, article)`` is called after each article analysed.
    ``workers``: processes for the analysis (default all cores; 1 analyses in this process).

    >>> from kg.graph.vocab import DIP
    >>> g = build_graph(("note-1", "L'envoyé spécial Jean Dupont a rencontré mardi à Paris le "
    ...                 "président Paul Martin."), workers=1)
    >>> [str(name) for name in g.objects(None, DIP.fileName)]
    ['note-1']
    """
    from kg.build.pipeline import build_graph as build

    return build(cast(list[Path], _sources(inputs, on_skip)), workers=workers, progress=progress,
                 on_skip=on_skip, on_notice=on_notice)


def build_into(state_dir: str | os.PathLike[str], inputs: Sources, *, workers: int | None = None,
               progress: Callable[[int, Article], None] | None = None,
               on_skip: Callable[[Path, str], None] | None = None,
               on_notice: Callable[[Path, str], None] | None = None) -> tuple[Graph, BuildReport]:
    """Add ``inputs`` (as for build_graph) to the incremental build kept in ``state_dir`` (created if
    needed) and return the graph of every article in it, with a report of what was analysed, taken
    from the cache, unchanged or replaced. Only new or changed articles go through spaCy."""
    from kg.build.pipeline import build_into as build

    return build(Path(state_dir), cast(list[Path], _sources(inputs, on_skip)), workers=workers,
                 progress=progress, on_skip=on_skip, on_notice=on_notice)


def _sources(inputs: Sources, on_skip: Callable[[Path, str], None] | None) -> list[Path | Article]:
    """Paths and articles, from the inputs of build_graph (texts read into articles)."""
    from kg.input.files import SkipError
    from kg.input.readers import read_text
    from kg.records import Article

    if isinstance(inputs, Mapping):
        items: list[Any] = list(inputs.items())
    elif isinstance(inputs, (str, os.PathLike, tuple, Article)):
        items = [inputs]
    else:
        items = list(inputs)
    out: list[Path | Article] = []
    texts = 0
    for item in items:
        if isinstance(item, Article):
            out.append(item)
            continue
        if isinstance(item, os.PathLike) or (isinstance(item, str) and _is_path(item)):
            out.append(Path(item))
            continue
        if isinstance(item, tuple) and len(item) == 2 and all(isinstance(x, str) for x in item):
            doc_id, text = item
        elif isinstance(item, str):
            texts += 1
            doc_id, text = f"text-{texts}", item
        else:
            raise TypeError(f"build_graph: {item!r:.60} is not a path, a text, an (id, text) pair or an Article")
        try:
            out.append(read_text(text, doc_id=doc_id))
        except SkipError as err:
            if on_skip is None:
                raise
            on_skip(Path(doc_id), str(err).removeprefix(f"{doc_id}: "))
    return out


def _is_path(text: str) -> bool:
    return not any(c.isspace() for c in text) or os.path.exists(text)


# --- checking ------------------------------------------------------------------------------------

def validate_graph(g: Graph) -> ValidationResult:
    """Validate ``g`` against the SHACL shapes (on the data alone, no ontology needed): ``.conforms``, ``.violations``
    (shape, focus node, path, message of each) and pyshacl's ``.report`` graph.

    >>> from rdflib import RDF, Graph
    >>> from kg.graph.vocab import DIP, ID
    >>> g = Graph()
    >>> _ = g.add((ID["person/jean-dupont"], RDF.type, DIP.Person))
    >>> result = validate_graph(g)
    >>> result.conforms, sorted({v.shape.split("#")[-1] for v in result.violations})
    (False, ['EntityLabelShape', 'EntityMentionedInShape'])
    """
    from kg.checks.shacl import validate

    return validate(g)


# --- reading and writing -------------------------------------------------------------------------

def read_graph(path: str | os.PathLike[str], *, format: str | None = None) -> Graph:  # noqa: A002
    """Parse an RDF file (``-``: standard input). ``format`` (turtle, ntriples, nquads, trig, jsonld,
    rdfxml) defaults to the one of the extension; named graphs are merged. A file that does not
    parse raises ``kg.graph.formats.GraphSyntaxError`` (a ValueError) naming the file, the line and
    the problem."""
    from kg.graph.formats import RdfFormat
    from kg.graph.formats import read_graph as read

    return read(os.fspath(path), fmt=RdfFormat.from_name(format) if format else None)


def write_graph(g: Graph, path: str | os.PathLike[str], *, format: str | None = None) -> None:  # noqa: A002
    """Write ``g`` to ``path`` (``-``: standard output) atomically: a failure leaves the file there
    before intact. ``format`` as for read_graph; Turtle, N-Triples and RDF/XML come out sorted."""
    from kg.graph.formats import RdfFormat
    from kg.graph.formats import write_graph as write

    write(g, os.fspath(path), fmt=RdfFormat.from_name(format) if format else None)


# --- querying ------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Row:
    """One solution of a SELECT query: an rdflib term (URIRef, Literal, BNode), or None where the
    variable is unbound, for each variable; by name (``row["name"]``) or position (``row[0]``).

    >>> from rdflib import Literal, URIRef
    >>> row = Row(("who", "n"), (URIRef("https://example.org/jean-dupont"), Literal(3)))
    >>> row["who"], row[1].toPython(), row.get("absent")
    (rdflib.term.URIRef('https://example.org/jean-dupont'), 3, None)
    >>> row.plain()
    {'who': 'https://example.org/jean-dupont', 'n': 3}
    """

    variables: tuple[str, ...]
    terms: tuple[Node | None, ...]

    def __getitem__(self, key: str | int) -> Node | None:
        return self.terms[key if isinstance(key, int) else self.variables.index(key)]

    def __iter__(self) -> Iterator[Node | None]:
        return iter(self.terms)

    def __len__(self) -> int:
        return len(self.terms)

    def get(self, name: str, default: Node | None = None) -> Node | None:
        return self[name] if name in self.variables else default

    def asdict(self) -> dict[str, Node | None]:
        """The terms by variable name."""
        return dict(zip(self.variables, self.terms))

    def plain(self) -> dict[str, Any]:
        """The values by variable name as plain Python values (see ``kg.plain``)."""
        return {v: plain(t) for v, t in zip(self.variables, self.terms)}


def plain(term: Node | None) -> Any:
    """A term as a plain Python value: an IRI as its string, a blank node as ``_:label``, a literal
    as the value of its datatype (int, Decimal, bool, datetime.date...) or its text.

    >>> from rdflib import Literal, URIRef, XSD
    >>> plain(URIRef("https://example.org/x")), plain(Literal("2024-05-01", datatype=XSD.date)), plain(None)
    ('https://example.org/x', datetime.date(2024, 5, 1), None)
    """
    from rdflib import BNode, Literal

    if term is None:
        return None
    if isinstance(term, Literal):
        return term.toPython()
    if isinstance(term, BNode):
        return f"_:{term}"
    return str(term)


def query_graph(query: str | os.PathLike[str], g: Graph, *, bindings: Mapping[str, Any] | None = None) -> list[Row]:
    """Run a SELECT query over ``g``; the solutions as Rows of rdflib terms.

    ``query`` is SPARQL text, or a ``pathlib.Path`` to a .rq file (whose header parameters and their
    defaults then apply). ``bindings`` give variables a value before the query runs (rdflib terms, or
    Python values made into literals); they go in as a VALUES block, as `kg query --param` does.

    >>> from rdflib import RDFS, Graph, Literal
    >>> from kg.graph.vocab import ID
    >>> g = Graph()
    >>> _ = g.add((ID["person/jean-dupont"], RDFS.label, Literal("Jean Dupont")))
    >>> q = "SELECT ?p ?name WHERE { ?p <http://www.w3.org/2000/01/rdf-schema#label> ?name }"
    >>> [row.plain() for row in query_graph(q, g)]
    [{'p': 'https://w3id.org/diplomacy-kg/id/person/jean-dupont', 'name': 'Jean Dupont'}]
    >>> query_graph(q, g, bindings={"name": "Paul Martin"})
    []
    """
    from pyparsing import ParseException

    text, where = _query_text(query, bindings)
    try:
        res = g.query(text)
    except ParseException as err:
        raise ValueError(f"{where}SPARQL syntax error: {err.msg} at line {err.lineno}, column {err.col}") from None
    if res.type != "SELECT":
        raise ValueError(f"{where}not a SELECT query ({res.type})")
    variables = tuple(str(v) for v in res.vars or ())
    return [Row(variables, tuple(row)) for row in res]  # type: ignore[arg-type]


def query_store(query: str | os.PathLike[str], store_dir: str | os.PathLike[str], *,
                bindings: Mapping[str, Any] | None = None) -> list[Row]:
    """Run a SELECT query over the union of the graphs in the store ``store_dir`` (see ``load``);
    ``query`` and ``bindings`` as for query_graph, the answer as Rows of rdflib terms."""
    import pyoxigraph as ox

    from kg.stores.embedded import open_read_only, union_of_graphs

    text, where = _query_text(query, bindings)
    store = open_read_only(Path(store_dir))
    try:
        res = store.query(text, **union_of_graphs(store))
    except SyntaxError as err:
        raise ValueError(f"{where}SPARQL syntax error: {err}") from None
    if not isinstance(res, ox.QuerySolutions):
        raise ValueError(f"{where}not a SELECT query")
    variables = tuple(v.value for v in res.variables)
    return [Row(variables, tuple(_rdflib_term(sol[v]) for v in variables)) for sol in res]


def load(graph_file: str | os.PathLike[str], store_dir: str | os.PathLike[str], *,
         graph_name: str | None = None, replace: bool = True) -> LoadResult:
    """Load an RDF file into a named graph (one per file name, or ``graph_name``) of the embedded
    on-disk store in ``store_dir`` (created if needed); loading it again replaces that graph unless
    ``replace=False``. Returns the graph's name and its triple count."""
    from kg.stores.embedded import load as load_file

    return load_file(Path(graph_file), Path(store_dir), graph_name=graph_name, replace=replace)


def _query_text(query: str | os.PathLike[str], bindings: Mapping[str, Any] | None) -> tuple[str, str]:
    """The SPARQL text to run, the values bound in, and how errors name the query ("FILE: " or "")."""
    from kg.stores.sparql import QueryFile, inject_values

    given = {name.lstrip("?"): _ox_term(value) for name, value in (bindings or {}).items()}
    if isinstance(query, os.PathLike):
        qf = QueryFile.read(Path(query))
        defaults = qf.bindings({})
        return inject_values(qf.text, defaults | given), f"{query}: "
    return inject_values(query, given), ""


def _ox_term(value: Any) -> Any:
    """An rdflib term or a Python value as the pyoxigraph term the query helpers write."""
    import pyoxigraph as ox
    from rdflib import Literal, URIRef

    if isinstance(value, (ox.NamedNode, ox.Literal)):
        return value
    if isinstance(value, URIRef):
        return ox.NamedNode(str(value))
    lit = value if isinstance(value, Literal) else Literal(value)
    if lit.language:
        return ox.Literal(str(lit), language=lit.language)
    if lit.datatype:
        return ox.Literal(str(lit), datatype=ox.NamedNode(str(lit.datatype)))
    return ox.Literal(str(lit))


def _rdflib_term(t: Any) -> Node | None:
    """A pyoxigraph term as the rdflib term rdflib's own parsers make (an xsd:string as a plain literal)."""
    import pyoxigraph as ox
    from rdflib import XSD, BNode, Literal, URIRef

    if t is None:
        return None
    if isinstance(t, ox.NamedNode):
        return URIRef(t.value)
    if isinstance(t, ox.BlankNode):
        return BNode(t.value)
    if t.language:
        return Literal(t.value, lang=t.language)
    dt = t.datatype.value
    return Literal(t.value, datatype=None if dt == str(XSD.string) else URIRef(dt))
