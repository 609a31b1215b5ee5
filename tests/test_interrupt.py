"""Interruptions and concurrency: a killed build leaves the previous output intact; two builds
of one source at once both succeed and leave a valid file."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pypdf
import pytest

from helpers import ROOT, SOURCE


def _long_source(folder: Path, repeat: int) -> Path:
    text = SOURCE.read_text(encoding="utf-8")
    front, body = text.split("\n---\n", 1)
    source = folder / "long.md"
    source.write_text(front + "\n---\n" + body * repeat, encoding="utf-8")
    return source


def _build(source: Path, out: Path, kind: str = "pdf") -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, str(ROOT / "build.py"), "-q", kind, "--out", str(out), str(source)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )


def _is_complete_pdf(path: Path) -> bool:
    data = path.read_bytes()
    return data.startswith(b"%PDF") and b"%%EOF" in data[-64:] and len(pypdf.PdfReader(path).pages) > 0


@pytest.mark.parametrize("delay", [0.4, 1.5, 4.0])
def test_killed_build_keeps_the_previous_file(tmp_path, delay):
    source = _long_source(tmp_path, 8)
    out = tmp_path / "out"
    out.mkdir()
    previous = b"%PDF-1.7 previous good file\n%%EOF\n"
    (out / "long.pdf").write_bytes(previous)
    process = _build(source, out)
    time.sleep(delay)
    still_running = process.poll() is None
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=60)
    if still_running:  # killed mid-build: the previous file, byte for byte
        assert (out / "long.pdf").read_bytes() == previous
    else:  # it had finished in time: a complete new file
        assert _is_complete_pdf(out / "long.pdf")
    # and no process of it is left behind
    deadline = time.monotonic() + 10
    while _processes_with(str(out)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _processes_with(str(out)) == []


def test_ctrl_c_stops_the_build_cleanly(tmp_path):
    source = _long_source(tmp_path, 8)
    out = tmp_path / "out"
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "build.py"), "-q", "pdf", "--out", str(out), str(source)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
        env={**os.environ, "PYTHONWARNINGS": "ignore"})
    time.sleep(2.0)
    os.killpg(process.pid, signal.SIGINT)  # what a terminal does: the whole process group
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == 1
    assert stderr.decode().strip() == "Aborted!"  # no traceback
    assert _processes_with(str(out)) == []
    assert not out.exists() or not list(out.glob("*.pdf"))


def _processes_with(text: str) -> list[int]:
    """Processes whose command line holds `text` (from /proc)."""
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            if text.encode() in cmdline.read_bytes():
                found.append(int(cmdline.parent.name))
        except OSError:
            continue
    return found


def test_a_build_that_finishes_replaces_the_file(tmp_path):
    source = _long_source(tmp_path, 1)
    out = tmp_path / "out"
    out.mkdir()
    (out / "long.pdf").write_bytes(b"old")
    process = _build(source, out)
    assert process.wait(timeout=300) == 0
    assert _is_complete_pdf(out / "long.pdf")
    assert [p.name for p in out.iterdir() if not p.name.startswith(".")] == ["long.pdf"]


def test_two_builds_at_once(tmp_path):
    source = _long_source(tmp_path, 1)
    out = tmp_path / "out"
    first, second = _build(source, out, "all"), _build(source, out, "all")
    assert first.wait(timeout=300) == 0, first.stderr.read() if first.stderr else ""
    assert second.wait(timeout=300) == 0, second.stderr.read() if second.stderr else ""
    assert _is_complete_pdf(out / "long.pdf")
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == ["long.epub", "long.pdf"]
