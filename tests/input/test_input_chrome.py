"""Page chrome (menus, bylines, tags, sharing, teasers, source lines), titles, dates, and HTML pages."""
from __future__ import annotations

from pathlib import Path

import pytest

from kg.input.chrome import is_chrome_line, split_body
from kg.input.files import SkipError
from kg.input.readers import read_article
from kg.lang.dates import parse_date


def _body_lines(text: str) -> list[str]:
    return [text[s:e] for s, e in split_body(text)]


SAVED_PAGE = """\
Accueil > Monde > Europe
Les ministres s'accordent sur un calendrier de négociations

Par Claire Dumas, envoyée spéciale à Vienne
Publié le 3 mars 2024 à 10h12
Diplomatie, Europe, Énergie, Sanctions
Partager sur Facebook
Facebook Twitter LinkedIn WhatsApp

Les ministres des affaires étrangères réunis à Vienne se sont accordés lundi sur un calendrier de négociations.
Par ailleurs, la délégation a annoncé une nouvelle réunion.
Lire aussi : Le sommet de l'énergie reporté à l'automne
« Nous avons trouvé un terrain d'entente », a déclaré le chef de la diplomatie autrichienne.
Publicité
Le texte doit encore être approuvé par les gouvernements concernés, selon un communiqué publié mardi soir.

Source : AFP
Cela pourrait vous intéresser
Un sommet régional prévu à Oslo
Les sanctions prolongées de six mois
Laisser un commentaire
"""


def test_chrome_lines_left_out_and_article_kept():
    assert _body_lines(SAVED_PAGE) == [
        "Les ministres s'accordent sur un calendrier de négociations",
        "Les ministres des affaires étrangères réunis à Vienne se sont accordés lundi sur un calendrier de "
        "négociations.",
        "Par ailleurs, la délégation a annoncé une nouvelle réunion.",
        "« Nous avons trouvé un terrain d'entente », a déclaré le chef de la diplomatie autrichienne.",
        "Le texte doit encore être approuvé par les gouvernements concernés, selon un communiqué publié mardi soir.",
    ]


def test_chrome_block_of_teasers_ends_at_a_real_paragraph():
    para = ("Les négociateurs se retrouveront à Genève dans deux semaines pour discuter du calendrier, des "
            "garanties de sécurité et de la levée progressive des sanctions économiques, selon le ministère.")
    text = f"Premier paragraphe de l'article, assez long pour être du texte.\nVous aimerez aussi\nUn titre\n{para}\n"
    assert _body_lines(text) == ["Premier paragraphe de l'article, assez long pour être du texte.", para]


@pytest.mark.parametrize("line", [
    "Accueil ActualitéUn titre collé au menu", "Accueil / International", "Monde | Europe | Afrique",
    "par Sara", "Par Jean de La Fontaine", "Avec AFP", "Crédit photo : Reuters", "© AFP 2024",
    "Mis à jour le 23/12/2025 à 18:04", "23 décembre 2025", "2025-12-23", "Tags : paix, Ukraine",
    "#Diplomatie #Paix #Sanctions", "Partager", "Copier le lien", "Abonnez-vous à notre newsletter",
    "Commentaires (12)", "source:https://exemple.fr/monde/2025/12/23/x", "Sources : ministère, agences",
])
def test_chrome_line_recognised(line):
    assert is_chrome_line(line)


@pytest.mark.parametrize("line", [
    "Par ailleurs, la délégation a annoncé une nouvelle réunion.",
    "Le 20 décembre 2025, des pourparlers se sont tenus à Genève.",
    "Partager le fardeau de la sécurité européenne est une priorité, a-t-il dit.",
    "Accueil chaleureux pour le président à son arrivée à l'aéroport de la capitale.",
    "Contexte et rendez-vous diplomatiques",
    "La France, l'Allemagne et l'Italie ont signé l'accord.",
])
def test_chrome_article_line_kept(line):
    assert not is_chrome_line(line)


def test_chrome_body_offsets_point_into_text_with_crlf_and_indent():
    text = "Accueil Monde\r\n  Le ministre a parlé à la presse.  \r\n\r\npar Sara\r\nIl a quitté la salle.\r\n"
    body = split_body(text)
    assert [text[s:e] for s, e in body] == ["Le ministre a parlé à la presse.", "Il a quitté la salle."]


@pytest.mark.parametrize("text,iso", [
    ("Publié le 1er mars 2024", "2024-03-01"), ("23/12/2025", "2025-12-23"), ("2025-12-23T08:00:00Z", "2025-12-23"),
    ("le 31 février 2024", None), ("rien", None),
])
def test_chrome_parse_date(text, iso):
    assert parse_date(text) == iso


def test_chrome_text_file_metadata(tmp_path):
    path = tmp_path / "page.txt"
    path.write_text(SAVED_PAGE, encoding="utf-8")
    art = read_article(path)
    assert art.title == "Les ministres s'accordent sur un calendrier de négociations"
    assert art.date == "2024-03-03" and art.url is None


def test_chrome_seed_004_menu_byline_tags_source(seeds_dir: Path):
    art = read_article(seeds_dir / "004_7161a7e6f48fcc54.txt")
    lines = [art.text[s:e] for s, e in art.body]
    assert art.title == lines[0] and lines[0].startswith("Zelensky: Miami proche")
    assert not any(ln.startswith(("Accueil", "par ", "source:", "Cela pourrait", "Laisser")) for ln in lines)
    assert "Ukraine, Russie, États‑Unis, Union européenne" not in lines
    assert art.url.startswith("https://www.aljazeera.net/news/2025/12/23/") and art.date == "2025-12-23"


def test_chrome_heading_run_into_text_is_not_a_title(seeds_dir: Path):
    # 003 opens with a section heading followed by more headings: not a headline
    assert read_article(seeds_dir / "003_f2570bbd80a2c8a3.txt").title is None
    assert read_article(seeds_dir / "000_d6f632219c1c625b.txt").title is None


HTML_PAGE = """<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8">
<title>Les ministres s'accordent à Vienne | Le Quotidien</title>
<meta property="og:title" content="Les ministres s'accordent à Vienne">
<meta property="article:published_time" content="2024-03-03T10:12:00+01:00">
<link rel="canonical" href="https://exemple.fr/monde/2024/03/03/ministres-vienne"></head>
<body><header><nav><a href="/">Accueil</a> <a href="/monde">Monde</a> <a href="/abonnement">S'abonner</a></nav></header>
<main><article><h1>Les ministres s'accordent à Vienne</h1>
<p>Les ministres des affaires étrangères réunis à Vienne se sont accordés lundi sur un calendrier de négociations
pour les prochains mois, a annoncé la présidence autrichienne dans un communiqué.</p>
<p>« Nous avons trouvé un terrain d'entente », a déclaré le chef de la diplomatie autrichienne devant la presse,
en ajoutant que les discussions reprendraient à Genève avant la fin du mois.</p>
<p>Le texte doit encore être approuvé par les gouvernements concernés, selon plusieurs diplomates présents.</p>
</article></main>
<aside><h2>Cela pourrait vous intéresser</h2><ul><li><a href="/x">Un sommet régional prévu à Oslo</a></li></ul></aside>
<footer>© Le Quotidien 2024 — Mentions légales — Contact</footer></body></html>"""


def test_chrome_html_page_read_with_trafilatura(tmp_path):
    path = tmp_path / "page.html"
    path.write_text(HTML_PAGE, encoding="utf-8")
    art = read_article(path)
    assert art.title == "Les ministres s'accordent à Vienne"
    assert art.url == "https://exemple.fr/monde/2024/03/03/ministres-vienne" and art.date == "2024-03-03"
    assert "terrain d'entente" in art.text and "S'abonner" not in art.text and "Mentions légales" not in art.text
    assert "Oslo" not in art.text and "<p>" not in art.text
    body = " ".join(art.text[s:e] for s, e in art.body)
    assert "calendrier de négociations" in body and body.strip()
    assert all(0 <= s < e <= len(art.text) for s, e in art.body)


@pytest.mark.parametrize("depth", [300, 1500])
def test_chrome_html_nested_deep_is_read(tmp_path, depth):
    path = tmp_path / "deep.html"
    inner = HTML_PAGE[HTML_PAGE.index("<body>") + 6:HTML_PAGE.index("</body>")]
    path.write_text(HTML_PAGE.replace(inner, "<div>" * depth + inner + "</div>" * depth), encoding="utf-8")
    art = read_article(path)
    assert "terrain d'entente" in art.text and art.title == "Les ministres s'accordent à Vienne"


def test_chrome_html_without_article_is_skipped(tmp_path):
    path = tmp_path / "empty.html"
    path.write_text("<html><body><nav>Accueil</nav></body></html>", encoding="utf-8")
    with pytest.raises(SkipError, match=r"empty\.html: no article text"):
        read_article(path)


def test_chrome_text_file_with_only_chrome_is_skipped(tmp_path):
    path = tmp_path / "menu.txt"
    path.write_text("Accueil > Monde\nPartager\nPublié le 3 mars 2024\n", encoding="utf-8")
    with pytest.raises(SkipError, match=r"menu\.txt: no article text, only page chrome"):
        read_article(path)
