"""The seed's pages, and each construct fixture's, look as they did when the references were
made (`make golden`), and the comparison sees the changes a designer would see: colour, tints
and small type."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from blocnotes.pipeline import Settings, build
from helpers import ROOT, SOURCE
from samples import NAMES
from visual import GOLDEN, OUTPUT, compare


def test_pages_match_the_references(seed_built, tmp_path):
    assert compare(seed_built.pdf, tmp_path, OUTPUT) == []


@pytest.mark.parametrize("name", NAMES)
def test_fixture_pages_match_their_references(samples_built, name, tmp_path):
    assert compare(samples_built[name].pdf, tmp_path, OUTPUT, GOLDEN / name, f"{name}-") == []


# Each is appended to a copy of styles/bloc-notes/print.css: a change of colour only, none of layout.
MUTATIONS = {
    "section heading petrol blue to black": ".chapter h2 { color: #000; }",
    "running heads grey to red": "@page { @top-left { color: #c00; } @top-right { color: #c00; } }",
    "page numbers (7.5 pt) petrol blue to black": "@page { @bottom-right { color: #000; } }",
    "keywords panel without its tint": ".keywords { background: none; }",
    "speakers' box without its tint": ".speakers { background: none; }",
    "body text from #1d1d1b to #555": ":root { --ink: #555; }",
}


@pytest.mark.parametrize("rule", MUTATIONS.values(), ids=MUTATIONS.keys())
def test_the_comparison_sees_a_change_of_colour(tmp_path: Path, rule: str):
    styles = tmp_path / "styles"
    shutil.copytree(ROOT / "styles", styles)
    with (styles / "bloc-notes" / "print.css").open("a", encoding="utf-8") as css:
        css.write("\n" + rule + "\n")
    settings = Settings(out=tmp_path / "out", styles=styles,
                        agency_fallback=ROOT / "source/agency.yaml", environ={})
    outcome = build([SOURCE], ("pdf",), settings)[0]
    assert outcome.error is None, outcome.error
    scratch, output = tmp_path / "pages", tmp_path / "diff"
    scratch.mkdir()
    failures = compare(outcome.written[0], scratch, output)
    assert failures, f"the comparison did not see: {rule}"
    assert "page count" not in failures[0]  # a change of colour, seen as such
    assert sorted(output.glob("diff-page-*.png")), "no diff image written"
