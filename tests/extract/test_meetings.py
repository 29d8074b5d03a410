"""Meetings: verbs and nouns, coordinated participants, planned and denied meetings."""
from kg.records import Meeting


def test_meetings_verb_with_place(run):
    r = run("John Carter a rencontré Piotr Sidorenko à Genève.")
    assert r.meetings(planned=False) == {frozenset({"John Carter", "Piotr Sidorenko"})}
    meeting = r.of(Meeting)[0]
    assert r.name(meeting.place) == "Genève"


def test_meetings_coordinated_participants_and_representatives_of_states(run):
    r = run("John Carter et Marc Lefèvre ont rencontré un négociateur ukrainien, Anna Kovalenko, "
            "ainsi que des représentants de la France et de l'Allemagne.")
    held = r.meetings(planned=False)
    for a in ("John Carter", "Marc Lefèvre"):
        for b in ("Anna Kovalenko", "France", "Allemagne"):
            assert frozenset({a, b}) in held
    assert frozenset({"John Carter", "Marc Lefèvre"}) not in held


def test_meetings_future_meeting_is_planned(run):
    r = run("Genève accueillera samedi une rencontre entre des représentants américains et russes.")
    assert r.meetings(planned=True) == {frozenset({"États-Unis", "Russie"})}
    assert not r.meetings(planned=False)


def test_meetings_reciprocal_verb(run):
    r = run("Rappelons que le sommet, où s'étaient entretenus le président américain John Carter "
            "et le président russe Piotr Sidorenko, avait déçu.")
    assert frozenset({"John Carter", "Piotr Sidorenko"}) in r.meetings()


def test_meetings_denied_meeting_is_not_a_meeting(run):
    r = run("Moscou a démenti toute préparation de négociations entre Piotr Sidorenko et John Carter.")
    assert not r.meetings()


def test_meetings_topic_is_not_a_participant(run):
    r = run("John Carter a rencontré Piotr Sidorenko pour discuter de la Syrie.")
    assert r.meetings() == {frozenset({"John Carter", "Piotr Sidorenko"})}


def test_meetings_talks_held_with_a_delegation(run):
    r = run("Piotr Sidorenko a tenu une série de réunions avec une délégation américaine "
            "se composant de John Carter et de Marc Lefèvre.")
    held = r.meetings(planned=False)
    assert frozenset({"Piotr Sidorenko", "John Carter"}) in held
    assert frozenset({"Piotr Sidorenko", "Marc Lefèvre"}) in held


def test_meetings_counterpart_in_apposition_and_nationality_adjective_is_not_a_participant(run):
    r = run("Le ministre turc des Affaires étrangères, Hakan Demir, a reçu à Ankara son homologue iranien, Ali Rezaei.")
    assert r.meetings() == {frozenset({"Hakan Demir", "Ali Rezaei"})}


def test_meetings_date_from_the_sentence(run):
    r = run("Le 12 mars 2025, le chancelier allemand Klaus Weber s'est entretenu avec le président français Paul Martin.")
    (meeting,) = r.of(Meeting)
    assert meeting.date == "2025-03-12"
    assert {r.name(k) for k in meeting.participants} == {"Klaus Weber", "Paul Martin"}


def test_meetings_talks_in_a_reduced_relative_have_no_agent(run):
    r = run("Anna Kovalenko a évoqué un plan remanié après consultations avec la Pologne.")
    assert not r.meetings()


def test_meetings_conditional_is_planned_and_unnamed_president_stands_for_the_state(run):
    r = run("L'Élysée a annoncé que le président français rencontrerait Wei Zhang la semaine prochaine.")
    assert r.meetings(planned=True) == {frozenset({"France", "Wei Zhang"})}


def test_meetings_pronoun_subject_and_impersonal_il(run):
    r = run("Le vice-président américain James Porter se rendra à Varsovie, où il s'entretiendra avec le "
            "Premier ministre polonais, Jan Kowal. Il y a eu des consultations avec la Lituanie.")
    assert r.meetings() == {frozenset({"James Porter", "Jan Kowal"})}
    assert r.meetings(planned=True) == r.meetings()


def test_meetings_received_at_a_seat_of_government_which_is_where_not_who(run):
    r = run("Le Premier ministre polonais Jan Kowal a été reçu à l'Élysée par le président français Paul Martin.")
    assert r.meetings() == {frozenset({"Jan Kowal", "Paul Martin"})}


def test_meetings_future_by_its_ending(run):
    r = run("Oleg Marchenko s'entretiendra mardi avec l'envoyé spécial américain, Mark Tanner.")
    assert r.meetings(planned=True) == {frozenset({"Oleg Marchenko", "Mark Tanner"})}


def test_meetings_se_retrouver_but_not_retrouver(run):
    r = run("Les négociateurs russes et ukrainiens se sont retrouvés à Istanbul sous l'égide de la Turquie.")
    assert r.meetings(planned=False) == {frozenset({"Russie", "Ukraine"})}
    r = run("Anna Kovalenko a retrouvé Piotr Sidorenko dans les archives de la presse.")
    assert not r.meetings()


def test_meetings_receiving_support_from_a_state_is_no_meeting(run):
    r = run("Taras Bondarenko a reçu le soutien de Washington et une lettre du président Paul Martin.")
    assert not r.meetings()


def test_meetings_delegations_meeting_each_other(run):
    r = run("Les délégations américaine et ukrainienne se sont réunies dimanche à Genève pour discuter d'un plan.")
    assert r.meetings(planned=False) == {frozenset({"États-Unis", "Ukraine"})}


def test_meetings_list_of_hosts_before_the_verb(run):
    r = run("Paul Martin, Klaus Weber et Jan Kowal ont reçu lundi à Londres Taras Bondarenko.")
    assert r.meetings() == {frozenset({host, "Taras Bondarenko"}) for host in ("Paul Martin", "Klaus Weber", "Jan Kowal")}


def test_meetings_principal_before_an_apposed_name_is_not_listed(run):
    r = run("L'émissaire spécial de Paul Martin, Mark Tanner, a rencontré Piotr Sidorenko à Genève.")
    assert r.meetings() == {frozenset({"Mark Tanner", "Piotr Sidorenko"})}


def test_meetings_counterparts_of_several_states_are_their_office_holders_else_the_states(run):
    r = run("Le ministre espagnol des Affaires étrangères Juan Ortega a salué l'accord. Le ministre français des "
            "Affaires étrangères Paul Martin s'est ensuite entretenu par téléphone avec ses homologues espagnol, "
            "italien et polonais.")
    assert r.meetings(planned=False) == {frozenset({"Paul Martin", other}) for other in ("Juan Ortega", "Italie", "Pologne")}


def test_meetings_visit_paid_to_a_person_but_not_to_a_country(run):
    r = run("Paul Martin rendra visite à Klaus Weber la semaine prochaine.")
    assert r.meetings(planned=True) == {frozenset({"Paul Martin", "Klaus Weber"})}
    assert not run("Paul Martin a effectué une visite au Japon.").meetings()
    assert not run("Paul Martin a démenti avoir rendu visite à Klaus Weber.").meetings()


def test_meetings_in_presence_of_a_list_and_the_participant_of_the_meeting(run):
    r = run("Le ministre Paul Martin participera à une réunion des ministres de l'OTAN, qui se tiendra en "
            "présence de Klaus Weber, secrétaire général de l'OTAN, et de Jan Kowal.")
    assert r.meetings(planned=True) == {frozenset(p) for p in (("Paul Martin", "Klaus Weber"),
                                                               ("Paul Martin", "Jan Kowal"),
                                                               ("Klaus Weber", "Jan Kowal"))}
    assert not r.meetings(planned=False)


def test_meetings_signing_in_presence_of_someone_is_no_meeting(run):
    assert not run("Paul Martin a signé l'accord en présence de Klaus Weber.").meetings()


def test_meetings_objects_after_an_interposed_multilateral_meeting_all_met(run):
    r = run("Il a notamment rencontré, lors d'une réunion du triangle de Weimar, M. Jan Kowal, Président de la "
            "République de Pologne, et M. Klaus Weber, Chancelier de la République fédérale d'Allemagne.")
    held = r.meetings(planned=False)
    assert frozenset({"Jan Kowal", "Klaus Weber"}) in held
    assert not any("Pologne" in p or "Allemagne" in p for p in held)


def test_meetings_unnamed_title_apposed_to_a_listed_person_names_no_one_else(run):
    r = run("La réunion s'est tenue en présence de Klaus Weber, vice-président de la Commission européenne, "
            "Haut représentant de l'Union européenne, et de Jan Kowal.")
    assert r.meetings() == {frozenset({"Klaus Weber", "Jan Kowal"})}


def test_meetings_talks_in_a_relative_clause_with_a_pronoun_subject(run):
    r = run("Le secrétaire d'État John Carter a réaffirmé l'engagement des États-Unis lors des entretiens qu'il a "
            "eus avec le président russe, Piotr Sidorenko, et son ministre des Affaires étrangères, Oleg Marchenko, "
            "le 14 mai à Sotchi.")
    assert r.meetings(planned=False) == {frozenset({"John Carter", "Piotr Sidorenko"}),
                                         frozenset({"John Carter", "Oleg Marchenko"})}


def test_meetings_agent_of_a_passive_held_the_talks_and_a_place_after_a_is_not_a_participant(run):
    r = run("Cette décision a été prise par le président français Paul Martin lors d'une rencontre avec "
            "Klaus Weber à Académie royale militaire de Genève.")
    assert r.meetings() == {frozenset({"Paul Martin", "Klaus Weber"})}


def test_meetings_talks_with_coordinated_subjects_and_no_counterpart(run):
    r = run("Paul Martin et Klaus Weber ont échangé sur la situation en Syrie.")
    assert r.meetings() == {frozenset({"Paul Martin", "Klaus Weber"})}
    assert not run("Paul Martin a échangé sur la situation en Syrie.").meetings()


def test_meetings_negated_meetings_are_dropped_but_not_ne_que(run):
    for text in ("Paul Martin n'a jamais rencontré Klaus Weber.", "Paul Martin n'a pas pu rencontrer Klaus Weber.",
                 "Paul Martin ne s'est pas entretenu avec Klaus Weber.",
                 "Aucune rencontre entre Paul Martin et Klaus Weber n'est prévue."):
        assert not run(text).meetings(), text
    r = run("Paul Martin n'a rencontré que Klaus Weber.")
    assert r.meetings() == {frozenset({"Paul Martin", "Klaus Weber"})}


def test_meetings_on_the_sidelines_of_a_summit_the_meetings_are_separate(run):
    r = run("Paul Martin a rencontré, en marge du sommet de l'OTAN, Klaus Weber et Jan Kowal.")
    assert r.meetings() == {frozenset({"Paul Martin", "Klaus Weber"}), frozenset({"Paul Martin", "Jan Kowal"})}


def test_meetings_visit_received_and_talks_held_together(run):
    r = run("Paul Martin a reçu la visite de courtoisie du président polonais Jan Kowal.")
    assert r.meetings() == {frozenset({"Paul Martin", "Jan Kowal"})}
    r = run("Paul Martin et Klaus Weber ont eu un long entretien à Berlin.")
    assert r.meetings() == {frozenset({"Paul Martin", "Klaus Weber"})}


def test_meetings_separate_talks_with_delegations_do_not_pair_the_delegations(run):
    r = run("Paul Martin a eu des réunions séparées avec les délégations de la France, de l'Allemagne "
            "et de la Pologne.")
    assert r.meetings() == {frozenset({"Paul Martin", s}) for s in ("France", "Allemagne", "Pologne")}


def test_meetings_noun_naming_both_sides_and_possessive_owner(run):
    r = run("La rencontre de Paul Martin avec Klaus Weber a été annulée.")
    assert not r.meetings()
    r = run("Le président Paul Martin est arrivé à Berlin. Son entretien avec Klaus Weber durera deux heures.")
    assert r.meetings(planned=True) == {frozenset({"Paul Martin", "Klaus Weber"})}


def test_meetings_object_pronoun_is_who_the_sentence_before_was_about(run):
    r = run("Klaus Weber et Jan Kowal sont arrivés à Paris. Paul Martin les a rencontrés mardi.")
    assert r.meetings() == {frozenset({"Paul Martin", "Klaus Weber"}), frozenset({"Paul Martin", "Jan Kowal"})}
    assert not run("Paul Martin a annoncé un accord. Il l'a reçu mardi.").meetings()


def test_meetings_near_future_and_expected_meetings_are_planned(run):
    for text in ("Paul Martin va rencontrer Klaus Weber.", "Paul Martin s'apprête à rencontrer Klaus Weber.",
                 "Paul Martin est attendu à Berlin pour rencontrer Klaus Weber."):
        assert run(text).meetings(planned=True) == {frozenset({"Paul Martin", "Klaus Weber"})}, text
    assert run("Paul Martin est allé rencontrer Klaus Weber à Kiev.").meetings(planned=False)
