"""Entity mentions: corrected NER plus lexicons, typed as Person, State, Organization or Place.

The statistical NER of fr_core_news_md is noisy on news: government bodies come out as places,
capitals as persons, elisions as names. Lexicon matches win over the NER; capitals used as agents
("Moscou a annoncé") denote their State; nationality adjectives ("l'envoyé russe") denote the State
too but are kept as demonym mentions, not as names.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import Enum
from functools import lru_cache

from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span, Token

from kg.extract import patterns, scan
from kg.extract.patterns import Context, Pattern, Triggers, handler, run
from kg.lang import lexicon
from kg.lang.lexicon import Lexicon
from kg.lang.names import edit_distance_le1, same_first_name, same_word, split_name, translit_key
from kg.lang.names import fold as _fold
from kg.records import Entity, EntityKey, EntityType, Mention, MentionKind

# Names recur across an article and a corpus (names.fold is left uncached for long one-off texts).
fold = lru_cache(maxsize=1 << 16)(_fold)

# EntityType members as module constants: the rules compare types in their inner loops, and a module
# constant is read without the enum class's attribute lookup.
PERSON, STATE, ORGANIZATION, PLACE = EntityType.PERSON, EntityType.STATE, EntityType.ORGANIZATION, EntityType.PLACE

_DE = lexicon.words("de_forms")
_ARTICLES = lexicon.words("definite_articles")
_PARTICLE_CAPS = {"Le", "La", "De", "Du", "Van", "Von", "Di", "Da", "El", "Al"}  # "Le Bihan", "Van Dijk"
_QUALIFIERS = lexicon.words("title_qualifiers")  # "Sous-Secrétaire Adjoint X": no part of the name
_HONORIFICS = lexicon.words("honorifics")
_VOCATIVES = lexicon.words("honorific_vocatives")
_PLACE_PREPS = lexicon.words("location_preps")
_ORG_WORDS = lexicon.words("organization_head_words")
_GENERIC = lexicon.words("generic_name_words")
_NAME_PREFIX = re.compile(r"\b(?:Mac|Mc|Fitz|De|Di|Da|Du|La|Le|Van|Von)(?=[A-ZÀ-Þ][a-zà-ÿ])")  # "MacLeod", "DiMaggio"
_MEDIA_HEADS = lexicon.words("entities_media_heads")
_ARABIC_PARTICLE = re.compile(r"^(?:al|el|ad|ar|as|ash|at|az|ben|bin|ibn|abu|abou|ould)-[A-ZÀ-Þ]")  # "al-Charaa"
_INITIAL = re.compile(r"^[A-ZÀ-Þ]\.$")  # "Anna K. Kovalenko"
_NOT_A_NAME_CHAR = re.compile(r"[\d@#/:]")
_GLUED = re.compile(r"[a-zà-ÿ][A-ZÀ-Þ]")
_NOT_NAMES = lexicon.words("not_names")
_PARTICLES = lexicon.words("name_particles")


class LexiconEntry(Enum):
    """What a name the general lexicons know stands for."""

    COUNTRY = "country"  # a State, by its name or an alias
    CAPITAL = "capital"  # a capital: its State when it acts, else the place
    BODY = "body"  # an organization (of a State, when the lexicon says so)
    REGION = "region"  # a region: a place


@dataclass
class _Draft:
    type: EntityType
    names: list[str] = field(default_factory=list)
    lexicon_id: str | None = None
    part_of: EntityKey | None = None


class Mentions:
    """The entities of one Doc and the tokens that name them."""

    def __init__(self) -> None:
        self.drafts: dict[EntityKey, _Draft] = {}
        self.by_token: dict[int, Mention] = {}
        self.mentions: list[Mention] = []

    def add(self, span: Span, key: EntityKey, draft: _Draft, kind: MentionKind = MentionKind.NAME) -> None:
        known = self.drafts.setdefault(key, draft)
        text = scan.text(span)
        if kind is MentionKind.NAME and text not in known.names:
            known.names.append(text)
        m = Mention(span.start_char, span.end_char, text, key, kind)
        self.mentions.append(m)
        for i in range(span.start, span.end):
            self.by_token[i] = m

    def key_of(self, tok: Token) -> EntityKey | None:
        m = self.by_token.get(tok.i)
        return m.key if m else None

    def type_of(self, key: EntityKey) -> EntityType:
        return self.drafts[key].type

    def entities(self) -> tuple[Entity, ...]:
        out = []
        for key, d in self.drafts.items():
            names = tuple(sorted(set(d.names), key=lambda n: (-len(n.split()), -len(n), n)))
            if names:
                out.append(Entity(key, d.type, names, d.lexicon_id, d.part_of))
        return tuple(out)


def _state_key(cid: str) -> EntityKey:
    return EntityKey(STATE, cid)


def _body_key(bid: str) -> EntityKey:
    return EntityKey(ORGANIZATION, bid)


class EntityFinder:
    """Finds typed entity mentions in Docs; built once per pipeline, reused for every Doc."""

    def __init__(self, lex: Lexicon, vocab) -> None:
        self.lex = lex
        self.demonyms = lex.demonym_index()
        self.matcher = PhraseMatcher(vocab, attr="LOWER")
        self.targets: dict[str, tuple[LexiconEntry, str]] = {}  # match label -> (kind of entry, lexicon id)
        self.title_words = {t.split()[-1] for t in lex.titles}  # "ministre" of "première ministre"
        self.title_words |= {fold(w) for w in self.title_words}  # "Secretaire", "Delegue": capitals lose accents
        self.demonym_scan = scan.Words(scan.Attr.LOWER, self.demonyms)
        self.title_scan = scan.Words(scan.Attr.LOWER, self.title_words)
        self.triggers = Triggers(vocab, patterns.load("entities"))
        from spacy.lang.fr import French
        tokenizer = French().tokenizer
        for c in lex.countries.values():
            self._add(tokenizer, f"country:{c.id}", (c.name, *c.aliases), (LexiconEntry.COUNTRY, c.id))
            self._add(tokenizer, f"capital:{c.id}", c.capitals, (LexiconEntry.CAPITAL, c.id))
        for b in lex.bodies.values():
            self._add(tokenizer, f"body:{b.id}", (b.name, *b.aliases), (LexiconEntry.BODY, b.id))
        self._add(tokenizer, "region", sorted(lexicon.words("entities_regions")), (LexiconEntry.REGION, ""))

    def _add(self, tokenizer, label: str, names, target) -> None:
        if names:
            self.matcher.add(label, [tokenizer(n) for n in names])
            self.targets[label] = target

    def __call__(self, doc: Doc) -> Mentions:
        ms = Mentions()
        taken: set[int] = set()
        span: Span | None
        matches = self.matcher(doc)
        orth = scan.orth(doc)
        spans = [doc[s:e] for _, s, e in matches]
        labels = {(s, e): doc.vocab.strings[m] for m, s, e in matches}
        for span in _longest_first(spans):
            if not taken.isdisjoint(range(span.start, span.end)) or not orth[span.start][:1].isupper():
                continue
            kind, lid = self.targets[labels[(span.start, span.end)]]
            self._add_lexicon(ms, span, kind, lid)
            taken.update(range(span.start, span.end))
        persons = []
        for span in self._named_after_title(doc, taken):
            persons.append(span)
            taken.update(range(span.start, span.end))
        for ent in _merge_organization_names(doc):
            if not taken.isdisjoint(range(ent.start, ent.end)):
                continue
            if ent.label_ in ("ORG", "LOC", "MISC") and self._apposed_name(doc, ent):
                ent = Span(doc, ent.start, ent.end, label="PER")  # "le ministre finlandais, Pekka Haavisto"
            if ent.label_ == "PER" and ent.start > 0 and scan.lower(doc)[ent.start - 1] in _MEDIA_HEADS \
                    and (span := _clean_person(ent)) is not None:  # "l'agence Sana": a medium, not a person
                ms.add(span, EntityKey(ORGANIZATION, fold(scan.text(span))), _Draft(ORGANIZATION))
                ms.by_token.setdefault(ent.start - 1, ms.by_token[span.start])  # "l'agence a précisé"
                taken.update(range(span.start - 1, span.end))
            elif ent.label_ == "PER":
                span = _clean_person(_with_particle(ent, taken))
                while span is not None and (fold(scan.orth(doc)[span.start]) in self.title_words
                                            or scan.lower(doc)[span.start] in self.demonyms):
                    # "Chancelier", "Ministre Ana Costa", "le Comorien Said": a title or a nationality is no name
                    rest = span.start + 1
                    span = _clean_person(doc[rest:span.end]) if len(span) > 1 and scan.orth(doc)[rest][:1].isupper() \
                        else None
                if span is not None:
                    persons.append(span)
                    taken.update(range(span.start, span.end))
            elif ent.label_ in ("LOC", "ORG") and (span := self._add_other(ms, ent)) is not None:
                taken.update(range(span.start, span.end))
        run(self.triggers, Context(doc, ms, state={"taken": taken, "demonyms": self.demonyms, "lexicon": self.lex,
                                                   "persons": persons, "title_words": self.title_words}))
        _add_persons(ms, persons)
        lower = scan.lower(doc)
        for i in scan.indices(doc, self.demonym_scan):
            if i not in taken:
                cid = self.demonyms[lower[i]]
                state = _Draft(STATE, [self.lex.countries[cid].name], lexicon_id=cid)
                ms.add(doc[i:i + 1], _state_key(cid), state, MentionKind.DEMONYM)
        return ms

    def _named_after_title(self, doc: Doc, taken: set[int]) -> list[Span]:
        """'la Première ministre danoise Mette Lund': capitalised words right after a title are a
        person's name, whatever the NER says (it often takes a foreign first name for a place)."""
        spans: list[Span] = []
        seen: set[int] = set()
        n = len(doc)
        orth, lower, pos = scan.orth(doc), scan.lower(doc), scan.pos(doc)
        for i in scan.indices(doc, self.title_scan):
            if i in taken:
                continue
            j = i + 1
            while j < n and j - i <= 4 \
                    and (orth[j][:1].islower() or lower[j] in _QUALIFIERS or lower[j] in self.demonyms) \
                    and doc[j].is_alpha \
                    and lower[j] not in ("de", "du", "des", "d'", "pour", "à", "au", "et", "ou"):
                j += 1
            j0 = j
            j = _past_portfolio(doc, j, taken)
            while j < n and lower[j] in _QUALIFIERS:
                j += 1  # "le Secrétaire d'État Adjoint X"
            if j < n - 1 and orth[j] in _PARTICLE_CAPS and orth[j + 1][:1].isupper() and j + 1 not in taken:
                k = j + 1  # "le ministre des Affaires étrangères Le Bihan"
            else:
                k = j
            while k < n and k - j < 4 and orth[k][:1].isupper() \
                    and (doc[k].is_alpha
                         or k > j and _INITIAL.match(orth[k]) and k + 1 < n and orth[k + 1][:1].isupper()) \
                    and k not in taken \
                    and pos[k] not in ("DET", "ADP", "PUNCT", "CCONJ") and not (k > j and doc[k].is_sent_start) \
                    and lower[k] not in self.title_words and lower[k] not in _QUALIFIERS:
                k += 1
            if j > j0 and orth[j - 1][:1].isupper() and (k - j < 2 or pos[j] != "PROPN"):
                continue  # after a portfolio, only a full name: not "Affaires Étrangères" of a title-case heading
            if k > j and j not in seen and fold(scan.text_at(doc, j, k)) not in _NOT_NAMES \
                    and (span := _clean_person(_with_particle(doc[j:k], taken))) is not None:
                spans.append(span)
                seen.update(range(span.start, span.end))
        return spans

    def _add_lexicon(self, ms: Mentions, span: Span, kind: LexiconEntry, lid: str) -> None:
        if kind is LexiconEntry.BODY:
            body = self.lex.bodies[lid]
            part_of = None
            if body.state:
                part_of = _state_key(body.state)
                state = self.lex.countries[body.state]
                ms.drafts.setdefault(part_of, _Draft(STATE, [state.name], lexicon_id=body.state))
            ms.add(span, _body_key(lid), _Draft(ORGANIZATION, lexicon_id=lid, part_of=part_of))
        elif (kind is LexiconEntry.REGION or kind is LexiconEntry.CAPITAL and _is_location_use(span)
              or kind is LexiconEntry.COUNTRY and _after_place(span, ms)):
            ms.add(span, EntityKey(PLACE, fold(scan.text(span))), _Draft(PLACE))
        else:
            ms.add(span, _state_key(lid), _Draft(STATE, lexicon_id=lid))

    def _apposed_name(self, doc: Doc, ent: Span) -> bool:
        """Two or three capitalised words in apposition to a title or a nationality ("des ministres
        finlandais, Pekka Haavisto"): a person's name, whatever label the NER gave."""
        orth, lower = scan.orth(doc), scan.lower(doc)
        if not (2 <= len(ent) <= 3 and ent.start >= 2 and orth[ent.start - 1] == ","):
            return False
        before = lower[ent.start - 2]
        if before not in self.demonyms and fold(before) not in self.title_words:
            return False
        words = orth[ent.start:ent.end]
        return all(w[:1].isupper() and w.isalpha() and not w.isupper() for w in words) \
            and _ORG_WORDS.isdisjoint(lower[ent.start:ent.end]) and fold(words[0]) not in self.title_words

    def _short_form(self, ms: Mentions, word: str) -> EntityKey | None:
        """The organization of the article whose name starts with ``word``, if there is only one."""
        word = fold(word)
        found = {key for key, d in ms.drafts.items() if d.type is ORGANIZATION and d.lexicon_id
                 and any(fold(n).split()[0] == word and " " in n
                         for n in (self.lex.bodies[d.lexicon_id].name, *self.lex.bodies[d.lexicon_id].aliases))}
        return found.pop() if len(found) == 1 else None

    def _add_other(self, ms: Mentions, ent: Span) -> Span | None:
        """Add a LOC or ORG entity the lexicons do not know; returns its span, or None if it is no name."""
        span = _strip_det(ent)
        if span is not None:  # "État américain": a nationality adjective is no part of a name
            orth = scan.orth(span.doc)  # lowercase: an adjective
            cut = next((i for i in range(span.start, span.end) if orth[i] in self.demonyms), span.end)
            span = span.doc[span.start:cut] if cut > span.start else None
        text = scan.text(span) if span is not None else ""
        if span is None or not text[:1].isupper() or len(text) < 2 or fold(text) in _GENERIC:
            return None
        if fold(scan.orth(span.doc)[span.start]) in self.title_words:
            return None  # "le Ministre des Affaires étrangères X": a title, which the roles read
        if len(span) == 1 and text.lower() in self.demonyms:
            return None  # "le Comorien": a nationality, read as a demonym below
        if len(span) == 1 and (body := self._short_form(ms, text)):
            ms.add(span, body, ms.drafts[body])  # "l'Ordre" after "l'Ordre de Malte": the same body
            return span
        if len(span) == 1 and scan.pos(span.doc)[span.start] in ("VERB", "AUX", "ADJ", "ADV", "ADP", "PRON"):
            return None  # a capitalised word opening a sentence ("Interrogé par la presse, …")
        words = set(scan.lower(span.doc)[span.start:span.end])
        is_org = ent.label_ == "ORG" or bool(words & _ORG_WORDS) or text.isupper()
        etype = ORGANIZATION if is_org else PLACE
        ms.add(span, EntityKey(etype, fold(text)), _Draft(etype))
        return span


@handler("ministry")
def ministry(ctx: Context, head: Token, rule: Pattern):
    """'le ministère chinois des Affaires étrangères': an organization of the State its adjective names."""
    doc, ms, taken = ctx.doc, ctx.ms, ctx.state["taken"]
    demonyms, lex = ctx.state["demonyms"], ctx.state["lexicon"]
    orth, lower, pos = scan.orth(doc), scan.lower(doc), scan.pos(doc)
    if head.i in taken:
        return None
    i, state = head.i + 1, None
    if i < len(doc) and lower[i] in demonyms:
        state, i = demonyms[lower[i]], i + 1
    if i >= len(doc) or lower[i] not in _DE:
        return None
    i += 1
    if i < len(doc) and lower[i] in _ARTICLES:
        i += 1
    j = i
    while j < len(doc) and (orth[j][:1].isupper() or j > i and pos[j] == "ADJ" and lower[j] not in demonyms) \
            and j not in taken:
        j += 1
    if j == i:
        return None
    span = doc[head.i:j]
    part_of = None
    if state:
        part_of = _state_key(state)
        ms.drafts.setdefault(part_of, _Draft(STATE, [lex.countries[state].name], lexicon_id=state))
    key = EntityKey(ORGANIZATION, fold(scan.text(span)) + (f"@{state}" if state else ""))
    ms.add(span, key, _Draft(ORGANIZATION, part_of=part_of))
    taken.update(range(span.start, span.end))
    return []


@handler("after_honorific")
def after_honorific(ctx: Context, head: Token, rule: Pattern):
    """'M. Paul Martin', 'Mme KOWAL', 'MM. Paul Martin et Jan Kowal': the capitalised words after an
    honorific name a person, also when the NER missed them."""
    doc, taken, persons = ctx.doc, ctx.state["taken"], ctx.state["persons"]
    title_words = ctx.state["title_words"]
    orth, lower = scan.orth(doc), scan.lower(doc)
    n, i, found = len(doc), head.i + 1, []
    while i < n:
        k = i
        while k < n and k - i < 4 and k not in taken and doc[k].is_alpha and (
                orth[k][:1].isupper() or lower[k] in _PARTICLES
                and k + 1 < n and orth[k + 1][:1].isupper()) and fold(orth[k]) not in title_words \
                and fold(orth[k]) not in _VOCATIVES and not (k > i and doc[k].is_sent_start):
            k += 1
        if k == i or (span := _clean_person(doc[i:k])) is None:
            break
        found.append(span)
        if not (orth[head.i] in ("MM.", "Mmes") and k + 1 < n and lower[k] in ("et", ",")):
            break
        i = k + 1  # "MM. X et Y": both
    for span in found:
        persons.append(span)
        taken.update(range(span.start, span.end))
    return [] if found else None


def _merge_organization_names(doc: Doc) -> list[Span]:
    """NER spans, with 'Institut Français' + 'des' + 'Relations Internationales' made one organization."""
    ents, out = list(doc.ents), list[Span]()
    lower, orth = scan.lower(doc), scan.orth(doc)
    for ent in ents:
        prev = out[-1] if out else None
        if (prev is not None and prev.label_ in ("ORG", "LOC") and ent.label_ in ("ORG", "LOC", "MISC")
                and not _ORG_WORDS.isdisjoint(lower[prev.start:prev.end]) and orth[ent.start][:1].isupper()
                and all(w in ("de", "des", "du", "d'", "la", "l'") for w in lower[prev.end:ent.start])
                and ent.start - prev.end <= 2):
            out[-1] = Span(doc, prev.start, ent.end, label="ORG")
        else:
            out.append(ent)
    return out


def _longest_first(spans: list[Span]) -> list[Span]:
    return sorted(spans, key=lambda s: (-(s.end - s.start), s.start))


def _is_location_use(span: Span) -> bool:
    """'à Moscou', 'rencontres à Berlin': the city as a place, not its government."""
    return span.start > 0 and scan.lower(span.doc)[span.start - 1] in _PLACE_PREPS


def _with_particle(ent: Span, taken: set[int]) -> Span:
    """'Karl von Brenner' when the NER stopped at 'Karl' or 'Karl von': the particle and the capitalised
    word after it belong to the name."""
    doc, end = ent.doc, ent.end
    orth, lower = scan.orth(doc), scan.lower(doc)
    if lower[end - 1] in _PARTICLES and end < len(doc) and orth[end][:1].isupper() and end not in taken:
        return doc[ent.start:end + 1]
    if end + 1 < len(doc) and orth[end] in _PARTICLES and orth[end + 1][:1].isupper() \
            and doc[end + 1].is_alpha and end + 1 not in taken and not doc[end + 1].is_sent_start:
        return doc[ent.start:end + 2]
    return ent


def _past_portfolio(doc: Doc, j: int, taken: set[int]) -> int:
    """The token after a title's complements: "de l'Union des Comores", "des Affaires étrangères (et des
    émigrés)" ("le ministre des Affaires étrangères X" names X after its portfolio)."""
    orth, lower = scan.orth(doc), scan.lower(doc)
    n = len(doc)
    for _ in range(3):
        k = j + 1 if j < n and lower[j] == "et" else j
        if not (k < n and lower[k] in _DE):
            break
        k += 1
        if k < n and lower[k] in _ARTICLES:
            k += 1
        if k < n and k in taken:
            while k < n and k in taken:
                k += 1
        elif k < n - 1 and orth[k][:1].isupper() and doc[k].is_alpha and (
                scan.pos(doc)[k + 1] == "ADJ" and orth[k + 1][:1].islower() or orth[k + 1][:1].isupper()):
            k += 1  # a capitalised portfolio word and its lowercase adjectives
        elif k < n and orth[k][:1].islower() and doc[k].is_alpha and lower[j] == "et":
            k += 1  # "et des émigrés"
        else:
            break
        while k < n and orth[k][:1].islower() and scan.pos(doc)[k] == "ADJ":
            k += 1  # "étrangères", "européennes"
        j = k
    return j


def _after_place(span: Span, ms: Mentions) -> bool:
    """'à Luanda (Angola)', 'à Moroni, Comores,': a country that only says where a place is."""
    doc, i = span.doc, span.start - 2
    if i < 0 or scan.orth(doc)[span.start - 1] not in ("(", ","):
        return False
    m = ms.by_token.get(i)
    if m is not None:
        return ms.type_of(m.key) is PLACE
    return doc[i].ent_type_ == "LOC" and i > 0 and scan.lower(doc)[i - 1] in _PLACE_PREPS


def _strip_det(span: Span) -> Span | None:
    start, end = span.start, span.end
    pos = scan.pos(span.doc)
    while start < end and pos[start] in ("DET", "ADP", "PUNCT"):
        start += 1
    while end > start and pos[end - 1] == "PUNCT":
        end -= 1
    return span.doc[start:end] if start < end else None


def _clean_person(ent: Span) -> Span | None:
    """The name part of a PER span, or None when it is not a plausible person name."""
    doc, start, end = ent.doc, ent.start, ent.end
    orth, lower, pos = scan.orth(doc), scan.lower(doc), scan.pos(doc)
    while start < end and (lower[start] in _HONORIFICS or fold(orth[start]) in _VOCATIVES
                           or not orth[start][:1].isupper() or pos[start] in ("DET", "ADP", "PUNCT")):
        if orth[start] in _PARTICLE_CAPS and start + 1 < end and orth[start + 1][:1].isupper() \
                and fold(orth[start + 1]) not in _GENERIC and fold(orth[start + 1]) not in _VOCATIVES:
            break  # "Le Bihan", "Van Dijk": the particle is part of the surname
        start += 1
    while end > start and (pos[end - 1] == "PUNCT" or not orth[end - 1][:1].isalpha()):
        end -= 1
    if start >= end:
        return None
    span = doc[start:end]
    text = scan.text(span)
    if _NOT_A_NAME_CHAR.search(text) or "'" in text or len(text) < 3:
        return None
    words = text.split()
    if any(not w[:1].isupper() and w.lower() not in _PARTICLES
           and not _ARABIC_PARTICLE.match(w) for w in words):
        return None
    if _GLUED.search(_NAME_PREFIX.sub("", text)):  # glued words of page chrome: "ActualitéSidorenko" (not "MacLeod")
        return None
    if fold(text) in _NOT_NAMES or len(words) > 5 or len(words) == 1 and fold(text) in _GENERIC | {"affaires"}:
        return None
    return span


def _add_persons(ms: Mentions, spans: list[Span]) -> None:
    """Give the person mentions of one article their keys: surnames alone join the full name."""
    clusters: list[tuple[EntityKey, tuple[str, ...], str]] = []  # (key, first names, surname)

    def find(first: tuple[str, ...], surname: str) -> EntityKey | None:
        core = _core(surname)
        hits = [k for k, f, s in clusters
                if same_word(_core(s), core) and (not first or not f or same_first_name(f[0], first[0]))]
        if hits or first:
            return hits[-1] if hits else None
        # One word alone that no surname matches: the given name of the only person called so
        # ("Klaus" for "Klaus Weber"), or a spelling of one surname ("Petersen" / "Peterson").
        hits = list(dict.fromkeys(k for k, f, s in clusters if f and same_word(f[0], core)))
        if not hits:
            key = translit_key(core)
            hits = list(dict.fromkeys(k for k, f, s in clusters if f and len(key) >= 6
                                      and edit_distance_le1(translit_key(_core(s)), key)))
        return hits[0] if len(hits) == 1 else None

    names = {s.start: split_name(scan.text(s)) for s in spans}
    ordered = sorted(spans, key=lambda s: (0 if names[s.start][0] else 1, s.start))
    keys: dict[int, EntityKey] = {}
    for span in ordered:
        first, surname = names[span.start]
        key = find(first, surname)
        if key is None:
            key = EntityKey(PERSON, str(len(clusters) + 1))
            clusters.append((key, first, surname))
        keys[span.start] = key
    for span in sorted(spans, key=lambda s: s.start):
        ms.add(span, keys[span.start], _Draft(PERSON))
        h = span.start - 1  # "M. Martin a eu un entretien": the honorific stands for the person too
        if h >= 0 and h not in ms.by_token and scan.lower(span.doc)[h] in _HONORIFICS and span.doc[h].is_title:
            ms.by_token[h] = ms.by_token[span.start]


def _core(surname: str) -> str:
    """A surname without its particles: "Brenner" of "von Brenner"."""
    return surname.split()[-1] if surname else surname
