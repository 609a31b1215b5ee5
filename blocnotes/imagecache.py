"""Prepared images kept under the output folder, keyed by the image's bytes and the target, so
a rebuild after a text edit does not prepare its photos again."""

from __future__ import annotations

import contextlib
import hashlib
from pathlib import Path

import PIL

from . import atomic, digests, images, inputs
from .budgets import DEFAULT, Limits
from .errors import BlocNotesError

# Part of every key: a new way of preparing images (or a new Pillow) prepares them again.
VERSION = f"2/{PIL.__version__}"
_SUFFIXES = {b"\xff\xd8": ".jpg", b"\x89P": ".png"}


class ImageCache:
    """images.prepare() for files, its results kept in `folder` (None: not kept), within the
    budgets `limits` (a document's)."""

    def __init__(self, folder: Path | None, limits: Limits = DEFAULT) -> None:
        self.folder = folder
        self.limits = limits
        self.verdicts: dict[Path, bytes] = {}  # damage() found, for keep() to write

    def digest(self, path: Path) -> str:
        """The SHA-256 of a file's bytes, a photo's read and hashed again only when the file
        changed (digests.py), so a rebuild does not read 14 MB photos again."""
        return digests.file_sha256(path, self.folder / "files" if self.folder else None)

    def damage(self, path: Path) -> str | None:
        """images.damage() of a raster image file, remembered in `folder` by the file's
        digest once keep() writes it: a photo is decoded for it once, not at each build."""
        if self.folder is None:
            return images.damage(path)
        name = hashlib.sha256(f"{VERSION}|{self.digest(path)}|damage".encode()).hexdigest()
        note = self.folder / "damage" / name
        try:
            return note.read_text(encoding="utf-8") or None
        except (OSError, UnicodeDecodeError):
            found = images.damage(path)  # an unreadable file raises: nothing remembered
            self.verdicts[note] = (found or "").encode("utf-8")
            return found

    def keep(self) -> None:
        """Write what damage() found (a source that stops at an error writes nothing in the
        output folder: its verdicts are not kept)."""
        for note, verdict in self.verdicts.items():
            with contextlib.suppress(BlocNotesError):  # an unwritable cache only costs time
                atomic.write_bytes(note, verdict)
        self.verdicts.clear()

    def prepare(self, image: Path | bytes, target: images.Target) -> images.Prepared:
        """An image file (or its bytes, fetched) prepared for `target` (images.ImageError if
        it cannot be)."""

        def read() -> bytes:
            return inputs.read_bytes(image) if isinstance(image, Path) else image

        if self.folder is None:
            return images.prepare(read(), target, self.limits)
        if isinstance(image, Path):
            digest = self.digest(image)
            inputs.note(image, digest)  # the build's record: the photo as this build used it
        else:
            digest = hashlib.sha256(image).hexdigest()
        name = hashlib.sha256(f"{VERSION}|{digest}|{target}".encode()).hexdigest()
        cached = self.folder / name
        try:
            data = cached.read_bytes()
        except OSError:
            prepared = images.prepare(read(), target, self.limits)
            with contextlib.suppress(BlocNotesError):  # an unwritable cache only costs time
                atomic.write_bytes(cached, prepared.data)
            return prepared
        suffix = _SUFFIXES.get(data[:2], ".svg")
        size = (0, 0) if suffix == ".svg" else images.header(data)[1]
        return images.Prepared(data, suffix, size)
