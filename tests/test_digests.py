"""A large file's digest is remembered while the file is unchanged, and only then."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from blocnotes import digests

SIZE = digests.REMEMBERED + 1000


def _photo(path: Path, fill: bytes) -> str:
    data = fill * SIZE
    path.write_bytes(data)
    return hashlib.sha256(data).hexdigest()


@pytest.fixture
def settled(monkeypatch):
    """As if every file had been written long before it is read."""
    monkeypatch.setattr(digests, "SETTLING_NS", -10**18)
    monkeypatch.setattr(digests, "_known", {})


def test_a_large_file_is_hashed_once_while_unchanged(tmp_path, settled, monkeypatch):
    photo, notes = tmp_path / "photo.jpg", tmp_path / "notes"
    expected = _photo(photo, b"a")
    assert digests.file_sha256(photo, notes) == expected
    assert [note.read_text(encoding="ascii") for note in notes.iterdir()] == [expected]
    # the next build (a new process: nothing in memory) takes the note, without reading
    monkeypatch.setattr(digests, "_known", {})
    monkeypatch.setattr(hashlib, "file_digest", lambda *args: pytest.fail("hashed again"))
    assert digests.file_sha256(photo, notes) == expected


def test_an_edited_file_is_hashed_again_even_with_its_old_times(tmp_path, settled):
    """A tool that puts the modification time back (rsync -t, a restore, an editor keeping
    it), same size: the change time still moves."""
    photo, notes = tmp_path / "photo.jpg", tmp_path / "notes"
    _photo(photo, b"a")
    before = photo.stat()
    digests.file_sha256(photo, notes)
    edited = _photo(photo, b"b")
    os.utime(photo, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert photo.stat().st_mtime_ns == before.st_mtime_ns
    assert photo.stat().st_size == before.st_size
    assert digests.file_sha256(photo, notes) == edited


def test_a_file_replaced_by_another_is_hashed_again(tmp_path, settled):
    photo, notes = tmp_path / "photo.jpg", tmp_path / "notes"
    _photo(photo, b"a")
    digests.file_sha256(photo, notes)
    other = tmp_path / "other.jpg"
    expected = _photo(other, b"c")
    os.replace(other, photo)
    assert digests.file_sha256(photo, notes) == expected


def test_a_file_just_written_is_not_remembered(tmp_path, monkeypatch):
    """Written less than SETTLING_NS ago, it could be written again with the same size and
    timestamps: its digest is computed each time."""
    monkeypatch.setattr(digests, "_known", {})
    photo, notes = tmp_path / "photo.jpg", tmp_path / "notes"
    expected = _photo(photo, b"a")
    assert digests.file_sha256(photo, notes) == expected
    assert not notes.exists()
    assert digests._known == {}


def test_a_small_file_is_read_each_time(tmp_path, settled):
    source, notes = tmp_path / "source.md", tmp_path / "notes"
    source.write_text("# Titre\n", encoding="utf-8")
    assert digests.file_sha256(source, notes) == hashlib.sha256(b"# Titre\n").hexdigest()
    assert not notes.exists()


def test_a_damaged_note_is_not_believed(tmp_path, settled, monkeypatch):
    photo, notes = tmp_path / "photo.jpg", tmp_path / "notes"
    expected = _photo(photo, b"a")
    digests.file_sha256(photo, notes)
    [note] = notes.iterdir()
    note.write_text("0" * 10, encoding="ascii")
    monkeypatch.setattr(digests, "_known", {})
    assert digests.file_sha256(photo, notes) == expected
