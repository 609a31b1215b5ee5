"""Temporary folders of a build, in one place a killed build cannot litter: under
`<system temp>/blocnotes-<uid>/<pid>/`. A process removes its own at exit; the folders of a
process that is gone (killed, or a pool worker, which ends without running exit handlers)
are removed by the next build and by `clean`."""

from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import tempfile
from functools import cache
from pathlib import Path


def root() -> Path:
    """Where every build of this user keeps its temporary folders."""
    return Path(tempfile.gettempdir()) / f"blocnotes-{os.getuid()}"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def sweep() -> list[Path]:
    """Remove the temporary folders of processes that are gone; the folders removed."""
    removed = []
    with contextlib.suppress(OSError):
        for folder in root().iterdir():
            if folder.name.isdigit() and int(folder.name) != os.getpid() \
                    and not _alive(int(folder.name)):
                shutil.rmtree(folder, ignore_errors=True)
                removed.append(folder)
    return removed


@cache
def _own(pid: int) -> Path:
    folder = root() / str(pid)
    folder.mkdir(parents=True, exist_ok=True)
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder


def folder(prefix: str) -> Path:
    """A new temporary folder of this process (removed at its exit, or by the next build)."""
    return Path(tempfile.mkdtemp(prefix=prefix, dir=_own(os.getpid())))
