"""Statements: reported speech, quotes, incises, 'selon', state speakers, pronouns and descriptions."""
from kg.records import EntityKey, EntityType, Statement


def test_statements_reported_clause_is_the_content(run):
    r = run("Piotr Sidorenko a affirmé que les négociations progressaient lentement.")
    assert r.statements() == {("Piotr Sidorenko", "les négociations progressaient lentement")}


def test_statements_qualified_as_quote(run):
    r = run("Anna Kovalenko a qualifié de « très constructives » les discussions de Genève.")
    assert ("Anna Kovalenko", "très constructives") in r.statements()
    assert all(s.quoted for s in r.of(Statement))


def test_statements_incise_after_quote_resolves_pronoun(run):
    r = run("Anna Kovalenko est arrivée à Genève lundi. « Nous sommes prêts à signer un accord », souligne-t-elle.")
    assert ("Anna Kovalenko", "Nous sommes prêts à signer un accord") in r.statements()


def test_statements_according_to(run):
    r = run("Selon Piotr Sidorenko, les discussions reprendront la semaine prochaine.")
    assert r.statements() == {("Piotr Sidorenko", "les discussions reprendront la semaine prochaine")}


def test_statements_capital_speaks_for_its_state(run):
    r = run("Moscou a annoncé avoir pris le contrôle de deux villages.")
    assert {s.speaker for s in r.of(Statement)} == {EntityKey(EntityType.STATE, "RU")}
    assert r.types[r.of(Statement)[0].speaker] == "State"


def test_statements_pronoun_goes_to_previous_subject(run):
    r = run("Piotr Sidorenko est arrivé à Genève. Il a déclaré que la Russie était prête à discuter.")
    assert ("Piotr Sidorenko", "la Russie était prête à discuter") in r.statements()


def test_statements_role_description_resolves_to_holder(run):
    r = run("Le président ukrainien Taras Bondarenko est arrivé à Genève. "
            "Le président ukrainien a estimé que la paix restait possible.")
    assert ("Taras Bondarenko", "la paix restait possible") in r.statements()


def test_statements_named_member_of_a_group_speaks(run):
    r = run("Plusieurs responsables russes, dont Piotr Sidorenko, ont jugé ces propositions « inacceptables ».")
    assert {s for s, _ in r.statements()} == {"Piotr Sidorenko"}


def test_statements_no_speaker_no_statement(run):
    r = run("Des éléments divulgués indiquent que le document pourrait inclure des concessions.")
    assert not r.statements()


def test_statements_nested_reporting_verb_is_one_statement(run):
    r = run("Geir Olsen est arrivé à Riyad. Il a indiqué qu'il espérait « des avancées concrètes ».")
    assert r.statements() == {("Geir Olsen", "il espérait « des avancées concrètes »")}


def test_statements_according_to_inside_a_clause_reports_only_that_clause(run):
    r = run("Anna Kovalenko affirme qu'il faut agir vite, même si, selon Varsovie, la Russie prépare une offensive.")
    assert ("Varsovie", "la Russie prépare une offensive") in r.statements()
    assert {r.types[k] for k, n in r.names.items() if n == "Varsovie"} == {"State"}
    r = run("Les États-Unis, selon Anna Kovalenko, ont proposé des négociations directes.")
    assert r.statements() == {("Anna Kovalenko", "Les États-Unis, ont proposé des négociations directes")}


def test_statements_inverted_pronoun_incise_after_a_split_sentence(run):
    r = run("Le Premier ministre qatari, Khalid Al-Mansour, s'est entretenu mardi avec Robert Hale. "
            "« Nous sommes plus proches que jamais d'un accord », a-t-il déclaré à l'AFP.")
    assert ("Khalid Al-Mansour", "Nous sommes plus proches que jamais d'un accord") in r.statements()


def test_statements_quote_in_a_relative_clause_is_not_the_main_subject_s(run):
    r = run("Le président égyptien Omar Farid a rencontré le roi de Jordanie, qui a appelé à « une désescalade immédiate ».")
    assert not any(s == "Omar Farid" for s, _ in r.statements())


def test_statements_according_to_a_title_with_the_name_in_apposition(run):
    r = run("Selon le porte-parole du Kremlin, Piotr Sidorenko, les discussions reprendront lundi.")
    assert r.statements() == {("Piotr Sidorenko", "les discussions reprendront lundi")}


def test_statements_ce_dernier_is_the_person_named_last(run):
    r = run("Anna Kovalenko a reçu Piotr Sidorenko à Kiev. Ce dernier a déclaré que la rencontre était utile.")
    assert ("Piotr Sidorenko", "la rencontre était utile") in r.statements()


def test_statements_que_clause_after_an_indirect_object(run):
    r = run("Anna Kovalenko a assuré aux journalistes que l'accord serait signé vendredi.")
    assert r.statements() == {("Anna Kovalenko", "l'accord serait signé vendredi")}


def test_statements_reported_clause_before_an_inverted_speaker(run):
    r = run("Les deux dirigeants ont discuté de la coopération militaire, a précisé Piotr Sidorenko.")
    assert r.statements() == {("Piotr Sidorenko", "Les deux dirigeants ont discuté de la coopération militaire")}
    r = run("L'Ukraine et la Russie ont échangé des prisonniers, a annoncé le médiateur émirati.")
    assert not r.statements()  # an unnamed mediator: no speaker to name, and not the two states


def test_statements_pour_x_at_sentence_start_reports_x(run):
    r = run("Pour Moscou, il s'agit d'une provocation inacceptable.")
    assert r.statements() == {("Moscou", "il s'agit d'une provocation inacceptable")}
    r = run("Pour mettre fin aux hostilités, Moscou exige un retrait.")
    assert ("Moscou", "mettre fin aux hostilités") not in r.statements()


def test_statements_incise_with_the_speaker_after_the_verb(run):
    r = run("« Nous avons eu une conversation très utile », a déclaré à la presse Viktor Lebedev, le chef de la délégation russe.")
    assert r.statements() == {("Viktor Lebedev", "Nous avons eu une conversation très utile")}


def test_statements_leader_description_resolves_to_the_president(run):
    r = run("Le président russe Piotr Sidorenko a reçu Mark Tanner. Le dirigeant russe a affirmé que le dialogue continuerait.")
    assert ("Piotr Sidorenko", "le dialogue continuerait") in r.statements()


def test_statements_name_in_a_fronted_phrase_is_not_a_speaker(run):
    r = run("Après sa rencontre avec Taras Bondarenko, Paul Martin a déclaré que la paix était « à portée de main ».")
    assert {s for s, _ in r.statements()} == {"Paul Martin"}


def test_statements_incise_pronoun_is_the_passage_speaker_not_the_last_name(run):
    r = run("Paul Martin a déclaré que Jan Kowal viendrait à Paris. « Nous l'attendons avec impatience », a-t-il ajouté.")
    assert ("Paul Martin", "Nous l'attendons avec impatience") in r.statements()
    assert not any(s == "Jan Kowal" for s, _ in r.statements())


def test_statements_chained_quotes_before_one_incise_are_one_statement(run):
    r = run("« Nous avons beaucoup travaillé », mais « il reste des désaccords », a affirmé Jan Kowal.")
    [(speaker, content)] = r.statements()
    assert speaker == "Jan Kowal" and "beaucoup travaillé" in content and "il reste des désaccords" in content


def test_statements_coordinated_speakers_after_the_verb_both_speak(run):
    r = run("« La trêve tient », ont indiqué mardi le ministre Paul Martin et le délégué Jan Kowal.")
    assert {s for s, _ in r.statements()} == {"Paul Martin", "Jan Kowal"}


def test_statements_denied_doubted_and_performative_are_not_statements(run):
    assert not run("Piotr Sidorenko n'a pas déclaré que les négociations étaient rompues.").statements()
    assert not run("Si Piotr Sidorenko déclare que les négociations sont rompues, la guerre reprendra.").statements()
    assert not run("Le président Piotr Sidorenko a déclaré l'état d'urgence dans la capitale.").statements()


def test_statements_faire_savoir_and_faire_part_report_speech(run):
    r = run("Anna Kovalenko a fait savoir que son pays souhaitait réduire les coûts.")
    assert r.statements() == {("Anna Kovalenko", "son pays souhaitait réduire les coûts")}
    assert not run("Anna Kovalenko a fait partie de la délégation ukrainienne.").statements()


def test_statements_quote_only_verb_needs_a_quote(run):
    r = run("Jan Kowal a ensuite lancé aux députés : « Il est temps de choisir l'Europe. »")
    assert ("Jan Kowal", "Il est temps de choisir l'Europe.") in r.statements() or \
        ("Jan Kowal", "Il est temps de choisir l'Europe") in r.statements()
    assert not run("Jan Kowal a lancé un programme de réformes profondes.").statements()


def test_statements_object_content_stops_before_a_coordinated_clause(run):
    r = run("Anna Kovalenko a dénoncé une provocation, et les deux pays ont rompu leurs relations.")
    assert ("Anna Kovalenko", "une provocation") in r.statements()
