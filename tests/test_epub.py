"""The EPUB: container, OPF metadata, spine, navigation, fonts, and EPUBCheck with no message."""

from __future__ import annotations

import io
import zipfile

from blocnotes.pipeline import Settings, build
from helpers import NOTICE, NS, ROOT, SOURCE, epub_opf, epub_spine


def test_mimetype_first_and_stored(seed_built):
    with zipfile.ZipFile(seed_built.epub) as archive:
        first = archive.infolist()[0]
        assert first.filename == "mimetype"
        assert first.compress_type == zipfile.ZIP_STORED
        assert archive.read("mimetype") == b"application/epub+zip"


def test_epubcheck_reports_nothing(seed_epubcheck):
    messages = [
        f"{m['ID']} {m['severity']}: {m['message']}"
        for m in seed_epubcheck["messages"]
        if m["severity"] in ("FATAL", "ERROR", "WARNING")
    ]
    assert messages == []
    assert seed_epubcheck["checker"]["nError"] == 0
    assert seed_epubcheck["checker"]["nWarning"] == 0
    assert seed_epubcheck["checker"]["nFatal"] == 0


def _dc(opf, name: str) -> list[str]:
    return [el.text or "" for el in opf.iterfind(f"opf:metadata/dc:{name}", NS)]


def test_opf_metadata(seed_built):
    _, opf = epub_opf(seed_built.epub)
    assert _dc(opf, "title") == ["Smart City Tour Mulhouse"]
    assert _dc(opf, "language") == ["fr"]
    assert _dc(opf, "creator") == ["Pier-Mael Anezo"]
    assert _dc(opf, "publisher") == ["L'Agence d'Urbanisme de la Région Mulhousienne"]
    assert _dc(opf, "date") == ["2020-09-29"]
    assert _dc(opf, "rights") == [NOTICE]
    assert _dc(opf, "subject") == [
        "Ville du Quart d'Heure", "Participation Citoyenne",
        "Sécurité des données des collectivités",
    ]
    modified = opf.find("opf:metadata/opf:meta[@property='dcterms:modified']", NS)
    assert modified is not None and modified.text == "2020-09-29T00:00:00Z"


def test_identifier_is_stable(seed_built, tmp_path):
    _, opf = epub_opf(seed_built.epub)
    first = _dc(opf, "identifier")
    settings = Settings(out=tmp_path, styles=ROOT / "styles",
                        agency_fallback=ROOT / "source/agency.yaml", environ={})
    build([SOURCE], ("epub",), settings)
    _, again = epub_opf(tmp_path / "smart-city-tour-mulhouse.epub")
    assert first == _dc(again, "identifier")
    assert first[0].startswith("urn:uuid:")


def test_spine_title_sections_then_colophon(seed_built):
    spine = epub_spine(seed_built.epub)
    types = []
    for _, root in spine:
        section = root.find("x:body/x:section", NS)
        assert section is not None
        types.append(section.get(f"{{{NS['epub']}}}type"))
        assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == "fr"
    assert types == ["cover", "titlepage", "chapter", "chapter", "chapter", "colophon"]
    colophon_text = "".join(spine[-1][1].itertext())
    assert NOTICE in colophon_text


def test_nav_and_ncx_list_the_sections(seed_built):
    _, opf = epub_opf(seed_built.epub)
    manifest = opf.find("opf:manifest", NS)
    assert manifest is not None
    properties = {item.get("properties") for item in manifest}
    media = {item.get("media-type") for item in manifest}
    assert "nav" in properties
    assert "application/x-dtbncx+xml" in media
    fonts = [item for item in manifest if item.get("media-type") == "font/ttf"]
    assert len(fonts) >= 4
    with zipfile.ZipFile(seed_built.epub) as archive:
        nav = next(n for n in archive.namelist() if n.endswith("nav.xhtml"))
        text = archive.read(nav).decode()
    assert "Participation citoyenne" in text and "Capteurs, applications" in text


def test_fonts_are_truetype_subsets(seed_built):
    """TrueType, which every e-reader reads (many read no WOFF2), cut to the text's characters."""
    from fontTools.ttLib import TTFont

    with zipfile.ZipFile(seed_built.epub) as archive:
        fonts = [n for n in archive.namelist() if n.endswith(".ttf")]
        assert len(fonts) >= 4
        for name in fonts:
            data = archive.read(name)
            assert data[:4] == b"\x00\x01\x00\x00"  # a TrueType font
            font = TTFont(io.BytesIO(data))
            assert 40 < len(font.getGlyphOrder()) < 300  # the text's characters, not thousands


def test_stylesheet_and_fonts_are_linked(seed_built):
    with zipfile.ZipFile(seed_built.epub) as archive:
        css = next(n for n in archive.namelist() if n.endswith("book.css"))
        text = archive.read(css).decode()
    assert "@font-face" in text and "BN Sans" in text


def test_cover_image(seed_built):
    import io

    from PIL import Image

    _, opf = epub_opf(seed_built.epub)
    covers = [item for item in opf.find("opf:manifest", NS) or []
              if "cover-image" in (item.get("properties") or "")]
    assert len(covers) == 1 and covers[0].get("media-type") == "image/png"
    with zipfile.ZipFile(seed_built.epub) as archive:
        image = Image.open(io.BytesIO(archive.read("EPUB/" + covers[0].get("href", ""))))
        page = archive.read("EPUB/couverture.xhtml").decode("utf-8")
    assert image.size == (1200, 1697)
    assert 'alt="Couverture\u00a0: Le Bloc-Notes de l’Agence – Smart City Tour Mulhouse' in page
