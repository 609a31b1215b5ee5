"""The Atom feed and the OPDS 1.2 catalog: valid against their schemas (RFC 4287's, OPDS 1.2's),
each Bloc-Notes with its PDF and EPUB to download, its cover and its keywords; the same bytes at
every build. The hand-out that writes them is tested in test_dist.py."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from lxml import etree

from blocnotes import feeds, frontmatter, load, typeset
from blocnotes.epub import identifier
from blocnotes.errors import BlocNotesError
from helpers import AGENCY, SOURCE, schema_errors

NS = {"a": feeds.ATOM, "dc": feeds.DC, "media": feeds.MEDIA, "x": feeds.XHTML, "fh": feeds.FH}
ATELIER = """---
title: Atelier mobilité douce
date: 2021-03-12
keywords: [Vélo, Marche]
abstract: Un atelier sur les **pistes cyclables** ([programme](https://example.org/p), [plan](#plan)).
---

# Le débat

Texte du débat.
"""
WORKSHOP = """---
title: Cycling workshop
date: 2020-11-02
lang: en
rights: CC BY 4.0
---

# The debate

Text.
"""


def _document(text: str, name: str, agency: str | None = None):
    defaults = frontmatter.read_defaults(agency or AGENCY.read_text(encoding="utf-8"), AGENCY)
    return typeset.typeset(load.parse(text, Path(name), defaults, AGENCY))


def _published(document, size: int = 1000) -> feeds.Published:
    name = f"{document.meta.date.isoformat()}-{document.slug}"
    return feeds.Published(
        document, files=(feeds.File(f"{name}.pdf", "application/pdf", size * 3, "PDF"),
                         feeds.File(f"{name}.epub", "application/epub+zip", size * 2, "EPUB")),
        thumbnail=feeds.File(f"{name}.png", "image/png", size),
        thumbnail_px=(300, 424), anchor=name)


@pytest.fixture(scope="module")
def series() -> list[feeds.Published]:
    return [_published(_document(SOURCE.read_text(encoding="utf-8"), SOURCE.name)),
            _published(_document(ATELIER, "atelier.md")),
            _published(_document(WORKSHOP, "workshop.md"))]


def _root(data: bytes) -> etree._Element:
    return etree.fromstring(data)


def test_feed_is_valid_atom(series):
    assert schema_errors(feeds.atom_feed(series, "index.html"), "atom") == []


def test_catalog_is_valid_opds_and_atom(series):
    data = feeds.opds_catalog(series, "index.html")
    assert schema_errors(data, "opds") == []
    assert schema_errors(data, "atom") == []


@pytest.mark.parametrize("schema", ["atom", "opds"])
def test_schemas_reject_what_the_specifications_forbid(series, schema):
    """The validation has teeth: an entry without its id, a date without its time."""
    root = _root(feeds.opds_catalog(series, "index.html"))
    entry = root.find("a:entry", NS)
    entry.remove(entry.find("a:id", NS))
    assert schema_errors(etree.tostring(root), schema)
    root = _root(feeds.atom_feed(series, "index.html"))
    root.find("a:updated", NS).text = "2021-03-12"
    assert schema_errors(etree.tostring(root), schema)


def test_opds_schema_rejects_html_summaries_and_unescaped_addresses(series):
    root = _root(feeds.opds_catalog(series, "index.html"))
    root.find("a:entry/a:summary", NS).set("type", "html")
    assert schema_errors(etree.tostring(root), "opds")
    assert not schema_errors(etree.tostring(root), "atom")  # Atom allows it; OPDS does not
    root = _root(feeds.opds_catalog(series, "index.html"))
    root.find("a:entry/a:link", NS).set("href", "mon fichier.epub")
    assert schema_errors(etree.tostring(root), "opds")


def test_catalog_entries_newest_first_with_acquisitions_cover_and_keywords(series):
    root = _root(feeds.opds_catalog(series, "index.html"))
    assert root.find("a:title", NS).text == "Le Bloc-Notes de l’Agence"
    kind = "application/atom+xml;profile=opds-catalog;kind=acquisition"
    assert {(link.get("rel"), link.get("type")) for link in root.findall("a:link", NS)} >= {
        ("self", kind), ("start", kind)}
    assert root.find("fh:complete", NS) is not None
    entries = root.findall("a:entry", NS)
    assert [e.findtext("a:title", namespaces=NS) for e in entries] == [
        "Atelier mobilité douce", "Cycling workshop", "Smart City Tour Mulhouse"]
    by_title = {item.document.meta.title: item for item in series}
    for entry in entries:
        item = by_title[entry.findtext("a:title", namespaces=NS)]
        acquisitions = entry.xpath("a:link[starts-with(@rel, 'http://opds-spec.org/acquisition')]",
                                   namespaces=NS)
        assert [(a.get("href"), a.get("type"), a.get("length")) for a in acquisitions] == [
            (item.files[1].name, "application/epub+zip", str(item.files[1].size)),
            (item.files[0].name, "application/pdf", str(item.files[0].size))]
        for rel in ("http://opds-spec.org/image", "http://opds-spec.org/image/thumbnail"):
            image = entry.find(f"a:link[@rel='{rel}']", NS)
            assert (image.get("href"), image.get("type")) == (item.thumbnail.name, "image/png")
        terms = [c.get("term") for c in entry.findall("a:category", NS)]
        assert terms == list(item.document.display.keywords)
        assert entry.findtext("dc:identifier", namespaces=NS) == identifier(item.document)
        assert entry.findtext("dc:issued", namespaces=NS) == item.document.meta.date.isoformat()
        assert entry.findtext("dc:language", namespaces=NS) == item.document.meta.lang
    seed = entries[2]
    first = seed.find("a:category", NS)
    assert first.get("term") == first.get("label") == "Ville du Quart d’Heure"
    assert seed.findtext("a:author/a:name", namespaces=NS) == "Pier-Mael Anezo"
    assert seed.findtext("a:summary", namespaces=NS).startswith(
        "La manifestation était organisée par le Smart City Mag")


def test_feed_encloses_both_files_and_shows_the_cover(series):
    root = _root(feeds.atom_feed(series, "index.html"))
    assert root.find("a:link[@rel='self']", NS).get("type") == "application/atom+xml"
    entry = root.find("a:entry", NS)  # the newest: the workshop of 2021
    item = series[1]
    assert entry.find("a:link[@rel='alternate']", NS).get("href") == f"index.html#{item.anchor}"
    enclosures = entry.findall("a:link[@rel='enclosure']", NS)
    assert [(e.get("href"), e.get("type"), e.get("length")) for e in enclosures] == [
        (item.files[0].name, "application/pdf", str(item.files[0].size)),
        (item.files[1].name, "application/epub+zip", str(item.files[1].size))]
    thumbnail = entry.find("media:thumbnail", NS)
    assert (thumbnail.get("url"), thumbnail.get("width")) == (item.thumbnail.name, "300")
    assert [c.get("term") for c in entry.findall("a:category", NS)] == ["Vélo", "Marche"]
    content = entry.find("a:content/x:div", NS)
    assert content.find(".//x:img", NS).get("src") == item.thumbnail.name
    assert content.find(".//x:strong", NS).text == "pistes cyclables"
    # a link to the document's own heading leads nowhere from a feed: only its text is kept
    assert content.xpath(".//x:a/@href", namespaces=NS) == [
        item.files[0].name, "https://example.org/p", item.files[0].name, item.files[1].name]
    assert "plan" in "".join(content.itertext())


def test_entry_in_another_language_says_so(series):
    root = _root(feeds.opds_catalog(series, "index.html"))
    assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == "fr"
    langs = [e.get("{http://www.w3.org/XML/1998/namespace}lang") for e in root.findall("a:entry", NS)]
    assert langs == [None, "en", None]
    workshop = root.findall("a:entry", NS)[1]
    assert workshop.findtext("a:rights", namespaces=NS) == "CC BY 4.0"  # not the series' notice
    assert root.findall("a:entry", NS)[0].find("a:rights", NS) is None


def test_relative_links_without_a_site_url(series):
    for data in (feeds.atom_feed(series, "index.html"), feeds.opds_catalog(series, "index.html")):
        root = _root(data)
        hrefs = root.xpath("//a:link/@href | //media:thumbnail/@url | //x:a/@href | //x:img/@src",
                           namespaces=NS)
        local = [h for h in hrefs if not h.startswith("https://example.org/")]
        assert local and all("://" not in h and not h.startswith("/") for h in local)


def test_absolute_links_with_a_site_url():
    agency = AGENCY.read_text(encoding="utf-8") + "site-url: https://www.example.org/bloc-notes\n"
    item = _published(_document(ATELIER, "atelier.md", agency))
    assert item.document.meta.site_url == "https://www.example.org/bloc-notes/"
    base = "https://www.example.org/bloc-notes/"
    for data, schema in ((feeds.atom_feed([item], "index.html"), "atom"),
                         (feeds.opds_catalog([item], "index.html"), "opds")):
        assert schema_errors(data, schema) == []
        root = _root(data)
        hrefs = root.xpath("//a:link/@href | //media:thumbnail/@url | //x:img/@src", namespaces=NS)
        assert hrefs and all(h.startswith(base) for h in hrefs)
        assert root.find("a:link[@rel='self']", NS).get("href") in (
            base + "feed.atom", base + "opds.atom")
        assert root.findtext("a:author/a:uri", namespaces=NS) == base
    assert f"{base}{item.files[0].name}" in feeds.opds_catalog([item], "index.html").decode()


@pytest.mark.parametrize("value", ["www.example.org/bloc-notes", "ftp://example.org/",
                                   "https://example.org/a b/", "https://example.org/?page=1"])
def test_a_site_url_that_is_not_a_web_address_is_a_user_error(value):
    agency = AGENCY.read_text(encoding="utf-8") + f"site-url: '{value}'\n"
    line = agency.count("\n")
    with pytest.raises(BlocNotesError) as caught:
        _document(ATELIER, "atelier.md", agency)
    assert caught.value.path == AGENCY and caught.value.line == line
    assert "'site-url' is not a web address" in str(caught.value)


def test_same_bytes_whatever_the_order_and_the_day(series):
    """Dates come from the documents, ids are derived from them: nothing from the clock."""
    for make in (feeds.atom_feed, feeds.opds_catalog):
        data = make(series, "index.html")
        assert make(list(reversed(series)), "index.html") == data
        root = _root(data)
        assert root.findtext("a:updated", namespaces=NS) == "2021-03-12T00:00:00Z"
        assert [e.findtext("a:updated", namespaces=NS) for e in root.findall("a:entry", NS)] == [
            "2021-03-12T00:00:00Z", "2020-11-02T00:00:00Z", "2020-09-29T00:00:00Z"]


def test_ids_are_derived_from_the_documents(series):
    feed, catalog = (_root(make(series, "index.html"))
                     for make in (feeds.atom_feed, feeds.opds_catalog))
    assert feed.findtext("a:id", namespaces=NS) != catalog.findtext("a:id", namespaces=NS)
    entry_ids = [e.findtext("a:id", namespaces=NS) for e in catalog.findall("a:entry", NS)]
    assert len(set(entry_ids)) == 3 and all(i.startswith("urn:uuid:") for i in entry_ids)
    assert entry_ids == [e.findtext("a:id", namespaces=NS) for e in feed.findall("a:entry", NS)]
    # an entry is not the publication it describes (OPDS 1.2, 5.1): its own id
    assert not set(entry_ids) & {identifier(item.document) for item in series}
    renamed = dataclasses.replace(series[0], document=dataclasses.replace(
        series[0].document, meta=dataclasses.replace(series[0].document.meta, title="Autre")))
    changed = _root(feeds.opds_catalog([renamed, *series[1:]], "index.html"))
    assert [e.findtext("a:id", namespaces=NS) for e in changed.findall("a:entry", NS)] != entry_ids


def test_no_bloc_notes_yet_is_still_a_valid_feed():
    for make, schema in ((feeds.atom_feed, "atom"), (feeds.opds_catalog, "opds")):
        data = make([], "index.html")
        assert schema_errors(data, schema) == []
        assert _root(data).find("a:entry", NS) is None


@pytest.mark.parametrize("typed", ["url", "site", "site_url", "Adresse du site"])
def test_the_names_an_editor_types_for_the_site_url_are_understood(typed):
    agency = AGENCY.read_text(encoding="utf-8") + f"{typed}: https://www.example.org/\n"
    with pytest.raises(BlocNotesError) as caught:
        _document(ATELIER, "atelier.md", agency)
    assert f"unknown field '{typed}' (did you mean 'site-url'?)" in str(caught.value)
