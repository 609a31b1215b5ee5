"""Every input file a build reads goes through this door: it must lie in its own folder (a
link that leads out of it is refused, as a linked image is), and the digest of the bytes read
is noted, so that the build's records say what the build used, not what the file became by
the time the outputs were written (an editor saving during a build)."""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Iterator
from contextvars import ContextVar
from pathlib import Path

from .errors import BlocNotesError

# A digest that matches no file: an input read twice with different bytes in one build.
UNSETTLED = "changed during the build"

_ledger: ContextVar[dict[str, str] | None] = ContextVar("ledger", default=None)


@contextlib.contextmanager
def ledger() -> Iterator[dict[str, str]]:
    """Note the digest of every input read inside the block: {resolved path: sha256}."""
    read: dict[str, str] = {}
    token = _ledger.set(read)
    try:
        yield read
    finally:
        _ledger.reset(token)


def note(path: Path, digest: str, resolved: Path | None = None) -> None:
    """Note that the build used `path` (`resolved` already, or not) with these bytes (their
    `digest`); a second read that found other bytes makes the input unsettled: the next build
    makes the output again."""
    read = _ledger.get()
    if read is None:
        return
    key = str(resolved or path.resolve())
    read[key] = digest if read.get(key, digest) == digest else UNSETTLED


def inside(path: Path, folder: Path | None = None) -> Path:
    """`path` resolved, if it lies in `folder` (by default its own folder); else an error: a
    link to a file elsewhere would publish that file."""
    within = (folder if folder is not None else path.parent).resolve()
    resolved = path.resolve()
    if not resolved.is_relative_to(within):
        raise BlocNotesError(path, None, f"is a link to a file outside {within.name}/ "
                             "(copy the file here instead of linking to it)")
    return resolved


def read_bytes(path: Path, folder: Path | None = None, most: int | None = None) -> bytes:
    """The bytes of an input file that lies in `folder` (by default its own folder), its
    digest noted (OSError as Path.read_bytes raises it); with `most`, no more than that many
    (a file over its budget is not read whole)."""
    resolved = inside(path, folder)
    with path.open("rb") as stream:
        data = stream.read() if most is None else stream.read(most)
    note(path, hashlib.sha256(data).hexdigest(), resolved)
    return data


def read_input(path: Path, folder: Path | None = None, most: int | None = None) -> bytes:
    """read_bytes(), a missing or unreadable file a user error."""
    try:
        return read_bytes(path, folder, most)
    except FileNotFoundError:
        raise BlocNotesError(path, None, "no such file (check the path)") from None
    except IsADirectoryError:
        raise BlocNotesError(path, None, "is a folder, not a file (name a file)") from None
    except OSError as error:
        raise BlocNotesError(path, None, f"cannot be read: {error.strerror}") from None


def decode(data: bytes, path: Path) -> str:
    """Bytes of a text file -> str; UTF-8 (a BOM is fine), CRLF/CR become LF."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        byte = data[error.start : error.start + 1].hex()
        raise BlocNotesError(
            path, line, f"the file is not UTF-8 (byte 0x{byte} cannot be read; save it again "
            "with the encoding 'UTF-8')"
        ) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def read_text(path: Path, folder: Path | None = None) -> str:
    """A UTF-8 input file's text (see read_input)."""
    return decode(read_input(path, folder), path)
