"""A newcomer's first commands: ./build.py and python build.py work from any Python."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

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
