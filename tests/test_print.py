"""The print shop's PDF: PDF/X-4 for FOGRA39, A4 trim, 3 mm bleed, crop marks, CMYK inks."""

from __future__ import annotations

import re
import shutil
import subprocess

import pypdf
import pytest
from PIL import Image

from blocnotes import lint, style
from blocnotes.pipeline import Settings, build
from helpers import ROOT, missing_in_order, pdf_text, seed_text, words

A4 = (595.276, 841.890)
MM = 72 / 25.4


@pytest.fixture(scope="module")
def press(seed_built) -> pypdf.PdfReader:
    return pypdf.PdfReader(seed_built.press)


def _box(page, name: str) -> list[float]:
    return [float(value) for value in page[name]]


def test_a4_trim_3mm_bleed_and_room_for_crop_marks(press, seed_pdf):
    assert len(press.pages) == len(seed_pdf.pages)  # the same layout as the screen PDF
    for page in press.pages:
        trim = _box(page, "/TrimBox")
        assert trim[2] - trim[0] == pytest.approx(A4[0], abs=0.01)
        assert trim[3] - trim[1] == pytest.approx(A4[1], abs=0.01)
        bleed = _box(page, "/BleedBox")
        assert [b - t for b, t in zip(bleed, trim, strict=True)] == pytest.approx(
            [-3 * MM, -3 * MM, 3 * MM, 3 * MM], abs=0.01)
        media = _box(page, "/MediaBox")
        assert [m - b for m, b in zip(media, bleed, strict=True)] == pytest.approx(
            [-10 * MM, -10 * MM, 10 * MM, 10 * MM], abs=0.01)
        assert "/ArtBox" not in page  # PDF/X: a TrimBox or an ArtBox, not both


def test_claims_pdf_x4_with_the_fogra39_output_intent(press):
    assert press.pdf_header == "%PDF-1.6"
    xmp = press.trailer["/Root"]["/Metadata"].get_object().get_data().decode()
    assert "<pdfxid:GTS_PDFXVersion>PDF/X-4</pdfxid:GTS_PDFXVersion>" in xmp
    assert "<xmpMM:RenditionClass>default</xmpMM:RenditionClass>" in xmp  # not a proof
    assert "<xmpMM:VersionID>" in xmp and "<xmpMM:DocumentID>xmp.did:" in xmp
    assert press.metadata["/Trapped"] == "/False"
    assert press.metadata["/Title"] == "Smart City Tour Mulhouse"
    assert "/ID" in press.trailer
    [intent] = press.trailer["/Root"]["/OutputIntents"]
    intent = intent.get_object()
    assert intent["/S"] == "/GTS_PDFX"
    assert intent["/OutputConditionIdentifier"] == "FOGRA39"
    assert intent["/RegistryName"] == "http://www.color.org"
    profile = intent["/DestOutputProfile"].get_object()
    assert profile["/N"] == 4
    icc = profile.get_data()
    assert icc[12:16] == b"prtr" and icc[16:20] == b"CMYK"  # an output profile, for CMYK
    assert icc == (ROOT / "styles/icc/FOGRA39L.icc").read_bytes()


def test_fonts_embedded_and_no_links_on_the_page(press):
    for page in press.pages:
        assert all(annot.get_object()["/Subtype"] != "/Link"
                   for annot in page.get("/Annots", []))
        for font in page["/Resources"]["/Font"].values():
            descendant = font.get_object()["/DescendantFonts"][0].get_object()
            assert "/FontFile2" in descendant["/FontDescriptor"].get_object()


def test_colours_are_inks(press):
    """Every colour on the page is CMYK, text in black ink alone; RGB (the crop marks, an
    author's photo) is defined as sRGB, as PDF/X-4 requires."""
    for page in press.pages:
        content = page.get_contents().get_data().decode("latin-1")
        assert not re.search(r"\b(rg|RG)\b", content)
        assert "/DeviceCMYK cs" in content
        assert "0 0 0 1 scn" in content  # the text's black
        spaces = page["/Resources"]["/ColorSpace"]
        assert spaces["/DefaultRGB"][0] == "/ICCBased"


def test_every_word_of_the_seed_is_printed(press):
    assert missing_in_order(words(seed_text()), words(pdf_text(press))) == []


def test_band_runs_into_the_bleed_and_crop_marks_are_drawn(seed_built, tmp_path):
    pdftoppm = shutil.which("pdftoppm")
    assert pdftoppm, "pdftoppm is missing: `make test` installs poppler-utils"
    dpi = 150
    subprocess.run([pdftoppm, "-r", str(dpi), "-f", "1", "-l", "1", "-png",
                    str(seed_built.press), str(tmp_path / "page")], check=True)
    image = Image.open(next(tmp_path.glob("page*.png"))).convert("RGB")

    def at(x_mm: float, y_mm: float) -> tuple[int, int, int]:
        """The pixel at (x, y) mm from the trimmed page's top left corner."""
        return image.getpixel((round((x_mm + 13) * dpi / 25.4), round((y_mm + 13) * dpi / 25.4)))

    def is_petrol(rgb: tuple[int, int, int]) -> bool:
        red, green, blue = rgb
        return red < 60 and 60 < green < 130 and 80 < blue < 160

    assert is_petrol(at(105, 1.5))  # the band, inside the page
    assert is_petrol(at(105, -2.5)) and is_petrol(at(-2.5, 1.5)) and is_petrol(at(212.5, 1.5))
    assert at(105, -5) == (255, 255, 255)  # beyond the bleed: paper
    assert at(105, 10) == (255, 255, 255)  # under the band: paper
    # A crop mark: a thin vertical line at the trim's left edge, above the bleed.
    column = [sum(at(x / 10, -10)) for x in range(-10, 11)]
    assert min(column) < 200 and max(column) == 3 * 255


def _image_source(folder, width: int) -> Settings:
    Image.new("RGB", (width, width // 2), (120, 160, 200)).save(folder / "photo.png")
    (folder / "photo.md").write_text(
        "---\ntitle: Photo\ndate: 2021-01-01\n---\n\n# Une partie\n\n"
        "![Une photo du quartier](photo.png)\n", encoding="utf-8")
    return Settings(out=folder / "out", styles=ROOT / "styles", environ={})


@pytest.mark.parametrize(("width", "warned"), [(400, True), (900, True), (1000, False)])
def test_check_warns_about_images_under_300_dpi(tmp_path, width, warned):
    from blocnotes.pipeline import check

    [outcome] = check([tmp_path / "photo.md"], _image_source(tmp_path, width))
    found = [d for d in outcome.diagnostics if "dpi" in d.message]
    assert bool(found) == warned
    if warned:
        assert found[0].line == 8 and found[0].severity == "warning"
        assert "986 pixels" in found[0].message


def test_an_image_prints_at_most_a_column_wide(tmp_path):
    """lint's column width is the one the PDF lays out (a wide photo fills the column)."""
    settings = _image_source(tmp_path, 3000)
    [outcome] = build([tmp_path / "photo.md"], ("press",), settings)
    assert outcome.error is None, outcome.error
    page = pypdf.PdfReader(settings.out / "photo-impression.pdf").pages[0]
    content = page.get_contents().get_data().decode("latin-1")
    # The image is drawn by a "w 0 0 h x y cm /Name Do" operation.
    widths = [float(m.group(1)) for m in
              re.finditer(r"([\d.]+) 0 0 -?[\d.]+ -?[\d.]+ -?[\d.]+ cm\s*/\w+ Do", content)]
    # (in CSS pixels: WeasyPrint scales the page by 0.75, 96 px to the inch)
    assert widths and widths[0] * 25.4 / 96 == pytest.approx(
        style.read(ROOT / "styles" / "bloc-notes").geometry.column, abs=0.2)
    [image] = [xobject.get_object() for xobject in page["/Resources"]["/XObject"].values()
               if xobject.get_object()["/Subtype"] == "/Image"]
    assert image["/Interpolate"].value is False  # PDF/X: the RIP does not smooth images
    assert image["/ColorSpace"] == "/DeviceRGB"  # defined as sRGB by the page's DefaultRGB
    assert page["/Resources"]["/ColorSpace"]["/DefaultRGB"][0] == "/ICCBased"


def test_a_turned_photo_is_measured_as_it_prints(tmp_path):
    """A 1200 x 600 photo whose EXIF says 'turn it' prints 600 pixels across a column."""
    from blocnotes.pipeline import check

    settings = _image_source(tmp_path, 1200)
    exif = Image.Exif()
    exif[lint.EXIF_ORIENTATION] = 6
    Image.new("RGB", (1200, 600), (120, 160, 200)).save(tmp_path / "photo.jpg", exif=exif)
    source = tmp_path / "photo.md"
    source.write_text(source.read_text(encoding="utf-8").replace("photo.png", "photo.jpg"),
                      encoding="utf-8")
    [outcome] = check([source], settings)
    assert [d.message for d in outcome.diagnostics if "dpi" in d.message], outcome.diagnostics


def test_the_screen_pdf_has_the_band_at_the_top_of_page_1_only(seed_built, tmp_path):
    """A thin band along the top edge of page 1, and paper everywhere else around the text."""
    pdftoppm = shutil.which("pdftoppm")
    assert pdftoppm, "pdftoppm is missing: `make test` installs poppler-utils"
    dpi = 100
    subprocess.run([pdftoppm, "-r", str(dpi), "-f", "1", "-l", "2", "-png", str(seed_built.pdf),
                    str(tmp_path / "page")], check=True)
    first, second = (Image.open(path).convert("RGB") for path in sorted(tmp_path.glob("page*")))

    def at(image: Image.Image, x_mm: float, y_mm: float) -> tuple[int, int, int]:
        return image.getpixel((round(x_mm * dpi / 25.4), round(y_mm * dpi / 25.4)))

    assert at(first, 105, 1.5) == (0, 91, 112)  # the band, in the house petrol
    for x_mm, y_mm in [(105, 6), (5, 150), (205, 150), (105, 295)]:  # margins: paper
        assert at(first, x_mm, y_mm) == (255, 255, 255), (x_mm, y_mm)
    assert at(second, 105, 1.5) == (255, 255, 255)  # running pages have no band


def test_only_check_and_the_print_build_look_at_dpi(tmp_path):
    """A photo fine on screen does not stop a screen build, even with --strict."""
    settings = _image_source(tmp_path, 800)
    strict = Settings(out=settings.out, styles=settings.styles, strict=True, environ={})
    [outcome] = build([tmp_path / "photo.md"], ("epub",), strict)
    assert outcome.error is None, outcome.error
    [outcome] = build([tmp_path / "photo.md"], ("press",), settings)
    assert any("dpi" in d.message for d in outcome.diagnostics)
