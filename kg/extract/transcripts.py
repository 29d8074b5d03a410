"""Transcripts: speeches, interviews and press conferences, read as turns of their speakers.

A transcript says who speaks by its layout, not by reporting verbs: a heading ("Déclaration de M. X,
ministre …", "Conférence de presse conjointe de X et de Y", "Interview de X à …"), answer and question
markers at line starts ("Q - …", "R - …"), speaker labels ("LE PRESIDENT : …", "SECRÉTAIRE D'ÉTAT X: …")
and section markers ("- Propos de X -"). ``turns`` reads that layout once per Doc into passages, each
with its speaker's entity key (None for an interviewer or a narrative passage); the handlers turn the
claims of a speaker's passage into their statements, and what they say in the first person about
meeting people ("je reçois X", "j'ai rencontré Y", "nos entretiens avec Z") into meetings.
"""
from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass
from enum import Enum

from spacy.attrs import IDX
from spacy.tokens import Doc, Token

from kg.extract import meetings, scan
from kg.extract.entities import PERSON, Mentions
from kg.extract.evidence import evidence
from kg.extract.patterns import Context, Pattern, handler
from kg.extract.sents import sent_at
from kg.extract.statements import quotes
from kg.lang import lexicon
from kg.records import EntityKey, Meeting, MentionKind, Statement

_HEADINGS = sorted(lexicon.words("transcript_headings"), key=len, reverse=True)
_HEADING_RE = re.compile(r"^\s*(?:{})\b".format("|".join(map(re.escape, _HEADINGS))), re.IGNORECASE)
# "Entretien de X avec Y", "Entretien entre X et Y": a communiqué about a meeting, not an interview
_MEETING_HEADING_RE = re.compile(r"^\s*entretien\s+(?:de|du|entre)\b[^,:(]*\b(?:avec|et)\b", re.IGNORECASE)
_JOINT = lexicon.words("transcript_joint_words")
_META_KEYS = lexicon.words("transcript_meta_keys")
_MARKED_HEADINGS = lexicon.words("transcript_marked_headings")


def _markers_re(name: str) -> re.Pattern:
    words = "|".join(map(re.escape, sorted(lexicon.words(name), key=len, reverse=True)))
    return re.compile(rf"^\s*(?:{words})\s*(?:[.:]\s*-?|[-–—])\s*")


_QUESTION_RE = _markers_re("transcript_question_markers")
_ANSWER_RE = _markers_re("transcript_answer_markers")
_SECTION_RE = re.compile(r"^\s*[-–—]+\s*Propos\s+(?:de|du|des)\s+(?P<who>[^\n]+?)\s*[-–—]*\s*$")
_LABEL_RE = re.compile(r"^\s*(?P<label>[^:\n]{2,80}?)\s?:\s")
_HONORIFICS = lexicon.words("honorifics_before_names")
_VOCATIVES = lexicon.words("transcript_vocatives")
_FORMULA_WORDS = lexicon.words("transcript_formula_words")
_FIRST_PERSON = lexicon.words("transcript_first_person")
_WELCOME_NOUNS = lexicon.words("transcript_welcome_nouns")
_ROLE_DETERMINERS = lexicon.words("transcript_role_label_words")
_SECOND_PERSON = lexicon.words("transcript_second_person")
_FIRST_PERSON_WORDS = lexicon.words("transcript_first_person_words")
_FIRST_PERSON_WINDOW = 150  # tokens after the heading read for the first person
_TURNS = "kg.transcript_turns"
class TurnKind(str, Enum):
    """How a passage of a transcript is marked (the patterns' speaker_turn handler names these values)."""

    HEADING = "heading"  # the first line of the heading
    META = "meta"  # a further heading line, or a metadata line ("key : value", transcript_meta_keys.txt)
    QUESTION = "question"  # opened by a question marker: nobody's words
    ANSWER = "answer"  # opened by an answer marker: the guest's words
    LABEL = "label"  # opened by a speaker label ("Jean Dupont : …")
    SECTION = "section"  # "- Propos de Jean Dupont -": the words of the person it names
    MONOLOGUE = "monologue"  # no marker: it goes on with the turn before, or is the heading person's speech


# Turns that unmarked lines after them continue.
_CONTINUED = (TurnKind.QUESTION, TurnKind.ANSWER, TurnKind.LABEL, TurnKind.SECTION, TurnKind.MONOLOGUE)


@dataclass(frozen=True)
class Turn:
    """A passage of a transcript: tokens ``start``..``end``, its words from character ``content`` on,
    the token that marks it (``marker``), how it is marked, and its speaker (None: nobody's words)."""

    start: int
    end: int
    content: int
    marker: int
    kind: TurnKind
    speaker: EntityKey | None


@dataclass(frozen=True)
class Layout:
    """The turns of a Doc, and the persons its heading names (the guest first)."""

    turns: tuple[Turn, ...]
    heading_persons: tuple[EntityKey, ...]
    heading_end: int  # the token after the heading line

    def at(self, i: int) -> Turn | None:
        """The turn of token ``i``."""
        k = bisect_right([t.start for t in self.turns], i) - 1
        return self.turns[k] if k >= 0 and i < self.turns[k].end else None

    def starting_at(self, i: int) -> Turn | None:
        return next((t for t in self.turns if t.marker == i), None)


def fold(text: str) -> str:
    """Lower case without accents: labels in capitals ("SECRÉTAIRE D'ETAT") meet names as written."""
    return "".join(c for c in unicodedata.normalize("NFD", text.lower()) if not unicodedata.combining(c))


def _lines(doc: Doc) -> list[tuple[int, int, int, str]]:
    """The non-blank lines of a Doc: (first token, end token, start character, text)."""
    text = scan.doc_text(doc)
    idx = scan.column(doc, IDX).tolist()
    out, pos = [], 0
    for raw in text.split("\n"):
        start, end = pos, pos + len(raw)
        pos = end + 1
        if not raw.strip():
            continue
        first, last = bisect_right(idx, start + len(raw) - len(raw.lstrip())) - 1, bisect_right(idx, end - 1)
        out.append((max(first, 0), last, start, raw))
    return out


def _persons_in(ms: Mentions, i: int, j: int) -> list[EntityKey]:
    """The persons named in tokens i..j, in order."""
    found = []
    for k in range(i, j):
        m = ms.by_token.get(k)
        if m is not None and ms.type_of(m.key) is PERSON and m.kind is MentionKind.NAME and m.key not in found:
            found.append(m.key)
    return found


def _surnames(ms: Mentions) -> dict[str, EntityKey]:
    """Folded last word of each person's longest name -> the person (names the NER missed in a heading)."""
    out: dict[str, EntityKey] = {}
    for key, draft in ms.drafts.items():
        name = max(draft.names, key=len) if draft.type is PERSON and draft.names else ""
        if len(name.split()) > 1:  # a first name alone ("Cher Paul") is no surname
            out.setdefault(fold(name.split()[-1]), key)
    return out


def _named_in_text(ms: Mentions, text: str) -> list[EntityKey]:
    """Persons of the Doc whose surname is written in ``text``, in order of appearance."""
    words = fold(text)
    found = []
    for surname, key in _surnames(ms).items():
        if len(surname) > 2 and (m := re.search(rf"\b{re.escape(surname)}\b", words)):
            found.append((m.start(), key))
    return [k for _, k in sorted(found)]


def heading_persons(ms: Mentions, lines: list) -> tuple[list[EntityKey], int]:
    """The persons a transcript's heading names, and how many lines the heading takes.

    The heading is the first line, with the metadata lines and the lines naming the genre right after
    it ("Le texte de l'interview donnée par X"); its persons are those of the first line, else of the
    first of those lines that names one."""
    first, end, _, text = lines[0]
    persons = _persons_in(ms, first, end)
    for p in _named_in_text(ms, text):
        if p not in persons:
            persons.append(p)
    n = 1
    while n < min(len(lines), 4) and (_meta_key(lines[n][3]) or _HEADING_RE.search(lines[n][3])
                                      and not _QUESTION_RE.match(lines[n][3])):
        if not persons:
            persons = _persons_in(ms, lines[n][0], lines[n][1])[:1]
        n += 1
    return persons, n


def _meta_key(text: str) -> bool:
    key, colon, _ = text.partition(":")
    return bool(colon) and key.strip().lower() in _META_KEYS


def _label(text: str) -> str | None:
    """The speaker label a line starts with ("LE PRESIDENT", "Thomas MARTIN", "M. Paul Martin"), if any."""
    m = _LABEL_RE.match(text)
    if m is None:
        return None
    label = m.group("label").strip()
    words = label.split()
    if not words or len(words) > 8 or label.lower() in _META_KEYS or not label[0].isupper():
        return None
    if any(c.isdigit() for c in label) or "," in label:
        return None
    letters = [c for c in label if c.isalpha()]
    if letters and all(c.isupper() for c in letters) and len(letters) > 1:
        return label  # "LE PRESIDENT", "SECRÉTAIRE D'ÉTAT KOWAL"
    capitalised = all(w[0].isupper() for w in words)
    if capitalised and (words[0] in _HONORIFICS and len(words) > 1
                        or any(w.isupper() and len(w) > 1 for w in words)):
        return label  # "M. Paul Martin", "Paul MARTIN"
    return None


def _label_speaker(ms: Mentions, doc: Doc, i: int, j: int, label: str, guests: list[EntityKey]) -> EntityKey | None:
    """Who a label names: the person whose surname ends it ("SECRÉTAIRE D'ÉTAT MARTIN"), else the person
    named by its last words, else (a role alone, "LE PRESIDENT", "LA MINISTRE") the guest of the
    heading when there is only one. Title words inside the label are never the speaker."""
    by_surname = _surnames(ms).get(fold(label.split()[-1]))
    if by_surname:
        return by_surname
    last = j - 1
    while last > i and not doc[last].text.strip(" :"):
        last -= 1
    m = ms.by_token.get(last)
    if m is not None and ms.type_of(m.key) is PERSON and m.kind is MentionKind.NAME:
        return m.key
    role_only = fold(label.split()[0]) in _ROLE_DETERMINERS
    return guests[0] if role_only and len(guests) == 1 else None


def _monologue_speaker(doc: Doc, guests: list[EntityKey], ms: Mentions, body_start: int) -> EntityKey | None:
    """The speaker of an unmarked body: the first heading person not addressed by name ("Cher Paul")."""
    lower, orth = scan.lower(doc), scan.orth(doc)
    addressed = set()
    for k in range(body_start, min(len(doc) - 1, body_start + 400)):
        if lower[k] in _VOCATIVES and orth[k + 1][:1].isupper():
            addressed.add(fold(orth[k + 1]))
    for key in guests:
        first_names = {fold(n.split()[0]) for n in ms.drafts[key].names if len(n.split()) > 1}
        if not first_names & addressed:
            return key
    return guests[0] if guests else None


def _in_first_person(doc: Doc, start: int) -> bool:
    """Whether the first lines after a heading speak in the first person outside quotations (a speech),
    not in the third person (a news story under a headline "Discours de X …")."""
    lower = scan.lower(doc)
    end = min(len(doc), start + _FIRST_PERSON_WINDOW)
    quoted = {k for a, b in quotes(doc) if a < end for k in range(a, b)}
    return any(lower[k] in _FIRST_PERSON_WORDS and k not in quoted for k in range(start, end))


def layout(doc: Doc, ms: Mentions) -> Layout | None:
    """The turns of a transcript Doc (None when the Doc is no transcript), read once per Doc."""
    if _TURNS in doc.user_data:
        return doc.user_data[_TURNS]
    found = doc.user_data[_TURNS] = _layout(doc, ms)
    return found


def _layout(doc: Doc, ms: Mentions) -> Layout | None:
    lines = _lines(doc)
    if not lines:
        return None
    heading = lines[0][3]
    by_heading = bool(_HEADING_RE.match(heading)) and not _MEETING_HEADING_RE.match(heading)
    marked = sum(1 for ln in lines[1:] if _QUESTION_RE.match(ln[3]) or _ANSWER_RE.match(ln[3])
                 or _SECTION_RE.match(ln[3]) or _label(ln[3]) and not _meta_key(ln[3]))
    if by_heading and not marked and heading.split()[0].lower() in _MARKED_HEADINGS:
        by_heading = False
    if not by_heading and marked < 2:
        return None
    guests, n_heading = heading_persons(ms, lines)
    joint = any(w in _JOINT for w in heading.lower().split()) or len(guests) > 1 and by_heading
    idx = scan.column(doc, IDX).tolist()
    turns: list[Turn] = []
    body_start = lines[n_heading][0] if n_heading < len(lines) else len(doc)
    # An unmarked body is the heading person's (a speech); in a joint conference it is theirs only
    # when nothing marks the turns.
    current = None
    if by_heading and (not joint or marked == 0) and _in_first_person(doc, body_start):
        current = _monologue_speaker(doc, guests, ms, body_start)
    for n, (i, j, start_char, text) in enumerate(lines):
        kind, speaker, content = TurnKind.MONOLOGUE, current, start_char
        if n < n_heading:
            kind, speaker = (TurnKind.HEADING if n == 0 else TurnKind.META), None
        elif _meta_key(text):
            kind, speaker = TurnKind.META, None
        elif m := _QUESTION_RE.match(text):
            kind, speaker, content = TurnKind.QUESTION, None, start_char + m.end()
            current = None
        elif m := _ANSWER_RE.match(text):
            kind, speaker, content = TurnKind.ANSWER, (guests[0] if guests else None), start_char + m.end()
            current = speaker
        elif m := _SECTION_RE.match(text):
            named = _named_in_text(ms, m.group("who")) or _persons_in(ms, i, j)
            kind, speaker = TurnKind.SECTION, (named[0] if named else None)
            current = speaker
        elif label := _label(text):
            label_match = _LABEL_RE.match(text)
            end_char = start_char + (label_match.end() if label_match else 0)
            label_end = bisect_right(idx, end_char - 1)
            who = _label_speaker(ms, doc, i, label_end, label, guests)
            if guests and who not in guests:
                who = None  # an interviewer's label
            kind, speaker, content = TurnKind.LABEL, who, end_char
            current = who
        turns.append(Turn(i, j, content, i, kind, speaker))
    # Unmarked lines continue the turn before them.
    merged: list[Turn] = []
    for t in turns:
        if merged and t.kind is TurnKind.MONOLOGUE and merged[-1].kind in _CONTINUED:
            last = merged[-1]
            merged[-1] = Turn(last.start, t.end, last.content, last.marker, last.kind, last.speaker)
        else:
            merged.append(t)
    return Layout(tuple(merged), tuple(guests), lines[0][1])


def _claims(doc: Doc, turn: Turn, ms: Mentions, known: set[tuple[EntityKey, int]], rule: Pattern) -> list[Statement]:
    """The statements of a speaker's turn: each sentence that claims something (not a question, not a
    greeting or thanks formula, not a verbless fragment), unless a statement of that speaker was found
    in the sentence already."""
    out: list[Statement] = []
    if turn.speaker is None:
        return out
    i = turn.start
    text = scan.doc_text(doc)
    lower, orth = scan.lower(doc), scan.orth(doc)
    while i < turn.end:
        sent = sent_at(doc, i)
        i = max(sent.end, i + 1)
        ev = evidence(doc, sent.start, rule)
        if (turn.speaker, ev.start) in known:
            continue
        start = max(sent.start_char, turn.content)
        words = text[start:sent.end_char].strip(" \n")
        tokens = range(sent.start, min(sent.end, turn.end))
        if len(words) < 3 or words.rstrip(" »\"").endswith("?"):
            continue
        if not any("Fin" in scan.feats(doc, k).get("VerbForm", ()) for k in tokens):
            continue
        if all(lower[k] in _FORMULA_WORDS or k in ms.by_token or not orth[k].strip() or doc[k].is_punct
               for k in tokens if doc[k].idx >= start):
            continue
        out.append(Statement(turn.speaker, words.rstrip(" ,;:.\n"), False, ev))
    return out


def _known_statements(doc: Doc) -> set[tuple[EntityKey, int]]:
    """(speaker, sentence start) of the statements the statement patterns found in the Doc."""
    return {(f.speaker, f.evidence.start) for f in doc._.kg_facts or () if isinstance(f, Statement)}


@handler("speaker_turn")
def speaker_turn(ctx: Context, tok: Token, rule: Pattern, *, kind: str):
    """The claims of the turn a line-start marker (of ``kind``) opens, as statements of its speaker."""
    found = layout(ctx.doc, ctx.ms)
    turn = found.starting_at(tok.i) if found else None
    if turn is None or turn.kind is not TurnKind(kind):
        return None
    if turn.speaker is None:
        return []
    return _claims(ctx.doc, turn, ctx.ms, _known_statements(ctx.doc), rule)


@handler("monologue")
def monologue(ctx: Context, tok: Token, rule: Pattern):
    """A speech under its heading: the unmarked lines after the heading are the heading person's."""
    found = layout(ctx.doc, ctx.ms)
    if found is None or tok.i >= found.heading_end or not found.turns or found.turns[0].marker != tok.i:
        return None
    known = _known_statements(ctx.doc)
    return [s for t in found.turns if t.kind is TurnKind.MONOLOGUE and t.speaker
            for s in _claims(ctx.doc, t, ctx.ms, known, rule)]


@handler("heading_meeting")
def heading_meeting(ctx: Context, tok: Token, rule: Pattern, *, transcript_only: bool = True):
    """A heading of several speakers meeting ("Conférence de presse conjointe de X et de Y", "X et Y
    avant leur entretien"): they met. With ``transcript_only``, only in a transcript's heading."""
    found = layout(ctx.doc, ctx.ms)
    if found is None and transcript_only:
        return None
    lines = _lines(ctx.doc) if found is None else None
    heading_end = found.heading_end if found else (lines[0][1] if lines else 0)
    if tok.i >= heading_end:
        return None
    persons = list(found.heading_persons) if found else heading_persons(ctx.ms, lines or [])[0]
    pairs = meetings.pairs_within(persons)
    return meetings.found_meetings(ctx, tok, pairs, rule, []) if pairs else []


def _first_person_verb(verb: Token, pronouns=_FIRST_PERSON) -> bool:
    """Whether the subject of a verb (or of the verb it depends on) is the speaker: je, nous, moi."""
    head = verb
    for _ in range(3):
        subjects = [c for c in head.children if c.dep_ in ("nsubj", "expl:subj")]
        subjects += [c for a in head.children if a.dep_.startswith("aux") for c in a.children if c.dep_ == "nsubj"]
        if subjects:
            return any(s.lower_ in pronouns for s in subjects)
        if head.head is head:
            break
        head = head.head
    return False


def _speaker_at(ctx: Context, tok: Token) -> EntityKey | None:
    found = layout(ctx.doc, ctx.ms)
    turn = found.at(tok.i) if found else None
    return turn.speaker if turn else None


@handler("first_person_meeting")
def first_person_meeting(ctx: Context, verb: Token, rule: Pattern, *, counterpart: str = "object"):
    """'Je reçois aujourd'hui X', 'j'ai rencontré Y', 'je me suis entretenu avec Z' in a speaker's turn:
    the speaker met them (``counterpart``: the object, or the "avec" complement)."""
    speaker = _speaker_at(ctx, verb)
    if speaker is None or _is_passive(verb) or not _first_person_verb(verb):
        return None
    return _speaker_meets(ctx, verb, [speaker, *_co_hosts(ctx, verb)], rule, counterpart)


@handler("second_person_meeting")
def second_person_meeting(ctx: Context, verb: Token, rule: Pattern, *, counterpart: str = "object"):
    """'Q - Vous y avez rencontré X': in an interviewer's question, "vous" is the guest."""
    found = layout(ctx.doc, ctx.ms)
    turn = found.at(verb.i) if found else None
    if found is None or turn is None or turn.kind is not TurnKind.QUESTION or not found.heading_persons \
            or _is_passive(verb) or not _first_person_verb(verb, _SECOND_PERSON):
        return None
    return _speaker_meets(ctx, verb, [found.heading_persons[0]], rule, counterpart)


def _speaker_meets(ctx: Context, verb: Token, speakers: list[EntityKey], rule: Pattern, counterpart: str):
    """The meetings of the speakers with the persons the verb's object (or "avec" complement) names."""
    doc = ctx.doc
    start = meetings.after_avec(doc, verb) if counterpart == "avec" else verb.i + 1
    if counterpart == "avec" and start >= sent_at(doc, verb.i).end:
        return None
    indirect: list[EntityKey] = []
    others = [k for k in meetings.span_keys(doc, start, ctx.ms, ctx.refs, indirect)
              if ctx.ms.type_of(k) is PERSON and not _complement_of_event(ctx, k, start)]
    return meetings.found_meetings(ctx, verb, meetings.pairs_across(speakers, others), rule, indirect)


def _complement_of_event(ctx: Context, key: EntityKey, start: int) -> bool:
    """'… à quelques jours de l'investiture de X': a person named as the complement of a common noun
    (no title, no name) is not a participant. Unnamed officials ("mon collègue libanais") are left out
    by the caller, which keeps persons only."""
    doc, ms = ctx.doc, ctx.ms
    sent_end = sent_at(doc, start).end
    for k in range(start, sent_end):
        m = ms.by_token.get(k)
        if m is not None and m.key == key:
            tok = doc[k]
            head = tok.head
            return (tok.dep_ == "nmod" and head.pos_ == "NOUN" and head.i not in ms.by_token
                    and head.i not in ctx.refs.title_at)
    return False


def _is_passive(verb: Token) -> bool:
    """'… à être reçu par le Conseil': the speaker is received, the agent comes with "par"."""
    return any(c.dep_ == "aux:pass" for c in verb.children)


def _co_hosts(ctx: Context, verb: Token) -> list[EntityKey]:
    """'Avec X, Y et nos amis, nous recevons Z': the persons of a fronted "avec" phrase host with the speaker."""
    doc, sent = ctx.doc, sent_at(ctx.doc, verb.i)
    lower = scan.lower(doc)
    if lower[sent.start] != "avec":
        return []
    return [k for k in _persons_in(ctx.ms, sent.start + 1, verb.i)]


@handler("meta_meeting")
def meta_meeting(ctx: Context, noun: Token, rule: Pattern):
    """'Circonstance : Voyage de X au Liban : entretien avec Y': a meeting noun with "avec" on a metadata
    line of a transcript is a meeting of its speaker."""
    found = layout(ctx.doc, ctx.ms)
    turn = found.at(noun.i) if found else None
    if found is None or turn is None or turn.kind is not TurnKind.META or not found.heading_persons:
        return None
    doc = ctx.doc
    avec = next((k for k in range(noun.i + 1, min(noun.i + 3, len(doc))) if doc[k].lower_ == "avec"), None)
    if avec is None:
        return None
    indirect: list[EntityKey] = []
    others = [k for k in meetings.span_keys(doc, avec + 1, ctx.ms, ctx.refs, indirect)
              if ctx.ms.type_of(k) is PERSON]
    pairs = meetings.pairs_across([found.heading_persons[0]], others)
    return meetings.found_meetings(ctx, noun, pairs, rule, indirect)


@handler("thanks_for_welcome")
def thanks_for_welcome(ctx: Context, verb: Token, rule: Pattern):
    """'Je remercie X de son accueil': the speaker thanks a host they met."""
    speaker = _speaker_at(ctx, verb)
    if speaker is None or not _first_person_verb(verb):
        return None
    doc, sent = ctx.doc, sent_at(ctx.doc, verb.i)
    lemma = scan.lemma(doc)
    welcome = next((k for k in range(verb.i + 1, sent.end) if lemma[k] in _WELCOME_NOUNS), None)
    if welcome is None:
        return None
    indirect: list[EntityKey] = []
    others = [k for k in meetings.span_keys(doc, verb.i + 1, ctx.ms, ctx.refs, indirect)
              if ctx.ms.type_of(k) is PERSON]
    others = [k for k in others if any(ctx.ms.by_token.get(x) and ctx.ms.by_token[x].key == k
                                       or ctx.refs.title_at.get(x) for x in range(verb.i + 1, welcome))]
    return meetings.found_meetings(ctx, verb, meetings.pairs_across([speaker], others), rule, indirect)


@handler("our_talks")
def our_talks(ctx: Context, det: Token, rule: Pattern):
    """'Nos entretiens avec le président X', 'mon entretien avec Y' in a speaker's turn."""
    speaker = _speaker_at(ctx, det)
    if speaker is None:
        return None
    doc = ctx.doc
    avec = next((k for k in range(det.i + 1, min(det.i + 4, len(doc))) if doc[k].lower_ == "avec"), None)
    if avec is None:
        return None
    indirect: list[EntityKey] = []
    others = meetings.agents(meetings.span_keys(doc, avec + 1, ctx.ms, ctx.refs, indirect), ctx.ms)
    return meetings.found_meetings(ctx, doc[det.i + 1], meetings.pairs_across([speaker], others), rule, indirect)


_QUE = lexicon.words("transcript_que_forms")
_PARTICIPANT_TITLES = lexicon.words("transcript_participant_titles")


@handler("participants_speak")
def participants_speak(ctx: Context, verb: Token, rule: Pattern):
    """'Les ministres ont rappelé …' after a meeting of two persons: the plural title is the meeting's
    participants, and each states what the verb reports."""
    doc, ms, refs = ctx.doc, ctx.ms, ctx.refs
    subjects = [c for c in verb.children if c.dep_ == "nsubj"]
    use = refs.title_head.get(subjects[0].i) or refs.title_at.get(subjects[0].i) if len(subjects) == 1 else None
    if use is None or not use.plural or use.holder or use.title.split()[0].lower() not in _PARTICIPANT_TITLES:
        return None
    if any(c.dep_ not in ("det", "nummod") for c in subjects[0].children):
        return None  # "les dirigeants africains", "les ministres de l'UE": not the two who met
    sent = sent_at(doc, verb.i)
    before = [f for f in doc._.kg_facts or () if isinstance(f, Meeting) and f.evidence.start <= sent.start_char
              and len(f.participants) == 2 and all(ms.type_of(k) is PERSON for k in f.participants)]
    if not before:
        return []
    speakers = max(before, key=lambda f: f.evidence.start).participants
    lower = scan.lower(doc)
    start = verb.i + 1
    if start < sent.end and lower[start] in _QUE:
        start += 1
    end = sent.end
    while end > start and doc[end - 1].is_punct:
        end -= 1
    words = scan.text_at(doc, start, end).strip(" ,;:.\n")
    if len(words) < 3:
        return []
    known = _known_statements(doc)
    ev = evidence(doc, verb.i, rule)
    return [Statement(k, words, False, ev) for k in speakers if (k, ev.start) not in known]
