"""The Makefile rebuilds an output only when one of its inputs changed."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time

from PIL import Image

from helpers import ROOT


def _make(folder, *targets: str) -> str:
    # The copy's make on its own, as a user runs it, even under `make test`: not a sub-make
    # of ours (which prints "Entering directory" and passes our flags down).
    env = {name: value for name, value in os.environ.items()
           if name not in ("MAKELEVEL", "MAKEFLAGS", "MFLAGS", "MAKEOVERRIDES")}
    env["PYTHONWARNINGS"] = "ignore"
    # The copy uses this project's Python; its own VENV holds only the install stamp.
    variables = [f"PY={sys.executable}", f"VENV={folder / 'venv-stamp'}"]
    result = subprocess.run(["make", *variables, *targets], cwd=folder, capture_output=True,
                            text=True, env=env, timeout=600, check=True)
    assert "make: warning" not in result.stderr.lower(), result.stderr  # no clock skew, no loop
    return result.stdout


SMALL = """---
title: Atelier mobilité douce
date: 2021-03-12
---

# Le débat

![Plan des pistes cyclables](plan.png)

Texte du débat.
"""
OLD = time.time() - 3600


def _project(folder):
    """A copy of the project with two short sources (one with an image), every file an hour
    old."""
    for name in ("Makefile", "build.py", "pyproject.toml"):
        shutil.copy(ROOT / name, folder / name)
    for name in ("blocnotes", "styles", "languages"):
        shutil.copytree(ROOT / name, folder / name, ignore=shutil.ignore_patterns("__pycache__"))
    (folder / "source").mkdir()
    shutil.copy(ROOT / "source" / "agency.yaml", folder / "source" / "agency.yaml")
    (folder / "source" / "atelier.md").write_text(SMALL, encoding="utf-8")
    (folder / "source" / "forum.md").write_text(  # short sources: the rules are tested, not speed
        SMALL.replace("Atelier mobilité douce", "Forum").replace("![Plan des pistes cyclables]"
                                                                  "(plan.png)", ""),
        encoding="utf-8")
    Image.new("RGB", (120, 80), (0, 91, 112)).save(folder / "source" / "plan.png")
    stamp = folder / "venv-stamp" / ".installed"  # installed after pyproject.toml changed
    stamp.parent.mkdir()
    stamp.touch()
    for path in folder.rglob("*"):
        os.utime(path, (OLD, OLD))
    os.utime(stamp, (OLD + 60, OLD + 60))


def _settle(folder) -> dict[str, int]:
    """Date the inputs an hour back and the outputs just after them: an input touched now is
    newer than every output, without waiting for the clock. Returns each output's date, to
    see what changes."""
    for path in folder.rglob("*"):
        when = OLD + 120 if "dist" in path.relative_to(folder).parts else OLD
        os.utime(path, (when, when))
    os.utime(folder / "venv-stamp" / ".installed", (OLD + 60, OLD + 60))
    return {path.name: path.stat().st_mtime_ns for path in (folder / "dist").iterdir()
            if path.is_file()}


def _rebuilt(folder, before: dict[str, int]) -> set[str]:
    return {path.name for path in (folder / "dist").iterdir()
            if path.is_file() and path.stat().st_mtime_ns != before.get(path.name)}


def _one_run(output: str, documents: int) -> None:
    """One build.py run did it: one total line, and a progress line per document."""
    assert output.count("built ") == 1, output
    assert f"built {documents} of {documents} documents" in output
    for number in range(1, documents + 1):
        assert f"[{number}/{documents}] wrote" in output


def test_make_builds_what_is_due_in_one_run(tmp_path):
    _project(tmp_path)
    first = _make(tmp_path)
    _one_run(first, 2)
    assert _rebuilt(tmp_path, {}) == {"forum.pdf", "atelier.pdf",
                                      "forum.epub", "atelier.epub"}
    assert "[1/2] wrote dist/" in first and ".pdf, dist/" in first  # PDF and EPUB together
    built = _settle(tmp_path)
    for goal in ("pdf", "epub", "all"):  # each goal alone does nothing, silently
        assert _make(tmp_path, goal) == ""
    assert _rebuilt(tmp_path, built) == set()

    # One source edited: its outputs only.
    (tmp_path / "source" / "atelier.md").touch()
    assert "[1/1] wrote dist/atelier.pdf, dist/atelier.epub" in _make(tmp_path, "pdf", "epub")
    assert _rebuilt(tmp_path, built) == {"atelier.pdf", "atelier.epub"}

    # An image beside a source, edited: that source's outputs only (make learns the images
    # from the build's records, dist/.build/*.d).
    built = _settle(tmp_path)
    Image.new("RGB", (120, 80), (200, 30, 30)).save(tmp_path / "source" / "plan.png")
    _make(tmp_path)
    assert _rebuilt(tmp_path, built) == {"atelier.pdf", "atelier.epub"}

    # A style: every output made with it, in one run, with the workers make -jN asks for.
    built = _settle(tmp_path)
    (tmp_path / "styles" / "bloc-notes" / "epub.css").touch()
    again = _make(tmp_path, "-j1", "pdf", "epub")
    _one_run(again, 2)
    assert "(1 at once)" in again
    assert _rebuilt(tmp_path, built) == {"forum.epub", "atelier.epub"}
    built = _settle(tmp_path)
    (tmp_path / "styles" / "bloc-notes" / "print.css").touch()  # the PDF, and the EPUB's page list
    _one_run(_make(tmp_path), 2)
    assert _rebuilt(tmp_path, built) == {"forum.pdf", "atelier.pdf",
                                         "forum.epub", "atelier.epub"}
    built = _settle(tmp_path)
    (tmp_path / "source" / "agency.yaml").touch()
    assert _make(tmp_path, "-s") == ""  # make -s: build.py -q
    assert len(_rebuilt(tmp_path, built)) == 4

    # Another style's file: nothing (both sources are in the default style)...
    built = _settle(tmp_path)
    (tmp_path / "styles" / "observatoire" / "print.css").touch()
    assert _make(tmp_path) == ""
    # ...until a source chooses it: that source, then its style's files make it due alone.
    atelier = tmp_path / "source" / "atelier.md"
    atelier.write_text(SMALL.replace("title:", "style: observatoire\ntitle:"), encoding="utf-8")
    _make(tmp_path)
    assert _rebuilt(tmp_path, built) == {"atelier.pdf", "atelier.epub"}
    built = _settle(tmp_path)
    (tmp_path / "styles" / "observatoire" / "epub.css").touch()
    _make(tmp_path)
    assert _rebuilt(tmp_path, built) == {"atelier.epub"}
    built = _settle(tmp_path)
    (tmp_path / "styles" / "observatoire" / "print.css").touch()  # its own: atelier's only
    _make(tmp_path)
    assert _rebuilt(tmp_path, built) == {"atelier.pdf", "atelier.epub"}
    built = _settle(tmp_path)
    (tmp_path / "styles" / "bloc-notes" / "print.css").touch()  # the Observatoire's base too
    _make(tmp_path)
    assert _rebuilt(tmp_path, built) == {"forum.pdf", "forum.epub", "atelier.pdf",
                                         "atelier.epub"}


def test_make_print_and_dist(tmp_path):
    _project(tmp_path)
    _one_run(_make(tmp_path, "print"), 2)
    built = _settle(tmp_path)
    assert _rebuilt(tmp_path, built) == set()
    assert _make(tmp_path, "print") == ""
    (tmp_path / "styles" / "bloc-notes" / "print-shop.css").touch()
    _one_run(_make(tmp_path, "pdf", "epub", "print"), 2)
    # the screen PDFs and EPUBs were due (never built); the print PDFs for the style
    assert _rebuilt(tmp_path, built) == {
        "forum-impression.pdf", "atelier-impression.pdf",
        "forum.pdf", "atelier.pdf", "forum.epub",
        "atelier.epub"}
    built = _settle(tmp_path)
    # dist reuses all of them (judged by their inputs' contents) and lays out dist/site/
    laid = _make(tmp_path, "dist")
    assert "wrote" not in laid and "2 of 2 documents reused" in laid
    assert _rebuilt(tmp_path, built) == set()
    assert (tmp_path / "dist" / "site" / "2021-03-12-atelier.epub").read_bytes() == (
        tmp_path / "dist" / "atelier.epub").read_bytes()


def test_suite_reads_nothing_outside_the_repository():
    """A user's clone stands alone in its folder: no test or module may read beside it."""
    tracked = subprocess.run(["git", "ls-files", "*.py", "Makefile", ".ci/*"], cwd=ROOT,
                             capture_output=True, text=True, check=True).stdout.split()
    outside = re.compile(r"\.\./shared|ROOT\.parent|parent\.parent\s*/\s*\"shared\"")
    offenders = [name for name in tracked
                 if outside.search((ROOT / name).read_text(encoding="utf-8"))
                 and name != "tests/test_makefile.py"]
    assert offenders == []
    assert (ROOT / "tests" / "fixtures" / "seed-reference.txt").is_file()


LARGE_ROW = '''
LARGE = Edition("large", "pdf", ("print.css", "large.css"), "{slug}-gros.pdf",
                pdf_variant=SETTINGS_VARIANT, goal="large", handed_out=True,
                media_type=PDF_TYPE, offered="PDF en gros caractères",
                command="Build the large-print PDF of each source.")
'''


def test_an_edition_is_a_row(tmp_path):
    """A new edition (a large-print PDF) is a row of the editions table and its stylesheet,
    nothing else: make builds it by its goal, `build.py` has its command, `dist` hands it
    out and offers it on the series' page and in the feed, and a change to its stylesheet
    makes it, and only it, due."""
    _project(tmp_path)
    table = tmp_path / "blocnotes" / "editions.py"
    text = table.read_text(encoding="utf-8")
    rows = "EDITIONS = (SCREEN, PRESS, EPUB, HTML, WEB, ARTICLE)"
    assert rows in text
    table.write_text(text.replace(rows, LARGE_ROW + rows.replace("EPUB,", "EPUB, LARGE,")),
                     encoding="utf-8")
    (tmp_path / "styles" / "bloc-notes" / "large.css").write_text(
        "html { font-size: 150% }\n", encoding="utf-8")
    for path in (table, tmp_path / "styles" / "bloc-notes" / "large.css"):
        os.utime(path, (OLD, OLD))

    _one_run(_make(tmp_path, "large"), 2)
    assert _rebuilt(tmp_path, {}) == {"atelier-gros.pdf", "forum-gros.pdf"}
    _one_run(_make(tmp_path, "print"), 2)  # and `make` alone: the default editions only
    assert _rebuilt(tmp_path, {}) == {"atelier-gros.pdf", "forum-gros.pdf",
                                      "atelier-impression.pdf", "forum-impression.pdf"}
    _one_run(_make(tmp_path), 2)
    assert "atelier-gros.pdf" in subprocess.run(
        [sys.executable, "build.py", "large", "source/atelier.md"], cwd=tmp_path, check=True,
        capture_output=True, text=True).stdout

    built = _settle(tmp_path)
    (tmp_path / "styles" / "bloc-notes" / "large.css").touch()
    _one_run(_make(tmp_path, "pdf", "epub", "print", "large"), 2)
    assert _rebuilt(tmp_path, built) == {"atelier-gros.pdf", "forum-gros.pdf"}

    built = _settle(tmp_path)
    laid = _make(tmp_path, "dist")  # every output reused, the new one handed out
    assert "2 of 2 documents reused" in laid and _rebuilt(tmp_path, built) == set()
    site = tmp_path / "dist" / "site"
    assert (site / "2021-03-12-atelier-gros.pdf").read_bytes() == (
        tmp_path / "dist" / "atelier-gros.pdf").read_bytes()
    assert "2021-03-12-atelier-gros.pdf" in (site / "SHA256SUMS").read_text(encoding="utf-8")
    page = (site / "index.html").read_text(encoding="utf-8")
    assert re.search(r'href="2021-03-12-atelier-gros.pdf" download>PDF en gros caractères', page)
    assert 'href="2021-03-12-atelier-gros.pdf"' in (site / "feed.atom").read_text(encoding="utf-8")
