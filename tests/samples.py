"""The construct fixtures (tests/fixtures/<name>/<name>.md): their images, made here, and
their builds. Used by the tests and by `make golden` (tests/visual.py)."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
NAMES = ("figures", "table", "lists", "links", "notes", "code", "kitchen-sink")


@dataclass(frozen=True)
class Sample:
    name: str
    source: Path
    pdf: Path
    epub: Path
    diagnostics: tuple[str, ...]


def _photo(size: tuple[int, int], seed: int) -> Image.Image:
    """A made-up street view: sky, facades with windows, a pavement (Pillow, deterministic)."""
    width, height = size
    image = Image.new("RGB", size, (160, 196, 220))
    draw = ImageDraw.Draw(image)
    horizon = height * 3 // 5
    for y in range(horizon):  # the sky, lighter towards the horizon
        shade = 150 + 80 * y // horizon
        draw.line([(0, y), (width, y)], fill=(shade - 40, shade - 10, min(255, shade + 30)))
    x, index = 0, seed
    while x < width:
        wide = width // 7 + (index * 37) % (width // 9)
        top = height // 5 + (index * 53) % (height // 4)
        colour = ((190 + index * 23) % 256, (150 + index * 41) % 200 + 40, (120 + index * 13) % 160 + 60)
        draw.rectangle([x, top, x + wide, horizon], fill=colour, outline=(70, 60, 55), width=3)
        for wy in range(top + height // 20, horizon - height // 15, height // 12):
            for wx in range(x + wide // 8, x + wide - wide // 6, wide // 4):
                draw.rectangle([wx, wy, wx + wide // 9, wy + height // 22], fill=(60, 72, 88))
        x += wide + 4
        index += 1
    draw.rectangle([0, horizon, width, height], fill=(128, 124, 118))
    draw.rectangle([0, horizon + (height - horizon) // 2, width, height], fill=(96, 92, 88))
    return image


def make_images(folder: Path) -> None:
    """The fixtures' images: a landscape and a portrait photo (300 dpi as they print, the
    landscape across both columns too), and a small logo."""
    _photo((2100, 1400), 1).save(folder / "paysage.jpg", quality=82)
    _photo((1000, 1500), 4).save(folder / "portrait.jpg", quality=82)
    logo = Image.new("RGBA", (96, 96), (0, 0, 0, 0))
    draw = ImageDraw.Draw(logo)
    draw.ellipse([4, 4, 92, 92], fill=(0, 91, 112, 255))
    draw.rectangle([30, 30, 66, 66], fill=(255, 255, 255, 255))
    logo.save(folder / "logo.png")


def build_samples(folder: Path, names: tuple[str, ...] = NAMES,
                  formats: tuple[str, ...] = ("pdf", "epub")) -> dict[str, Sample]:
    """Copy each fixture to `folder`, make its images, build it -> {name: Sample}."""
    from blocnotes.pipeline import Settings, build

    built = {}
    out = folder / "dist"
    settings = Settings(out=out, styles=ROOT / "styles",
                        agency_fallback=ROOT / "source" / "agency.yaml", environ={})
    for name in names:
        place = folder / name
        shutil.copytree(FIXTURES / name, place, ignore=shutil.ignore_patterns("pages"))
        make_images(place)
        source = place / f"{name}.md"
        outcome = build([source], formats, settings)[0]
        assert outcome.error is None, outcome.error
        built[name] = Sample(name, source, out / f"{name}.pdf", out / f"{name}.epub",
                             tuple(str(d) for d in outcome.diagnostics))
    return built
