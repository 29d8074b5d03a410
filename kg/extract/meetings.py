"""Meetings: who met, talked or negotiated with whom, where, and whether it is held or planned.

Triggers are meeting verbs ("rencontrer", "s'entretenir", "recevoir", "réunir") and nouns
("entretiens avec", "négociations menées avec", "rencontre entre X et Y"). One side is the subject
(of the verb, or of the verb governing the noun); the other side is what follows the trigger up to
the end of the clause. Principals named inside title phrases ("l'envoyé du président Vladimir
Poutine") are not participants; neither is what follows "pour" or "sur" (the topic).
"""
from __future__ import annotations

import re
from itertools import combinations, islice

from spacy.tokens import Doc, Token

from kg.extract import scan
from kg.extract.entities import PLACE, Mentions
from kg.extract.refs import Referents, is_impersonal, subjects_of
from kg.extract.roles import evidence
from kg.extract.rules import INDIRECT_REFERENCE_FACTOR, Rule
from kg.extract.sents import sent_of
from kg.lexicon import Lexicon
from kg.records import Meeting

_CLAUSE_STOP = {"pour", "afin", "sur", "concernant", "qui", "que", "qu'", "dont", "où", ";", ":", "«", "lors",
                "depuis", "mais", "tandis", "alors", "après", "avant", "contre", "selon", "car", "puisque"}
_ALL_TOGETHER = {"réunir", "rassembler"}
# Meeting verbs only with a reflexive pronoun: "s'entretenir", "se retrouver".
_REFLEXIVE_ONLY = {"entretenir", "retrouver"}
# Verbs whose object is a topic: the counterpart is introduced by "avec".
_WITH_ONLY = {"discuter", "négocier", "dialoguer", "entretenir"}
_PLANNING_WORDS = {"prochain", "prochaine", "futur", "future", "éventuel", "éventuelle", "possibilité", "projet",
                   "proposer", "envisager", "prévoir", "préparer", "préparation", "souhaiter", "espérer", "vouloir",
                   "devoir", "pouvoir", "organiser", "tenue", "proposition"}
# A meeting denied or refused did not happen and is not planned either.
_NEGATING_WORDS = {"nier", "démentir", "exclure", "refuser", "rejeter", "annuler", "reporter"}
_COORDINATION = {"et", ",", "ainsi", "que", "de", "du", "des", "d'", "l'", "la", "le", "les"}


class MeetingFinder:
    def __init__(self, lex: Lexicon) -> None:
        self.verbs, self.nouns = lex.meeting_verbs, lex.meeting_nouns
        self.trigger_scan = scan.Words(scan.Attr.LEMMA, {*self.verbs, *_REFLEXIVE_ONLY, *self.nouns})

    def __call__(self, doc: Doc, ms: Mentions, refs: Referents) -> list[Meeting]:
        out = []
        for tok in scan.tokens(doc, self.trigger_scan):
            indirect: list[str] = []
            if tok.pos_ == "VERB" and self._is_meeting_verb(tok):
                pairs, rule = self._verb(doc, tok, ms, refs, indirect), Rule.MEETING_VERB
            elif tok.pos_ == "NOUN" and tok.lemma_ in self.nouns:
                pairs, rule = self._noun(doc, tok, ms, refs, indirect), Rule.MEETING_NOUN
            else:
                continue
            if not pairs or _is_denied(tok):
                continue
            ev = evidence(doc, tok.i, rule, INDIRECT_REFERENCE_FACTOR if indirect else 1.0)
            planned = _is_planned(tok)
            place, date = _place(doc, tok, ms), _sentence_date(doc, tok)
            for a, b in pairs:
                out.append(Meeting(tuple(sorted((a, b))), planned, ev, place=place, date=date))
        return out

    def _is_meeting_verb(self, tok: Token) -> bool:
        if tok.lemma_ in _REFLEXIVE_ONLY:  # "s'entretenir avec", not "entretenir des relations"
            return _is_reciprocal(tok)
        return tok.lemma_ in self.verbs

    def _verb(self, doc, verb, ms, refs, indirect) -> list[tuple[str, str]]:
        subjects = _agents(_subject_keys(verb, refs, indirect), ms)
        start = verb.i + 1
        reciprocal = _is_reciprocal(verb)
        if (verb.lemma_ in _WITH_ONLY or reciprocal) and not (subjects == [] and reciprocal):
            # "discuter de la Syrie avec X": only X is met
            lower, end = scan.lower(doc), sent_of(verb).end
            start = next((j + 1 for j in range(verb.i + 1, end) if lower[j] == "avec"), end)
        others = _agents(_span_keys(doc, start, ms, refs, indirect), ms)
        if reciprocal and subjects:  # "X et Y se sont entretenus", "les délégations … se sont réunies"
            return _pairs_across(subjects, others) if others else _pairs_within(subjects)
        if verb.lemma_ in _ALL_TOGETHER or reciprocal:
            return _pairs_within(others)  # "ont réuni X et Y", "où s'étaient entretenus X et Y"
        return _pairs_across(subjects, others)

    def _noun(self, doc, noun, ms, refs, indirect) -> list[tuple[str, str]]:
        sent = sent_of(noun)
        lower, pos, orth = scan.lower(doc), scan.pos(doc), scan.orth(doc)
        for j in range(noun.i + 1, min(sent.end, noun.i + 8)):
            word = lower[j]
            if word == "entre":
                return _pairs_within(_agents(_span_keys(doc, j + 1, ms, refs, indirect, coordinated=True), ms))
            if word == "avec":
                others = _agents(_span_keys(doc, j + 1, ms, refs, indirect), ms)
                governor = _governor(noun)
                if governor is None or noun.dep_.startswith("nsubj") or self._is_meeting_verb(governor) or governor.lemma_ in _ALL_TOGETHER:
                    return []
                return _pairs_across(_agents(_subject_keys(governor, refs, indirect), ms), others)
            if word in _CLAUSE_STOP or pos[j] == "AUX" or orth[j] in (",", "."):
                break
        return []


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
    return j >= 0 and scan.lower(doc)[j] in ("à", "au", "aux", "dans", "en")


def _complement_of_thing(doc: Doc, i: int, refs: Referents) -> bool:
    """'le soutien de Washington', 'une lettre du président': a name complementing a common noun."""
    pos = scan.pos(doc)
    j = i - 1
    while j >= 0 and pos[j] == "DET":
        j -= 1
    if j < 1 or scan.lower(doc)[j] not in ("de", "du", "des", "d'"):
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


_MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
           "novembre", "décembre"]
_DATE = re.compile(r"\b(1er|[0-3]?\d)\s+(" + "|".join(_MONTHS) + r")\s+((?:19|20)\d\d)\b", re.IGNORECASE)


def _sentence_date(doc: Doc, tok: Token) -> str | None:
    """french_date of the token's sentence, computed once per sentence (it holds several triggers)."""
    sent = sent_of(tok)
    dates = doc.user_data.setdefault(_DATES, {})
    if sent.start not in dates:
        dates[sent.start] = french_date(scan.text(sent))
    return dates[sent.start]


_DATES = "kg.sentence_dates"


def french_date(text: str) -> str | None:
    """ISO date of the first full French date in a text: 'le 20 décembre 2025' -> '2025-12-20'."""
    m = _DATE.search(text)
    if not m:
        return None
    day = 1 if m.group(1).lower() == "1er" else int(m.group(1))
    return f"{m.group(3)}-{_MONTHS.index(m.group(2).lower()) + 1:02d}-{day:02d}" if 1 <= day <= 31 else None


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
        if lower[i - 1] in ("à", "en", "au") and (best is None or abs(i - trigger.i) < abs(best[0] - trigger.i)):
            best = (i, m.key)
    return best[1] if best else None
