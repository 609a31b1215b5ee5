"""Page 1 of each series side by side, docs/series.png (shown in the README): the seed's
source built in every style of styles/, page 1 of each PDF at 60 dpi (poppler's pdftoppm).
Run by `make docs`; look at the picture before committing it."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from blocnotes import style  # noqa: E402
from blocnotes.pipeline import Settings, build  # noqa: E402

SOURCE = ROOT / "source" / "smart-city-tour-mulhouse.md"
PICTURE = ROOT / "docs" / "series.png"
GAP = 24  # pixels around and between the pages
BACKGROUND = (228, 228, 226)  # a light grey desk, for the white pages to stand out


def page_one(name: str, folder: Path) -> Image.Image:
    """Page 1 of the seed built in the style `name`."""
    text = SOURCE.read_text(encoding="utf-8")
    source = folder / f"{name}.md"
    source.write_text(text if name == style.DEFAULT
                      else text.replace("\ntitle:", f"\nstyle: {name}\ntitle:", 1), encoding="utf-8")
    settings = Settings(out=folder / "out", styles=ROOT / "styles",
                        agency_fallback=ROOT / "source" / "agency.yaml", environ={})
    [outcome] = build([source], ("pdf",), settings)
    if outcome.error is not None:
        raise SystemExit("\n".join(outcome.error.lines()))
    subprocess.run(["pdftoppm", "-r", "60", "-png", "-f", "1", "-l", "1", "-singlefile",
                    str(outcome.written[0]), str(folder / name)], check=True)
    with Image.open(folder / f"{name}.png") as page:
        return page.convert("RGB")


def main() -> None:
    with tempfile.TemporaryDirectory() as temporary:
        pages = [page_one(name, Path(temporary)) for name in style.known(ROOT / "styles")]
    sheet = Image.new("RGB", (sum(page.width for page in pages) + GAP * (len(pages) + 1),
                              max(page.height for page in pages) + 2 * GAP), BACKGROUND)
    x = GAP
    for page in pages:
        sheet.paste(page, (x, GAP))
        x += page.width + GAP
    sheet.save(PICTURE, optimize=True)
    print(f"wrote {PICTURE.relative_to(ROOT)}: page 1 of {len(pages)} series")


if __name__ == "__main__":
    main()
