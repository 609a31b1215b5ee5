"""The EPUB: container, OPF metadata, spine, navigation, fonts, and EPUBCheck with no message."""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from xml.etree import ElementTree as ET

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
    # as typeset, as the pages and the feeds show them (’, not ')
    assert _dc(opf, "publisher") == ["L’Agence d’Urbanisme de la Région Mulhousienne"]
    assert _dc(opf, "date") == ["2020-09-29"]
    assert _dc(opf, "rights") == [NOTICE]
    assert _dc(opf, "subject") == [
        "Ville du Quart d’Heure", "Participation Citoyenne",
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


def _spaced(text: str) -> str:
    """Text with every run of spaces (no-break ones too: the tables of contents have none) as one."""
    return " ".join(text.split())


def _sections(epub) -> list[tuple[str, str]]:
    """(document name, h2 text) of each chapter of the spine, in reading order."""
    found = []
    for name, root in epub_spine(epub):
        heading = root.find("x:body/x:section/x:header/x:h2", NS)
        if heading is not None:
            found.append((name.rsplit("/", 1)[-1], _spaced("".join(heading.itertext()))))
    return found


def test_nav_and_ncx_list_the_sections(seed_built):
    """Both tables of contents (EPUB 3's nav, EPUB 2's NCX) list every chapter, in order,
    under its heading, and point at it."""
    _, opf = epub_opf(seed_built.epub)
    manifest = opf.find("opf:manifest", NS)
    assert manifest is not None
    nav = [item.get("href") for item in manifest if "nav" in (item.get("properties") or "")]
    ncx = [item.get("href") for item in manifest
           if item.get("media-type") == "application/x-dtbncx+xml"]
    assert len(nav) == 1 and len(ncx) == 1
    sections = _sections(seed_built.epub)
    assert len(sections) == 3
    with zipfile.ZipFile(seed_built.epub) as archive:
        nav_root = ET.fromstring(archive.read(f"EPUB/{nav[0]}"))
        ncx_root = ET.fromstring(archive.read(f"EPUB/{ncx[0]}"))
    toc = nav_root.find(".//x:nav[@id='toc']", NS)
    assert toc is not None
    nav_entries = [(a.get("href"), _spaced("".join(a.itertext())))
                   for a in toc.iterfind(".//x:a", NS)]
    ncx_entries = [(point.find("ncx:content", NS).get("src"),  # type: ignore[union-attr]
                    _spaced(point.findtext("ncx:navLabel/ncx:text", "", NS)))
                   for point in ncx_root.iterfind(".//ncx:navPoint", NS)]
    for entries in (nav_entries, ncx_entries):
        chapters = [entry for entry in entries if entry[0].startswith("chapitre-")]
        assert chapters == sections
    assert "Participation citoyenne" in sections[1][1] and "Capteurs, applications" in sections[2][1]


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
    """Every page links the book's stylesheet, and every font it declares is in the book."""
    _, opf = epub_opf(seed_built.epub)
    manifest = {item.get("href"): item.get("media-type") for item in opf.find("opf:manifest", NS) or []}
    with zipfile.ZipFile(seed_built.epub) as archive:
        names = set(archive.namelist())
        css_name = next(n for n in names if n.endswith("book.css"))
        css = archive.read(css_name).decode()
        for name, root in epub_spine(seed_built.epub):
            links = [link.get("href", "") for link in root.iterfind("x:head/x:link", NS)
                     if link.get("rel") == "stylesheet"]
            assert [posixpath.normpath(posixpath.join(posixpath.dirname(name), href))
                    for href in links] == [css_name], name
    assert "@font-face" in css and "BN Sans" in css and "BN Serif" in css
    urls = re.findall(r'src:\s*url\("([^"]+)"\)', css)
    assert len(urls) == css.count("@font-face") >= 4
    for url in urls:
        font = posixpath.normpath(posixpath.join(posixpath.dirname(css_name), url))
        assert font in names, url
        assert manifest[posixpath.relpath(font, "EPUB")] == "font/ttf", url


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


def test_every_author_is_a_creator_with_an_id_of_its_own(tmp_path):
    """Two authors once gave two dc:creator with id="creator": an EPUB EPUBCheck rejects."""
    source = tmp_path / "deux.md"
    source.write_text("---\ntitle: T\ndate: 2021-01-01\nauthor: [Anne Un, Bruno Deux, Chloé Trois]\n"
                      "---\n\n# A\n\nTexte.\n", encoding="utf-8")
    settings = Settings(out=tmp_path, styles=ROOT / "styles", environ={})
    assert build([source], ("epub",), settings)[0].error is None
    _, opf = epub_opf(tmp_path / "deux.epub")
    creators = list(opf.iterfind("opf:metadata/dc:creator", NS))
    assert [creator.text for creator in creators] == ["Anne Un", "Bruno Deux", "Chloé Trois"]
    ids = [creator.get("id") for creator in creators]
    assert len(set(ids)) == 3 and all(ids)


def test_every_font_of_the_epub_has_the_capitals_of_its_text(seed_built):
    """The style sets labels and the masthead in capitals (text-transform): a capital the text
    lacks would be drawn in the reader's own font."""
    from fontTools.ttLib import TTFont

    with zipfile.ZipFile(seed_built.epub) as archive:
        text = "".join(re.sub(r"<[^>]+>", "", archive.read(name).decode("utf-8"))
                       for name in archive.namelist() if name.endswith(".xhtml"))
        fonts = [name for name in archive.namelist() if name.endswith(".ttf")]
        capitals = {char for char in text.upper() if char.isalpha() and char.isupper()}
        assert "B" in capitals and fonts
        for name in fonts:
            covered = set(map(chr, TTFont(io.BytesIO(archive.read(name))).getBestCmap()))
            if "a" in covered:  # a text face (not the monospace, cut to the code's letters)
                assert capitals - covered == set(), name


def test_a_page_that_begins_with_a_table_s_caption_is_marked_before_its_figure():
    """A figure's caption is its first or last child (EPUBCheck: "element div not allowed
    here" after a marker put before the caption): a page that begins with a table's caption
    is marked before the figure that holds it."""
    from lxml import etree

    from blocnotes.epub import Chapter, mark_pages
    from blocnotes.model import PageStart
    from blocnotes.render import XHTML

    body = etree.fromstring(
        f'<div xmlns="{XHTML}"><p data-bn="1">Avant.</p><figure class="table-wrap">'
        '<figcaption data-bn="2">Population</figcaption><div><table><tr><td>1</td></tr>'
        '</table></div><p data-bn="3">Source : INSEE</p></figure></div>')
    marks = mark_pages([Chapter("c.xhtml", "C", "chapter", body)],
                       [PageStart(2, "2", "Population")])
    assert marks == [(2, "c.xhtml#page-2")]
    figure = body.find(f"{{{XHTML}}}figure")
    assert figure[0].tag == f"{{{XHTML}}}figcaption"
    marker = figure.getprevious()
    assert marker.get("id") == "page-2" and marker.tag == f"{{{XHTML}}}span"
