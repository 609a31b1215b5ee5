"""Budgets (issue 27): hostile and huge input refused with one clean line at its place, before
the recursive parsers; the build's time and memory bounded in the process that builds; large
real documents (a long table, many notes) built, not refused. The budget cases run with small
limits, set in an agency.yaml as users do, so they stay fast."""

from __future__ import annotations

import base64
import io
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import Image

from blocnotes import budgets, images, lint, load, pipeline, render, typeset
from blocnotes.budgets import Limits
from blocnotes.errors import BlocNotesError, Diagnostic
from blocnotes.load import parse
from blocnotes.pipeline import Outcome, Settings, build_plan
from helpers import ROOT

HEAD = "---\ntitle: Essai\ndate: 2021-06-07\n---\n\n"  # the body starts at line 6
P = Path("x.md")


def _refused(text: str, limits: Limits = budgets.DEFAULT) -> BlocNotesError:
    with pytest.raises(BlocNotesError) as caught:
        parse(text, P, limits=limits)
    assert len(caught.value.lines()) == 1, caught.value.lines()
    return caught.value


# -- item 4: what gave a traceback, refused before the parsers, at its line -------------------

@pytest.mark.parametrize(("body", "line", "what"), [
    ("> " * 10_000 + "x\n", 6, "nested 10000 deep here (lists and quotes: 10000, HTML "
     "elements: 0, emphasis: 0)"),  # lxml: Excessive depth
    ("- " * 10_000 + "x\n", 6, "nested 10000 deep here (lists and quotes: 10000"),  # Recursion
    ("".join("    " * i + "- item\n" for i in range(300)), 36, "nested 31 deep"),
    ("<div>" * 10_000 + "x" + "</div>" * 10_000 + "\n", 6, "HTML elements: 10000,"),
    ('<div markdown="1">\n\n' * 500 + "x\n\n" + "</div>\n\n" * 500, 66, "HTML elements: 31"),
    ("*" * 5000 + "x" + "*" * 5000 + "\n", 6, "emphasis: 2500)"),
    ("".join(f"*mot{i} " for i in range(40)) + "\n", 6, "emphasis: 40)"),
    ("- " * 10 + "<div>" * 10 + "*" * 22 + "x\n", 6, "nested 31 deep here (lists and quotes: "
     "10, HTML elements: 10, emphasis: 11)"),
])
def test_deep_nesting_is_one_line_at_its_place(body, line, what):
    error = _refused(HEAD + body)
    assert error.line == line and what in error.message, error
    assert "'depth' under 'limits:' in agency.yaml" in error.message


def test_nesting_a_real_document_uses_is_kept():
    body = ("> citation\n>\n> - un\n>     - deux\n\n<div><p><em>ok <b>gras</b></em></p></div>\n\n"
            "**Michèle LUTZ**, *a* _b_ snake_case x*y, **c**, **d**, **e**, **f**, **g**\n")
    document = parse(HEAD + "# Titre\n\n" + body * 40, P, limits=Limits(depth=4))
    assert "Michèle" in document.sections[0].html


def test_a_nul_in_the_front_matter_is_an_error_at_its_line():
    error = _refused("---\ntitle: Essai\ndate: 2021-06-07\nsubtitle: un\x00deux\n---\n\nx\n")
    assert error.line == 4 and "U+0000" in error.message


def test_a_yaml_value_nested_10000_deep_is_an_error_at_its_line():
    error = _refused("---\ntitle: Essai\ndate: 2021-06-07\nkeywords: " + "[" * 10_000
                     + "]" * 10_000 + "\n---\n\nx\n")
    assert error.line == 4 and "the front matter is nested" in error.message
    deep = "".join("  " * i + f"k{i}:\n" for i in range(40))
    assert _refused(f"---\ntitle: Essai\ndate: 2021-06-07\n{deep}---\n\nx\n").line == 34


# -- item 7b: a key given twice ---------------------------------------------------------------

def test_a_key_given_twice_is_an_error_at_the_second_one():
    error = _refused("---\ntitle: Essai\ndate: 2021-06-07\ntitle: Autre\n---\n\nx\n")
    assert (error.line, error.message) == (4, "'title' is given twice (first at line 2; keep one)")


def test_a_key_given_twice_in_agency_yaml_is_an_error_at_its_line(tmp_path):
    agency = tmp_path / "agency.yaml"
    agency.write_text("publisher: A\nrights: R\npublisher: B\n", encoding="utf-8")
    (tmp_path / "x.md").write_text(HEAD + "x\n", encoding="utf-8")
    with pytest.raises(BlocNotesError) as caught:
        load.load(tmp_path / "x.md", agency)
    assert (caught.value.path, caught.value.line) == (agency, 3)
    assert "'publisher' is given twice" in caught.value.message


def test_a_recursive_yaml_alias_is_no_trap():
    error = _refused("---\ntitle: Essai\ndate: 2021-06-07\nkeywords: &a [*a]\n---\n\nx\n")
    assert error.line == 4  # a list, not text: refused by the field's check, in no time


# -- item 2: budgets, overridable in agency.yaml ----------------------------------------------

def _agency(folder: Path, limits: str) -> Path:
    agency = folder / "agency.yaml"
    agency.write_text("publisher: A\nlimits:\n" + limits, encoding="utf-8")
    return agency


def _load_refused(folder: Path, body: str, limits: str, head: str = HEAD) -> BlocNotesError:
    (folder / "x.md").write_text(head + body, encoding="utf-8")
    with pytest.raises(BlocNotesError) as caught:
        load.load(folder / "x.md", _agency(folder, limits))
    assert len(caught.value.lines()) == 1, caught.value.lines()
    return caught.value


def test_source_size(tmp_path):
    body = "ligne\n" * 500 + "mot " * 300 + "\n"
    error = _load_refused(tmp_path, body, "  source-kb: 1\n")
    assert error.line == (HEAD + body)[:1000].count("\n") + 1
    assert "weighs 4 KB, over the budget of 1 KB" in error.message
    assert "'source-kb'" in error.message


def test_table_rows(tmp_path):
    rows = "".join(f"| {i} | x |\n" for i in range(12))
    error = _load_refused(tmp_path, "| a | b |\n|---|---|\n" + rows, "  table-rows: 10\n")
    assert error.line == 6 + 2 + 10 and "a table of more than 10 rows" in error.message
    html = "<table>\n" + "".join(f"<tr><td>{i}</td></tr>\n" for i in range(12)) + "</table>\n"
    assert _load_refused(tmp_path, html, "  table-rows: 10\n").line == 6 + 1 + 10


def test_notes(tmp_path):
    body = "Texte[^1][^2][^3][^4].\n\n" + "".join(f"[^{i}]: Note {i}.\n" for i in range(1, 5))
    error = _load_refused(tmp_path, body, "  notes: 3\n")
    assert error.line == 6 + 2 + 3 and "more than 3 notes" in error.message


def test_headings(tmp_path):
    error = _load_refused(tmp_path, "".join(f"# Titre {i}\n\nx\n\n" for i in range(5)),
                          "  headings: 3\n")
    assert error.line == 6 + 3 * 4 and "5 headings, over the budget of 3" in error.message


def test_depth_is_lowered_and_raised_in_agency_yaml(tmp_path):
    body = "- " * 5 + "x\n"
    assert "nested 5 deep" in _load_refused(tmp_path, body, "  depth: 4\n").message
    (tmp_path / "agency.yaml").write_text("limits:\n  depth: 50\n", encoding="utf-8")
    (tmp_path / "x.md").write_text(HEAD + "- " * 40 + "x\n", encoding="utf-8")
    document = load.load(tmp_path / "x.md", tmp_path / "agency.yaml")
    assert document.limits.depth == 50 and document.intro_html.count("<ul>") == 40


def test_the_deepest_document_builds(tmp_path):
    """At the ceiling of 'depth', nested every way at once, neither Markdown, lxml nor
    WeasyPrint runs out of stack (at three times it, WeasyPrint did)."""
    body = ("- " * 20 + "<div>" * 20 + "*" * 40 + "x" + "*" * 40 + "</div>" * 20 + "\n\n"
            + "> " * 60 + "y\n\n" + "<div>" * 30 + "> " * 30 + "z" + "</div>" * 30 + "\n")
    (tmp_path / "x.md").write_text(HEAD + "# A\n\n" + body, encoding="utf-8")
    _agency(tmp_path, f"  depth: {budgets.CEILINGS['depth']}\n")
    outcome = pipeline.build_budgeted(tmp_path / "x.md", ("pdf",), Settings(
        out=tmp_path / "out", styles=ROOT / "styles", environ={}))
    assert outcome.error is None, outcome.error
    assert (tmp_path / "out" / "x.pdf").stat().st_size > 0


@pytest.mark.parametrize(("limits", "line", "message"), [
    ("  dept: 3\n", 3, "unknown limit 'dept' (did you mean 'depth'?)"),
    ("  depth: deep\n", 3, "limit 'depth' must be a whole number above 0 and at most 60, not "
                           "'deep'"),
    ("  notes: 0\n", 3, "limit 'notes' must be a whole number above 0, not 0"),
    ("  depth: 1000\n", 3, "and at most 60"),
    ("  image-megapixels: 500\n", 3, "and at most 170"),
    ("  table-rows: 10\n  build-seconds: yes\n", 4, "limit 'build-seconds' must be"),
])
def test_limits_are_checked_at_their_line(tmp_path, limits, line, message):
    error = _load_refused(tmp_path, "x\n", limits)
    assert (error.path.name, error.line) == ("agency.yaml", line)
    assert message in error.message


def test_limits_must_be_a_mapping(tmp_path):
    (tmp_path / "agency.yaml").write_text("limits: 3\n", encoding="utf-8")
    with pytest.raises(BlocNotesError, match="'limits' must be a group"):
        load.limits_of(tmp_path / "agency.yaml")


def _palette_png(size: tuple[int, int]) -> bytes:
    image = Image.new("P", size, 0)
    image.putpalette([255, 255, 255, 0, 0, 0])
    output = io.BytesIO()
    image.save(output, format="PNG", bits=1)
    return output.getvalue()


def _encoded(size: tuple[int, int], mode: str, kind: str) -> bytes:
    output = io.BytesIO()
    Image.new(mode, size).save(output, format=kind)
    return output.getvalue()


SMALL = Limits(image_megapixels=1)
BIG = (1100, 1000)  # 1.1 megapixels


@pytest.mark.parametrize("data", [
    _palette_png(BIG), _encoded(BIG, "I;16", "PNG"), _encoded(BIG, "RGB", "JPEG"),
    _encoded(BIG, "RGB", "WEBP"), _encoded(BIG, "P", "GIF"), _encoded(BIG, "RGBA", "TIFF"),
], ids=["palette-png", "16-bit-png", "jpeg", "webp", "gif", "tiff"])
def test_decoded_pixels_of_every_format(data):
    for attempt in (lambda: images.prepare(data, images.EPUB, SMALL),
                    lambda: images.header(data, SMALL), lambda: images.stand_in(data, SMALL)):
        with pytest.raises(images.ImageError, match=r"1100 x 1000 pixels \(1 megapixels\), "
                                                     "over the budget of 1 megapixels"):
            attempt()
    assert images.prepare(data, images.EPUB).size == BIG  # within the default budget


def test_svg_size_elements_and_embedded_bombs():
    rects = '<rect width="1" height="1"/>' * 20
    svg = f'<svg xmlns="http://www.w3.org/2000/svg">{rects}</svg>'.encode()
    with pytest.raises(images.ImageError, match="has 21 elements, over the budget of 10"):
        images.clean_svg(svg, Limits(svg_elements=10))
    with pytest.raises(images.ImageError, match="over the budget of 1 KB for an SVG"):
        images.clean_svg(svg * 3, Limits(svg_kb=1))
    bomb = base64.b64encode(_palette_png(BIG)).decode()
    three = "".join(f'<image width="9" height="9" href="data:image/png;base64,{bomb}"/>'
                    for _ in range(3))
    svg = f'<svg xmlns="http://www.w3.org/2000/svg">{three}</svg>'.encode()
    with pytest.raises(images.ImageError, match="holds an embedded image that has 1100 x 1000"):
        images.clean_svg(svg, SMALL)
    assert images.clean_svg(svg).count(b"<image") == 3


def test_an_image_over_its_budget_stops_the_build_at_its_line(tmp_path):
    (tmp_path / "plan.png").write_bytes(_palette_png(BIG))
    (tmp_path / "x.md").write_text(HEAD + "Texte.\n\n![Le plan](plan.png)\n", encoding="utf-8")
    _agency(tmp_path, "  image-megapixels: 1\n")
    outcome = pipeline.build_budgeted(
        tmp_path / "x.md", ("pdf",), Settings(out=tmp_path / "out", styles=ROOT / "styles",
                                              environ={}))
    assert outcome.error is not None and outcome.error.line == 8
    assert "over the budget of 1 megapixels" in outcome.error.message
    assert not (tmp_path / "out" / "x.pdf").exists()


def test_time_budget_is_a_clean_error():
    with pytest.raises(BlocNotesError) as caught, budgets.enforced(Limits(build_seconds=1), P):
        time.sleep(30)
    assert caught.value.message.startswith("the build took more than 1 s, its budget")
    time.sleep(1.5)  # the timer is stopped: nothing fires after the build


def test_memory_budget_is_a_clean_error():
    with pytest.raises(BlocNotesError) as caught, budgets.enforced(
            Limits(build_memory_mb=100), P):
        held = b"x" * (300 * 2**20)
        time.sleep(30)
    assert caught.value.message.startswith("the build needed more than 100 MB of memory")
    del held


def test_one_source_over_its_time_does_not_stop_the_series(tmp_path, monkeypatch):
    slow, quick = tmp_path / "slow.md", tmp_path / "quick.md"
    _agency(tmp_path, "  build-seconds: 1\n")

    def build_one(source, formats, settings):
        if source == slow:
            time.sleep(30)
        return Outcome(source)

    monkeypatch.setattr(pipeline, "build_one", build_one)
    settings = Settings(out=tmp_path / "out", styles=ROOT / "styles", environ={})
    outcomes = build_plan([(slow, ("pdf",)), (quick, ("pdf",))], settings)
    assert outcomes[0].error is not None and "took more than 1 s" in outcomes[0].error.message
    assert outcomes[1].error is None


def test_repeated_warnings_are_capped():
    found = [Diagnostic(P, line, "two sections are titled 'Débat': the table of contents shows "
                        "the same line twice (rename one)") for line in range(10, 3010)]
    found.append(Diagnostic(P, 5, "link 'x' has no target yet ('#')"))
    lines = lint.shown(found)
    assert len(lines) == 7 and lines[0].startswith("x.md:10: warning: two sections")
    assert lines[5] == "x.md:5: warning: link 'x' has no target yet ('#')"
    assert lines[6].startswith("x.md: warning: and 2995 more like \"two sections are titled "
                               "'…'") and "(lines 15, 16," in lines[6]


@pytest.mark.parametrize(("body", "line", "what"), [
    ("> " * 10_000 + "x\n", 6, "10000 deep here (lists and quotes: 10000, HTML elements: 0"),
    # the text's own errors are looked for after a load error: not by a recursive parser
    ("".join("    " * i + "- item\n" for i in range(300)), 36, "31 deep here (lists and "
     "quotes: 31, HTML elements: 0"),
    ('<div markdown="1">\n\n' * 500 + "x\n\n" + "</div>\n\n" * 500, 66, "31 deep here ("
     "lists and quotes: 0, HTML elements: 31"),
])
def test_cli_says_one_line(tmp_path, body, line, what):
    from build import cli

    source = tmp_path / "x.md"
    source.write_text(HEAD + body, encoding="utf-8")
    result = CliRunner().invoke(cli, ["pdf", "--out", str(tmp_path / "out"), str(source)])
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [
        f"Error: {source}:{line}: the text is nested {what}, emphasis: 0), over the budget of "
        "30 (nest less: close each element or emphasis before opening another, or raise "
        "'depth' under 'limits:' in agency.yaml if the document really needs it)"]


# -- large real documents: built, not refused -------------------------------------------------

def test_a_long_table_and_many_notes_are_within_the_default_budgets():
    """2,000 rows and 500 notes load and typeset (linear); the PDF sets 500 notes at their
    sections' ends, where WeasyPrint lays them out in linear time (their footnotes, in two
    columns, take minutes): measured by hand in the README."""
    rows = "".join(f"| ligne {i} | valeur {i * 7} | une note {i} |\n" for i in range(2000))
    calls = "\n\n".join(f"Un paragraphe qui appelle une note[^n{i}]." for i in range(500))
    notes = "".join(f"[^n{i}]: La note {i}.\n" for i in range(500))
    text = HEAD + "# Tableau\n\n| a | b | c |\n|---|---|---|\n" + rows + "\n# Notes\n\n" + \
        calls + "\n\n" + notes
    document = typeset.typeset(parse(text, P))
    assert document.sections[0].html.count("<tr") == 2001
    rendition = render.render_html(document, render.build_date(document, {}))
    assert rendition.count('role="doc-footnote"') == 500
    at_ends = render.for_pdf(rendition, "", footnotes=budgets.DEFAULT.footnotes)
    assert 'class="fn"' not in at_ends and at_ends.count('role="doc-footnote"') == 500
    few = render.for_pdf(rendition, "", footnotes=500)
    assert few.count('class="fn"') == 500 and 'role="doc-footnote"' not in few


def test_the_defaults_are_ten_times_the_longest_fixture():
    longest = max((ROOT / "tests" / "fixtures").glob("*/*.md"), key=lambda p: p.stat().st_size)
    assert budgets.DEFAULT.source_kb * 1000 >= 10 * longest.stat().st_size
    tenth = Limits(**{name: getattr(budgets.DEFAULT, name) // 10
                      for name in ("source_kb", "depth", "headings", "table_rows", "notes")})
    for fixture in (ROOT / "tests" / "fixtures").glob("*/*.md"):
        assert parse(fixture.read_text(encoding="utf-8"), fixture, limits=tenth).meta.title
