"""The hand-out folder (`<out>/site/`): exactly the files to upload, and SHA256SUMS.

Dated copies of each Bloc-Notes, thumbnails, the series' web page and its fonts, the Atom
feed and the OPDS catalog; every file is listed in SHA256SUMS and nothing else stays in the
folder (the builds, the page map, the image cache and the build records stay in `<out>/`).
"""

from __future__ import annotations

import hashlib
import io
import pickle
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from markupsafe import Markup
from PIL import Image

from . import article, atomic, feeds, fonts, freshness, labels, languages, markup, render, search, style
from .editions import ARTICLE, EPUB, HANDED_OUT, WEB, dated
from .epub import COVER_IMAGE
from .imagecache import ImageCache
from .model import Typeset

SUMS = "SHA256SUMS"
THUMBNAIL_WIDTH = 300


@dataclass(frozen=True)
class Built:
    """A document (typeset) and the files of its editions handed out (editions.HANDED_OUT:
    the PDF, the EPUB, the print shop's PDF), by edition name."""

    document: Typeset
    files: Mapping[str, Path]


def _size(size: int, labels: Mapping[str, str]) -> str:
    """A file's size (bytes) in the labels' units: '97 Ko', '1.2 MB'."""
    if size < 1024 * 1024:
        return f"{size / 1024:.0f}\u00a0{labels['kilobytes']}"
    return f"{size / 1024 / 1024:.1f}\u00a0{labels['megabytes']}"


def _summary(document: Typeset, limit: int = 220) -> str:
    text = markup.plain(markup.parse_fragment(document.abstract_html))
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0] + "…"


class _Memo:
    """The slow steps of a hand-out (a thumbnail, a web font cut down to the page's text)
    kept in the build folder under a digest of what they are made from and of the package,
    so that laying the folder out again redoes none of them. Without a folder, no memo."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        self.used: set[Path] = set()

    def get(self, parts: list[bytes], make: Callable[[], bytes]) -> bytes:
        if self.folder is None:
            return make()
        digest = hashlib.sha256(freshness.toolchain().encode())
        for part in parts:
            digest.update(hashlib.sha256(part).digest())
        path = self.folder / f"{digest.hexdigest()}.bin"
        self.used.add(path)
        try:
            return path.read_bytes()
        except OSError:
            data = make()
            atomic.write_bytes(path, data)
            return data

    def prune(self) -> None:
        """Forget what this hand-out no longer uses."""
        if self.folder is not None and self.folder.is_dir():
            for path in self.folder.iterdir():
                if path not in self.used:
                    path.unlink(missing_ok=True)


def _thumbnail(epub: bytes) -> bytes:
    """The EPUB's own cover, scaled down (drawn once, when the EPUB was built)."""
    with zipfile.ZipFile(io.BytesIO(epub)) as archive:
        image = Image.open(io.BytesIO(archive.read(f"EPUB/{COVER_IMAGE}")))
    height = round(image.height * THUMBNAIL_WIDTH / image.width)
    buffer = io.BytesIO()
    image.convert("RGB").resize((THUMBNAIL_WIDTH, height), Image.LANCZOS).save(
        buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def _documents(entries: list[Built], memo: _Memo
               ) -> tuple[dict[str, bytes], list[dict[str, object]], list[feeds.Published]]:
    """The dated copies and thumbnails of each Bloc-Notes, its entry on the web page and in
    the feeds."""
    files: dict[str, bytes] = {}
    items, published = [], []
    for entry in entries:
        document = entry.document
        shown = document.display
        name = dated(document.slug, document.meta.date)  # each edition's
        offered = []  # what readers are offered (the PDF, the EPUB), in the table's order
        for edition in HANDED_OUT:
            file_name = edition.path_name(name)
            files[file_name] = entry.files[edition.name].read_bytes()
            if edition.offered:
                offered.append(feeds.File(file_name, edition.media_type,
                                          len(files[file_name]), edition.offered))
        epub = files[EPUB.path_name(name)]  # its cover is the thumbnail
        files[f"{name}.png"] = memo.get([b"thumbnail", epub], partial(_thumbnail, epub))
        published.append(feeds.Published(
            document, files=tuple(offered),
            thumbnail=feeds.File(f"{name}.png", "image/png", len(files[f"{name}.png"])),
            thumbnail_px=Image.open(io.BytesIO(files[f"{name}.png"])).size, anchor=name,
            article=ARTICLE.path_name(name)))
        items.append({
            "anchor": name, "title": shown.title, "date": document.meta.date.isoformat(),
            "dateline": shown.dateline or render.date_text(document.meta.date, document.labels),
            "lang": document.meta.lang, "number": render.number_text(shown, document.labels),
            "cover": f"{document.labels['cover']}{document.labels['colon']}{shown.title}",
            "keywords": shown.keywords, "summary": _summary(document),
            "thumbnail": f"{name}.png",
            "article": ARTICLE.path_name(name),
            "downloads": [{"href": file.name, "format": file.label, "media_type": file.media_type,
                           "size": _size(file.size, document.labels)} for file in offered],
        })
    return files, items, published


def _web_sheet(house: style.Style, names: tuple[str, ...]) -> str:
    """The web pages' stylesheets of the style `house` (each the files of its chain, the
    base's first), checked (each colour one of its style.yaml: an unknown one is an error at
    its line), after the style's colours as custom properties, light and dark (the pages
    keep var(): the dark colours replace the light)."""
    sheets = [(style.read_stylesheet(path, shipped=True), path)
              for name in names for path in house.sheets(name)]
    for text, path in sheets:
        house.resolve(text, path)  # only to check the colours' names
    return house.root_css() + house.dark_css() + "".join(text for text, _ in sheets)


class _WebStyles:
    """Each style the web pages use, read once, with its web stylesheet read and checked
    once (the articles and the series' page share `web.css`)."""

    def __init__(self, styles: Path) -> None:
        self.styles = styles
        self.houses: dict[Path, style.Style] = {}
        self.sheets: dict[tuple[Path, tuple[str, ...]], str] = {}

    def get(self, name: str | None, sheets: tuple[str, ...]) -> tuple[style.Style, str]:
        """The Style `name` chose (the default one for None) and its stylesheets `sheets`."""
        folder = style.folder(self.styles, name)
        if folder not in self.houses:
            self.houses[folder] = style.read(folder)
        if (folder, sheets) not in self.sheets:
            self.sheets[folder, sheets] = _web_sheet(self.houses[folder], sheets)
        return self.houses[folder], self.sheets[folder, sheets]


def _article_page(document: Typeset, rendition: str, css: str,
                  pictures: Mapping[str, article.Picture], around: article.Around, name: str
                  ) -> bytes:
    return article.page(document, rendition, css, pictures, around, name).encode("utf-8")


def _articles(entries: list[Built], items: list[dict[str, object]], styles: _WebStyles,
              memo: _Memo, images: ImageCache, environ: Mapping[str, str]
              ) -> tuple[dict[str, bytes], list[fonts.Face]]:
    """The web edition of each Bloc-Notes (article.py), in the style it chose, from its
    rendition (as its PDF and EPUB were made), with its images; and the web fonts they use."""
    files: dict[str, bytes] = {}
    used: list[fonts.Face] = []
    for entry, item in zip(entries, items, strict=True):
        document = entry.document
        house, sheet = styles.get(document.meta.style, ARTICLE.stylesheets)
        when = render.build_date(document, environ)
        rendition = render.render_html(document, when)
        faces = fonts.edition_faces("web", house)
        if "<code" in rendition:
            faces += fonts.mono_faces(house)
        used += [face for face in faces if face not in used]
        css = fonts.font_face_css(faces, lambda face: f"fonts/{face.stem}.woff2") + sheet
        pictures, pixels = article.pictures(document, str(item["anchor"]), images.prepare)
        files.update(pixels)
        around = article.Around(
            index=WEB.file_name, feed=feeds.FEED, catalog=feeds.CATALOG,
            catalog_type=feeds.CATALOG_TYPE,
            downloads=tuple(article.Download(file["href"], file["media_type"], file["size"],
                                             file["format"]) for file in item["downloads"]),
            thumbnail=str(item["thumbnail"]), site_url=document.meta.site_url)
        name = str(item["article"])
        files[name] = memo.get(
            [b"article", rendition.encode(), css.encode(), name.encode(),
             pickle.dumps((document.meta, document.display, document.labels, around,
                           sorted(pictures.items())))],
            partial(_article_page, document, rendition, css, pictures, around, name))
    return files, used


def _web_page(first: Typeset | None, items: list[dict[str, object]], styles: _WebStyles,
              memo: _Memo, more_text: str = "", more_faces: tuple[fonts.Face, ...] = ()
              ) -> dict[str, bytes]:
    """index.html, the series' page (newest first; the series named by `first`, in the style
    `first` chose under the styles folder `styles`), and the subset web fonts it uses (and
    the pages of `more_text` use, in `more_faces` too)."""
    meta = first.display if first else None
    house, page_css = styles.get(first.meta.style if first else None, WEB.stylesheets)
    faces = fonts.edition_faces("web", house)
    css = fonts.font_face_css(faces, lambda face: f"fonts/{face.stem}.woff2")
    page = render.environment().get_template("index.html.j2").render(
        lang=meta.lang if meta else languages.DEFAULT, series=(meta.series if meta else None)
        or (first.labels if first else labels.default_words())["series"],
        publisher=meta.publisher if meta else None, rights=meta.rights if meta else None,
        items=items, css=Markup(css + page_css),  # our own stylesheet: not to be escaped
        feed=feeds.FEED, catalog=feeds.CATALOG, catalog_type=feeds.CATALOG_TYPE,
        search=bool(items), search_script=search.SCRIPT,
        words=first.labels if first else labels.default_words(),
    )
    text = "".join(sorted(set(page + "".join(str(item["title"]) for item in items) + more_text)))
    files = {f"fonts/{face.stem}.woff2": memo.get(
        [b"woff2", str(face.path).encode(), text.encode()],
        partial(fonts.subset_font, face.path, text, "woff2"))
        for face in (*faces, *(face for face in more_faces if face not in faces))}
    files[WEB.file_name] = page.encode("utf-8")
    return files


def _publish(site: Path, files: dict[str, bytes]) -> list[Path]:
    """Make `site` hold exactly `files` and SHA256SUMS: a file that changed is replaced
    atomically, one that did not is left as it is, any other file is removed."""
    files = {**files, SUMS: "".join(f"{hashlib.sha256(files[name]).hexdigest()}  {name}\n"
                                    for name in sorted(files)).encode("utf-8")}
    written = []
    for relative, data in sorted(files.items()):
        path = site / relative
        if not (path.is_file() and path.stat().st_size == len(data) and path.read_bytes() == data):
            atomic.write_bytes(path, data)
        written.append(path)
    if site.is_dir():
        keep = {site / relative for relative in files}
        for path in sorted(site.rglob("*"), reverse=True):  # files before their folders
            if path.is_dir() and not path.is_symlink():
                if not any(path.iterdir()):
                    path.rmdir()
            elif path not in keep:
                path.unlink()
    return written


def hand_out(built: list[Built], site: Path, styles: Path, memo: Path | None = None,
             images: Path | None = None, environ: Mapping[str, str] | None = None
             ) -> list[Path]:
    """Lay `site` out: `<date>-<slug>.pdf/.epub/.png`, `<date>-<slug>-impression.pdf`,
    index.html and its fonts/, the Atom feed, the OPDS catalog, SHA256SUMS listing every one
    of them, and nothing else. The web page is in the style of the newest of `built` (a folder
    of the styles folder `styles`), whose series the feeds name too.
    `memo`: a folder where thumbnails and web fonts are kept for the next time; `images`:
    the image cache's folder; `environ`: the build's (its SOURCE_DATE_EPOCH)."""
    entries = sorted(built, key=lambda b: (b.document.meta.date, b.document.slug), reverse=True)
    memory = _Memo(memo)
    files, items, published = _documents(entries, memory)
    web_styles = _WebStyles(styles)
    pages, faces = _articles(entries, items, web_styles, memory, ImageCache(images),
                             environ or {})
    files.update(pages)
    text = "".join(sorted(set("".join(data.decode("utf-8") for name, data in pages.items()
                                      if name.endswith(".html")))))
    files.update(_web_page(entries[0].document if entries else None, items, web_styles,
                           memory, text, tuple(faces)))
    files.update(search.bundle(files, memory.get))
    # More views of the same series join here, before the folder is written and summed.
    files[feeds.FEED] = feeds.atom_feed(published, WEB.file_name)
    files[feeds.CATALOG] = feeds.opds_catalog(published, WEB.file_name)
    written = _publish(site, files)
    memory.prune()
    return written
