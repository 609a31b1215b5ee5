"""The command line: help everywhere, exit codes, one-line errors, a real end-to-end run."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from click.testing import CliRunner

from blocnotes import __version__
from build import cli
from helpers import ROOT, SOURCE

COMMANDS = ["pdf", "epub", "all", "html", "new", "import", "check", "dist", "outputs", "watch", "clean",
            "editions"]
MINIMAL = "---\ntitle: Essai\ndate: 2021-05-06\n---\n\n# Partie\n\nUn texte court.\n"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_the_list_of_commands_is_complete():
    assert sorted(cli.commands) == sorted(COMMANDS)


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(runner, command):
    result = runner.invoke(cli, [command, "--help"])
    assert result.exit_code == 0
    assert result.output.startswith(f"Usage: cli {command} ")
    description = result.output.split("\n\n", 2)[1].strip()
    assert len(description) > 20, result.output  # says what the command does


def test_version(runner):
    result = runner.invoke(cli, ["--version"])
    assert result.exit_code == 0 and __version__ in result.output


def test_unknown_option_is_usage_error(runner):
    assert runner.invoke(cli, ["pdf", "--nope"]).exit_code == 2


def test_check_seed_reports_placeholders_and_date(runner):
    result = runner.invoke(cli, ["check", str(SOURCE)])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    # The eight links of its further reading still to be found: one line, not eight that
    # would bury a newcomer's own messages.
    assert lines == [
        f"{SOURCE}:11: warning: colophon date 'oct 2019' is earlier than the event (2020-09-29): "
        "check 'colophon-date'",
        f"{SOURCE}:12: warning: 8 links have no target yet ('#': 'Web' and 7 others, lines 12, "
        "58–64): put each address between the parentheses"]


def test_check_strict_fails_on_warnings(runner):
    assert runner.invoke(cli, ["check", "--strict", str(SOURCE)]).exit_code == 1


def test_bad_input_exits_1_with_one_line_naming_the_file(runner, tmp_path):
    bad = tmp_path / "bad.md"
    bad.write_text("---\ntitle: T\ndate: pas une date\n---\n", encoding="utf-8")
    result = runner.invoke(cli, ["epub", "--out", str(tmp_path / "out"), str(bad)])
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        f"Error: {bad}:3: 'date' is not a date: 'pas une date' "
        "(write it as YYYY-MM-DD, e.g. 2020-09-29)"
    )
    assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_every_source_is_tried(runner, tmp_path, jobs):
    """Also with worker processes: an error comes back from a worker as one line."""
    bad, good = tmp_path / "a-bad.md", tmp_path / "b-good.md"
    bad.write_text("---\ntitle: X\ndate: 29/09/2020\n---\n\n# A\n\nTexte.\n", encoding="utf-8")
    good.write_text(MINIMAL, encoding="utf-8")
    result = runner.invoke(cli, ["epub", "--jobs", jobs, "--out", str(tmp_path / "out"), str(bad),
                                 str(good)])
    assert result.exit_code == 1
    assert (tmp_path / "out" / "b-good.epub").is_file()
    assert result.stderr.strip() == f"Error: {bad}:3: 'date' is not a date: '29/09/2020' " \
                                    "(write it as YYYY-MM-DD, e.g. 2020-09-29)"


def test_failed_build_keeps_the_previous_output(runner, tmp_path):
    source = tmp_path / "doc.md"
    source.write_text(MINIMAL, encoding="utf-8")
    out = tmp_path / "out"
    assert runner.invoke(cli, ["epub", "--out", str(out), str(source)]).exit_code == 0
    before = (out / "doc.epub").read_bytes()
    source.write_text(MINIMAL.replace("date: 2021-05-06", "date: demain"), encoding="utf-8")
    assert runner.invoke(cli, ["epub", "--out", str(out), str(source)]).exit_code == 1
    assert (out / "doc.epub").read_bytes() == before
    # no temporary file either (the build's working folders, .build and the caches, may be)
    assert sorted(p.name for p in out.iterdir() if not p.is_dir()) == ["doc.epub"]


def test_missing_image_is_an_error(runner, tmp_path):
    source = tmp_path / "doc.md"
    source.write_text(MINIMAL + "\n![Plan du quartier](plan.png)\n", encoding="utf-8")
    result = runner.invoke(cli, ["pdf", "--out", str(tmp_path / "out"), str(source)])
    assert result.exit_code == 1
    assert f"{source}:10: image 'plan.png' not found" in result.stderr


def test_unwritable_out_is_an_error(runner, tmp_path):
    source = tmp_path / "doc.md"
    source.write_text(MINIMAL, encoding="utf-8")
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = runner.invoke(cli, ["epub", "--out", str(blocker / "out"), str(source)])
    assert result.exit_code == 1
    assert "cannot write" in result.stderr


def test_clean_removes_outputs_only(runner, tmp_path):
    out = tmp_path / "dist"
    out.mkdir()
    (out / "a.pdf").write_bytes(b"%PDF")
    (out / ".a.pdf.0123abcd.part").write_bytes(b"%PDF")  # left by a killed build
    (out / ".pages").mkdir()
    (out / ".pages" / "a.json").write_text("{}")
    (out / "keep.txt").write_text("x")
    for cache in (".pages", ".images"):
        (out / cache).mkdir(exist_ok=True)
        (out / cache / "entry").write_bytes(b"x")
    (out / ".keep").write_text("x")
    assert runner.invoke(cli, ["clean", "--out", str(out)]).exit_code == 0
    assert sorted(p.name for p in out.iterdir()) == [".keep", "keep.txt"]


def test_end_to_end_from_another_folder(tmp_path):
    """A real process, run from elsewhere, with a source outside the project."""
    source = tmp_path / "ailleurs" / "note.md"
    source.parent.mkdir()
    source.write_text(MINIMAL, encoding="utf-8")
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    result = subprocess.run(
        [sys.executable, str(ROOT / "build.py"), "all", "--out", str(tmp_path / "out"),
         str(source)],
        cwd=tmp_path, capture_output=True, text=True, env=env, timeout=300, check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    for suffix in (".pdf", ".epub"):
        assert (tmp_path / "out" / f"note{suffix}").stat().st_size > 1000
    assert "wrote" in result.stdout


def test_html_command_writes_the_pdf_html(runner, tmp_path):
    result = runner.invoke(cli, ["html", "--out", str(tmp_path), str(SOURCE)])
    assert result.exit_code == 0, result.output
    html = (tmp_path / "smart-city-tour-mulhouse.html").read_text(encoding="utf-8")
    assert '<html xmlns="http://www.w3.org/1999/xhtml" lang="fr"' in html
    assert "@font-face" in html


def test_help_does_not_import_weasyprint():
    code = "import sys; import build; print('weasyprint' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                            text=True, check=True)
    assert result.stdout.strip() == "False"




def test_an_epub_after_its_pdf_does_not_import_weasyprint(tmp_path):
    """The EPUB's page list comes from the PDF's page starts, kept by the PDF's build: an
    EPUB-only build after it lays nothing out, and does not pay WeasyPrint's import."""
    out = tmp_path / "out"
    code = ("import sys; from click.testing import CliRunner; from build import cli; "
            f"r = CliRunner().invoke(cli, ['epub', '--out', {str(out)!r}, {str(SOURCE)!r}]); "
            "print(r.exit_code, 'weasyprint' in sys.modules)")

    def epub_alone() -> str:
        return subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                              text=True, check=True).stdout.strip()

    assert CliRunner().invoke(cli, ["pdf", "--out", str(out), str(SOURCE)]).exit_code == 0
    assert epub_alone() == "0 False"
