"""Transcripts: who speaks in interviews, speeches and press conferences, and whom the speaker met."""
from kg.extract.transcripts import fold
from kg.records import Statement

TURN_RULES = {"transcript.answer.v1", "transcript.speaker-label.v1", "transcript.section.v1",
              "transcript.monologue.v1"}

INTERVIEW = (
    "Interview de M. Paul Martin, ministre des affaires étrangères, à Radio Nord, le 3 mars 2024, sur la Pologne.\n"
    "Média : Radio Nord\n"
    "Q - Vous revenez de Varsovie. Les relations avec la Pologne se sont dégradées.\n"
    "Pensez-vous que la crise est terminée ?\n"
    "R - La crise n'est pas terminée, mais le dialogue a repris.\n"
    "J'ai rencontré le président Jan Kowal à Varsovie.\n"
    "Q - Vous avez dit que la Pologne était un partenaire difficile.\n"
    "R -Evidemment, la Pologne reste un partenaire essentiel pour la France.\n"
)


def _said_by(r, speaker):
    return {c for s, c in r.statements() if s == speaker}


def test_transcripts_answers_are_the_guests(run):
    r = run(INTERVIEW)
    said = _said_by(r, "Paul Martin")
    assert "La crise n'est pas terminée, mais le dialogue a repris" in said
    assert "Evidemment, la Pologne reste un partenaire essentiel pour la France" in said


def test_transcripts_questions_are_nobodys(run):
    r = run(INTERVIEW)
    contents = {c for _, c in r.statements()}
    assert not any("dégradées" in c or "partenaire difficile" in c or "terminée ?" in c for c in contents)
    assert all("Média" not in c for c in contents)


def test_transcripts_first_person_meeting_in_an_answer(run):
    r = run(INTERVIEW)
    assert frozenset({"Paul Martin", "Jan Kowal"}) in r.meetings()


LABELS = (
    "Interview sur Radio Nord en direct de Varsovie\n"
    "Le texte de l'interview donnée par le président Paul Martin à Radio Nord le 3 mars 2024.\n"
    "Varsovie, mardi 3 mars 2024\n"
    "Jan KOWAL : Bonjour. Vous recevez ce matin le chef de l'État. Le sommet a échoué, dit-on.\n"
    "LE PRESIDENT : Bonjour Jan KOWAL.\n"
    "Jan KOWAL : La paix est-elle possible ?\n"
    "LE PRESIDENT : Je crois que la paix est possible.\n"
    "Nous travaillons avec tous nos partenaires.\n"
)


def test_transcripts_role_label_is_the_guest_and_journalists_say_nothing(run):
    r = run(LABELS)
    said = _said_by(r, "Paul Martin")
    assert "Je crois que la paix est possible" in said
    assert "Nous travaillons avec tous nos partenaires" in said  # an unlabelled line continues the turn
    assert not any("Bonjour" in c for c in said)  # a greeting claims nothing
    assert not {c for s, c in r.statements() if s == "Jan KOWAL"}
    assert not any("sommet" in c for _, c in r.statements())
    assert not any("Le texte de l'interview" in c for _, c in r.statements())


JOINT = (
    "Le secrétaire d'État Paul Martin et le ministre des affaires étrangères allemand Klaus Weber avant leur entretien\n"
    "SECRÉTAIRE D'ÉTAT MARTIN: Bonjour à tous. Nous sommes très heureux de travailler avec l'Allemagne.\n"
    "Nous discuterons aussi de l'Ukraine.\n"
    "MINISTRE WEBER: Merci beaucoup. L'Allemagne soutient pleinement cette initiative.\n"
)


def test_transcripts_each_label_is_its_speakers_turn(run):
    r = run(JOINT)
    assert "Nous sommes très heureux de travailler avec l'Allemagne" in _said_by(r, "Paul Martin")
    assert "Nous discuterons aussi de l'Ukraine" in _said_by(r, "Paul Martin")
    assert "L'Allemagne soutient pleinement cette initiative" in _said_by(r, "Klaus Weber")
    assert not any("Allemagne soutient" in c for c in _said_by(r, "Paul Martin"))


def test_transcripts_heading_before_their_meeting_is_a_meeting(run):
    r = run(JOINT)
    assert frozenset({"Paul Martin", "Klaus Weber"}) in r.meetings()


CONFERENCE = (
    "Conférence de presse conjointe de Paul Martin et Klaus Weber (Paris, 2 mars 2024)\n"
    "Klaus Weber, ministre allemand des affaires étrangères, s'est rendu à Paris pour rencontrer son homologue.\n"
    "- Propos de Paul Martin -\n"
    "Mesdames et Messieurs,\n"
    "Avec Jan Kowal, le secrétaire général, et beaucoup de nos amis, nous recevons avec plaisir le ministre "
    "allemand Klaus Weber.\n"
    "C'est la première visite de notre collègue en France.\n"
)


def test_transcripts_section_marker_gives_the_lines_after_it(run):
    r = run(CONFERENCE)
    said = _said_by(r, "Paul Martin")
    assert "C'est la première visite de notre collègue en France" in said
    # the narrative line before the marker is nobody's, the greeting claims nothing
    assert not any("s'est rendu à Paris" in c for _, c in r.statements() if _ == "Paul Martin")
    assert not any(c.startswith("Mesdames") for c in said)


def test_transcripts_joint_conference_and_hosts_meetings(run):
    r = run(CONFERENCE)
    meetings = r.meetings()
    assert frozenset({"Paul Martin", "Klaus Weber"}) in meetings
    assert frozenset({"Jan Kowal", "Klaus Weber"}) in meetings  # "Avec X, …, nous recevons Y"


def test_transcripts_monologue_speaker_is_not_the_addressee(run):
    r = run("Conférence de presse conjointe de M. Paul Martin, ministre des affaires étrangères, et de "
            "M. Klaus Weber, ministre allemand des affaires étrangères, Paris le 2 avril 2024.\n"
            "Bonjour à toutes et à tous,\n"
            "Cher Klaus, je suis très heureux de te recevoir ici à Paris. La France est attachée à notre amitié.\n")
    assert "La France est attachée à notre amitié" in _said_by(r, "Paul Martin")
    assert not _said_by(r, "Klaus Weber")


def test_transcripts_statement_already_found_is_not_repeated(run):
    r = run("Déclaration de M. Paul Martin, ministre des affaires étrangères, Varsovie le 3 mars 2024.\n"
            "Circonstance : Voyage de Paul Martin en Pologne\n"
            "Je dirai que la Pologne est un partenaire essentiel.\n"
            "Le président Jan Kowal a affirmé que la Pologne restait prête au dialogue.\n")
    by_sentence = {}
    for s in r.of(Statement):
        by_sentence.setdefault((s.speaker, s.evidence.start), []).append(s)
    assert all(len(v) == 1 for v in by_sentence.values())
    assert ("Jan Kowal", "la Pologne restait prête au dialogue") in r.statements()


def test_transcripts_news_article_is_no_transcript(run):
    r = run("Entretien de Paul Martin avec son homologue allemand\n"
            "Paul Martin a reçu son homologue allemand Klaus Weber. Nous sommes prêts, a-t-il dit.\n"
            "Les deux ministres ont évoqué la situation en Ukraine.\n")
    assert not [s for s in r.of(Statement) if s.evidence.rule in TURN_RULES]


def test_transcripts_fold_matches_capitals_to_names():
    assert fold("SECRÉTAIRE D'ÉTAT") == fold("secrétaire d'etat") == "secretaire d'etat"


def test_transcripts_meeting_readout_under_entretien_is_nobodys_speech(run):
    r = run("Entretien téléphonique du président Paul Martin avec M. Klaus Weber\n"
            "Le président Paul Martin s'est entretenu ce jour avec le chancelier Klaus Weber.\n"
            "Il a rappelé notre engagement commun et nous a assuré de son soutien.\n")
    assert not [s for s in r.of(Statement) if s.evidence.rule in TURN_RULES]


def test_transcripts_news_story_under_a_speech_headline_is_nobodys_speech(run):
    r = run("Discours de Paul Martin à l'Assemblée générale des Nations unies\n"
            "Le président Paul Martin a pris la parole mardi devant l'Assemblée générale.\n"
            "Il a longuement évoqué la situation au Sahel. Les délégués ont applaudi son intervention.\n")
    assert not [s for s in r.of(Statement) if s.evidence.rule in TURN_RULES]


def test_transcripts_plural_title_after_a_meeting_is_its_participants(run):
    r = run("Paul Martin, ministre des affaires étrangères, a reçu lundi son homologue allemand, Klaus Weber.\n"
            "Les ministres ont rappelé leur attachement au traité de coopération.\n")
    assert ("Paul Martin", "leur attachement au traité de coopération") in r.statements()
    assert ("Klaus Weber", "leur attachement au traité de coopération") in r.statements()
