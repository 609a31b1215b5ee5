"""Shared test helpers: text normalization, in-order word matching, EPUB reading."""

from __future__ import annotations

import re
import unicodedata
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

ROOT = Path(__file__).resolve().parent.parent
# The seed's reference text (what a reader must find in both outputs), kept in the repository so
# the suite passes on any clone.
SEED = ROOT / "tests" / "fixtures" / "seed-reference.txt"
SOURCE = ROOT / "source" / "smart-city-tour-mulhouse.md"
AGENCY = ROOT / "source" / "agency.yaml"
NS = {
    "opf": "http://www.idpf.org/2007/opf",
    "dc": "http://purl.org/dc/elements/1.1/",
    "x": "http://www.w3.org/1999/xhtml",
    "epub": "http://www.idpf.org/2007/ops",
    "ncx": "http://www.daisy.org/z3986/2005/ncx/",
    "c": "urn:oasis:names:tc:opendocument:xmlns:container",
}
COLOPHON = (
    "Le Bloc-Notes de l'Agence, édité et imprimé par :",
    "L'Agence d'Urbanisme de la Région Mulhousienne",
    "33 avenue de Colmar, 68 200 Mulhouse",
    "Rédaction : Pier-Mael Anezo",
    "Date : oct 2019",
    "Toute reproduction autorisée avec mention précise de la source et référence exacte",
)
NOTICE = COLOPHON[-1]


def pdf_text(reader) -> str:
    """The PDF's text without its running heads and footers, pages joined by a line end."""
    pages = []
    for page in reader.pages:
        lines = page.extract_text().split("\n")
        kept = [
            line for line in lines
            if not re.search(r"page \d+ / \d+$", line)
            and not re.fullmatch(r"LE BLOC-NOTES DE L.AGENCE Smart City Tour Mulhouse", line)
            and line.strip() != "•"
        ]
        pages.append("\n".join(kept))
    return "\n".join(pages)


def seed_text() -> str:
    """The seed, with its Markdown markup removed (what a reader must find)."""
    text = SEED.read_text(encoding="utf-8")
    text = re.sub(r"\]\([^)]*\)", "]", text)  # link targets are not words of the text
    return text


def words(text: str) -> list[str]:
    """Text -> lowercase words, with end-of-line hyphenation joined and punctuation dropped."""
    text = unicodedata.normalize("NFC", text)
    text = re.sub(r"[-\u2010\u00ad]\s*\n\s*", "", text)  # a hyphen at a line end joins
    text = text.replace("’", "'").lower()
    return re.findall(r"\w+", text)


def missing_in_order(expected: list[str], actual: list[str], window: int = 300) -> list[str]:
    """Words of `expected` not found in order in `actual`.

    The comparison runs on the letters alone, so a word the extractor glued to the next or
    split at a line end still counts. Each word must come within `window` letters of the
    previous one (running heads may sit between), so a dropped word is not found pages later.
    """
    stream = "".join(actual)
    missing, position = [], 0
    for word in expected:
        found = stream.find(word, position, position + window + len(word))
        if found < 0:
            missing.append(word)
        else:
            position = found + len(word)
    return missing


def epub_names(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as archive:
        return archive.namelist()


def epub_opf(path: Path) -> tuple[str, ET.Element]:
    """(OPF path inside the EPUB, its parsed root)."""
    with zipfile.ZipFile(path) as archive:
        container = ET.fromstring(archive.read("META-INF/container.xml"))
        rootfile = container.find(".//c:rootfile", NS)
        assert rootfile is not None
        opf_path = rootfile.get("full-path", "")
        return opf_path, ET.fromstring(archive.read(opf_path))


def epub_spine(path: Path) -> list[tuple[str, ET.Element]]:
    """The spine's XHTML documents, in reading order: (name inside the EPUB, parsed root)."""
    opf_path, opf = epub_opf(path)
    folder = opf_path.rsplit("/", 1)[0] + "/" if "/" in opf_path else ""
    manifest = {item.get("id"): item.get("href") for item in opf.find("opf:manifest", NS) or []}
    spine = opf.find("opf:spine", NS)
    assert spine is not None
    documents = []
    with zipfile.ZipFile(path) as archive:
        for itemref in spine:
            name = folder + str(manifest[itemref.get("idref")])
            documents.append((name, ET.fromstring(archive.read(name))))
    return documents


def epub_text(path: Path) -> str:
    """The text of the spine, in reading order, one block per line."""
    lines = []
    for _, root in epub_spine(path):
        body = root.find("x:body", NS)
        assert body is not None
        lines.append("".join(body.itertext()))
        lines.append("\n")
    return "".join(lines)


SCHEMAS = ROOT / "tests" / "schemas"


def schema_errors(data: bytes, schema: str) -> list[str]:
    """What tests/schemas/<schema>.rng (RELAX NG, validated by lxml) finds wrong in `data`."""
    from lxml import etree

    validator = etree.RelaxNG(etree.parse(str(SCHEMAS / f"{schema}.rng")))
    if validator.validate(etree.fromstring(data)):
        return []
    return [f"{error.line}: {error.message}" for error in validator.error_log]
