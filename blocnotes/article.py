"""The web edition: each Bloc-Notes as an accessible page of the hand-out folder
(`<date>-<name>.html`), made from the one rendition the PDF and the EPUB start from.

Pure: the typeset document, its rendition, the style's stylesheet and the names and sizes of
its handed-out files in, the page's text out. The page needs no script to read; the search
box is the one enhancement that does (search.js, over Pagefind's index).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin

from lxml import etree
from markupsafe import Markup

from . import epub, images, lint, render
from .errors import BlocNotesError
from .model import Typeset

XHTML = "http://www.w3.org/1999/xhtml"
X = f"{{{XHTML}}}"
# The smaller of a photo's two files (the EPUB's, at most 1600 px, is the larger): a phone's
# screen at twice its pixels, where the text column is about 400 px wide.
SMALL = images.Target((800, 800), images.EPUB_QUALITY, limit=True)
SMALL_WIDTH = SMALL.box[0]
SIZES = "(max-width: 46rem) 100vw, 42rem"  # the text column of web.css, as the browser sees it


@dataclass(frozen=True)
class Picture:
    """An image as the page shows it: its file (the EPUB's pixels), the smaller one (None:
    the image is that small already, or a drawing), their widths and its height."""

    src: str
    width: int
    height: int
    small: str | None = None
    small_width: int = 0


@dataclass(frozen=True)
class Download:
    """A handed-out file the page links to: its name in the folder, media type, size as
    read ('97 Ko')."""

    name: str
    media_type: str
    size: str
    label: str  # the format as readers know it ("PDF"): the edition's `offered`


@dataclass(frozen=True)
class Around:
    """What the page links to beside its text: the series' page, the feeds, the files."""

    index: str
    feed: str
    catalog: str
    catalog_type: str
    downloads: tuple[Download, ...]  # the editions offered to readers, in the table's order
    thumbnail: str
    site_url: str | None = None


def pictures(document: Typeset, folder: str,
             prepare: Callable[[Path, images.Target], images.Prepared]
             ) -> tuple[dict[str, Picture], dict[str, bytes]]:
    """The images of `document` as its page shows them (by their address in the source), and
    their files under `folder/` of the hand-out: each the EPUB's pixels (`prepare`: the image
    cache's), and a photo wider than SMALL_WIDTH also that wide."""
    shown: dict[str, Picture] = {}
    files: dict[str, bytes] = {}
    lines = {image.src: image.line for image in document.images}
    for number, src in enumerate(sorted(lines), start=1):
        path = lint.local_file(document.source, src) if lint.is_local(src) else None
        if path is None:  # a remote image never reaches a hand-out: its EPUB refused it
            continue
        try:
            full = prepare(path, images.EPUB)
            small = (prepare(path, SMALL) if full.suffix != ".svg" and full.size[0] > SMALL_WIDTH
                     else None)
        except images.ImageError as error:
            raise BlocNotesError(document.source, lines[src],
                                 f"image '{src[:80]}' {error}") from None
        name = f"{folder}/{number:02d}{full.suffix}"
        files[name] = full.data
        picture = Picture(name, *full.size)
        if small is not None and small.size[0] < full.size[0]:
            small_name = f"{folder}/{number:02d}-{small.size[0]}w{small.suffix}"
            files[small_name] = small.data
            picture = Picture(name, *full.size, small_name, small.size[0])
        shown[src] = picture
    return shown, files


def _tidy(root: etree._Element) -> None:
    """The rendition's attributes for the PDF and the EPUB (block numbers, running heads,
    the EPUB's types) taken out; links that lead nowhere yet ('#') made placeholders."""
    for element in root.iter():
        for name in [name for name in element.attrib if name.startswith("data-")]:
            del element.attrib[name]
        if element.tag == f"{X}a" and element.get("href") in ("", "#"):
            del element.attrib["href"]


def _pictures(root: etree._Element, pictures: Mapping[str, Picture]) -> None:
    """Each image at its handed-out file, with its size (nothing moves as it loads), the
    smaller file for narrow screens and lazy loading (but the first)."""
    for index, img in enumerate(root.iter(f"{X}img")):
        picture = pictures.get(img.get("src", ""))
        if picture is None:
            continue
        img.set("src", picture.src)
        if picture.width and picture.height:
            img.set("width", str(picture.width))
            img.set("height", str(picture.height))
        if picture.small:
            img.set("srcset", f"{picture.small} {picture.small_width}w, "
                              f"{picture.src} {picture.width}w")
            img.set("sizes", SIZES)
        if index:
            img.set("loading", "lazy")


def _tables(root: etree._Element) -> None:
    """Each table as the EPUB shows it on a phone: its caption and source outside the box
    that scrolls sideways, the box named and reachable from the keyboard."""
    wrappers = [e for e in root.iter() if "table-wrap" in (e.get("class") or "").split()]
    for number, wrapper in enumerate(wrappers, start=1):
        epub.phone_table(wrapper, number)  # the EPUB's: one way to show a table


def _html(element: etree._Element) -> Markup:
    """An element of the rendition as HTML (namespace dropped, void elements as HTML
    writes them), without what follows it."""
    element.tail = None
    for node in element.iter():
        if isinstance(node.tag, str) and node.tag.startswith(X):
            node.tag = node.tag[len(X):]
    etree.cleanup_namespaces(element)
    # libxml2's HTML writer knows HTML 4's void elements: <wbr> (an address's break) is not one
    html = etree.tostring(element, method="html", encoding="unicode").replace("</wbr>", "")
    return Markup(html)


def _json_ld(document: Typeset, around: Around, url: str | None) -> Markup:
    """The schema.org Article: title, date, authors, publisher, image, rights, series."""
    shown = document.display
    base = around.site_url
    data: dict[str, object] = {
        "@context": "https://schema.org", "@type": "Article",
        "headline": shown.title, "description": render.description(document),
        "inLanguage": document.meta.lang, "datePublished": document.meta.date.isoformat(),
        "image": urljoin(base, around.thumbnail) if base else around.thumbnail,
    }
    if url:
        data["url"] = url
        data["mainEntityOfPage"] = url
    if shown.authors:
        data["author"] = [{"@type": "Person", "name": name} for name in shown.authors]
    if shown.publisher:
        data["publisher"] = {"@type": "Organization", "name": shown.publisher}
    if shown.keywords:
        data["keywords"] = list(shown.keywords)
    if shown.rights:
        data["copyrightNotice"] = shown.rights
        data["license"] = shown.rights
    if shown.series:
        data["isPartOf"] = {"@type": "Periodical", "name": shown.series}
    text = json.dumps(data, ensure_ascii=False, indent=1)
    return Markup(text.replace("</", "<\\/"))  # never closes its <script>


def page(document: Typeset, rendition: str, css: str, pictures: Mapping[str, Picture],
         around: Around, file_name: str, search: bool = True,
         search_script: str = "search.js") -> str:
    """The web page of `document` (its `rendition`, render.render_html's) in the style's
    stylesheet `css` (its fonts' rules first), its images at `pictures` (by their address
    in the source), linking to the files and pages of `around`; `file_name`: its own name,
    for its canonical address."""
    root = etree.fromstring(rendition.encode("utf-8"))
    body = root.find(f"{X}body")
    assert body is not None
    _tidy(body)
    _pictures(body, pictures)
    _tables(body)
    parts = body.findall(f"{X}section")
    title_page = next(p for p in parts if "titlepage" in p.get("class", ""))
    colophon = next(p for p in parts if "colophon" in p.get("class", ""))
    chapters = [p for p in parts if p is not title_page and p is not colophon]
    head = {child.get("class", "").split()[0] if child.get("class") else child.tag: child
            for child in title_page}
    masthead = title_page.find(f"{X}header")
    title = title_page.find(f"{X}h1")
    assert masthead is not None and title is not None
    title.attrib.pop("class", None)
    for chapter in chapters:
        heading = chapter.find(f".//{X}h2")
        chapter.attrib.clear()
        chapter.set("class", "chapter")
        if heading is not None and heading.get("id"):
            chapter.set("aria-labelledby", heading.get("id", ""))
    colophon.attrib.clear()
    shown = document.display
    labels = document.labels
    url = urljoin(around.site_url, file_name) if around.site_url else None
    return render.environment().get_template("article.html.j2").render(
        lang=document.meta.lang, show=shown, labels=labels,
        series=shown.series or labels["series"],
        number=render.number_text(shown, labels),
        description=render.description(document),
        date=document.meta.date.isoformat(),
        masthead=Markup("".join(_html(child) for child in masthead)),
        title=_html(title),
        subtitle=_html(head["subtitle"]) if "subtitle" in head else None,
        dateline=shown.dateline or render.date_text(document.meta.date, labels),
        summary=_html(head["summary"]) if "summary" in head else None,
        intro=_html(head["intro"]) if "intro" in head else None,
        chapters=[_html(chapter) for chapter in chapters],
        colophon=Markup("".join(_html(child) for child in colophon)),
        around=around, url=url, image=urljoin(around.site_url, around.thumbnail)
        if around.site_url else None,
        json_ld=_json_ld(document, around, url),
        css=Markup(css),  # our own stylesheet, checked: not to be escaped
        search=search, search_script=search_script,
    )
