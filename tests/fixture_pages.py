"""Reference pages of the make-up fixtures (tests/fixtures/<name>/pages/page-N.png).

`python tests/fixture_pages.py` (run by `make golden`) rebuilds the fixtures and replaces their
references: do it on purpose, after looking at the new pages.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from visual import OUTPUT, compare, rasterize

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ("long", "minimal", "english", "german", "two-authors")


def references(name: str) -> Path:
    return ROOT / "tests" / "fixtures" / name / "pages"


def compare_pages(name: str, pdf: Path, folder: Path) -> list[str]:
    """What differs between the pages of `pdf` and the fixture's references."""
    return compare(pdf, folder, OUTPUT, references(name), f"{name}-")


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
