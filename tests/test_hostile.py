"""Hostile and broken input: sanitized raw HTML, refused file references, escaped metadata,
images packaged in the EPUB, and EPUBCheck on what comes out."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pypdf
import pytest
from PIL import Image

from blocnotes.markup import parse_fragment
from blocnotes.pipeline import Settings, build
from conftest import run_epubcheck
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
    body = html.split("<body", 1)[1]  # the body tag carries the page label
    with zipfile.ZipFile(hostile / "hostile.epub") as archive:
        chapters = [archive.read(n).decode() for n in archive.namelist() if n.endswith(".xhtml")]
    for text in [body, *chapters]:
        for needle in FORBIDDEN:
            assert needle not in text, needle
    assert "imbriqué" in body and "lien piégé" in body


def test_metadata_is_escaped(hostile):
    # the metadata's title as the page shows it: typeset (French quotes), never markup
    title = "Essai <script>alert(«\u00a0t\u00a0»)</script> & «\u00a0guillemets\u00a0»]]> -->"
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


CSS_ESCAPES = {  # appended to print.css (an @import there would come after rules: ignored)
    "file address": ('body { background: url("file://{secret}"); }', "refused to read"),
    # relative to the document, where it cannot climb: the secret beside the folder is not read
    "relative path": ('body { background: url("../../../secret.png"); }', "Failed to load"),
    "remote image": ('body { background: url("https://example.org/x.png"); }', "refused to read"),
    "font outside": ('@font-face { font-family: "X"; src: url("file://{secret}"); } '
                     'p { font-family: "X"; }', "refused to read"),
}


@pytest.mark.parametrize(("rule", "needle"), CSS_ESCAPES.values(), ids=CSS_ESCAPES.keys())
def test_css_url_escape_is_refused(tmp_path, rule, needle):
    """A stylesheet that reaches outside the allowed folders fails the build (nothing read,
    nothing written); the same stylesheet pointing inside the styles folder builds."""
    secret = tmp_path / "secret.png"
    Image.new("RGB", (4, 4), (200, 0, 0)).save(secret)
    styles = tmp_path / "styles"
    shutil.copytree(ROOT / "styles", styles)
    original = (styles / "bloc-notes" / "print.css").read_text(encoding="utf-8")
    css = rule.replace("{secret}", str(secret))
    (styles / "bloc-notes" / "print.css").write_text(original + "\n" + css + "\n", encoding="utf-8")
    source = tmp_path / "doc" / "doc.md"
    source.parent.mkdir()
    source.write_text("---\ntitle: T\ndate: 2021-01-01\n---\n\n# A\n\nTexte.\n", encoding="utf-8")
    settings = Settings(out=tmp_path / "out", styles=styles, environ={})
    outcome = build([source], ("pdf",), settings)[0]
    assert outcome.error is not None, "the stylesheet's escape was not refused"
    assert needle in str(outcome.error)
    assert not (tmp_path / "out" / "doc.pdf").exists()
    # the control: the same rule pointing inside the styles folder is read, and builds
    shutil.copy(secret, styles / "fond.png")
    inside = css.replace(str(secret), str(styles / "fond.png")).replace(
        "../../../secret.png", (styles / "fond.png").as_uri()).replace(
        "https://example.org/x.png", (styles / "fond.png").as_uri())
    (styles / "bloc-notes" / "print.css").write_text(original + "\n" + inside + "\n", encoding="utf-8")
    outcome = build([source], ("pdf",), settings)[0]
    if "@font-face" not in rule:  # (a PNG is no font: that control would prove nothing)
        assert outcome.error is None, outcome.error


@pytest.mark.parametrize("raw", ["<svg><circle r=1 /></svg>", "<math><mi>x</mi></math>",
                                 '<svg viewBox="0 0 1 1"><g><rect width="1"/></g></svg>'])
def test_inline_svg_or_math_hides_nothing_after_it(raw):
    """An inline <svg> was cleaned one tag at a time: its <circle/> was left behind, read as an
    unclosed element, and took the rest of the paragraph and the nested list with it."""
    from blocnotes.markup import to_html

    html = to_html(f"1. avant {raw} après\n    - imbriqué\n2. suite\n\nparagraphe {raw} fin\n")
    for word in ("avant", "après", "imbriqué", "suite", "paragraphe", "fin"):
        assert word in html, (word, html)
    assert "<svg" not in html and "<circle" not in html and "<math" not in html


def test_definition_lists_stay_valid(tmp_path):
    """Two shapes EPUBCheck rejected: a definition with no term (': text' under a heading
    with attributes gave <dl><dd> alone) and an unclosed <b> in a definition (the parser
    reopened it between the list's items, <dl><b>)."""
    from blocnotes.markup import parse_body

    markdown = ("# Titre {#titre-a .x}\n:   définition seule\n\nterme\n:   AURM\nautre\n"
                ":   [lien](#) <b>non fermé\n\n| a |\n|---|\n| x |\n\n- a <b>gras\n- b\n")
    html = "".join(section.html for section in parse_body(markdown, 1).sections)
    for word in ("définition seule", "terme", "autre", "non fermé", "gras"):
        assert word in html, word
    root = parse_fragment(html)
    for listing in root.iter("dl"):
        children = [child.tag for child in listing if isinstance(child.tag, str)]
        assert children and children[0] == "dt" and set(children) <= {"dt", "dd"}, children
    for listing in root.iter("ul"):
        assert {child.tag for child in listing if isinstance(child.tag, str)} == {"li"}
    source = tmp_path / "dl.md"
    source.write_text(f"---\ntitle: T\ndate: 2021-01-01\n---\n\n{markdown}", encoding="utf-8")
    settings = Settings(out=tmp_path / "out", styles=ROOT / "styles", environ={})
    assert build([source], ("epub",), settings)[0].error is None
    report = run_epubcheck(tmp_path / "out" / "dl.epub", tmp_path / "report.json")
    assert [m["message"] for m in report["messages"]
            if m["severity"] in ("FATAL", "ERROR", "WARNING")] == []


@pytest.mark.parametrize("raw", ["<script>alert(1)</script>", "<style>p { display: none }</style>",
                                 "<svg><text>dessin</text></svg>"])
def test_inline_script_or_style_shows_no_code_as_text(raw):
    """Inline, these were cleaned one tag at a time: the code between showed as text."""
    from blocnotes.markup import to_html

    html = to_html(f"avant {raw} après\n\n- liste {raw} suite\n")
    for gone in ("alert", "display", "dessin", "<script", "<style", "<svg"):
        assert gone not in html, (gone, html)
    for kept in ("avant", "après", "liste", "suite"):
        assert kept in html


def test_an_unclosed_table_does_not_swallow_the_rest(tmp_path):
    """A raw <table> never closed ran to the end of the document: what followed was left as
    Markdown source in a table cell, its images never checked (a missing one built)."""
    from blocnotes.markup import to_html

    html = to_html("<table><tr><td>x\n\n- un **point**\n\n![Un plan](absent.png)\n\n"
                   '<div markdown="1">\n\n*dedans*\n\n</div>\n')
    assert "<li>un <strong>point</strong></li>" in html
    assert '<img alt="Un plan" src="absent.png"' in html and "<em>dedans</em>" in html
    source = tmp_path / "doc.md"
    source.write_text("---\ntitle: T\ndate: 2021-01-01\n---\n\n# A\n\n<table><tr><td>x\n\n"
                      "![Un plan](absent.png)\n", encoding="utf-8")
    outcome = build([source], ("pdf", "epub"), Settings(out=tmp_path / "out",
                                                        styles=ROOT / "styles", environ={}))[0]
    assert outcome.error is not None and "image 'absent.png' not found" in str(outcome.error)
