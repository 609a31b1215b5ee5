"""A second editor's hour: the first commands, the checks, the rough edges between writing and handing out."""

from __future__ import annotations

import io
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree
from PIL import Image, ImageDraw

from blocnotes import epub, images
from blocnotes.epub import XHTML
from build import cli
from helpers import ROOT

# A Python that is not the project's .venv, without any site-packages (-S): like a newcomer's
# `python build.py` outside the venv.
BARE = [str(Path(sys.base_prefix) / "bin" / "python3"), "-S"]


def test_build_py_is_executable():
    assert os.stat(ROOT / "build.py").st_mode & stat.S_IXUSR
    done = subprocess.run([str(ROOT / "build.py"), "--help"], capture_output=True, text=True,
                          timeout=60, check=False)
    assert done.returncode == 0 and "Usage: build.py" in done.stdout, done.stderr


def test_build_py_from_another_python_runs_in_the_projects_venv():
    done = subprocess.run([*BARE, str(ROOT / "build.py"), "--help"], capture_output=True,
                          text=True, timeout=60, check=False)
    assert done.returncode == 0 and "Usage: build.py" in done.stdout, done.stderr


def test_build_py_without_a_venv_says_what_to_type(tmp_path):
    shutil.copy(ROOT / "build.py", tmp_path / "build.py")
    done = subprocess.run([*BARE, str(tmp_path / "build.py"), "--help"], capture_output=True,
                          text=True, timeout=60, check=False)
    assert done.returncode == 1
    assert done.stderr.strip() == ("build.py: the project's libraries are not installed here: "
                                   "type 'make' once (it makes .venv), then './build.py ...' or "
                                   "'make ...'")


@pytest.mark.parametrize(("title", "lang", "name"), [
    ("Grenzüberschreitende Zusammenarbeit", "de", "grenzueberschreitende-zusammenarbeit.md"),
    ("Die Straße der Zukunft", "de", "die-strasse-der-zukunft.md"),
    ("Öffentlicher Raum", "de", "oeffentlicher-raum.md"),
    ("Réunion à Mulhouse", "fr", "reunion-a-mulhouse.md"),
    ("Müller's Straße", "en", "muller-s-strasse.md"),
])
def test_new_names_the_file_as_the_language_writes_it_in_ascii(tmp_path, title, lang, name):
    result = CliRunner().invoke(cli, ["new", title, "--lang", lang, "--date", "2024-03-05",
                                      "--folder", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert [path.name for path in tmp_path.iterdir()] == [name]


def test_two_authors_on_one_line_warn_with_the_list_form(tmp_path):
    path = tmp_path / "x.md"
    path.write_text("---\ntitle: Essai\ndate: 2024-03-05\nauthor: Anne Martin, Paul Weber\n---\n\n"
                    "Du texte.\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["check", str(path)])
    assert result.output.strip() == (
        f"{path}:4: warning: 'author' is one name, 'Anne Martin, Paul Weber': for 2 authors, "
        "write one per line under 'author:' ('  - Anne Martin' '  - Paul Weber')")


def test_front_matter_errors_do_not_hide_the_texts(tmp_path):
    """Every mistake in one run: a misspelt field used to hide the missing image below it
    until the field was fixed and the build run again."""
    path = tmp_path / "x.md"
    path.write_text("---\ntitle: Essai\ndate: 2024-03-05\nauteur: Anne Martin\n---\n\n"
                    "Du texte.\n\n![Le plan](plan.png)\n", encoding="utf-8")
    for command in ("check", "pdf"):
        result = CliRunner().invoke(cli, [command, str(path), "--out", str(tmp_path / "out")]
                                    if command == "pdf" else [command, str(path)])
        assert result.exit_code == 1
        lines = result.output.strip().splitlines()
        assert lines[0].endswith(f"{path}:4: unknown field 'auteur' (did you mean 'author'?)")
        assert f"{path}:9: image 'plan.png' not found" in lines[1], lines
        assert len(lines) == 2


def test_a_page_break_marker_never_lands_inside_a_link():
    """A page of the PDF that begins inside a link's text: the EPUB's marker goes before the
    link (it used to split the link's text, inside the link)."""
    text = f'<p xmlns="{XHTML}">Voir <a href="https://x.example">le site de l\'agence</a> ici.</p>'
    for offset, next_to_link in ((5, True), (8, True), (24, False)):
        block = etree.fromstring(text)
        marker = etree.Element(f"{{{XHTML}}}span", id="page-2")
        epub._insert_at(block, offset, marker)
        assert marker.getparent() is block
        assert (marker.getnext() is block.find(f"{{{XHTML}}}a")) is next_to_link
        assert "".join(block.itertext()) == "Voir le site de l'agence ici."


def _map_png() -> bytes:
    """A flat map: a few colours, thin lines (what resampling makes heavier)."""
    picture = Image.new("RGB", (2400, 1000), "white")
    draw = ImageDraw.Draw(picture)
    for x in range(0, 2400, 37):
        draw.line([(x, 0), (2400 - x, 1000)], fill=(30, 90, 60), width=3)
    for y in range(0, 1000, 50):
        draw.rectangle([y * 2, y, y * 2 + 120, y + 40], fill=(200, 40, 40))
    output = io.BytesIO()
    picture.convert("P", palette=Image.Palette.ADAPTIVE, colors=8).save(output, "PNG")
    return output.getvalue()


def test_a_map_is_never_made_heavier_by_resampling():
    """A 2400 x 1000 PNG map printed 12 cm wide: its resampled PNG weighed twice the file;
    the screen PDF keeps its pixels when that is lighter (metadata still removed); the EPUB's
    limit still reduces it."""
    data = _map_png()
    screen = images.prepare(data, images.at_ppi(120, 50, images.SCREEN_PPI, images.SCREEN_QUALITY))
    assert len(screen.data) <= len(data)
    assert screen.size == (2400, 1000)
    resampled = images.prepare(data, images.replace(images.at_ppi(120, 50, images.SCREEN_PPI,
                                                                  images.SCREEN_QUALITY),
                                                    limit=True))
    assert resampled.size == (943, 393) and len(resampled.data) > len(data)
    assert max(images.prepare(data, images.EPUB).size) == images.EPUB_LONG_SIDE
