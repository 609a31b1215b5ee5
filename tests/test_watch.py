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

from blocnotes.pipeline import Settings
from blocnotes.watch import affected
from helpers import ROOT, SOURCE

MINIMAL = "---\ntitle: Essai\ndate: 2021-05-06\n---\n\n# Partie\n\nUn texte court.\n"


def test_affected_sources(tmp_path):
    a, b = tmp_path / "a.md", tmp_path / "b.md"
    settings = Settings(out=tmp_path / "out", styles=ROOT / "styles")
    assert affected([a], [a, b], settings) == [a]
    assert affected([ROOT / "styles" / "print.css"], [a, b], settings) == [a, b]
    assert affected([tmp_path / "agency.yaml"], [a, b], settings) == [a, b]
    assert affected([tmp_path / "plan.png"], [a, b], settings) == [a, b]
    assert affected([Path("/elsewhere/x.txt")], [a, b], settings) == []


def _wait_for(process: subprocess.Popen, needle: str, seconds: float) -> str:
    deadline, seen = time.monotonic() + seconds, ""
    assert process.stdout is not None
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        seen += line
        if needle in line:
            return line
    raise AssertionError(f"no {needle!r} within {seconds} s; saw: {seen}")


def test_watch_rebuilds_after_a_change(tmp_path):
    source = tmp_path / "note.md"
    source.write_text(MINIMAL, encoding="utf-8")
    shutil.copy(SOURCE.parent / "agency.yaml", tmp_path / "agency.yaml")
    out = tmp_path / "out"
    process = subprocess.Popen(
        [sys.executable, "-u", str(ROOT / "build.py"), "watch", "--out", str(out), str(source)],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, "PYTHONWARNINGS": "ignore"})
    try:
        _wait_for(process, "rebuilt", 120)
        first = (out / "note.pdf").read_bytes()
        time.sleep(0.5)
        source.write_text(MINIMAL.replace("Un texte court.", "Un texte changé."), encoding="utf-8")
        line = _wait_for(process, "rebuilt", 60)
        assert "note.pdf" in line and "note.epub" in line
        assert (out / "note.pdf").read_bytes() != first
        # Writing the outputs must not trigger another rebuild: nothing for 3 seconds.
        ready, _, _ = select.select([process.stdout], [], [], 3)
        assert not ready, process.stdout.readline() if process.stdout else ""
        source.write_text("pas de front matter", encoding="utf-8")
        assert "no front matter" in _wait_for(process, "Error:", 60)
        source.write_text(MINIMAL, encoding="utf-8")
        _wait_for(process, "rebuilt", 60)
        assert process.poll() is None  # still watching
    finally:
        process.terminate()
        process.wait(timeout=30)
