"""The PDF: A4 pages, embedded house fonts, metadata from the document, bookmarks, links."""

from __future__ import annotations

import pypdf
import pytest

from blocnotes.pipeline import Settings, build
from helpers import NOTICE, ROOT

A4 = (595.28, 841.89)


def test_every_page_is_a4(seed_pdf):
    assert len(seed_pdf.pages) >= 2
    for page in seed_pdf.pages:
        box = page.mediabox
        assert float(box.width) == pytest.approx(A4[0], abs=0.05)
        assert float(box.height) == pytest.approx(A4[1], abs=0.05)


def _fonts(reader: pypdf.PdfReader) -> dict[str, pypdf.generic.DictionaryObject]:
    found = {}
    for page in reader.pages:
        resources = page["/Resources"].get_object()
        for font in resources.get("/Font", {}).values():
            font = font.get_object()
            found[str(font["/BaseFont"])] = font
    return found


def test_only_house_fonts_all_embedded(seed_pdf):
    fonts = _fonts(seed_pdf)
    assert fonts
    for name, font in fonts.items():
        assert "BN-Sans" in name or "BN-Serif" in name, name
        descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
        assert any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")), name


def test_metadata_from_the_document(seed_pdf):
    info = seed_pdf.metadata
    assert info.title == "Smart City Tour Mulhouse"
    assert info.author == "Pier-Mael Anezo"
    assert "Mardi 29 septembre 2020" in " ".join(info.subject.split())  # no-break spaces
    assert info["/Keywords"] == (  # as typeset, as the keyword panel shows them
        "Ville du Quart d’Heure, Participation Citoyenne, Sécurité des données des collectivités"
    )
    assert info["/CreationDate"].startswith("D:20200929")
    assert info["/rights"] == NOTICE


def test_language_is_french(seed_pdf):
    assert seed_pdf.trailer["/Root"]["/Lang"] == "fr"


def _titles(outline: list) -> list[str]:
    titles: list[str] = []
    for item in outline:
        titles += _titles(item) if isinstance(item, list) else [item.title]
    return titles


def test_bookmarks_follow_the_sections(seed_pdf):
    titles = _titles(seed_pdf.outline)
    assert titles[0] == "Smart City Tour Mulhouse"
    assert any(title.startswith("Mobilité, logistique") for title in titles)
    assert any(title.startswith("Participation citoyenne") for title in titles)
    assert any(title.startswith("Capteurs, applications") for title in titles)
    assert "Mots-clés" not in titles and "Bloc-Notes" not in titles


def _link_annotations(reader: pypdf.PdfReader) -> list:
    return [annotation.get_object() for page in reader.pages
            for annotation in page.get("/Annots", []) if annotation.get_object()["/Subtype"] == "/Link"]


def _pdf_of(folder, body: str) -> pypdf.PdfReader:
    """The PDF of a one-section document whose section is `body`."""
    source = folder / "liens.md"
    source.write_text(f"---\ntitle: Liens\ndate: 2021-01-01\n---\n\n# Une partie\n\n{body}\n",
                      encoding="utf-8")
    settings = Settings(out=folder, styles=ROOT / "styles", environ={})
    assert build([source], ("pdf",), settings)[0].error is None
    return pypdf.PdfReader(folder / "liens.pdf")


def test_links_are_live(tmp_path):
    links = _link_annotations(
        _pdf_of(tmp_path, "Voir [le site](https://www.aurm.org/) et [plus haut](#une-partie)."))
    uris = [link["/A"]["/URI"] for link in links if "/A" in link and "/URI" in link["/A"]]
    internal = [link for link in links if "/Dest" in link or link.get("/A", {}).get("/S") == "/GoTo"]
    assert uris == ["https://www.aurm.org/"]
    assert len(internal) == 1


def test_placeholder_links_lead_nowhere_on_paper(seed_pdf, tmp_path):
    """'#' links stay in the text but make no link to the build folder, however written."""
    for link in _link_annotations(seed_pdf):
        assert "file:" not in str(link.get("/A", {}).get("/URI", ""))
    body = '[plus tard](#) et <a title="bientôt" href="#">en HTML</a>.'
    assert _link_annotations(_pdf_of(tmp_path, body)) == []


def test_running_footer_has_page_n_of_total(seed_pdf):
    total = len(seed_pdf.pages)
    for number, page in enumerate(seed_pdf.pages, start=1):
        assert f"page {number} / {total}" in page.extract_text()


def test_the_fallback_font_is_declared_only_when_a_character_needs_it(tmp_path):
    """Noto Sans sets what the house fonts lack (here the bitcoin sign); a document that
    needs none of it does not pay WeasyPrint's cost of loading it."""
    fonts = _fonts(_pdf_of(tmp_path, "Le signe ₿ n'est pas dans Source Sans."))
    assert any("BN-Fallback" in name or "Noto" in name for name in fonts), fonts
    html = tmp_path / "html"
    settings = Settings(out=html, styles=ROOT / "styles", environ={})
    source = tmp_path / "liens.md"
    source.write_text("---\ntitle: Liens\ndate: 2021-01-01\n---\n\n# Une partie\n\nTexte.\n",
                      encoding="utf-8")
    assert build([source], ("html",), settings)[0].error is None
    assert 'font-family: "BN Fallback"' not in (html / "liens.html").read_text(encoding="utf-8")
