"""French typography as it comes out: line starts and ends in the PDF, spaces in the EPUB,
no text outside the text block, whatever the input."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from blocnotes.pipeline import Settings, pdf_html, prepare, style_of
from blocnotes.render import build_date, render_html
from helpers import ROOT, epub_text


def _pdf_lines(reader) -> list[str]:
    return [line.strip() for page in reader.pages for line in page.extract_text().split("\n")
            if line.strip()]


def test_no_pdf_line_starts_with_high_punctuation(seed_pdf):
    bad = [line for line in _pdf_lines(seed_pdf) if line[0] in ";:!?»"]
    assert bad == []


def test_no_pdf_line_ends_with_an_opening_guillemet(seed_pdf):
    bad = [line for line in _pdf_lines(seed_pdf) if line.endswith("«")]
    assert bad == []


def test_epub_has_typographic_apostrophes_and_no_breakable_spaces(seed_built):
    text = epub_text(seed_built.epub)
    assert "'" not in text
    assert '"' not in text
    assert re.findall(r"[ \t\n][;:!?»]", text) == []
    assert re.findall(r"«[ \t\n]", text) == []
    assert "\u202f?" in text and "\u00a0:" in text and "«\u00a0" in text


def test_only_house_fonts_in_pdffonts(seed_built):
    pdffonts = shutil.which("pdffonts")
    assert pdffonts, "pdffonts is missing: `make test` installs poppler-utils"
    output = subprocess.run([pdffonts, str(seed_built.pdf)], capture_output=True, text=True,
                            check=True).stdout
    names = [line.split()[0] for line in output.splitlines()[2:]]
    assert names
    assert all(re.fullmatch(r"[A-Z]{6}\+BN-(Sans|Serif)[-A-Za-z]*", name) for name in names), names
    assert all(" yes yes yes " in line for line in output.splitlines()[2:])


LONG = "https://www.exemple-de-site-municipal.fr/" + "tres-long-chemin/" * 12 + "fin.html"
OVERFLOW_SOURCE = f"""---
title: Un titre extraordinairement long avec Anticonstitutionnellementissimement dedans
date: 2021-02-03
---

# Partie avec un mot Intergouvernementalisationnellementissimes

Plus large qu'une colonne, moins que la page : {"Zyxwvutsrqponmlkjihgfedcba" * 2}zyxwvutsrq.

Voir <{LONG}> et [{LONG}]({LONG}) puis Anticonstitutionnellementissimement{"x" * 80}.

| colonne | autre |
| --- | --- |
| {"y" * 90} | {LONG} |

    code {"z" * 150}
"""


def _boxes(box, ancestors=()):
    """Every box under `box`, with the elements it sits in (innermost last)."""
    element = getattr(box, "element", None)
    if element is not None and (not ancestors or ancestors[-1] is not element):
        ancestors = (*ancestors, element)
    yield box, ancestors
    for child in getattr(box, "children", []):
        yield from _boxes(child, ancestors)


def _laid_out(folder: Path, text: str) -> list:
    """The print edition of the source `text`, laid out by WeasyPrint: its pages."""
    source = folder / "doc.md"
    source.write_text(text, encoding="utf-8")
    settings = Settings(out=folder, styles=ROOT / "styles", environ={})
    document, _ = prepare(source, settings)
    html = pdf_html(settings, render_html(document, build_date(document, {})),
                    style_of(document, settings))
    from blocnotes.pdf import HTML  # WeasyPrint's, once fontconfig sees the house fonts only

    return HTML(string=html, base_url=str(folder)).render().pages


def _classes(element) -> set[str]:
    return set((element.get("class") or "").split())


def test_nothing_leaves_the_text_block(tmp_path: Path):
    """No text outside the page's text block, and none spills from one column into the other:
    each line of a two-column section lies within one column."""
    in_columns = 0
    for page in _laid_out(tmp_path, OVERFLOW_SOURCE):
        page_box = page._page_box
        left = page_box.margin_left
        right = page_box.margin_width() - page_box.margin_right
        for box, _ in _boxes(page_box):
            if type(box).__name__ == "TextBox" and box.text.strip():
                assert box.position_x >= left - 0.5, box.text
                assert box.position_x + box.width <= right + 0.5, (box.text, box.position_x, right)
            if type(box).__name__ != "BlockBox" or box.style["column_count"] != 2:
                continue
            # WeasyPrint lays each column out as an anonymous block of the section's width
            # divided among the columns: every line inside must stay within it.
            # (more than two when the section breaks across pages or around a spanning block)
            columns = [child for child in box.children if child.element is box.element]
            assert len(columns) >= 2, "not two columns"
            for column in columns:
                start, end = column.content_box_x(), column.content_box_x() + column.width
                for text, _ in _boxes(column):
                    if type(text).__name__ == "TextBox" and text.text.strip():
                        assert start - 0.5 <= text.position_x, (text.text, start)
                        assert text.position_x + text.width <= end + 0.5, (text.text, end)
                        in_columns += 1
    assert in_columns > 20  # the columns were found and their lines checked


HYPHENATION_SOURCE = {
    "fr": ("Anticonstitutionnellement intergouvernementalisation désinstitutionnalisation "
           "multiculturalisme", "Hubertus Ravensbergerdorffmeister"),
    "en": ("Incomprehensibilities internationalization counterrevolutionaries "
           "institutionalization", "Hubertus Ravensbergerdorffmeister"),
    "de": ("Donaudampfschifffahrtsgesellschaft Rechtsschutzversicherungsgesellschaften "
           "Arbeiterunfallversicherungsgesetz Grundstücksverkehrsgenehmigungszuständigkeit",
           "Hubertus Ravensbergerdorffmeister"),
}


@pytest.mark.parametrize("lang", ["fr", "en", "de"])
def test_headings_and_colophon_are_not_hyphenated(tmp_path: Path, lang: str):
    """In the document's language, the body is hyphenated (so hyphenation is on and would be
    seen) but no line of a heading, the colophon or a person's name ends in a hyphen."""
    words, name = HYPHENATION_SOURCE[lang]
    long_words = " ".join([words] * 4)
    text = (f"---\ntitle: {words}\ndate: 2021-02-03\nlang: {lang}\nauthor: {name}\n"
            f"publisher: {words}\n---\n\n# {long_words}\n\n"
            f"Intervenants : **{name}**, **{name}**, **{name}**, **{name}**\n\n"
            + f"{long_words} " * 6 + f"\n\n## {long_words}\n\n" + f"{long_words} " * 6 + "\n")
    kept_whole = {"title", "colophon", "name"}
    hyphenated, whole = [], []
    for page in _laid_out(tmp_path, text):
        for box, ancestors in _boxes(page._page_box):
            if type(box).__name__ != "TextBox" or not box.text.strip():
                continue
            ends = box.text.rstrip().endswith(("-", "\u2010"))  # the layout's hyphen: U+2010
            if any(element.tag in ("h2", "h3") or _classes(element) & kept_whole
                   for element in ancestors):
                whole.append(box.text)
                assert not ends, (lang, box.text)
            elif ancestors and ancestors[-1].tag == "p" and ends:
                hyphenated.append(box.text)
    assert hyphenated, f"no line of the body was hyphenated in {lang}: the test sees nothing"
    assert len(whole) > 10


def test_names_are_marked():
    from blocnotes.typeset import typeset_html

    out = typeset_html("<p><strong>Michèle LUTZ</strong>, <strong>Pier-Mael Anezo</strong> et "
                       "les <strong>solutions numériques</strong></p>", "fr")
    assert out.count('class="name"') == 2
    assert '<strong>solutions numériques</strong>' in out


RAISED_SOURCE = """---
title: Le XIXe siècle
date: 2021-03-04
---

# Au 1er étage : Mme Lutz

Le 2ème débat a eu lieu au XIXe siècle, dans la 1ère salle : Mme Lutz, maire, et M. Dupont
l'ont ouvert à 13h37 devant 25% des 1 200 habitants. Voir "https://exemple.fr/page" et
localhost:8080/admin?x=1 ou C:\\Temp ; les 1ères rencontres datent de 1964-2009, etc...
Une ligne de plus au XXIe siècle comme au IIIe, avec une 3e et une 4e phrase, qui continuent
sur plusieurs lignes pour voir que les lettres supérieures ne poussent pas les lignes.
"""


@pytest.fixture(scope="module")
def raised_built(tmp_path_factory):
    from blocnotes.pipeline import build

    folder = tmp_path_factory.mktemp("raised")
    source = folder / "raised.md"
    source.write_text(RAISED_SOURCE, encoding="utf-8")
    settings = Settings(out=folder, styles=ROOT / "styles",
                        agency_fallback=ROOT / "source/agency.yaml", environ={})
    outcome = build([source], ("pdf", "epub"), settings)[0]
    assert outcome.error is None, outcome.error
    return folder / "raised.pdf", folder / "raised.epub", source, settings


def test_raised_letters_are_sup_in_the_epub_and_it_stays_valid(raised_built, tmp_path):
    from conftest import run_epubcheck

    _, epub, _, _ = raised_built
    text = epub_text(epub)
    assert "XIXe siècle" in text and "1re salle" in text and "Mme\u00a0Lutz" in text
    assert "https://exemple.fr/page" in text and "localhost:8080/admin?x=1" in text
    assert "C:\\Temp" in text
    report = run_epubcheck(epub, tmp_path / "report.json")
    assert report["messages"] == []
    ace, chromium = shutil.which("ace-puppeteer"), shutil.which("chromium")
    assert ace and chromium, "DAISY Ace and Chromium are missing: `make test` installs them"
    env = {**__import__("os").environ, "PUPPETEER_EXECUTABLE_PATH": chromium}
    subprocess.run([ace, "--silent", "--outdir", str(tmp_path / "ace"), "--force", str(epub)],
                   env=env, check=True, timeout=300, capture_output=True)
    import json

    ace_report = json.loads((tmp_path / "ace" / "report.json").read_text(encoding="utf-8"))
    assert ace_report["earl:result"]["earl:outcome"] == "pass"


def test_raised_letters_read_in_order_in_the_pdf_and_keep_the_leading(raised_built):
    import pypdf
    from weasyprint import HTML

    pdf, _, source, settings = raised_built
    text = " ".join(page.extract_text() for page in pypdf.PdfReader(pdf).pages)
    assert "XIXe siècle" in text and "2e débat" in text and "1re salle" in text
    document, _ = prepare(source, settings)
    html = pdf_html(settings, render_html(document, build_date(document, {})),
                    style_of(document, settings))
    page = HTML(string=html, base_url=str(source.parent)).render().pages[0]
    lines = {}
    for box, _ in _boxes(page._page_box):
        if type(box).__name__ == "LineBox" and box.element_tag == "p":
            line = "".join(b.text for b, _ in _boxes(box) if type(b).__name__ == "TextBox")
            if any(word in line for word in ("débat", "Lutz", "habitants", "localhost", "rencontres",
                                             "XXI", "plusieurs", "lignes")):
                lines[line] = round(box.height, 2)
    assert len(lines) >= 4, lines
    raised = [line for line in lines if any(n in line for n in ("XIX", "XXI", "III", "3e", "4e"))]
    assert raised and len(raised) < len(lines), lines
    assert len(set(lines.values())) == 1, lines  # a line with a <sup> is no taller
