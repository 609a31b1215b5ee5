"""Photos and drawings as editors bring them: each edition gets the pixels it needs, upright, in
sRGB (CMYK kept for the print shop), without private metadata; SVG cleaned; HEIC read; cached."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import zipfile
from dataclasses import dataclass
from pathlib import Path

import photos
import pypdf
import pytest
from PIL import Image

from blocnotes import images
from blocnotes.pipeline import Settings, build, check
from conftest import run_epubcheck
from helpers import ROOT

REPORTAGE = """---
title: Reportage à Mulhouse
date: 2024-05-17
---

# La visite

Le tramway, la gare et les ateliers, photographiés par la rédaction.

![Le tramway devant la gare, en hauteur](tram.jpg)

![Une archive de l'agence, scannée en quadrichromie](archive.jpg)

![La place, photographiée au téléphone](place.heic)

![Une capture d'écran du site de l'agence](capture.png)

![Un plan du quartier](script.svg)

![Un schéma des lignes](handler.svg)

![Une carte des quartiers](external.svg)

Fin du reportage.
"""
PROFILE = ROOT / "styles" / "icc" / "FOGRA39L.icc"  # a CMYK scan's profile


@dataclass(frozen=True)
class Reportage:
    folder: Path
    source: Path
    settings: Settings
    outputs: dict[str, bytes]  # file name -> bytes of the first (cold) build


def write_reportage(folder: Path) -> Path:
    photos.camera_jpeg(folder / "tram.jpg", (3000, 4000), orientation=6)
    photos.cmyk_jpeg(folder / "archive.jpg", (4000, 3000), PROFILE.read_bytes())
    photos.phone_heic(folder / "place.heic", (2016, 1512))
    photos.screenshot_png(folder / "capture.png")
    for name, text in photos.HOSTILE_SVGS.items():
        (folder / name).write_text(text, encoding="utf-8")
    source = folder / "reportage.md"
    source.write_text(REPORTAGE, encoding="utf-8")
    return source


@pytest.fixture(scope="module")
def reportage(tmp_path_factory) -> Reportage:
    folder = tmp_path_factory.mktemp("reportage")
    source = write_reportage(folder)
    settings = Settings(out=folder / "out", styles=ROOT / "styles", environ={})
    [outcome] = build([source], ("pdf", "press", "epub"), settings)
    assert outcome.error is None, outcome.error
    return Reportage(folder, source, settings,
                     {path.name: path.read_bytes() for path in outcome.written})


def _pdfimages(path: Path) -> list[dict[str, str]]:
    """`pdfimages -list` as rows (page, type, width, height, color, x-ppi, ...)."""
    pdfimages = shutil.which("pdfimages")
    assert pdfimages, "pdfimages is missing: `make test` installs poppler-utils"
    lines = subprocess.run([pdfimages, "-list", str(path)], capture_output=True, text=True,
                           check=True).stdout.splitlines()
    names = lines[0].split()
    return [dict(zip(names, line.split(), strict=False)) for line in lines[2:]]


def _epub_images(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()
                if "/images/" in name and "couverture" not in name}


def _epub_image_of(path: Path, alt_start: str) -> Image.Image:
    """The EPUB's image whose alternative text starts with `alt_start`."""
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if not name.endswith(".xhtml"):
                continue
            for tag in re.findall(r"<img [^>]*>", archive.read(name).decode("utf-8")):
                src = re.search(r'src="([^"]+)"', tag)
                if f'alt="{alt_start}' in tag and src:
                    return Image.open(io.BytesIO(archive.read("EPUB/" + src.group(1))))
    raise AssertionError(f"no image '{alt_start}…' in {path}")


def test_outputs_are_light(reportage):
    for name in ("reportage.pdf", "reportage.epub"):
        assert len(reportage.outputs[name]) < 3_000_000, (name, len(reportage.outputs[name]))


@pytest.mark.parametrize(("name", "low", "high"), [("reportage.pdf", 150, images.SCREEN_PPI),
                                                   ("reportage-impression.pdf", 300,
                                                    images.PRESS_PPI)])
def test_each_pdf_image_has_the_resolution_of_its_edition(reportage, name, low, high):
    """Every photo was larger than needed: each edition's own resolution at its printed size."""
    rows = [row for row in _pdfimages(reportage.settings.out / name) if row["type"] == "image"]
    assert len(rows) == 4  # the three photos and the screenshot (the SVGs stay vector)
    for row in rows:
        assert low <= int(row["x-ppi"]) <= high + 1 and low <= int(row["y-ppi"]) <= high + 1, row


def test_colours_are_srgb_on_screen_and_cmyk_kept_for_the_press(reportage):
    screen = _pdfimages(reportage.settings.out / "reportage.pdf")
    press = _pdfimages(reportage.settings.out / "reportage-impression.pdf")
    assert {row["color"] for row in screen} == {"rgb"}
    assert sorted(row["color"] for row in press if row["type"] == "image") == [
        "cmyk", "icc", "icc", "icc"]  # icc: DeviceRGB, defined as sRGB by the page's DefaultRGB
    # The scan's red patch (C0 M100 Y100 K0 through its profile) is red in the EPUB.
    archive = _epub_image_of(reportage.settings.out / "reportage.epub", "Une archive")
    assert archive.mode == "RGB"
    red, green, blue = archive.getpixel((5, 5))
    assert red > 200 and green < 90 and blue < 90, (red, green, blue)


def test_the_epub_carries_e_reader_sized_images(reportage):
    found = _epub_images(reportage.settings.out / "reportage.epub")
    suffixes = sorted(Path(name).suffix for name in found)
    assert suffixes == [".jpg", ".jpg", ".jpg", ".png", ".svg", ".svg", ".svg"]  # HEIC: JPEG
    for name, data in found.items():
        if name.endswith(".svg"):
            continue
        image = Image.open(io.BytesIO(data))
        assert max(image.size) <= images.EPUB_LONG_SIDE, (name, image.size)
        if name.endswith(".jpg"):
            assert max(image.size) == images.EPUB_LONG_SIDE  # every photo was larger
            assert len(data) < 700_000, (name, len(data))


def test_the_turned_photo_is_upright_everywhere(reportage):
    epub_photo = _epub_image_of(reportage.settings.out / "reportage.epub", "Le tramway")
    pdf_photos = [image.image for image in pypdf.PdfReader(
        reportage.settings.out / "reportage.pdf").pages[0].images if image.image.height > image.image.width]
    for image in [epub_photo, *pdf_photos]:
        assert image.height > image.width  # portrait, as the photographer held the phone
        rgb = image.convert("RGB")
        red, green, blue = rgb.getpixel((3, 3))  # the red block is at the top left
        assert red > 180 and green < 90 and blue < 90, (red, green, blue)
        assert rgb.getpixel((rgb.width - 3, rgb.height - 3))[1] > 100  # not at the bottom right
    assert len(pdf_photos) == 1


def test_a_phone_heic_held_upright_comes_out_upright(tmp_path):
    """An iPhone stores a portrait photo sideways with an 'irot' transform and the EXIF
    orientation 6: it is turned once (libheif applies the transform, pillow-heif resets the
    EXIF orientation), not twice, for the layout and in every edition."""
    path = tmp_path / "portrait.heic"
    photos.phone_heic(path, (1512, 2016), orientation=6)
    stored = path.read_bytes()
    assert b"irot" in stored  # sideways pixels and the transform, as the phone writes them
    assert images.header(path) == ("HEIF", (1512, 2016))
    assert images.stand_in(path).size[1] > images.stand_in(path).size[0]
    for target in (images.EPUB, images.SCREEN_PAGE, images.PRESS_PAGE,
                   images.at_ppi(60, 80, images.SCREEN_PPI, images.SCREEN_QUALITY)):
        prepared = images.prepare(stored, target)
        image = Image.open(io.BytesIO(prepared.data))
        assert not image.getexif()
        rgb = image.convert("RGB")
        assert rgb.height > rgb.width, target
        red, green, blue = rgb.getpixel((3, 3))  # the red block is at the top left
        assert red > 180 and green < 90 and blue < 90, (target, (red, green, blue))
        assert rgb.getpixel((rgb.width - 3, rgb.height - 3))[1] > 100  # not at the bottom right


def test_no_private_metadata_in_any_output(reportage):
    secrets = (photos.SERIAL.encode(), photos.OWNER.encode(), b"Exif\x00\x00", b"PhoneMaker")
    for name, data in reportage.outputs.items():
        blobs = [data]
        if name.endswith(".epub"):
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                blobs = [archive.read(entry) for entry in archive.namelist()]
        for blob in blobs:
            for secret in secrets:
                assert secret not in blob, (name, secret)
    pictures = [Image.open(io.BytesIO(data)) for name, data in
                _epub_images(reportage.settings.out / "reportage.epub").items()
                if not name.endswith(".svg")]
    for name in ("reportage.pdf", "reportage-impression.pdf"):
        for page in pypdf.PdfReader(reportage.settings.out / name).pages:
            pictures += [Image.open(io.BytesIO(image.data)) for image in page.images]
    assert len(pictures) >= 12
    for picture in pictures:
        assert not picture.getexif(), picture.getexif()
        assert not {"xmp", "XML:com.adobe.xmp", "exif", "Author"} & set(picture.info)


def test_svgs_are_cleaned_in_every_output(reportage):
    found = _epub_images(reportage.settings.out / "reportage.epub")
    drawings = [data.decode() for name, data in found.items() if name.endswith(".svg")]
    assert len(drawings) == 3
    for text in drawings:
        for needle in photos.HOSTILE_NEEDLES:
            assert needle not in text, needle
    assert any('<circle cx="300"' in text for text in drawings)  # the drawings stay
    assert any('<rect width="400" height="200" fill="#005b70"/>' in text for text in drawings)
    # The PDF draws them without fetching anything (a reference refused would stop the build).
    text = "".join(page.extract_text() for page in pypdf.PdfReader(
        reportage.settings.out / "reportage.pdf").pages)
    assert "Fin du reportage" in text


def test_the_epub_passes_epubcheck(reportage, tmp_path):
    report = run_epubcheck(reportage.settings.out / "reportage.epub", tmp_path / "report.json")
    assert report["checker"]["nError"] == 0 and report["checker"]["nFatal"] == 0, report["messages"]
    assert report["checker"]["nWarning"] == 0, report["messages"]


def test_the_epub_passes_ace(reportage, tmp_path):
    """DAISY Ace: no violation with photos, a screenshot and SVG drawings (as tests/test_ace.py
    for the seed)."""
    ace = shutil.which("ace-puppeteer")
    chromium = shutil.which("chromium")
    assert ace and chromium, "DAISY Ace and Chromium are missing: `make test` installs them"
    env = {**os.environ, "PUPPETEER_EXECUTABLE_PATH": chromium}
    subprocess.run([ace, "--silent", "--outdir", str(tmp_path / "ace"), "--force",
                    str(reportage.settings.out / "reportage.epub")], env=env, check=True,
                   timeout=300, capture_output=True)
    report = json.loads((tmp_path / "ace" / "report.json").read_text(encoding="utf-8"))
    violations = [f"{group['earl:testSubject']['url']}: {item['earl:test']['dct:title']}"
                  for group in report["assertions"] for item in group.get("assertions", [])]
    assert violations == []
    assert report["earl:result"]["earl:outcome"] == "pass"


def test_a_rebuild_uses_the_prepared_images_and_gives_the_same_bytes(reportage, monkeypatch,
                                                                      tmp_path):
    def prepared() -> list[Path]:  # (not the digests' notes, files/: written once settled)
        return [path for path in (reportage.settings.out / ".images").iterdir() if path.is_file()]

    cached = prepared()
    assert len(cached) >= 12  # layout and printed size for each PDF edition, the EPUB's

    def never(data: bytes, target: images.Target) -> images.Prepared:
        raise AssertionError("an image was prepared again")

    monkeypatch.setattr(images, "prepare", never)
    [outcome] = build([reportage.source], ("pdf", "press", "epub"), reportage.settings)
    assert outcome.error is None, outcome.error
    for path in outcome.written:
        assert path.read_bytes() == reportage.outputs[path.name], path.name
    # after a text edit: the same images, from the cache
    edited = reportage.source.with_name("edited.md")
    edited.write_text(REPORTAGE.replace("Fin du reportage.", "Fin du reportage, modifié."),
                      encoding="utf-8")
    [outcome] = build([edited], ("pdf", "press", "epub"), reportage.settings)
    assert outcome.error is None, outcome.error
    assert len(prepared()) == len(cached)


def test_a_cold_build_elsewhere_gives_the_same_bytes(reportage, tmp_path):
    settings = Settings(out=tmp_path / "elsewhere", styles=ROOT / "styles", environ={})
    [outcome] = build([reportage.source], ("pdf", "press", "epub"), settings)
    assert outcome.error is None, outcome.error
    for path in outcome.written:
        assert path.read_bytes() == reportage.outputs[path.name], path.name


def test_an_svg_with_entities_is_refused_at_its_line(tmp_path):
    (tmp_path / "bomb.svg").write_text(photos.ENTITY_SVG, encoding="utf-8")
    source = tmp_path / "doc.md"
    source.write_text("---\ntitle: T\ndate: 2021-01-01\n---\n\n# A\n\nTexte.\n\n"
                      "![Un plan](bomb.svg)\n", encoding="utf-8")
    settings = Settings(out=tmp_path / "out", styles=ROOT / "styles", environ={})
    for formats in (("pdf",), ("epub",)):
        [outcome] = build([source], formats, settings)
        assert str(outcome.error).startswith(
            f"{source}:10: image 'bomb.svg' declares XML entities"), outcome.error
        assert "export it again" in str(outcome.error)
    assert not (tmp_path / "out").exists()


def test_check_warns_about_photos_too_large_to_be_the_right_file(tmp_path):
    Image.new("RGB", (7500, 6000), (90, 120, 150)).save(tmp_path / "scan.jpg", quality=50)
    with (tmp_path / "heavy.jpg").open("wb") as stream:  # a small picture in a 51 MB file
        Image.new("RGB", (2000, 1500), (90, 120, 150)).save(stream, "JPEG")
        stream.write(b"\0" * 51_000_000)
    source = tmp_path / "doc.md"
    source.write_text("---\ntitle: T\ndate: 2021-01-01\n---\n\n# A\n\n![Un scan](scan.jpg)\n\n"
                      "![Une photo](heavy.jpg)\n", encoding="utf-8")
    [outcome] = check([source], Settings(out=tmp_path / "out", styles=ROOT / "styles",
                                         environ={}))
    assert outcome.error is None
    sizes = [(d.line, d.severity) for d in outcome.diagnostics
             if "megapixels" in d.message or " MB" in d.message]
    assert sizes == [(8, "warning"), (10, "warning")], outcome.diagnostics
    assert "45 megapixels, over 40" in outcome.diagnostics[0].message


def test_prepare_keeps_drawings_lossless_and_transparent_and_never_enlarges():
    logo = Image.new("RGBA", (400, 200), (0, 0, 0, 0))
    logo.paste((0, 91, 112, 255), (100, 50, 300, 150))
    data = io.BytesIO()
    logo.save(data, "PNG")
    small = images.prepare(data.getvalue(), images.Target((200, 200), 85))
    assert small.suffix == ".png" and small.size == (200, 100)
    image = Image.open(io.BytesIO(small.data))
    assert image.mode == "RGBA" and image.getpixel((0, 0))[3] == 0
    assert image.getpixel((100, 50)) == (0, 91, 112, 255)
    same = images.prepare(data.getvalue(), images.Target((4000, 4000), 85))
    assert same.size == (400, 200)  # never enlarged


def test_svg_cleaning_keeps_the_drawing_and_internal_references():
    jpeg = io.BytesIO()
    Image.new("RGB", (20, 10), (200, 0, 0)).save(jpeg, "JPEG", exif=photos.private_exif())
    import base64

    embedded = base64.b64encode(jpeg.getvalue()).decode()
    svg = (photos.SVG_HEAD + '<defs><linearGradient id="g"><stop offset="0" stop-color="red"/>'
           '</linearGradient></defs><rect id="r" width="50" height="50" fill="url(#g)"/>'
           '<use xlink:href="#r" x="60"/><a href="https://tracker.invalid/"><text>Lien</text></a>'
           f'<image width="20" height="10" href="data:image/jpeg;base64,{embedded}"/></svg>')
    clean = images.clean_svg(svg.encode()).decode()
    assert 'fill="url(#g)"' in clean and 'xlink:href="#r"' in clean and "Lien" in clean
    assert "tracker.invalid" not in clean
    kept = re.search(r'href="data:image/jpeg;base64,([^"]+)"', clean)
    assert kept
    assert not Image.open(io.BytesIO(base64.b64decode(kept.group(1)))).getexif()


def test_a_remote_photo_is_prepared_too(tmp_path):
    """With --allow-remote, a photo fetched over HTTP loses its metadata like a local one."""
    import http.server
    import threading

    photos.camera_jpeg(tmp_path / "remote.jpg", (2400, 1600))

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(tmp_path), **kwargs)

        def log_message(self, *args) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        source = tmp_path / "doc.md"
        source.write_text("---\ntitle: T\ndate: 2021-01-01\n---\n\n# A\n\n![Une photo]"
                          f"(http://127.0.0.1:{server.server_port}/remote.jpg)\n",
                          encoding="utf-8")
        settings = Settings(out=tmp_path / "out", styles=ROOT / "styles", allow_remote=True,
                            environ={})
        [outcome] = build([source], ("pdf",), settings)
    finally:
        server.shutdown()
    assert outcome.error is None, outcome.error
    data = (tmp_path / "out" / "doc.pdf").read_bytes()
    assert photos.SERIAL.encode() not in data and b"Exif\x00\x00" not in data
    [row] = [row for row in _pdfimages(tmp_path / "out" / "doc.pdf") if row["type"] == "image"]
    assert int(row["x-ppi"]) <= images.SCREEN_PPI + 1
