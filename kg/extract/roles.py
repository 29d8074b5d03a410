"""Titles and who holds them: envoys (dip:Mandate) and offices (dip:Position).

A title phrase is a title noun with what qualifies it: adjectives ("spécial", "en chef"), a
nationality adjective (the State it serves), a "de …" complement (the principal: "du Kremlin",
"de Donald Trump", "du président russe Vladimir Poutine") and a "pour …" complement, which names a
topic or a country the envoy deals with, never the principal ("émissaire pour l'Ukraine").
The holder is a name right after the phrase ("l'envoyé russe Kirill Dmitriev"), after a comma
("le porte-parole du Kremlin, Dmitri Peskov") or before it ("Kirill Dmitriev, émissaire du Kremlin").
"""
from __future__ import annotations

from dataclasses import dataclass, field

from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Token

from kg.extract import scan
from kg.extract.entities import ORGANIZATION, PERSON, PLACE, STATE, Mentions
from kg.extract.rules import Rule
from kg.extract.sents import sent_at
from kg.lexicon import Lexicon
from kg.records import Evidence, Mandate, Position

_DETS = {"le", "la", "l'", "les", "un", "une", "des", "son", "sa", "ses", "leur", "leurs", "ce", "cet", "cette", "du"}
_DE = {"de", "du", "des", "d'"}
_QUALIFIERS = {"spécial", "spéciale", "spéciaux", "en", "chef", "adjoint", "adjointe", "principal", "principale",
               "permanent", "permanente", "ancien", "ancienne", "nouveau", "nouvelle", "haut", "haute", "général",
               "générale", "diplomatique", "personnel", "personnelle", "plénipotentiaire", "extraordinaire"}
_BOUNDARY = {",", ".", ";", ":", "(", ")", "«", "»", '"', "qui", "que", "qu'", "dont", "où", "pour", "et", "ainsi",
             "avec", "à", "au", "aux", "sur", "lors", "après", "avant", "selon", "contre", "entre", "par"}
# Nouns that stand for their state or organization when no person is named with them.
GROUP_NOUNS = {"responsables", "représentants", "partie", "autorités", "délégation",
               "délégations", "émissaires", "envoyés", "négociateurs", "diplomates", "dirigeants", "officiels",
               "équipe", "équipes", "gouvernement", "administration", "diplomatie", "sources", "source",
               "conseillers", "ministres", "services", "partenaires", "homologue", "homologues"}
_RELATION_NOUNS = {"gendre", "fils", "fille", "épouse", "époux", "femme", "mari", "frère", "soeur", "sœur",
                   "beau-père", "proche", "allié", "alliée", "ami", "amie", "père", "mère"}
# Nouns that make the next name part of a complement ("du président Vladimir Poutine").
_TITLE_WORDS = {"président", "présidente", "premier", "première", "ministre", "chef", "secrétaire", "roi", "reine",
                "chancelier", "chancelière", "émir", "prince", "vice-président", "vice-présidente", "dirigeant"}
_BECOME = {"devenu", "devenue", "nommé", "nommée", "désormais", "actuel", "actuelle", "aujourd'hui", "alors"}
_LEADS = {"diriger", "conduire", "mener", "présider", "piloter"}
_LED_BY = {"conduite", "dirigée", "menée", "emmenée", "présidée", "pilotée", "conduit", "dirigé", "mené"}


@dataclass
class TitleUse:
    """One title phrase in a Doc and what it was linked to."""

    start: int  # first token of the title noun
    end: int  # token just past the phrase (complements included, holder excluded)
    title: str
    kind: str  # envoy | position | group | relation
    plural: bool
    holder: str | None = None
    principals: list[str] = field(default_factory=list)
    complement: set[int] = field(default_factory=set)  # tokens of "de …" and "pour …" complements
    rule: Rule | None = None


class RoleFinder:
    """Finds title phrases, links them to holders and principals, and emits mandates and positions."""

    def __init__(self, lex: Lexicon, vocab) -> None:
        self.kinds = dict(lex.titles)
        self.kinds.update({n: "group" for n in GROUP_NOUNS if n not in self.kinds})
        self.kinds.update({n: "relation" for n in _RELATION_NOUNS})
        from spacy.lang.fr import French
        tok = French().tokenizer
        self.matcher = PhraseMatcher(vocab, attr="LOWER")
        for title in self.kinds:
            self.matcher.add(title, [tok(title)])

    def __call__(self, doc: Doc, ms: Mentions) -> list[TitleUse]:
        uses = []
        matches = sorted(self.matcher(doc), key=lambda m: (m[1], -(m[2] - m[1])))
        covered: set[int] = set()
        nested: set[int] = set()  # complements of earlier titles: "représentant du secrétaire général de l'ONU"
        for match_id, s, e in matches:
            if s in covered or not _is_title_use(doc, s, e, ms):
                continue
            title = doc.vocab.strings[match_id]
            use = TitleUse(s, e, scan.text_at(doc, s, e).lower(), self.kinds[title],
                           scan.lower(doc)[e - 1].endswith(("s", "x")))
            _extend(doc, use, ms)
            _find_holder(doc, use, ms, direct_only=s in nested)
            covered.update(range(s, e))
            nested.update(use.complement)
            uses.append(use)
        return uses


def _is_title_use(doc: Doc, s: int, e: int, ms: Mentions) -> bool:
    """A participle "envoyé(s)" is a title only after a determiner or in apposition."""
    if s in ms.by_token:
        return False
    lower = scan.lower(doc)
    if scan.pos(doc)[s] in ("VERB", "AUX") or lower[s].startswith("envoy"):
        prev = lower[s - 1] if s > 0 else ""
        nxt = ms.by_token.get(e)
        return (prev in _DETS or prev == "," or e < len(doc) and lower[e] in _QUALIFIERS
                or nxt is not None and nxt.kind == "demonym")
    return True


def _extend(doc: Doc, use: TitleUse, ms: Mentions) -> None:
    """Grow the phrase over qualifiers, nationality adjectives and complements; collect principals."""
    lower, pos = scan.lower(doc), scan.pos(doc)
    i = qualified_to = use.end
    while i < len(doc):
        word = lower[i]
        m = ms.by_token.get(i)
        if m is not None and m.kind == "demonym":
            use.principals.append(m.key)
            i += 1
        elif word == "et" and (n := ms.by_token.get(i + 1)) is not None and n.kind == "demonym":
            i += 1
        elif word in _QUALIFIERS or (pos[i] == "ADJ" and word not in _BOUNDARY and m is None):
            if word in _QUALIFIERS and i == qualified_to and not use.principals:
                use.title += f" {word}"  # "envoyé spécial", "négociateur en chef", "conseiller diplomatique"
                qualified_to += 1
            i += 1
        elif word in ("à", "au", "en", "auprès") and use.kind == "envoy" and _place_follows(doc, i + 1, ms):
            j = _complement_end(doc, i + 1, ms)  # a posting, not a principal: "l'ambassadeur russe à Pékin"
            use.complement.update(range(i, j))
            i = j
        elif word in ("à", "au") and use.kind == "position" and _org_follows(doc, i + 1, ms):
            j = _complement_end(doc, i + 1, ms)  # "responsable à la Maison Blanche"
            use.complement.update(range(i, j))
            use.principals.extend(_complement_principals(doc, i + 1, j, ms))
            i = j
        elif word in _DE or word == "pour":
            topic = word == "pour"
            j = _complement_end(doc, i + 1, ms)
            if j == i + 1:
                break
            use.complement.update(range(i, j))
            named = [] if topic else _complement_principals(doc, i + 1, j, ms)
            if not topic and not named and use.kind in ("position", "envoy") and not use.complement - set(range(i, j)):
                use.title = f"{use.title} {scan.text_at(doc, i, j)}"  # a portfolio: "ministre des Affaires étrangères"
            use.principals.extend(named)
            i = j
        else:
            break
    use.end = i


def _org_follows(doc: Doc, i: int, ms: Mentions) -> bool:
    pos = scan.pos(doc)
    while i < len(doc) and pos[i] == "DET":
        i += 1
    m = ms.by_token.get(i)
    return m is not None and ms.type_of(m.key) is ORGANIZATION


def _place_follows(doc: Doc, i: int, ms: Mentions) -> bool:
    pos = scan.pos(doc)
    while i < len(doc) and pos[i] == "DET":
        i += 1
    m = ms.by_token.get(i)
    return m is not None and m.kind == "name"


def _complement_end(doc: Doc, i: int, ms: Mentions) -> int:
    """End of a "de …" complement: a noun phrase, possibly a list of states ("de la France, du Royaume-Uni et de l'Allemagne").

    A person named after a portfolio ("ministre de la Défense Oleg Marchenko") is the holder, not part
    of the complement; after a title ("du président Vladimir Poutine") or right after "de" it is.
    """
    lower, pos = scan.lower(doc), scan.pos(doc)
    start = i
    while i < len(doc):
        m = ms.by_token.get(i)
        if m is not None and m.kind == "name" and ms.type_of(m.key) is PERSON and i > start \
                and not any(k in ms.by_token or lower[k] in _TITLE_WORDS for k in range(start, i)) \
                and lower[i - 1] not in _DE:
            break
        if lower[i] in (",", "et") and _list_continues(doc, i + 1, ms):
            i += 1
            continue
        if lower[i] in _BOUNDARY or pos[i] in ("VERB", "AUX") and i not in ms.by_token:
            break
        i += 1
    return i


def _list_continues(doc: Doc, i: int, ms: Mentions) -> bool:
    lower, pos = scan.lower(doc), scan.pos(doc)
    while i < len(doc) and (lower[i] in _DE or pos[i] == "DET" or lower[i] == "et"):
        i += 1
    m = ms.by_token.get(i)
    return m is not None and m.kind == "name" and ms.type_of(m.key) in (STATE, ORGANIZATION)


def _complement_principals(doc: Doc, i: int, j: int, ms: Mentions) -> list[str]:
    """Who a "de …" complement names: a person if there is one, else states and organizations."""
    keys, named = [], []
    for k in range(i, j):
        m = ms.by_token.get(k)
        if m is not None and ms.type_of(m.key) is not PLACE:
            for found in [keys] + ([named] if m.kind == "name" else []):
                if m.key not in found:
                    found.append(m.key)
    persons = [k for k in keys if ms.type_of(k) is PERSON]
    if persons:
        return persons[-1:]
    return named or keys[:1]  # "du président russe": the adjective's state when nothing is named


def _person_at(ms: Mentions, i: int) -> str | None:
    m = ms.by_token.get(i)
    return m.key if m is not None and m.kind == "name" and ms.type_of(m.key) is PERSON else None


def _person_ending_at(doc: Doc, i: int, ms: Mentions) -> str | None:
    """The person whose name ends at token ``i``."""
    key = _person_at(ms, i)
    if key and (i + 1 >= len(doc) or ms.by_token.get(i + 1) is not ms.by_token.get(i)):
        return key
    return None


def _find_holder(doc: Doc, use: TitleUse, ms: Mentions, *, direct_only: bool = False) -> None:
    """Link the title to the person it names; a title nested in another's complement only to a name
    right after it (the apposition belongs to the outer title)."""
    if use.kind == "relation":
        return
    after = use.end
    # "l'envoyé spécial américain Steve Witkoff"
    if (key := _person_at(ms, after)) and not use.plural:
        use.holder, use.rule = key, Rule.TITLE_BEFORE_NAME
        return
    if direct_only:
        return
    orth, lower, pos = scan.orth(doc), scan.lower(doc), scan.pos(doc)
    # "Hassan Osman, qui dirige la délégation soudanaise"
    j = use.start - 1
    if j >= 0 and pos[j] == "DET":
        j -= 1
    if j >= 3 and scan.lemma(doc)[j] in _LEADS and lower[j - 1] == "qui" and orth[j - 2] == "," \
            and (key := _person_ending_at(doc, j - 3, ms)) and not use.plural:
        use.holder, use.rule, use.kind = key, Rule.DELEGATION_LED_BY, "envoy"
        use.title = "chef de délégation" if use.title.startswith("délégation") else use.title
        return
    # "le porte-parole du Kremlin, Dmitri Peskov" / "un négociateur ukrainien, Roustem Oumerov"
    if after < len(doc) and orth[after] == "," and (key := _person_at(ms, after + 1)) and not use.plural:
        use.holder, use.rule = key, Rule.TITLE_APPOSITION
        return
    # "Kirill Dmitriev, émissaire du Kremlin, …" / "Iouri Ouchakov, le conseiller du président."
    j = use.start - 1
    if j >= 0 and pos[j] == "DET":
        j -= 1
    while j >= 1 and lower[j] in _BECOME:  # "X, devenu émissaire de …", "X, désormais ministre"
        j -= 1
    closed = after >= len(doc) or orth[after] in (",", ".", ")", ";") or "\n" in doc[after - 1].whitespace_
    if j >= 1 and orth[j] == "," and closed and (key := _person_ending_at(doc, j - 1, ms)) \
            and not use.plural and not _after_source_prep(doc, _first_token(doc, j - 1, ms)):
        use.holder, use.rule = key, Rule.TITLE_APPOSITION
        return
    # "la délégation ukrainienne conduite par Rustem Omerov", "…, menée par le ministre de la Défense X"
    k = after + 1 if after < len(doc) and orth[after] == "," else after
    while k < len(doc) and pos[k] == "AUX":  # "la délégation américaine était conduite par …"
        k += 1
    if use.title.startswith("délégation") and k + 1 < len(doc) and lower[k] in _LED_BY \
            and lower[k + 1] == "par":
        for j in range(k + 2, min(k + 12, len(doc))):
            if orth[j] in (",", "."):
                break
            if key := _person_at(ms, j):
                use.holder, use.rule, use.kind = key, Rule.DELEGATION_LED_BY, "envoy"
                use.title = "chef de délégation"
                break


def _first_token(doc: Doc, i: int, ms: Mentions) -> int:
    """The first token of the mention that covers token ``i``."""
    while i > 0 and ms.by_token.get(i - 1) is ms.by_token.get(i):
        i -= 1
    return i


def _after_source_prep(doc: Doc, i: int) -> bool:
    """Whether the name starting at token ``i`` is introduced by "selon" / "d'après"."""
    return i > 0 and scan.lower(doc)[i - 1] in ("selon", "après")


def role_facts(doc: Doc, uses: list[TitleUse], ms: Mentions) -> list[Mandate | Position]:
    """Mandates and positions stated by the title phrases that have a holder."""
    facts: list[Mandate | Position] = []
    for use in uses:
        if use.holder is None or use.rule is None:
            continue
        ev = evidence(doc, use.start, use.rule)
        principals = [p for p in use.principals if p != use.holder]
        if use.kind == "envoy":
            facts += [Mandate(use.holder, p, use.title, ev) for p in principals]
        elif use.kind == "position":
            orgs = [p for p in principals if ms.type_of(p) in (STATE, ORGANIZATION)]
            facts.append(Position(use.holder, use.title, ev, orgs[0] if orgs else None))
    for subject, obj, i in _represented_by(doc, ms, {u.start: u for u in uses}):
        facts.append(Mandate(obj, subject, "représentant", evidence(doc, i, Rule.REPRESENTED_BY)))
    return facts


_REPRESENT = scan.Words(scan.Attr.LEMMA, {"représenter"})


def _represented_by(doc: Doc, ms: Mentions, groups: dict[int, TitleUse]):
    """'Les États-Unis seront représentés par X (et Y)': X represents the subject;
    'X, qui représente Moscou': X represents the object."""
    for tok in scan.tokens(doc, _REPRESENT):
        if not (tok.morph.get("Voice") == ["Pass"] or any(c.dep_ == "aux:pass" for c in tok.children)):
            yield from _represents_actively(doc, tok, ms)
            continue
        subjects = []
        for c in tok.children:
            if c.dep_.startswith("nsubj"):  # a name, or a group standing for its state ("la partie ukrainienne")
                use = groups.get(c.i)
                subjects += [ms.key_of(c)] if use is None else ([] if use.holder else use.principals)
        subjects = [s for s in subjects if s and ms.type_of(s) in (STATE, ORGANIZATION)]
        if not subjects or tok.i + 1 >= len(doc) or doc[tok.i + 1].lower_ != "par":
            continue
        k = tok.i + 2
        while k < len(doc) and doc[k].text not in (".", ";"):
            if (key := _person_at(ms, k)) and doc[k - 1].text not in ("de", "du"):
                yield subjects[0], key, tok.i
                break  # the first one named; the others are optional companions
            k += 1


def _represents_actively(doc: Doc, verb: Token, ms: Mentions):
    """'X représente la Russie', 'X, qui représente Moscou dans ces pourparlers'."""
    persons = [ms.key_of(c) for c in verb.children if c.dep_ == "nsubj"]
    if verb.dep_ == "acl:relcl" and any(c.lower_ == "qui" for c in verb.children):
        persons.append(ms.key_of(verb.head))
    persons = [p for p in persons if p and ms.type_of(p) is PERSON]
    objects = [ms.key_of(c) for c in verb.children if c.dep_ == "obj"]
    objects = [o for o in objects if o and ms.type_of(o) in (STATE, ORGANIZATION)]
    for person in persons[:1]:
        for principal in objects[:1]:
            yield principal, person, verb.i


def evidence(doc: Doc, token_i: int, rule: Rule, factor: float = 1.0) -> Evidence:
    """Evidence for a fact found at token ``token_i``: its sentence, offsets, rule and confidence."""
    sent = sent_at(doc, token_i)
    where = doc.user_data.setdefault(_QUOTES, {})  # many facts come from one sentence
    found = where.get(sent.start)
    if found is None:
        start = sent.start_char
        text = scan.text(sent)
        stripped = text.rstrip()
        lead = len(text) - len(text.lstrip())
        found = where[sent.start] = (start + lead, start + len(stripped), stripped.lstrip())
    return Evidence(*found, rule.id, round(rule.confidence * factor, 2))


_QUOTES = "kg.evidence"
