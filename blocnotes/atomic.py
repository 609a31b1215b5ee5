"""Write a file completely or not at all: temporary file in the same folder, then rename."""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

from .errors import BlocNotesError


def write_bytes(path: Path, data: bytes) -> None:
    """Write `data` to `path` atomically: readers see the old file or the new one, never half."""
    folder = path.parent
    # Named before it exists (mkstemp names it only once created): an interrupt that lands
    # just after the creation still finds it to remove.
    temporary = folder / f".{path.name}.{secrets.token_hex(8)}.part"
    try:
        try:
            folder.mkdir(parents=True, exist_ok=True)
            handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o644)
        except OSError as error:
            raise BlocNotesError(
                folder, None, f"cannot write in this folder: {error.strerror} (choose another --out)"
            ) from None
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, 0o644)  # whatever the umask: the outputs are for everyone to read
        os.replace(temporary, path)
    except BaseException as error:
        with contextlib.suppress(OSError):
            temporary.unlink()
        if isinstance(error, OSError):
            raise BlocNotesError(
                path, None, f"cannot be written: {error.strerror} (choose another --out)"
            ) from None
        raise
