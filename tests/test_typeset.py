"""French (and English) typography, on real sentences of the seed."""

from __future__ import annotations

from pathlib import Path

import pytest

from blocnotes.load import parse
from blocnotes.typeset import typeset, typeset_html, typeset_text

NB, NN, WJ = "\u00a0", "\u202f", "\u2060"  # WJ: no line break after a unit's slash


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("circuits courts... : à quoi ressemblera la « ville du quart d'heure » ?",
         f"circuits courts…{NB}: à quoi ressemblera la «{NB}ville du quart d’heure{NB}»{NN}?"),
        ("Intervenants : Michèle LUTZ, maire de Mulhouse ; Carlos MORENO",
         f"Intervenants{NB}: Michèle LUTZ, maire de Mulhouse{NN}; Carlos MORENO"),
        ("Mulhouse est – exception faite des enclaves industrielles – une ville",
         f"Mulhouse est –{NB}exception faite des enclaves industrielles{NB}– une ville"),
        ("au moins 40 logements/ha", f"au moins 40{NB}logements/{WJ}ha"),
        ("(1000 logements et plus)", f"(1000{NB}logements et plus)"),
        ("33 avenue de Colmar, 68 200 Mulhouse", f"33{NB}avenue de Colmar, 68{NN}200{NB}Mulhouse"),
        ("Mardi 29 septembre 2020 – KMØ", f"Mardi 29{NB}septembre{NB}2020{NB}– KMØ"),
        ('il s\'agit de "faire ensemble"', f"il s’agit de «{NB}faire ensemble{NB}»"),
        ("Le rendez-vous:10:30", f"Le rendez-vous{NB}:10:30"),
        ("voir https://example.org/a?b=c;d !", f"voir https://example.org/a?b=c;d{NN}!"),
        ("Quoi?!", f"Quoi{NN}?!"),
    ],
)
def test_french_rules(before, after):
    assert typeset_text(before, "fr") == after


def test_english_rules():
    assert typeset_text('He said "yes" - it\'s fine...', "en") == "He said “yes” – it’s fine…"
    assert typeset_text("Note : this ; that", "en") == "Note: this; that"


def test_code_and_attributes_are_untouched():
    html = '<p>Voir <code>a : b</code> et <a href="x?y=1;2">l\'adresse</a> !</p>'
    out = typeset_html(html, "fr")
    assert "<code>a : b</code>" in out
    assert 'href="x?y=1;2"' in out
    assert f"l’adresse</a>{NN}!" in out


def test_rules_cross_inline_elements():
    out = typeset_html("<p>de « <strong>faire ensemble</strong> » et <em>ici</em>;</p>", "fr")
    assert f"«<strong>{NB}faire ensemble</strong>{NB}»" in out
    assert f"<em>ici</em>{NN};" in out


@pytest.mark.parametrize(
    ("before", "after"),
    [
        # a year is not a number counting the noun or verb after it; a count is
        ("Le PLUi de 2017 prévoit 300 logements.", f"Le PLUi de 2017 prévoit 300{NB}logements."),
        ("en 2024 à Mulhouse, 6 à 7 fois", f"en 2024 à Mulhouse, 6 à 7{NB}fois"),
        ("(1000 logements et plus)", f"(1000{NB}logements et plus)"),
        # an article of a code keeps its hyphen; an interval takes an en dash
        ("l'article L. 123-1 du code, p. 12-15", f"l’article L. 123-1 du code, p.{NB}12–15"),
        ("Le 1er mars 2021 à 9h", f"Le 1er mars{NB}2021 à 9{NB}h"),
        ("2 000 m² ; 20 km/h", f"2{NN}000{NB}m²{NN}; 20{NB}km/{WJ}h"),
    ],
)
def test_french_numbers(before, after):
    assert typeset_text(before, "fr") == after


def test_only_a_typeset_document_reaches_the_writers():
    """Typesetting gives a Typeset, whose metadata as shown is not optional; the writers are
    declared to take that type, and an untypeset Document has no `display` to render from."""
    import datetime as dt
    import typing

    from blocnotes import cover, distribute, epub, feeds, load, pipeline, render, typeset
    from blocnotes.model import Document, Typeset
    from helpers import SOURCE

    document = load.load(SOURCE, SOURCE.parent / "agency.yaml")
    assert type(document) is Document and not hasattr(document, "display")
    done = typeset.typeset(document)
    assert isinstance(done, Typeset) and done.display != document.meta  # typeset
    assert done.meta == document.meta  # the data stays as written
    when = dt.datetime(2020, 9, 29, tzinfo=dt.UTC)
    with pytest.raises(AttributeError, match="display"):
        render.render_html(document, when)  # type: ignore[arg-type]
    assert render.render_html(done, when).startswith("<!DOCTYPE html>")
    takes = {render.render_html: "document", epub.render_epub: "document",
             cover.cover_png: "document", pipeline.make_epub: "document"}
    for function, argument in takes.items():
        assert typing.get_type_hints(function)[argument] is Typeset, function.__name__
    for record in (feeds.Published, distribute.Built):
        assert typing.get_type_hints(record)["document"] is Typeset, record.__name__
    assert typing.get_type_hints(Typeset)["display"] is typing.get_type_hints(Document)["meta"]


def test_the_pdfs_html_is_decided_in_its_tree():
    """Links, placeholders and the stylesheet are set in the rendition's tree before it is
    serialized: the CSS reaches an HTML parser as written ('>' too), and XML still reads it."""
    import tinycss2
    import tinyhtml5  # WeasyPrint's HTML parser
    from lxml import etree

    from blocnotes.render import XHTML, for_pdf

    rendition = (f'<!DOCTYPE html>\n<html xmlns="{XHTML}"><head><title>t</title></head><body>'
                 '<p><a href="#">vide</a> <a href="">vide</a> <a href="#s">interne</a> '
                 '<a href="https://example.org/?a=1&amp;b=2">web</a></p></body></html>')
    css = 'li > ul { color: red }\n.a::before { content: "<&>" }\n'
    for links, kept in ((True, ["#s", "https://example.org/?a=1&b=2"]), (False, [])):
        html = for_pdf(rendition, css, links)
        root = etree.fromstring(html.encode())
        assert [a.get("href") for a in root.iter(f"{{{XHTML}}}a") if "href" in a.attrib] == kept
        assert len(list(root.iter(f"{{{XHTML}}}a"))) == 4
        style = root.find(f"{{{XHTML}}}head/{{{XHTML}}}style")
        assert css in "".join(style.itertext())  # XML: the CDATA section holds it
        text = tinyhtml5.parse(html, namespace_html_elements=False).find("head/style").text
        assert css in text  # HTML reads it raw, as WeasyPrint does: the same rules, no others
        rules = [tinycss2.parse_stylesheet(t, skip_comments=True, skip_whitespace=True)
                 for t in (text, css)]
        assert [rule.serialize() for rule in rules[0]] == [rule.serialize() for rule in rules[1]]


def test_the_colophon_s_credits_are_typeset_as_their_captions():
    source = ("---\ntitle: T\ndate: 2024-01-01\n---\n\n# A\n\n"
              "![Un plan.](plan.svg){credit=\"AURM, d'après l'INSEE\"}\n\n"
              "![Une vue.](vue.jpg){credit=\"AURM, d’après l'INSEE\"}\n")
    document = typeset(parse(source, Path("x.md")))
    assert document.credits == ("AURM, d’après l’INSEE",)
    assert "AURM, d’après l’INSEE" in document.sections[0].html


@pytest.mark.parametrize(("typed", "expected"), [
    ("<blockquote><p>La ville se fait avec ceux qui l'habitent.</p>"
     "<p class=\"attribution\">— Michèle Lutz, maire</p></blockquote>",
     f"<blockquote><p>La ville se fait avec ceux qui{NB}l’habitent.</p>"
     "<p class=\"attribution\">— Michèle Lutz, maire</p></blockquote>"),
    ("<blockquote><p>Un <em>mot</em></p></blockquote>",
     f"<blockquote><p>Un<em>{NB}mot</em></p></blockquote>"),
    ("<blockquote><p>Seul</p></blockquote>", "<blockquote><p>Seul</p></blockquote>"),
    ("<p>Un paragraphe hors citation</p>", "<p>Un paragraphe hors citation</p>"),
])
def test_a_quotation_s_last_line_holds_two_words(typed, expected):
    once = typeset_html(typed, "fr")
    assert once == expected
    assert typeset_html(once, "fr") == once


@pytest.mark.parametrize(("text", "shown"), [
    ("L’Agence d’Urbanisme de la Région Mulhousienne",
     f"L’Agence d’Urbanisme de la Région{NB}Mulhousienne"),
    ("Forum on cross-border commuting", f"Forum on cross-{WJ}border{NB}commuting"),
    ("Grenzüberschreitende-Mobilitätskonferenz am Oberrhein",  # too long to hold whole
     f"Grenzüberschreitende-Mobilitätskonferenz am{NB}Oberrhein"),
    ("Deux mots", "Deux mots"),
    ("AURM", "AURM"),
])
def test_a_title_s_lines(text, shown):
    from blocnotes.typeset import headline

    assert headline(text) == shown
    assert headline(text, compounds=False) == shown.replace(WJ, "")
