"""EPUB 3 writer: the HTML rendition split into XHTML chapters, packaged with ebooklib."""

from __future__ import annotations

import datetime as dt
import io
import uuid
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ebooklib import epub
from fontTools import subset
from lxml import etree

from . import fonts
from .lint import IMAGE_TYPES
from .model import Document

XHTML = "http://www.w3.org/1999/xhtml"
EPUB_NS = "http://www.idpf.org/2007/ops"
NS = {"h": XHTML}
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
    for index, part in enumerate(parts):
        kind = part.get("data-epub-type", "chapter")
        name = "titre.xhtml" if kind == "titlepage" else (
            "colophon.xhtml" if kind == "colophon" else f"chapitre-{index:02d}.xhtml"
        )
        title = part.get("data-title", "")
        for attribute in ("data-epub-type", "data-title"):
            part.attrib.pop(attribute, None)
        part.set(f"{{{EPUB_NS}}}type", kind)
        for element in part.iter():
            if element.get("id"):
                owner[element.get("id", "")] = name
        chapters.append(Chapter(name, title, kind, part))
    for chapter in chapters:
        for link in chapter.body.iter(f"{{{XHTML}}}a"):
            href = link.get("href", "")
            target = owner.get(href[1:]) if href.startswith("#") and len(href) > 1 else None
            if target and target != chapter.file_name:
                link.set("href", f"{target}{href}")
    return chapters


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


def _subset_font(path: Path, text: str) -> bytes:
    """The font at `path`, cut down to the characters of `text` (fontTools)."""
    options = subset.Options()
    options.name_IDs = [0, 1, 2, 3, 4, 5, 6, 13, 14]  # keep the licence (OFL) and names
    options.notdef_outline = True
    options.hinting = False  # e-readers do not use TrueType hinting; it doubles the size
    options.layout_features = ["kern", "liga", "clig", "calt", "ccmp", "locl", "mark", "mkmk",
                               "onum", "pnum"]
    options.flavor = "woff2"
    font = subset.load_font(str(path), options)
    font.recalcTimestamp = False  # keep the font's own date: the same bytes on every build
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=text + " ")
    subsetter.subset(font)
    buffer = io.BytesIO()
    font.save(buffer)
    return buffer.getvalue()


def _normalize_zip(data: bytes, when: dt.datetime) -> bytes:
    """Same EPUB with fixed entry times: 'mimetype' first and stored, the rest deflated."""
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
            if name == "mimetype":
                info.compress_type = zipfile.ZIP_STORED
            else:
                info.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(info, source.read(name), compresslevel=9)
    return output.getvalue()


def _add_images(book: epub.EpubBook, chapters: list[Chapter], images: Mapping[str, Path]) -> None:
    """Package each image once, as images/NN.ext, and point the chapters' <img> at it."""
    names: dict[str, str] = {}
    for index, (src, path) in enumerate(sorted(images.items()), start=1):
        suffix = path.suffix.lower()
        names[src] = f"images/image-{index:02d}{suffix}"
        book.add_item(epub.EpubItem(uid=f"image-{index:02d}", file_name=names[src],
                                    media_type=IMAGE_TYPES[suffix], content=path.read_bytes()))
    for chapter in chapters:
        for img in chapter.body.iter(f"{{{XHTML}}}img"):
            if img.get("src") in names:
                img.set("src", names[img.get("src", "")])


def render_epub(document: Document, rendition: str, stylesheet: str, when: dt.datetime,
                images: Mapping[str, Path] | None = None) -> bytes:
    """Document and its HTML rendition -> EPUB 3 bytes (fonts subset, images embedded)."""
    meta = document.meta
    chapters = split_parts(rendition)
    _add_images(book := epub.EpubBook(), chapters, images or {})
    book.set_identifier(identifier(document))
    book.set_title(meta.title)
    book.set_language(meta.lang)
    for author in meta.authors:
        book.add_author(author)
    if meta.publisher:
        book.add_metadata("DC", "publisher", meta.publisher)
    book.add_metadata("DC", "date", meta.date.isoformat())
    if meta.rights:
        book.add_metadata("DC", "rights", meta.rights)
    for keyword in meta.keywords:
        book.add_metadata("DC", "subject", keyword)
    from .render import description

    book.add_metadata("DC", "description", description(document))

    text = "".join("".join(c.body.itertext()) for c in chapters)
    # The reflowable style sets headings in the serif's bold only: the other serif faces stay out.
    faces = tuple(f for f in fonts.house_faces() if f.family == fonts.SANS or f.weight == 700)
    for face in faces:
        book.add_item(epub.EpubItem(
            uid=f"font-{face.path.stem}", file_name=f"{FONT_DIR}/{face.path.stem}.woff2",
            media_type="font/woff2", content=_subset_font(face.path, text),
        ))
    css = fonts.font_face_css(faces, lambda face: f"../{FONT_DIR}/{face.path.stem}.woff2") + stylesheet
    book.add_item(epub.EpubItem(uid="style", file_name=STYLE_FILE, media_type="text/css",
                                content=css.encode("utf-8")))

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
    nav = epub.EpubNav()
    nav.add_link(href=STYLE_FILE, rel="stylesheet", type="text/css")
    book.add_item(nav)
    book.spine = items

    buffer = io.BytesIO()
    epub.write_epub(buffer, book, {"mtime": when, "raise_exceptions": True})
    return _normalize_zip(buffer.getvalue(), when)
