"""The seed's pages, and each construct fixture's, look as they did when the references were
made (`make golden`)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from samples import NAMES
from visual import GOLDEN, OUTPUT, TOLERANCE, difference, rasterize


def test_pages_match_the_references(seed_built, tmp_path):
    _compare(seed_built.pdf, GOLDEN, tmp_path, "")


@pytest.mark.parametrize("name", NAMES)
def test_fixture_pages_match_their_references(samples_built, name, tmp_path):
    _compare(samples_built[name].pdf, GOLDEN / name, tmp_path, f"{name}-")


def _compare(pdf: Path, golden: Path, tmp_path: Path, prefix: str) -> None:
    references = sorted(golden.glob("page-*.png"))
    assert references, "no reference pages: run `make golden` and look at them"
    pages = rasterize(pdf, tmp_path)
    assert len(pages) == len(references), "the page count changed"
    failures = []
    for page, reference in zip(pages, references, strict=True):
        share, overlay = difference(Image.open(page), Image.open(reference))
        if share > TOLERANCE:
            OUTPUT.mkdir(parents=True, exist_ok=True)
            Image.open(page).save(OUTPUT / f"actual-{prefix}{page.name}")
            overlay.save(OUTPUT / f"diff-{prefix}{page.name}")
            failures.append(f"{prefix}{page.name}: {share:.2%} of pixels differ (see tests/output/)")
    assert failures == []


def test_the_comparison_sees_a_change(seed_built, tmp_path):
    page = Image.open(rasterize(seed_built.pdf, tmp_path)[0]).convert("RGB")
    changed = page.copy()
    changed.paste((0, 0, 0), (40, 40, 140, 90))
    share, _ = difference(changed, page)
    assert share > TOLERANCE
