"""XMP metadata for the PDF that WeasyPrint does not write itself: rights, language, subjects."""

from __future__ import annotations

from xml.etree.ElementTree import Element, SubElement, register_namespace, tostring

from .model import Metadata

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
DC = "http://purl.org/dc/elements/1.1/"
XMP_RIGHTS = "http://ns.adobe.com/xap/1.0/rights/"
register_namespace("rdf", RDF)
register_namespace("dc", DC)
register_namespace("xmpRights", XMP_RIGHTS)


def _alt(parent: Element, name: str, text: str) -> None:
    alt = SubElement(SubElement(parent, name), f"{{{RDF}}}Alt")
    item = SubElement(alt, f"{{{RDF}}}li")
    item.set("xml:lang", "x-default")
    item.text = text


def xmp_rdf(meta: Metadata) -> bytes:
    """Metadata -> an rdf:RDF block: dc:rights, dc:language, dc:subject, dc:publisher."""
    rdf = Element(f"{{{RDF}}}RDF")
    description = SubElement(rdf, f"{{{RDF}}}Description")
    description.set(f"{{{RDF}}}about", "")
    if meta.rights:
        _alt(description, f"{{{DC}}}rights", meta.rights)
        SubElement(description, f"{{{XMP_RIGHTS}}}Marked").text = "True"
    language = SubElement(SubElement(description, f"{{{DC}}}language"), f"{{{RDF}}}Bag")
    SubElement(language, f"{{{RDF}}}li").text = meta.lang
    if meta.keywords:
        subjects = SubElement(SubElement(description, f"{{{DC}}}subject"), f"{{{RDF}}}Bag")
        for keyword in meta.keywords:
            SubElement(subjects, f"{{{RDF}}}li").text = keyword
    if meta.publisher:
        publishers = SubElement(SubElement(description, f"{{{DC}}}publisher"), f"{{{RDF}}}Bag")
        SubElement(publishers, f"{{{RDF}}}li").text = meta.publisher
    return tostring(rdf, encoding="utf-8", xml_declaration=False)
