"""Small constructs as WeasyPrint lays them out, in both styles (issue 22): the dateline under
a subtitle, the masthead's and the title's lines, definition lists, a quotation's attribution."""

from __future__ import annotations

from pathlib import Path

import pytest

from blocnotes import pdf
from blocnotes.pipeline import Settings, pdf_html, prepare, style_of
from blocnotes.render import build_date, render_html
from helpers import ROOT

STYLES = ("bloc-notes", "observatoire")
MM = 96 / 25.4  # CSS pixels in a millimetre

BODY = """
# Les mots de l'atelier

Un premier paragraphe, pour que la suite ne soit pas la première chose de la section.

PLUi
:   Plan local d'urbanisme intercommunal, qui règle le droit des sols des communes de
    l'agglomération.

OAP
:   Orientations d'aménagement et de programmation.

> La ville se fait avec ceux qui l'habitent, ou ne se fait pas du tout : c'est ce que les
> ateliers de quartier nous ont appris.
>
> — Michèle Lutz, maire de Mulhouse
"""


def _laid_out(tmp_path: Path, style: str, front: str, body: str = BODY):
    """A source with `front` (front-matter lines) and `body`, in `style`, laid out as its
    screen PDF is (no make-up) -> WeasyPrint's document."""
    source = tmp_path / style / "x.md"
    source.parent.mkdir(parents=True)
    source.write_text(f"---\ndate: 2024-05-23\nstyle: {style}\n{front}\n---\n{body}",
                      encoding="utf-8")
    settings = Settings(out=tmp_path / style / "out", styles=ROOT / "styles",
                        agency_fallback=ROOT / "source/agency.yaml", environ={})
    document, _ = prepare(source, settings)
    house = style_of(document, settings)
    html = pdf_html(settings, render_html(document, build_date(document, {})), house)
    return pdf._lay_out(html, source, (source.parent, settings.styles, *pdf.fonts.font_dirs(house)),
                        False)


def _boxes(document, test):
    """Every block box of the document whose element passes `test`, in order."""
    found = []
    for page in document.pages:
        for box in page._page_box.descendants():
            element = getattr(box, "element", None)
            if (element is not None and type(box).__name__ not in ("LineBox", "TextBox", "InlineBox")
                    and getattr(box, "element_tag", None) == element.tag and test(element)):
                found.append(box)
    return found


def _classed(document, name: str) -> list:
    return _boxes(document, lambda e: name in e.get("class", "").split())


def _lines(box) -> list:
    return [child for child in box.descendants() if type(child).__name__ == "LineBox"]


def _text(line) -> str:
    return "".join(child.text for child in line.descendants() if type(child).__name__ == "TextBox")


def _first_glyph_x(box) -> float:
    """Where the first line's text starts."""
    line = _lines(box)[0]
    return min(child.position_x for child in line.descendants() if type(child).__name__ == "TextBox")


@pytest.mark.parametrize("style", STYLES)
def test_the_dateline_under_a_subtitle_is_not_indented(tmp_path, style):
    document = _laid_out(tmp_path, style, "title: Un atelier\nsubtitle: Le PLUi en questions\n"
                                          "dateline: Jeudi 23 mai 2024 – Mulhouse")
    title, = _boxes(document, lambda e: e.tag == "h1")
    dateline, = _classed(document, "dateline")
    assert abs(_first_glyph_x(dateline) - _first_glyph_x(title)) < 0.5 * MM


@pytest.mark.parametrize("style", STYLES)
def test_a_definition_list_sets_its_terms_bold_and_its_definitions_close(tmp_path, style):
    document = _laid_out(tmp_path, style, "title: Un atelier")
    terms = _boxes(document, lambda e: e.tag == "dt")
    definitions = _boxes(document, lambda e: e.tag == "dd")
    lists = _boxes(document, lambda e: e.tag == "dl")
    assert [_text(_lines(t)[0]) for t in terms] == ["PLUi", "OAP"]
    assert all(t.style["font_weight"] >= 600 for t in terms)
    assert all(d.style["font_weight"] == 400 for d in definitions)
    for definition in definitions:  # not the browsers' 40 px (10.6 mm)
        edge = max(box.content_box_x() for box in lists  # the list's, in the same column
                   if box.content_box_x() <= definition.content_box_x())
        assert 0 < definition.content_box_x() - edge < 6 * MM
    assert terms[0].style["break_after"] == "avoid"


@pytest.mark.parametrize("style", STYLES)
def test_a_quotation_s_attribution_takes_no_indent(tmp_path, style):
    document = _laid_out(tmp_path, style, "title: Un atelier")
    quote, = _boxes(document, lambda e: e.tag == "blockquote")
    attribution, = _classed(document, "attribution")
    assert _text(_lines(attribution)[0]).startswith("—")
    assert abs(_first_glyph_x(attribution) - quote.content_box_x()) < 0.5 * MM
    assert attribution.style["font_style"] == "normal" and quote.style["font_style"] == "italic"


# Without typeset.headline, the first breaks at "cross-" in the Bloc-Notes, the second in the
# Observatoire's narrower column.
CROSS_BORDER = ("Upper Rhine Mobility Forum on cross-border commuting",
                "The third Upper Rhine Mobility Forum on cross-border commuting")


@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("title", CROSS_BORDER)
def test_the_title_page_s_lines_break_well(tmp_path, style, title):
    """The title never breaks at a short compound's own hyphen; the masthead's publisher (the
    agency's long name) never leaves one word alone on its last line."""
    document = _laid_out(tmp_path, style, f"title: {title}\nlang: en", "\n# A\n\nText.\n")
    title_box, = _boxes(document, lambda e: e.tag == "h1")
    lines = [_text(line) for line in _lines(title_box)]
    assert len(lines) >= 2 and not any(line.rstrip().endswith("-") for line in lines), lines
    publisher, = _classed(document, "masthead-publisher")
    last = _text(_lines(publisher)[-1])
    assert len(last.replace("\u00a0", " ").split()) >= 2, last
