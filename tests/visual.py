"""Visual regression: the seed's pages, rasterized, against reference PNGs in tests/golden/,
and each construct fixture's (tests/fixtures/<name>/) against tests/golden/<name>/.

`make golden` (python tests/visual.py) rebuilds the seed and the fixtures and replaces the
references: do it on purpose, after looking at the new pages.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from PIL import Image, ImageChops

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "golden"
OUTPUT = ROOT / "tests" / "output"
DPI = 40
THRESHOLD = 48  # a pixel differs when a channel moves by more than this (of 255)
TOLERANCE = 0.003  # share of differing pixels allowed on a page


def rasterize(pdf: Path, folder: Path) -> list[Path]:
    """PDF -> one PNG per page (pdftoppm), in page order."""
    pdftoppm = shutil.which("pdftoppm")
    assert pdftoppm, "pdftoppm is missing: `make test` installs poppler-utils"
    subprocess.run([pdftoppm, "-r", str(DPI), "-png", str(pdf), str(folder / "page")], check=True)
    return sorted(folder.glob("page-*.png"))


def difference(actual: Image.Image, expected: Image.Image) -> tuple[float, Image.Image]:
    """(share of pixels that differ, an image of the differences in red)."""
    if actual.size != expected.size:
        return 1.0, actual
    diff = ImageChops.difference(actual.convert("RGB"), expected.convert("RGB")).convert("L")
    mask = diff.point(lambda value: 255 if value > THRESHOLD else 0)
    changed = mask.histogram()[255]
    overlay = expected.convert("RGB").copy()
    overlay.paste((220, 0, 0), mask=mask)
    return changed / (actual.width * actual.height), overlay


def update(pdf: Path, golden: Path = GOLDEN) -> list[Path]:
    """Replace the reference PNGs in `golden` with the pages of `pdf`."""
    golden.mkdir(parents=True, exist_ok=True)
    for old in golden.glob("page-*.png"):
        old.unlink()
    with tempfile.TemporaryDirectory() as folder:
        pages = rasterize(pdf, Path(folder))
        return [Path(shutil.copy(page, golden / page.name)) for page in pages]


def main() -> int:
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "tests"))
    from blocnotes.pipeline import Settings, build

    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(out=Path(folder), styles=ROOT / "styles",
                            agency_fallback=ROOT / "source/agency.yaml", environ={})
        source = ROOT / "source" / "smart-city-tour-mulhouse.md"
        outcome = build([source], ("pdf",), settings)[0]
        if outcome.error:
            print(outcome.error, file=sys.stderr)
            return 1
        written = update(outcome.written[0])
        from samples import build_samples

        for name, sample in build_samples(Path(folder)).items():
            written += update(sample.pdf, GOLDEN / name)
        for path in written:
            print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
