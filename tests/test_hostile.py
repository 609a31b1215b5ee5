"""Hostile and broken input: sanitized raw HTML, refused file references, escaped metadata,
images packaged in the EPUB, and EPUBCheck on what comes out."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pypdf
import pytest
from PIL import Image

from blocnotes.errors import BlocNotesError
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
    "file address": ('body { background: url("file://{secret}"); }', "print.css:{line}: 'file://"),
    # relative to the document, where it cannot climb: the secret beside the folder is not read
    "relative path": ('body { background: url("../../../secret.png"); }', "Failed to load"),
    "remote image": ('body { background: url("https://example.org/x.png"); }',
                     "print.css:{line}: 'https://example.org/x.png' is on the network"),
    "font outside": ('@font-face { font-family: "X"; src: url("file://{secret}"); } '
                     'p { font-family: "X"; }', "print.css:{line}: 'file://"),
    "remote font": ('@font-face { font-family: "X"; src: url("https://example.org/x.ttf"); } '
                    'p { font-family: "X"; }', "print.css:{line}: 'https://example.org/x.ttf' is "
                    "on the network"),
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
    # a reference the stylesheet's check finds is an error at its line (the rule's, appended)
    assert needle.replace("{line}", str(original.count("\n") + 2)) in str(outcome.error)
    assert not (tmp_path / "out" / "doc.pdf").exists()
    # the control: the same rule pointing inside the styles folder is read, and builds
    shutil.copy(secret, styles / "fond.png")
    inside = css.replace(str(secret), str(styles / "fond.png")).replace(
        "../../../secret.png", (styles / "fond.png").as_uri()).replace(
        "https://example.org/x.png", (styles / "fond.png").as_uri()).replace(
        "https://example.org/x.ttf", (styles / "fond.png").as_uri())
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


def _doc(folder: Path, body: str, front: str = "") -> Path:
    """A one-section source in `folder` (its body from line 8, after `front`'s lines)."""
    source = folder / "doc.md"
    source.write_text(f"---\ntitle: T\ndate: 2021-01-01\n{front}---\n\n# A\n\n{body}\n",
                      encoding="utf-8")
    return source


def _check(source: Path, styles: Path = ROOT / "styles") -> list[str]:
    """`check`'s lines for one source: its error's, or its warnings'."""
    from blocnotes.pipeline import check

    outcome = check([source], Settings(out=source.parent / "out", styles=styles, environ={}))[0]
    if outcome.error is not None:
        return [f"error: {line}" for line in outcome.error.lines()]
    return [d.labelled() for d in outcome.diagnostics]


SVG_ESCAPES = {  # CSS a regular expression missed: each fetched http://127.0.0.1:9/...
    "escaped url": "<style>rect { fill: \\75 rl(http://127.0.0.1:9/a.png) }</style>",
    "image-set": '<style>rect { fill: image-set("http://127.0.0.1:9/b.png" 1x) }</style>',
    "unclosed url": '<rect width="4" height="4" style="fill: url(http://127.0.0.1:9/c.png"/>',
    "escaped import": '<style>@\\69mport "http://127.0.0.1:9/d.css"; rect { fill: red }</style>',
    "font-face": '<style>@font-face { font-family: X; src: url(//127.0.0.1:9/e.ttf) }</style>',
    "attribute": '<rect width="4" height="4" fill="\\75 rl(http://127.0.0.1:9/f.png)"/>',
    "image": '<image href="http://127.0.0.1:9/g.png" width="4" height="4"/><a '
             'href="http://127.0.0.1:9/link"><rect width="4" height="4"/></a>',
}


@pytest.mark.parametrize("css", SVG_ESCAPES.values(), ids=SVG_ESCAPES.keys())
def test_svg_css_escapes_are_left_out_with_a_warning(tmp_path, css):
    """An SVG's CSS is read as WeasyPrint and e-readers read it (tinycss2): escapes decoded,
    an unclosed url( closed; what it would fetch is left out of the drawing, a warning at the
    image's line that names the address; the drawing stays."""
    from blocnotes import images

    svg = ('<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20">\n'
           f'{css}\n<circle cx="10" cy="10" r="5" fill="#005b70"/></svg>')
    cleaned = images.clean_svg(svg.encode()).decode()
    assert "127.0.0.1" not in cleaned and "<circle" in cleaned, cleaned
    (tmp_path / "dessin.svg").write_text(svg, encoding="utf-8")
    lines = _check(_doc(tmp_path, "Texte.\n\n![Un dessin](dessin.svg)"))
    assert len(lines) == 1 and lines[0].startswith(f"{tmp_path / 'doc.md'}:10: warning: "), lines
    assert "http://127.0.0.1:9/" in lines[0] or "//127.0.0.1:9/" in lines[0], lines
    assert "(line 2 of the SVG)" in lines[0], lines


def test_svg_local_references_and_escaped_imports_build(tmp_path):
    """A gradient by its #id stays; an escaped @import is left out (it failed the PDF with
    an empty reason and no line); the EPUB passes EPUBCheck."""
    svg = ('<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20"><defs>'
           '<linearGradient id="g"><stop offset="0" stop-color="#005b70"/></linearGradient>'
           '</defs><style>@\\69mport "http://127.0.0.1:9/d.css"; rect { fill: url(#g) }</style>'
           '<rect width="40" height="20"/></svg>')
    (tmp_path / "dessin.svg").write_text(svg, encoding="utf-8")
    source = _doc(tmp_path, "Texte.\n\n![Un dessin](dessin.svg)")
    settings = Settings(out=tmp_path / "out", styles=ROOT / "styles", environ={})
    outcome = build([source], ("pdf", "epub"), settings)[0]
    assert outcome.error is None, outcome.error
    assert [d.line for d in outcome.diagnostics if "outside the drawing" in d.message] == [10]
    with zipfile.ZipFile(tmp_path / "out" / "doc.epub") as archive:
        drawing = next(archive.read(n).decode() for n in archive.namelist() if n.endswith(".svg"))
    assert "fill:url(#g)" in drawing and "import" not in drawing and "127.0.0.1" not in drawing
    report = run_epubcheck(tmp_path / "out" / "doc.epub", tmp_path / "report.json")
    assert [m["message"] for m in report["messages"]
            if m["severity"] in ("FATAL", "ERROR", "WARNING")] == []


STYLE_ESCAPES = {  # (stylesheet, appended rule): each an error at the rule's line
    "epub url": ("epub.css", 'p { background: url("https://127.0.0.1:9/a.png"); }'),
    "epub import": ("epub.css", '@import url("https://127.0.0.1:9/b.css");'),
    "epub escaped import": ("epub.css", '@\\69mport "x.css";'),
    "epub escaped url": ("epub.css", "p { background: \\75 rl(http://127.0.0.1:9/c.png); }"),
    "epub image-set": ("epub.css", 'p { background: image-set("http://127.0.0.1:9/d.png" 1x); }'),
    "epub unclosed url": ("epub.css", "p { background: url(http://127.0.0.1:9/e.png"),
    "epub file": ("epub.css", 'p { background: url("file:///etc/hostname"); }'),
    "web font": ("web.css", '@font-face { font-family: X; src: url(//127.0.0.1:9/f.woff2); }'),
    "web closes style": ("web.css", 'p::after { content: "</style><script>x</script>"; }'),
    "print font": ("print.css", '@font-face { font-family: X; src: url("https://127.0.0.1:9/g"); }'),
}


@pytest.mark.parametrize(("name", "rule"), STYLE_ESCAPES.values(), ids=STYLE_ESCAPES.keys())
def test_style_stylesheet_references_are_errors_at_their_line(tmp_path, name, rule):
    """A style's stylesheet that would fetch from the network (or @import, or ship a file
    of this computer, or close the web page's <style>) is an error at its file and line, as
    the EPUB's book.css, the web page and the PDF read it; the style's own stylesheets pass."""
    from blocnotes import style

    folder = tmp_path / "bloc-notes"
    shutil.copytree(ROOT / "styles" / "bloc-notes", folder)

    def read(path: Path) -> str:
        return style.read_stylesheet(path, shipped=name != "print.css")
    assert read(folder / name)  # as shipped: passes
    original = (folder / name).read_text(encoding="utf-8")
    (folder / name).write_text(f"{original}\n{rule}\n", encoding="utf-8")
    with pytest.raises(BlocNotesError) as caught:
        read(folder / name)
    assert str(caught.value).startswith(f"{folder / name}:{original.count(chr(10)) + 2}: ")


STYLE_VALUES = {  # (what replaces, by what): each an error at its line of style.yaml
    "colour closes the rule": ('accent: "#005b70"',
                               'accent: "red; } body { background: url(http://127.0.0.1:9/x) }"'),
    "colour escaped": ('accent: "#005b70"', 'accent: "\\\\75 rl(http://127.0.0.1:9/x)"'),
    "ink": ("accent: device-cmyk(0.9 0.35 0.3 0.45)",
            "accent: device-cmyk(0 0 0 1) url(http://127.0.0.1:9/x)"),
    "colour name": ('accent: "#005b70"', '"accent:x{}": "#005b70"'),
    "family": ("family: BN Sans", "family: 'BN Sans\"; src: url(http://127.0.0.1:9/x); x: \"'"),
}


@pytest.mark.parametrize(("old", "new"), STYLE_VALUES.values(), ids=STYLE_VALUES.keys())
def test_style_values_are_checked_as_what_they_are(tmp_path, old, new):
    """style.yaml's colours are read as colours, its inks as device-cmyk(), its names as
    names (tinycss2): none can close the CSS rule and add its own url(...)."""
    from blocnotes import style

    folder = tmp_path / "bloc-notes"
    shutil.copytree(ROOT / "styles" / "bloc-notes", folder)
    text = (folder / "style.yaml").read_text(encoding="utf-8")
    assert style.read(folder).colours["accent"] == "#005b70"
    assert old in text
    (folder / "style.yaml").write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(BlocNotesError) as caught:
        style.read(folder)
    line = text[:text.index(old)].count("\n") + 1
    assert str(caught.value).startswith(f"{folder / 'style.yaml'}:{line}: "), str(caught.value)


@pytest.mark.parametrize(("body", "line"), [
    ("Texte <!-- jamais fermé\n\nSuite.", 8),
    ("Texte.\n\n<!-- un bloc jamais fermé\n\nSuite.", 10),
    ("Texte <!-- fermé trop loin\n\nSuite --> fin.", 8),
    ("- un point <!-- ouvert\n- un autre", 8),
    ("Texte <!-- fermé --> et `<!--` en code.\n\n```\n<!--\n```", None),
    ("<!-- un bloc\n\nsur deux paragraphes -->\n\nTexte.", None),
    ("abstract: 'Un résumé <!-- à revoir'", 4),
    ("abstract: 'Un résumé <!-- relu --> et `<!--` en code'", None),
])
def test_an_unclosed_html_comment_is_an_error_at_its_line(tmp_path, body, line):
    """Markdown prints a '<!--' it cannot close as text ('<!-- ...' in the PDF and the EPUB):
    an error at its line, in the body or the abstract; a closed comment, or one in code, is
    no error."""
    abstract = body.startswith("abstract:")
    lines = _check(_doc(tmp_path, "Texte." if abstract else body, body + "\n" if abstract else ""))
    if line is None:
        assert not [text for text in lines if text.startswith("error")], lines
    else:
        assert lines == [f"error: {tmp_path / 'doc.md'}:{line}: an HTML comment '<!--' is never "
                         "closed, and would print in the PDF and the EPUB (end it with '-->' in "
                         "the same paragraph, or remove it)"], lines


def test_an_image_in_the_abstract_is_checked_at_its_line(tmp_path):
    """The abstract's images were not checked: a missing one failed the PDF with an absolute
    path and a FileNotFoundError, and no line. Now `check` sees them, at the abstract's line."""
    source = _doc(tmp_path, "Texte.", "abstract: 'Voir ![Un plan](absent.png) ici'\n")
    lines = _check(source)
    assert lines == [f"{source}:4: error: image 'absent.png' not found (expected at "
                     f"{tmp_path / 'absent.png'})"], lines
    Image.new("RGB", (40, 30), (0, 91, 112)).save(tmp_path / "absent.png")
    source.write_text(source.read_text(encoding="utf-8").replace("![Un plan]", "![]"),
                      encoding="utf-8")
    assert [line.split(": ", 2)[:2] for line in _check(source)] == [[f"{source}:4", "error"]]


def _cut_photo(folder: Path, name: str, form: str) -> None:
    """A photo of noise (always the same) saved in `form`, then cut at half its bytes."""
    import io
    import random

    picture = Image.frombytes("RGB", (1200, 800), random.Random(27).randbytes(1200 * 800 * 3))
    buffer = io.BytesIO()
    picture.save(buffer, format=form)
    (folder / name).write_bytes(buffer.getvalue()[: len(buffer.getvalue()) // 2])


def test_a_photo_cut_short_is_a_warning_at_its_line(tmp_path, monkeypatch):
    """A JPEG cut at half its bytes built with a grey lower half and no word: a warning at
    its line (an error under --strict), a PNG's too; a WebP cut short, which cannot be read
    at all, an error at its line (the PDF failed without one). The verdict is remembered
    with the image cache: the next build does not decode the photo again. (WeasyPrint,
    imported by other tests, turns Pillow's tolerance on: the verdict does not depend on it.)"""
    from blocnotes import images

    _cut_photo(tmp_path, "coupee.jpg", "JPEG")
    _cut_photo(tmp_path, "coupee.png", "PNG")
    _cut_photo(tmp_path, "coupee.webp", "WEBP")
    source = _doc(tmp_path, "![Une photo](coupee.jpg)")
    lines = _check(source)
    assert len(lines) == 1 and lines[0].startswith(f"{source}:8: warning: image 'coupee.jpg' is "
                                                   "cut short or damaged"), lines
    settings = Settings(out=tmp_path / "out", styles=ROOT / "styles", environ={}, strict=True)
    outcome = build([source], ("pdf",), settings)[0]
    assert outcome.error is not None and outcome.error.line == 8, outcome.error
    assert "cut short" in str(outcome.error) and not (tmp_path / "out" / "doc.pdf").exists()
    monkeypatch.setattr(images, "damage", lambda data: pytest.fail("decoded again"))
    again = build([source], ("pdf",), settings)[0]  # remembered: no second decode
    assert again.error is not None and "cut short" in str(again.error)
    monkeypatch.undo()
    import weasyprint  # noqa: F401  (sets Pillow's tolerance for the whole process)

    for name, severity in (("coupee.png", "warning"), ("coupee.webp", "error")):
        source = _doc(tmp_path, f"![Une photo]({name})")
        assert [line.split(": ", 2)[:2] for line in _check(source)] == [[f"{source}:8", severity]]
