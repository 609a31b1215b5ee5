"""The documents the make-up is measured on (issue 21): every fixture (tests/fixtures/<name>/)
and every corpus document (tests/corpus/<name>.md), each in both styles, laid out as its
screen PDF is (made up, not written). Their images are made here: the fixtures' (samples.py)
and camera photos (photos.py). Used by tests/test_holes.py and by `python
tests/makeup_corpus.py`, which prints the pages and holes of each."""

from __future__ import annotations

import re
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
CORPUS = ROOT / "tests" / "corpus"
STYLES = ("bloc-notes", "observatoire")


def sources() -> dict[str, Path]:
    """The seed, every fixture and every corpus document, by name."""
    found = {"seed": ROOT / "source" / "smart-city-tour-mulhouse.md"}
    found |= {path.parent.name: path for path in sorted(FIXTURES.glob("*/*.md"))}
    found |= {f"corpus/{path.stem}": path for path in sorted(CORPUS.glob("*.md"))
              if path.name != "README.md"}
    return found


def make_corpus_images(folder: Path) -> None:
    """The corpus's photos, as cameras give them (4:3 and 3:2, landscape and portrait held
    upright, a panorama), beside the fixtures' street views and logo."""
    from photos import camera_jpeg

    from samples import make_images

    make_images(folder)
    camera_jpeg(folder / "chantier.jpg", (1600, 1200), seed=1)
    camera_jpeg(folder / "facade.jpg", (1500, 1000), seed=2)
    camera_jpeg(folder / "clocher.jpg", (1600, 1200), orientation=6, seed=3)  # held upright
    camera_jpeg(folder / "panorama.jpg", (2400, 900), seed=4)


def styled(source: Path, style: str, folder: Path) -> Path:
    """A copy of `source` in `folder` that asks for `style`, with the images it may use."""
    place = folder / f"{source.stem}-{style}"
    place.mkdir(parents=True)
    for file in source.parent.iterdir():
        if file.is_file() and file.suffix not in (".md", ".yaml"):
            shutil.copy(file, place)
    make_corpus_images(place)
    head, body = source.read_text(encoding="utf-8").split("\n---\n", 1)
    head = re.sub(r"^style:.*\n", "", head + "\n", flags=re.M).rstrip("\n")
    target = place / source.name
    target.write_text(f"{head}\nstyle: {style}\n---\n{body}", encoding="utf-8")
    return target


def lay_out(source: Path, made_up: bool = True, css: str = "", floats: bool = True):
    """The document's screen PDF laid out by WeasyPrint (made up, or not; with `css` over
    its style), not written."""
    from blocnotes import pdf
    from blocnotes.pipeline import Settings, pdf_html, prepare, style_of
    from blocnotes.render import build_date, render_html

    settings = Settings(out=source.parent / "out", styles=ROOT / "styles",
                        agency_fallback=ROOT / "source/agency.yaml", environ={})
    document, _ = prepare(source, settings)
    html = pdf_html(settings, render_html(document, build_date(document, {})),
                    style_of(document, settings))
    html = html.replace("</head>", f"<style>{css}</style></head>", 1) if css else html
    roots = (source.parent, settings.styles, *pdf.fonts.font_dirs(style_of(document, settings)))
    if made_up:
        return pdf.layout(html, source, roots, floats=floats)
    return pdf._lay_out(html, source, roots, False)


def main() -> int:
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "tests"))
    from blocnotes import holes

    made_up = "--raw" not in sys.argv
    floats = "--no-floats" not in sys.argv
    asked = [arg for arg in sys.argv[1:] if not arg.startswith("--")]
    total = 0
    with tempfile.TemporaryDirectory() as folder:
        for name, source in sources().items():
            if asked and not any(word in name for word in asked):
                continue
            for style in STYLES:
                document = lay_out(styled(source, style, Path(folder) / name), made_up,
                                   floats=floats)
                found = holes.holes(document.pages)
                total += len(found)
                print(f"{name:34} {style:13} {len(document.pages):2} pages "
                      f"({holes.pages_needed(document.pages)} needed) {len(found)} holes",
                      "; ".join(map(str, found)))
    print(f"{total} holes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
