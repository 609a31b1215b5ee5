"""The Makefile rebuilds an output only when one of its inputs changed."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time

from helpers import ROOT


def _make(folder, *targets: str) -> str:
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    # The copy uses this project's Python; its own VENV holds only the install stamp.
    variables = [f"PY={sys.executable}", f"VENV={folder / 'venv-stamp'}"]
    result = subprocess.run(["make", *variables, *targets], cwd=folder, capture_output=True,
                            text=True, env=env, timeout=600, check=True)
    return result.stdout


def test_second_make_does_nothing_and_a_style_change_rebuilds_one_kind(tmp_path):
    for name in ("Makefile", "build.py", "pyproject.toml"):
        shutil.copy(ROOT / name, tmp_path / name)
    for folder in ("blocnotes", "source", "styles"):
        shutil.copytree(ROOT / folder, tmp_path / folder,
                        ignore=shutil.ignore_patterns("__pycache__"))
    old = time.time() - 3600
    for path in tmp_path.rglob("*"):
        os.utime(path, (old, old))
    stamp = tmp_path / "venv-stamp" / ".installed"  # installed after pyproject.toml changed
    stamp.parent.mkdir()
    stamp.touch()
    os.utime(stamp, (old + 60, old + 60))
    first = _make(tmp_path, "pdf", "epub")
    assert "build.py pdf" in first and "build.py epub" in first
    for target in ("pdf", "epub"):  # each target on its own: nothing to do
        again = _make(tmp_path, target)
        assert f"Nothing to be done for '{target}'" in again and "build.py" not in again, target
    time.sleep(1.1)
    (tmp_path / "styles" / "epub.css").touch()
    again = _make(tmp_path, "pdf", "epub")
    assert "build.py epub" in again and "build.py pdf" not in again
    assert "build.py pdf --print" in _make(tmp_path, "print")
    time.sleep(1.1)
    (tmp_path / "styles" / "print-shop.css").touch()
    press = _make(tmp_path, "pdf", "epub", "print")
    assert "build.py pdf --print" in press
    assert press.count("build.py") == 1  # the screen PDF and the EPUB are left alone


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
