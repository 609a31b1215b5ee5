"""The PDF's XMP metadata: what WeasyPrint does not write itself (rights, language, subjects,
publisher, the series and the issue's number), and one packet made of WeasyPrint's and ours.

WeasyPrint writes an rdf:Description per property, and would add ours as a second rdf:RDF:
Adobe's XMP toolkit (Exempi, pikepdf) reads only the first rdf:RDF of a packet, so the
finished packet has one rdf:RDF holding one rdf:Description."""

from __future__ import annotations

from lxml import etree

from .model import Metadata

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
DC = "http://purl.org/dc/elements/1.1/"
XMP_RIGHTS = "http://ns.adobe.com/xap/1.0/rights/"
PRISM = "http://prismstandard.org/namespaces/basic/2.0/"  # magazines: publication, issue
CALIBRE = "http://calibre-ebook.com/xmp-namespace"  # Calibre's series, which it reads in PDFs
CALIBRE_SI = "http://calibre-ebook.com/xmp-namespace-series-index"
NSMAP = {"rdf": RDF, "dc": DC, "xmpRights": XMP_RIGHTS, "prism": PRISM, "calibre": CALIBRE,
         "calibreSI": CALIBRE_SI}
# WeasyPrint's, declared once at the top of the packet with their usual prefixes
WEASYPRINT = {"xmp": "http://ns.adobe.com/xap/1.0/", "xmpMM": "http://ns.adobe.com/xap/1.0/mm/",
              "pdf": "http://ns.adobe.com/pdf/1.3/", "pdfaid": "http://www.aiim.org/pdfa/ns/id/",
              "pdfuaid": "http://www.aiim.org/pdfua/ns/id/",
              "pdfxid": "http://www.npes.org/pdfx/ns/id/", "pdfx": "http://ns.adobe.com/pdfx/1.3/"}
ABOUT = f"{{{RDF}}}about"


def _alt(parent: etree._Element, name: str, text: str) -> None:
    alt = etree.SubElement(etree.SubElement(parent, name), f"{{{RDF}}}Alt")
    item = etree.SubElement(alt, f"{{{RDF}}}li")
    item.set("{http://www.w3.org/XML/1998/namespace}lang", "x-default")
    item.text = text


def _bag(parent: etree._Element, name: str, items: tuple[str, ...], kind: str = "Bag") -> None:
    container = etree.SubElement(etree.SubElement(parent, name), f"{{{RDF}}}{kind}")
    for text in items:
        etree.SubElement(container, f"{{{RDF}}}li").text = text


def xmp_rdf(meta: Metadata, shown: Metadata) -> bytes:
    """Metadata (`meta` as written, `shown` as typeset) -> an rdf:RDF block: the title and
    authors as shown (’, not '), one rdf:li each, dc:rights, dc:language, dc:subject,
    dc:publisher, and the series with the issue's number (PRISM, and Calibre's own)."""
    rdf = etree.Element(f"{{{RDF}}}RDF", nsmap=NSMAP)
    description = etree.SubElement(rdf, f"{{{RDF}}}Description")
    description.set(ABOUT, "")
    _alt(description, f"{{{DC}}}title", shown.title)
    if shown.authors:
        _bag(description, f"{{{DC}}}creator", shown.authors, "Seq")
    if meta.rights:
        _alt(description, f"{{{DC}}}rights", meta.rights)
        etree.SubElement(description, f"{{{XMP_RIGHTS}}}Marked").text = "True"
    _bag(description, f"{{{DC}}}language", (meta.lang,))
    if shown.keywords:
        _bag(description, f"{{{DC}}}subject", shown.keywords)
    if shown.publisher:
        _bag(description, f"{{{DC}}}publisher", (shown.publisher,))
    if shown.series:
        etree.SubElement(description, f"{{{PRISM}}}publicationName").text = shown.series
    if meta.number is not None:
        etree.SubElement(description, f"{{{PRISM}}}number").text = str(meta.number)
    if shown.series and meta.number is not None:
        series = etree.SubElement(description, f"{{{CALIBRE}}}series")
        series.set(f"{{{RDF}}}parseType", "Resource")
        etree.SubElement(series, f"{{{RDF}}}value").text = shown.series
        etree.SubElement(series, f"{{{CALIBRE_SI}}}series_index").text = f"{meta.number:.2f}"
    return etree.tostring(rdf, encoding="utf-8")


def one_packet(packet: bytes, ours: bytes) -> bytes:
    """WeasyPrint's XMP packet and our rdf:RDF block -> the same packet with one rdf:RDF and
    one rdf:Description holding every property; where both name one, ours (typeset) wins."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, remove_blank_text=True)
    root = etree.fromstring(packet, parser)
    blocks = root.findall(f"{{{RDF}}}RDF")
    if not blocks:
        raise ValueError("WeasyPrint's XMP packet has no rdf:RDF")
    merged = etree.Element(f"{{{RDF}}}Description", {ABOUT: ""}, nsmap=NSMAP)
    sources = [d for block in blocks for d in block.findall(f"{{{RDF}}}Description")]
    sources += etree.fromstring(ours, parser).findall(f"{{{RDF}}}Description")
    for description in sources:
        for name, value in description.attrib.items():
            if name != ABOUT:  # a simple property written as an attribute
                merged.set(name, value)
        for prop in description:
            for same in merged.findall(prop.tag):
                merged.remove(same)
            merged.append(prop)
    rdf = etree.Element(f"{{{RDF}}}RDF", nsmap={"rdf": RDF})
    rdf.append(merged)
    for block in blocks:
        root.remove(block)
    root.append(rdf)
    etree.cleanup_namespaces(root, top_nsmap={**NSMAP, **WEASYPRINT})
    return etree.tostring(root.getroottree(), encoding="utf-8", xml_declaration=False)
