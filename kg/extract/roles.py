"""Titles and who holds them: envoys (dip:Mandate) and offices (dip:Position).

A title phrase is a title noun with what qualifies it: adjectives ("spécial", "en chef"), a
nationality adjective (the State it serves), a "de …" complement (the principal: "du Kremlin",
"de Paul Martin", "du président russe Piotr Sidorenko") and a "pour …" complement, which names a
topic or a country the envoy deals with, never the principal ("émissaire pour l'Ukraine").
The holder is a name right after the phrase ("l'envoyé russe Igor Volkov"), after a comma
("le porte-parole du Kremlin, Piotr Sidorenko") or before it ("Igor Volkov, émissaire du Kremlin").
"""
from __future__ import annotations

import unicodedata

from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Token

from kg.extract import scan
from kg.extract.entities import ORGANIZATION, PERSON, PLACE, STATE, Mentions
from kg.extract.evidence import evidence
from kg.extract.patterns import Context, Pattern, handler
from kg.extract.sents import sent_at
from kg.extract.sources import source_phrases
from kg.extract.titles import TitleKind, TitleUse
from kg.lang import lexicon
from kg.lang.lexicon import Lexicon
from kg.records import EntityKey, Mandate, MentionKind, Position

_DETS = lexicon.words("determiners")
_DE = lexicon.words("de_forms")
_A = lexicon.words("a_forms")
_LOCATION_PREPS = lexicon.words("location_preps")
_QUALIFIERS = lexicon.words("title_qualifiers")
_BOUNDARY = lexicon.words("title_boundaries")
# Nouns that stand for their state or organization when no person is named with them.
GROUP_NOUNS = lexicon.words("group_nouns")
_RELATION_NOUNS = lexicon.words("relation_nouns")
# Nouns that make the next name part of a complement ("du président Piotr Sidorenko").
_TITLE_WORDS = lexicon.words("leader_title_words")
_BECOME = lexicon.words("becoming_words")
_LEADS = lexicon.words("leading_verbs")
_LED_BY = lexicon.words("led_by_participles")
_MEMBER_VERBS = lexicon.words("roles_member_verbs")


Token.set_extension("kg_title", default="", force=True)  # the kind of the title phrase starting here


class RoleFinder:
    """Finds title phrases, links them to holders and principals, and emits mandates and positions."""

    def __init__(self, lex: Lexicon, vocab) -> None:
        self.kinds = {title: TitleKind(kind) for title, kind in lex.titles.items()}
        self.kinds.update({n: TitleKind.GROUP for n in GROUP_NOUNS if n not in self.kinds})
        self.kinds.update({n: TitleKind.RELATION for n in _RELATION_NOUNS})
        from spacy.lang.fr import French
        tok = French().tokenizer
        self.matcher = PhraseMatcher(vocab, attr="LOWER")
        for title in self.kinds:
            self.matcher.add(title, [tok(v) for v in _accent_variants(title)])

    def __call__(self, doc: Doc, ms: Mentions) -> list[TitleUse]:
        """The title phrases of a Doc, each grown over its qualifiers and complements (holders not yet linked)."""
        uses = []
        matches = sorted(self.matcher(doc), key=lambda m: (m[1], -(m[2] - m[1])))
        covered: set[int] = set()
        nested: set[int] = set()  # complements of earlier titles: "représentant du secrétaire général de l'ONU"
        for match_id, s, e in matches:
            if s in covered or not _is_title_use(doc, s, e, ms):
                continue
            title = doc.vocab.strings[match_id]
            use = TitleUse(s, e, scan.text_at(doc, s, e).lower(), self.kinds[title],
                           scan.lower(doc)[e - 1].endswith(("s", "x")), nested=s in nested)
            _extend(doc, use, ms)
            if use.kind is TitleKind.ENVOY and not use.principals and (owner := _possessor(doc, s, ms)):
                use.principals.append(owner)  # "Ottawa a rappelé son ambassadeur à Moscou, X"
            covered.update(range(s, e))
            nested.update(use.complement)
            uses.append(use)
            doc[s]._.kg_title = use.kind.value  # a plain string, as the patterns name it
        return uses


def _accent_variants(title: str) -> list[str]:
    """A title as written with and without its accents, word by word: "Secrétaire d'Etat" is
    "secrétaire d'état" (capitals often lose their accents)."""
    def bare(w: str) -> str:
        return unicodedata.normalize("NFKD", w).encode("ascii", "ignore").decode()
    out = [""]
    for word in title.split(" "):
        forms = {word, bare(word)}
        if "'" in word:
            head, _, rest = word.partition("'")
            forms.add(f"{head}'{bare(rest)}")
        out = [f"{o} {f}".strip() for o in out for f in sorted(forms)]
    return sorted(set(out))[:16]


_POSSESSIVES = lexicon.words("third_person_possessives")


def _possessor(doc: Doc, s: int, ms: Mentions) -> EntityKey | None:
    """The state or organization a possessive before a title points to: the subject of its clause
    ("le Canada a rappelé son ambassadeur", "les États-Unis et leur ambassadeur à Ottawa")."""
    if s == 0 or scan.lower(doc)[s - 1] not in _POSSESSIVES:
        return None
    head = doc[s]
    for _ in range(4):  # up to the clause's verb
        if head.pos_ in ("VERB", "AUX") or head.head is head:
            break
        head = head.head
    plural = scan.lower(doc)[s - 1].startswith("leur")
    for c in head.children:
        if c.dep_ in ("nsubj", "nsubj:pass") and c.i < s \
                and plural == (c.morph.get("Number", []) == ["Plur"] or any(g.dep_ == "conj" for g in c.children)):
            m = ms.by_token.get(c.i)
            if m is not None and ms.type_of(m.key) in (STATE, ORGANIZATION):
                return m.key
    return None


def _is_title_use(doc: Doc, s: int, e: int, ms: Mentions) -> bool:
    """A participle "envoyé(s)" is a title only after a determiner or in apposition."""
    if s in ms.by_token:
        return False
    lower = scan.lower(doc)
    if scan.pos(doc)[s] in ("VERB", "AUX") or lower[s].startswith("envoy"):
        prev = lower[s - 1] if s > 0 else ""
        nxt = ms.by_token.get(e)
        return (prev in _DETS or prev == "," or e < len(doc) and lower[e] in _QUALIFIERS
                or nxt is not None and nxt.kind is MentionKind.DEMONYM)
    return True


def _extend(doc: Doc, use: TitleUse, ms: Mentions) -> None:
    """Grow the phrase over qualifiers, nationality adjectives and complements; collect principals."""
    lower, pos = scan.lower(doc), scan.pos(doc)
    i = qualified_to = use.end
    portfolio = False
    while i < len(doc):
        word = lower[i]
        m = ms.by_token.get(i)
        if _line_break_before(doc, i):
            break  # "— X, président de la République\nRapidement, …": a phrase ends with its line
        if m is not None and m.kind is MentionKind.DEMONYM:
            use.principals.append(m.key)
            i += 1
        elif word == "et" and (n := ms.by_token.get(i + 1)) is not None and n.kind is MentionKind.DEMONYM:
            i += 1
        elif word in _QUALIFIERS or (pos[i] == "ADJ" and word not in _BOUNDARY and m is None):
            if word in _QUALIFIERS and i == qualified_to and not use.principals:
                use.title += f" {word}"  # "envoyé spécial", "négociateur en chef", "conseiller diplomatique"
                qualified_to += 1
            i += 1
        elif word in ("à", "au", "aux", "en", "auprès") and use.kind is TitleKind.ENVOY and (
                _place_follows(doc, i + 1, ms) or word == "auprès" and i + 1 < len(doc) and lower[i + 1] in _DE):
            # a posting, not a principal: "l'ambassadeur russe à Pékin", "auprès de l'Alliance"
            j = _complement_end(doc, i + (2 if word == "auprès" and lower[i + 1] in _DE else 1), ms)
            use.complement.update(range(i, j))
            i = j
        elif word in ("à", "au") and use.kind is TitleKind.POSITION and _org_follows(doc, i + 1, ms):
            j = _complement_end(doc, i + 1, ms)  # "responsable à la Maison Blanche"
            use.complement.update(range(i, j))
            use.principals.extend(_complement_principals(doc, i + 1, j, ms))
            i = j
        elif word in _DE or word == "pour" or word in _A and use.kind is TitleKind.POSITION \
                and i == qualified_to and _portfolio_follows(doc, i + 1, ms):
            topic = word == "pour"
            j = _complement_end(doc, i + 1, ms)
            if j == i + 1:
                break
            use.complement.update(range(i, j))
            named = [] if topic else _complement_principals(doc, i + 1, j, ms)
            if not topic and not named and use.kind in (TitleKind.POSITION, TitleKind.ENVOY) \
                    and not use.complement - set(range(i, j)):
                use.title = f"{use.title} {scan.text_at(doc, i, j)}"  # a portfolio: "ministre des Affaires étrangères"
                portfolio = True
            use.principals.extend(named)
            i = j
        elif word == "et" and portfolio and i + 1 < len(doc) and lower[i + 1] in _DE:
            j = _complement_end(doc, i + 2, ms)  # "ministre de l'Europe et des affaires étrangères"
            if j == i + 2 or _complement_principals(doc, i + 2, j, ms):
                break
            use.complement.update(range(i, j))
            use.title = f"{use.title} {scan.text_at(doc, i, j)}"
            i = j
        else:
            break
    use.end = i


def _line_break_before(doc: Doc, i: int) -> bool:
    return i > 0 and ("\n" in doc[i - 1].whitespace_ or doc[i].is_space or doc[i - 1].is_space)


def _portfolio_follows(doc: Doc, i: int, ms: Mentions) -> bool:
    """'secrétaire d'État aux Affaires étrangères', 'ministre délégué à la Défense': a capitalised portfolio."""
    lower, orth = scan.lower(doc), scan.orth(doc)
    if i < len(doc) and lower[i] in ("la", "l'"):
        i += 1
    return i < len(doc) and orth[i][:1].isupper() and i not in ms.by_token and doc[i].is_alpha


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
    return m is not None and m.kind is MentionKind.NAME


def _complement_end(doc: Doc, i: int, ms: Mentions) -> int:
    """End of a "de …" complement: a noun phrase, possibly a list of states
    ("de la France, du Royaume-Uni et de l'Allemagne").

    A person named after a portfolio ("ministre de la Défense Oleg Marchenko") is the holder, not part
    of the complement; after a title ("du président Piotr Sidorenko") or right after "de" it is.
    """
    lower, pos = scan.lower(doc), scan.pos(doc)
    start = i
    while i < len(doc):
        m = ms.by_token.get(i)
        if i > start and _line_break_before(doc, i):
            break
        if m is not None and m.kind is MentionKind.NAME and ms.type_of(m.key) is PERSON and i > start \
                and not any(lower[k].removeprefix("ex-") in _TITLE_WORDS for k in range(start, i)) \
                and (not any(k in ms.by_token for k in range(start, i)) or _ends_entity(ms, i - 1)) \
                and lower[i - 1] not in _DE:
            break  # "le président de l'Angola Paulo Santos", "le directeur du MAE italien Marco Rossi"
        if lower[i] in (",", "et") and _list_continues(doc, i + 1, ms):
            i += 1
            continue
        if lower[i] in _BOUNDARY or lower[i] == "auprès" or pos[i] in ("VERB", "AUX") and i not in ms.by_token:
            break  # "auprès de …" is a posting, never part of the principal
        i += 1
    return i


def _ends_entity(ms: Mentions, i: int) -> bool:
    """Whether token ``i`` ends the name of a state, organization or place, or is a nationality adjective."""
    m = ms.by_token.get(i)
    return m is not None and ms.type_of(m.key) is not PERSON and ms.by_token.get(i + 1) is not m


def _list_continues(doc: Doc, i: int, ms: Mentions) -> bool:
    lower, pos = scan.lower(doc), scan.pos(doc)
    while i < len(doc) and (lower[i] in _DE or pos[i] == "DET" or lower[i] == "et"):
        i += 1
    m = ms.by_token.get(i)
    return m is not None and m.kind is MentionKind.NAME and ms.type_of(m.key) in (STATE, ORGANIZATION, PLACE)


def _complement_principals(doc: Doc, i: int, j: int, ms: Mentions) -> list[EntityKey]:
    """Who a "de …" complement names: a person if there is one, else states and organizations."""
    keys: list[EntityKey] = []
    named: list[EntityKey] = []
    for k in range(i, j):
        m = ms.by_token.get(k)
        if m is not None and ms.type_of(m.key) is not PLACE:
            for found in [keys] + ([named] if m.kind is MentionKind.NAME else []):
                if m.key not in found:
                    found.append(m.key)
    persons = [k for k in keys if ms.type_of(k) is PERSON]
    if persons:
        return persons[-1:]
    return named or keys[:1]  # "du président russe": the adjective's state when nothing is named


def _person_at(ms: Mentions, i: int) -> EntityKey | None:
    m = ms.by_token.get(i)
    return m.key if m is not None and m.kind is MentionKind.NAME and ms.type_of(m.key) is PERSON else None


def _person_ending_at(doc: Doc, i: int, ms: Mentions) -> EntityKey | None:
    """The person whose name ends at token ``i``."""
    key = _person_at(ms, i)
    if key and (i + 1 >= len(doc) or ms.by_token.get(i + 1) is not ms.by_token.get(i)):
        return key
    return None


def _use(ctx: Context, tok: Token, *, outer: bool = False) -> TitleUse | None:
    """The title phrase starting at ``tok`` when it has no holder yet and is not a plural; with
    ``outer``, not one nested in another title's complement either (only a name right after it
    can be its holder)."""
    use = ctx.state["titles"].get(tok.i)
    if use is None or use.holder is not None or use.plural or outer and use.nested:
        return None
    return use


def _linked(ctx: Context, use: TitleUse, holder: EntityKey, rule: Pattern) -> list[Mandate | Position]:
    """Make ``holder`` the holder of ``use``: its mandates (one per principal) or its position."""
    use.holder = holder
    ev = evidence(ctx.doc, use.start, rule)
    principals = [p for p in use.principals if p != holder]
    if use.kind is TitleKind.ENVOY:
        return [Mandate(holder, p, use.title, ev) for p in principals]
    if use.kind is TitleKind.POSITION:
        orgs = [p for p in principals if ctx.ms.type_of(p) in (STATE, ORGANIZATION)]
        return [Position(holder, use.title, ev, orgs[0] if orgs else None)]
    return []  # a group noun in apposition ("son homologue iranien, X"): a holder, no office


@handler("holder_after_title")
def holder_after_title(ctx: Context, tok: Token, rule: Pattern):
    """'l'envoyé spécial américain John Carter': the name right after the phrase."""
    if (use := _use(ctx, tok)) and (key := _person_at(ctx.ms, use.end)):
        return _linked(ctx, use, key, rule)
    return None


@handler("holder_in_apposition")
def holder_in_apposition(ctx: Context, tok: Token, rule: Pattern):
    """'le porte-parole du Kremlin, Piotr Sidorenko': the name after a comma."""
    use = _use(ctx, tok, outer=True)
    if use is None:
        return None
    doc, after = ctx.doc, use.end
    if after < len(doc) and scan.orth(doc)[after] == "," and (key := _person_at(ctx.ms, after + 1)):
        return _linked(ctx, use, key, rule)
    return None


def _before_phrase(doc: Doc, use: TitleUse) -> int:
    """The token before a title phrase and its determiner."""
    j = use.start - 1
    return j - 1 if j >= 0 and scan.pos(doc)[j] == "DET" else j


@handler("holder_before_title")
def holder_before_title(ctx: Context, tok: Token, rule: Pattern):
    """'Igor Volkov, émissaire du Kremlin, …', 'X, devenu ministre, …': the name before, in apposition."""
    use = _use(ctx, tok, outer=True)
    if use is None:
        return None
    doc, ms, after = ctx.doc, ctx.ms, use.end
    orth, lower = scan.orth(doc), scan.lower(doc)
    j = _before_phrase(doc, use)
    while j >= 1 and lower[j] in _BECOME:
        j -= 1
    closed = after >= len(doc) or orth[after] in (",", ".", ")", ";") or _line_break_before(doc, after)
    if j >= 1 and orth[j] == "," and closed and (key := _person_ending_at(doc, j - 1, ms)) \
            and _first_token(doc, j - 1, ms) not in source_phrases(doc):
        return _linked(ctx, use, key, rule)
    return None


@handler("who_leads")
def who_leads(ctx: Context, tok: Token, rule: Pattern):
    """'Hassan Osman, qui dirige la délégation soudanaise': the head of the delegation."""
    use = _use(ctx, tok, outer=True)
    if use is None:
        return None
    doc, ms = ctx.doc, ctx.ms
    orth, lower = scan.orth(doc), scan.lower(doc)
    j = _before_phrase(doc, use)
    if j >= 3 and scan.lemma(doc)[j] in _LEADS and lower[j - 1] == "qui" and orth[j - 2] == "," \
            and (key := _person_ending_at(doc, j - 3, ms)):
        use.kind = TitleKind.ENVOY
        use.title = "chef de délégation" if use.title.startswith("délégation") else use.title
        return _linked(ctx, use, key, rule)
    return None


@handler("led_by")
def led_by(ctx: Context, tok: Token, rule: Pattern):
    """'la délégation ukrainienne (était) conduite par (le ministre de la Défense) X'."""
    use = _use(ctx, tok, outer=True)
    if use is None or not use.title.startswith("délégation"):
        return None
    doc, ms, after = ctx.doc, ctx.ms, use.end
    orth, lower, pos = scan.orth(doc), scan.lower(doc), scan.pos(doc)
    k = after + 1 if after < len(doc) and orth[after] == "," else after
    while k < len(doc) and pos[k] == "AUX":
        k += 1
    if not (k + 1 < len(doc) and lower[k] in _LED_BY and lower[k + 1] == "par"):
        return None
    end = sent_at(doc, k).end
    for j in range(k + 2, end):
        if orth[j] in (",", "."):
            break
        if key := _person_at(ms, j):
            use.kind, use.title = TitleKind.ENVOY, "chef de délégation"
            return _linked(ctx, use, key, rule)
    return None


def _first_token(doc: Doc, i: int, ms: Mentions) -> int:
    """The first token of the mention that covers token ``i``."""
    while i > 0 and ms.by_token.get(i - 1) is ms.by_token.get(i):
        i -= 1
    return i


@handler("represented_by")
def represented_by(ctx: Context, verb: Token, rule: Pattern):
    """'Les États-Unis seront représentés par X (et Y)': the first one named represents the subject."""
    doc, ms = ctx.doc, ctx.ms
    if not (verb.morph.get("Voice", []) == ["Pass"] or any(c.dep_ == "aux:pass" for c in verb.children)):
        return None
    named: list[EntityKey | None] = []
    for c in verb.children:
        if c.dep_.startswith("nsubj"):  # a name, or a group standing for its state ("la partie ukrainienne")
            use = ctx.state["titles"].get(c.i)
            named += [ms.key_of(c)] if use is None else ([] if use.holder else use.principals)
    subjects = [s for s in named if s and ms.type_of(s) in (STATE, ORGANIZATION)]
    if not subjects or verb.i + 1 >= len(doc) or scan.lower(doc)[verb.i + 1] != "par":
        return None
    ev = evidence(doc, verb.i, rule)
    found = [Mandate(key, subjects[0], "représentant", ev)
             for key in _persons_listed(ctx, verb.i + 2, sent_at(doc, verb.i).end,
                                        first_only=bool(rule.args.get("first_only")))]
    return found or None


def _persons_listed(ctx: Context, i: int, end: int, *, first_only: bool = False) -> list[EntityKey]:
    """The persons named from token ``i`` to the end of the clause ("A, son chef de cabinet B, et C"),
    not those inside a title's complement ("le conseiller de D") nor those after "de" ("le fils de D")."""
    doc, ms = ctx.doc, ctx.ms
    orth, lower, pos = scan.orth(doc), scan.lower(doc), scan.pos(doc)
    complements = {k for u in ctx.state["titles"].values() for k in u.complement}
    found: list[EntityKey] = []
    for k in range(i, end):
        if orth[k] in (".", ";", ":") or pos[k] in ("VERB", "AUX") and k not in ms.by_token or lower[k] == "qui":
            break
        key = _person_at(ms, k)
        if key and key not in found and k not in complements and (
                lower[k - 1] not in _DE or lower[k - 2] in (",", "et")):  # "de M. A, de M. B et de Mme C"
            found.append(key)
            if first_only:
                break
    return found


def _state_of(ctx: Context, person: EntityKey) -> EntityKey | None:
    """The state a person's title phrase names ("ministre allemand de la Défense", "directeur du MAE italien")."""
    ms = ctx.ms
    for use in ctx.state["titles"].values():
        if use.holder != person:
            continue
        for k in [*use.principals, *(m.key for j in range(use.start, use.end) if (m := ms.by_token.get(j)))]:
            if ms.type_of(k) is STATE:
                return k
    return None


@handler("delegation_members")
def delegation_members(ctx: Context, tok: Token, rule: Pattern):
    """'La délégation tunisienne était composée de A, de B et de C', 'Parmi les membres de la délégation
    géorgienne figurent A, B et C': every member is an envoy of the delegation's state."""
    use = ctx.state["titles"].get(tok.i)
    if use is None or not use.title.startswith("délégation"):
        return None
    doc, ms = ctx.doc, ctx.ms
    lower, lemma, pos = scan.lower(doc), scan.lemma(doc), scan.pos(doc)
    principals = [p for p in use.principals if ms.type_of(p) in (STATE, ORGANIZATION)]
    if not principals:
        return None
    k, end = use.end, sent_at(doc, tok.i).end
    while k < end and (pos[k] == "AUX" or lower[k] in (",", "se", "s'", "également", "aussi", "notamment")):
        k += 1
    if not (k < end and lemma[k] in _MEMBER_VERBS):
        return None
    ev = evidence(doc, k, rule)
    found = [Mandate(key, principals[0], "membre de délégation", ev) for key in _persons_listed(ctx, k + 1, end)]
    return found or None


_RESPECTIVE = lexicon.words("respective_words")
_OWN_PRINCIPALS = lexicon.words("roles_own_principals")


def _own_principal(verb: Token) -> bool:
    """'représenter leurs pays respectifs', 'représente son gouvernement'."""
    for c in verb.children:
        if c.dep_ == "obj" and c.lemma_ in _OWN_PRINCIPALS and any(g.lower_ in _POSSESSIVES for g in c.children):
            return True
    return False


@handler("represent_own")
def represent_own(ctx: Context, verb: Token, rule: Pattern):
    """'A, ministre français, et B, ministre allemand, qui représentaient leurs pays respectifs': each
    person represents the state of their own title."""
    doc, ms = ctx.doc, ctx.ms
    if not _own_principal(verb):
        return None
    lower = scan.lower(doc)
    qui = next((c for c in verb.children if c.lower_ == "qui"), None)
    if qui is not None:
        start = sent_at(doc, verb.i).start
        persons = []
        for k in range(qui.i - 1, start - 1, -1):
            if lower[k] in (";", ":") or scan.orth(doc)[k] == "." and k < qui.i - 1:
                break
            if (key := _person_at(ms, k)) and key not in persons:
                persons.append(key)
        complements = {k for u in ctx.state["titles"].values() for k in u.complement}
        persons = [p for p in persons if not any(ms.by_token.get(j) and ms.by_token[j].key == p for j in complements)]
    else:
        persons = [key for c in verb.children if c.dep_ == "nsubj" and (key := _person_at(ms, c.i))]
    ev = evidence(doc, verb.i, rule)
    found = [Mandate(p, state, "représentant", ev) for p in reversed(persons) if (state := _state_of(ctx, p))]
    return found or None


@handler("represents")
def represents(ctx: Context, verb: Token, rule: Pattern):
    """'X représente la Russie', 'X, qui représente Moscou dans ces pourparlers'."""
    found = [Mandate(person, principal, "représentant", evidence(ctx.doc, verb.i, rule))
             for principal, person, _ in _represents_actively(ctx.doc, verb, ctx.ms)]
    return found or None


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


@handler("principal_from_office")
def principal_from_office(ctx: Context, tok: Token, rule: Pattern):
    """'l'Ambassadeur X' with no principal, when X holds an office of a state elsewhere in the article
    ("X, sous-secrétaire adjoint au Département d'État des États-Unis"): an envoy of that state."""
    use = ctx.state["titles"].get(tok.i - 1)
    if use is None or use.kind is not TitleKind.ENVOY or use.principals or use.holder is None or use.end != tok.i:
        return None
    ms = ctx.ms
    states = list(dict.fromkeys(p for u in ctx.state["titles"].values() if u.holder == use.holder and u is not use
                                for p in u.principals if ms.type_of(p) is STATE))
    if len(states) != 1:
        return None
    return [Mandate(use.holder, states[0], use.title, evidence(ctx.doc, use.start, rule))]

