"""Byte-identical builds, whatever the clock, the folder, the time zone or the locale."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from helpers import ROOT, SOURCE


def _build(source: Path, out: Path, cwd: Path, **env: str) -> dict[str, str]:
    environment = {**os.environ, "PYTHONWARNINGS": "ignore", **env}
    environment.pop("SOURCE_DATE_EPOCH", None)
    for command in (["all"], ["pdf", "--print"]):
        subprocess.run([sys.executable, str(ROOT / "build.py"), "-q", *command, "--out", str(out),
                        str(source)], cwd=cwd, env=environment, check=True, timeout=300)
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(out.iterdir())
            if p.is_file()}


def test_two_builds_give_the_same_bytes(tmp_path):
    elsewhere = tmp_path / "un" / "autre" / "dossier"
    elsewhere.mkdir(parents=True)
    shutil.copy(SOURCE, elsewhere / SOURCE.name)
    shutil.copy(SOURCE.parent / "agency.yaml", elsewhere / "agency.yaml")
    first = _build(SOURCE, tmp_path / "a", ROOT, TZ="UTC", LC_ALL="C.UTF-8")
    time.sleep(1.1)
    second = _build(elsewhere / SOURCE.name, tmp_path / "b", tmp_path, TZ="Pacific/Auckland",
                    LC_ALL="C")
    assert set(first) == {"smart-city-tour-mulhouse.pdf", "smart-city-tour-mulhouse.epub",
                          "smart-city-tour-mulhouse-impression.pdf"}
    assert first == second


def test_source_date_epoch_sets_the_date(tmp_path):
    from blocnotes.pipeline import Settings, build

    settings = Settings(out=tmp_path, styles=ROOT / "styles",
                        agency_fallback=ROOT / "source/agency.yaml",
                        environ={"SOURCE_DATE_EPOCH": "1700000000"})
    assert build([SOURCE], ("pdf", "epub"), settings)[0].error is None
    import pypdf

    reader = pypdf.PdfReader(tmp_path / "smart-city-tour-mulhouse.pdf")
    assert reader.metadata["/CreationDate"].startswith("D:20231114")
    import zipfile

    with zipfile.ZipFile(tmp_path / "smart-city-tour-mulhouse.epub") as archive:
        assert {info.date_time[:3] for info in archive.infolist()} == {(2023, 11, 14)}
        opf = archive.read("EPUB/content.opf").decode()
    assert "2023-11-14T22:13:20Z" in opf


def test_a_second_build_in_the_same_process_gives_the_same_bytes(tmp_path):
    """Watch mode and --jobs workers build one document after another in one process, with
    WeasyPrint's fonts loaded once: the bytes are those of a fresh build."""
    from blocnotes.pipeline import Settings, build

    settings = Settings(out=tmp_path, styles=ROOT / "styles",
                        agency_fallback=ROOT / "source/agency.yaml", environ={})
    runs = []
    for _ in range(2):
        [outcome] = build([SOURCE], ("pdf", "print"), settings)
        assert outcome.error is None, outcome.error
        runs.append([hashlib.sha256(path.read_bytes()).hexdigest() for path in outcome.written])
    assert runs[0] == runs[1]
