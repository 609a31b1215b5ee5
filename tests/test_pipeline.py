"""One run for a series: each source's outputs from one load, one rendition and one layout."""

from __future__ import annotations

import collections
import functools
import shutil

from PIL import Image

from blocnotes import load, pdf, pipeline, render
from blocnotes.errors import Diagnostic
from blocnotes.pipeline import Settings, build_plan
from helpers import AGENCY, ROOT, SOURCE


def test_pdf_and_epub_of_a_source_come_from_one_rendition_and_one_layout(tmp_path, monkeypatch):
    calls: collections.Counter[str] = collections.Counter()

    def counted(module, name):
        original = getattr(module, name)

        @functools.wraps(original)
        def wrapper(*args, **kwargs):
            calls[name] += 1
            return original(*args, **kwargs)

        monkeypatch.setattr(module, name, wrapper)

    for module, name in ((load, "load_styled"), (render, "render_html"), (pdf, "render_pdf"),
                         (pdf, "layout_starts")):
        counted(module, name)
    settings = Settings(out=tmp_path, styles=ROOT / "styles", agency_fallback=AGENCY, environ={})
    outcomes = build_plan([(SOURCE, ("pdf", "epub"))], settings)
    assert outcomes[0].error is None
    assert {path.name for path in outcomes[0].written} == {"smart-city-tour-mulhouse.pdf",
                                                           "smart-city-tour-mulhouse.epub"}
    # one load (the source and its Style), no second layout
    assert calls == {"load_styled": 1, "render_html": 1, "render_pdf": 1}


def test_a_plan_builds_each_source_in_its_own_formats(tmp_path):
    """What make hands over: a different set of due outputs for each source, one pool."""
    other = tmp_path / "atelier.md"
    other.write_text("---\ntitle: Atelier\ndate: 2021-03-12\n---\n\n# Débat\n\nTexte.\n",
                     encoding="utf-8")
    settings = Settings(out=tmp_path / "out", styles=ROOT / "styles", agency_fallback=AGENCY,
                        environ={})
    seen = []
    outcomes = build_plan([(SOURCE, ("epub",)), (other, ("pdf", "press"))], settings,
                          seen.append, jobs=2)
    assert [outcome.source for outcome in outcomes] == [SOURCE, other]  # in the plan's order
    assert sorted(outcome.source.name for outcome in seen) == ["atelier.md", SOURCE.name]
    assert [[path.name for path in outcome.written] for outcome in outcomes] == [
        ["smart-city-tour-mulhouse.epub"], ["atelier.pdf", "atelier-impression.pdf"]]
    # Each output knows what it was made from: nothing is due now, the edited source is.
    assert pipeline.due(other, ("pdf", "press", "epub"), settings) == ("epub",)
    other.write_text(other.read_text(encoding="utf-8") + "\nEncore.\n", encoding="utf-8")
    assert pipeline.due(other, ("pdf", "press"), settings) == ("pdf", "press")
    assert pipeline.due(SOURCE, ("epub",), settings) == ()


def test_an_edited_image_or_a_new_agency_file_makes_a_source_due(tmp_path):
    folder = tmp_path / "source"
    folder.mkdir()
    source = folder / "atelier.md"
    source.write_text("---\ntitle: Atelier\ndate: 2021-03-12\n---\n\n# Débat\n\n"
                      "![Plan des pistes](plan.png)\n\nTexte.\n", encoding="utf-8")
    Image.new("RGB", (60, 40), (0, 91, 112)).save(folder / "plan.png")
    settings = Settings(out=tmp_path / "out", styles=ROOT / "styles", agency_fallback=AGENCY,
                        environ={})
    assert build_plan([(source, ("pdf", "epub"))], settings)[0].error is None
    assert pipeline.due(source, ("pdf", "epub"), settings) == ()
    depfile = (settings.out / ".build" / "atelier.d").read_text(encoding="utf-8")
    assert f"{settings.out / 'atelier.pdf'}" in depfile and f"{folder / 'plan.png'}" in depfile
    Image.new("RGB", (60, 40), (200, 30, 30)).save(folder / "plan.png")
    assert pipeline.due(source, ("pdf", "epub"), settings) == ("pdf", "epub")
    assert build_plan([(source, ("pdf", "epub"))], settings)[0].error is None
    assert pipeline.due(source, ("pdf", "epub"), settings) == ()
    shutil.copy(AGENCY, folder / "agency.yaml")  # now the one that applies, though the same
    assert pipeline.due(source, ("pdf", "epub"), settings) == ("pdf", "epub")


def test_the_editions_are_rows_of_one_table():
    """What differs between the screen PDF, the print shop's, the EPUB, the HTML and the web
    page is data: stylesheets that exist, a PDF variant WeasyPrint knows, a finisher the PDF
    writer has, links, and a file name of its own."""
    from weasyprint.pdf import VARIANTS

    from blocnotes import editions

    table = editions.EDITIONS
    assert len({edition.name for edition in table}) == len({e.path_name("x") for e in table}) \
        == len(table)
    for edition in table:
        for folder in (ROOT / "styles").iterdir():  # in every style
            if (folder / "style.yaml").is_file():
                assert all((folder / name).is_file() for name in edition.stylesheets), folder
        if edition.writer == "pdf":
            assert edition.pdf_variant in (*VARIANTS, editions.SETTINGS_VARIANT)
            assert edition.finisher is None or edition.finisher in pdf.FINISHERS
    assert set(editions.SCREEN_VARIANTS) <= set(VARIANTS)
    assert [e.name for e in table if not e.links] == ["press"]  # PDF/X: no annotations
    assert [e.name for e in table if e.page_map] == ["pdf"]  # the EPUB marks the screen's pages
    assert editions.named(["epub", "print", "pdf"]) == [editions.SCREEN, editions.PRESS,
                                                        editions.EPUB]  # the table's order


def test_one_strict_judgement_before_any_edition_is_written(tmp_path, monkeypatch):
    """A renderer's warning on the last PDF made (the print shop's) fails a --strict build of
    every edition before any is written; without --strict, all are written."""
    real = pipeline.make_pdf

    def warned(document, settings, when, html, house, edition=pipeline.SCREEN):
        data, warnings, starts = real(document, settings, when, html, house, edition)
        if edition is pipeline.PRESS:
            warnings = [*warnings, Diagnostic(document.source, None, "renderer: dropped")]
        return data, warnings, starts

    monkeypatch.setattr(pipeline, "make_pdf", warned)
    source = tmp_path / "atelier.md"
    source.write_text("---\ntitle: Atelier\ndate: 2021-03-12\n---\n\n# Débat\n\nTexte.\n",
                      encoding="utf-8")
    everything = ("html", "epub", "press", "pdf")
    for strict in (True, False):
        out = tmp_path / f"out-{strict}"
        settings = Settings(out=out, styles=ROOT / "styles", agency_fallback=AGENCY,
                            environ={}, strict=strict)
        [outcome] = build_plan([(source, everything)], settings)
        assert (outcome.error is not None) is strict
        written = sorted(path.name for path in out.glob("atelier*")) if out.exists() else []
        assert written == ([] if strict else ["atelier-impression.pdf", "atelier.epub",
                                              "atelier.html", "atelier.pdf"])
