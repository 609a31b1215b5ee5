"""Digests of files' contents, a large file (a camera photo) read and hashed again only when it
changed: its digest is remembered by the file's status, as git's index and make judge a file
unchanged, in the process and in a folder of notes that the next build reads."""

from __future__ import annotations

import contextlib
import hashlib
import os
import time
from pathlib import Path

from . import atomic
from .errors import BlocNotesError

# Smaller files are read and hashed each time: as fast as reading a note, and a note per
# edit of a source would pile up.
REMEMBERED = 1 << 20
# Timestamps are coarse (a few milliseconds; seconds on some file systems): a file changed
# this shortly before it was read could change again, same size, with the same timestamps;
# its digest is not remembered (git's "racy clean" entries).
SETTLING_NS = 2_000_000_000

_known: dict[tuple[str, int, int, int, int, int], str] = {}


def _status(stat: os.stat_result) -> tuple[int, int, int, int, int]:
    """What changes whenever the file's bytes do: its inode (a file replaced by a rename), its
    size, its modification time and its change time (set by the system on every write,
    even when a tool puts the modification time back)."""
    return stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns


def file_sha256(path: Path, notes: Path | None = None) -> str:
    """The SHA-256 of a file's bytes (OSError if it cannot be read). A large file's is kept
    while its status stays the same: in this process (a --jobs worker or `watch` keeps it) and,
    with `notes`, in that folder for later builds."""
    before = os.stat(path)
    if before.st_size < REMEMBERED:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    key = (str(path.resolve()), *_status(before))
    if key in _known:
        return _known[key]
    note = notes / hashlib.sha256(repr(key).encode()).hexdigest() if notes else None
    if note:
        with contextlib.suppress(OSError, UnicodeDecodeError):
            digest = note.read_text(encoding="ascii")
            if len(digest) == 64 and all(char in "0123456789abcdef" for char in digest):
                _known[key] = digest
                return digest
    started = time.time_ns()
    with path.open("rb") as stream:
        digest = hashlib.file_digest(stream, "sha256").hexdigest()
    settled = started - max(before.st_mtime_ns, before.st_ctime_ns) > SETTLING_NS
    if settled and _status(os.stat(path)) == _status(before):  # not written while read
        _known[key] = digest
        if note:
            with contextlib.suppress(BlocNotesError):  # an unwritable folder only costs time
                atomic.write_bytes(note, digest.encode("ascii"))
    return digest
