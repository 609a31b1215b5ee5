"""What a build reads and writes: its records say what it used, every input stays in its own
folder, a source's outputs are written all or none, and its temporary folders do not
outlive it."""

from __future__ import annotations

import errno
import os
import shutil
import signal
import subprocess
import sys
from collections import namedtuple
from pathlib import Path

import pytest
from PIL import Image

from blocnotes import atomic, freshness, inputs, pipeline, scratch
from blocnotes.pipeline import Settings, build, due
from helpers import AGENCY, ROOT

MINIMAL = ROOT / "tests" / "fixtures" / "minimal" / "minimal.md"
MORE = "\nUn dernier paragraphe, ajouté pendant la construction.\n"


def _settings(out: Path) -> Settings:
    return Settings(out=out, styles=ROOT / "styles", agency_fallback=AGENCY, environ={})


def _source(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "minimal.md"
    shutil.copy(MINIMAL, path)
    return path


def test_a_source_saved_during_the_build_is_built_again(tmp_path, monkeypatch):
    """The race of `make dist` while an editor saves: the build read the file as it was; the
    record must say so, so the next build sees the saved file as new (it used to record the
    file as saved afterwards, and the outputs stayed without the last lines for good)."""
    source = _source(tmp_path / "source")
    read = inputs.read_bytes

    def read_then_saved(path: Path, folder: Path | None = None, most: int | None = None) -> bytes:
        data = read(path, folder, most)
        if path == source:  # the editor's save lands right after the build's read
            source.write_text(MINIMAL.read_text(encoding="utf-8") + MORE, encoding="utf-8")
        return data

    monkeypatch.setattr(inputs, "read_bytes", read_then_saved)
    settings = _settings(tmp_path / "out")
    [outcome] = build([source], ("pdf", "epub"), settings)
    assert outcome.error is None, outcome.error
    monkeypatch.undo()
    assert due(source, ("pdf", "epub"), settings) == ("pdf", "epub")
    [again] = build([source], ("pdf", "epub"), settings)
    assert again.error is None
    assert due(source, ("pdf", "epub"), settings) == ()


def test_an_input_read_twice_with_other_bytes_is_never_recorded_fresh(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text("one", encoding="utf-8")
    with inputs.ledger() as read:
        inputs.read_bytes(path)
        path.write_text("two", encoding="utf-8")
        inputs.read_bytes(path)
    assert read == {str(path.resolve()): inputs.UNSETTLED}


@pytest.mark.parametrize("name", ["minimal.md", "agency.yaml"])
def test_an_input_linked_from_outside_its_folder_is_refused(tmp_path, name):
    """A source or agency.yaml that is a link to a file elsewhere (a secret, another
    project's file) is not read, as a linked image is not."""
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    folder = tmp_path / "source"
    source = _source(folder)
    target = outside / name
    if name == "agency.yaml":
        shutil.copy(AGENCY, target)
    else:
        shutil.move(source, target)
    (folder / name).symlink_to(target)
    settings = _settings(tmp_path / "out")
    [outcome] = build([source], ("pdf",), settings)
    assert outcome.error is not None
    assert f"{folder / name}: is a link to a file outside" in str(outcome.error)
    assert not (tmp_path / "out" / "minimal.pdf").exists()


def test_a_link_inside_its_folder_is_read(tmp_path):
    folder = tmp_path / "source"
    source = _source(folder)
    (folder / "copy.md").symlink_to(source)
    [outcome] = build([folder / "copy.md"], ("epub",), _settings(tmp_path / "out"))
    assert outcome.error is None


def test_a_style_file_linked_from_outside_is_refused(tmp_path):
    styles = tmp_path / "styles"
    shutil.copytree(ROOT / "styles", styles)
    secret = tmp_path / "secret.css"
    secret.write_text("body { color: red }\n", encoding="utf-8")
    (styles / "bloc-notes" / "epub.css").unlink()
    (styles / "bloc-notes" / "epub.css").symlink_to(secret)
    settings = Settings(out=tmp_path / "out", styles=styles, agency_fallback=AGENCY, environ={})
    [outcome] = build([_source(tmp_path / "source")], ("epub",), settings)
    assert outcome.error is not None
    assert "epub.css: is a link to a file outside" in str(outcome.error)


Usage = namedtuple("Usage", "total used free")


def test_a_full_disk_writes_none_of_a_sources_outputs(tmp_path, monkeypatch):
    """Not enough room for every output: an error before anything is written, the previous
    outputs and their records as they were (it used to write the PDF and its record, then
    fail on the EPUB)."""
    source = _source(tmp_path / "source")
    settings = _settings(tmp_path / "out")
    [first] = build([source], ("pdf", "epub"), settings)
    assert first.error is None
    before = {path: path.read_bytes() for path in (tmp_path / "out").rglob("*") if path.is_file()}
    source.write_text(MINIMAL.read_text(encoding="utf-8") + MORE, encoding="utf-8")
    monkeypatch.setattr(atomic.shutil, "disk_usage", lambda folder: Usage(1 << 30, 1 << 30, 1000))
    [full] = build([source], ("pdf", "epub"), settings)
    assert full.error is not None and "not enough room on the disk" in str(full.error)
    assert "nothing was written" in str(full.error)
    after = {path: path.read_bytes() for path in (tmp_path / "out").rglob("*") if path.is_file()}
    assert after == before


def test_a_write_that_fails_half_way_leaves_every_old_file(tmp_path, monkeypatch):
    """The disk fills up while the second file is written: the first is not renamed either,
    and no temporary file is left."""
    one, two = tmp_path / "one.pdf", tmp_path / "sub" / "two.epub"
    one.write_bytes(b"old one")
    written = []
    real = atomic._write

    def filling(temporary: Path, data: bytes) -> None:
        if written:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(temporary))
        real(temporary, data)
        written.append(temporary)

    monkeypatch.setattr(atomic, "_write", filling)
    with pytest.raises(atomic.BlocNotesError, match="No space left on device"):
        atomic.write_all([(one, b"new one"), (two, b"new two")])
    assert one.read_bytes() == b"old one"
    assert sorted(path.name for path in tmp_path.rglob("*") if path.is_file()) == ["one.pdf"]


def test_the_temporary_folders_of_a_killed_build_are_removed(tmp_path):
    """WeasyPrint's font folder is one of the build's temporary folders; a build killed
    (SIGKILL: nothing runs) leaves it, and the next build or `clean` removes it."""
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    left = scratch.root() / gone.stdout.strip() / "weasyprint-x"
    left.mkdir(parents=True)
    (left / "font").write_bytes(b"\0" * 100)
    [outcome] = build([_source(tmp_path / "source")], ("pdf",), _settings(tmp_path / "out"))
    assert outcome.error is None
    assert not left.parent.exists()
    from blocnotes import pdf

    assert pdf._font_config()._folder.is_relative_to(scratch.root() / str(os.getpid()))
    left.mkdir(parents=True)
    subprocess.run([sys.executable, str(ROOT / "build.py"), "clean", "--out",
                    str(tmp_path / "none")], cwd=ROOT, check=True, timeout=60)
    assert not left.parent.exists()


def test_every_input_the_pipeline_reads_is_noted(tmp_path, monkeypatch):
    """The source, agency.yaml, the style's files and the photos are recorded by the digest
    of the bytes the build read: none is read a second time for its record."""
    folder = tmp_path / "source"
    source = _source(folder)
    Image.new("RGB", (40, 30), "teal").save(folder / "photo.jpg")
    with source.open("a", encoding="utf-8") as stream:
        stream.write("\n![Une photo](photo.jpg)\n")
    read_again: list[Path] = []
    digest = freshness._file_digest

    def counted(path: Path, notes: Path | None = None) -> str | None:
        read_again.append(path.resolve())
        return digest(path, notes)

    monkeypatch.setattr(freshness, "_file_digest", counted)
    [outcome] = build([source], ("pdf", "epub"), _settings(tmp_path / "out"))
    assert outcome.error is None, outcome.error
    style = ROOT / "styles" / "bloc-notes"
    noted = {source, AGENCY, folder / "photo.jpg",
             *(style / name for name in ("print.css", "epub.css", "style.yaml", "labels.yaml"))}
    assert not {path.resolve() for path in noted} & set(read_again)
    record = (tmp_path / "out" / ".build" / "minimal.epub.json").read_text(encoding="utf-8")
    assert all(str(path.resolve()) in record for path in noted)


def test_a_worker_killed_stops_only_its_source(tmp_path, monkeypatch):
    """A --jobs worker ended by the system (out of memory: SIGKILL) used to stop the series
    with a BrokenProcessPool traceback; now the source it was building gets one clean error
    (found by building the unfinished ones each alone), the others are built."""
    folder = tmp_path / "source"
    sources = [_source(folder).rename(folder / f"{name}.md") for name in ("a", "b", "c")]
    killer = folder / "b.md"
    build_one = pipeline.build_one

    def killing(source: Path, formats, settings):
        if source == killer:  # (the pool's processes are forks: they see this patch)
            os.kill(os.getpid(), signal.SIGKILL)
        return build_one(source, formats, settings)

    monkeypatch.setattr(pipeline, "build_one", killing)
    settings = Settings(out=tmp_path / "out", styles=ROOT / "styles", agency_fallback=AGENCY,
                        environ={})
    outcomes = pipeline.build_plan([(source, ("epub",)) for source in sources], settings, jobs=2)
    assert [outcome.source for outcome in outcomes] == sources
    errors = {outcome.source: outcome.error for outcome in outcomes}
    assert errors[sources[0]] is None and errors[sources[2]] is None
    assert "its build stopped: the process building it was ended" in str(errors[killer])
