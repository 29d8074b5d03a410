"""Meetings: who met, talked or negotiated with whom, where, and whether it is held or planned.

Triggers are meeting verbs ("rencontrer", "s'entretenir", "recevoir", "réunir") and nouns
("entretiens avec", "négociations menées avec", "rencontre entre X et Y"). One side is the subject
(of the verb, or of the verb governing the noun); the other side is what follows the trigger up to
the end of the clause. Principals named inside title phrases ("l'envoyé du président Vladimir
Poutine") are not participants; neither is what follows "pour" or "sur" (the topic).
"""
from __future__ import annotations

from itertools import combinations, islice

from spacy.tokens import Doc, Token

from kg import lexicon
from kg.dates import french_date
from kg.extract import scan
from kg.extract.entities import PLACE, Mentions
from kg.extract.evidence import evidence
from kg.extract.patterns import INDIRECT_REFERENCE_FACTOR, Context, Pattern, handler
from kg.extract.refs import Referents, is_impersonal, subjects_of
from kg.extract.sents import sent_of
from kg.records import Meeting

_CLAUSE_STOP = lexicon.words("clause_stops")
_PLANNING_WORDS = lexicon.words("planning_words")
# A meeting denied or refused did not happen and is not planned either.
_NEGATING_WORDS = lexicon.words("negating_words")
DE = lexicon.words("de_forms")
_LOCATION_PREPS = lexicon.words("location_preps")
_COORDINATION = {"et", ",", "ainsi", "que", *DE, "l'", "la", "le", "les"}


def _meetings(ctx: Context, trigger: Token, pairs, rule: Pattern, indirect: list) -> list[Meeting]:
    """The meetings of ``pairs`` found at ``trigger``, with their place, date and planned status."""
    if not pairs or _is_denied(trigger):
        return []
    doc = ctx.doc
    ev = evidence(doc, trigger.i, rule, INDIRECT_REFERENCE_FACTOR if indirect else 1.0)
    planned, place, date = _is_planned(trigger), _place(doc, trigger, ctx.ms), _sentence_date(doc, trigger)
    return [Meeting(tuple(sorted((a, b))), planned, ev, place=place, date=date) for a, b in pairs]


def _after_avec(doc: Doc, verb: Token) -> int:
    """The token after the first "avec" that follows the verb in its sentence (the sentence end if none)."""
    lower, end = scan.lower(doc), sent_of(verb).end
    return next((j + 1 for j in range(verb.i + 1, end) if lower[j] == "avec"), end)


@handler("meeting_verb")
def meeting_verb(ctx: Context, verb: Token, rule: Pattern, *, counterpart: str = "object") -> list[Meeting]:
    """The subject meets the object, or the "avec" complement (``counterpart="avec"``)."""
    doc, ms, refs, indirect = ctx.doc, ctx.ms, ctx.refs, []
    subjects = _agents(_subject_keys(verb, refs, indirect), ms)
    start = _after_avec(doc, verb) if counterpart == "avec" else verb.i + 1
    others = _agents(_span_keys(doc, start, ms, refs, indirect), ms)
    return _meetings(ctx, verb, _pairs_across(subjects, others), rule, indirect)


@handler("reciprocal_meeting")
def reciprocal_meeting(ctx: Context, verb: Token, rule: Pattern) -> list[Meeting]:
    """'X s'est entretenu avec Y', 'X et Y se sont rencontrés', 'où s'étaient entretenus X et Y'."""
    doc, ms, refs, indirect = ctx.doc, ctx.ms, ctx.refs, []
    subjects = _agents(_subject_keys(verb, refs, indirect), ms)
    if not subjects:
        return _meetings(ctx, verb, _pairs_within(_agents(_span_keys(doc, verb.i + 1, ms, refs, indirect), ms)),
                         rule, indirect)
    others = _agents(_span_keys(doc, _after_avec(doc, verb), ms, refs, indirect), ms)
    pairs = _pairs_across(subjects, others) if others else _pairs_within(subjects)
    return _meetings(ctx, verb, pairs, rule, indirect)


@handler("gathering")
def gathering(ctx: Context, verb: Token, rule: Pattern) -> list[Meeting]:
    """'Le sommet a réuni X et Y': the people brought together met each other."""
    indirect: list[str] = []
    others = _agents(_span_keys(ctx.doc, verb.i + 1, ctx.ms, ctx.refs, indirect), ctx.ms)
    return _meetings(ctx, verb, _pairs_within(others), rule, indirect)


@handler("meeting_noun")
def meeting_noun(ctx: Context, noun: Token, rule: Pattern, *, link: str) -> list[Meeting]:
    """'une rencontre entre X et Y' (``link="entre"``); 'X a eu des entretiens avec Y' (``link="avec"``)."""
    doc, ms, refs, indirect = ctx.doc, ctx.ms, ctx.refs, []
    sent = sent_of(noun)
    lower, pos, orth = scan.lower(doc), scan.pos(doc), scan.orth(doc)
    for j in range(noun.i + 1, min(sent.end, noun.i + 8)):
        word = lower[j]
        if word in ("entre", "avec"):
            if word != link:
                return None
            if link == "entre":
                keys = _span_keys(doc, j + 1, ms, refs, indirect, coordinated=True)
                return _meetings(ctx, noun, _pairs_within(_agents(keys, ms)), rule, indirect)
            governor = _governor(noun)
            if governor is None or noun.dep_.startswith("nsubj") or _is_meeting_verb(governor):
                return []
            others = _agents(_span_keys(doc, j + 1, ms, refs, indirect), ms)
            subjects = _agents(_subject_keys(governor, refs, indirect), ms)
            return _meetings(ctx, noun, _pairs_across(subjects, others), rule, indirect)
        if word in _CLAUSE_STOP or pos[j] == "AUX" or orth[j] in (",", "."):
            break
    return None


_ANY_MEETING_VERB = lexicon.words("meeting_verbs") | lexicon.words("meeting_verbs_with") | \
    lexicon.words("gathering_verbs")


def _is_meeting_verb(tok: Token) -> bool:
    """Whether a verb is itself a meeting trigger ("a rencontré … lors d'entretiens avec …")."""
    return tok.lemma_ in _ANY_MEETING_VERB or (
        tok.lemma_ in lexicon.words("meeting_verbs_reciprocal") and _is_reciprocal(tok))


def _governor(noun: Token) -> Token | None:
    """The verb whose subject holds the talks: 'a tenu (une série de) réunions avec …'."""
    for head in (noun.head, noun.head.head):
        if head.pos_ == "VERB":
            return head
        if head.pos_ != "NOUN":
            break
    return None


def _agents(keys: list[str], ms: Mentions) -> list[str]:
    return [k for k in keys if ms.type_of(k) is not PLACE]


def _pairs_across(a: list[str], b: list[str]) -> list[tuple[str, str]]:
    return sorted({tuple(sorted((x, y))) for x in a for y in b if x != y})


def _pairs_within(keys: list[str]) -> list[tuple[str, str]]:
    return sorted({tuple(sorted(p)) for p in combinations(dict.fromkeys(keys), 2)})


def _is_reciprocal(verb: Token) -> bool:
    return any(c.lower_ in ("se", "s'") for c in verb.children)


def _subject_keys(verb: Token, refs: Referents, indirect: list) -> list[str]:
    """The subject of a verb; an infinitive, a present participle or a coordinated verb shares its head's."""
    head = verb
    for _ in range(3):
        subjects = subjects_of(head)
        if subjects:
            return [k for s in subjects if not is_impersonal(s) for k in refs.group(s, indirect=indirect)]
        if head.dep_.startswith("acl"):  # "un plan remanié après consultations": no agent named
            break
        feats = scan.feats(head.doc, head.i)
        form = feats.get("VerbForm", ())
        shares = head.dep_ == "conj" or head.dep_ in ("xcomp", "advcl") and (
            "Inf" in form or "Part" in form and "Pres" in feats.get("Tense", ()))
        if head.head is head or not shares:
            break
        head = head.head
    return []


def _span_keys(doc: Doc, i: int, ms: Mentions, refs: Referents, indirect: list, *,
               coordinated: bool = False) -> list[str]:
    """Entities named from token ``i`` to the end of the clause (title complements left out).

    With ``coordinated``, only a list of noun phrases ("entre X, Y et Z") is read.
    """
    keys: list[str] = []
    sent_end = sent_of(doc[i - 1]).end if i > 0 else len(doc)
    lower, pos, orth = scan.lower(doc), scan.pos(doc), scan.orth(doc)
    while i < sent_end:
        if lower[i] == "que" and i > 0 and lower[i - 1] == "ainsi":  # "ainsi que": the list goes on
            i += 1
            continue
        if lower[i] in _CLAUSE_STOP or orth[i] == "." or (
                pos[i] in ("VERB", "AUX") and "Fin" in scan.feats(doc, i).get("VerbForm", ())):
            break
        if coordinated and not (i in ms.by_token or i in refs.title_at or lower[i] in _COORDINATION
                                or pos[i] in ("DET", "ADJ")):
            break
        m = ms.by_token.get(i)
        bare_adjective = m is not None and m.kind == "demonym" and pos[i] == "ADJ"
        if m is not None and m.start == doc[i].idx and (_after_location_prep(doc, i) or _complement_of_thing(doc, i, refs)):
            i += 1  # "reçu à l'Élysée": where, not who; "a reçu le soutien de Washington": not a meeting
            continue
        use = refs.title_head.get(i)
        if use is not None and _complement_of_thing(doc, i, refs):
            i = use.end  # "une lettre du président Paul Martin": the title and the name that follows
            while i < sent_end and use.holder and ms.key_of(doc[i]) == use.holder:
                i += 1
            continue
        if i not in refs.complement and i not in refs.internal and not bare_adjective:
            for k in refs.of(doc[i], indirect=indirect):
                if k not in keys:
                    keys.append(k)
        i += 1
    return keys


def _after_location_prep(doc: Doc, i: int) -> bool:
    pos = scan.pos(doc)
    j = i - 1
    while j >= 0 and pos[j] == "DET":
        j -= 1
    return j >= 0 and scan.lower(doc)[j] in _LOCATION_PREPS


def _complement_of_thing(doc: Doc, i: int, refs: Referents) -> bool:
    """'le soutien de Washington', 'une lettre du président': a name complementing a common noun."""
    pos = scan.pos(doc)
    j = i - 1
    while j >= 0 and pos[j] == "DET":
        j -= 1
    if j < 1 or scan.lower(doc)[j] not in DE:
        return False
    return pos[j - 1] == "NOUN" and j - 1 not in refs.title_at


def _is_planned(trigger: Token) -> bool:
    """Future, conditional or announced meetings are planned, not held."""
    for t in [trigger, *islice(trigger.ancestors, 4)]:
        feats = scan.feats(t.doc, t.i)
        if "Fut" in feats.get("Tense", ()) or "Cnd" in feats.get("Mood", ()) or _future_form(t):
            return True
        if t.lemma_ in _PLANNING_WORDS or any(c.lemma_ in _PLANNING_WORDS for c in t.children if c.dep_ in ("amod", "aux")):
            return True
    return False


def _sentence_date(doc: Doc, tok: Token) -> str | None:
    """french_date of the token's sentence, computed once per sentence (it holds several triggers)."""
    sent = sent_of(tok)
    dates = doc.user_data.setdefault(_DATES, {})
    if sent.start not in dates:
        dates[sent.start] = french_date(scan.text(sent))
    return dates[sent.start]


_DATES = "kg.sentence_dates"


def _future_form(verb: Token) -> bool:
    """Future or conditional by its ending, for when the tagger misses it ('rencontrerait')."""
    word = verb.lower_
    return verb.pos_ in ("VERB", "AUX") and (word.endswith(("rait", "raient", "ront")) or
                                            len(word) > 5 and word.endswith("ra"))


def _is_denied(trigger: Token) -> bool:
    return any(t.lemma_ in _NEGATING_WORDS for t in islice(trigger.ancestors, 4))


def _place(doc: Doc, trigger: Token, ms: Mentions) -> str | None:
    """The place named with 'à' or 'en' in the trigger's sentence, nearest to the trigger."""
    best = None
    sent, lower = sent_of(trigger), scan.lower(doc)
    for i in range(sent.start, sent.end):
        m = ms.by_token.get(i)
        if m is None or ms.type_of(m.key) is not PLACE or i == 0:
            continue
        if lower[i - 1] in _LOCATION_PREPS and (best is None or abs(i - trigger.i) < abs(best[0] - trigger.i)):
            best = (i, m.key)
    return best[1] if best else None
