"""French (and English) typography, on real sentences of the seed."""

from __future__ import annotations

import pytest

from blocnotes.typeset import typeset_html, typeset_text

NB, NN = "\u00a0", "\u202f"


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("circuits courts... : à quoi ressemblera la « ville du quart d'heure » ?",
         f"circuits courts…{NB}: à quoi ressemblera la «{NB}ville du quart d’heure{NB}»{NN}?"),
        ("Intervenants : Michèle LUTZ, maire de Mulhouse ; Carlos MORENO",
         f"Intervenants{NB}: Michèle LUTZ, maire de Mulhouse{NN}; Carlos MORENO"),
        ("Mulhouse est – exception faite des enclaves industrielles – une ville",
         f"Mulhouse est –{NB}exception faite des enclaves industrielles{NB}– une ville"),
        ("au moins 40 logements/ha", f"au moins 40{NB}logements/ha"),
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
