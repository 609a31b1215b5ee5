"""The series as an Atom feed (feed readers) and an OPDS 1.2 catalog (e-reader apps).

Pure: the published documents and their files' names and sizes in, XML bytes out. Every date
comes from the documents and every id is derived from them, so the same sources give the same
bytes at every build.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from urllib.parse import quote, urljoin, urlsplit

from lxml import etree

from . import __version__, labels, markup
from .editions import EPUB_TYPE
from .epub import identifier
from .model import Metadata, Typeset

ATOM = "http://www.w3.org/2005/Atom"
XHTML = "http://www.w3.org/1999/xhtml"
DC = "http://purl.org/dc/terms/"
FH = "http://purl.org/syndication/history/1.0"  # RFC 5005: <fh:complete/>
MEDIA = "http://search.yahoo.com/mrss/"  # Media RSS: the thumbnail feed readers show
# schema.org's Series, as Readium's OPDS 1 parser (Thorium Reader) reads it: the series' name
# and the number as attributes (the namespace written without its final slash)
SCHEMA = "http://schema.org"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

FEED = "feed.atom"
CATALOG = "opds.atom"
FEED_TYPE = "application/atom+xml"
CATALOG_TYPE = "application/atom+xml;profile=opds-catalog;kind=acquisition"
ACQUISITION = "http://opds-spec.org/acquisition/open-access"  # free, no sign-up
IMAGE = "http://opds-spec.org/image"
THUMBNAIL = "http://opds-spec.org/image/thumbnail"
CRAWLABLE = "http://opds-spec.org/crawlable"


@dataclass(frozen=True)
class File:
    """A handed-out file: its name in the hand-out folder, media type and size in bytes."""

    name: str
    media_type: str
    size: int
    label: str = ""  # the format as readers know it ("PDF", "EPUB"): the edition's `offered`


@dataclass(frozen=True)
class Published:
    """One Bloc-Notes as handed out: the typeset document, its files and its place on the page."""

    document: Typeset
    files: tuple[File, ...]  # what readers are offered (editions.py's `offered`), in order
    thumbnail: File
    thumbnail_px: tuple[int, int]  # width, height
    anchor: str  # the id of its article in the series' web page
    article: str | None = None  # the name of its own web page (the web edition), linked to first


def atom_feed(published: Sequence[Published], page: str) -> bytes:
    """The Atom feed of the series, newest first: each entry links to its article on `page`,
    encloses the PDF and the EPUB, shows the cover and lists the keywords as categories."""
    return _feed(published, page, catalog=False)


def opds_catalog(published: Sequence[Published], page: str) -> bytes:
    """The OPDS 1.2 catalog of the series: one complete acquisition feed, newest first, each
    entry with the EPUB and the PDF as open-access acquisitions and the cover as image."""
    return _feed(published, page, catalog=True)


def _feed(published: Sequence[Published], page: str, catalog: bool) -> bytes:
    """The feed's own metadata and links, then one entry per Bloc-Notes, newest first."""
    items = sorted(published, key=lambda p: (p.document.meta.date, p.document.slug), reverse=True)
    meta, shown = _series(items)
    url = _linker(meta.site_url)
    name, entry = (CATALOG, _catalog_entry) if catalog else (FEED, _feed_entry)
    nsmap = ({None: ATOM, "dc": DC, "fh": FH, "schema": SCHEMA} if catalog
             else {None: ATOM, "media": MEDIA, "schema": SCHEMA})
    feed = etree.Element(f"{{{ATOM}}}feed", nsmap=nsmap)
    feed.set(XML_LANG, meta.lang)
    _add(feed, "id", _uuid("opds" if catalog else "feed", meta.series or "", meta.publisher or ""))
    series = shown.series or (items[0].document.labels if items else labels.default_words())["series"]
    _add(feed, "title", series)
    newest = items[0].document.meta.date if items else dt.date(1970, 1, 1)  # no document, no date
    _add(feed, "updated", _timestamp(newest))
    author = _add(feed, "author")
    _add(author, "name", shown.publisher or series)
    if meta.site_url:
        _add(author, "uri", meta.site_url)
    if shown.rights:
        _add(feed, "rights", shown.rights)
    _add(feed, "generator", "blocnotes", version=__version__)
    kind = CATALOG_TYPE if catalog else FEED_TYPE
    _add(feed, "link", rel="self", href=url(name), type=kind)
    if catalog:
        _add(feed, "link", rel="start", href=url(name), type=kind)
        _add(feed, "link", rel=CRAWLABLE, href=url(name), type=kind)
        _add(feed, f"{{{FH}}}complete")  # every Bloc-Notes is in it: no page to fetch
    _add(feed, "link", rel="alternate", href=url(page), type="text/html")
    for item in items:
        entry(feed, item, url, page)
    return etree.tostring(feed, xml_declaration=True, encoding="utf-8", pretty_print=True)


def _feed_entry(feed: etree._Element, item: Published, url: Callable[[str], str], page: str) -> None:
    entry, _, shown = _entry(feed, item)
    _add(entry, "link", rel="alternate", href=url(_page(item, page)), type="text/html")
    for file in item.files:
        _add(entry, "link", rel="enclosure", href=url(file.name), type=file.media_type,
             length=str(file.size), title=file.label)
    width, height = item.thumbnail_px
    _add(entry, f"{{{MEDIA}}}thumbnail", url=url(item.thumbnail.name), width=str(width),
         height=str(height))
    _content(entry, item, shown, url)


def _catalog_entry(feed: etree._Element, item: Published, url: Callable[[str], str],
                   page: str) -> None:
    entry, meta, shown = _entry(feed, item)
    _add(entry, f"{{{DC}}}identifier", identifier(item.document))  # the EPUB's own
    _add(entry, f"{{{DC}}}language", meta.lang)
    _add(entry, f"{{{DC}}}issued", meta.date.isoformat())
    if shown.publisher:
        _add(entry, f"{{{DC}}}publisher", shown.publisher)
    # the EPUB first: what an e-reader app opens best
    for file in sorted(item.files, key=lambda file: file.media_type != EPUB_TYPE):
        _add(entry, "link", rel=ACQUISITION, href=url(file.name), type=file.media_type,
             length=str(file.size), title=file.label)
    for rel in (IMAGE, THUMBNAIL):  # one cover, 300 px wide: fit for a list and a detail view
        _add(entry, "link", rel=rel, href=url(item.thumbnail.name), type=item.thumbnail.media_type)
    _add(entry, "link", rel="alternate", href=url(_page(item, page)), type="text/html")


def _page(item: Published, page: str) -> str:
    """Where a feed reader opens a Bloc-Notes: its own web page, else its entry on `page`."""
    return item.article or f"{page}#{item.anchor}"


def _entry(feed: etree._Element, item: Published) -> tuple[etree._Element, Metadata, Metadata]:
    """An entry with what both feeds say of a Bloc-Notes: id, title, dates, authors, rights,
    keywords, its series and number, summary."""
    document = item.document
    meta, shown = document.meta, document.display
    entry = _add(feed, "entry")
    if meta.lang != feed.get(XML_LANG):
        entry.set(XML_LANG, meta.lang)
    _add(entry, "id", _uuid("entry", identifier(document)))
    _add(entry, "title", shown.title)
    _add(entry, "updated", _timestamp(meta.date))
    _add(entry, "published", _timestamp(meta.date))
    for name in shown.authors:
        _add(_add(entry, "author"), "name", name)
    if shown.rights and shown.rights != feed.findtext(f"{{{ATOM}}}rights"):
        _add(entry, "rights", shown.rights)
    for keyword in shown.keywords:  # as typeset: feed readers show the term, e-readers the label
        _add(entry, "category", term=keyword, label=keyword)
    if shown.series:
        series = _add(entry, f"{{{SCHEMA}}}Series")
        series.set(f"{{{SCHEMA}}}name", shown.series)
        if meta.number is not None:
            series.set(f"{{{SCHEMA}}}position", str(meta.number))
    summary = shown.description or markup.plain(markup.parse_fragment(document.abstract_html))
    if summary:
        _add(entry, "summary", summary, type="text")
    return entry, meta, shown


def _content(entry: etree._Element, item: Published, shown: Metadata,
             url: Callable[[str], str]) -> None:
    """What a feed reader shows of an entry: the cover, the abstract, the two downloads."""
    labels = item.document.labels
    content = _add(entry, "content", type="xhtml")
    div = etree.SubElement(content, f"{{{XHTML}}}div", nsmap={None: XHTML})
    width, height = item.thumbnail_px
    cover = etree.SubElement(etree.SubElement(div, f"{{{XHTML}}}p"), f"{{{XHTML}}}a",
                             href=url(item.article or item.files[0].name))
    etree.SubElement(cover, f"{{{XHTML}}}img", src=url(item.thumbnail.name),
                     alt=f"{labels['cover']}{labels['colon']}{shown.title}",
                     width=str(width // 2), height=str(height // 2))  # as on the web page: sharp
    if item.document.abstract_html:
        div.append(_xhtml_paragraph(item.document.abstract_html))
    downloads = etree.SubElement(div, f"{{{XHTML}}}p")
    for index, file in enumerate(item.files):
        link = etree.SubElement(downloads, f"{{{XHTML}}}a", href=url(file.name))
        link.text = file.label
        if index < len(item.files) - 1:
            link.tail = " · "


def _xhtml_paragraph(fragment: str) -> etree._Element:
    """The abstract's HTML as one XHTML paragraph; a link that is not a full web address
    (e.g. to a heading of the document) would lead nowhere from a feed: its text is kept."""
    paragraph = markup.parse_fragment(fragment)  # a new tree: changed freely
    for link in paragraph.xpath(".//a"):
        if urlsplit(link.get("href", "")).scheme not in ("http", "https", "mailto"):
            link.drop_tag()
    result = etree.Element(f"{{{XHTML}}}p")
    result.text = paragraph.text
    for child in paragraph:
        result.append(child)
    for element in result.iter():
        if isinstance(element.tag, str) and not element.tag.startswith("{"):
            element.tag = f"{{{XHTML}}}{element.tag}"
    return result


def _series(items: Sequence[Published]) -> tuple[Metadata, Metadata]:
    """The series' metadata as written and as shown: the newest Bloc-Notes', as on the web page."""
    if not items:
        empty = Metadata(title="", date=dt.date(1970, 1, 1))
        return empty, empty
    document = items[0].document
    return document.meta, document.display


def _linker(base: str | None) -> Callable[[str], str]:
    """Relative links (to the feed's own address) without a `site-url`, absolute ones with it."""
    def url(name: str) -> str:
        relative = quote(name, safe="/#")
        return urljoin(base, relative) if base else relative
    return url



def _uuid(*parts: str) -> str:
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, '|'.join(('blocnotes', *parts)))}"


def _timestamp(date: dt.date) -> str:
    return f"{date.isoformat()}T00:00:00Z"


def _add(parent: etree._Element, tag: str, text: str | None = None, **attributes: str
         ) -> etree._Element:
    element = etree.SubElement(parent, tag if tag.startswith("{") else f"{{{ATOM}}}{tag}",
                               attributes)
    element.text = text
    return element
