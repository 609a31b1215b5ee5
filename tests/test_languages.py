"""A language is data: one file, languages/<code>.yaml. A language added from one file in a
copy of the folder builds a document with its labels, quotes and hyphenation; `check` reads
the months of every language; a language with no file is a clean error; a change to a
language's file makes its documents due, and only theirs."""

from __future__ import annotations

import dataclasses
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pyphen
import pytest

from blocnotes import languages, load
from blocnotes.errors import BlocNotesError
from blocnotes.pipeline import Settings, build, check, due
from helpers import ROOT

AGENCY = ROOT / "source" / "agency.yaml"
ITALIAN = """\
# Italian, from one file (see fr.yaml for what each field is).
name: italiano
hyphenation: it_IT
quotes: ["«", "»", "“", "”", "‘", "’"]
month-abbreviations: genn febbr apr giugno luglio ag sett ott nov dic
days: lunedì martedì mercoledì giovedì venerdì sabato domenica
typography: [spaces, etc, ellipsis, quotes, number-range, dash-en-de, minus, times,
  no-space-before-comma, comma-then-space, parentheses, no-space-before-punctuation, unit-per,
  thousands, unit-spaced]
labels:
  abstract: In breve
  series: Bloc-Notes
  number: "n.\\u00a0{number}"
  keywords: Parole chiave
  speakers: Relatori, Relatrici, Relatore, Relatrice
  editor: Redazione
  date: Data
  imprint: "pubblicato e stampato da:"
  colophon: Colophon
  credits: Crediti fotografici
  figure-credits: Crediti
  sources: Fonte, Fonti
  page: pagina
  colon: ": "
  date-format: "{day} {month} {year}"
  months: gennaio febbraio marzo aprile maggio giugno luglio agosto settembre ottobre novembre dicembre
  kilobytes: KB
  megabytes: MB
  contents: Indice
  landmarks: Punti di riferimento
  cover: Copertina
  pages: Pagine
  start: Inizio del testo
  print: edizione stampata A4 (PDF)
  summary: >-
    Pubblicazione strutturata: titoli gerarchici, indice, ordine di lettura logico, numeri
    di pagina dell'edizione stampata. Nessun rischio (né suono, né animazione).
  summary-images: " Ogni immagine ha un testo alternativo."
  web-skip: Vai al testo
  web-search: Cerca nella serie
  web-search-none: Nessun risultato
  web-download: Scarica
  web-home: Tutti i numeri
  web-subscribe: Abbonarsi
  web-feed: feed Atom
  web-catalog: catalogo per e-reader (OPDS)
"""
LONG = ("La riqualificazione infrastrutturale dell'agglomerazione transfrontaliera richiede "
        "un'amministrazione sovracomunale, la partecipazione cittadina e una programmazione "
        "intercomunale della mobilità sostenibile, dell'urbanizzazione e dell'elettrificazione. ")
SOURCE = f"""\
---
title: Laboratorio di quartiere
date: 2024-03-12
lang: it
keywords:
  - Rigenerazione urbana
abstract: Un laboratorio sulla "città dei quindici minuti".
---

# La mattinata

Relatori: **Giulia ROSSI**, urbanista; **Marco BIANCHI**, architetto

Si è parlato della "città dei quindici minuti". {LONG * 6}

| Comune | Abitanti |
| --- | ---: |
| Mulhouse | 105 000 |

Table: Abitanti.

Fonte: Insee, 2021.
"""


@pytest.fixture(scope="module")
def italian(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A copy of languages/ with it.yaml added, a document in Italian and one in French built
    with it (one build for the tests below)."""
    folder = tmp_path_factory.mktemp("italian")
    shutil.copytree(ROOT / "languages", folder / "languages")
    (folder / "languages" / "it.yaml").write_text(ITALIAN, encoding="utf-8")
    (folder / "source").mkdir()
    (folder / "source" / "laboratorio.md").write_text(SOURCE, encoding="utf-8")
    french = SOURCE.replace("lang: it\n", "")
    (folder / "source" / "atelier.md").write_text(french, encoding="utf-8")
    settings = Settings(out=folder / "out", styles=ROOT / "styles", agency_fallback=AGENCY,
                        environ={"SOURCE_DATE_EPOCH": "1700000000"},
                        languages=folder / "languages")
    sources = sorted((folder / "source").glob("*.md"))
    outcomes = build(sources, ("pdf", "epub"), settings)
    assert [outcome.error for outcome in outcomes] == [None, None]
    return {"folder": folder, "settings": settings, "italian": sources[1],  # type: ignore[dict-item]
            "french": sources[0]}


def _pdf_text(path: Path, mode: str = "-layout") -> str:
    return subprocess.run(["pdftotext", mode, str(path), "-"], check=True,
                          capture_output=True, text=True).stdout


def _cuts(path: Path) -> list[tuple[str, str]]:
    """The words of a PDF cut at a line's end: (before the layout's hyphen, a soft hyphen in
    the PDF's text, after it)."""
    return re.findall(r"(\w+)\u00ad\n(\w+)", _pdf_text(path, "-raw"))


def test_a_language_from_one_file_builds_with_its_labels_quotes_and_hyphenation(italian):
    out = italian["folder"] / "out"
    text = _pdf_text(out / "laboratorio.pdf")
    # its labels (the layout's words), its quotes, its months in the colophon's date
    for words in ("IN BREVE", "Data: 12 marzo 2024", "pagina 1 / 1", "pubblicato e stampato"):
        assert words in text, words
    assert "«città dei quindici minuti»" in text and '"' not in text
    assert "Mots-clés" not in text and "MOTS-CLÉS" not in text
    # its speakers' line and its table's source line, found by its own words
    with zipfile.ZipFile(out / "laboratorio.epub") as archive:
        chapters = "".join(archive.read(name).decode("utf-8") for name in archive.namelist()
                           if name.endswith(".xhtml"))
    assert 'class="speakers"' in chapters and 'class="table-source"' in chapters
    assert "Parole chiave" in chapters and 'xml:lang="it"' in chapters
    # its hyphenation: words cut at a line's end only where its file's dictionary cuts them
    # ("riqualifica-zione"), which the French build of the same text does not keep to
    # ("riquali-ficazione")
    italian_cuts = pyphen.Pyphen(lang="it_IT")
    cuts = _cuts(out / "laboratorio.pdf")
    assert len(cuts) >= 5
    assert all(len(first) in italian_cuts.positions(first + rest) for first, rest in cuts), cuts
    assert any(len(first) not in italian_cuts.positions(first + rest)
               for first, rest in _cuts(out / "atelier.pdf"))
    # the French one, built with the same folder, as always
    french = _pdf_text(out / "atelier.pdf")
    assert "page 1 / 1" in french and "pagina" not in french
    assert "« città dei quindici minuti »" in french.replace("\u00a0", " ")


def test_the_language_file_is_an_input_of_its_documents(italian):
    settings, folder = italian["settings"], italian["folder"]
    assert due(italian["italian"], ("pdf", "epub"), settings) == ()
    assert due(italian["french"], ("pdf", "epub"), settings) == ()
    depfile = (folder / "out" / ".build" / "laboratorio.d").read_text(encoding="utf-8")
    assert str(folder / "languages" / "it.yaml") in depfile  # for make, too
    with (folder / "languages" / "it.yaml").open("a", encoding="utf-8") as file:
        file.write("# edited\n")
    assert due(italian["italian"], ("pdf", "epub"), settings) == ("pdf", "epub")
    assert due(italian["french"], ("pdf", "epub"), settings) == ()


def test_an_unknown_language_is_a_clean_error_at_its_line(tmp_path):
    source = tmp_path / "note.md"
    source.write_text("---\ntitle: Nota\ndate: 2024-05-02\nlang: it\n---\n\nTesto.\n",
                      encoding="utf-8")
    with pytest.raises(BlocNotesError) as caught:
        load.load(source)
    assert (caught.value.path, caught.value.line) == (source, 4)
    assert caught.value.message == (
        "no language 'it' in languages/ (write one of de, en, fr, or add languages/it.yaml: "
        "copy fr.yaml and translate it)")


def test_check_reads_the_months_of_every_language(tmp_path):
    settings = Settings(out=tmp_path / "out", styles=ROOT / "styles", agency_fallback=None,
                        environ={})
    found = {}
    for name, colophon in (("oktober", "Oktober 2024"), ("maerz", "März 2024"),
                           ("dez", "Dez. 2024"), ("august", "August 2024"),
                           ("octobre", "oct 2024"), ("may", "May 2024")):
        source = tmp_path / f"{name}.md"
        source.write_text(f"---\ntitle: Notiz\ndate: 2024-09-20\nlang: de\n"
                          f"colophon-date: {colophon}\n---\n\nText.\n", encoding="utf-8")
        [outcome] = check([source], settings)
        assert outcome.error is None
        found[name] = [d.message for d in outcome.diagnostics if "colophon date" in d.message]
    assert found["oktober"] == found["dez"] == found["octobre"] == []  # after the event
    for name in ("maerz", "august", "may"):  # before it: read, and said
        assert len(found[name]) == 1 and "earlier than the event" in found[name][0], name


@pytest.mark.parametrize(("old", "new", "message"), [
    ("hyphenation: fr", "hyphenation: frx", "no hyphenation dictionary 'frx' (did you mean 'fr'?)"),
    ("quotes: [", "quotes: [\"«\", ", "'quotes' has 7 marks"),
    ("incise-fr", "incise", "no typographic rule 'incise' (did you mean 'incise-fr'?)"),
    ("name: français", "nmae: français", "unknown field 'nmae' (did you mean 'name'?)"),
    ("\n  page: page", "", "the labels lack page (add them, as fr.yaml words them)"),
])
def test_a_language_s_file_is_checked_at_its_line(tmp_path, old, new, message):
    folder = tmp_path / "languages"
    shutil.copytree(ROOT / "languages", folder)
    text = (folder / "fr.yaml").read_text(encoding="utf-8")
    assert old in text
    (folder / "fr.yaml").write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(BlocNotesError) as caught:
        languages.get("fr", folder)
    assert caught.value.path == folder / "fr.yaml" and message in caught.value.message
    if old.startswith(("hyphenation", "quotes", "name")):
        assert caught.value.line == text.split("\n").index(
            next(line for line in text.split("\n") if line.startswith(old))) + 1


def test_the_hyphenation_dictionary_is_the_language_s_file_s():
    """WeasyPrint is given the file's dictionary only where it would not find it from the
    document's lang alone (outputs in French, English and German are as they were)."""
    folder = ROOT / "languages"
    french, german = languages.get("fr", folder), languages.get("de", folder)
    assert languages.hyphenation_override(french, "fr") is None
    assert languages.hyphenation_override(german, "de") is None
    assert languages.hyphenation_override(german, "de-CH") is None  # pyphen has de_CH's own
    norwegian = dataclasses.replace(german, code="no", hyphenation="nb_NO")
    assert languages.hyphenation_override(norwegian, "no") == "nb_NO"  # pyphen has no 'no'
