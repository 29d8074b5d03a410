"""Entity typing: lexicon over NER, capitals as governments or places, page chrome is not a person."""
from kg.records import EntityType


def _types(r):
    return {e.names[0]: e.type for e in r.raw.entities}


def test_entities_government_body_is_an_organization_of_its_state(run):
    r = run("Le Kremlin a indiqué que Piotr Sidorenko rendrait compte au président.")
    kremlin = next(e for e in r.raw.entities if e.names[0] == "Kremlin")
    assert kremlin.type is EntityType.ORGANIZATION
    assert r.types[kremlin.part_of] == "State"
    assert _types(r)["Piotr Sidorenko"] is EntityType.PERSON


def test_entities_capital_as_agent_is_the_state_as_location_a_place(run):
    r = run("Moscou a annoncé une prochaine rencontre à Moscou.")
    types = {e.type for e in r.raw.entities if "Moscou" in e.names}
    assert types == {EntityType.STATE, EntityType.PLACE}


def test_entities_glued_page_chrome_is_not_a_person(run):
    r = run("Accueil ActualitéKovalenko: Genève proche d'un accord\n\nAnna Kovalenko a parlé.")
    persons = [e.names for e in r.raw.entities if e.type is EntityType.PERSON]
    assert persons == [("Anna Kovalenko",)]


def test_entities_surname_alone_joins_full_name(run):
    r = run("Anna Kovalenko est arrivée à Genève. Kovalenko a ensuite rencontré la presse.")
    persons = [e for e in r.raw.entities if e.type is EntityType.PERSON]
    assert len(persons) == 1 and set(persons[0].names) == {"Anna Kovalenko", "Kovalenko"}


def test_entities_ministry_is_an_organization_of_the_state_its_adjective_names(run):
    r = run("Le ministère chinois des Affaires étrangères a dénoncé des « ingérences inacceptables ».")
    (ministry,) = [e for e in r.raw.entities if e.type is EntityType.ORGANIZATION]
    assert ministry.names == ("ministère chinois des Affaires étrangères",)
    assert r.types[ministry.part_of] == "State" and r.name(ministry.part_of) == "Chine"
    assert r.statements() == {("ministère chinois des Affaires étrangères", "ingérences inacceptables")}


def test_entities_title_with_nationality_is_not_a_place(run):
    r = run("Le secrétaire d'État américain, Robert Hale, est arrivé à Pékin.")
    assert [e.names for e in r.raw.entities if e.type is EntityType.PLACE] == [("Pékin",)]
    assert ("Robert Hale", "secrétaire d'état", "États-Unis") in r.positions()


def test_entities_name_after_a_title_is_a_person_even_when_ner_says_place(run):
    r = run("La Première ministre danoise Mette Lund a accueilli lundi à Copenhague le président ukrainien Taras Bondarenko.")
    persons = {e.names[0] for e in r.raw.entities if e.type is EntityType.PERSON}
    assert persons == {"Mette Lund", "Taras Bondarenko"}
    assert ("Mette Lund", "première ministre", "Danemark") in r.positions()
    assert frozenset({"Mette Lund", "Taras Bondarenko"}) in r.meetings(planned=False)


def test_entities_sentence_initial_participle_is_no_place(run):
    r = run("Interrogé par la presse, Taras Bondarenko a déclaré que l'aide arriverait.")
    assert not [e for e in r.raw.entities if e.type is EntityType.PLACE]


def test_entities_capitalised_nationality_inside_a_name_stays(run):
    r = run("Des experts, tels que Marie Lenoir de l'Institut Français des Relations Internationales, sont inquiets.")
    orgs = [e.names for e in r.raw.entities if e.type is EntityType.ORGANIZATION]
    assert orgs == [("Institut Français des Relations Internationales",)]


def _persons(r):
    return sorted(e.names for e in r.raw.entities if e.type is EntityType.PERSON)


def test_entities_salutations_are_no_persons(run):
    r = run("Mesdames et Messieurs, bonjour. Monsieur le Président, je vous remercie.")
    assert _persons(r) == []


def test_entities_capitalised_title_is_no_person(run):
    r = run("Le Chancelier a reçu le Président du Niger à Berlin.")
    assert _persons(r) == []


def test_entities_given_name_alone_joins_the_only_person_called_so(run):
    r = run("Guido Weber est arrivé à Paris. Merci Guido pour ta venue, a dit Paul Martin.")
    persons = [set(e.names) for e in r.raw.entities if e.type is EntityType.PERSON]
    assert {"Guido Weber", "Guido"} in persons


def test_entities_surname_with_particle_joins_full_name(run):
    r = run("Le grand chancelier Karl von Brenner est arrivé à Rome. Brenner a ensuite rencontré la presse.")
    persons = [set(e.names) for e in r.raw.entities if e.type is EntityType.PERSON]
    assert {"Karl von Brenner", "Brenner"} in persons


def test_entities_name_after_a_portfolio_is_a_person(run):
    r = run("Le ministre des Affaires étrangères Kowalczyk a reçu la presse.")
    assert ("Kowalczyk",) in _persons(r)


def test_entities_country_after_a_place_is_a_place(run):
    r = run("Paul Martin a rencontré à Luanda (Angola) Jan Kowal.")
    assert not any(e.type is EntityType.STATE for e in r.raw.entities if "Angola" in e.names)


def test_entities_honorific_stands_for_the_person(run):
    r = run("M. Martin a eu un entretien avec le ministre, M. Jan Kowal.")
    assert ("Jan Kowal",) in _persons(r) and ("Martin",) in _persons(r)


def test_entities_short_form_of_an_organization_is_that_organization(run):
    r = run("L'Ordre de Malte a protesté. Le lendemain, l'Ordre avait déclaré cette décision « inacceptable ».")
    orders = [e for e in r.raw.entities if "Ordre" in e.names]
    assert len(orders) == 1 and "Ordre de Malte" in orders[0].names


def test_entities_news_agency_is_an_organization(run):
    r = run("L'agence Kowalpress a précisé que les commandes seraient divisées en trois lots.")
    assert _persons(r) == []


def test_entities_arabic_particle_in_a_name(run):
    r = run("Paul Martin a rencontré à Damas l'islamiste Ahmad al-Kowali.")
    assert ("Ahmad al-Kowali",) in _persons(r)


def test_entities_capitalised_title_opening_an_organization_span_is_a_title(run):
    r = run("Jan Kowal a rencontré le Ministre des Affaires étrangères Paul Martin.")
    assert not any(e.type is EntityType.ORGANIZATION and e.names[0].startswith("Ministre") for e in r.raw.entities)


def test_entities_name_in_apposition_to_a_nationality_is_a_person(run):
    r = run("Étaient présents les ministres des affaires étrangères finlandais, Pekka Kowalainen et suédoise, Anna Lind.")
    assert ("Pekka Kowalainen",) in _persons(r)
