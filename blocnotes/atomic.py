"""Write a file completely or not at all: temporary file in the same folder, then rename."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from .errors import BlocNotesError


def write_bytes(path: Path, data: bytes) -> None:
    """Write `data` to `path` atomically: readers see the old file or the new one, never half."""
    folder = path.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=folder)
    except OSError as error:
        raise BlocNotesError(
            folder, None, f"cannot write in this folder: {error.strerror} (choose another --out)"
        ) from None
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException as error:
        Path(temporary).unlink(missing_ok=True)
        if isinstance(error, OSError):
            raise BlocNotesError(
                path, None, f"cannot be written: {error.strerror} (choose another --out)"
            ) from None
        raise
