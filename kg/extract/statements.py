"""Statements: quotes and reported speech, with their speaker and the words stated.

Handled: "X a affirmé que …", "X a qualifié de « … »", "X a dénoncé des « … »", participles
("…, affirmant que …"), incises ("« … », souligne-t-elle"), "selon X, …", "d'après X, …", and quotes
in a sentence whose subject is a person. The speaker is the person named or referred to; a state or
organization when no person speaks. The content is the quote or the reported clause, not the paragraph.
"""
from __future__ import annotations

from itertools import islice

from spacy.tokens import Doc, Span, Token

from kg.extract import scan
from kg.extract.entities import PERSON, PLACE, Mentions
from kg.extract.evidence import evidence
from kg.extract.patterns import INDIRECT_REFERENCE_FACTOR, Context, Pattern, handler
from kg.extract.refs import Referents, is_impersonal, subjects_of
from kg.extract.sents import sent_at, sent_of, sents_up_to
from kg.extract.sources import source_start
from kg.lang import lexicon
from kg.records import EntityKey, MentionKind, Statement

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
    guillemets = text[:1] == "«" and text[-1:] == "»" and text.count("«") == 1
    straight = len(text) > 1 and text[:1] == '"' and text[-1:] == '"' and text.count('"') == 2
    if guillemets or straight:  # the whole content is one quote
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
    if verb.dep_ != "conj" or verb.head.pos_ != "VERB" or verb.head.lemma_ not in _REPORTING_VERBS or any(
            c.dep_ == "nsubj" for c in verb.children):
        return False
    # "… en réaffirmant sa « confiance » … et dénonce « … »": the first verb reported only its quote
    orth = scan.orth(verb.doc)
    return not any(orth[k] in _CLOSE for k in range(verb.head.i + 1, verb.i))


_REPORTING_VERBS = lexicon.words("reporting_verbs")
_PERFORMATIVE_VERBS = lexicon.words("statement_performative_verbs")
_PERFORMATIVE_OBJECTS = lexicon.words("statement_performative_objects")
_SPEECH_NOUNS = lexicon.words("statement_speech_nouns")
_CONTROL_NOUNS = lexicon.words("statement_control_nouns")
_NEGATIONS = lexicon.words("negation_particles")
_LITOTES = lexicon.words("statement_litote_verbs")
_NAME_DETERMINERS = lexicon.words("definite_articles")
_GOVERNMENT_NOUNS = lexicon.words("statement_government_nouns")
_NON_SPEECH_USES = lexicon.words("statement_non_speech_uses")
_QUOTE_VERBS = lexicon.words("reporting_quote_verbs")
_OBJECT_DEPS = {"obj", "obl", "obl:arg", "obl:mod", "iobj"}
# Words that may join quotations reported by one incise: "« … », mais « … », a affirmé X"
_QUOTE_JOINERS = {",", "mais", "et", "puis", "»", '"', "”", "«", "“"}
_CLITIC_SUBJECTS = lexicon.words("clitic_subjects")
_A = lexicon.words("a_forms")


def _speakers(verb: Token, ms: Mentions, refs: Referents) -> tuple[list[EntityKey], bool]:
    """Who speaks through a verb: the persons its subject names, else the states or organizations."""
    indirect: list[EntityKey] = []
    head, subjects = verb, []
    for _ in range(3):
        subjects = [c for c in subjects_of(head) if _active_subject(c) and not is_impersonal(c)]
        if subjects or head.dep_ not in ("conj", "advcl", "xcomp", "acl", "ccomp") or head.head is head:
            break
        if head.dep_ == "acl" and head.head.lemma_ in _CONTROL_NOUNS:
            break  # "l'occasion pour X de réitérer": X, not the subject of the noun's verb
        head = head.head
    if not subjects:
        subjects = _controller(verb) or _after_infinitive_clause(verb) or _gerund_subject(verb)
    keys: list[EntityKey] = []
    for subj in map(_clitic_of, subjects):
        if "Rel" in subj.morph.get("PronType", []) and head.dep_ == "acl:relcl":
            # "son homologue, qui a jugé que …": the antecedent speaks, when it is a person
            named = [k for k in refs.group(head.head, indirect=indirect, unnamed_as_group=False)
                     if ms.type_of(k) is PERSON]
            keys += [k for k in named if k not in keys]
            continue
        # "le conseiller de Jan Kowal, Piotr Sidorenko, a déclaré": the name in apposition is the subject
        if subj.lemma_ in _GOVERNMENT_NOUNS and (led := _government_of(subj, ms, refs)) is not None:
            keys += [k for k in led if k not in keys]  # "le gouvernement Varenko a déclaré": the state speaks
            continue
        appos = _named_in_apposition(subj, ms)
        conjuncts = [c for c in subj.children if c.dep_ == "conj"]
        if appos and subj.i not in ms.by_token:
            subj = appos[0]
        # An unnamed official ("le président des États-Unis") is a person, not the state speaking.
        named = [k for k in refs.group(subj, indirect=indirect, unnamed_as_group=False) if k not in keys]
        if subj.i > verb.i:  # "…, a affirmé X et Y a salué …": Y opens the next clause
            doc = verb.doc
            named = [k for k in named if not any(
                k in refs.of(c) and c.right_edge.i + 1 < len(doc) and doc[c.right_edge.i + 1].pos_ in ("AUX", "VERB")
                for c in conjuncts)]
        # "le ministre X et le délégué Y": the names in apposition to each conjunct
        named += [key for c in conjuncts if c.i not in ms.by_token for a in _named_in_apposition(c, ms)[:1]
                  if (key := ms.key_of(a)) and key not in named]
        if not any(ms.type_of(k) is PERSON for k in named):
            # "plusieurs responsables russes, dont Piotr Sidorenko", "des experts, tels que Marie Dupont"
            span = range(min(subj.left_edge.i, subj.i), max(subj.right_edge.i + 1, head.i if head.i > subj.i else 0))
            inside = [key for i in span
                      if i not in refs.complement and i not in refs.sources and (key := ms.key_of(verb.doc[i]))]
            named = [k for k in dict.fromkeys(inside) if ms.type_of(k) is PERSON] or named
        keys += [k for k in named if k not in keys]
    keys = [k for k in keys if ms.type_of(k) is not PLACE]
    persons = [k for k in keys if ms.type_of(k) is PERSON]
    return (persons or keys), bool(indirect)


def _government_of(subj: Token, ms: Mentions, refs: Referents) -> list[EntityKey] | None:
    """'le gouvernement Varenko': the states whose leader is named right after the noun (none if unknown);
    None when no person is named there."""
    doc = subj.doc
    person = next((key for i in range(subj.i + 1, min(subj.i + 4, len(doc)))
                   if (key := ms.key_of(doc[i])) and ms.type_of(key) is PERSON), None)
    if person is None or subj.i + 1 >= len(doc) or ms.key_of(doc[subj.i + 1]) != person:
        return None
    states = {p for (_, principals), holders in refs.holders_by_title.items() if any(h == person for _, h in holders)
              for p in principals if ms.type_of(p) is not PERSON}
    return sorted(states) if len(states) == 1 else []


def _clitic_of(subj: Token) -> Token:
    """'a-t-elle': the parser may call the euphonic "-t" the subject; the pronoun after it is."""
    doc = subj.doc
    if subj.lower_ == "-t" and subj.i + 1 < len(doc) and doc[subj.i + 1].lower_ in _CLITIC_SUBJECTS:
        return doc[subj.i + 1]
    return subj


def _named_in_apposition(tok: Token, ms: Mentions) -> list[Token]:
    """The person names in apposition to a phrase ("le conseiller de X, Piotr Sidorenko")."""
    return [c for c in tok.children if c.dep_ == "appos" and (m := ms.by_token.get(c.i)) is not None
            and m.kind is MentionKind.NAME and ms.type_of(m.key) is PERSON]


def _active_subject(subj: Token) -> bool:
    """A subject that speaks: not a passive one, unless the parser called an active clause passive
    ("a-t-il prévenu": the auxiliary is avoir)."""
    if subj.dep_ != "nsubj:pass":
        return True
    verb = subj.head
    if any(c.dep_ == "aux:pass" for c in verb.children):
        return False
    return any(c.dep_ == "aux:tense" and c.lemma_ == "avoir" for c in verb.children) or (
        subj.lower_ in _CLITIC_SUBJECTS and subj.i > verb.i)


def _controller(verb: Token) -> list[Token]:
    """'l'occasion pour X de réitérer …', 'le moment pour X de dire …': X is the subject of the infinitive."""
    noun = verb.head
    if verb.dep_ != "acl" or "Inf" not in verb.morph.get("VerbForm", []) or noun.lemma_ not in _CONTROL_NOUNS:
        # the parser also hangs the infinitive on X itself: "l'occasion pour [le président X] de réitérer"
        if verb.dep_ == "acl" and "Inf" in verb.morph.get("VerbForm", []) and noun.head.lemma_ in _CONTROL_NOUNS \
                and any(c.lower_ == "pour" for c in noun.children):
            return [noun]
        return []
    return [c for c in noun.children if c.i < verb.i and any(g.lower_ == "pour" for g in c.children)]


def _gerund_subject(verb: Token) -> list[Token]:
    """'X a terminé son discours en appelant à …': a gerund's subject is that of the verb it hangs on."""
    if not any(c.dep_ == "mark" and c.lower_ == "en" for c in verb.children):
        return []
    for anc in islice(verb.ancestors, 3):
        if anc.pos_ in ("VERB", "AUX"):
            return [c for c in subjects_of(anc) if _active_subject(c) and not is_impersonal(c)]
    return []


def _after_infinitive_clause(verb: Token) -> list[Token]:
    """'Après avoir déclaré que …, le ministre X a …': the subject of the clause after the comma."""
    doc = verb.doc
    lower = scan.lower(doc)
    k = verb.i - 1
    while k >= 0 and doc[k].pos_ == "AUX" and "Inf" in doc[k].morph.get("VerbForm", []):
        k -= 1
    if k < 0 or lower[k] not in ("après", "avant", "sans", "en") or "Fin" in verb.morph.get("VerbForm", []):
        return []
    if lower[k] == "avant" and not (k + 1 < verb.i and lower[k + 1] in ("de", "d'")):
        return []
    sent = sent_of(verb)
    if k != sent.start and lower[k - 1] not in (",", "et"):
        return []
    for t in doc[verb.i + 1:sent.end]:
        if t.dep_ == "nsubj" and t.i > 0 and lower[t.left_edge.i - 1] == "," and t.head.i > t.i \
                and t.head.pos_ in ("VERB", "AUX", "ADJ", "NOUN"):
            return [t]
    return []


def _named_after(doc: Doc, verb: Token, ms: Mentions, refs: Referents) -> tuple[list[EntityKey], bool]:
    """Who speaks after an incise verb, before the next punctuation: a name, a title's holder, a
    description ("a précisé le secrétaire au Commerce"), and those coordinated with it."""
    indirect: list[EntityKey] = []
    lower = scan.lower(doc)
    i, end = verb.i + 1, sent_of(verb).end
    while i < end:
        t = doc[i]
        if t.is_punct:
            break
        if lower[i] in _A:  # "a déclaré à la presse X": the addressee is no speaker
            noun = t.head
            i = min(noun.i, _next_punct(doc, i, end) - 1) + 1 if noun.i > i else i + 1
            continue
        if i in refs.internal or i in refs.complement:
            i += 1
            continue
        keys = [k for k in refs.group(t, indirect=indirect, unnamed_as_group=False) if ms.type_of(k) is not PLACE]
        if keys:
            persons = [k for k in keys if ms.type_of(k) is PERSON]
            return (persons or keys), bool(indirect)
        if i in refs.title_head:  # an unnamed speaker
            break
        i += 1
    return [], False


def _next_punct(doc: Doc, i: int, end: int) -> int:
    orth = scan.orth(doc)
    return next((k for k in range(i, end) if orth[k] in (",", ".", ";", ":", "!", "?")), end)


def _clause_end(doc: Doc, verb: Token, sent: Span) -> int:
    """Where the reported words end: the end of the sentence, closing punctuation left out."""
    end = sent.end
    while end > verb.i + 1 and doc[end - 1].is_punct and doc[end - 1].text not in _CLOSE:
        end -= 1
    return end


@handler("reported_speech")
def reported_speech(ctx: Context, verb: Token, rule: Pattern, *, content: str | list[str], particle: int = 0,
                    colon: bool = False):
    """A reporting verb and its speaker (the subject); what it reports is, by ``content``:
    ``que`` a "que" clause, ``quote-after`` a quote right after the verb (after a colon only, with
    ``colon``), ``quote-before`` the quotes the verb follows as an incise, ``rest`` the rest of the
    clause (or any of a list of these). ``particle`` words after the verb belong to the predicate
    ("fait savoir", "fait part")."""
    doc, ms, refs = ctx.doc, ctx.ms, ctx.refs
    if _continues(verb):
        return None
    qs, used = _quotes(ctx), ctx.state["used"]
    sent = sent_of(verb)
    orth, lower, pos = scan.orth(doc), scan.lower(doc), scan.pos(doc)
    i = verb.i + 1 + particle
    while i < sent.end and lower[i] in _SKIP_AFTER_VERB and lower[i] not in ("que", "qu'"):
        i += 1
    # "X a dit aux journalistes que …", "X a assuré à son homologue qu'…"
    que = next((k for k in range(i, min(i + 8, sent.end)) if lower[k] in ("que", "qu'")
                and doc[k].dep_ == "mark"), None)
    if que is not None and all(orth[k] not in ("«", '"', ",", ";", ":") and pos[k] != "VERB" for k in range(i, que)):
        i = que
    elif i < sent.end and orth[i] == "," and (k := _que_after_parenthetical(doc, verb, i, sent.end)) is not None:
        i = k  # "Il a souligné, lors de cette rencontre, que …"
    stop = _clause_end(doc, verb, sent)
    main_subject = _after_infinitive_clause(verb)
    if main_subject:  # "Après avoir déclaré que …, le ministre X a …": the words end at the comma
        stop = min(stop, main_subject[0].left_edge.i - 1)
    after = [q for q in qs if verb.i < q[0] <= stop]
    before = [q for q in qs if q[1] < verb.i and _only_incise_between(doc, q[1] + 1, verb.i)]
    has_que = i < sent.end and lower[i] in ("que", "qu'")
    by_colon = bool(after) and _colon_before(doc, verb.i + 1 + particle, after[0][0] - 1)
    quote_after = bool(after) and (by_colon or (not colon and after[0][0] - i <= 3))
    if not before and not has_que and not quote_after and _only_addressee(doc, i, stop):
        before = [q for q in qs if q[1] < verb.i and _subject_between(doc, q[1] + 1, verb)]  # "« … », X a dit aux …"
    shape = ("que" if has_que else "quote-before" if before else "quote-after" if quote_after else "rest")
    if shape not in ([content] if isinstance(content, str) else content):
        return None
    content = shape
    if _not_asserted(verb) or _performative(verb):
        return []
    speakers, indirect = _speakers(verb, ms, refs)
    if shape == "quote-before":
        speakers = _previous_speaker(ctx, verb, speakers) or speakers
        if not speakers:  # "« … », a déclaré à la presse Viktor Lebedev", "…, a ajouté le dirigeant sénégalais"
            speakers, indirect = _named_after(doc, verb, ms, refs)
    if not speakers:
        return []
    quoted = False
    if content == "que":
        words = _text(doc, i + 1, stop)
        taken = [q for q in after if q[1] <= stop]
    elif content == "quote-after":
        words, quoted, taken = _text(doc, *after[0]), True, [after[0]]
        obj = next((c for c in verb.children if c.dep_ == "obj" and c.left_edge.i < after[0][0] - 1
                    and c.right_edge.i > after[0][1] + 1 and c.left_edge.i > verb.i), None)
        if obj is not None and not by_colon:  # "réaffirmant sa « confiance » au groupe …": the whole object
            words = _text(doc, obj.left_edge.i, min(obj.right_edge.i + 1, stop))
    elif content == "quote-before":
        taken = _chain(doc, qs, before[-1])
        more = _continuation(doc, qs, verb, stop)
        words, quoted = _text(doc, taken[0][0] - 1, taken[-1][1] + 1), True
        mark = taken[0][0] - 1
        if mark > sent.start and orth[mark - 1] not in (",", ":", "…") and _finite_verb_in(doc, sent.start, mark):
            lead = sent.start  # "…, et partagent le même « sentiment d'urgence », a indiqué X": the clause
            while lead < mark and lower[lead] in _LEADING_WORDS:
                lead += 1
            words, quoted = _text(doc, lead, taken[-1][1] + 1), False
        if more is not None:  # "« … », a souligné X, « … »"
            words, taken = f"{words} … {_text(doc, more[0] - 1, more[1] + 1)}", [*taken, more]
    else:
        inside = next((q for q in qs if q[0] <= verb.i < q[1] and q[0] >= verb.i - 2), None)
        obj = next((c for c in verb.children if c.dep_ == "obj"), None)
        if inside is not None:  # "X, « félicite chaleureusement » Y": the verb is quoted with its words
            words, quoted, taken = _text(doc, inside[0] - 1, stop), True, [inside]
        elif any(f"{verb.lemma_} {c.lemma_}" in _NON_SPEECH_USES for c in verb.children if c.dep_ in _OBJECT_DEPS) \
                or (obj is not None and any(f"{verb.lemma_} {c.lemma_}" in _NON_SPEECH_USES for c in obj.children)):
            return []  # "observer une minute de silence", "accuser un retard", "appeler X au téléphone"
        elif obj is not None and obj.lemma_ in _SPEECH_NOUNS:  # "« … » X a ainsi conclu son discours"
            q = next((q for q in qs if q[1] == sent.start - 1 and q[0] - 1 == sent_at(doc, q[0] - 1).start), None)
            if q is None:
                return []
            words, quoted, taken = _text(doc, *q), True, [q]
        else:
            # "…, arguant de sa souveraineté, et les deux institutions …": a clause with its own subject
            end = verb.right_edge.i + 1
            for c in verb.children:
                if c.dep_ == "conj" and c.i > i and any(g.dep_.startswith("nsubj") for g in c.children):
                    end = min(end, c.left_edge.i)
            while end - 1 > i and lower[end - 1] in ("et", "mais", ","):
                end -= 1
            if i < end < stop and lower[end] in (",", ";", "et", "mais") and _finite_verb_in(doc, end, stop):
                stop = end
            words = _text(doc, i, stop)
            taken = [q for q in after if q[1] <= stop]
    if len(words) < 3:
        return []
    used.update(taken)
    ctx.state["speakers"] = (verb.i, speakers)
    ev = evidence(doc, verb.i, rule, INDIRECT_REFERENCE_FACTOR if indirect else 1.0)
    return [Statement(s, words, quoted, ev) for s in speakers]


def _que_after_parenthetical(doc: Doc, verb: Token, i: int, end: int) -> int | None:
    """The "que" of the verb's clause after a comma-closed parenthetical: 'a souligné, lors de X, que …'."""
    lower, orth = scan.lower(doc), scan.orth(doc)
    for k in range(i + 1, min(end, i + 16)):
        if lower[k] in ("que", "qu'") and doc[k].dep_ == "mark" and orth[k - 1] == "," \
                and doc[k].head.head == verb and doc[k].head.dep_ == "ccomp":
            return k
        if orth[k] in (".", ";", ":", "«", '"'):
            return None
    return None


def _colon_before(doc: Doc, i: int, mark: int) -> bool:
    """'Il a lancé à ceux … : « … »': only an addressee between the verb and a colon before the quote."""
    if mark - 1 < i or scan.orth(doc)[mark - 1] != ":" or mark - i > 14:
        return False
    lower = scan.lower(doc)
    return all(lower[k] not in ("que", "qu'", ".", ";", "«", "»")
               and "Fin" not in scan.feats(doc, k).get("VerbForm", ()) for k in range(i, mark - 1))


def _only_addressee(doc: Doc, i: int, stop: int) -> bool:
    """Nothing after the verb but an addressee ("… a dit aux députés."), or nothing at all."""
    lower = scan.lower(doc)
    if i >= stop:
        return True
    return lower[i] in _A and not _finite_verb_in(doc, i, stop) and "«" not in lower[i:stop]


def _subject_between(doc: Doc, i: int, verb: Token) -> bool:
    """'« … », X a dit': only a comma, the verb's subject and auxiliaries between the quote and the verb."""
    if verb.i - i > 8:
        return False
    orth = scan.orth(doc)
    subjects = {t.i for s in subjects_of(verb) for t in s.subtree}
    return orth[i] in (",", "»", '"') and all(
        orth[k] in (",", "»", '"') or k in subjects or doc[k].pos_ == "AUX" for k in range(i, verb.i))


def _chain(doc: Doc, qs: list[tuple[int, int]], last: tuple[int, int]) -> list[tuple[int, int]]:
    """The quotes one incise reports: the last one and those joined to it by ',', 'mais', 'et'."""
    lower = scan.lower(doc)
    chain = [last]
    for q in reversed([q for q in qs if q[1] < last[0]]):
        first = chain[0]
        if all(lower[k] in _QUOTE_JOINERS for k in range(q[1], first[0])):
            chain.insert(0, q)
        else:
            break
    return chain


def _continuation(doc: Doc, qs: list[tuple[int, int]], verb: Token, stop: int) -> tuple[int, int] | None:
    """A quote that goes on after the incise and its speaker: '« … », a souligné X, « … »'."""
    orth, pos = scan.orth(doc), scan.pos(doc)
    for q in qs:
        if q[0] - 2 <= verb.i or q[0] > stop + 1:
            continue
        joint = q[0] - 2  # '…, X, « … »', '…, X, et « … »', '… X et « … »'
        if orth[joint] == "et" and orth[joint - 1] == "," and joint - 1 > verb.i:
            joint -= 1
        if orth[joint] in (",", "et") and all(orth[k] not in (".", ";", ":", "«", "»", '"') and pos[k] != "VERB"
                                              for k in range(verb.i + 1, joint)):
            return q
        return None
    return None


def _not_asserted(verb: Token) -> bool:
    """'X n'a pas déclaré que …', 'si X déclare …', 'il n'est pas établi si X … ou ne fait que préciser
    que …': the statement is denied, supposed or doubted, not asserted."""
    head = verb
    for _ in range(4):
        children = list(head.children)
        if any(c.lower_ in ("ne", "n'") for c in children) and any(c.lower_ in _NEGATIONS for c in children) \
                and head.lemma_ not in _LITOTES:
            return True
        if any(c.dep_ == "mark" and c.lower_ in ("si", "s'") for c in children):
            return True
        if head.dep_ not in ("conj", "xcomp") or head.head is head:
            break
        head = head.head
    return False


def _performative(verb: Token) -> bool:
    """'déclarer l'état d'urgence', 'proclamer l'indépendance', 'déclaré coupable': an act, not speech."""
    if verb.lemma_ not in _PERFORMATIVE_VERBS:
        return False
    return any(c.dep_ in ("obj", "xcomp") and (c.lemma_ in _PERFORMATIVE_OBJECTS or c.lower_ in _PERFORMATIVE_OBJECTS)
               for c in verb.children)


def _previous_speaker(ctx: Context, verb: Token, speakers: list[EntityKey]) -> list[EntityKey]:
    """'« … », a-t-il ajouté': the pronoun is the person speaking in the passage (the speaker of the
    statement before, in this sentence or the two before), not the person named last."""
    subjects = list(dict.fromkeys(map(_clitic_of, subjects_of(verb))))
    last = ctx.state.get("speakers")
    if not subjects or not all(s.lower_ in _CLITIC_SUBJECTS for s in subjects) or last is None:
        return []
    at, keys = last
    if len(keys) != 1 or at < sents_up_to(verb, 3)[0].start:
        return []
    feminine = any(s.lower_.endswith("elle") or s.lower_.endswith("elles") for s in subjects)
    if ctx.refs.feminine and feminine != (keys[0] in ctx.refs.feminine):
        return []
    return keys


@handler("inverted_speaker")
def inverted_speaker(ctx: Context, verb: Token, rule: Pattern):
    """'Les deux dirigeants ont discuté de …, a précisé Piotr Sidorenko.': the speaker follows the verb,
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
        return None  # "Le porte-parole, Piotr Sidorenko, a précisé que …": an ordinary subject
    if any(c.dep_.startswith("aux") and c.i < k for c in verb.children):
        return None  # "Nous avons, bien entendu, évoqué …": an adverbial between the auxiliary and the verb
    if any(lower[j] in ("que", "qu'") or orth[j] in _OPEN for j in range(verb.i + 1, sent.end)):
        return None
    keys, indirect = _named_after(doc, verb, ms, refs)
    content = _text(doc, sent.start, k)
    # "« Il existe …, a souligné X. Nous pouvons … »": the quote goes on after the incise's sentence
    open_quote = next((q for q in qs if q[0] <= verb.i < q[1] and q[1] >= sent.end), None)
    if open_quote is not None and _opens_sentence(doc, open_quote, sent):
        content = f"{content}, {_text(doc, sent.end, open_quote[1])}"
    if not keys or len(content) < 3:
        return []
    ctx.state["speakers"] = (verb.i, keys)
    ev = evidence(doc, verb.i, rule, INDIRECT_REFERENCE_FACTOR if indirect else 1.0)
    return [Statement(key, content, False, ev) for key in keys]


def _opens_sentence(doc: Doc, q: tuple[int, int], sent: Span) -> bool:
    """Whether a quote opens at the start of a sentence (its mark is the sentence's first word)."""
    return q[0] - 1 == sent.start


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
    j, by_title = prep, False
    keys: list[EntityKey] = []
    indirect: list[EntityKey] = []
    while j < sent.end and orth[j] not in (",", ".", ";", ":"):
        if not keys:
            keys = [k for k in refs.of(doc[j], indirect=indirect) if ms.type_of(k) is not PLACE]
            by_title = j in refs.title_at
        elif by_title and not any(ms.type_of(k) is PERSON for k in keys) and (m := ms.by_token.get(j)) is not None \
                and m.kind is MentionKind.NAME and ms.type_of(m.key) is PERSON:
            keys = [m.key]  # "pour le président de la Commission Jan Kowal": the holder named after the title
        j += 1
    if not keys:
        return []
    # "selon le porte-parole du Kremlin, Piotr Sidorenko, …": the name in apposition is no content
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
    if len(right) < 3 and left:  # "« … », selon X.", "l'évacuation devrait reprendre selon X": what precedes
        content = left
    if len(content) < 3:
        return []
    ev = evidence(doc, tok.i, rule, INDIRECT_REFERENCE_FACTOR if indirect else 1.0)
    return [Statement(k, content, False, ev) for k in keys]


def _is_a_name(doc: Doc, q: tuple[int, int], ms: Mentions) -> bool:
    """A short quotation that names something: after an article ("la « déclaration de Rome »"), or a
    capitalised title after a person's name ("X, « L'interview politique », …")."""
    if q[1] - q[0] > 4 or any(p in ("VERB", "AUX") for p in scan.pos(doc)[q[0]:q[1]]):
        return False
    lower, orth = scan.lower(doc), scan.orth(doc)
    mark = q[0] - 1
    if mark > 0 and lower[mark - 1] in _NAME_DETERMINERS:
        return True
    after_name = mark > 1 and orth[mark - 1] == "," and (m := ms.by_token.get(mark - 2)) is not None \
        and ms.type_of(m.key) is PERSON
    return after_name and orth[q[0]][:1].isupper()


@handler("orphan_quote")
def orphan_quote(ctx: Context, mark: Token, rule: Pattern):
    """A quotation no verb reported, in a sentence whose main subject is a person: that person's words."""
    doc, ms, refs = ctx.doc, ctx.ms, ctx.refs
    q = next((q for q in _quotes(ctx) if q[0] == mark.i + 1), None)
    if q is None or q in ctx.state["used"]:
        return None
    root = sent_of(doc[q[0]]).root
    if q[0] <= root.i < q[1] or _is_a_name(doc, q, ms):
        return []
    for verb in doc[q[0]].ancestors:  # "le roi, qui a appelé à « … »": a clause with its own subject
        if verb.pos_ == "VERB" and verb.lemma_ in _QUOTE_VERBS:
            return []  # "a lancé une « opération spéciale »": a quote-only verb that reports nothing here
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
