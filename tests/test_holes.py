"""Holes in the pages (issue 21): the meter (blocnotes/holes.py) on the seed, every fixture
and every corpus document (tests/makeup_corpus.py), in both styles, and proofs that it sees a
hole where there is one."""

from __future__ import annotations

from pathlib import Path

import pytest
from makeup_corpus import STYLES, lay_out, sources, styled

from blocnotes import holes

DOCUMENTS = sources()
CASES = [(name, style) for name in DOCUMENTS for style in STYLES]

# The holes a document is still known to leave (measured; none is allowed to grow), by
# (document, style); every other one must have none.
KNOWN: dict[tuple[str, str], int] = {}


# The section ends whose columns are still known to end more than two lines apart
# (makeup.unbalanced_sections; measured; none is allowed to grow), by (document, style):
# a photo or a list that does not break ends the longer column. Every other one is balanced.
UNBALANCED: dict[tuple[str, str], int] = {
    ("figures", "bloc-notes"): 1,  # page 1: 15 mm
    ("lists", "bloc-notes"): 1,  # page 1: 15 mm
    ("long", "bloc-notes"): 1,  # page 4: 19 mm
    ("corpus/journee", "bloc-notes"): 1,  # page 6: 28 mm (a photo that heads a column)
    ("corpus/werkstatt", "bloc-notes"): 1,  # page 1: 12 mm
}


@pytest.fixture(scope="session")
def laid_out(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], object]:
    """Each document laid out once per style, as its screen PDF is (made up)."""
    folder = tmp_path_factory.mktemp("makeup")
    return {(name, style): lay_out(styled(DOCUMENTS[name], style, folder / name))
            for name, style in CASES}


@pytest.mark.parametrize(("name", "style"), CASES, ids=[f"{n}-{s}" for n, s in CASES])
def test_no_page_but_the_last_leaves_a_hole(laid_out, name, style):
    pages = laid_out[name, style].pages
    found = holes.holes(pages)
    assert len(found) <= KNOWN.get((name, style), 0), [str(hole) for hole in found]
    # no more pages than its content needs (printed height over the text area), plus one
    assert len(pages) <= holes.pages_needed(pages) + 1


COLUMNS = [(name, style) for name, style in CASES if style == "bloc-notes"]  # (two columns)


@pytest.mark.parametrize(("name", "style"), COLUMNS, ids=[f"{n}-{s}" for n, s in COLUMNS])
def test_a_section_s_columns_end_together(laid_out, name, style):
    """Where a section's text ends on a page (not the last), its columns end within two
    lines of each other (the seed's page 2 among them)."""
    from blocnotes import makeup

    found = makeup.unbalanced_sections(laid_out[name, style].pages)
    assert len(found) <= UNBALANCED.get((name, style), 0), found


def test_the_balance_meter_sees_columns_apart(tmp_path: Path):
    """A section whose first column ends with a photo too tall for the second, followed by
    another section on the same page: its columns' feet are found apart."""
    from blocnotes import makeup

    source = tmp_path / "x.md"
    paragraph = "Le projet de requalification de la place a été présenté aux habitants. " * 5
    source.write_text("---\ntitle: Essai\ndate: 2024-01-02\n---\n\n# Un\n\n"
                      f"{paragraph}\n\n![Une photo.](portrait.jpg)\n\n{paragraph}\n\n"
                      "# Deux\n\n" + f"{paragraph}\n\n" * 12, encoding="utf-8")
    from samples import make_images

    make_images(tmp_path)
    found = makeup.unbalanced_sections(lay_out(source, made_up=False).pages)
    assert found and found[0][0] == 1 and found[0][1] > 10, found


def test_the_meter_finds_a_hole_where_a_section_starts_a_page(tmp_path: Path):
    """A section sent to the next page (break-before: page) leaves the rest of its page
    empty: the meter finds the hole in each column."""
    source = tmp_path / "x.md"
    paragraph = "Le projet de requalification de la place a été présenté aux habitants. " * 6
    source.write_text("---\ntitle: Essai\ndate: 2024-01-02\n---\n\n# Un\n\n"
                      + f"{paragraph}\n\n" * 3 + "# Deux\n\n" + f"{paragraph}\n\n" * 3,
                      encoding="utf-8")
    assert holes.holes(lay_out(source).pages) == []
    document = lay_out(source, css=".chapter + .chapter { break-before: page }")
    found = holes.holes(document.pages)
    assert len(document.pages) == 2
    assert [(hole.page, hole.column) for hole in found] == [(1, 0), (1, 1)]
    assert all(hole.height > 100 for hole in found)


# Documents whose floats had to be moved to leave no hole: (document, style).
FLOATED = [("corpus/photo-large", "bloc-notes"), ("corpus/forum-en", "bloc-notes"),
           ("corpus/photos-largeurs", "observatoire"), ("corpus/communes", "observatoire"),
           ("corpus/visite-chantier", "bloc-notes")]


@pytest.mark.parametrize(("name", "style"), FLOATED, ids=[f"{n}-{s}" for n, s in FLOATED])
def test_the_meter_finds_the_holes_floats_fill(laid_out, tmp_path: Path, name, style):
    """With the floats left where WeasyPrint puts them (the placement switched off), the
    meter finds the holes the placement fills."""
    left = lay_out(styled(DOCUMENTS[name], style, tmp_path / "x"), floats=False)
    assert holes.holes(left.pages) != []
    assert holes.holes(laid_out[name, style].pages) == []


def _pages_of(document) -> dict[str, list[int]]:
    """The pages (from 1) each numbered block (data-bn) is laid out on."""
    found: dict[str, list[int]] = {}

    def visit(box, page: int) -> None:
        element = getattr(box, "element", None)
        if element is not None and element.get("data-bn") is not None:
            found.setdefault(element.get("data-bn"), []).append(page)
        for child in getattr(box, "children", ()):
            visit(child, page)

    for number, page in enumerate(document.pages, start=1):
        visit(page._page_box, number)
    return found


# ... and one whose section's floats go after its text, its portrait photo to the last page
PLACED = [*FLOATED, ("kitchen-sink", "bloc-notes")]


@pytest.mark.parametrize(("name", "style"), PLACED, ids=[f"{n}-{s}" for n, s in PLACED])
def test_a_float_stays_within_a_page_of_its_place_with_its_caption(laid_out, name, style):
    """A float moved never goes before the paragraph that leads to it, nor more than one
    page after it, and keeps its caption."""
    document = laid_out[name, style]
    pages = _pages_of(document)
    source = DOCUMENTS[name].read_text(encoding="utf-8")
    assert "![" in source or "| ---" in source
    for page in document.pages:
        for figure in _floats(page._page_box):
            numbers = [int(n) for n in pages if n.isdigit()]
            own = min(int(node.get("data-bn")) for node in figure.iter()
                      if node.get("data-bn") is not None)
            leading = max(n for n in numbers if n < own and not _inside(figure, str(n)))
            assert pages[str(own)][0] - pages[str(leading)][-1] in (0, 1)
            assert len(set(pages[str(own)])) == 1  # its caption on its page


def test_a_column_photo_is_set_smaller_to_stay_at_its_place(laid_out):
    """A photo that did not fit at the foot of its page, and fits there at three quarters of
    its width, stays there so set (the site visit's first photo, in one column), with its
    caption; the photos that fit are left as they are."""
    pages = laid_out["corpus/visite-chantier", "observatoire"].pages
    figures = [(number, figure) for number, page in enumerate(pages, start=1)
               for figure in _floats(page._page_box)]
    smaller = [(number, figure) for number, figure in figures
               if "smaller" in (figure.get("class") or "").split()]
    assert [number for number, _ in smaller] == [1]
    assert len(figures) == 3
    assert "".join(smaller[0][1].itertext()).startswith("La grande halle")


def _inside(figure, number: str) -> bool:
    return any(node.get("data-bn") == number for node in figure.iter())


def _floats(box):
    element = getattr(box, "element", None)
    if element is not None and (element.tag.endswith("figure") or
                                "table-wrap" in (element.get("class") or "").split()):
        yield element
        return
    for child in getattr(box, "children", ()):
        yield from _floats(child)


def _cell_lines(box, found: list) -> None:
    element = getattr(box, "element", None)
    if type(box).__name__ == "TableCellBox":
        lines = ["".join(text.text for text in _texts(line)) for line in _lines(box)]
        found.append((element, box.grid_x, lines))
        return
    for child in getattr(box, "children", ()):
        _cell_lines(child, found)


def _lines(box):
    for child in getattr(box, "children", ()):
        if type(child).__name__ == "LineBox":
            yield child
        else:
            yield from _lines(child)


def _texts(box):
    for child in getattr(box, "children", ()):
        if type(child).__name__ == "TextBox":
            yield child
        else:
            yield from _texts(child)


@pytest.mark.parametrize("style", STYLES)
def test_names_and_headers_are_not_hyphenated_when_the_table_has_room(laid_out, style):
    """The six-column table of the communes: no header and no name of the first column is
    cut with a hyphen, and each name but the one with a hyphen of its own is on one line
    (the figures' columns gave up their spare room)."""
    cells: list = []
    for page in laid_out["corpus/tableau-large", style].pages:
        _cell_lines(page._page_box, cells)
    names = [(element, lines) for element, column, lines in cells
             if element.tag.endswith("th") or column == 0]
    assert len(names) > 8
    for element, lines in names:
        text = "".join("".join(element.itertext()).split())
        assert "".join("".join(lines).split()) == text, lines  # no hyphen added
        if element.tag.endswith("td") and "-" not in text:
            assert len(lines) == 1, lines


@pytest.mark.parametrize(("name", "style", "layouts"), [
    ("seed", "bloc-notes", (1,)), ("corpus/photo-large", "bloc-notes", (2, 3)),
    ("corpus/visite-chantier", "observatoire", (2, 3)), ("kitchen-sink", "bloc-notes", (3,))])
def test_layouts_a_document_takes(monkeypatch, tmp_path: Path, name, style, layouts):
    """The seed (no float) is laid out once; a document whose floats are moved two or three
    times (the colophon's make-up left out: it is counted apart)."""
    from blocnotes import pdf

    calls = []
    lay_out_once = pdf._lay_out

    def counted(*args, **kwargs):
        calls.append(1)
        return lay_out_once(*args, **kwargs)

    monkeypatch.setattr(pdf, "_lay_out", counted)
    monkeypatch.setattr(pdf, "MAKEUP_PASSES", 0)
    lay_out(styled(DOCUMENTS[name], style, tmp_path / "x"))
    assert len(calls) in layouts


def test_a_layout_fault_after_a_correction_keeps_the_layout_before(monkeypatch, tmp_path: Path):
    """Where the layout engine fails on the HTML a make-up correction made (the first
    layout did not fail), the correction is given up: the document builds, laid out as
    before it, instead of stopping on an error."""
    from blocnotes import pdf
    from blocnotes.errors import BlocNotesError

    calls = []
    lay_out_once = pdf._lay_out

    def failing_after_the_first(*args, **kwargs):
        calls.append(1)
        if len(calls) > 1:
            raise BlocNotesError(tmp_path, None, "the PDF layout failed (IndexError: …)")
        return lay_out_once(*args, **kwargs)

    monkeypatch.setattr(pdf, "_lay_out", failing_after_the_first)
    document = lay_out(styled(DOCUMENTS["corpus/photo-large"], "bloc-notes", tmp_path / "x"))
    assert len(calls) >= 2 and len(document.pages) >= 1  # a correction was tried, and failed


def test_the_colophon_s_companion_never_empties_a_page(tmp_path: Path):
    """A colophon alone on the last page takes the end of the text along, unless that empties
    a page: a section of one table that fills page 1 would move whole and leave page 1 with
    the masthead alone (a 2,000-row table did); the colophon stays alone instead."""
    from blocnotes import makeup

    rows = "".join(f"| ligne {i} | valeur {i * 7} | une note {i} |\n" for i in range(60))
    source = tmp_path / "table.md"
    source.write_text("---\ntitle: Essai\ndate: 2021-06-07\n---\n\n# A\n\n| a | b | c |\n"
                      "|---|---|---|\n" + rows, encoding="utf-8")
    assert makeup.colophon_alone(lay_out(source, made_up=False).pages)  # the case it is
    document = lay_out(source)
    assert holes.holes(document.pages) == [] and len(document.pages) == 2


def _colophon_classes(document) -> list[str]:
    """The classes of the colophon, as laid out (on the last page)."""
    from blocnotes import makeup

    return makeup._colophon_box(document.pages[-1]._page_box).element.get("class").split()


def test_a_colophon_that_makes_the_last_page_is_set_compact_where_that_saves_it(laid_out):
    """The German report's colophon and last section did not fit under its first page's
    text (a page with a hole, then a page of five lines): set compact (two columns), it
    keeps them there. Where it would not save the page (the site visit's), it stays as the
    style sets it."""
    german = laid_out["german", "observatoire"]
    assert len(german.pages) == 1 and "compact" in _colophon_classes(german)
    visit = laid_out["corpus/visite-chantier", "bloc-notes"]
    assert "compact" not in _colophon_classes(visit)
