"""Reference pages of the make-up fixtures (tests/fixtures/<name>/pages/page-N.png).

`python tests/fixture_pages.py` (run by `make golden`) rebuilds the fixtures and replaces their
references: do it on purpose, after looking at the new pages.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from PIL import Image

from visual import OUTPUT, TOLERANCE, difference, rasterize

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ("long", "minimal", "english", "german", "two-authors")


def references(name: str) -> Path:
    return ROOT / "tests" / "fixtures" / name / "pages"


def compare_pages(name: str, pdf: Path, folder: Path) -> list[str]:
    """What differs between the pages of `pdf` and the fixture's references."""
    expected = sorted(references(name).glob("page-*.png"))
    if not expected:
        return [f"{name}: no reference pages (run `make golden` and look at them)"]
    pages = rasterize(pdf, folder)
    if len(pages) != len(expected):
        return [f"{name}: {len(pages)} pages, the references have {len(expected)}"]
    failures = []
    for page, reference in zip(pages, expected, strict=True):
        share, overlay = difference(Image.open(page), Image.open(reference))
        if share > TOLERANCE:
            OUTPUT.mkdir(parents=True, exist_ok=True)
            Image.open(page).save(OUTPUT / f"{name}-actual-{page.name}")
            overlay.save(OUTPUT / f"{name}-diff-{page.name}")
            failures.append(f"{name} {page.name}: {share:.2%} of pixels differ (tests/output/)")
    return failures


def main() -> int:
    sys.path.insert(0, str(ROOT))
    from blocnotes.pipeline import Settings, build

    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder)
        settings = Settings(out=out, styles=ROOT / "styles",
                            agency_fallback=ROOT / "source/agency.yaml", environ={})
        sources = [ROOT / "tests" / "fixtures" / name / f"{name}.md" for name in FIXTURES]
        for outcome in build(sources, ("pdf",), settings):
            if outcome.error:
                print(outcome.error, file=sys.stderr)
                return 1
        for name in FIXTURES:
            target = references(name)
            shutil.rmtree(target, ignore_errors=True)
            target.mkdir(parents=True)
            pages_dir = out / f"pages-{name}"
            pages_dir.mkdir()
            for page in rasterize(out / f"{name}.pdf", pages_dir):
                shutil.copy(page, target / page.name)
            print(f"{name}: {len(list(target.glob('page-*.png')))} reference pages in {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
