"""Make-up and language on new reports (tests/fixtures/<name>/<name>.md): headings kept with
their text, the colophon with the end of the text, split paragraphs of two lines at least,
the running head on one line, the labels of the document's language in both outputs, the date
of a minimal document, two authors, the EPUB cover's text, characters no font has."""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import subprocess
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pypdf
import pytest
from PIL import Image, ImageDraw

from blocnotes import cover, labels, languages, lint, load, pdf, style, typeset
from blocnotes.distribute import _size
from blocnotes.frontmatter import parse_yaml
from blocnotes.pipeline import Settings, build, check, pdf_html, prepare, style_of
from blocnotes.render import build_date, render_html
from conftest import run_epubcheck
from fixture_pages import FIXTURES, compare_pages
from helpers import NS, ROOT

HEADINGS = {"h2", "h3", "h4", "h5", "h6"}


@dataclass(frozen=True)
class Fixture:
    source: Path
    pdf: Path
    epub: Path


def _settings(out: Path) -> Settings:
    return Settings(out=out, styles=ROOT / "styles", agency_fallback=ROOT / "source/agency.yaml",
                    environ={})


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Fixture]:
    out = tmp_path_factory.mktemp("fixtures")
    sources = [ROOT / "tests" / "fixtures" / name / f"{name}.md" for name in FIXTURES]
    outcomes = build(sources, ("pdf", "epub"), _settings(out))
    assert [o.error for o in outcomes] == [None] * len(FIXTURES)
    return {name: Fixture(source, out / f"{name}.pdf", out / f"{name}.epub")
            for name, source in zip(FIXTURES, sources, strict=True)}


_LAYOUTS: dict[tuple[Path, bool], object] = {}


def _laid_out(source: Path, tmp_path: Path, made_up: bool = True):
    """The fixture's PDF HTML laid out by WeasyPrint, made up as the PDF is (or not); once
    for each fixture."""
    key = (source, made_up)
    if key not in _LAYOUTS:
        _LAYOUTS[key] = _lay_out_now(source, tmp_path, made_up)
    return _LAYOUTS[key]


def _pdf_html(source: Path, tmp_path: Path) -> tuple[str, tuple[Path, ...]]:
    """The HTML the fixture's screen PDF is laid out from, and the folders it may read."""
    settings = _settings(tmp_path)
    document, _ = prepare(source, settings)
    html = pdf_html(settings, render_html(document, build_date(document, {})),
                    style_of(document, settings))
    return html, (source.parent, settings.styles, *pdf.fonts.font_dirs(style_of(document, settings)))


def _lay_out_now(source: Path, tmp_path: Path, made_up: bool):
    html, roots = _pdf_html(source, tmp_path)
    if made_up:
        return pdf.layout(html, source, roots)
    return pdf._lay_out(html, source, roots, False)


def _blocks(box) -> list:
    return [child for child in getattr(box, "children", ())
            if type(child).__name__ not in ("LineBox", "TextBox", "InlineBox", "MarginBox")]


def _classes(box) -> list[str]:
    element = getattr(box, "element", None)
    return element.get("class", "").split() if element is not None else []


def _sections(box):
    for child in _blocks(box):
        if "chapter" in _classes(child):
            yield child
        else:
            yield from _sections(child)


def _columns(section) -> list:
    """The column boxes of a section laid out on a page (those of its text after the heading)."""
    return [column for body in _blocks(section) if "section-body" in _classes(body)
            for column in _blocks(body) if column.element is body.element]


def _feet(document) -> list[tuple[int, str, str]]:
    """(page, 'page' or 'column', text) of every heading or speakers' box that ends a page (a
    section's heading across both columns with no column after it) or a column."""
    found = []
    for number, page in enumerate(document.pages, start=1):
        for section in _sections(page._page_box):
            children = _blocks(section)
            if children and "section-head" in _classes(children[-1]):
                found.append((number, "page", "".join(children[-1].element.itertext())))
            for column in _columns(section):
                last = _blocks(column)[-1:]
                if last and (last[0].element.tag in HEADINGS or "speakers" in _classes(last[0])):
                    found.append((number, "column", "".join(last[0].element.itertext())))
    return found


# The sections as they were laid out before: the heading spanning the section's own columns.
SPANNING = (".chapter { columns: 2; column-gap: 7mm } .section-body { columns: auto } "
            ".section-head { column-span: all }")


def test_the_style_keeps_each_section_heading_with_its_columns(built, tmp_path):
    """The ten-page report, laid out once with no make-up, leaves no section heading at a
    page's foot: the heading is a block before the columns (break-after: avoid). With the
    heading spanning the section's own columns, WeasyPrint leaves some there: the test can
    fail."""
    source = built["long"].source
    html, roots = _pdf_html(source, tmp_path)
    feet = {}
    for rule in ("", SPANNING):
        laid_out = pdf._lay_out(html.replace("</head>", f"<style>{rule}</style></head>", 1),
                                source, roots, False)
        feet[rule] = [text for _, kind, text in _feet(laid_out) if kind == "page"]
    assert feet[""] == []
    assert feet[SPANNING] != []


def test_a_heading_left_at_a_page_foot_starts_the_next_page(built, tmp_path):
    """The make-up's safety net: laid out with the spanning heading of before (which leaves
    headings at page feet, previous test), the report made up has none left there: each such
    section was marked to start a page, in the HTML's tree, and laid out again."""
    source = built["long"].source
    html, roots = _pdf_html(source, tmp_path)
    html = html.replace("</head>", f"<style>{SPANNING}</style></head>", 1)
    made_up = pdf.layout(html, source, roots)
    assert [text for _, kind, text in _feet(made_up) if kind == "page"] == []
    assert any("new-page" in _classes(section) for page in made_up.pages
               for section in _sections(page._page_box))


def test_break_after_avoid_keeps_sub_headings_in_the_columns(built, tmp_path):
    """With paragraphs that cannot break, sub-headings are kept with them by the style's
    break-after: avoid (without it, four are left at a column's foot: the check sees them)."""
    source = built["long"].source
    html, roots = _pdf_html(source, tmp_path)
    found = {}
    for rule in ("", "h3 { break-after: auto !important }"):
        css = f"<style>p {{ break-inside: avoid !important }} {rule}</style></head>"
        laid_out = pdf._lay_out(html.replace("</head>", css, 1), source, roots, False)
        found[rule] = [text for _, kind, text in _feet(laid_out) if kind == "column"]
    assert found[""] == []
    assert found["h3 { break-after: auto !important }"] != []


@pytest.mark.parametrize("name", FIXTURES)
def test_no_heading_or_speakers_box_ends_a_column_or_page(built, tmp_path, name):
    document = _laid_out(built[name].source, tmp_path)
    assert _feet(document) == []
    if name == "long":
        assert len(document.pages) >= 10


@pytest.mark.parametrize("name", FIXTURES)
def test_the_colophon_is_not_alone_on_its_page(built, tmp_path, name):
    document = _laid_out(built[name].source, tmp_path)
    last = document.pages[-1]._page_box
    assert len(document.pages) == 1 or any(True for _ in _sections(last))


def _line_count(box) -> int:
    return sum(1 for child in getattr(box, "children", ()) if type(child).__name__ == "LineBox")


def test_a_paragraph_split_between_columns_keeps_two_lines_on_each_side(built, tmp_path):
    document = _laid_out(built["long"].source, tmp_path)
    fragments: dict[object, list[int]] = {}
    for page in document.pages:
        for section in _sections(page._page_box):
            for column in _columns(section):
                for block in _blocks(column):
                    if block.element.tag == "p":
                        fragments.setdefault(block.element, []).append(_line_count(block))
    split = {element: counts for element, counts in fragments.items() if len(counts) > 1}
    assert split, "no paragraph of the long report is split: the test shows nothing"
    assert [counts for counts in split.values() if min(counts) < 2] == []


def _running_head(document, page: int):
    return next(box for box in document.pages[page]._page_box.children
                if getattr(box, "at_keyword", "") == "@top-right")


@pytest.mark.parametrize("name", ["english", "long", "two-authors"])
def test_the_running_head_is_one_line(built, tmp_path, name):
    document = _laid_out(built[name].source, tmp_path)
    for number in range(1, len(document.pages)):
        head = _running_head(document, number)
        lines = [child for child in head.children if type(child).__name__ == "LineBox"]
        assert len(lines) == 1, f"page {number + 1}: {len(lines)} lines"
        series = next(box for box in document.pages[number]._page_box.children
                      if getattr(box, "at_keyword", "") == "@top-left")
        assert head.position_x >= series.position_x + series.width  # side by side
        assert _line_count(series) == 1
        if lines[0].width > head.width:  # a long title: cut, with an ellipsis
            assert head.style["text_overflow"] == "ellipsis"
            assert head.style["overflow"] == "hidden"


def test_a_short_title_is_the_running_head(tmp_path):
    source = tmp_path / "x.md"
    text = (ROOT / "tests/fixtures/german/german.md").read_text(encoding="utf-8")
    source.write_text(text + "\n" + "\n\n".join(["Ein weiterer Absatz über die Planung."] * 90),
                      encoding="utf-8")
    document = _laid_out(source, tmp_path)
    assert len(document.pages) >= 2
    head = _running_head(document, 1)
    assert "".join(box.text for line in head.children for box in line.children) == \
        "Raumplanung am Oberrhein"


def _pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(path).pages)


def _epub_files(path: Path) -> dict[str, str]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name).decode("utf-8") for name in archive.namelist()
                if name.endswith((".xhtml", ".opf"))}


LANGUAGES = {
    "english": (["IN BRIEF", "KEYWORDS", "Editor: Inès Haddad", "Date: 23 May 2024",
                 "published and printed by:", "page 1 / "],
                ["Mots-clés", "MOTS-CLÉS", "Rédaction", "BLOC-NOTES\n", "Seite"]),
    "german": (["KURZ GEFASST", "SCHLAGWÖRTER", "Redaktion: Pier-Mael Anezo",
                "Datum: 8. Oktober 2024", "Seite 1 / "],
               ["Mots-clés", "MOTS-CLÉS", "Rédaction", "page 1"]),
}


@pytest.mark.parametrize("name", LANGUAGES)
def test_the_labels_follow_the_language_in_the_pdf(built, name):
    text = _pdf_text(built[name].pdf)
    present, absent = LANGUAGES[name]
    assert [word for word in present if word not in text] == []
    assert [word for word in absent if word in text] == []


EPUB_WORDS = {
    "english": ("Keywords", "Editor", "Contents", 'alt="Cover: ', "Speakers"),
    "german": ("Schlagwörter", "Redaktion", "Inhalt", 'alt="Titelbild: ', "Referentinnen"),
}


@pytest.mark.parametrize("name", EPUB_WORDS)
def test_the_labels_follow_the_language_in_the_epub(built, name):
    files = _epub_files(built[name].epub)
    everything = "\n".join(files.values())
    assert [word for word in EPUB_WORDS[name] if word not in everything] == []
    assert "Mots-clés" not in everything and "Rédaction" not in everything
    assert "Sommaire" not in everything and "Couverture" not in everything
    chapters = [text for file, text in files.items() if "chapitre" in file]
    assert all('class="speakers"' in text for text in chapters)  # the speakers' line found


def test_an_agency_rewords_a_label(tmp_path):
    styles = ROOT / "styles"
    defaults = parse_yaml("labels:\n  en:\n    keywords: Topics\n", tmp_path / "agency.yaml", 1)
    text = "---\ntitle: T\ndate: 2024-01-02\nlang: en\n---\n\nText.\n"
    document = load.parse(text, tmp_path / "x.md", defaults, tmp_path / "agency.yaml", styles)
    assert document.labels["keywords"] == "Topics"
    assert document.labels["editor"] == "Editor"
    wrong = parse_yaml("labels:\n  en:\n    keyword: Topics\n", tmp_path / "agency.yaml", 1)
    with pytest.raises(labels.BlocNotesError, match=r"unknown label 'keyword'.*'keywords'"):
        load.parse(text, tmp_path / "x.md", wrong, tmp_path / "agency.yaml", styles)


def test_file_sizes_are_in_the_language_units():
    table = labels.read_table(ROOT / "styles" / "bloc-notes" / "labels.yaml")
    file = 5000  # bytes
    assert _size(file, labels.words_for(languages.get("en"), table)) == "5\u00a0KB"
    assert _size(file, labels.words_for(languages.get("fr"), table)) == "5\u00a0Ko"
    assert _size(file, labels.words_for(languages.get("de-CH"), table)) == "5\u00a0KB"


def test_every_language_has_every_label(tmp_path):
    assert set(languages.codes()) >= {"fr", "en", "de"}
    names = set(languages.get("fr").labels)
    assert all(set(languages.get(code).labels) == names for code in languages.codes())
    # a language's file that lacks one, or words one that is no label, is an error at its line
    folder = tmp_path / "languages"
    shutil.copytree(ROOT / "languages", folder)
    text = (folder / "en.yaml").read_text(encoding="utf-8")
    (folder / "en.yaml").write_text(text.replace("\n  kilobytes: KB", ""), encoding="utf-8")
    with pytest.raises(labels.BlocNotesError, match="the labels lack kilobytes"):
        languages.get("en", folder)
    (folder / "en.yaml").write_text(text.replace("\n  kilobytes:", "\n  kilobyte:"),
                                    encoding="utf-8")
    with pytest.raises(labels.BlocNotesError,
                       match=r"unknown label 'kilobyte' \(did you mean 'kilobytes'") as caught:
        languages.get("en", folder)
    line = text.split("\n").index("  kilobytes: KB") + 1
    assert (caught.value.path, caught.value.line) == (folder / "en.yaml", line)


def test_a_minimal_document_shows_its_date_under_its_title(built):
    pdftotext = shutil.which("pdftotext")
    assert pdftotext, "pdftotext is missing: `make test` installs poppler-utils"
    page = subprocess.run([pdftotext, "-f", "1", "-l", "1", str(built["minimal"].pdf), "-"],
                          capture_output=True, text=True, check=True).stdout
    lines = [line.strip() for line in page.split("\n") if line.strip()]
    title = lines.index("Réunion du club des aménageurs")
    assert lines[title + 1] == "12 mars 2024"


def test_two_authors_are_two_creators(built):
    opf = next(text for name, text in _epub_files(built["two-authors"].epub).items()
               if name.endswith(".opf"))
    from xml.etree import ElementTree as ET

    creators = ET.fromstring(opf).findall(".//dc:creator", NS)
    assert [c.text for c in creators] == ["Anne Martin", "Luc Berger"]
    assert len({c.get("id") for c in creators}) == 2


def test_epubcheck_passes_every_fixture(built, tmp_path):
    # one Java process each, three at a time: most of a check is the JVM starting
    with ThreadPoolExecutor(max_workers=3) as pool:
        reports = dict(zip(FIXTURES, pool.map(
            lambda name: run_epubcheck(built[name].epub, tmp_path / f"{name}.json"), FIXTURES),
            strict=True))
    assert {name: [m["message"] for m in report["messages"]]
            for name, report in reports.items()} == {name: [] for name in FIXTURES}


def _ace(epub: Path, folder: Path) -> list[str]:
    ace, chromium = shutil.which("ace-puppeteer"), shutil.which("chromium")
    assert ace and chromium, "DAISY Ace and Chromium are missing: `make test` installs them"
    env = {**os.environ, "PUPPETEER_EXECUTABLE_PATH": chromium}
    subprocess.run([ace, "--silent", "--outdir", str(folder), "--force", str(epub)], env=env,
                   check=True, timeout=300, capture_output=True)
    report = json.loads((folder / "report.json").read_text(encoding="utf-8"))
    return [item["earl:test"]["dct:title"]
            for group in report["assertions"] for item in group.get("assertions", [])]


def test_ace_passes_every_fixture(built, tmp_path):
    with ThreadPoolExecutor(max_workers=2) as pool:
        found = dict(zip(FIXTURES, pool.map(
            lambda name: _ace(built[name].epub, tmp_path / name), FIXTURES), strict=True))
    assert found == {name: [] for name in FIXTURES}


@pytest.mark.parametrize("name", FIXTURES)
def test_pages_match_their_references(built, tmp_path, name):
    assert compare_pages(name, built[name].pdf, tmp_path) == []


def _drawn(monkeypatch, document) -> list[tuple[tuple[float, float, float, float], str]]:
    """The text boxes the cover draws: (bounding box, text)."""
    boxes = []
    draw_text = ImageDraw.ImageDraw.text

    def record(self, xy, text, *args, font=None, **kwargs):
        boxes.append((self.textbbox(xy, text, font=font), text))
        return draw_text(self, xy, text, *args, font=font, **kwargs)

    monkeypatch.setattr(ImageDraw.ImageDraw, "text", record)
    folder = ROOT / "styles" / "bloc-notes"
    Image.open(__import__("io").BytesIO(cover.cover_png(document, style.read(folder))))
    return boxes


def _inside(box) -> bool:
    left, top, right, bottom = box
    return (left >= cover.MARGIN and right <= cover.WIDTH - cover.MARGIN
            and top >= 0 and bottom <= cover.PANEL_BOTTOM)


def test_the_cover_fits_a_long_title_and_twelve_keywords(built, monkeypatch):
    document = typeset.typeset(load.load(built["two-authors"].source, ROOT / "source/agency.yaml"))
    meta = document.display
    boxes = _drawn(monkeypatch, document)
    assert [text for box, text in boxes if not _inside(box)] == []
    drawn = " ".join(text for _, text in boxes)
    assert all(keyword in drawn for keyword in meta.keywords)  # smaller, none cut
    assert " ".join(meta.title.split()) in drawn.replace("\n", " ")


def test_the_cover_ends_what_cannot_fit_with_an_ellipsis(built, monkeypatch):
    document = typeset.typeset(load.load(built["two-authors"].source, ROOT / "source/agency.yaml"))
    meta = document.display
    long = meta.__class__(**{**meta.__dict__, "title": meta.title * 4,
                             "keywords": meta.keywords * 3})
    boxes = _drawn(monkeypatch, dataclasses.replace(document, display=long))
    assert [text for box, text in boxes if not _inside(box)] == []
    texts = [text for _, text in boxes]
    assert any(text.endswith("…") for text in texts)  # the title, cut
    assert "…" in texts  # the keywords that did not fit


def test_a_character_no_font_has_is_a_warning_of_every_build(tmp_path):
    source = tmp_path / "x.md"
    source.write_text("---\ntitle: Réunion\ndate: 2024-01-02\ndateline: Mardi \u4e2d Mulhouse\n"
                      "---\n\n# Le point \u20bf \U0001F642\n\nTexte.\n", encoding="utf-8")
    outcome = build([source], ("pdf",), _settings(tmp_path))[0]
    assert outcome.error is None
    missing = [d for d in outcome.diagnostics if "U+4E2D" in d.message]
    assert len(missing) == 1  # said once: not again by the renderer
    assert missing[0].line == 4 and missing[0].severity == "warning"
    assert "CJK UNIFIED IDEOGRAPH-4E2D" in missing[0].message
    assert "empty box" in missing[0].message
    # characters a fallback font sets (a sign in Noto Sans, an emoji in Noto Emoji) are no
    # damage: a note (shown with -v), at their line
    for char, code in (("\u20bf", "U+20BF"), ("\U0001F642", "U+1F642")):
        house = style.read(ROOT / "styles" / "bloc-notes")
        assert pdf.fonts.fallback_covers(char, house) and not pdf.fonts.house_covers(char, house)
        notes = [d for d in outcome.diagnostics if code in d.message]
        assert [(d.line, d.severity) for d in notes] == [(7, "note")]
    checked = check([source], _settings(tmp_path))[0]
    assert lint.errors_of(checked.diagnostics) == []


def test_an_emoji_is_drawn_with_the_emoji_font(tmp_path):
    source = tmp_path / "x.md"
    source.write_text("---\ntitle: Réunion \U0001F642\ndate: 2024-01-02\n---\n\nTexte \u2705.\n",
                      encoding="utf-8")
    outcome = build([source], ("pdf",), _settings(tmp_path))[0]
    assert outcome.error is None
    assert [d.severity for d in outcome.diagnostics] == ["note", "note"]  # no empty box
    pdffonts = shutil.which("pdffonts")
    assert pdffonts, "pdffonts is missing: `make test` installs poppler-utils"
    listing = subprocess.run([pdffonts, str(tmp_path / "x.pdf")], capture_output=True, text=True,
                             check=True).stdout
    assert "Noto-Emoji" in listing


def test_the_colophon_s_companion_takes_its_sub_heading_along():
    """The end of the text carried over with the colophon takes the sub-headings just before
    it (a sub-heading is never left at a page's foot); a section that is all sub-headings and
    one block goes over whole."""
    from lxml import etree

    from blocnotes import makeup, render

    def page(body: str) -> str:
        return (f'{render.DOCTYPE}<html xmlns="{render.XHTML}"><head><title>t</title></head>'
                f'<body><section class="part chapter"><header class="section-head"><h2>S</h2>'
                f'</header><div class="section-body">{body}</div></section></body></html>')

    carried = render.amend_pdf_html(page("<p>a</p><h3>Next</h3><p>b</p>"),
                                    makeup.carry_last_block)
    assert carried is not None
    root = etree.fromstring(carried.removeprefix(render.DOCTYPE).encode())
    sections = root.findall(f".//{{{render.XHTML}}}section")
    assert [len(s.findall(f".//{{{render.XHTML}}}h3")) for s in sections] == [0, 1]
    assert "new-page" in sections[1].get("class") and "new-page" not in sections[0].get("class")
    whole = render.amend_pdf_html(page("<h3>Only</h3><p>b</p>"), makeup.carry_last_block)
    assert whole is not None and whole.count("<section") == 1 and "new-page" in whole


@pytest.mark.parametrize("hyphen", ["\u2010", "-"])  # the style's hyphenate-character
def test_the_colophon_takes_the_last_two_lines_of_the_last_paragraph(hyphen):
    """The colophon's companion is the last paragraph's last two lines, cut where the
    layout broke them (a word it hyphenated keeps its hyphen), its inline markup kept on
    both sides; where the lines are not the paragraph's, the whole block goes over."""
    from lxml import etree

    from blocnotes import makeup, render

    html = (f'{render.DOCTYPE}<html xmlns="{render.XHTML}"><head><title>t</title></head>'
            '<body><section class="part chapter"><header class="section-head"><h2>S</h2>'
            '</header><div class="section-body"><p data-bn="5">One two three four five '
            '<strong id="k">six seven</strong> eight nine</p></div></section></body></html>')
    lines = ["One two three", f"four five six se{hyphen}", "ven eight", "nine"]
    carried = render.amend_pdf_html(html, lambda root: makeup.carry_last_lines(
        root, "5", lines))
    assert carried is not None
    root = etree.fromstring(carried.removeprefix(render.DOCTYPE).encode())
    first, second = root.findall(f".//{{{render.XHTML}}}p")
    text = "".join
    assert text(first.itertext()) == "One two three four five six se\u2010"  # (the layout's)
    assert text(second.itertext()) == "ven eight nine"
    assert first.get("class") == "runs-on" and first.find(f"{{{render.XHTML}}}strong").get("id")
    assert second.find(f"{{{render.XHTML}}}strong").get("id") is None
    assert "new-page" in root.findall(f".//{{{render.XHTML}}}section")[1].get("class")
    whole = render.amend_pdf_html(html, lambda root: makeup.carry_last_lines(
        root, "5", ["Other", "lines", "than", "these"]))
    assert whole is not None and whole.count("<p ") == 1 and "new-page" in whole
