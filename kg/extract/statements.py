"""Statements: quotes and reported speech, with their speaker and the words stated.

Handled: "X a affirmé que …", "X a qualifié de « … »", "X a dénoncé des « … »", participles
("…, affirmant que …"), incises ("« … », souligne-t-elle"), "selon X, …", "d'après X, …", and quotes
in a sentence whose subject is a person. The speaker is the person named or referred to; a state or
organization when no person speaks. The content is the quote or the reported clause, not the paragraph.
"""
from __future__ import annotations

from spacy.tokens import Doc, Span, Token

from kg import lexicon
from kg.extract import scan
from kg.extract.entities import PERSON, PLACE, Mentions
from kg.extract.evidence import evidence
from kg.extract.patterns import INDIRECT_REFERENCE_FACTOR, Context, Pattern, handler
from kg.extract.refs import Referents, is_impersonal, subjects_of
from kg.extract.sents import sent_of
from kg.extract.sources import source_start
from kg.records import Statement

_OPEN, _CLOSE = {"«": "»", '"': '"', "“": "”"}, {"»", '"', "”"}
# Words between a reporting verb and what it reports: "a ajouté toutefois que", "a-t-il dit lundi : …"
_SKIP_AFTER_VERB = lexicon.words("after_reporting_verb")
_QUOTE_MARKS = scan.Words(scan.Attr.ORTH, {*_OPEN, *_CLOSE})
_LEADING_WORDS = lexicon.words("sentence_connectives")


def quotes(doc: Doc) -> list[tuple[int, int]]:
    """Token ranges (inside the marks) of the quotations in a Doc."""
    found, open_at, closer = [], None, None
    for tok in scan.tokens(doc, _QUOTE_MARKS):
        if open_at is None and tok.text in _OPEN:
            open_at, closer = tok.i, _OPEN[tok.text]
        elif open_at is not None and tok.text == closer:
            if tok.i > open_at + 1:
                found.append((open_at + 1, tok.i))
            open_at = None
    return found


def _text(doc: Doc, i: int, j: int) -> str:
    """The words of tokens i..j, without surrounding punctuation and with balanced quotation marks."""
    if j <= i:
        return ""
    text = scan.text_at(doc, i, j).strip(" ,;:.\n")
    while text[:1] in "«\"'" and _unbalanced(text):
        text = text[1:].strip()
    while text[-1:] in "»\"'" and _unbalanced(text):
        text = text[:-1].strip()
    if text[:1] == "«" and text[-1:] == "»" and text.count("«") == 1:  # the whole content is one quote
        text = text[1:-1]
    return text.strip(" ,;:.\n")


def _unbalanced(text: str) -> bool:
    return text.count("«") != text.count("»") or text.count('"') % 2 == 1


def _only_incise_between(doc: Doc, i: int, j: int) -> bool:
    """'« … », a-t-il déclaré': between the closing mark and the verb only a comma, auxiliaries and pronouns."""
    if j - i > 6:
        return False
    orth, pos = scan.orth(doc), scan.pos(doc)
    return all(orth[k] in (",", "»", '"') or pos[k] in ("AUX", "PRON", "ADV") for k in range(i, j))


def _finite_verb_in(doc: Doc, i: int, j: int) -> bool:
    """Whether a finite verb form is among tokens i..j."""
    return any("Fin" in scan.feats(doc, k).get("VerbForm", ()) for k in range(i, j))


_QUOTES = "kg.quotes"


def _quotes(ctx: Context) -> list[tuple[int, int]]:
    """The quotations of the Doc, found once for all the statement patterns."""
    if _QUOTES not in ctx.state:
        ctx.state[_QUOTES] = quotes(ctx.doc)
        ctx.state["used"] = set()
    return ctx.state[_QUOTES]


def without_nested(statements: list[Statement]) -> list[Statement]:
    """Drop a statement whose words are part of a longer one by the same speaker in the same sentence
    ("il a indiqué qu'il espérait « … »": one statement, not two)."""
    def inside(a: Statement, b: Statement) -> bool:
        return (a is not b and a.speaker == b.speaker and a.evidence.start == b.evidence.start
                and a.content in b.content and len(a.content) < len(b.content))
    return [s for s in statements if not any(inside(s, other) for other in statements)]


def _continues(verb: Token) -> bool:
    """'X a accusé … et a demandé …': the second verb goes on with the first one's statement."""
    return verb.dep_ == "conj" and verb.head.pos_ == "VERB" and verb.head.lemma_ in _REPORTING_VERBS and not any(
        c.dep_ == "nsubj" for c in verb.children)


_REPORTING_VERBS = lexicon.words("reporting_verbs")


def _speakers(verb: Token, ms: Mentions, refs: Referents) -> tuple[list[str], bool]:
    """Who speaks through a verb: the persons its subject names, else the states or organizations."""
    indirect: list[str] = []
    head, subjects = verb, []
    for _ in range(3):
        subjects = [c for c in subjects_of(head) if c.dep_ != "nsubj:pass" and not is_impersonal(c)]
        if subjects or head.dep_ not in ("conj", "advcl", "xcomp", "acl", "ccomp") or head.head is head:
            break
        head = head.head
    keys: list[str] = []
    for subj in subjects:
        # An unnamed official ("le président des États-Unis") is a person, not the state speaking.
        named = [k for k in refs.group(subj, indirect=indirect, unnamed_as_group=False) if k not in keys]
        if not any(ms.type_of(k) is PERSON for k in named):
            # "plusieurs responsables russes, dont Yuri Ushakov", "des experts, tels que Marie Dupont"
            span = range(min(subj.left_edge.i, subj.i), max(subj.right_edge.i + 1, head.i if head.i > subj.i else 0))
            inside = [ms.key_of(verb.doc[i]) for i in span
                      if i not in refs.complement and i not in refs.sources and ms.key_of(verb.doc[i])]
            named = [k for k in dict.fromkeys(inside) if ms.type_of(k) is PERSON] or named
        keys += [k for k in named if k not in keys]
    keys = [k for k in keys if ms.type_of(k) is not PLACE]
    persons = [k for k in keys if ms.type_of(k) is PERSON]
    return (persons or keys), bool(indirect)


def _named_after(doc: Doc, verb: Token, ms: Mentions) -> list[str]:
    """The first person named after an incise verb, before the next punctuation."""
    for t in doc[verb.i + 1:sent_of(verb).end]:
        if t.is_punct:
            break
        m = ms.by_token.get(t.i)
        if m is not None and m.kind == "name" and ms.type_of(m.key) is PERSON:
            return [m.key]
    return []


def _clause_end(doc: Doc, verb: Token, sent: Span) -> int:
    """Where the reported words end: the end of the sentence, closing punctuation left out."""
    end = sent.end
    while end > verb.i + 1 and doc[end - 1].is_punct and doc[end - 1].text not in _CLOSE:
        end -= 1
    return end


@handler("reported_speech")
def reported_speech(ctx: Context, verb: Token, rule: Pattern, *, content: str):
    """A reporting verb and its speaker (the subject); what it reports is, by ``content``:
    ``que`` a "que" clause, ``quote-after`` a quote right after the verb, ``quote-before`` a quote the
    verb follows as an incise, ``rest`` the rest of the clause."""
    doc, ms, refs = ctx.doc, ctx.ms, ctx.refs
    if _continues(verb):
        return None
    qs, used = _quotes(ctx), ctx.state["used"]
    sent = sent_of(verb)
    orth, lower, pos = scan.orth(doc), scan.lower(doc), scan.pos(doc)
    i = verb.i + 1
    while i < sent.end and lower[i] in _SKIP_AFTER_VERB and lower[i] not in ("que", "qu'"):
        i += 1
    # "X a dit aux journalistes que …", "X a assuré à son homologue qu'…"
    que = next((k for k in range(i, min(i + 8, sent.end)) if lower[k] in ("que", "qu'")
                and doc[k].dep_ == "mark"), None)
    if que is not None and all(orth[k] not in ("«", '"', ",", ";", ":") and pos[k] != "VERB" for k in range(i, que)):
        i = que
    stop = _clause_end(doc, verb, sent)
    after = [q for q in qs if verb.i < q[0] <= stop]
    before = [q for q in qs if q[1] < verb.i and _only_incise_between(doc, q[1] + 1, verb.i)]
    has_que = i < sent.end and lower[i] in ("que", "qu'")
    quote_after = bool(after) and after[0][0] - i <= 3
    shape = ("que" if has_que else "quote-after" if quote_after else "quote-before" if before else "rest")
    if shape != content:
        return None
    speakers, indirect = _speakers(verb, ms, refs)
    if not speakers and before:
        speakers = _named_after(doc, verb, ms)  # "« … », a déclaré à la presse Viktor Lebedev"
    if not speakers:
        return []
    quoted = False
    if content == "que":
        words = _text(doc, i + 1, stop)
        taken = [q for q in after if q[1] <= stop]
    elif content == "quote-after":
        words, quoted, taken = _text(doc, *after[0]), True, [after[0]]
    elif content == "quote-before":
        words, quoted, taken = _text(doc, *before[-1]), True, [before[-1]]
    else:
        words = _text(doc, i, stop)
        taken = [q for q in after if q[1] <= stop]
    if len(words) < 3:
        return []
    used.update(taken)
    ev = evidence(doc, verb.i, rule, INDIRECT_REFERENCE_FACTOR if indirect else 1.0)
    return [Statement(s, words, quoted, ev) for s in speakers]


@handler("inverted_speaker")
def inverted_speaker(ctx: Context, verb: Token, rule: Pattern):
    """'Les deux dirigeants ont discuté de …, a précisé Dmitri Peskov.': the speaker follows the verb,
    the words are the clause before the comma (quotes before the verb are left to the incise pattern)."""
    doc, ms, refs = ctx.doc, ctx.ms, ctx.refs
    if _continues(verb):
        return None
    qs = _quotes(ctx)
    orth, lower, pos = scan.orth(doc), scan.lower(doc), scan.pos(doc)
    k = verb.i - 1
    while k >= 0 and pos[k] == "AUX":
        k -= 1
    sent = sent_of(verb)
    if k <= sent.start or orth[k] != "," or any(q[1] < verb.i and q[1] >= k - 1 for q in qs):
        return None
    if any(s.i < verb.i for s in subjects_of(verb)) or not _finite_verb_in(doc, sent.start, k):
        return None  # "Le porte-parole, Dmitri Peskov, a précisé que …": an ordinary subject
    if any(lower[j] in ("que", "qu'") or orth[j] in _OPEN for j in range(verb.i + 1, sent.end)):
        return None
    keys, indirect = [], []
    for t in doc[verb.i + 1:sent.end]:
        if t.is_punct:
            break
        if t.i in refs.internal or t.i in refs.complement:
            continue
        keys = [key for key in refs.of(t, indirect=indirect, unnamed_as_group=False)
                if ms.type_of(key) is not PLACE]
        if keys or t.i in refs.title_head:  # the speaker's phrase, named or not
            break
    content = _text(doc, sent.start, k)
    if not keys or len(content) < 3:
        return []
    ev = evidence(doc, verb.i, rule, INDIRECT_REFERENCE_FACTOR if indirect else 1.0)
    return [Statement(key, content, False, ev) for key in keys]


@handler("according_to")
def according_to(ctx: Context, tok: Token, rule: Pattern):
    """'Selon X, …', 'D'après X, …', and at a sentence start 'Pour X, …': X is the source of the clause."""
    doc, ms, refs = ctx.doc, ctx.ms, ctx.refs
    prep = source_start(doc, tok.i)
    if prep is None:
        return None
    sent = sent_of(tok)
    orth, lower = scan.orth(doc), scan.lower(doc)
    start = tok.i
    j, keys, indirect = prep, [], []
    while j < sent.end and orth[j] not in (",", ".", ";", ":"):
        if not keys:
            keys = [k for k in refs.of(doc[j], indirect=indirect) if ms.type_of(k) is not PLACE]
        j += 1
    if not keys:
        return []
    # "selon le porte-parole du Kremlin, Dmitri Peskov, …": the name in apposition is no content
    m = ms.by_token.get(j + 1)
    if m is not None and m.key in keys:
        j += 1
        while j < sent.end and ms.by_token.get(j) is m:
            j += 1
    lead = sent.start
    while lead < start and lower[lead] in _LEADING_WORDS:
        lead += 1
    left, right = _text(doc, lead, start), _text(doc, j + 1, sent.end)
    # "X, selon Y, a proposé …" reports the whole sentence; "X affirme que …, même si, selon Y, …"
    # only the clause after "selon Y".
    finite_before = _finite_verb_in(doc, lead, start)
    content = right if finite_before or not left else f"{left}, {right}"
    if len(content) < 3:
        return []
    ev = evidence(doc, tok.i, rule, INDIRECT_REFERENCE_FACTOR if indirect else 1.0)
    return [Statement(k, content, False, ev) for k in keys]


@handler("orphan_quote")
def orphan_quote(ctx: Context, mark: Token, rule: Pattern):
    """A quotation no verb reported, in a sentence whose main subject is a person: that person's words."""
    doc, ms, refs = ctx.doc, ctx.ms, ctx.refs
    q = next((q for q in _quotes(ctx) if q[0] == mark.i + 1), None)
    if q is None or q in ctx.state["used"]:
        return None
    root = sent_of(doc[q[0]]).root
    if q[0] <= root.i < q[1]:
        return []
    for verb in doc[q[0]].ancestors:  # "le roi, qui a appelé à « … »": a clause with its own subject
        if verb == root:
            break
        if verb.pos_ in ("VERB", "AUX") and any(c.dep_.startswith("nsubj") for c in verb.children):
            return []
    speakers, indirect = _speakers(root, ms, refs)
    speakers = [s for s in speakers if ms.type_of(s) is PERSON]
    content = _text(doc, *q)
    if not speakers or len(content) < 3:
        return []
    ev = evidence(doc, q[0], rule, INDIRECT_REFERENCE_FACTOR if indirect else 1.0)
    return [Statement(s, content, True, ev) for s in speakers]
