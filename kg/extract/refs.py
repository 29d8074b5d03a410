"""What a noun phrase refers to: a name, a title phrase's holder, a role description or a pronoun.

French news names a person once and then says "il", "le président ukrainien" or "l'envoyé spécial
de Paul Martin". No French coreference model can be installed here, so this module resolves those
with rules: pronouns go to the most salient person before them (the subject of the latest clause
that has a person subject), role descriptions to the person holding that title in the article.
"""
from __future__ import annotations

from itertools import islice

from spacy.tokens import Doc, Token

from kg.extract import scan
from kg.extract.entities import PERSON, Mentions
from kg.extract.sents import sent_of, sents_up_to
from kg.extract.sources import source_phrases
from kg.extract.titles import TitleKind, TitleUse
from kg.lang import lexicon
from kg.lang.names import fold
from kg.records import EntityKey

PRONOUNS = lexicon.words("third_person_pronouns")
_FEMININE = lexicon.words("feminine_pronouns")
_EXCLUDED_DEPS = {"acl:relcl", "advcl", "parataxis"}


class Referents:
    """Resolves tokens of one Doc to entity keys."""

    def __init__(self, doc: Doc, ms: Mentions, uses: list[TitleUse]) -> None:
        self.doc, self.ms = doc, ms
        self.title_at = {i: u for u in uses for i in range(u.start, u.end)}
        self.title_head = {i: u for u in uses for i in range(u.start, u.start + 1)}
        self.complement = {i for u in uses for i in u.complement}
        self.internal = {i for u in uses for i in range(u.start + 1, u.end)} - self.complement
        self.sources = source_phrases(doc)
        self.holders_by_title: dict[tuple[str, tuple[EntityKey, ...]], list[tuple[int, EntityKey]]] = {}
        for u in uses:
            if u.holder:  # under its office class and under its head word ("le secrétaire" = "le secrétaire d'État")
                for base in dict.fromkeys((_exact_of(u), _base_of(u), _head_base(u))):
                    self.holders_by_title.setdefault((base, tuple(sorted(u.principals))), []).append(
                        (u.start, u.holder))
        self.feminine = {u.holder for u in uses if u.holder and _is_feminine(doc, u)}

    def of(self, tok: Token, *, indirect: list | None = None, unnamed_as_group: bool = True) -> list[EntityKey]:
        """Keys the phrase headed by ``tok`` refers to; ``indirect`` collects keys found by inference."""
        m = self.ms.by_token.get(tok.i)
        if m is not None:
            return [m.key]
        use = self.title_head.get(tok.i) or self.title_at.get(tok.i)
        if use is not None:
            return self._of_title(use, indirect, unnamed_as_group)
        lower = scan.lower(tok.doc)
        if lower[tok.i] in ("dernier", "dernière") and tok.i > 0 and lower[tok.i - 1] in ("ce", "cette"):
            key = self.latest_person(tok)  # "ce dernier": the person named last, whatever their role
            if key and indirect is not None:
                indirect.append(key)
            return [key] if key else []
        if lower[tok.i] in PRONOUNS:
            key = self.pronoun(tok)
            if key and indirect is not None:
                indirect.append(key)
            return [key] if key else []
        return []

    def _of_title(self, use: TitleUse, indirect: list | None, unnamed_as_group: bool) -> list[EntityKey]:
        if use.holder:
            return [use.holder]
        if use.kind in (TitleKind.ENVOY, TitleKind.POSITION) and not use.plural:
            key = self.description(use)
            if key:
                if indirect is not None:
                    indirect.append(key)
                return [key]
        if use.plural and use.kind in (TitleKind.ENVOY, TitleKind.POSITION, TitleKind.GROUP) \
                and (keys := self.plural_description(use)):
            if indirect is not None:
                indirect.extend(keys)
            return keys
        # Plural, or (when asked) an unnamed person: the state or organization they act for.
        if not (use.plural or use.kind is TitleKind.GROUP or unnamed_as_group):
            return []
        return [p for p in use.principals if self.ms.type_of(p) is not PERSON]

    def description(self, use: TitleUse) -> EntityKey | None:
        """The person an article calls 'le président ukrainien': the holder of that title seen in it
        (the same words first: "le secrétaire d'État" is the secrétaire d'État named, not another
        foreign minister; then the same office in other words)."""
        principals = tuple(sorted(use.principals))
        for base in dict.fromkeys((_exact_of(use), _base_of(use))):
            found = self.holders_by_title.get((base, principals), [])
            if not found and principals:
                # "le nouveau président français" and "X, président de la République": a holder of that
                # office named with no principal, when there is only one
                found = self.holders_by_title.get((base, ()), [])
                if len({k for _, k in found}) != 1:
                    continue
            if not found:
                found = [h for (t, _), hs in self.holders_by_title.items() if t == base for h in hs]
            before = [h for h in found if h[0] < use.start]
            pick = max(before) if before else (min(found) if found else None)
            holders = {k for _, k in found}
            if pick and (len(holders) == 1 or before):
                return pick[1]
        return None

    def plural_description(self, use: TitleUse) -> list[EntityKey]:
        """The persons an article calls 'les émissaires américains' or 'les envoyés de l'ONU': the holders
        of that title (with those principals) named before, when there are two to four of them."""
        principals = tuple(sorted(use.principals))
        singular = _singular(use)
        if singular is None or not principals and singular != "envoy":
            return []
        found = [h for (t, p), hs in self.holders_by_title.items()
                 if t == singular and (p == principals or not principals) for h in hs]
        keys = list(dict.fromkeys(k for i, k in sorted(found) if i < use.start))
        return keys if 2 <= len(keys) <= 4 else []

    def pronoun(self, tok: Token) -> EntityKey | None:
        """The most salient person before a third-person pronoun."""
        feminine = tok.lower_ in _FEMININE
        sent = sent_of(tok)
        sents = sents_up_to(tok, 3)
        candidates: list[tuple[int, int, EntityKey]] = []
        for s in sents:
            for i in range(s.start, min(s.end, tok.i)):
                key = self._person(i)
                if key is None or i in self.complement or (feminine and self.feminine and key not in self.feminine):
                    continue
                t = self.doc[i]
                subject = (any(a.dep_.startswith("nsubj") for a in [t, *islice(t.ancestors, 3)])
                           and i not in self.complement)
                candidates.append((1 if subject else 0, i, key))
        if not candidates:
            return None
        current = [c for c in candidates if c[1] >= sent.start]
        previous_subjects = [c for c in candidates if c[0] == 1]
        pool = previous_subjects or current or candidates
        return max(pool, key=lambda c: c[1])[2]

    def _listed_with(self, tok: Token) -> list[Token]:
        """The names listed with a name, whatever the parser made of the list:
        'Paul Martin, Klaus Weber et Jan Kowal ont reçu …' (first token of each name)."""
        m = self.ms.by_token.get(tok.i)
        if m is None or self.ms.type_of(m.key) is not PERSON:
            return []
        doc, found = self.doc, []
        orth, lower = scan.orth(doc), scan.lower(doc)
        first = next(i for i in range(max(0, tok.i - 8), tok.i + 1) if self.ms.by_token.get(i) is m)
        i = first  # leftwards over ", NAME"
        while i >= 2 and orth[i - 1] == "," and (p := self.ms.by_token.get(i - 2)) is not None \
                and self.ms.type_of(p.key) is PERSON:
            i = next((k for k in range(max(0, i - 9), i - 1) if self.ms.by_token.get(k) is p), i - 2)
            if i in self.complement:  # "l'émissaire de Paul Martin, John Carter": a principal, not a list
                break
            found.append(doc[i])
        j = first  # rightwards over ", NAME" and "et NAME"
        while j < len(doc) and self.ms.by_token.get(j) is self.ms.by_token.get(first):
            j += 1
        while j + 1 < len(doc) and lower[j] in (",", "et") and (p := self.ms.by_token.get(j + 1)) is not None \
                and self.ms.type_of(p.key) is PERSON:
            found.append(doc[j + 1])
            j += 1
            while j < len(doc) and self.ms.by_token.get(j) is p:
                j += 1
        if not found:
            return []
        lo = min(first, *(t.i for t in found))
        hi = max(first, *(t.i for t in found))
        opens = lo == sent_of(doc[lo]).start or orth[lo - 1] == ","
        # a real list starts the clause and ends with "et": not "Après sa rencontre avec X, Y a déclaré"
        if not opens or "et" not in lower[lo:hi]:
            return []
        return sorted(found, key=lambda t: t.i)

    def latest_person(self, tok: Token) -> EntityKey | None:
        """The last person named before ``tok`` in its sentence or the two before it."""
        for s in reversed(sents_up_to(tok, 3)):
            for i in range(min(s.end, tok.i - 1) - 1, s.start - 1, -1):
                if i not in self.complement and (key := self._person(i)):
                    return key
        return None

    def _person(self, i: int) -> EntityKey | None:
        """The person named or described at token ``i``."""
        m = self.ms.by_token.get(i)
        if m is not None and self.ms.type_of(m.key) is PERSON:
            return m.key
        use = self.title_head.get(i)
        if use is None or use.kind not in (TitleKind.ENVOY, TitleKind.POSITION):
            return None
        return use.holder or (None if use.plural else self.description(use))

    def group(self, tok: Token, *, indirect: list | None = None, unnamed_as_group: bool = True) -> list[EntityKey]:
        """Keys of a phrase and of the phrases coordinated with it ("X et Y", "X, Y ainsi que Z")."""
        keys = []
        for t in sorted({tok, *self._listed_with(tok), *_conjuncts(tok)}, key=lambda t: t.i):
            if t.i in self.sources:
                continue
            for k in self.of(t, indirect=indirect, unnamed_as_group=unnamed_as_group):
                if k not in keys:
                    keys.append(k)
        return keys


_IMPERSONAL_VERBS = lexicon.words("impersonal_verbs")


_SUBJECT_DEPS = ("nsubj", "nsubj:pass", "expl:subj")
_SUBJECTS = "kg.subjects"


def subjects_of(verb: Token) -> list[Token]:
    """The subjects of a verb, also when the parser hung them on its auxiliary ("X a quant à lui reçu …")."""
    memo = verb.doc.user_data.setdefault(_SUBJECTS, {})  # the rules of a Doc ask for the same verbs
    found = memo.get(verb.i)
    if found is None:
        found = [c for c in verb.children if c.dep_ in _SUBJECT_DEPS]
        if not found:
            found = [c for aux in verb.children if aux.dep_.startswith("aux") for c in aux.children
                     if c.dep_ in _SUBJECT_DEPS]
        found = memo[verb.i] = tuple(found)
    return list(found)


def is_impersonal(subj: Token) -> bool:
    """'il y a', 'il faut', 'il est nécessaire': an 'il' that names nobody (the parser also calls many
    referential subjects expletive, so the verb decides)."""
    if subj.dep_ != "expl:subj":
        return False
    verb = subj.head
    return verb.lemma_ in _IMPERSONAL_VERBS or any(c.lower_ == "y" for c in verb.children)


def _conjuncts(tok: Token) -> list[Token]:
    out, todo = [], [tok]
    while todo:
        t = todo.pop()
        for c in t.children:
            if c.dep_ == "conj" and c not in out:
                out.append(c)
                todo.append(c)
    return sorted(out, key=lambda t: t.i)


# Office classes: titles that name one office in different words (roles_title_classes.tsv).
_CLASSES = {fold(row[0]): row[1].strip() for row in lexicon.rows("roles_title_classes.tsv")}


def _base_of(use: TitleUse) -> str:
    """What a title says of its holder: every envoy title is one role ("envoyé" = "émissaire"), and so is
    every head of state ("le dirigeant russe" = "le président russe") and every foreign minister ("le chef
    de la diplomatie" = "le ministre des Affaires étrangères")."""
    if use.kind is TitleKind.ENVOY:
        return "envoy"
    title = fold(use.title)  # the whole title, or a one-word class its head names ("président de la Chine")
    return _CLASSES.get(title) or _CLASSES.get(title.split()[0]) or _base(use.title.split()[0])


_TITLES = {title: TitleKind(kind) for title, kind in lexicon.load().titles.items()}


def _singular(use: TitleUse) -> str | None:
    """The office class of a plural title ("les émissaires", "les présidents"), None for a plural that
    is no title ("les diplomates")."""
    words = use.title.split()
    head = words[0][:-1] if words[0].endswith(("s", "x")) else words[0]
    kind = _TITLES.get(" ".join([head, *words[1:]])) or _TITLES.get(head)
    if kind is None:
        return None
    if kind is TitleKind.ENVOY:
        return "envoy"
    return _CLASSES.get(fold(head)) or _base(head)


def _exact_of(use: TitleUse) -> str:
    """A title word for word (accents and case folded)."""
    return "=" + fold(use.title)


def _head_base(use: TitleUse) -> str:
    """The base of a title's head word alone: "secrétaire" of "secrétaire d'État"."""
    return "envoy" if use.kind is TitleKind.ENVOY else _base(use.title.split()[0])


def _base(title: str) -> str:
    title = fold(title)
    for suffix in ("e", "s"):
        if title.endswith(suffix) and len(title) > 4:
            title = title[: -len(suffix)]
    return title.replace("trice", "teur")


def _is_feminine(doc: Doc, use: TitleUse) -> bool:
    det = scan.lower(doc)[use.start - 1] if use.start > 0 else ""
    return det in {"la", "une", "cette", "sa"} or use.title.endswith(("trice", "ée", "ère", "ne", "sse"))
