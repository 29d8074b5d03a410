"""SPARQL query files: header parameters, user values parsed as RDF terms, and VALUES injection.

A query file declares its parameters in its header comment, one per line::

    # param ?speaker = id:person/jean-dupont   the person who spoke

A parameter with a default is bound to it unless the user gives another value; one without a default
stays unbound (the query then answers for every value). User values are parsed into RDF terms and
serialised by pyoxigraph, never pasted into the query text as given.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

import pyoxigraph as ox

from kg.progress import printable

Term = ox.NamedNode | ox.Literal
Table = tuple[list[str], list[list[str | None]]]

_PREFIX = re.compile(r"^\s*PREFIX\s+([A-Za-z][\w.-]*)?:\s*<([^<>\s]*)>", re.IGNORECASE | re.MULTILINE)
_PARAM = re.compile(r"^#\s*param\s+\?(\w+)(?:\s*=\s*(<[^>]*>|\"(?:[^\"\\]|\\.)*\"(?:@[\w-]+|\^\^\S+)?|\S+))?"
                    r"\s*(.*)$", re.MULTILINE)
_PNAME = re.compile(r"^([A-Za-z][\w.-]*)?:(\S*)$")
_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?$")
_XSD = "http://www.w3.org/2001/XMLSchema#"


@dataclass(frozen=True)
class Param:
    name: str
    default: str | None  # the term as written in the header
    doc: str


@dataclass(frozen=True)
class QueryFile:
    """A .rq file: its text, its PREFIX declarations and its declared parameters."""

    path: Path
    text: str
    prefixes: dict[str, str] = field(default_factory=dict)
    params: tuple[Param, ...] = ()

    @classmethod
    def read(cls, path: Path) -> QueryFile:
        if not path.is_file():
            raise FileNotFoundError(f"{path}: no such query file")
        text = path.read_text(encoding="utf-8")
        try:
            check_query(text)
        except ValueError as err:
            raise ValueError(f"{path}: {err}") from None
        prefixes = {m.group(1) or "": m.group(2) for m in _PREFIX.finditer(text)}
        params = tuple(Param(m.group(1), m.group(2), m.group(3).strip()) for m in _PARAM.finditer(text))
        return cls(path, text, prefixes, params)

    def bindings(self, given: dict[str, str]) -> dict[str, Term]:
        """Terms for the declared parameters: the user's values over the header's defaults."""
        declared = {p.name: p for p in self.params}
        unknown = sorted(set(given) - set(declared))
        if unknown:
            names = ", ".join(f"?{n}" for n in declared) or "none"
            raise ValueError(f"{self.path}: unknown parameter(s) {', '.join(unknown)}; it declares {names}")
        out = {}
        for name, p in declared.items():
            raw = given.get(name, p.default)
            if raw is not None:
                try:
                    out[name] = parse_term(raw, prefixes=self.prefixes)
                except ValueError as err:
                    raise ValueError(f"{self.path}: parameter ?{name}: {err}") from None
        return out


def parse_param_args(items: list[str]) -> dict[str, str]:
    """Parse ``name=value`` command-line items (the name may start with '?')."""
    out = {}
    for item in items:
        name, sep, value = item.partition("=")
        name = name.strip().lstrip("?")
        if not sep or not re.fullmatch(r"\w+", name):
            raise ValueError(f"--param {item!r}: expected NAME=VALUE")
        out[name] = value
    return out


def parse_term(text: str, *, prefixes: dict[str, str]) -> Term:
    """An RDF term from user text, SPARQL's escapes read once.

    ``<iri>`` (``\\u``/``\\U`` escapes read), ``prefix:local`` (prefixes of the query; ``\\-``-style escapes
    read), ``http(s)://...``, ``"literal"`` (``\\"``, ``\\\\``, ``\\n``... and ``\\u``/``\\U`` escapes read) with
    an optional ``@lang`` or ``^^datatype``, integers and decimals, ``true``/``false``; any other text is
    a plain string, taken as written.
    """
    text = text.strip()
    if _SURROGATE.search(text):
        raise ValueError(f"{_shown(text)} is not valid UTF-8 text")
    if text.startswith("<"):
        if not text.endswith(">") or ">" in text[1:-1]:
            raise ValueError(f"invalid IRI {_shown(text)}: expected one <...>")
        return _iri(_unescape(text[1:-1], _UCHAR_ONLY, what="an IRI"))
    if text.startswith('"'):
        return _literal(text, prefixes)
    if re.match(r"^(https?|urn):", text):
        return _iri(text)
    m = _PNAME.match(text)
    if m and (m.group(1) or "") in prefixes:
        return _iri(prefixes[m.group(1) or ""] + _unescape(m.group(2), _LOCAL_ESCAPES, what="a prefixed name"))
    if _NUMBER.match(text):
        return ox.Literal(text, datatype=ox.NamedNode(_XSD + ("decimal" if "." in text else "integer")))
    if text in ("true", "false"):
        return ox.Literal(text, datatype=ox.NamedNode(_XSD + "boolean"))
    return ox.Literal(text)


_SURROGATE = re.compile(r"[\ud800-\udfff]")
_ESCAPE = re.compile(r"\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.)|$)", re.DOTALL)
_ECHARS = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}
_UCHAR_ONLY: dict[str, str] = {}
_LOCAL_ESCAPES = {c: c for c in "_~.-!$&'()*+,;=/?#@%"}  # PN_LOCAL_ESC


def _unescape(text: str, simple: dict[str, str], *, what: str) -> str:
    """Text with its \\u, \\U and the given one-character escapes read, in one pass (ValueError if bad)."""
    def one(m: re.Match) -> str:
        digits, char = m.group(1) or m.group(2), m.group(3)
        if digits is None:  # a one-character escape, or a backslash ending the text
            if char in simple:
                return simple[char]
            raise ValueError(f"bad escape {_shown(m.group())} in {what}")
        code = int(digits, 16)
        if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            raise ValueError(f"{_shown(m.group())} in {what} is not a Unicode character"
                             + (" (a lone surrogate)" if 0xD800 <= code <= 0xDFFF else ""))
        return chr(code)
    return _ESCAPE.sub(one, text)


def _shown(text: str) -> str:
    """User text quoted for a one-line message: newlines, controls and surrogates escaped."""
    return f"'{printable(text)}'"


def _iri(value: str) -> ox.NamedNode:
    try:
        return ox.NamedNode(value)
    except ValueError as err:
        raise ValueError(f"invalid IRI <{printable(value)}>: {printable(str(err))}") from None


def _literal(text: str, prefixes: dict[str, str]) -> ox.Literal:
    m = re.fullmatch(r'"((?:[^"\\]|\\.)*)"(?:@([A-Za-z]+(?:-[A-Za-z0-9]+)*)|\^\^(\S+))?', text, re.DOTALL)
    if not m:
        raise ValueError(f"cannot read {_shown(text)} as a literal (\"text\", \"text\"@lang or \"text\"^^type)")
    value = _unescape(m.group(1), _ECHARS, what="a literal")
    if m.group(2):
        return ox.Literal(value, language=m.group(2))
    if m.group(3):
        dt = parse_term(m.group(3), prefixes=prefixes)
        if not isinstance(dt, ox.NamedNode):
            raise ValueError(f"datatype {_shown(m.group(3))} is not an IRI")
        return ox.Literal(value, datatype=dt)
    return ox.Literal(value)


def sparql_term(term: Term) -> str:
    """A term as SPARQL text that every parser reads back as the same term.

    rdflib expands ``\\u`` and ``\\U`` in the whole query before parsing (SPARQL's first step, taken
    naively: even after an escaped backslash), pyoxigraph only inside strings and IRIs. So no ``\\u``
    is written except to spell a ``u``, ``U`` or hex digit following a backslash of the value.
    """
    if isinstance(term, ox.NamedNode):
        return f"<{term.value}>"  # a valid IRI holds no backslash, space, quote or angle bracket
    body = _STRING_SPECIAL.sub(_string_escape, term.value)
    if term.language:
        return f'"{body}"@{term.language}'
    if term.datatype.value == _XSD + "string":
        return f'"{body}"'
    return f'"{body}"^^<{term.datatype.value}>'


# A raw tab would be read as spaces by rdflib (pyparsing expands tabs): it is written \t too.
_STRING_SPECIAL = re.compile(r'\\[uU][0-9A-Fa-f]*|["\\\n\r\t\b\f]')
_STRING_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}


def _string_escape(m: re.Match) -> str:
    tok = m.group()
    if tok in _STRING_ESCAPES:
        return _STRING_ESCAPES[tok]
    # A backslash then u or U and hex digits: the letter and digits spelled as \u00XX each, so that no
    # reading, naive or not, finds a code point escape here (rdflib takes 8 hex digits when it can).
    return "\\\\" + "".join(f"\\u{ord(c):04X}" for c in tok[1:])


def inject_values(query: str, bindings: dict[str, Term]) -> str:
    """The query with ``VALUES ?v { term }`` opening its outermost WHERE group.

    Terms are written by sparql_term (escaped), so user text never reaches the query as syntax.
    Opening the group (not a trailing VALUES) binds the variables before the group's FILTERs, BINDs
    and OPTIONALs see them, like a substitution.
    """
    if not bindings:
        return query
    pos = _where_brace(query)
    values = " ".join(f"VALUES ?{name} {{ {sparql_term(term)} }}" for name, term in bindings.items())
    return f"{query[:pos + 1]} {values}\n{query[pos + 1:]}"


def _where_brace(query: str) -> int:
    """Offset of the '{' opening the outermost WHERE group, skipping comments, strings and IRIs."""
    for m in _TOKEN.finditer(query):
        if m.group()[0] == "{":
            return m.start()
    raise ValueError("query has no WHERE group to bind parameters in")


# Limits checked before a query is parsed: pyoxigraph's parser recurses without bound and a stack
# overflow kills the process (SIGSEGV), here from about 1,000 nested CONCAT( or 3,000 braces, 5,000
# parentheses, 3,000 MINUS or BIND, 10,000 || or UNION. Real queries stay far below both.
MAX_DEPTH = 256
MAX_OPERATORS = 1000
_OPERATORS = frozenset({"||", "&&", "|", "/", "^", "!", "+", "-", "*", "UNION", "OPTIONAL", "MINUS", "FILTER", "BIND"})
_IRI_FREE_STEPS = 32  # the '/' and '-' an IRI may hold before they count (see query_shape)

# SPARQL's tokens as far as nesting and operators go. What is skipped (space, comments, strings) is
# skipped exactly as the grammar says, or brackets could hide there; names take their \-escapes.
_TOKEN = re.compile("|".join([
    r"(?P<skip>\s+|#[^\n\r]*",
    r'"""(?:[^"\\]|\\.|"(?!""))*"""', r"'''(?:[^'\\]|\\.|'(?!''))*'''",
    r'"(?:[^"\\\n\r]|\\.)*"', r"'(?:[^'\\\n\r]|\\.)*')",
    r'(?P<iri><(?:[^<>"{}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*>)',
    r"(?P<var>[?$]\w+)",
    r"(?P<name>(?:[^\W\d][\w.-]*)?:(?:[\w.:%-]|\\[_~.\-!$&'()*+,;=/?#@%])*|[^\W\d][\w-]*)",
    r"[(\[{]+|[)\]}]+|\|\||&&|\^\^|\d[\w.]*|.",  # a run of brackets is one token: 100k of them lex at once
]), re.DOTALL)


@dataclass(frozen=True)
class QueryShape:
    """What can overflow a recursive parser, counted without parsing."""

    depth: int  # deepest nesting of ( { [
    operators: int  # binary and unary operators, UNION, OPTIONAL, MINUS, FILTER, BIND
    service: bool  # a SERVICE clause (a federated query: the server would send requests)


def query_shape(query: str) -> QueryShape:
    """Nesting depth, operator count and use of SERVICE of a query, from its tokens.

    Where ``<`` may be a less-than as well as an IRI (``FILTER(?a <1&&?b> 2)``), the IRI's text is
    counted as code too, less its closing brackets and its first '/' and '-': no reading of the
    query nests deeper or chains longer than what is counted.
    """
    depth = peak = operators = 0
    service = False
    for m in _TOKEN.finditer(query):
        kind, tok = m.lastgroup, m.group()
        if kind in ("skip", "var"):
            continue
        if kind == "iri":
            inner, rise, net = tok[1:-1], 0, 0
            for c in inner:
                if c in "([{":
                    net += 1
                    rise = max(rise, net)
                elif c in ")]}":
                    net -= 1
            peak, depth = max(peak, depth + rise), depth + max(net, 0)
            steps = inner.count("/") + inner.count("-")
            operators += inner.count("&&") + sum(map(inner.count, "!+*")) + max(0, steps - _IRI_FREE_STEPS)
        elif tok[0] in "([{":
            depth += len(tok)
            peak = max(peak, depth)
        elif tok[0] in ")]}":
            depth = max(depth - len(tok), 0)
        elif kind == "name":
            word = tok.upper()
            operators += word in _OPERATORS
            service = service or word == "SERVICE"
        else:
            operators += tok in _OPERATORS
    return QueryShape(peak, operators, service)


def check_query(query: str, *, allow_service: bool = True) -> None:
    """Refuse, before any parser sees it, a query nested or chained past the limits (ValueError)."""
    # Most queries hold fewer brackets and operator signs in all than the limits: no need to lex them.
    if (sum(map(query.count, "([{")) <= MAX_DEPTH and sum(map(query.count, "|&/^!+-*")) <= MAX_OPERATORS
            and not _KEYWORDS.search(query)):
        return
    shape = query_shape(query)
    if shape.depth > MAX_DEPTH:
        raise ValueError(f"query nested {shape.depth} deep in ( {{ [; the limit is {MAX_DEPTH}, "
                         "checked before parsing")
    if shape.operators > MAX_OPERATORS:
        raise ValueError(f"query has {shape.operators} operators (|| && | / ^ ! + - * UNION OPTIONAL MINUS "
                         f"FILTER BIND); the limit is {MAX_OPERATORS} (long lists go in VALUES or IN)")
    if shape.service and not allow_service:
        raise ValueError("SERVICE is refused here: the query would make this server send requests elsewhere")


_KEYWORDS = re.compile(r"UNION|OPTIONAL|MINUS|FILTER|BIND|SERVICE", re.IGNORECASE)


# ---------------------------------------------------------------------------------------------------
# Answers: one shape for what rdflib, the embedded store and a remote endpoint return, written in the
# W3C formats (SPARQL 1.1 Query Results JSON, XML, CSV and TSV; any RDF syntax for a graph).

class QueryForm(Enum):
    SELECT = "SELECT"
    ASK = "ASK"
    CONSTRUCT = "CONSTRUCT"
    DESCRIBE = "DESCRIBE"

    @property
    def gives_graph(self) -> bool:
        return self in (QueryForm.CONSTRUCT, QueryForm.DESCRIBE)


def query_form(query: str) -> QueryForm:
    """The form of a query, from its first keyword after the prologue (comments, strings and IRIs skipped)."""
    forms = {f.value: f for f in QueryForm}
    for m in _TOKEN.finditer(query):
        if m.lastgroup == "name" and (form := forms.get(m.group().upper())):
            return form
    raise ValueError("not a SPARQL query (no SELECT, ASK, CONSTRUCT or DESCRIBE)")


AnyTerm = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple


@dataclass(frozen=True)
class Answer:
    """The answer to a query: rows (SELECT), a boolean (ASK) or triples (CONSTRUCT, DESCRIBE)."""

    form: QueryForm
    variables: tuple[str, ...] = ()
    rows: tuple[tuple[AnyTerm | None, ...], ...] = ()
    boolean: bool | None = None
    triples: tuple[ox.Triple, ...] = ()

    @classmethod
    def of(cls, res: ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples) -> Answer:
        """From pyoxigraph's results (a store query, or parsed results documents)."""
        if isinstance(res, ox.QueryBoolean):
            return cls(QueryForm.ASK, boolean=bool(res))
        if isinstance(res, ox.QueryTriples):
            return cls(QueryForm.CONSTRUCT, triples=tuple(res))
        names = tuple(v.value for v in res.variables)
        return cls(QueryForm.SELECT, names, tuple(tuple(sol[n] for n in names) for sol in res))

    @classmethod
    def from_results(cls, body: bytes, fmt: ox.QueryResultsFormat) -> Answer:
        """From a SPARQL results document (ValueError if it is not one)."""
        try:
            return cls.of(ox.parse_query_results(body, format=fmt))
        except SyntaxError as err:
            raise ValueError(f"not a SPARQL results document ({fmt.name}): {err}") from None

    @property
    def table(self) -> Table:
        """SELECT rows as strings (the value of each term; None when unbound)."""
        return list(self.variables), [[None if t is None else _plain(t) for t in row] for row in self.rows]

    def results_document(self, fmt: ox.QueryResultsFormat) -> bytes:
        """The answer of a SELECT or ASK in a W3C results format."""
        if self.form.gives_graph:
            raise ValueError(f"a {self.form.value} query gives a graph, not results: choose an RDF format")
        doc: dict = {"head": {"vars": list(self.variables)}}
        if self.form is QueryForm.ASK:
            doc = {"head": {}, "boolean": bool(self.boolean)}
        else:
            doc["results"] = {"bindings": [{n: _json_term(t) for n, t in zip(self.variables, row) if t is not None}
                                           for row in self.rows]}
        body = json.dumps(doc, ensure_ascii=False).encode("utf-8")
        if fmt is ox.QueryResultsFormat.JSON:
            return body
        return ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON).serialize(format=fmt) or b""

    def graph_document(self, fmt: ox.RdfFormat, *, prefixes: dict[str, str] | None = None) -> bytes:
        """The triples of a CONSTRUCT or DESCRIBE in an RDF syntax."""
        if not self.form.gives_graph:
            raise ValueError(f"a {self.form.value} query gives results, not a graph: choose table, csv, tsv, json "
                             "or xml")
        quads = [ox.Quad(t.subject, t.predicate, t.object) for t in self.triples]
        if prefixes and fmt in _PREFIXED:
            return ox.serialize(quads, format=fmt, prefixes=prefixes) or b""
        return ox.serialize(quads, format=fmt) or b""


_PREFIXED = {ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG, ox.RdfFormat.RDF_XML}


def _plain(t: AnyTerm) -> str:
    return str(t) if isinstance(t, (ox.Triple, ox.BlankNode)) else t.value


def _json_term(t: AnyTerm) -> dict:
    """A term as SPARQL 1.1 Query Results JSON spells it."""
    if isinstance(t, ox.NamedNode):
        return {"type": "uri", "value": t.value}
    if isinstance(t, ox.BlankNode):
        return {"type": "bnode", "value": t.value}
    if isinstance(t, ox.Triple):
        return {"type": "triple", "value": {k: _json_term(getattr(t, k)) for k in ("subject", "predicate", "object")}}
    out = {"type": "literal", "value": t.value}
    if t.language:
        out["xml:lang"] = t.language
    elif t.datatype.value != _XSD + "string":
        out["datatype"] = t.datatype.value
    return out


# `kg query --format` names: results formats for SELECT and ASK, RDF syntaxes for CONSTRUCT and DESCRIBE.
RESULTS_FORMATS = {"csv": ox.QueryResultsFormat.CSV, "tsv": ox.QueryResultsFormat.TSV,
                   "json": ox.QueryResultsFormat.JSON, "xml": ox.QueryResultsFormat.XML}
GRAPH_FORMATS = {"turtle": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES, "nq": ox.RdfFormat.N_QUADS,
                 "trig": ox.RdfFormat.TRIG, "jsonld": ox.RdfFormat.JSON_LD, "rdfxml": ox.RdfFormat.RDF_XML}
