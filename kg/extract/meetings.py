"""Meetings: who met, talked or negotiated with whom, where, and whether it is held or planned.

Triggers are meeting verbs ("rencontrer", "s'entretenir", "recevoir", "réunir"), visits ("rendre
visite à"), nouns ("entretiens avec", "les entretiens qu'il a eus avec", "rencontre entre X et Y") and
"en présence de". One side is the subject (of the verb, of the verb governing the noun, or the agent
of a passive); the other side is what follows the trigger up to the end of the clause. Principals
named inside title phrases ("l'envoyé du président Piotr Sidorenko") are not participants; neither
is what follows "pour" or "sur" (the topic). "Ses homologues espagnol et italien" are the holders of
the subject's office for those states in the article, else the states. Negated, denied and cancelled
meetings are dropped; future, conditional and announced ones are planned.
"""
from __future__ import annotations

from itertools import combinations, islice

from spacy.tokens import Doc, Token

from kg.extract import scan
from kg.extract.entities import PERSON, PLACE, STATE, Mentions
from kg.extract.evidence import evidence
from kg.extract.patterns import INDIRECT_REFERENCE_FACTOR, Context, Pattern, handler
from kg.extract.refs import Referents, is_impersonal, subjects_of
from kg.extract.sents import sent_of, sents_up_to
from kg.extract.titles import TitleUse
from kg.lang import lexicon
from kg.lang.dates import french_date
from kg.records import EntityKey, Meeting, MentionKind

_CLAUSE_STOP = lexicon.words("clause_stops")
_PLANNING_WORDS = lexicon.words("planning_words")
# A meeting denied or refused did not happen and is not planned either.
_NEGATING_WORDS = lexicon.words("negating_words")
DE = lexicon.words("de_forms")
_LOCATION_PREPS = lexicon.words("location_preps")
_COORDINATION = {"et", ",", "ainsi", "que", *DE, "l'", "la", "le", "les"}
# "ses homologues espagnol et italien": the holders of the subject's own office for those states.
_COUNTERPART_NOUNS = lexicon.words("meeting_counterpart_nouns")
# "X, qui a été reçu par Y": the relative pronoun stands for the noun the clause qualifies.
_RELATIVE_SUBJECTS = lexicon.words("meeting_relative_subjects")
# "je", "vous": the transcript rules read meetings of the speaker and the addressee.
_DEICTIC_SUBJECTS = lexicon.words("meeting_deictic_subjects")
_NEGATION_PARTICLES = lexicon.words("negation_particles")
_NEGATIVE_DETS = lexicon.words("meeting_negative_determiners")
# "sa rencontre avec Y": the person the possessive refers to met Y.
_POSSESSIVES = lexicon.words("meeting_possessives")
# "le président l'a reçu": an object pronoun before the verb.
_CLITICS = lexicon.words("meeting_object_clitics")
_NEAR_FUTURE = lexicon.words("meeting_near_future")
_MEETING_NOUNS = lexicon.words("meeting_nouns")
_HOLDING = lexicon.words("meeting_holding_verbs")
_VISIT_NOUNS = lexicon.words("meeting_visit_nouns")
_VISIT_PREPS = lexicon.words("meeting_visit_preps")
_ATTENDING = lexicon.words("meeting_attendance_verbs")
# One meeting of all its parties ("une réunion trilatérale avec Y et Z"), unless said to be separate.
_MULTILATERAL = lexicon.words("meeting_multilateral_nouns")
_JOINT_ADJECTIVES = lexicon.words("meeting_multilateral_adjectives")
_SEPARATE = lexicon.words("meeting_separate_markers")


def found_meetings(ctx: Context, trigger: Token, pairs, rule: Pattern, indirect: list) -> list[Meeting]:
    """The meetings of ``pairs`` found at ``trigger``, with their place, date and planned status."""
    if not pairs or _is_denied(trigger):
        return []
    doc = ctx.doc
    ev = evidence(doc, trigger.i, rule, INDIRECT_REFERENCE_FACTOR if indirect else 1.0)
    planned, place, date = _is_planned(trigger), _place(doc, trigger, ctx.ms), _sentence_date(doc, trigger)
    return [Meeting(tuple(sorted((a, b))), planned, ev, place=place, date=date) for a, b in pairs]


def after_avec(doc: Doc, verb: Token) -> int:
    """The token after the first "avec" that follows the verb in its sentence (the sentence end if none)."""
    lower, end = scan.lower(doc), sent_of(verb).end
    return next((j + 1 for j in range(verb.i + 1, end) if lower[j] == "avec"), end)


@handler("meeting_verb")
def meeting_verb(ctx: Context, verb: Token, rule: Pattern, *, counterpart: str = "object") -> list[Meeting]:
    """The subject meets the object, or the "avec" complement (``counterpart="avec"``)."""
    doc, ms, refs = ctx.doc, ctx.ms, ctx.refs
    indirect: list[EntityKey] = []
    subjects = agents(_subject_keys(verb, refs, indirect), ms)
    start = after_avec(doc, verb) if counterpart == "avec" else verb.i + 1
    others = agents(span_keys(doc, start, ms, refs, indirect, peers=subjects), ms)
    if not others and counterpart == "object":
        others = _clitic_object(verb, subjects, refs, indirect)
    return found_meetings(ctx, verb, pairs_across(subjects, others), rule, indirect)


def _clitic_object(verb: Token, subjects: list[EntityKey], refs: Referents, indirect: list) -> list[EntityKey]:
    """'X est arrivé à Paris. Le président l'a reçu': an object clitic stands for the persons the sentence
    before is about (the subject of its main verb), other than the subject of this verb."""
    clitic = next((c for c in verb.children if c.dep_ == "obj" and c.pos_ == "PRON" and c.lower_ in _CLITICS), None)
    if clitic is None:
        return []
    sents = sents_up_to(verb, 2)
    if len(sents) < 2:
        return []
    root = sents[0].root
    keys = [k for s in subjects_of(root) for k in refs.group(s) if k not in subjects and refs.ms.type_of(k) is PERSON]
    if not keys or (clitic.lower_ != "les") != (len(keys) == 1):
        return []
    indirect += keys
    return keys


@handler("reciprocal_meeting")
def reciprocal_meeting(ctx: Context, verb: Token, rule: Pattern) -> list[Meeting]:
    """'X s'est entretenu avec Y', 'X et Y se sont rencontrés', 'où s'étaient entretenus X et Y'."""
    doc, ms, refs = ctx.doc, ctx.ms, ctx.refs
    indirect: list[EntityKey] = []
    subjects = agents(_subject_keys(verb, refs, indirect), ms)
    if not subjects:
        return found_meetings(ctx, verb, pairs_within(agents(span_keys(doc, verb.i + 1, ms, refs, indirect), ms)),
                         rule, indirect)
    others = agents(span_keys(doc, after_avec(doc, verb), ms, refs, indirect, peers=subjects), ms)
    pairs = pairs_across(subjects, others) if others else pairs_within(subjects)
    return found_meetings(ctx, verb, pairs, rule, indirect)


@handler("gathering")
def gathering(ctx: Context, verb: Token, rule: Pattern) -> list[Meeting]:
    """'Le sommet a réuni X et Y': the people brought together met each other, and whoever took part in
    the meeting ('Z a participé à une réunion réunissant X et Y')."""
    indirect: list[EntityKey] = []
    others = agents(span_keys(ctx.doc, verb.i + 1, ctx.ms, ctx.refs, indirect), ctx.ms)
    meeting = _meeting_noun_of(verb.head) if verb.dep_.startswith("acl") else None
    hosts = agents(_attendees(meeting, ctx.refs, indirect), ctx.ms) if meeting is not None else []
    return found_meetings(ctx, verb, pairs_within(hosts + others), rule, indirect)


@handler("meeting_noun")
def meeting_noun(ctx: Context, noun: Token, rule: Pattern, *, link: str,
                 adjunct: bool = False) -> list[Meeting] | None:
    """'une rencontre entre X et Y' (``link="entre"``); 'X a eu des entretiens avec Y' (``link="avec"``).

    With ``adjunct``, only a noun in an adjunct of a verb that is no meeting verb ('X a déclaré lors d'une
    rencontre avec Y') or governed by a passive ('la décision a été prise par X lors d'une rencontre avec
    Y': the agent) is read.
    """
    doc, ms, refs = ctx.doc, ctx.ms, ctx.refs
    indirect: list[EntityKey] = []
    if adjunct:
        governor = _adjunct_governor(noun)
        if governor is None:
            return None
    sent = sent_of(noun)
    lower, pos, orth = scan.lower(doc), scan.pos(doc), scan.orth(doc)
    for j in range(noun.i + 1, min(sent.end, noun.i + 8)):
        word = lower[j]
        if word in ("entre", "avec"):
            if word != link:
                return None
            if link == "entre":
                keys = span_keys(doc, j + 1, ms, refs, indirect, coordinated=True)
                return found_meetings(ctx, noun, pairs_within(agents(keys, ms)), rule, indirect)
            governor = _adjunct_governor(noun) if adjunct else _governor(noun)
            if governor is None or noun.dep_.startswith("nsubj") or _is_meeting_verb(governor):
                return []
            agent = _passive_agent(governor)
            subjects = agents(_group_of(agent, refs, indirect) if agent is not None else
                               _subject_keys(governor, refs, indirect), ms)
            others = agents(span_keys(doc, j + 1, ms, refs, indirect, peers=subjects), ms)
            pairs = pairs_within(subjects + others) if _is_joint(noun) else pairs_across(subjects, others)
            return found_meetings(ctx, noun, pairs, rule, indirect)
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


def _is_joint(noun: Token) -> bool:
    """'une réunion avec Y et Z', 'une rencontre trilatérale avec …': one meeting of all its parties (a
    singular multilateral noun or a joint adjective), unless the sentence says the talks were separate."""
    joint = any(c.lemma_ in _JOINT_ADJECTIVES for c in noun.children if c.dep_ == "amod") or (
        noun.lemma_ in _MULTILATERAL and "Sing" in scan.feats(noun.doc, noun.i).get("Number", ()))
    if not joint:
        return False
    sent, lower = sent_of(noun), scan.lower(noun.doc)
    return not any(lower[j] in _SEPARATE for j in range(sent.start, sent.end))


def _passive_agent(verb: Token) -> Token | None:
    """The 'par' agent of a passive verb ('a été prise par X')."""
    if not any(c.dep_ == "aux:pass" for c in verb.children):
        return None
    return next((c for c in verb.children if c.dep_ == "obl:agent"), None)


def _adjunct_governor(noun: Token) -> Token | None:
    """The verb of a meeting noun in an adverbial adjunct ('lors d'une rencontre avec Y'), or of a noun
    governed by a passive with an agent; None for the other nouns."""
    head = noun.head
    if head.pos_ == "ADV" and head.head.pos_ == "VERB" and head.head is not head:
        return head.head
    governor = _governor(noun)
    return governor if governor is not None and _passive_agent(governor) is not None else None


def agents(keys: list[EntityKey], ms: Mentions) -> list[EntityKey]:
    return [k for k in keys if ms.type_of(k) is not PLACE]


def pairs_across(a: list[EntityKey], b: list[EntityKey]) -> list[tuple[EntityKey, EntityKey]]:
    return sorted({(min(x, y), max(x, y)) for x in a for y in b if x != y})


def pairs_within(keys: list[EntityKey]) -> list[tuple[EntityKey, EntityKey]]:
    return sorted({(min(x, y), max(x, y)) for x, y in combinations(dict.fromkeys(keys), 2)})


def _is_reciprocal(verb: Token) -> bool:
    return any(c.lower_ in ("se", "s'") for c in verb.children)


def _subject_keys(verb: Token, refs: Referents, indirect: list) -> list[EntityKey]:
    """The subject of a verb; an infinitive, a present participle or a coordinated verb shares its head's."""
    head = verb
    for _ in range(3):
        subjects = subjects_of(head)
        if any(s.lower_ in _DEICTIC_SUBJECTS for s in subjects):
            return []  # "Jean Dupont, vous recevez X": the addressee receives, the name is a vocative
        if subjects:
            return [k for s in subjects if not is_impersonal(s) for k in _subject_group(s, refs, indirect)]
        if head.dep_.startswith("acl"):  # "un plan remanié après consultations": no agent named
            break
        feats = scan.feats(head.doc, head.i)
        form = feats.get("VerbForm", ())
        shares = head.dep_ == "conj" or head.dep_ in ("xcomp", "advcl") and (
            "Inf" in form or "Part" in form and "Pres" in feats.get("Tense", ()))
        if head.head is head or not shares:
            break
        head = head.head
    return _name_before(verb, refs)


def _name_before(verb: Token, refs: Referents) -> list[EntityKey]:
    """'Lors de sa rencontre avec Y, X a déclaré …': a finite verb left without a subject because the parser
    hung the name before it on the fronted adjunct; the person named right before it after a comma."""
    if verb.dep_ != "ROOT":
        return []
    doc, ms = verb.doc, refs.ms
    j = verb.i - 1
    while j >= 0 and scan.pos(doc)[j] in ("AUX", "ADV"):
        j -= 1
    m = ms.by_token.get(j)
    if m is None or ms.type_of(m.key) is not PERSON or doc[j].dep_ not in ("flat:name", "appos", "nmod", "conj"):
        return []
    first = j
    while first > 0 and ms.by_token.get(first - 1) is m:
        first -= 1
    return [m.key] if first > 0 and scan.orth(doc)[first - 1] == "," else []


def _antecedent(subj: Token) -> Token:
    """'X, qui a été reçu par Y': a relative pronoun subject stands for the noun its clause qualifies."""
    if subj.lower_ in _RELATIVE_SUBJECTS and subj.head.dep_ == "acl:relcl" and subj.head.head is not subj.head:
        return subj.head.head
    return subj


def _subject_group(subj: Token, refs: Referents, indirect: list) -> list[EntityKey]:
    """What a subject refers to; a relative 'qui' whose parsed antecedent names no one ('X, ministre
    délégué pour la coopération qui a été reçu par Y'): the person named last before it in the sentence."""
    keys = _group_of(_antecedent(subj), refs, indirect)
    if keys or subj.lower_ not in _RELATIVE_SUBJECTS or subj.head.dep_ != "acl:relcl":
        return keys
    ms = refs.ms
    for j in range(subj.i - 1, sent_of(subj).start - 1, -1):
        m = ms.by_token.get(j)
        if m is not None and ms.type_of(m.key) is PERSON and j not in refs.complement:
            indirect.append(m.key)
            return [m.key]
    return []


def _group_of(tok: Token, refs: Referents, indirect: list) -> list[EntityKey]:
    """refs.group of a subject, with what the parser hung on its name: 'M. Paul Martin' (the honorific made
    the head), 'le président X et le chancelier Y' (the second title coordinated with the first name)."""
    keys = refs.group(tok, indirect=indirect)
    for c in tok.children:
        if c.dep_ in ("flat:name", "appos") and c.i in refs.ms.by_token and (
                not keys or any(g.dep_ == "conj" for g in c.children)):
            keys += [k for k in refs.group(c, indirect=indirect) if k not in keys]
    return keys


def _office_of(refs: Referents, key: EntityKey, before: int) -> TitleUse | None:
    """The title phrase naming ``key`` as its holder (the latest before token ``before``, else the first)."""
    uses = sorted({id(u): u for u in refs.title_at.values() if u.holder == key}.values(), key=lambda u: u.start)
    earlier = [u for u in uses if u.start < before]
    return earlier[-1] if earlier else (uses[0] if uses else None)


def _coordinated_states(doc: Doc, use: TitleUse, ms: Mentions) -> tuple[list[EntityKey], set[int]]:
    """The states of a title and the demonyms coordinated with its own ('homologues espagnol, italien
    et polonais'), with the tokens of those demonyms."""
    states = [p for p in use.principals if ms.type_of(p) is STATE]
    seen: set[int] = set()
    head = doc[use.start]
    todo = [c for c in head.children if c.dep_ in ("amod", "conj") and c.pos_ == "ADJ"]
    while todo:
        t = todo.pop()
        m = ms.by_token.get(t.i)
        if t.i in seen or m is None or m.kind is not MentionKind.DEMONYM or ms.type_of(m.key) is not STATE:
            continue
        seen.add(t.i)
        if m.key not in states:
            states.append(m.key)
        todo += [c for c in t.children if c.dep_ == "conj" and c.pos_ == "ADJ"]
    states.sort(key=lambda k: min([j for j in seen if ms.by_token[j].key == k], default=use.start))
    return states, seen


def _holders_for_states(doc: Doc, use: TitleUse, ms: Mentions, refs: Referents, peers: list[EntityKey]):
    """'ses homologues espagnol et italien' (the subject's office), 'les ministres français et allemands
    des Affaires étrangères': for each state, the holder of that office for it in the article, else the
    state. None when the phrase is not such a title."""
    counterpart = use.title.lower() in _COUNTERPART_NOUNS
    if use.holder or not (use.plural or counterpart):
        return None
    states, demonyms = _coordinated_states(doc, use, ms)
    if not states:
        return None
    # "les ministres finlandais, X et suédoise, Y": the names set off by commas are the holders
    orth = scan.orth(doc)
    named_after = [m.key for j in range(use.start + 1, min(use.end + 2, len(doc)))
                   if orth[j - 1] == "," and (m := ms.by_token.get(j)) is not None and m.start == doc[j].idx
                   and ms.type_of(m.key) is PERSON]
    others = [p for p in use.principals if p not in states and ms.type_of(p) is not PERSON]
    if named_after:
        return others + [k for k in named_after if k not in peers and k not in others], demonyms
    if counterpart:
        office = next((o for o in (_office_of(refs, k, use.start) for k in peers) if o is not None), None)
        if office is None:
            return states, demonyms
        title, kind = office.title, office.kind
    else:
        lower = scan.lower(doc)
        head = use.title.split()[0].lower()
        head = head[:-1] if head.endswith(("s", "x")) and len(head) > 4 else head
        title = " ".join([head, *(lower[j] for j in sorted(use.complement) if j not in ms.by_token)])
        kind = use.kind
    uses = {id(u): u for u in refs.title_at.values() if u.holder and u.holder not in peers}.values()
    principals: dict[EntityKey, set[EntityKey]] = {}
    for u in uses:
        if u.holder:
            principals.setdefault(u.holder, set()).update(u.principals)
    named: dict[EntityKey, EntityKey] = {}
    loose: dict[EntityKey, EntityKey] = {}
    for state in states:
        holder = refs.description(TitleUse(use.start, use.end, title, kind, False, principals=[state]))
        if holder is not None and (holder in peers or ms.type_of(holder) is not PERSON):
            holder = None
        # the state's own holder: named for it ("son homologue allemand, X"), or for no state at all
        counterparts = {u.holder for u in uses
                        if u.holder and state in u.principals and u.title.lower() in _COUNTERPART_NOUNS}
        if holder is not None and state in principals.get(holder, ()):
            named[state] = holder
        elif len(counterparts) == 1:
            named[state] = counterparts.pop()
        elif holder is not None and not principals.get(holder):
            loose[state] = holder
    taken = list(named.values())
    keys = others
    for state in states:
        holder = named.get(state) or loose.get(state)
        if holder and state not in named and (holder in taken or list(loose.values()).count(holder) > 1):
            holder = None
        keys.append(holder or state)
    return keys, demonyms


def span_keys(doc: Doc, i: int, ms: Mentions, refs: Referents, indirect: list, *,
               coordinated: bool = False, peers: list[EntityKey] | None = None,
               persons_after_preps: bool = False, free_start: bool = False, end: int | None = None) -> list[EntityKey]:
    """Entities named from token ``i`` to the end of the clause (title complements left out).

    With ``coordinated``, only a list of noun phrases ("entre X, Y et Z") is read. ``peers`` (the other
    side) are whose office "ses homologues" names. With ``persons_after_preps``, a person named after
    "à" is a participant ("rendre visite à X"), not a place. With ``free_start``, the phrase at ``i`` is read
    even after "de" and a noun ("la visite du président X"). ``end`` stops the reading before that token.
    """
    keys: list[EntityKey] = []
    skip: set[int] = set()
    if i < len(doc) and scan.lower(doc)[i] in ("que", "qu'"):  # "n'a rencontré que X": only X, still met
        i += 1
    first = i if free_start else -1
    sent_end = sent_of(doc[i - 1]).end if i > 0 else len(doc)
    if end is not None:
        sent_end = min(sent_end, end)
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
        bare_adjective = m is not None and m.kind is MentionKind.DEMONYM and pos[i] == "ADJ"
        at_place = _after_location_prep(doc, i) and not (persons_after_preps and ms.type_of(m.key) is PERSON) \
            if m is not None else False
        if m is not None and m.start == doc[i].idx and (at_place or i != first and _complement_of_thing(doc, i, refs)):
            while i < sent_end and ms.by_token.get(i) is m:  # the whole name: "à Académie royale de X"
                i += 1  # "reçu à l'Élysée": where, not who; "a reçu le soutien de Washington": not a meeting
            continue
        use = refs.title_head.get(i)
        if use is not None and i != first and _complement_of_thing(doc, i, refs):
            i = use.end  # "une lettre du président Paul Martin": the title and the name that follows
            while i < sent_end and use.holder and ms.key_of(doc[i]) == use.holder:
                i += 1
            continue
        if use is not None and _apposed_to_person(doc, use, ms, refs):
            i = use.end  # "Paul Weber, vice-président de la Commission, Haut représentant de l'Union": his titles
            continue
        inside = i in refs.complement or i in refs.internal  # "l'émissaire des présidents X et Y": principals
        found = _holders_for_states(doc, use, ms, refs, peers or []) if use is not None and not inside else None
        if found is not None:
            keys += [k for k in found[0] if k not in keys]
            skip |= found[1]
            i += 1
            continue
        if not inside and not bare_adjective and i not in skip:
            for k in refs.of(doc[i], indirect=indirect):
                if k not in keys:
                    keys.append(k)
        i += 1
    return keys


def _apposed_to_person(doc: Doc, use: TitleUse, ms: Mentions, refs: Referents) -> bool:
    """'X, vice-président de la Commission, Haut représentant de l'Union': an unnamed title right after a
    person (or after another title of that person) and a comma describes them, and names no one else."""
    if use.holder or refs.description(use) is not None:
        return False
    j = use.start - 1
    while j >= 0 and scan.pos(doc)[j] == "DET":
        j -= 1
    if j < 1 or scan.orth(doc)[j] != ",":
        return False
    m = ms.by_token.get(j - 1)
    if m is not None and ms.type_of(m.key) is PERSON and (j - 1) not in refs.complement:
        return True
    before = refs.title_at.get(j - 1)
    return before is not None and before.holder is not None and ms.type_of(before.holder) is PERSON


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
        if t.lemma_ in _PLANNING_WORDS or any(c.lemma_ in _PLANNING_WORDS
                                              for c in t.children if c.dep_ in ("amod", "aux")):
            return True
        if t.lemma_ in _NEAR_FUTURE and t is not trigger and "Fin" in feats.get("VerbForm", ()) and (
                {"Pres", "Imp"} & set(feats.get("Tense", ()))):
            return True  # "va rencontrer", "allait recevoir"
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
    """Denied, refused or cancelled ('a démenti avoir rencontré'), or negated ('n'a pas rencontré', 'n'a
    pas pu rencontrer', 'aucune rencontre n'est prévue')."""
    if any(t.lemma_ in _NEGATING_WORDS for t in islice(trigger.ancestors, 4)):
        return True
    t = trigger
    if t.pos_ == "NOUN":
        if any(c.lower_ in _NEGATIVE_DETS for c in t.children if c.dep_ == "det"):
            return True
        for _ in range(3):  # up to the verb of the noun's clause
            if t.pos_ in ("VERB", "AUX", "ADJ") or t.head is t:
                break
            t = t.head
    for _ in range(3):  # "n'a pas pu rencontrer": the verbs the trigger is the complement of
        if _negated(t):
            return True
        if t.dep_ != "xcomp" or t.head is t:
            break
        t = t.head
    return False


def _negated(verb: Token) -> bool:
    words = {c.lower_ for c in verb.children}
    return bool(words & {"ne", "n'"}) and bool(words & _NEGATION_PARTICLES)


def _place(doc: Doc, trigger: Token, ms: Mentions) -> EntityKey | None:
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


@handler("talked_together")
def talked_together(ctx: Context, verb: Token, rule: Pattern) -> list[Meeting] | None:
    """'X et Y ont échangé sur la Syrie': a verb of talks with no "avec", whose coordinated subjects talked."""
    doc = ctx.doc
    if after_avec(doc, verb) < sent_of(verb).end:
        return None
    indirect: list[EntityKey] = []
    subjects = agents(_subject_keys(verb, ctx.refs, indirect), ctx.ms)
    if len(subjects) < 2:
        return None
    return found_meetings(ctx, verb, pairs_within(subjects), rule, indirect)


def _counterpart_start(doc: Doc, frm: int, preps: frozenset[str] | set[str], limit: int = 16) -> int | None:
    """The token after the preposition that introduces the person visited or called ('visite à X',
    'visite auprès de X'), looked for from token ``frm`` within the clause."""
    if frm >= len(doc):
        return None
    lower, pos = scan.lower(doc), scan.pos(doc)
    end = min(sent_of(doc[frm]).end, frm + limit)
    for j in range(frm, end):
        if lower[j] in preps:
            k = j + 1
            if lower[j] == "auprès" and k < end and lower[k] in DE:
                k += 1
            return k if k < end else None
        if lower[j] in _CLAUSE_STOP or pos[j] in ("VERB", "AUX") and j > frm:
            break
    return None


def _is_place_phrase(doc: Doc, i: int, ms: Mentions) -> bool:
    """'une visite au Japon', 'à Paris': a state or a place right after the preposition."""
    pos = scan.pos(doc)
    while i < len(doc) and pos[i] == "DET":
        i += 1
    m = ms.by_token.get(i)
    return m is not None and m.kind is MentionKind.NAME and ms.type_of(m.key) in (STATE, PLACE)


@handler("visit")
def visit(ctx: Context, verb: Token, rule: Pattern) -> list[Meeting] | None:
    """'X a rendu (une) visite (de courtoisie) à Y': the subject met the person after the preposition;
    a visit to a country or a city is no meeting."""
    doc, ms, refs = ctx.doc, ctx.ms, ctx.refs
    indirect: list[EntityKey] = []
    visit_noun = next((c for c in verb.children if c.lemma_ in _VISIT_NOUNS), None)
    if visit_noun is None:
        return None
    start = _counterpart_start(doc, visit_noun.i + 1, _VISIT_PREPS)
    if start is None or _is_place_phrase(doc, start, ms):
        return None
    subjects = agents(_subject_keys(verb, refs, indirect), ms)
    others = agents(span_keys(doc, start, ms, refs, indirect, peers=subjects, persons_after_preps=True), ms)
    return found_meetings(ctx, verb, pairs_across(subjects, others), rule, indirect)


@handler("received_visit")
def received_visit(ctx: Context, verb: Token, rule: Pattern) -> list[Meeting] | None:
    """'X a reçu la visite (officielle) du président Y': the subject met the visitor."""
    doc, ms, refs = ctx.doc, ctx.ms, ctx.refs
    indirect: list[EntityKey] = []
    visit_noun = next((c for c in verb.children if c.lemma_ in _VISIT_NOUNS and c.dep_ == "obj"), None)
    if visit_noun is None:
        return None
    lower, pos = scan.lower(doc), scan.pos(doc)
    end = min(sent_of(verb).end, visit_noun.i + 8)
    start = None
    for j in range(visit_noun.i + 1, end):  # "la visite de courtoisie du président Y": the "de" of a name
        k = j + 1
        while k < end and pos[k] == "DET":
            k += 1
        if lower[j] in DE and k < end and (k in ms.by_token or k in refs.title_head):
            start = k
            break
    if start is None:
        return None
    subjects = agents(_subject_keys(verb, refs, indirect), ms)
    others = agents(span_keys(doc, start, ms, refs, indirect, peers=subjects, free_start=True), ms)
    return found_meetings(ctx, verb, pairs_across(subjects, others), rule, indirect)


@handler("noun_of_with")
def noun_of_with(ctx: Context, noun: Token, rule: Pattern) -> list[Meeting] | None:
    """'La rencontre de X avec Y a duré trois heures', 'sa rencontre avec Y' (the person 'sa' refers to):
    the meeting noun names both sides itself, wherever it stands in the clause."""
    doc, ms, refs = ctx.doc, ctx.ms, ctx.refs
    indirect: list[EntityKey] = []
    lower, orth = scan.lower(doc), scan.orth(doc)
    end = min(sent_of(noun).end, noun.i + 12)
    avec = next((j for j in range(noun.i + 1, end) if lower[j] == "avec"), None)
    if avec is None or any(orth[j] in (",", ";", ":", "«") or lower[j] in ("entre", "et")
                           for j in range(noun.i + 1, avec)):
        return None
    owner = next((c for c in noun.children if c.dep_ == "det" and c.lower_ in _POSSESSIVES), None)
    if owner is not None and not noun.dep_.startswith("nsubj"):
        # "la Russie a accepté lors de ses échanges avec Y": the clause's subject, read by the noun-with patterns
        return None
    if owner is not None:
        key = refs.pronoun(owner)
        sides = [key] if key else []
        if key:
            indirect.append(key)
    elif avec > noun.i + 1 and lower[noun.i + 1] in DE:
        sides = agents(span_keys(doc, noun.i + 2, ms, refs, indirect, end=avec, free_start=True), ms)
    else:
        return None
    if not sides:
        return None
    others = agents(span_keys(doc, avec + 1, ms, refs, indirect, peers=sides), ms)
    return found_meetings(ctx, noun, pairs_across(sides, others), rule, indirect)


@handler("noun_together")
def noun_together(ctx: Context, noun: Token, rule: Pattern) -> list[Meeting] | None:
    """'X et Y ont eu un long entretien': a meeting noun held by coordinated subjects, with no "avec" or
    "entre" after it; the subjects met each other."""
    doc = ctx.doc
    governor = noun.head
    if noun.dep_ != "obj" or governor.pos_ != "VERB" or governor.lemma_ not in _HOLDING:
        return None
    lower = scan.lower(doc)
    if any(lower[j] in ("avec", "entre") for j in range(noun.i + 1, min(sent_of(noun).end, noun.i + 8))):
        return None
    indirect: list[EntityKey] = []
    subjects = agents(_subject_keys(governor, ctx.refs, indirect), ctx.ms)
    if len(subjects) < 2:
        return None
    return found_meetings(ctx, noun, pairs_within(subjects), rule, indirect)


def _meeting_noun_of(tok: Token) -> Token | None:
    """The meeting noun a phrase names: the noun itself, or the head of its 'de' complement ('une
    réunion des ministres de l'OTAN, qui s'est tenue': the relative hangs on 'ministres')."""
    for t in (tok, tok.head, tok.head.head):
        if t.pos_ == "NOUN" and (t.lemma_ in _MEETING_NOUNS or t.lemma_ in _MULTILATERAL):
            return t
        if t.dep_ != "nmod":
            break
    return None


def _attendees(meeting: Token, refs: Referents, indirect: list) -> list[EntityKey]:
    """Who took part in a meeting: the subject of 'participer / assister / prendre part à' the meeting."""
    verb = meeting.head
    if verb.pos_ != "VERB" or not (verb.lemma_ in _ATTENDING or verb.lemma_ == "prendre" and any(
            c.lower_ == "part" for c in verb.children)):
        return []
    return _subject_keys(verb, refs, indirect)


@handler("in_presence")
def in_presence(ctx: Context, noun: Token, rule: Pattern) -> list[Meeting] | None:
    """'La réunion s'est tenue en présence de X, Y et Z': they met each other, and whoever took part in
    the meeting ('le ministre a participé à une réunion, qui s'est tenue en présence de …')."""
    doc, ms, refs = ctx.doc, ctx.ms, ctx.refs
    indirect: list[EntityKey] = []
    head = noun.head
    meeting = _meeting_noun_of(head)
    if meeting is None and head.pos_ in ("VERB", "AUX"):
        meeting = next((m for s in subjects_of(head) if (m := _meeting_noun_of(_antecedent(s))) is not None), None)
    if meeting is None:
        return None
    start = noun.i + 1 + (scan.lower(doc)[noun.i + 1] in DE if noun.i + 1 < len(doc) else 0)
    others = agents(span_keys(doc, start, ms, refs, indirect), ms)
    hosts = agents(_attendees(meeting, refs, indirect), ms)
    pairs = sorted(set(pairs_across(hosts, others)) | set(pairs_within(others)))
    return found_meetings(ctx, noun, pairs, rule, indirect)


@handler("noun_relative")
def noun_relative(ctx: Context, noun: Token, rule: Pattern) -> list[Meeting] | None:
    """'les entretiens qu'il a eus avec X': the subject of the relative clause talked with X."""
    doc, ms, refs = ctx.doc, ctx.ms, ctx.refs
    indirect: list[EntityKey] = []
    verb = next((c for c in noun.children if c.dep_ == "acl:relcl"), None)
    if verb is None:
        return None
    start = after_avec(doc, verb)
    if start >= sent_of(verb).end:
        return None
    subjects = agents(_subject_keys(verb, refs, indirect), ms)
    others = agents(span_keys(doc, start, ms, refs, indirect, peers=subjects), ms)
    return found_meetings(ctx, noun, pairs_across(subjects, others), rule, indirect)


@handler("interposed")
def interposed(ctx: Context, verb: Token, rule: Pattern) -> list[Meeting] | None:
    """'X a rencontré, lors d'une réunion à Bruxelles, Y et Z': the object list after an adjunct set
    off by commas. When the adjunct names a multilateral meeting, everyone listed met."""
    doc, ms, refs = ctx.doc, ctx.ms, ctx.refs
    indirect: list[EntityKey] = []
    orth, lower, lemma = scan.orth(doc), scan.lower(doc), scan.lemma(doc)
    end = min(sent_of(verb).end, verb.i + 25)
    close = next((j for j in range(verb.i + 2, end) if orth[j] == ","), None)
    if close is None or any(lower[j] in ("«", ";", ":") for j in range(verb.i + 2, close)):
        return None
    subjects = agents(_subject_keys(verb, refs, indirect), ms)
    others = agents(span_keys(doc, close + 1, ms, refs, indirect, peers=subjects), ms)
    if not others:
        return None
    pairs = pairs_across(subjects, others)
    sent = sent_of(verb)
    if any(lemma[j] in _MULTILATERAL or lemma[j] in _JOINT_ADJECTIVES for j in range(verb.i + 2, close)) and not any(
            lower[j] in _SEPARATE for j in range(sent.start, sent.end)):
        pairs = pairs_within(subjects + others)
    return found_meetings(ctx, verb, pairs, rule, indirect)
