"""Watch mode: a change to a source rebuilds it, in the same process, one line per rebuild;
an error is one line and watching goes on."""

from __future__ import annotations

import os
import select
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pypdf
import pytest

from blocnotes.pipeline import Settings
from blocnotes.watch import affected, watch
from helpers import ROOT, SOURCE

MINIMAL = "---\ntitle: Essai\ndate: 2021-05-06\n---\n\n# Partie\n\nUn texte court.\n"


def test_affected_sources(tmp_path):
    a, b = tmp_path / "a.md", tmp_path / "b.md"
    settings = Settings(out=tmp_path / "out", styles=ROOT / "styles")
    assert affected([a], [a, b], settings) == [a]
    assert affected([ROOT / "styles" / "bloc-notes" / "print.css"], [a, b], settings) == [a, b]
    assert affected([tmp_path / "agency.yaml"], [a, b], settings) == [a, b]
    assert affected([tmp_path / "plan.png"], [a, b], settings) == [a, b]
    assert affected([Path("/elsewhere/x.txt")], [a, b], settings) == []


class _Lines:
    """The lines a process prints, read with a deadline: a silent process cannot hang the test."""

    def __init__(self, process: subprocess.Popen) -> None:
        assert process.stdout is not None
        self.fd = process.stdout.fileno()  # read raw: no buffer that select() cannot see
        self.pending = b""
        self.seen = ""

    def next_line(self, seconds: float) -> str | None:
        """The next complete line, or None when none came within `seconds`."""
        deadline = time.monotonic() + seconds
        while b"\n" not in self.pending:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.fd], [], [], left)[0]:
                return None
            chunk = os.read(self.fd, 4096)
            if not chunk:  # the process closed its output
                return None
            self.pending += chunk
        line, self.pending = self.pending.split(b"\n", 1)
        text = line.decode("utf-8", "replace")
        self.seen += text + "\n"
        return text

    def wait_for(self, needle: str, seconds: float) -> str:
        deadline = time.monotonic() + seconds
        while (line := self.next_line(max(0.0, deadline - time.monotonic()))) is not None:
            if needle in line:
                return line
        raise AssertionError(f"no {needle!r} within {seconds} s; saw: {self.seen}")


def test_a_silent_process_does_not_hang_the_wait():
    process = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"],
                               stdout=subprocess.PIPE)
    try:
        started = time.monotonic()
        with pytest.raises(AssertionError, match="no 'rebuilt' within 1 s"):
            _Lines(process).wait_for("rebuilt", 1)
        assert time.monotonic() - started < 5
    finally:
        process.kill()
        process.wait()


def test_watch_rebuilds_after_a_change(tmp_path):
    source = tmp_path / "note.md"
    source.write_text(MINIMAL, encoding="utf-8")
    shutil.copy(SOURCE.parent / "agency.yaml", tmp_path / "agency.yaml")
    out = tmp_path / "out"
    process = subprocess.Popen(
        [sys.executable, "-u", str(ROOT / "build.py"), "watch", "--out", str(out), str(source)],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        env={**os.environ, "PYTHONWARNINGS": "ignore"})
    lines = _Lines(process)
    try:
        lines.wait_for("rebuilt", 120)
        first = (out / "note.pdf").read_bytes()
        time.sleep(0.5)
        source.write_text(MINIMAL.replace("Un texte court.", "Un texte changé."), encoding="utf-8")
        line = lines.wait_for("rebuilt", 60)
        assert "note.pdf" in line and "note.epub" in line
        assert (out / "note.pdf").read_bytes() != first
        # Writing the outputs must not trigger another rebuild: nothing for 3 seconds.
        assert lines.next_line(3) is None, lines.seen
        source.write_text("pas de front matter", encoding="utf-8")
        assert "no front matter" in lines.wait_for("Error:", 60)
        source.write_text(MINIMAL, encoding="utf-8")
        lines.wait_for("rebuilt", 60)
        assert process.poll() is None  # still watching
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_a_save_before_the_watcher_is_on_is_built_once_it_is(tmp_path):
    """An editor saves right after the first build read the file, before the file watcher
    is on: no change event will come, so the watcher's first quiet moment asks the build
    records (made from the bytes the build read) and rebuilds what they call stale. (Under
    load, the subprocess test above lost such a save.)"""
    source = tmp_path / "note.md"
    source.write_text(MINIMAL, encoding="utf-8")
    other = tmp_path / "other.md"
    other.write_text(MINIMAL, encoding="utf-8")
    settings = Settings(out=tmp_path / "out", styles=ROOT / "styles",
                        agency_fallback=SOURCE.parent / "agency.yaml", environ={})
    said: list[str] = []

    def quiet_after_a_save():
        source.write_text(MINIMAL.replace("Un texte court.", "Un texte changé."), encoding="utf-8")
        yield set()  # the watcher is on: nothing changed since
        yield set()

    watch([source, other], ("pdf",), settings, said.append, quiet_after_a_save())
    note, other_pdf = settings.out / "note.pdf", settings.out / "other.pdf"
    assert [line.split(" in ")[0] for line in said] == [
        f"rebuilt {note}", f"rebuilt {other_pdf}", f"rebuilt {note}"]  # once, the saved one
    assert "Un texte changé" in pypdf.PdfReader(note).pages[0].extract_text()
