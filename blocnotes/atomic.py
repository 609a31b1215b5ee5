"""Write files completely or not at all: temporary files in the same folder, then rename."""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
from collections.abc import Sequence
from pathlib import Path

from .errors import BlocNotesError

# Room left free on a disk after a build's files: writing a disk to its last byte makes every
# other program on it fail.
SPARE = 16 << 20


def _temporary(path: Path) -> Path:
    # Named before it exists (mkstemp names it only once created): an interrupt that lands
    # just after the creation still finds it to remove.
    return path.parent / f".{path.name}.{secrets.token_hex(8)}.part"


def _write(temporary: Path, data: bytes) -> None:
    handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o644)
    with os.fdopen(handle, "wb") as stream:
        stream.write(data)
        stream.flush()
        os.fsync(stream.fileno())
    os.chmod(temporary, 0o644)  # whatever the umask: the outputs are for everyone to read


def _make_folder(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise BlocNotesError(
            folder, None, f"cannot write in this folder: {error.strerror} (choose another --out)"
        ) from None


def _check_space(files: Sequence[tuple[Path, bytes]]) -> None:
    """An error before anything is written when the disk cannot hold every file."""
    needed: dict[int, tuple[Path, int]] = {}
    for path, data in files:
        existing = next(folder for folder in (path.parent, *path.parent.parents)
                        if folder.is_dir())  # (its own folder may be made with the file)
        device = os.stat(existing).st_dev
        folder, size = needed.get(device, (existing, 0))
        needed[device] = (folder, size + len(data))
    for folder, size in needed.values():
        free = shutil.disk_usage(folder).free
        if free < size + SPARE:
            raise BlocNotesError(folder, None, f"not enough room on the disk: the outputs need "
                                 f"{size / 1e6:.1f} MB and {SPARE >> 20} MB to spare, "
                                 f"{free / 1e6:.1f} MB are free (free some space, or choose "
                                 "another --out); nothing was written")


def write_all(files: Sequence[tuple[Path, bytes]]) -> None:
    """Write every (path, data) or none: each to a temporary file first, then all renamed;
    readers see the old files or the new ones, never half of one, and a failure (a full
    disk) leaves every old file as it was."""
    _check_space(files)
    temporaries = [(_temporary(path), path, data) for path, data in files]
    try:
        for temporary, _, data in temporaries:
            _make_folder(temporary.parent)
            _write(temporary, data)
        for temporary, path, _ in temporaries:
            os.replace(temporary, path)
    except BaseException as error:
        for temporary, _, _ in temporaries:
            with contextlib.suppress(OSError):
                temporary.unlink()
        if isinstance(error, OSError):
            path = next((p for t, p, _ in temporaries if t.name == Path(error.filename or "").name),
                        temporaries[0][1])
            raise BlocNotesError(
                path, None, f"cannot be written: {error.strerror} (choose another --out)"
            ) from None
        raise


def write_bytes(path: Path, data: bytes) -> None:
    """Write `data` to `path` atomically: readers see the old file or the new one, never half."""
    write_all([(path, data)])
