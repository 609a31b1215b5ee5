"""Hand-out layout of the output folder: dated copies, the series' web page, SHA256SUMS."""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from markupsafe import Markup
from PIL import Image

from . import atomic, feeds, fonts, markup, render
from .epub import COVER_IMAGE
from .model import Document

THUMBNAIL_WIDTH = 300
WEB_FACES = ((fonts.SANS, 400, "normal"), (fonts.SANS, 400, "italic"), (fonts.SANS, 600, "normal"),
             (fonts.SERIF, 700, "normal"))


@dataclass(frozen=True)
class Built:
    """A document (typeset) and the PDF, EPUB and print shop's PDF built from it."""

    document: Document
    pdf: Path
    epub: Path
    press: Path


def _size(path: Path, labels: Mapping[str, str]) -> str:
    """A file's size in the labels' units: '97 Ko', '1.2 MB'."""
    size = path.stat().st_size
    if size < 1024 * 1024:
        return f"{size / 1024:.0f}\u00a0{labels['kilobytes']}"
    return f"{size / 1024 / 1024:.1f}\u00a0{labels['megabytes']}"


def _summary(document: Document, limit: int = 220) -> str:
    text = markup.plain(markup.parse_fragment(document.abstract_html))
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0] + "…"


def _thumbnail(epub_path: Path) -> bytes:
    """The EPUB's own cover, scaled down (drawn once, when the EPUB was built)."""
    with zipfile.ZipFile(epub_path) as archive:
        image = Image.open(io.BytesIO(archive.read(f"EPUB/{COVER_IMAGE}")))
    height = round(image.height * THUMBNAIL_WIDTH / image.width)
    buffer = io.BytesIO()
    image.convert("RGB").resize((THUMBNAIL_WIDTH, height), Image.LANCZOS).save(
        buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def hand_out(built: list[Built], out: Path, styles: Path) -> list[Path]:
    """Write `<date>-<slug>.pdf/.epub/.png`, `<date>-<slug>-impression.pdf`, fonts/,
    index.html, the Atom feed, the OPDS catalog and SHA256SUMS into `out`."""
    files: dict[str, bytes] = {}
    items, published = [], []
    for entry in sorted(built, key=lambda b: (b.document.meta.date, b.document.slug),
                        reverse=True):
        document = entry.document
        shown = document.display or document.meta
        name = f"{document.meta.date.isoformat()}-{document.slug}"
        files[f"{name}.pdf"] = entry.pdf.read_bytes()
        files[f"{name}.epub"] = entry.epub.read_bytes()
        files[f"{name}-impression.pdf"] = entry.press.read_bytes()
        files[f"{name}.png"] = _thumbnail(entry.epub)
        published.append(feeds.Published(
            document, pdf=feeds.File(f"{name}.pdf", "application/pdf", len(files[f"{name}.pdf"])),
            epub=feeds.File(f"{name}.epub", "application/epub+zip", len(files[f"{name}.epub"])),
            thumbnail=feeds.File(f"{name}.png", "image/png", len(files[f"{name}.png"])),
            thumbnail_px=Image.open(io.BytesIO(files[f"{name}.png"])).size, anchor=name))
        items.append({
            "anchor": name, "title": shown.title, "date": document.meta.date.isoformat(),
            "dateline": shown.dateline or render.date_text(document.meta.date, document.labels),
            "lang": document.meta.lang,
            "cover": f"{document.labels['cover']}{document.labels['colon']}{shown.title}",
            "keywords": shown.keywords, "summary": _summary(document),
            "pdf": f"{name}.pdf", "epub": f"{name}.epub", "thumbnail": f"{name}.png",
            "pdf_size": _size(entry.pdf, document.labels),
            "epub_size": _size(entry.epub, document.labels),
        })
    first = built[0].document if built else None
    meta = (first.display or first.meta) if first else None
    page_css = (styles / "web.css").read_text(encoding="utf-8")
    faces = [f for f in fonts.house_faces() if (f.family, f.weight, f.style) in WEB_FACES]
    css = fonts.font_face_css(tuple(faces), lambda face: f"fonts/{face.path.stem}.woff2")
    page = render.environment().get_template("index.html.j2").render(
        lang=meta.lang if meta else "fr", series=(meta.series if meta else None) or "Bloc-Notes",
        publisher=meta.publisher if meta else None, rights=meta.rights if meta else None,
        items=items, css=Markup(css + page_css),  # our own stylesheet: not to be escaped
        feed=feeds.FEED, catalog=feeds.CATALOG, catalog_type=feeds.CATALOG_TYPE,
    )
    text = page + "".join(str(item["title"]) for item in items)
    for face in faces:
        files[f"fonts/{face.path.stem}.woff2"] = fonts.subset_font(face.path, text, "woff2")
    files["index.html"] = page.encode("utf-8")
    files[feeds.FEED] = feeds.atom_feed(published, "index.html")
    files[feeds.CATALOG] = feeds.opds_catalog(published, "index.html")
    written = []
    for relative, data in sorted(files.items()):
        atomic.write_bytes(out / relative, data)
        written.append(out / relative)
    sums = "".join(f"{hashlib.sha256(files[r]).hexdigest()}  {r}\n" for r in sorted(files))
    atomic.write_bytes(out / "SHA256SUMS", sums.encode("utf-8"))
    return [*written, out / "SHA256SUMS"]
