"""EPUB 3 writer: the HTML rendition split into XHTML chapters, packaged with ebooklib."""

from __future__ import annotations

import datetime as dt
import io
import uuid
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ebooklib import epub
from lxml import etree

from . import fonts
from .editions import SCREEN, dated
from .images import Prepared
from .lint import IMAGE_TYPES
from .model import Document, PageStart, Typeset
from .render import description, issue_text
from .style import Style

XHTML = "http://www.w3.org/1999/xhtml"
EPUB_NS = "http://www.idpf.org/2007/ops"
NS = {"h": XHTML}
ROLES = {"chapter": "doc-chapter", "colophon": "doc-colophon"}
FONT_DIR = "fonts"
STYLE_FILE = "styles/book.css"


@dataclass(frozen=True)
class Chapter:
    """One XHTML file of the book."""

    file_name: str
    title: str
    epub_type: str
    body: etree._Element


def identifier(document: Document) -> str:
    """A stable identifier derived from the document: same source, same id."""
    meta = document.meta
    name = "|".join(["blocnotes", meta.series or "", meta.title, meta.date.isoformat()])
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, name)}"


def split_parts(rendition: str) -> list[Chapter]:
    """The HTML rendition -> one chapter per top-level part, internal links re-targeted."""
    root = etree.fromstring(rendition.encode("utf-8"))
    parts = root.findall("h:body/h:section", NS)
    chapters = []
    owner: dict[str, str] = {}
    tables = 0
    for index, part in enumerate(parts):
        kind = part.get("data-epub-type", "chapter")
        name = "titre.xhtml" if kind == "titlepage" else (
            "colophon.xhtml" if kind == "colophon" else f"chapitre-{index:02d}.xhtml"
        )
        # A heading may have no text (an image alone): navigation entries still need one.
        title = " ".join(part.get("data-title", "").split()) or f"{kind.capitalize()} {index}"
        for attribute in ("data-epub-type", "data-title"):
            part.attrib.pop(attribute, None)
        part.set(f"{{{EPUB_NS}}}type", kind)
        if kind in ROLES:  # the ARIA role that matches the epub:type, for assistive technology
            part.set("role", ROLES[kind])
        for wrapper in [e for e in part.iter() if "table-wrap" in (e.get("class") or "").split()]:
            tables += 1
            phone_table(wrapper, tables)
        for element in part.iter():
            if element.get("id"):
                owner[element.get("id", "")] = name
            inner = element.attrib.pop("data-epub-type", None)  # notes and their calls
            if inner:
                element.set(f"{{{EPUB_NS}}}type", inner)
        chapters.append(Chapter(name, title, kind, part))
    for chapter in chapters:
        for link in chapter.body.iter(f"{{{XHTML}}}a"):
            href = link.get("href", "")
            target = owner.get(href[1:]) if href.startswith("#") and len(href) > 1 else None
            if target and target != chapter.file_name:
                link.set("href", f"{target}{href}")
    return chapters


STACKED_COLUMNS = 6  # a table this narrow stacks its rows on a phone; a wider one scrolls


def phone_table(wrapper: etree._Element, number: int) -> None:
    """A table's wrapper as a phone shows it (epub.css): a figure whose caption and source
    stay outside the box that scrolls sideways (reachable from the keyboard and named, as a
    scrolling region must be); each data cell labelled with its column's heading (data-label),
    so that a table of up to STACKED_COLUMNS columns can show each row as label–value pairs
    on a narrow screen instead of scrolling."""
    x = f"{{{XHTML}}}"
    table = wrapper.find("h:table", NS)
    if table is None:
        return
    caption = table.find("h:caption", NS)
    headings = [" ".join("".join(th.itertext()).split())
                for th in table.iterfind("h:thead/h:tr/h:th", NS)]
    rows = [row for row in table.iter(f"{x}tr") if row.getparent().tag != f"{x}thead"]
    columns = max((len(row) for row in table.iter(f"{x}tr")), default=0)
    for row in rows:
        for index, cell in enumerate(row):
            if index < len(headings) and headings[index]:
                cell.set("data-label", headings[index])
    wrapper.tag = f"{x}figure"
    classes = (wrapper.get("class") or "").split()
    if headings and 3 <= columns <= STACKED_COLUMNS:  # two columns fit any screen
        classes.append("stacked")
    wrapper.set("class", " ".join(classes))
    scroller = etree.Element(f"{x}div", {"class": "table-scroll", "tabindex": "0",
                                         "role": "region"})
    table.addprevious(scroller)
    scroller.append(table)  # the source line stays after it, in the figure
    if caption is not None:
        caption.tag = f"{x}figcaption"  # a table's caption, as HTML allows in a figure
        caption.set("class", "table-caption")
        name = f"bn-table-{number}"
        caption.set("id", name)
        caption.tail = None
        wrapper.insert(0, caption)
        scroller.set("aria-labelledby", name)
        table.set("aria-labelledby", name)
    else:
        scroller.set("aria-label", " / ".join(headings) or "table")


def _normalized(text: str) -> tuple[str, list[int]]:
    """Text with every run of spaces (no-break ones too) as one space, and for each of its
    characters the index of the character in `text`."""
    chars, where = [], []
    for index, char in enumerate(text):
        if char.isspace():
            if chars and chars[-1] == " ":
                continue
            char = " "
        chars.append(char)
        where.append(index)
    return "".join(chars), where


def _page_offset(text: str, first_words: str, after: int) -> int | None:
    """Where `first_words` (a page's first line) begin in `text`, at or after `after`; at the
    start of the word when the page began inside a hyphenated word."""
    norm, where = _normalized(text)
    start = next((i for i, index in enumerate(where) if index >= after), len(norm))
    words = first_words.rstrip("-‐").split()
    for count in (5, 3, 1):
        key = " ".join(words[:count])
        position = norm.find(key, start) if key else -1
        if position >= 0:
            offset = where[position]
            while offset > 0 and text[offset - 1].isalnum():
                offset -= 1
            return offset
    return None


LINK = f"{{{XHTML}}}a"


def _insert_at(block: etree._Element, offset: int, marker: etree._Element) -> None:
    """Put `marker` at character `offset` of `block`'s text (a text node is split there), or
    before the link that holds that character: a link's text stays whole for a reader that
    reads it out, and a marker in it would be part of what the link's tap follows."""
    consumed = 0

    # Text slots in document order: an element's text, then each child and its tail.
    def walk(element: etree._Element) -> bool:
        nonlocal consumed
        text = element.text or ""
        if consumed + len(text) >= offset:
            cut = offset - consumed
            element.text, marker.tail = text[:cut] or None, text[cut:] or None
            element.insert(0, marker)
            return True
        consumed += len(text)
        for child in element:
            if not isinstance(child.tag, str):
                continue
            if child.tag == LINK:  # a page break inside a link: before the link, whole
                inside = len("".join(child.itertext()))
                if consumed + inside > offset:
                    child.addprevious(marker)
                    return True
                consumed += inside
            elif walk(child):
                return True
            tail = child.tail or ""
            if consumed + len(tail) >= offset:
                cut = offset - consumed
                child.tail, marker.tail = tail[:cut] or None, tail[cut:] or None
                child.addnext(marker)
                return True
            consumed += len(tail)
        return False

    if not walk(block):
        block.append(marker)


FIGURE = f"{{{XHTML}}}figure"
LIST_PARENTS = {f"{{{XHTML}}}{tag}" for tag in ("ul", "ol", "dl", "tr", "table", "tbody")}


def mark_pages(chapters: list[Chapter], starts: Sequence[PageStart]) -> list[tuple[int, str]]:
    """Insert a page-break marker where each print page begins -> [(page, href)]."""
    blocks: dict[str, tuple[Chapter, etree._Element]] = {}
    for chapter in chapters:
        for element in chapter.body.iter():
            if element.get("data-bn") is not None:
                blocks[element.get("data-bn", "")] = (chapter, element)
    consumed: dict[str, int] = {}
    marks = []
    for start in starts:
        if start.block not in blocks:
            continue
        chapter, block = blocks[start.block]
        text = "".join(block.itertext())
        offset = _page_offset(text, start.text, consumed.get(start.block, 0))
        if offset is None:
            continue
        consumed[start.block] = offset + 1
        marker = etree.Element(f"{{{XHTML}}}span", nsmap={"epub": EPUB_NS})
        marker.set(f"{{{EPUB_NS}}}type", "pagebreak")
        marker.set("role", "doc-pagebreak")
        marker.set("id", f"page-{start.page}")
        marker.set("aria-label", str(start.page))
        parent = block.getparent()
        while offset == 0 and parent is not None and parent.tag == FIGURE and \
                block.getprevious() is None:  # (a caption first: a figure holds no marker
            block, parent = parent, parent.getparent()  # before it) before the figure
        if offset == 0 and parent is not None and parent.tag not in LIST_PARENTS:
            block.addprevious(marker)  # a page that begins with a block: the marker before it
        else:
            _insert_at(block, offset, marker)
        marks.append((start.page, f"{chapter.file_name}#page-{start.page}"))
    for chapter in chapters:
        for element in chapter.body.iter():
            element.attrib.pop("data-bn", None)
    return marks


def chapter_xhtml(chapter: Chapter, lang: str) -> bytes:
    """A chapter -> a complete XHTML 5 document."""
    html = etree.Element(f"{{{XHTML}}}html", nsmap={None: XHTML, "epub": EPUB_NS})
    html.set("lang", lang)
    html.set("{http://www.w3.org/XML/1998/namespace}lang", lang)
    head = etree.SubElement(html, f"{{{XHTML}}}head")
    etree.SubElement(head, f"{{{XHTML}}}meta", charset="utf-8")
    etree.SubElement(head, f"{{{XHTML}}}title").text = chapter.title
    etree.SubElement(head, f"{{{XHTML}}}link", rel="stylesheet", type="text/css",
                     href=f"../{STYLE_FILE}" if "/" in chapter.file_name else STYLE_FILE)
    body = etree.SubElement(html, f"{{{XHTML}}}body")
    body.append(chapter.body)
    return b'<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE html>\n' + etree.tostring(
        html, encoding="utf-8"
    )


_COMPRESSED = (".jpg",)


def _normalize_zip(data: bytes, when: dt.datetime) -> bytes:
    """Same EPUB with fixed entry times: 'mimetype' first and stored, the photos (JPEG:
    deflate gains them 1 % for a hundredth of a second each) stored too, the rest deflated."""
    stamp = max(when, dt.datetime(1980, 1, 1, tzinfo=dt.UTC)).timetuple()[:6]
    source = zipfile.ZipFile(io.BytesIO(data))
    names = source.namelist()
    names.sort(key=lambda name: (name != "mimetype", name != "META-INF/container.xml"))
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w") as target:
        for name in names:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.external_attr = 0o644 << 16
            info.create_system = 3
            if name == "mimetype" or name.endswith(_COMPRESSED):
                info.compress_type = zipfile.ZIP_STORED
            else:
                info.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(info, source.read(name), compresslevel=9)
    return output.getvalue()


def _add_images(book: epub.EpubBook, chapters: list[Chapter],
                images: Mapping[str, Prepared]) -> None:
    """Package each image once, as images/NN.ext, and point the chapters' <img> at it."""
    names: dict[str, str] = {}
    for index, (src, prepared) in enumerate(sorted(images.items()), start=1):
        names[src] = f"images/image-{index:02d}{prepared.suffix}"
        book.add_item(epub.EpubItem(uid=f"image-{index:02d}", file_name=names[src],
                                    media_type=IMAGE_TYPES[prepared.suffix], content=prepared.data))
    for chapter in chapters:
        for img in chapter.body.iter(f"{{{XHTML}}}img"):
            if img.get("src") in names:
                img.set("src", names[img.get("src", "")])


def nav_xhtml(chapters: list[Chapter], marks: list[tuple[int, str]], title: str,
              lang: str, labels: Mapping[str, str]) -> bytes:
    """The navigation document: table of contents, landmarks and the print page list."""
    x = f"{{{XHTML}}}"
    html = etree.Element(f"{x}html", nsmap={None: XHTML, "epub": EPUB_NS})
    html.set("lang", lang)
    html.set("{http://www.w3.org/XML/1998/namespace}lang", lang)
    head = etree.SubElement(html, f"{x}head")
    etree.SubElement(head, f"{x}meta", charset="utf-8")
    etree.SubElement(head, f"{x}title").text = title
    etree.SubElement(head, f"{x}link", rel="stylesheet", type="text/css", href=STYLE_FILE)
    body = etree.SubElement(html, f"{x}body")

    def nav(kind: str, heading: str, entries: list[tuple[str, str]], hidden: bool,
            role: str | None) -> None:
        element = etree.SubElement(body, f"{x}nav", id=kind)
        element.set(f"{{{EPUB_NS}}}type", kind)
        if role:
            element.set("role", role)
        if hidden:
            element.set("hidden", "hidden")
        etree.SubElement(element, f"{x}h1" if kind == "toc" else f"{x}h2").text = heading
        listing = etree.SubElement(element, f"{x}ol")
        for href, text in entries:
            link = etree.SubElement(etree.SubElement(listing, f"{x}li"), f"{x}a", href=href)
            link.text = text
            if kind == "landmarks":
                link.set(f"{{{EPUB_NS}}}type", "bodymatter")

    nav("toc", labels["contents"], [(c.file_name, c.title) for c in chapters], False, "doc-toc")
    body_start = next((c for c in chapters if c.epub_type == "chapter"), chapters[0])
    nav("landmarks", labels["landmarks"], [(body_start.file_name, labels["start"])], True, None)
    if marks:
        nav("page-list", labels["pages"], [(href, str(page)) for page, href in marks], True,
            "doc-pagelist")
    return b'<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE html>\n' + etree.tostring(
        html, encoding="utf-8")


class _Writer(epub.EpubWriter):
    """ebooklib's writer, with our navigation document and xml:lang on the package."""

    def __init__(self, name: io.BytesIO, book: epub.EpubBook, options: dict, nav: bytes) -> None:
        super().__init__(name, book, options)
        self._nav = nav

    def _get_nav(self, item: epub.EpubNav) -> bytes:
        return self._nav

    def _write_opf_file(self, root: etree._Element) -> None:
        root.set("{http://www.w3.org/XML/1998/namespace}lang", self.book.language)
        super()._write_opf_file(root)


COVER_IMAGE = "images/couverture.png"


def _cover(book: epub.EpubBook, document: Typeset, house: Style) -> Chapter:
    """The cover image (cover-image in the manifest, shown by e-reader libraries) and a cover
    page that shows it with a French text alternative."""
    from .cover import cover_png

    shown = document.display
    book.set_cover(COVER_IMAGE, cover_png(document, house), create_page=False)
    alt = " – ".join(part for part in (shown.series, shown.title, shown.dateline) if part)
    section = etree.Element(f"{{{XHTML}}}section", {"class": "part cover", "id": "couverture"})
    section.set(f"{{{EPUB_NS}}}type", "cover")
    image = etree.SubElement(section, f"{{{XHTML}}}img", src=COVER_IMAGE)
    labels = document.labels
    image.set("alt", f"{labels['cover']}{labels['colon']}{alt}")
    image.set("class", "cover-image")
    return Chapter("couverture.xhtml", labels["cover"], "cover", section)


def _accessibility(book: epub.EpubBook, labels: Mapping[str, str], has_images: bool,
                   has_pages: bool) -> None:
    """EPUB Accessibility 1.1 metadata, true to what the book contains."""

    def meta(prop: str, value: str) -> None:
        book.add_metadata(None, "meta", value, {"property": prop})

    meta("schema:accessMode", "textual")
    if has_images:
        meta("schema:accessMode", "visual")
    meta("schema:accessModeSufficient", "textual")
    features = ["structuralNavigation", "tableOfContents", "readingOrder",
                "displayTransformability"]
    if has_images:
        features.append("alternativeText")
    if has_pages:
        features += ["printPageNumbers", "pageNavigation"]
    for feature in features:
        meta("schema:accessibilityFeature", feature)
    meta("schema:accessibilityHazard", "none")
    summary = labels["summary"] + (labels["summary-images"] if has_images else "")
    meta("schema:accessibilitySummary", summary)
    meta("dcterms:conformsTo", "EPUB Accessibility 1.1 - WCAG 2.1 Level AA")


def _series(book: epub.EpubBook, document: Typeset) -> None:
    """The series the book belongs to, with its number: EPUB 3's collection, and Calibre's
    own meta (Calibre, and the e-readers that take its metadata, read only that)."""
    series, number = document.display.series, document.meta.number
    if not series:
        return
    book.add_metadata(None, "meta", series, {"property": "belongs-to-collection", "id": "series"})
    book.add_metadata(None, "meta", "series", {"property": "collection-type", "refines": "#series"})
    if number is not None:
        book.add_metadata(None, "meta", str(number),
                          {"property": "group-position", "refines": "#series"})
    book.add_metadata(None, "meta", "", {"name": "calibre:series", "content": series})
    if number is not None:
        book.add_metadata(None, "meta", "", {"name": "calibre:series_index",
                                              "content": str(number)})


def render_epub(document: Typeset, rendition: str, stylesheet: str, house: Style,
                when: dt.datetime, images: Mapping[str, Prepared] | None = None,
                starts: Sequence[PageStart] = ()) -> bytes:
    """Document and its HTML rendition -> EPUB 3 bytes (`house`: its style, for the cover and
    the fonts): fonts subset, images embedded,
    the print edition's pages marked and listed, accessibility metadata."""
    meta = document.meta
    labels = document.labels
    chapters = split_parts(rendition)
    book = epub.EpubBook()
    _add_images(book, chapters, images or {})
    marks = mark_pages(chapters, starts)
    chapters.insert(0, _cover(book, document, house))
    book.set_identifier(identifier(document))
    shown = document.display  # names and titles as typeset (’, not '), as on the pages
    book.set_title(shown.title)
    book.set_language(meta.lang)
    # ebooklib gives every creator the id "creator" unless told: one id each, or EPUBCheck
    # rejects the package ("Duplicate ID") when there are two authors
    for index, author in enumerate(shown.authors, start=1):
        book.add_author(author, uid="creator" if index == 1 else f"creator-{index}")
    if shown.publisher:
        book.add_metadata("DC", "publisher", shown.publisher)
    book.add_metadata("DC", "date", meta.date.isoformat())
    if meta.rights:
        book.add_metadata("DC", "rights", meta.rights)
    for keyword in shown.keywords:
        book.add_metadata("DC", "subject", keyword)
    book.add_metadata("DC", "description", description(document))
    _series(book, document)
    if marks:
        # the PDF as handed out (distribute): its dated name
        print_edition = (f"{issue_text(shown, labels)}, {shown.title}, {labels['print']}, "
                         f"{SCREEN.path_name(dated(document.slug, meta.date))}")
        book.add_metadata("DC", "source", print_edition)
        book.add_metadata(None, "meta", print_edition, {"property": "pageBreakSource"})
    _accessibility(book, labels, True, bool(marks))  # True: the cover is an image

    text = "".join("".join(c.body.itertext()) for c in chapters)
    faces = fonts.edition_faces("epub", house)  # the faces the style's epub.css sets
    if "<code" in rendition:
        faces += fonts.mono_faces(house)
    for face in faces:
        book.add_item(epub.EpubItem(
            uid=f"font-{face.stem}", file_name=f"{FONT_DIR}/{face.stem}.ttf",
            media_type="font/ttf", content=fonts.subset_font(face.path, text, family=face.family),
        ))
    css = fonts.font_face_css(faces, lambda face: f"../{FONT_DIR}/{face.stem}.ttf")
    book.add_item(epub.EpubItem(uid="style", file_name=STYLE_FILE, media_type="text/css",
                                content=(css + stylesheet).encode("utf-8")))

    items = []
    for chapter in chapters:
        item = epub.EpubItem(uid=chapter.file_name.removesuffix(".xhtml"),
                             file_name=chapter.file_name, media_type="application/xhtml+xml",
                             content=chapter_xhtml(chapter, meta.lang))
        book.add_item(item)
        items.append(item)
    book.toc = [epub.Link(c.file_name, c.title, c.file_name.removesuffix(".xhtml"))
                for c in chapters]
    book.add_item(epub.EpubNcx())
    book.add_item(epub.EpubNav())
    book.spine = items

    buffer = io.BytesIO()
    # compresslevel 0: this archive is read once, by _normalize_zip, which compresses
    writer = _Writer(buffer, book, {"mtime": when, "raise_exceptions": True, "compresslevel": 0},
                     nav_xhtml(chapters, marks, labels["contents"], meta.lang, labels))
    writer.process()
    writer.write()
    return _normalize_zip(buffer.getvalue(), when)
