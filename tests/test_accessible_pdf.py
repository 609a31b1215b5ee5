"""PDF/UA-1: tagged structure, language, title shown, XMP metadata; PDF/A on demand."""

from __future__ import annotations

import re

import pypdf

from blocnotes.pipeline import Settings, build
from helpers import NOTICE, ROOT, SOURCE


def _structure_types(node, found: list[str]) -> list[str]:
    node = node.get_object()
    if isinstance(node, pypdf.generic.DictionaryObject):
        if "/S" in node:
            found.append(str(node["/S"]))
        kids = node.get("/K")
        if kids is not None:
            kids = kids.get_object()
            for kid in kids if isinstance(kids, pypdf.generic.ArrayObject) else [kids]:
                _structure_types(kid, found)
    return found


def test_tagged_with_a_structure_tree(seed_pdf):
    root = seed_pdf.trailer["/Root"]
    assert str(root["/MarkInfo"]["/Marked"]).lower() == "true"
    types = _structure_types(root["/StructTreeRoot"], [])
    assert "/H1" in types and types.count("/H2") >= 3
    assert "/P" in types and "/L" in types and "/LI" in types and "/Link" in types


def test_language_and_title_display(seed_pdf):
    root = seed_pdf.trailer["/Root"]
    assert root["/Lang"] == "fr"
    assert str(root["/ViewerPreferences"]["/DisplayDocTitle"]).lower() == "true"


def test_xmp_metadata(seed_pdf):
    xmp = seed_pdf.trailer["/Root"]["/Metadata"].get_object().get_data().decode("utf-8")
    assert "pdfuaid:part=\"1\"" in xmp or "<pdfuaid:part>1</pdfuaid:part>" in xmp
    rights = re.search(r"<dc:rights>.*?<rdf:li[^>]*>(.*?)</rdf:li>", xmp, re.S)
    assert rights and rights.group(1) == NOTICE
    assert re.search(r"<dc:language>.*?<rdf:li>fr</rdf:li>", xmp, re.S)
    subjects = re.search(r"<dc:subject>(.*?)</dc:subject>", xmp, re.S)
    assert subjects and "Participation Citoyenne" in subjects.group(1)
    assert "<dc:creator>" in xmp and "Pier-Mael Anezo" in xmp


def test_archival_pdf_a_variant(tmp_path):
    settings = Settings(out=tmp_path, styles=ROOT / "styles",
                        agency_fallback=ROOT / "source/agency.yaml", environ={},
                        pdf_variant="pdf/a-3u")
    outcome = build([SOURCE], ("pdf",), settings)[0]
    assert outcome.error is None, outcome.error
    reader = pypdf.PdfReader(tmp_path / "smart-city-tour-mulhouse.pdf")
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode("utf-8")
    assert re.search(r'pdfaid:part="3"|<pdfaid:part>3</pdfaid:part>', xmp)
    assert "/OutputIntents" in reader.trailer["/Root"]
    assert reader.trailer["/Root"]["/Lang"] == "fr"
    assert NOTICE in xmp
