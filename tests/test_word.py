"""From Word to a Bloc-Notes: `build.py import` on Word files as editors write them."""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path

import docx
import pypdf
import pytest
import word_files
import yaml
from click.testing import CliRunner

from build import cli
from conftest import ace_violations, run_epubcheck
from helpers import words

RUNNER = CliRunner()


def _import(path: Path, folder: Path, *options: str):
    return RUNNER.invoke(cli, ["import", str(path), "--folder", str(folder), *options])


def _word_text(path: Path) -> str:
    """Every word of the Word file's body (tables included, captions and credits too)."""
    document = docx.Document(str(path))
    body = [paragraph.text for paragraph in document.paragraphs
            if paragraph.style.name != "Title"]
    for table in document.tables:
        body += [cell.text for row in table.rows for cell in row.cells]
    return " ".join(body)


def _epub_xhtml(path: Path) -> str:
    with zipfile.ZipFile(path) as archive:
        return " ".join(archive.read(name).decode("utf-8") for name in sorted(archive.namelist())
                        if name.endswith(".xhtml") and "nav" not in name)


def _plain(xhtml: str) -> str:
    return re.sub(r"<[^>]+>", " ", xhtml)


def _in_order(expected: list[str], found: list[str]) -> list[str]:
    """The words of `expected` missing from `found` (each in order after the previous)."""
    position, missing = 0, []
    for word in expected:
        try:
            position = found.index(word, position) + 1
        except ValueError:
            missing.append(word)
    return missing


@pytest.fixture(scope="module")
def site_visit(tmp_path_factory):
    folder = tmp_path_factory.mktemp("word")
    docx_path = word_files.site_visit(folder / "compte-rendu.docx")
    source = folder / "source"
    result = _import(docx_path, source, "--date", "2026-03-12")
    assert result.exit_code == 0, result.output
    return docx_path, source, result


def test_a_site_visit_becomes_a_source_check_passes(site_visit):
    _, source, result = site_visit
    name = source / "visite-du-quartier-fonderie.md"
    assert sorted(path.name for path in source.iterdir()) == [
        "visite-du-quartier-fonderie-1.jpg", "visite-du-quartier-fonderie-2.jpg",
        "visite-du-quartier-fonderie-3.jpg", "visite-du-quartier-fonderie.md"]
    assert "wrote" in result.output and "3 images" in result.output
    text = name.read_text(encoding="utf-8")
    front = yaml.safe_load(text.split("\n---\n")[0].removeprefix("---\n"))
    assert front == {
        "title": "Visite du quartier Fonderie", "date": dt.date(2026, 3, 12),
        "dateline": "Jeudi 12 mars 2026 – Mulhouse, site de la Fonderie",
        "abstract": "L'agence a organisé une visite de la **friche de la Fonderie** pour les "
                    "élus et les habitants du quartier.",
        "keywords": ["Friche industrielle", "Patrimoine", "Université"],
        "author": ["Anne Martin", "Paul Weber"], "colophon-date": "mars 2026", "lang": "fr"}
    assert "# La rédaction : un nom, ou une liste" in text  # commented as `new` writes it
    body = text.split("\n---\n", 1)[1]
    assert "# La friche et ses projets" in body.splitlines()
    assert "## Ce que les habitants demandent" in body.splitlines()
    assert ("Intervenants : **Marie DUPONT**, architecte ; **Karim BENALI**, chargé d'études"
            in body.splitlines())
    assert ('![La halle de coulée, côté cour](visite-du-quartier-fonderie-1.jpg){fig-alt="Une '
            'grande halle industrielle en briques, vue de la cour" credit="© AURM – J. Muller"}'
            in body)
    assert "![La cour, future place du quartier](visite-du-quartier-fonderie-2.jpg)" in body
    assert "Table: Population et logements du quartier" in body.splitlines()
    assert re.search(r"(?m)^\|-+\|-+:\|-+:\|-+:\|$", body), body  # numbers right-aligned
    assert "Source : INSEE, recensement 2021, traitement AURM" in body.splitlines()
    assert "> La ville se fait avec ceux qui l'habitent." in body.splitlines()
    assert "[le site de l'agence](https://www.aurm.org/fonderie)" in body
    assert re.search(r"(?m)^- Des cheminements piétons vers la gare\n +- un passage sous les "
                     r"voies\n +- un éclairage de la rue\n- Des jardins", body), body
    checked = RUNNER.invoke(cli, ["check", "--strict", str(name)])
    assert checked.exit_code == 0, checked.output
    assert checked.output.strip() == f"{name}: ok"


def test_a_site_visit_builds_strict_with_every_word(site_visit, tmp_path):
    docx_path, source, _ = site_visit
    name = source / "visite-du-quartier-fonderie.md"
    built = RUNNER.invoke(cli, ["all", "--strict", "--out", str(tmp_path), str(name)])
    assert built.exit_code == 0, built.output
    expected = words(_word_text(docx_path))
    pdf = " ".join(page.extract_text() for page in pypdf.PdfReader(tmp_path /
                                                                   "visite-du-quartier-fonderie.pdf").pages)
    xhtml = _epub_xhtml(tmp_path / "visite-du-quartier-fonderie.epub")
    for found in (pdf, _plain(xhtml)):
        stream = "".join(words(found))  # letters only: a word glued to the next still counts
        missing = {word for word in expected if word not in stream} - {"tableau", "photo"}
        assert not missing, missing  # (the labels 'Tableau 1 :', 'Photo :' are not kept)
    figures = [figure for figure in re.findall(r"<figure.*?</figure>", xhtml, re.S)
               if "<img" in figure]  # (a table is a figure too in the EPUB: its scroll box)
    assert len(figures) == 3
    assert all("<figcaption" in figure and 'alt="' in figure for figure in figures)
    assert "Une grande halle industrielle en briques" in figures[0]
    assert re.search(r"<(fig)?caption[^>]*>[^<]*Population et logements du quartier", xhtml)
    epub = tmp_path / "visite-du-quartier-fonderie.epub"  # valid, as every EPUB built is
    report = run_epubcheck(epub, tmp_path / "report.json")
    assert report["checker"]["nError"] == 0 and report["checker"]["nWarning"] == 0, \
        report["messages"]
    assert ace_violations(epub, tmp_path / "ace") == []


@pytest.mark.parametrize("make", [word_files.notes, word_files.endnotes])
def test_notes_lists_and_links_come_through(tmp_path, make):
    """Footnotes, and endnotes, are the notes of the source."""
    docx_path = make(tmp_path / "atelier.docx")
    result = _import(docx_path, tmp_path / "source", "--date", "2026-01-20")
    assert result.exit_code == 0, result.output
    text = (tmp_path / "source" / "atelier-sur-les-mobilites.md").read_text(encoding="utf-8")
    assert re.search(r"(?m)^\[\^1\]: +Adopté en 2024 par l.agglomération\.$", text), text
    assert "mobilité[^1]" in text and "continues[^2]" in text
    assert "[le plan](https://www.example.org/plan)" in text
    assert re.search(r"(?m)^ +1\. +une sous-étape$", text), text
    assert "> Une citation des participants." in text
    built = RUNNER.invoke(cli, ["epub", "--out", str(tmp_path / "out"),
                                str(tmp_path / "source" / "atelier-sur-les-mobilites.md")])
    assert built.exit_code == 0, built.output
    xhtml = _epub_xhtml(tmp_path / "out" / "atelier-sur-les-mobilites.epub")
    assert xhtml.count('epub:type="footnote"') == 2
    assert "Adopté en 2024" in xhtml


@pytest.mark.parametrize("lang", ["en", "de"])
def test_an_english_and_a_german_report(tmp_path, lang):
    docx_path = word_files.foreign(tmp_path / "report.docx", lang)
    result = _import(docx_path, tmp_path / "source", "--lang", lang, "--date", "2026-02-03")
    assert result.exit_code == 0, result.output
    [name] = (tmp_path / "source").glob("*.md")
    assert name.name == {"en": "cross-border-forum-on-transport.md",
                         "de": "grenzueberschreitendes-forum-verkehr.md"}[lang]
    text = name.read_text(encoding="utf-8")
    assert f"lang: {lang}" in text
    caption = {"en": "![The new tram stop at the border]", "de": "![Die neue Haltestelle an der "
               "Grenze]"}[lang]
    assert caption in text
    assert {"en": "Table: Passengers a day", "de": "Table: Fahrgäste pro Tag"}[lang] in text
    assert re.search(r"(?m)^\|-+:\|-+:\|$", text), text  # numbers right-aligned
    built = RUNNER.invoke(cli, ["pdf", "--out", str(tmp_path / "out"), str(name)])
    assert built.exit_code == 0, built.output


@pytest.mark.parametrize(("kind", "said"), [
    ("comments", "paragraph 3: comments dropped"),
    ("text boxes", "paragraph 3: text boxes: their text is set where they are anchored"),
    ("equations", "paragraph 3: equations kept as their TeX text"),
    ("colours", "paragraph 3: colours chosen by hand dropped"),
    ("fonts", "paragraph 3: fonts chosen by hand dropped"),
    ("SmartArt", "paragraph 3: SmartArt dropped"),
])
def test_what_does_not_translate_is_one_warning_at_its_paragraph(tmp_path, kind, said):
    docx_path = word_files.untranslated(tmp_path / "club.docx", kind)
    result = _import(docx_path, tmp_path / "source", "--date", "2026-05-04")
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.output.splitlines() if ": warning: " in line]
    assert len(warnings) == 1 and warnings[0].startswith(f"{docx_path}: warning: {said}"), \
        result.output
    [name] = (tmp_path / "source").glob("*.md")
    checked = RUNNER.invoke(cli, ["check", str(name)])
    assert checked.exit_code == 0, checked.output
    assert "La prochaine réunion aura lieu en juin." in name.read_text(encoding="utf-8")


def test_tracked_changes_are_refused_unless_accepted(tmp_path):
    docx_path = word_files.untranslated(tmp_path / "club.docx", "changes")
    refused = _import(docx_path, tmp_path / "source")
    assert refused.exit_code == 1
    assert refused.output.strip() == (
        f"Error: {docx_path}: paragraph 3: tracked changes (accept or reject them in Word, or "
        "import with --accept-changes to take them as they stand); nothing was written")
    assert not (tmp_path / "source").exists()
    accepted = _import(docx_path, tmp_path / "source", "--accept-changes")
    assert accepted.exit_code == 0, accepted.output
    text = next((tmp_path / "source").glob("*.md")).read_text(encoding="utf-8")
    assert "Texte ajouté." in text and "Texte retiré." not in text


@pytest.mark.parametrize(("kind", "said"), [
    ("corrupt", "is not a Word file (.docx) or is damaged (open it in Word and save it again "
                "as .docx)"),
    ("encrypted", "is protected by a password, or is an old Word file (.doc): open it in Word "
                  "and save it as .docx without a password"),
    ("text", "is not a Word file (.docx) or is damaged (open it in Word and save it again as "
             ".docx)"),
])
def test_a_file_that_is_not_a_readable_docx_is_one_clean_line(tmp_path, kind, said):
    docx_path = word_files.damaged(tmp_path / "rapport.docx", kind)
    result = _import(docx_path, tmp_path / "source")
    assert result.exit_code == 1
    assert result.output.strip() == f"Error: {docx_path}: {said}"
    assert not (tmp_path / "source").exists()


def test_import_never_replaces_a_file(tmp_path, site_visit):
    docx_path = site_visit[0]
    source = tmp_path / "source"
    source.mkdir()
    (source / "visite-du-quartier-fonderie-2.jpg").write_bytes(b"mine")
    result = _import(docx_path, source)
    assert result.exit_code == 1
    assert "visite-du-quartier-fonderie-2.jpg: already exists, and is left as it is" in result.output
    assert sorted(path.name for path in source.iterdir()) == ["visite-du-quartier-fonderie-2.jpg"]
    assert (source / "visite-du-quartier-fonderie-2.jpg").read_bytes() == b"mine"


def test_fields_the_file_does_not_give_are_todo_and_check_says_so(tmp_path):
    docx_path = word_files.untranslated(tmp_path / "club.docx", "fonts")
    _import(docx_path, tmp_path / "source", "--date", "2026-05-04")
    [name] = (tmp_path / "source").glob("*.md")
    checked = RUNNER.invoke(cli, ["check", str(name)])
    said = [line.split(": warning: ")[1] for line in checked.output.splitlines()]
    assert said == ["'dateline' still says TODO: write it (or remove the line)",
                    "'abstract' still says TODO: write it (or remove the line)",
                    "'keywords' still says TODO: write it (or remove the line)",
                    "'author' still says TODO: write it (or remove the line)"]
