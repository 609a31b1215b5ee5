"""Interruptions and concurrency: a build killed while it writes leaves the previous output
intact; Ctrl-C leaves no temporary file of any name; two builds of one source at once both
succeed and leave a valid file."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pypdf
import pytest

from blocnotes import scratch
from helpers import ROOT, SOURCE

PREVIOUS = b"%PDF-1.7 previous good file\n%%EOF\n"


def _long_source(folder: Path, repeat: int) -> Path:
    text = SOURCE.read_text(encoding="utf-8")
    front, body = text.split("\n---\n", 1)
    source = folder / "long.md"
    source.write_text(front + "\n---\n" + body * repeat, encoding="utf-8")
    return source


def _build(source: Path, out: Path, kind: str = "pdf", **options) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, str(ROOT / "build.py"), "-q", kind, "--out", str(out), str(source)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONWARNINGS": "ignore"}, **options,
    )


def _is_complete_pdf(path: Path) -> bool:
    data = path.read_bytes()
    return data.startswith(b"%PDF") and b"%%EOF" in data[-64:] and len(pypdf.PdfReader(path).pages) > 0


def _state(folder: Path) -> dict[str, tuple[int, int, int]]:
    """Every entry of `folder`, dot files included: (inode, size, modification time)."""
    found = {}
    for entry in os.scandir(folder):
        with_stat = entry.stat(follow_symlinks=False)
        found[entry.name] = (with_stat.st_ino, with_stat.st_size, with_stat.st_mtime_ns)
    return found


def _at_first_write(process: subprocess.Popen, out: Path, seconds: float = 600) -> list[str]:
    """Wait, watching `out` as fast as this process can, until the build changes anything in
    it (a new file, even a hidden temporary one, or the old file touched); return the names
    then present. The caller sends its signal right away: it lands during the write."""
    before = _state(out)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        now = _state(out)
        if now != before:
            return sorted(now)
        if process.poll() is not None:
            raise AssertionError("the build ended without writing anything")
    raise AssertionError(f"nothing written within {seconds} s")


def _every_path(folder: Path) -> list[str]:
    """Every file and folder under `folder`, dot files included, relative to it."""
    return sorted(str(path.relative_to(folder)) for path in folder.rglob("*"))


def _outputs(folder: Path) -> list[str]:
    """Every path under `folder` but the build records (.build/, written atomically for make's
    and dist's judgement of what is up to date); and no temporary file anywhere, records
    included."""
    every = _every_path(folder)
    assert not [path for path in every if path.endswith(".part")], every
    return [path for path in every if path.split("/")[0] != ".build"]


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


def _no_process_left(out: Path) -> None:
    deadline = time.monotonic() + 10
    while _processes_with(str(out)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _processes_with(str(out)) == []


def test_killed_while_writing_keeps_the_previous_file(tmp_path):
    """SIGKILL (nothing can be cleaned up) the moment the build starts writing: the previous
    PDF stays, byte for byte; what is left is the hidden temporary file, which `clean`
    removes. A build writing in place would leave a truncated PDF here.

    On a busy machine this process may look too late, once the file is renamed: then the new
    PDF must be complete, and the test tries again; one kill at least must land in the write."""
    source = _long_source(tmp_path, 2)
    out = tmp_path / "out"
    for _attempt in range(3):
        out.mkdir()
        (out / "long.pdf").write_bytes(PREVIOUS)
        process = _build(source, out)
        seen = _at_first_write(process, out)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=60)
        _no_process_left(out)
        temporary = [name for name in seen if name != "long.pdf"]
        if temporary:
            break
        assert _is_complete_pdf(out / "long.pdf"), "the PDF was changed in place"
        shutil.rmtree(out)
    else:
        raise AssertionError("no kill landed while the build was writing")
    # The first file written is the PDF's temporary file; then (all or none) the records'.
    assert all((name.startswith(".long.pdf.") and name.endswith(".part")) or name == ".build"
               for name in temporary), seen
    assert (out / "long.pdf").read_bytes() == PREVIOUS
    left = _every_path(out)
    assert "long.pdf" in left and all(name in ("long.pdf", ".build") or name.endswith(".part")
                                      for name in left), left
    clean = subprocess.run([sys.executable, str(ROOT / "build.py"), "clean", "--out", str(out)],
                           cwd=ROOT, capture_output=True, text=True, timeout=60, check=False)
    assert clean.returncode == 0 and not out.exists()


@pytest.mark.parametrize("kind", ["pdf", "all"])
def test_ctrl_c_while_writing_leaves_nothing_behind(tmp_path, kind):
    """Ctrl-C the moment the build starts writing: the previous file is intact or replaced by
    a complete one, no temporary file of any name is left, and no traceback."""
    source = _long_source(tmp_path, 2)
    out = tmp_path / "out"
    out.mkdir()
    (out / "long.pdf").write_bytes(PREVIOUS)
    process = _build(source, out, kind, start_new_session=True)
    _at_first_write(process, out)
    os.killpg(process.pid, signal.SIGINT)  # what a terminal does: the whole process group
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 1
    assert stderr.decode().strip() == "Aborted!"
    _no_process_left(out)
    left = _outputs(out)
    assert set(left) <= {"long.pdf", "long.epub"}, left  # no .part, no half-made .pages
    pdf = (out / "long.pdf").read_bytes()
    assert pdf == PREVIOUS or _is_complete_pdf(out / "long.pdf")


def test_ctrl_c_before_writing_stops_the_build_cleanly(tmp_path):
    source = _long_source(tmp_path, 2)
    out = tmp_path / "out"
    process = _build(source, out, start_new_session=True)
    # Once the layout has begun (its fonts' folder made), not after a fixed time: on a loaded
    # machine, a second could still be Python's start, where Ctrl-C is a traceback.
    laying_out = scratch.root() / str(process.pid)
    deadline = time.monotonic() + 300
    while not laying_out.exists() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert laying_out.exists(), "the build never began its layout"
    os.killpg(process.pid, signal.SIGINT)
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == 1
    assert stderr.decode().strip() == "Aborted!"  # no traceback
    _no_process_left(out)
    assert not out.exists() or _every_path(out) == []


def test_a_build_that_finishes_replaces_the_file(tmp_path):
    source = _long_source(tmp_path, 1)
    out = tmp_path / "out"
    out.mkdir()
    (out / "long.pdf").write_bytes(b"old")
    process = _build(source, out)
    assert process.wait(timeout=300) == 0
    assert _is_complete_pdf(out / "long.pdf")
    # the page map kept for a later EPUB build, and nothing else: no temporary file
    assert _outputs(out) == [".pages", ".pages/long.json", "long.pdf"]


def test_two_builds_at_once(tmp_path):
    source = _long_source(tmp_path, 1)
    out = tmp_path / "out"
    first, second = _build(source, out, "all"), _build(source, out, "all")
    assert first.wait(timeout=300) == 0, first.stderr.read() if first.stderr else ""
    assert second.wait(timeout=300) == 0, second.stderr.read() if second.stderr else ""
    assert _is_complete_pdf(out / "long.pdf")
    assert _outputs(out) == [".pages", ".pages/long.json", "long.epub", "long.pdf"]


@pytest.mark.parametrize("step", ["open", "fsync", "chmod", "replace"])
def test_an_interrupt_at_any_step_of_the_write_leaves_no_temporary_file(tmp_path, monkeypatch,
                                                                       step):
    """Ctrl-C just after each system call of the write (the file created, written, renamed):
    the previous file or the complete new one, and never a temporary file. A temporary file
    named only once created (mkstemp) was left when Ctrl-C came right after its creation."""
    from blocnotes import atomic

    target = tmp_path / "doc.pdf"
    target.write_bytes(PREVIOUS)
    real = getattr(os, step)

    def then_interrupt(*arguments, **keywords):
        real(*arguments, **keywords)
        raise KeyboardInterrupt

    monkeypatch.setattr(os, step, then_interrupt)
    with pytest.raises(KeyboardInterrupt):
        atomic.write_bytes(target, b"%PDF-1.7 new\n%%EOF\n")
    monkeypatch.undo()
    assert _every_path(tmp_path) == ["doc.pdf"]
    expected = b"%PDF-1.7 new\n%%EOF\n" if step == "replace" else PREVIOUS
    assert target.read_bytes() == expected
