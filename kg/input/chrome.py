"""Page chrome: the menus, bylines, tags, sharing links, dates and teasers around an article's text."""
from __future__ import annotations

import re
from functools import cache

from kg.lang import lexicon

_SHORT_LINE = 120  # chrome lines are short; longer lines are always article text


@cache
def _chrome_patterns() -> tuple[re.Pattern, re.Pattern, re.Pattern]:
    line = re.compile("|".join(f"(?:{p})" for p in lexicon.lines("chrome_lines.txt")), re.IGNORECASE)
    tail = re.compile("|".join(f"(?:{p})" for p in lexicon.lines("chrome_tail.txt")), re.IGNORECASE)
    nav = sorted(lexicon.lines("nav_words.txt"), key=len, reverse=True)
    menu = re.compile(r"(?:(?:{})(?:[\s>/|»›·•,:-]+|$|(?=[A-ZÉÈÀÂÎÔ])))+".format("|".join(map(re.escape, nav))),
                      re.IGNORECASE)
    return line, tail, menu


_BYLINE = re.compile(r"(?i:par)\s+[A-ZÉÈÀÂÎÔÛÇ][\w'’.-]*(?:\s+(?:(?:de|du|des|van|von|le|la|d'|d’)\s+)?"
                     r"[A-ZÉÈÀÂÎÔÛÇ][\w'’.-]*){0,3}(?:\s*(?:,|\||-|–|et|avec)\s*.{0,60})?")
_SOURCE = re.compile(r"^\s*source\s*:\s*(\S+)\s*$", re.IGNORECASE | re.MULTILINE)


def _is_sentence(line: str) -> bool:
    return len(line) > _SHORT_LINE or (line.endswith((".", "!", "?", "…", "»", '"')) and len(line.split()) >= 5)


def _is_tag_line(line: str) -> bool:
    """A short list of capitalised words: the tags under a headline ("Ukraine, Russie, Diplomatie")."""
    if line.startswith("#") and all(w.startswith("#") for w in line.split()):
        return True
    parts = [p.strip() for p in re.split(r"[,|·•]", line)]
    return len(parts) >= 3 and all(p and p[0].isupper() and len(p.split()) <= 3 for p in parts)


def _is_menu(line: str) -> bool:
    """A menu or breadcrumb line ("Accueil > Monde > Europe", "Accueil ActualitéUn titre")."""
    m = _chrome_patterns()[2].match(line)
    if not m:
        return False
    rest, words = line[m.end():].strip(), len(re.findall(r"\w+", line[: m.end()]))
    return not rest or words >= 2 or line.lower().startswith("accueil")


def is_source_line(line: str) -> bool:
    """A "Source : ..." line."""
    return bool(_SOURCE.match(line))


def is_chrome_line(line: str) -> bool:
    """Whether one stripped line is page chrome (menu, byline, tags, sharing, date, source...)."""
    if _SOURCE.match(line):
        return True
    if _is_sentence(line):
        return False
    line_re = _chrome_patterns()[0]
    return bool(line_re.fullmatch(line) or _BYLINE.fullmatch(line) or _is_tag_line(line) or _is_menu(line))


def chrome_flags(lines: list[str]) -> list[bool]:
    """For each stripped line, whether it is chrome; a tail heading also takes the short lines after it."""
    tail = _chrome_patterns()[1]
    flags, in_tail = [], False
    for line in lines:
        if tail.fullmatch(line) and not _is_sentence(line):
            in_tail = True
            flags.append(True)
            continue
        if in_tail and line and len(line.split()) >= 25:
            in_tail = False  # a real paragraph: the article goes on after a block of teasers
        flags.append(in_tail or is_chrome_line(line))
    return flags


def split_body(text: str) -> tuple[tuple[int, int], ...]:
    """Character ranges of the lines that are article text rather than page chrome."""
    raw_lines = text.splitlines(keepends=True)
    stripped = [ln.strip() for ln in raw_lines]
    ranges, pos = [], 0
    for line, s, chrome in zip(raw_lines, stripped, chrome_flags(stripped)):
        if s and not chrome:
            content = line.rstrip("\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")
            lead = len(content) - len(content.lstrip())
            ranges.append((pos + lead, pos + len(content.rstrip())))
        pos += len(line)
    return tuple(ranges)
