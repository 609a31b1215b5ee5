"""EPUB Accessibility 1.1 metadata, package language, and print page numbers taken from the
PDF's own layout: one marker per PDF page, where that page begins."""

from __future__ import annotations

import re
import zipfile

from helpers import NS, epub_opf, words

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def _meta(opf, prop: str) -> list[str]:
    return [m.text or "" for m in opf.iterfind(f"opf:metadata/opf:meta[@property='{prop}']", NS)]


def test_package_has_xml_lang(seed_built):
    _, opf = epub_opf(seed_built.epub)
    assert opf.get(XML_LANG) == "fr"


def test_accessibility_metadata(seed_built):
    _, opf = epub_opf(seed_built.epub)
    assert _meta(opf, "schema:accessMode") == ["textual", "visual"]  # text, and the cover
    assert _meta(opf, "schema:accessModeSufficient") == ["textual"]
    features = set(_meta(opf, "schema:accessibilityFeature"))
    assert {"structuralNavigation", "tableOfContents", "readingOrder", "printPageNumbers",
            "alternativeText"} <= features
    assert _meta(opf, "schema:accessibilityHazard") == ["none"]
    summary = _meta(opf, "schema:accessibilitySummary")
    assert len(summary) == 1 and "Publication structurée" in summary[0]
    assert _meta(opf, "dcterms:conformsTo") == ["EPUB Accessibility 1.1 - WCAG 2.1 Level AA"]
    source = [el.text for el in opf.iterfind("opf:metadata/dc:source", NS)]
    assert source and "édition imprimée" in source[0]


def _nav(epub) -> str:
    with zipfile.ZipFile(epub) as archive:
        return archive.read("EPUB/nav.xhtml").decode("utf-8")


def test_nav_roles(seed_built):
    nav = _nav(seed_built.epub)
    assert re.search(r'<nav[^>]*epub:type="toc"[^>]*role="doc-toc"', nav)
    assert re.search(r'<nav[^>]*epub:type="page-list"[^>]*role="doc-pagelist"', nav)


def test_one_page_marker_per_pdf_page(seed_built, seed_pdf):
    nav = _nav(seed_built.epub)
    page_list = nav.split('epub:type="page-list"', 1)[1]
    entries = re.findall(r'<a href="([^"]+)">(\d+)</a>', page_list)
    assert [int(number) for _, number in entries] == list(range(1, len(seed_pdf.pages) + 1))
    with zipfile.ZipFile(seed_built.epub) as archive:
        for href, number in entries:
            name, anchor = href.split("#")
            text = archive.read(f"EPUB/{name}").decode("utf-8")
            assert re.search(rf'<span epub:type="pagebreak" role="doc-pagebreak" '
                             rf'id="{anchor}" aria-label="{number}"/>', text)


def _after_marker(xhtml: str, anchor: str) -> list[str]:
    tail = xhtml.split(f'id="{anchor}"', 1)[1].split("/>", 1)[1]
    return words(re.sub(r"<[^>]+>", " ", tail))[:6]


def test_markers_sit_where_the_pdf_pages_begin(seed_built, seed_pdf):
    nav = _nav(seed_built.epub)
    entries = re.findall(r'<a href="([^"]+)">(\d+)</a>', nav.split('epub:type="page-list"')[1])
    with zipfile.ZipFile(seed_built.epub) as archive:
        for href, number in entries:
            name, anchor = href.split("#")
            after = _after_marker(archive.read(f"EPUB/{name}").decode("utf-8"), anchor)
            page_words = words(seed_pdf.pages[int(number) - 1].extract_text())
            first = page_words[0]
            # A page may begin inside a word hyphenated at the foot of the previous page
            # ("pié-" / "tons"): the marker then stands before the whole word.
            if after[0] != first and after[0].endswith(first):
                after[0] = first
            stream = " ".join(page_words)
            assert " ".join(after[:4]) in stream[:400], (number, after, page_words[:12])
