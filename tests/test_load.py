"""Loading: front matter, validation and errors that name the file and the line."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from blocnotes import frontmatter
from blocnotes.errors import BlocNotesError
from blocnotes.inputs import decode
from blocnotes.load import load, parse, slug_for
from helpers import AGENCY, ROOT, SOURCE

P = Path("x.md")
GOOD = "---\ntitle: Un titre\ndate: 2021-03-04\n---\n\n# Section\n\nTexte.\n"


def test_seed_metadata():
    document = load(SOURCE, AGENCY)
    meta = document.meta
    assert meta.title == "Smart City Tour Mulhouse"
    assert meta.dateline == "Mardi 29 septembre 2020 – KMØ"
    assert meta.date == dt.date(2020, 9, 29)
    assert meta.lang == "fr"
    assert meta.keywords == (
        "Ville du Quart d'Heure", "Participation Citoyenne",
        "Sécurité des données des collectivités",
    )
    assert meta.authors == ("Pier-Mael Anezo",)
    assert meta.publisher == "L'Agence d'Urbanisme de la Région Mulhousienne"
    assert meta.address == "33 avenue de Colmar, 68 200 Mulhouse"
    assert meta.rights == (
        "Toute reproduction autorisée avec mention précise de la source et référence exacte"
    )
    assert meta.colophon_date == "oct 2019"
    assert [s.title.split(",")[0] for s in document.sections] == [
        "Mobilité", "Participation citoyenne : quels outils et quelle place pour le numérique ?",
        "Capteurs",
    ]


def test_seed_keeps_its_placeholder_links():
    document = load(SOURCE, AGENCY)
    placeholders = [link for link in document.links if link.href == "#"]
    assert len(placeholders) == 8
    assert placeholders[0].text == "Web"
    assert placeholders[-1].text.startswith("Expéricité")


def test_only_title_and_date_are_required():
    document = parse(GOOD, P)
    assert document.meta.title == "Un titre"
    assert document.meta.lang == "fr"
    assert document.meta.rights is None


def test_document_overrides_agency_defaults():
    defaults = frontmatter.parse_yaml("publisher: A\nseries: S", Path("agency.yaml"), 1)
    text = GOOD.replace("title:", "publisher: B\ntitle:")
    meta = parse(text, P, defaults, Path("agency.yaml")).meta
    assert (meta.publisher, meta.series) == ("B", "S")


BY_LANGUAGE = """\
rights:
  fr: Toute reproduction autorisée
  en: Reproduction authorised
publisher: {fr: L'Agence, de: Die Agentur}
series: Le Bloc-Notes
"""


@pytest.mark.parametrize(("lang", "rights", "publisher"), [
    ("fr", "Toute reproduction autorisée", "L'Agence"),
    ("en", "Reproduction authorised", "L'Agence"),  # no 'en' publisher: the first one given
    ("en-GB", "Reproduction authorised", "L'Agence"),
    ("de", "Toute reproduction autorisée", "Die Agentur"),
])
def test_agency_fields_may_be_given_by_language(lang, rights, publisher):
    defaults = frontmatter.parse_yaml(BY_LANGUAGE, Path("agency.yaml"), 1)
    meta = parse(GOOD.replace("title:", f"lang: {lang}\ntitle:"), P, defaults,
                 Path("agency.yaml")).meta
    assert (meta.rights, meta.publisher, meta.series) == (rights, publisher, "Le Bloc-Notes")


@pytest.mark.parametrize(("name", "notice"), [
    ("english", "Any reproduction authorised"), ("german", "Jede Vervielfältigung gestattet"),
])
def test_the_english_and_german_fixtures_carry_their_language_s_notice(name, notice):
    source = ROOT / "tests" / "fixtures" / name / f"{name}.md"
    assert load(source, AGENCY).meta.rights.startswith(notice)


@pytest.mark.parametrize(("yaml_text", "line", "needle"), [
    ("series: S\nrights:\n  english: Reproduction authorised\n", 2, "'english' is not a language code"),
    ("rights: {}\n", 1, "'rights' is an empty group"),
    ("publisher:\n  en: [A, B]\n", 1, "'publisher' for 'en' must be text, not a list"),
    ("address:\n  en:\n", 1, "'address' for 'en' must be text, not empty"),
    ("series: S\nsubtitle:\n  en: T\n", 2, "'subtitle' must be text, not a group of fields"),
])
def test_agency_fields_by_language_errors_name_the_line(yaml_text, line, needle):
    defaults = frontmatter.parse_yaml(yaml_text, Path("agency.yaml"), 1)
    with pytest.raises(BlocNotesError) as caught:
        parse(GOOD.replace("title:", "lang: en\ntitle:"), P, defaults, Path("agency.yaml"))
    assert str(caught.value).startswith(f"agency.yaml:{line}: ")
    assert needle in caught.value.message
    assert "\n" not in str(caught.value)


def test_headings_are_shifted_so_sections_are_h2():
    document = parse("---\ntitle: T\ndate: 2021-01-01\n---\n## A\n\n### B\n\ntext\n", P)
    assert document.sections[0].html.count("<h2") == 1
    assert "<h3" in document.sections[0].html


def test_speakers_line_is_marked():
    text = GOOD.replace("Texte.", "Intervenants : **Une Personne**, maire\n\nTexte.")
    assert 'class="speakers"' in parse(text, P).sections[0].html


@pytest.mark.parametrize(
    ("text", "line", "needle"),
    [
        ("", 1, "empty"),
        ("# Titre\n\nTexte\n", 1, "no front matter"),
        ("---\ntitle: T\ndate: 2021-01-01\n", 1, "never closed"),
        ("---\ntitle: T\ndate: 2021-01-01\nkeywords: [a, b\n---\n", 4, "YAML syntax error"),
        ("---\ndate: 2021-01-01\n---\n", 1, "no 'title'"),
        ("---\ntitle: T\n---\n", 1, "no 'date'"),
        ("---\ntitle: T\ndate: 29/09/2020\n---\n", 3, "not a date"),
        ("---\ntitle: T\ndate: 2020-13-45\n---\n", 3, "not a date"),
        ("---\ntitle: T\ndate: 2021-01-01\nkeywords: 42\n---\n", 4, "'keywords' must be"),
        ("---\ntitle: T\ndate: 2021-01-01\nauthors: X\n---\n", 4, "did you mean 'author'"),
        ("---\ntitle: T\ndate: 2021-01-01\nlang: français\n---\n", 4, "not a language"),
        ("---\n- a\n- b\n---\n", 2, "'key: value' lines"),
        ("---\ntitle: [1, 2]\ndate: 2021-01-01\n---\n", 2, "must be text"),
    ],
)
def test_bad_front_matter(text, line, needle):
    with pytest.raises(BlocNotesError) as caught:
        parse(text, P)
    assert caught.value.line == line
    assert needle in caught.value.message
    assert str(caught.value).startswith(f"x.md:{line}: ")
    assert "\n" not in str(caught.value)


def test_not_utf8_names_the_line():
    data = GOOD.replace("Texte.", "Caf\xe9").encode("latin-1")
    with pytest.raises(BlocNotesError) as caught:
        decode(data, P)
    assert caught.value.line == 8
    assert "not UTF-8" in caught.value.message


def test_bom_and_crlf_are_fine():
    text = decode(b"\xef\xbb\xbf" + GOOD.replace("\n", "\r\n").encode(), P)
    assert parse(text, P).meta.title == "Un titre"


def test_missing_file_is_a_user_error(tmp_path):
    with pytest.raises(BlocNotesError, match="no such file"):
        load(tmp_path / "absent.md")


def test_slug():
    assert slug_for(Path("Été 2020 — Réunion.md")) == "ete-2020-reunion"
