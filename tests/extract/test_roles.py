"""Envoys and positions from title phrases, in every order, with the tricky negatives."""


def test_roles_title_before_name_with_nationality(run):
    r = run("L'envoyé spécial américain John Carter est arrivé mardi à Genève.")
    assert ("John Carter", "États-Unis") in r.mandates()


def test_roles_apposition_after_name(run):
    r = run("Piotr Sidorenko, émissaire du Kremlin, est arrivé mardi à Genève.")
    assert ("Piotr Sidorenko", "Kremlin") in r.mandates()


def test_roles_principal_is_a_person(run):
    r = run("L'émissaire spécial de Marc Lefèvre, John Carter, a rencontré des diplomates à Genève.")
    assert r.mandates() == {("John Carter", "Marc Lefèvre")}


def test_roles_envoy_for_a_country_is_not_its_envoy(run):
    r = run("L'émissaire pour la Syrie John Carter est arrivé mardi à Genève.")
    assert not any(principal == "Syrie" for _, principal in r.mandates())


def test_roles_delegation_led_by(run):
    r = run("La délégation ukrainienne conduite par Anna Kovalenko est arrivée à Genève.")
    assert ("Anna Kovalenko", "Ukraine") in r.mandates()


def test_roles_represented_by(run):
    r = run("Les États-Unis seront représentés par John Carter lors du sommet.")
    assert ("John Carter", "États-Unis") in r.mandates()


def test_roles_position_in_organization(run):
    r = run("Le porte-parole du Kremlin, Piotr Sidorenko, a déclaré que rien n'était décidé.")
    assert ("Piotr Sidorenko", "porte-parole", "Kremlin") in r.positions()
    assert not r.mandates()


def test_roles_portfolio_is_part_of_the_title(run):
    r = run("Le vice-ministre russe des Affaires étrangères, Piotr Sidorenko, a rejeté cette option.")
    holder, title, org = next(iter(r.positions()))
    assert (holder, org) == ("Piotr Sidorenko", "Russie")
    assert title == "vice-ministre des Affaires étrangères"


def test_roles_participle_envoyes_is_not_a_title(run):
    r = run("Les drones envoyés par la Russie ont frappé Odessa, selon les autorités.")
    assert not r.mandates() and not r.positions()


def test_roles_posting_is_not_the_principal(run):
    r = run("L'ambassadeur russe à Pékin, Igor Volkov, a été reçu par des responsables chinois.")
    assert r.mandates() == {("Igor Volkov", "Russie")}
    assert r.meetings() == {frozenset({"Igor Volkov", "Chine"})}


def test_roles_nested_title_does_not_take_the_outer_apposition(run):
    r = run("Le représentant spécial du secrétaire général de l'ONU, Amadou Diallo, est arrivé à Djeddah.")
    assert r.mandates() == {("Amadou Diallo", "ONU")}
    assert not r.positions()


def test_roles_head_of_delegation_in_both_orders(run):
    r = run("Le chef de la délégation soudanaise, Hassan Osman, est arrivé. "
            "Idris Bakri, qui dirige la délégation malienne, est resté à Bamako.")
    assert {("Hassan Osman", "Soudan"), ("Idris Bakri", "Mali")} <= r.mandates()


def test_roles_delegation_led_by_an_official_after_a_comma(run):
    r = run("La délégation ukrainienne, menée par le ministre de la Défense Oleg Marchenko, est arrivée à Istanbul.")
    assert r.mandates() == {("Oleg Marchenko", "Ukraine")}
    assert ("Oleg Marchenko", "ministre de la Défense", None) in r.positions()


def test_roles_become_envoy_and_represents_actively(run):
    r = run("L'homme d'affaires Mark Tanner, devenu émissaire de la Maison Blanche, est arrivé. "
            "Piotr Sidorenko, qui représente Moscou dans ces pourparlers, est resté silencieux.")
    assert {("Mark Tanner", "Maison Blanche"), ("Piotr Sidorenko", "Moscou")} <= r.mandates()


def test_roles_passive_delegation_and_side_represented_by(run):
    r = run("La délégation américaine était conduite par le secrétaire d'État Mark Tanner, tandis que la partie "
            "ukrainienne était représentée par Oleg Marchenko.")
    assert {("Mark Tanner", "États-Unis"), ("Oleg Marchenko", "Ukraine")} <= r.mandates()


def test_roles_name_after_a_state_complement_is_the_holder(run):
    r = run("Paul Martin a rencontré le président de l'Angola Jan Kowal à Luanda.")
    assert ("Jan Kowal", "président", "Angola") in r.positions()
    assert frozenset({"Paul Martin", "Jan Kowal"}) in r.meetings()


def test_roles_title_without_accents_on_capitals(run):
    r = run("Le Secrétaire d'Etat Adjoint Paul Martin a rencontré la presse.")
    assert any(h == "Paul Martin" and t.startswith("secrétaire d'etat") for h, t, _ in r.positions())


def test_roles_title_alone_refers_to_its_holder(run):
    r = run("Le secrétaire d'État Paul Martin est arrivé à Luanda. Le secrétaire a souligné l'importance "
            "de la coopération régionale.")
    assert any(s == "Paul Martin" for s, _ in r.statements())


def test_roles_office_in_other_words_refers_to_its_holder(run):
    r = run("Le secrétaire d'État Paul Martin est arrivé à Moscou. Le chef de la diplomatie américaine "
            "a souligné l'importance du dialogue.")
    assert any(s == "Paul Martin" for s, _ in r.statements())


def test_roles_honorific_between_title_and_name(run):
    r = run("Le ministre des Affaires étrangères, M. Paul Martin, a reçu son homologue allemand, M. Klaus Weber.")
    assert frozenset({"Paul Martin", "Klaus Weber"}) in r.meetings()


def test_roles_delegation_members_are_envoys(run):
    r = run("La délégation tunisienne était composée de M. Paul Martin, de M. Jan Kowal et de Mme Anna Kovalenko.")
    assert {("Paul Martin", "Tunisie"), ("Jan Kowal", "Tunisie"), ("Anna Kovalenko", "Tunisie")} <= r.mandates()


def test_roles_represented_by_each_listed_person(run):
    r = run("La Moldavie sera représentée par Paul Martin, son chef de cabinet Jan Kowal, et Anna Kovalenko.")
    assert {("Paul Martin", "Moldavie"), ("Jan Kowal", "Moldavie"), ("Anna Kovalenko", "Moldavie")} <= r.mandates()


def test_roles_organisation_envoys(run):
    r = run("L'envoyé spécial de l'UA pour le Sahel Paul Martin a rencontré le négociateur en chef de l'OMC Jan Kowal.")
    assert {("Paul Martin", "UA"), ("Jan Kowal", "OMC")} <= r.mandates()


def test_roles_posting_after_aupres_is_no_principal(run):
    r = run("Paul Martin a reçu l'ambassadrice des États-Unis auprès de l'OTAN, Anna Kovalenko.")
    assert ("Anna Kovalenko", "États-Unis") in r.mandates()
    assert ("Anna Kovalenko", "OTAN") not in r.mandates()


def test_roles_former_envoy_in_apposition(run):
    r = run("La commission est présidée par Jan Kowal, ancien observateur permanent du Saint-Siège aux Nations unies.")
    assert ("Jan Kowal", "Saint-Siège") in r.mandates()


def test_roles_portfolio_with_two_parts_and_line_end(run):
    r = run("Paul Martin, ministre de l'Europe et des affaires étrangères, a reçu Jan Kowal. "
            "Le ministre a rappelé notre détermination à approfondir la coopération.")
    assert any(s == "Paul Martin" for s, _ in r.statements())
    r = run("Un nouveau président\n— Paul Martin, président de la République\nRapidement, les dirigeants ont réagi.")
    assert ("Paul Martin", "président de la République", None) in r.positions()


def test_roles_plural_title_refers_back_to_its_holders(run):
    r = run("L'émissaire américain Paul Martin et l'envoyé américain Jan Kowal sont arrivés à Genève. "
            "Les émissaires américains ont déclaré que la paix était proche.")
    speakers = {s for s, _ in r.statements()}
    assert {"Paul Martin", "Jan Kowal"} <= speakers
    r = run("L'émissaire américain Paul Martin est arrivé. Les émissaires américains ont déclaré que la paix était proche.")
    assert "Paul Martin" not in {s for s, _ in r.statements()}  # one holder named: the state, not him


def test_roles_possessive_envoy_serves_the_clause_subject(run):
    r = run("Les États-Unis ont rappelé leur ambassadeur à Ottawa, Paul Martin.")
    assert ("Paul Martin", "États-Unis") in r.mandates()
    r = run("La Russie a convoqué leur ambassadeur à Moscou, Jan Kowal.")
    assert ("Jan Kowal", "Russie") not in r.mandates()
