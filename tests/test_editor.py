"""An editor alone: `new` starts a document, every mistake is heard at once and at its line,
warnings that mean visible damage are printed by every build, and --strict means it."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from blocnotes import frontmatter, markup
from blocnotes.errors import Diagnostic
from build import cli
from conftest import run_epubcheck
from helpers import ROOT

CONTROL = re.compile("[\x00-\x08\x0b-\x1f\ufffd]")


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def _write(folder: Path, text: str, name: str = "x.md") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


# --- new ---------------------------------------------------------------------------------

@pytest.mark.parametrize("lang", ["fr", "en", "de"])
def test_new_writes_a_source_that_check_passes(runner, tmp_path, lang):
    folder = tmp_path / "source"
    result = runner.invoke(cli, ["new", "Bilan : la mobilité en 2024", "--date", "2024-03-05",
                                 "--lang", lang, "--folder", str(folder)])
    assert result.exit_code == 0, result.output
    path = folder / "bilan-la-mobilite-en-2024.md"
    text = path.read_text(encoding="utf-8")
    assert text.startswith("---\n")
    for field in ("title", "date", "dateline", "abstract", "keywords", "author", "colophon-date",
                  "lang", "subtitle", "description"):
        assert re.search(rf"^#? ?{field}:", text, re.MULTILINE), field
    assert f"\nlang: {lang}\n" in text and "\ndate: 2024-03-05\n" in text
    assert "title: 'Bilan : la mobilité en 2024'" in text  # quoted: it holds ' : '
    check = runner.invoke(cli, ["check", str(path)])
    assert check.exit_code == 0 and check.output.strip() == f"{path}: ok", check.output


def test_new_never_overwrites(runner, tmp_path):
    arguments = ["new", "Essai", "--date", "2024-03-05", "--folder", str(tmp_path)]
    assert runner.invoke(cli, arguments).exit_code == 0
    (tmp_path / "essai.md").write_text("mon texte", encoding="utf-8")
    result = runner.invoke(cli, arguments)
    assert result.exit_code == 1
    assert result.output.strip() == (f"Error: {tmp_path / 'essai.md'}: already exists, and is left "
                                     "as it is (choose another title, or edit that file)")
    assert (tmp_path / "essai.md").read_text(encoding="utf-8") == "mon texte"


def test_new_document_builds_valid_outputs(runner, tmp_path):
    folder, out = tmp_path / "source", tmp_path / "dist"
    assert runner.invoke(cli, ["new", "Atelier vélo", "--date", "2024-05-02",
                               "--folder", str(folder)]).exit_code == 0
    result = runner.invoke(cli, ["all", "--strict", "--out", str(out),
                                 str(folder / "atelier-velo.md")])
    assert result.exit_code == 0, result.output
    report = run_epubcheck(out / "atelier-velo.epub", tmp_path / "report.json")
    assert report["checker"]["nError"] == 0 and report["checker"]["nWarning"] == 0, report["messages"]


def test_make_new_passes_any_title_safely(tmp_path):
    """`make new TITLE=...`: quotes, an apostrophe and a dollar reach the title untouched,
    and the shell's LANG (a locale) is not taken for the document's language."""
    for name in ("Makefile", "build.py", "pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, tmp_path / name)
    shutil.copytree(ROOT / "blocnotes", tmp_path / "blocnotes")
    shutil.copytree(ROOT / "styles", tmp_path / "styles")
    shutil.copytree(ROOT / "languages", tmp_path / "languages")
    (tmp_path / ".venv").symlink_to(ROOT / ".venv")
    (tmp_path / ".venv" / ".installed").exists() or pytest.fail("no .venv/.installed")
    env = {**os.environ, "LANG": "C.UTF-8", "PYTHONWARNINGS": "ignore"}
    title = "L'atelier \"vélo\" à $5 `date`"
    made = subprocess.run(["make", "-s", "new", f"TITLE={title}", "DATE=2024-05-02"],
                          cwd=tmp_path, env=env, check=False, capture_output=True, text=True)
    assert made.returncode == 0, made.stderr
    made = tmp_path / "source" / "l-atelier-velo-a-5-date.md"
    text = made.read_text(encoding="utf-8")
    assert "\nlang: fr\n" in text
    assert frontmatter.parse_yaml(text.split("---\n")[1], made, 2).values["title"] == title


# --- every mistake at once, each at its line --------------------------------------------

FRENCH_NAMES = {"titre": "title", "sous-titre": "subtitle", "auteur": "author",
                "mots-clés": "keywords", "résumé": "abstract", "langue": "lang",
                "date-colophon": "colophon-date"}


@pytest.mark.parametrize(("typed", "meant"), FRENCH_NAMES.items())
def test_french_field_names_get_a_suggestion(runner, tmp_path, typed, meant):
    path = _write(tmp_path, f"---\ntitle: Essai\ndate: 2021-05-06\n{typed}: x\n---\n\nTexte.\n")
    result = runner.invoke(cli, ["check", str(path)])
    assert result.exit_code == 1
    assert f"{path}:4: unknown field '{typed}' (did you mean '{meant}'?)" in result.output


def test_every_front_matter_mistake_in_one_run(runner, tmp_path):
    path = _write(tmp_path, "---\ntitre: Essai\ndate: 29/09/2020\nmots-clés:\n  - A\n"
                            "auteur: Moi\nlang: français\nkeywords: 42\n---\n\n# Partie\n")
    result = runner.invoke(cli, ["all", "--out", str(tmp_path / "out"), str(path)])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert [line.split(": ", 2)[1] for line in lines] == [f"{path}:{n}" for n in (2, 3, 4, 6, 7, 8)]
    assert all(line.startswith("Error: ") for line in lines)
    assert "no 'title'" not in result.output  # 'titre' already says it
    assert not (tmp_path / "out").exists()


def test_keywords_on_one_line_warn_with_the_list_form(runner, tmp_path):
    path = _write(tmp_path, "---\ntitle: Essai\ndate: 2021-05-06\nkeywords: Mobilité, Habitat, "
                            "Énergie\n---\n\nTexte.\n")
    result = runner.invoke(cli, ["check", str(path)])
    assert result.exit_code == 0
    assert (f"{path}:4: warning: 'keywords' is one keyword, 'Mobilité, Habitat, Énergie': for 3 "
            "keywords, write one per line under 'keywords:' ('  - Mobilité' '  - Habitat' "
            "'  - Énergie')") in result.output


# --- lint without false alarms ------------------------------------------------------------

SESSIONS = """---
title: Essai
date: 2021-05-06
---

# Première table ronde

Texte.

## Les questions de la salle

Texte.

# Deuxième table ronde

```
# not a heading: code
```

## Les questions de la salle

Texte.

Première table ronde
====================

Texte.
"""


def test_repeated_sub_headings_are_fine_repeated_sections_warn_at_their_line(runner, tmp_path):
    path = _write(tmp_path, SESSIONS)
    result = runner.invoke(cli, ["check", str(path)])
    assert result.output.strip().splitlines() == [
        f"{path}:24: warning: two sections are titled 'Première table ronde': the table of "
        "contents shows the same line twice (rename one)"]


def test_heading_lines_follow_the_source():
    assert markup.heading_lines(SESSIONS.split("---\n", 2)[2], 5) == [6, 10, 14, 20, 24]


def test_missing_anchor_suggests_a_heading_of_this_document(runner, tmp_path):
    path = _write(tmp_path, "---\ntitle: Report\ndate: 2021-05-06\nlang: en\n---\n\n"
                            "# Opening talk\n\nSee [the summary](#sumary).\n\n# Summary\n\nText.\n")
    result = runner.invoke(cli, ["check", str(path)])
    assert (f"{path}:9: error: link 'the summary' points to '#sumary', which is nowhere in the "
            "text (use the id of a heading, e.g. #summary)") in result.output
    assert "pour-en-savoir-plus" not in result.output


def test_missing_anchor_without_headings_gives_no_made_up_example(runner, tmp_path):
    path = _write(tmp_path, "---\ntitle: Report\ndate: 2021-05-06\n---\n\nSee [x](#nowhere).\n")
    result = runner.invoke(cli, ["check", str(path)])
    assert "e.g." not in result.output and f"{path}:6: error:" in result.output


def test_reference_style_links_and_images_are_reported_at_their_line(runner, tmp_path):
    path = _write(tmp_path, "---\ntitle: Essai\ndate: 2021-05-06\n---\n\n# Partie\n\n"
                            "Voir ![le logo][logo] et [le site][site].\n\n"
                            "[logo]: absent.png\n[site]: #nulle-part\n")
    result = runner.invoke(cli, ["check", str(path)])
    lines = result.output.strip().splitlines()
    assert any(line.startswith(f"{path}:10: error: image 'absent.png' not found") for line in lines)
    assert any(line.startswith(f"{path}:11: error: link 'le site'") for line in lines)
    assert not any(line.startswith(f"{path}:1:") for line in lines)


# --- warnings an editor sees --------------------------------------------------------------

PLACEHOLDER = "---\ntitle: Essai\ndate: 2021-05-06\n---\n\n# Partie\n\nVoir [le site](#).\n"


def test_every_build_prints_warnings_and_quiet_silences_them(tmp_path):
    path = _write(tmp_path, PLACEHOLDER)
    command = [sys.executable, str(ROOT / "build.py")]
    shown = subprocess.run([*command, "epub", "--out", str(tmp_path / "a"), str(path)],
                           capture_output=True, text=True, check=True)
    assert (f"{path}:8: warning: link 'le site' has no target yet ('#'): put its address "
            "between the parentheses") in shown.stderr.splitlines()
    quiet = subprocess.run([*command, "-q", "epub", "--out", str(tmp_path / "b"), str(path)],
                           capture_output=True, text=True, check=True)
    assert quiet.stderr == "" and quiet.stdout == ""
    assert (tmp_path / "b" / "x.epub").is_file()


def test_strict_fails_on_every_warning_and_writes_nothing(runner, tmp_path):
    path = _write(tmp_path, PLACEHOLDER)
    result = runner.invoke(cli, ["epub", "--strict", "--out", str(tmp_path / "out"), str(path)])
    assert result.exit_code == 1
    assert result.output.strip() == (f"Error: {path}:8: link 'le site' has no target yet ('#'): "
                                      "put its address between the parentheses")
    assert not (tmp_path / "out").exists()


def test_strict_fails_on_the_renderers_warnings_too(runner, tmp_path, monkeypatch):
    from blocnotes import pipeline

    real = pipeline.make_pdf

    def warned(*args, **kwargs):
        data, warnings, starts = real(*args, **kwargs)
        return data, [*warnings, Diagnostic(path, None, "renderer: something was dropped")], starts

    monkeypatch.setattr(pipeline, "make_pdf", warned)
    path = _write(tmp_path, "---\ntitle: Essai\ndate: 2021-05-06\n---\n\n# Partie\n\nTexte.\n")
    out = tmp_path / "out"
    lenient = runner.invoke(cli, ["pdf", "--out", str(out / "a"), str(path)])
    assert lenient.exit_code == 0
    assert f"{path}: warning: renderer: something was dropped" in lenient.output
    strict = runner.invoke(cli, ["pdf", "--strict", "--out", str(out / "b"), str(path)])
    assert strict.exit_code == 1
    assert f"Error: {path}: renderer: something was dropped" in strict.output
    assert not (out / "b" / "x.pdf").exists()


def test_a_character_no_font_has_is_a_warning_of_every_build(runner, tmp_path):
    path = _write(tmp_path, "---\ntitle: Essai\ndate: 2021-05-06\n---\n\n# Partie\n\n"
                            "Un signe \U0001d11e ici.\n")
    result = runner.invoke(cli, ["epub", "--out", str(tmp_path / "out"), str(path)])
    assert result.exit_code == 0
    assert f"{path}:8: warning: character '\U0001d11e' (U+1D11E MUSICAL SYMBOL G CLEF)" in result.output


# --- no garbage from the Markdown library -------------------------------------------------

def test_escaped_autolink_leaves_no_placeholder_in_href_or_text(tmp_path):
    html = markup.to_html("Écrire à <foo\\+@bar.example.com>, \x02 &#2; fin.")
    assert not CONTROL.search(html.replace("\n", ""))
    assert 'href="mailto:foo+@bar.example.com"' in html and "&#2;" not in html


def test_definition_without_term_after_heading_is_valid_xhtml(runner, tmp_path):
    path = _write(tmp_path, "---\ntitle: Essai\ndate: 2021-05-06\n---\n\n# Partie {#p .x}\n"
                            ":   une définition sans terme\n\nTerme\n:   sa définition\n\n"
                            "Écrire à <foo\\+@bar.example.com>.\n")
    out = tmp_path / "out"
    assert runner.invoke(cli, ["epub", "--out", str(out), str(path)]).exit_code == 0
    with zipfile.ZipFile(out / "x.epub") as epub:
        chapter = epub.read("EPUB/chapitre-01.xhtml").decode("utf-8")
    assert "<dl>\n<dt>Terme</dt>" in chapter and "une définition sans terme" in chapter
    assert not CONTROL.search(chapter.replace("\n", "").replace("\t", ""))
    report = run_epubcheck(out / "x.epub", tmp_path / "report.json")
    assert report["checker"]["nError"] == 0 and report["checker"]["nWarning"] == 0, report["messages"]


def test_notes_called_from_a_heading_build(runner, tmp_path):
    """Three notes called from a heading with no text under it (found by the fuzzer): the PDF
    layout crashed; they stay at the section's end."""
    path = _write(tmp_path, "---\ntitle: T\ndate: 2021-04-05\nlang: de\n---\n\n"
                            "## [^n1] **gras** [^n2] [^n3] AURM\n\n[^n1]: une\n\n[^n2]: deux\n\n"
                            "[^n3]: trois\n")
    result = runner.invoke(cli, ["pdf", "--out", str(tmp_path / "out"), str(path)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "x.pdf").is_file()
