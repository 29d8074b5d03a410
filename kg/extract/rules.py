"""Every extraction rule that can reach provenance, with its versioned name and base confidence.

A rule's name changes version whenever its behaviour changes, so facts in old graphs stay traceable.
"""
from __future__ import annotations

from enum import Enum


class Rule(Enum):
    # envoys and positions
    TITLE_BEFORE_NAME = ("role.title-before-name.v1", 0.85)  # l'envoyé spécial américain X
    TITLE_APPOSITION = ("role.title-apposition.v1", 0.8)  # X, émissaire du Kremlin / l'émissaire de Y, X
    DELEGATION_LED_BY = ("role.delegation-led-by.v1", 0.8)  # la délégation ukrainienne conduite par X
    REPRESENTED_BY = ("role.represented-by.v1", 0.75)  # les États-Unis seront représentés par X
    # meetings
    MEETING_VERB = ("meeting.verb.v1", 0.75)  # X a rencontré Y / X et Y se sont entretenus
    MEETING_NOUN = ("meeting.noun.v1", 0.65)  # des entretiens avec Y / une rencontre entre X et Y
    # statements
    REPORTING_VERB = ("statement.reporting-verb.v1", 0.8)  # X a affirmé que … / X a qualifié de « … »
    QUOTE_INCISE = ("statement.quote-incise.v1", 0.85)  # « … », souligne-t-elle
    INVERTED_SPEAKER = ("statement.inverted-speaker.v1", 0.75)  # …, a précisé Dmitri Peskov.
    ACCORDING_TO = ("statement.according-to.v1", 0.7)  # selon X, … / d'après X, …
    ORPHAN_QUOTE = ("statement.orphan-quote.v1", 0.55)  # « … » in a sentence whose subject is a person

    @property
    def id(self) -> str:
        return self.value[0]

    @property
    def confidence(self) -> float:
        return self.value[1]


# Lower confidence when the agent was found through a pronoun or a role description.
INDIRECT_REFERENCE_FACTOR = 0.85
