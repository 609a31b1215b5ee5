"""PDF writer: the HTML rendition through WeasyPrint, reading only allowed files."""

from __future__ import annotations

import hashlib
import io
import logging
import os
import re
import tempfile
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

from . import fonts, images, inputs, makeup, render, scratch, xmp
from .budgets import DEFAULT, Limits
from .editions import Edition
from .errors import BlocNotesError, Diagnostic
from .imagecache import ImageCache
from .lint import IMAGE_TYPES
from .model import PageStart


def _isolate_fontconfig() -> None:
    """Make fontconfig see only our font folders, so no font of the machine is ever used.

    Must run before WeasyPrint (Pango, fontconfig) loads: fontconfig reads FONTCONFIG_FILE once.
    """
    text = fonts.fontconfig_text()
    digest = hashlib.sha256(text.encode()).hexdigest()[:16]
    path = Path(tempfile.gettempdir()) / f"blocnotes-{os.getuid()}-{digest}.conf"
    if not path.is_file():
        partial = path.with_suffix(f".{os.getpid()}.part")
        partial.write_text(text, encoding="utf-8")
        os.replace(partial, path)
    os.environ["FONTCONFIG_FILE"] = str(path)


_isolate_fontconfig()

import PIL.Image  # noqa: E402
import pydyf  # noqa: E402  (WeasyPrint's PDF writer)
import weasyprint  # noqa: E402  (after fontconfig is set up)
import weasyprint.pdf.stream  # noqa: E402
import weasyprint.pdf.tags  # noqa: E402
from weasyprint import DEFAULT_OPTIONS, HTML  # noqa: E402
from weasyprint.images import RasterImage  # noqa: E402
from weasyprint.layout.background import layout_box_backgrounds  # noqa: E402
from weasyprint.text.fonts import FontConfiguration  # noqa: E402
from weasyprint.urls import URLFetcher, URLFetcherResponse  # noqa: E402

# WeasyPrint 70 tags a pseudo-element by its element's tag and its name ('span::footnote-call'),
# which it does not know (NonStruct, like any unknown tag): a note's call is tagged a
# /Reference and the note's number a /Lbl instead (PDF 1.7); _notes tags the note itself.
# The first of two overrides of WeasyPrint's tagging: a function of the tag's name alone.
NOTE_TAGS = {"footnote-call": "Reference", "footnote-marker": "Lbl"}
_weasyprint_tag = weasyprint.pdf.tags._get_pdf_tag


def _pdf_tag(tag: str | None) -> str:
    return NOTE_TAGS.get((tag or "").partition("::")[2]) or _weasyprint_tag(tag)


weasyprint.pdf.tags._get_pdf_tag = _pdf_tag

# A letter-spaced label ("BLOC-NOTES" in small capitals) is set letter by letter, with gaps
# that extractors take for spaces ("B LO C- N OT E S"): its marked content says what it reads,
# /ActualText, which poppler (pdftotext, Evince, Okular) and Acrobat copy instead of the
# glyphs. The second override of WeasyPrint's tagging: its marked content, given that entry.
_weasyprint_marked = weasyprint.pdf.stream.Stream.marked


@contextmanager
def _marked(self: weasyprint.pdf.stream.Stream, box: object, tag: str) -> Iterator[None]:
    with _weasyprint_marked(self, box, tag):
        spacing = box.style["letter_spacing"]  # type: ignore[attr-defined]
        text = getattr(box, "text", None)  # (an image is marked too: a 'Figure')
        if self._tags is not None and spacing != "normal" and spacing and text and \
                isinstance(self.stream[-2], pydyf.Dictionary) and "MCID" in self.stream[-2]:
            text = text.replace("\u00ad", "").replace(render.LAYOUT_HYPHEN, "\u00ad")
            self.stream[-2]["ActualText"] = pydyf.String(text)  # the property list just opened
        yield


weasyprint.pdf.stream.Stream.marked = _marked  # type: ignore[method-assign]

# The document's base URL: fixed, so the PDF does not depend on the folder it was built in.
# The fetcher maps it to the source's folder.
BASE_URL = "https://source.invalid/"


@dataclass(frozen=True)
class ImagePlan:
    """What one PDF edition makes of the source's images: at most `ppi` at the printed size,
    photos in JPEG at `quality`, CMYK kept or made sRGB; prepared once, kept in `cache`."""

    cache: ImageCache
    ppi: int
    quality: int
    keep_cmyk: bool = False
    limit: bool = False  # `ppi` at most, even where a map's file would be lighter at its own size

    def printed(self, width_px: float, height_px: float) -> images.Target:
        """The target of an image printed `width_px` x `height_px` CSS pixels (96 to the inch)."""
        return images.at_ppi(width_px * 25.4 / 96, height_px * 25.4 / 96, self.ppi, self.quality,
                             self.keep_cmyk, self.limit)


def image_plan(edition: Edition, cache: ImageCache) -> ImagePlan:
    """The images of an edition: the print shop's (CMYK inks) at press resolution, CMYK
    kept; the others at screen resolution, in sRGB."""
    if edition.cmyk:
        return ImagePlan(cache, images.PRESS_PPI, images.PRESS_QUALITY, keep_cmyk=True,
                         limit=True)  # the print shop's promise: 300 to 450 ppi
    return ImagePlan(cache, images.SCREEN_PPI, images.SCREEN_QUALITY)


class GuardedFetcher(URLFetcher):
    """URL fetcher that reads local files under `roots` and data: URLs, and nothing else.

    Addresses under BASE_URL are files of `folder` (the source's folder); with `stand_ins`,
    its images are given as _image() makes them.
    """

    def __init__(self, roots: tuple[Path, ...], allow_remote: bool = False,
                 folder: Path | None = None, stand_ins: bool = False,
                 limits: Limits = DEFAULT) -> None:
        super().__init__(timeout=10, allow_redirects=False)
        self.roots = tuple(root.resolve() for root in roots)
        self.allow_remote = allow_remote
        self.folder = folder
        self.stand_ins = stand_ins
        self.limits = limits  # the document's budgets, for its images
        self.refused: list[str] = []
        self.rasters: dict[str, Path | bytes] = {}  # address -> file (or bytes) of each raster

    def fetch(self, url: str, headers: dict[str, str] | None = None):  # type: ignore[override]
        asked, beside = url, False
        if self.folder is not None and url.startswith(BASE_URL):
            local = self.folder / unquote(urlsplit(url).path).lstrip("/")
            url, beside = local.resolve().as_uri(), True
        scheme = urlsplit(url).scheme.lower()
        if scheme in ("http", "https") and self.allow_remote and self.stand_ins:
            return self._remote(url, super().fetch(url, headers))
        if scheme == "data" or (scheme in ("http", "https") and self.allow_remote):
            return super().fetch(url, headers)
        if scheme == "file":
            path = Path(unquote(urlsplit(url).path)).resolve()
            if any(path.is_relative_to(root) for root in self.roots):
                if beside and self.stand_ins and path.suffix.lower() in IMAGE_TYPES:
                    return self._image(asked, path)
                return super().fetch(url, headers)
            self.refused.append(f"'{url}': it is outside the source's folder (put the file "
                                "beside the source and use a relative path)")
        else:
            self.refused.append(f"'{url}': nothing is fetched from the network by default "
                                "(download it beside the source, or use --allow-remote)")
        raise ValueError(f"refused: {url}")

    def _image(self, url: str, image: Path | bytes) -> URLFetcherResponse:
        """An image (a file of the source's folder, or fetched bytes), under its own address
        (WeasyPrint never reads the file itself): an SVG cleaned, a raster's stand-in for the
        layout (see fit_images)."""
        name = image.name if isinstance(image, Path) else url
        try:
            if isinstance(image, Path):
                with image.open("rb") as stream:
                    head = stream.read(512)
            else:
                head = image[:512]
            if images.is_svg(head):
                data = inputs.read_bytes(image) if isinstance(image, Path) else image
                prepared = images.Prepared(images.clean_svg(data, self.limits), ".svg", (0, 0))
            else:
                prepared = images.stand_in(image, self.limits)  # from the header: not the whole file
        except images.ImageError as error:
            self.refused.append(f"the image '{name}': it {error}")
            raise
        if prepared.suffix != ".svg":
            self.rasters[url] = image
        return URLFetcherResponse(url, prepared.data,
                                  {"Content-Type": IMAGE_TYPES[prepared.suffix]})

    def _remote(self, url: str, response: URLFetcherResponse) -> URLFetcherResponse:
        """A fetched resource: an image is prepared like a local one (with --allow-remote,
        only the document's images are fetched)."""
        try:
            data = response.read()
        finally:
            response.close()
        if response.content_type.startswith("image/"):
            return self._image(url, data)
        return URLFetcherResponse(url, data, response.headers, response.status)


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextmanager
def _captured_warnings() -> Iterator[_Collect]:
    """WeasyPrint's log lines during a render, captured instead of printed."""
    logger = logging.getLogger("weasyprint")
    handler, propagate = _Collect(), logger.propagate
    logger.addHandler(handler)
    logger.propagate = False
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate


@contextmanager
def _fixed_clock(epoch: int) -> Iterator[None]:
    """SOURCE_DATE_EPOCH during a render: where HarfBuzz's subsetter is missing, WeasyPrint
    subsets the PDF's fonts with fontTools, which stamps them with it; so the PDF's bytes do
    not depend on the clock."""
    previous = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = str(epoch)
    try:
        yield
    finally:
        if previous is None:
            del os.environ["SOURCE_DATE_EPOCH"]
        else:
            os.environ["SOURCE_DATE_EPOCH"] = previous


def _first_text(box: object, blocks: list[str]) -> tuple[str, str] | None:
    if type(box).__name__ == "MarginBox":
        return None
    element = getattr(box, "element", None)
    if element is not None and element.get("data-bn") is not None:
        blocks = [*blocks, element.get("data-bn")]
    if type(box).__name__ == "TextBox" and box.text.strip() and blocks:
        return blocks[-1], box.text
    for child in getattr(box, "children", ()):
        found = _first_text(child, blocks)
        if found:
            return found
    return None


def page_starts(pages: list) -> list[PageStart]:
    """WeasyPrint's laid-out pages -> where each one begins in the rendition."""
    starts = []
    for number, page in enumerate(pages, start=1):
        found = _first_text(page._page_box, [])
        if found:
            starts.append(PageStart(number, found[0], " ".join(found[1].split())))
    return starts


# WeasyPrint warns once per font when HarfBuzz's subsetter is missing: noise for our users.
_NOISE = ("harfbuzz", "fonttools", "subset")


@cache
def _font_config() -> FontConfiguration:
    """One font configuration per process: the @font-face fonts are loaded and registered
    once, not at each document of a series or each rebuild in watch mode (0.05 s each).
    Its folder of fonts is one of ours (scratch.py): WeasyPrint makes it in the system's temp
    folder, where a killed build leaves it for good."""
    config = FontConfiguration()
    config._folder = scratch.folder("weasyprint-")  # WeasyPrint makes it when None (fonts.py)
    return config


def _lay_out(html: str, source: Path, roots: tuple[Path, ...], allow_remote: bool,
             plan: ImagePlan | None = None, limits: Limits = DEFAULT) -> weasyprint.Document:
    """Lay the rendition out with our fetcher; a resource it refused is an error. The source's
    images are laid out as stand-ins (their SVGs cleaned); with a `plan`, each then gets
    the pixels it needs for the size it prints at (within the document's budgets,
    `limits`, which a `plan`'s cache holds)."""
    fetcher = GuardedFetcher(roots, allow_remote, source.parent.resolve(), stand_ins=True,
                             limits=plan.cache.limits if plan else limits)
    loaded: dict = {}  # WeasyPrint's images by address
    try:
        document = HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher).render(
            font_config=_font_config(), cache=loaded)
    except (IndexError, KeyError, TypeError, ValueError, AttributeError, AssertionError) as error:
        # a fault of the layout engine on some construct: one clean line, not a traceback
        raise BlocNotesError(source, None, f"the PDF layout failed ({type(error).__name__}: "
                             f"{str(error)[:80]}): simplify the last construct you added, and "
                             "report the document to the maintainers") from None
    if fetcher.refused:
        raise BlocNotesError(source, None, f"refused to read {fetcher.refused[0]}")
    if plan and fetcher.rasters:
        try:
            fit_images(document, {loaded[url]: (url, image) for url, image in
                                  fetcher.rasters.items()
                                  if isinstance(loaded.get(url), RasterImage)}, plan, loaded)
        except images.ImageError as error:  # a file whose header read well, its pixels not
            raise BlocNotesError(source, None, str(error)) from None
    return document


# The style keeps headings with their text, so a correction is rare: a few passes at most.
MAKEUP_PASSES = 4
# Floats are placed in two layouts at most after the first (issue 21: three in all).
FLOAT_PASSES = 2


def _render(html: str, source: Path, roots: tuple[Path, ...], allow_remote: bool,
            plan: ImagePlan | None = None, limits: Limits = DEFAULT, floats: bool = True
            ) -> weasyprint.Document:
    """Lay the rendition out with our fetcher (a resource it refused is an error), then make
    it up, laying it out again after a correction: a figure or table that left a hole before
    it (it did not fit at its place) goes after the text that fills the hole (with
    `floats`); a section whose heading was left at the foot of a page (the style's
    break-after: avoid keeps it with its columns; this is a safety net) starts the next
    page; a colophon that makes the last page is set compact where that saves the page;
    else, alone on the last page, it takes the text's last paragraph's end with it."""
    if floats and makeup.WIDE in html:  # wide floats out of the columns (the seed: no parse)
        html = render.amend_pdf_html(html, makeup.spanners_out) or html
    document = _lay_out(html, source, roots, allow_remote, plan, limits)
    if floats:
        html, document = _place_floats(html, document, source, roots, allow_remote, plan,
                                       limits)
    compacted = False
    for _ in range(MAKEUP_PASSES):
        corrected, kept, tried = None, _always, False
        stranded = makeup.stranded_sections(document.pages)
        if stranded:
            corrected = render.amend_pdf_html(
                html, lambda root: makeup.start_pages_at(root, stranded))  # noqa: B023
        elif not compacted and makeup.colophon_may_save_page(document.pages):
            # a try: kept only where it saves the last page; else the carry below, next
            compacted = tried = True
            corrected = render.amend_pdf_html(html, makeup.compact_colophon)
            kept = _fewer_pages
        elif makeup.colophon_alone(document.pages):
            last = makeup.last_lines(document.pages)
            corrected = render.amend_pdf_html(
                html, (lambda root: makeup.carry_last_lines(root, *last)) if last  # noqa: B023
                else makeup.carry_last_block)
            # (the end of the text carried over may empty a page: a section of one long
            # table moved whole leaves the masthead alone; the colophon alone is less)
            kept = _no_page_emptied
        if corrected is None and not tried:  # nothing more to correct
            break
        again = None if corrected is None else \
            _lay_out_again(corrected, source, roots, allow_remote, plan, limits)
        if again is not None and kept(again, document):
            html, document = corrected, again
        elif not tried:
            break
    _spread_pages(document)
    return document


def _always(_again: weasyprint.Document, _before: weasyprint.Document) -> bool:
    return True


def _fewer_pages(again: weasyprint.Document, before: weasyprint.Document) -> bool:
    return len(again.pages) < len(before.pages)


def _no_page_emptied(again: weasyprint.Document, before: weasyprint.Document) -> bool:
    return makeup.textless_pages(again.pages) <= makeup.textless_pages(before.pages)


def _spread_pages(document: weasyprint.Document) -> None:
    """The pages that end before a section with a hole at their foot spread
    (makeup.spread_pages): the boxes moved get their backgrounds placed again, and each
    page its links and anchors, as WeasyPrint does after a layout."""
    for index, moved in makeup.spread_pages(document.pages).items():
        page = document.pages[index]
        for box in moved:
            layout_box_backgrounds(page._page_box, box, _no_image)
        document.pages[index] = type(page)(page._page_box)


def _no_image(**_ignored: object) -> None:
    """No background image is fetched again (makeup.spread_pages moves none)."""
    return None


def _lay_out_again(html: str, source: Path, roots: tuple[Path, ...], allow_remote: bool,
                   plan: ImagePlan | None, limits: Limits) -> weasyprint.Document | None:
    """A layout after a make-up correction, or None where the layout engine failed on the
    corrected HTML (a fault the first layout did not meet): the correction is given up and
    the layout before it kept, so that making a page up never costs the document."""
    try:
        return _lay_out(html, source, roots, allow_remote, plan, limits)
    except BlocNotesError:
        return None


def _place_floats(html: str, document: weasyprint.Document, source: Path,
                  roots: tuple[Path, ...], allow_remote: bool, plan: ImagePlan | None,
                  limits: Limits = DEFAULT) -> tuple[str, weasyprint.Document]:
    """The floats that left a hole before them moved after the text that fills it
    (makeup.stuck_floats), in FLOAT_PASSES more layouts at most; a layout no better than
    the best so far (_emptiness: pages, then holes, then columns apart) is not kept: the
    moves of its first page alone are tried instead, or, with the moves of one page, the
    next placement goes on from it when a float is still stuck in it (no more pages)."""
    tries = FLOAT_PASSES
    best = html, document
    moves = makeup.stuck_floats(document.pages)
    least = _emptiness(document) if moves else None  # the best layout's
    while moves and tries:
        tries -= 1
        corrected = render.amend_pdf_html(
            html, lambda root: makeup.move_floats(root, moves))  # noqa: B023
        if corrected is None:
            break
        placed = _lay_out_again(corrected, source, roots, allow_remote, plan, limits)
        emptiness = _emptiness(placed) if placed is not None else None
        if emptiness is not None and least is not None and emptiness < least:
            html, document = best = corrected, placed
            least = emptiness
            moves = makeup.stuck_floats(document.pages) if tries else []
            continue
        if len({move.page for move in moves}) > 1:  # the moves of the first page alone
            first = min(move.page for move in moves)
            moves = [move for move in moves if move.page == first]
            continue
        # no better, but a float still stuck in it (a section's floats moved after its
        # first lines leave a photo beside an empty column): the next placement goes on
        # from it (no more pages), and the best layout is kept
        moves = makeup.stuck_floats(placed.pages) if placed is not None and tries and \
            len(placed.pages) <= len(best[1].pages) else []
        html, document = corrected, placed
    return best


def _emptiness(document: weasyprint.Document) -> tuple[int, float, float]:
    """(pages, millimetres of holes, how far apart the columns' feet are where sections
    end): what a placement of the floats makes smaller."""
    from .holes import holes

    return len(document.pages), sum(hole.height for hole in holes(document.pages)), \
        makeup.imbalance(document.pages)


def _image_boxes(box: object, found: dict[RasterImage, list]) -> None:
    replacement = getattr(box, "replacement", None)
    if isinstance(replacement, RasterImage):
        found.setdefault(replacement, []).append(box)
    for child in getattr(box, "children", ()):
        _image_boxes(child, found)


def fit_images(document: weasyprint.Document,
               sources: dict[RasterImage, tuple[str, Path | bytes]], plan: ImagePlan,
               loaded: dict) -> None:
    """Put in place of each laid-out raster image's stand-in the image (its address, and its
    file or fetched bytes, in `sources`) prepared for its printed size at the plan's
    resolution (its largest, when it prints several times; never more pixels than the file
    has)."""
    boxes: dict[RasterImage, list] = {}
    for page in document.pages:
        _image_boxes(page._page_box, boxes)
    for image, (url, source) in sources.items():
        if image not in boxes:
            continue
        width = max(box.width for box in boxes[image])
        height = max(box.height for box in boxes[image])
        try:
            prepared = plan.cache.prepare(source, plan.printed(width, height))
        except images.ImageError as error:
            name = source.name if isinstance(source, Path) else url
            raise images.ImageError(f"image '{name}' {error}") from None
        with PIL.Image.open(io.BytesIO(prepared.data)) as pixels:
            fitted = RasterImage(pixels, f"{image.id}fit", prepared.data, None, loaded, "none",
                                 DEFAULT_OPTIONS)
        for box in boxes[image]:
            box.replacement = fitted


def _diagnostics(source: Path, captured: _Collect) -> list[Diagnostic]:
    found = []
    for record in captured.records:
        message = record.getMessage()
        if any(word in message.lower() for word in _NOISE):
            continue
        if "failed to load" in message.lower():
            raise BlocNotesError(source, None, f"{message} (check the file name and path)")
        found.append(Diagnostic(source, None, f"renderer: {message}"))
    return found


def layout(html: str, source: Path, roots: tuple[Path, ...], allow_remote: bool = False,
           limits: Limits = DEFAULT, floats: bool = True) -> weasyprint.Document:
    """Lay the HTML rendition out as the PDF would be, made up (its floats placed, or not),
    without writing it."""
    with _captured_warnings() as captured:
        document = _render(html, source, roots, allow_remote, None, limits, floats)
    _diagnostics(source, captured)
    return document


def layout_starts(html: str, source: Path, roots: tuple[Path, ...],
                  allow_remote: bool = False, limits: Limits = DEFAULT) -> list[PageStart]:
    """Lay the HTML rendition out as the PDF would be, without writing it -> page starts."""
    return page_starts(layout(html, source, roots, allow_remote, limits).pages)


# The print shop's edition (editions.PRESS): its output intent, the registered condition
# FOGRA39, and its bleed.
PRESS_BLEED_MM = 3.0
OUTPUT_CONDITION = {
    "OutputConditionIdentifier": "FOGRA39",
    "RegistryName": "http://www.color.org",
    "OutputCondition": "Offset printing, ISO 12647-2:2004/Amd 1, coated paper (paper type 1 "
                       "or 2), 115 g/m2, screen ruling 60/cm",
    "Info": "Coated FOGRA39 (ISO 12647-2:2004/Amd 1)",
}


def _prepress(_document: object, pdf: pydyf.PDF) -> None:
    """Finish a PDF/X for the press: the registered output condition, the bleed box at
    exactly PRESS_BLEED_MM outside the trim box (WeasyPrint puts it at up to 10 pt), sRGB as
    what DeviceRGB means (crop marks and photos are RGB; PDF/X-4 allows RGB only with a
    defined colour space), no image smoothing left to the RIP, and stable XMP identifiers."""
    bleed = PRESS_BLEED_MM * 72 / 25.4
    srgb = pydyf.Stream([_srgb_profile()], pydyf.Dictionary({"N": 3}), compress=True)
    pdf.add_object(srgb)
    spaces = 0
    for obj in pdf.objects:
        if isinstance(obj, pydyf.Stream) and obj.extra.get("Subtype") == "/Image":
            obj.extra["Interpolate"] = "false"
        if not isinstance(obj, pydyf.Dictionary):
            continue
        if obj.get("Type") == "/Page" and "TrimBox" in obj:
            (left, top, right, bottom), media = obj["TrimBox"], obj["MediaBox"]
            obj["BleedBox"] = pydyf.Array([max(left - bleed, media[0]), max(top - bleed, media[1]),
                                           min(right + bleed, media[2]),
                                           min(bottom + bleed, media[3])])
        elif "lab-d50" in obj:  # WeasyPrint's colour spaces, shared by every page and form
            obj["DefaultRGB"] = pydyf.Array(("/ICCBased", srgb.reference))
            spaces += 1
    if not spaces or "OutputIntents" not in pdf.catalog:
        raise RuntimeError("WeasyPrint's PDF has changed shape: the print finisher needs "
                           "its colour spaces and output intent")
    for intent in pdf.catalog["OutputIntents"]:
        intent.update({key: pydyf.String(value) for key, value in OUTPUT_CONDITION.items()})
    _finish_xmp(pdf)


_DOCUMENT_ID_RE = re.compile(rb"xmp\.did:[0-9a-f-]{36}")


def _finish_xmp(pdf: pydyf.PDF) -> None:
    """WeasyPrint gives a PDF/X's XMP a random DocumentID and calls the file a proof
    (RenditionClass proof:pdf): derive the ID from the metadata instead, so the same source
    gives the same bytes, and declare the file the final rendition ("default")."""
    stream = pdf.objects[_number(pdf.catalog["Metadata"])]
    content = b"".join(stream.stream).replace(
        b"<xmpMM:RenditionClass>proof:pdf</xmpMM:RenditionClass>",
        b"<xmpMM:RenditionClass>default</xmpMM:RenditionClass>")
    seed = hashlib.sha256(_DOCUMENT_ID_RE.sub(b"", content)).hexdigest()
    stable = f"xmp.did:{uuid.UUID(hex=seed[:32], version=5)}".encode()  # name-based
    stream.stream = [_DOCUMENT_ID_RE.sub(stable, content)]


@cache
def _srgb_profile() -> bytes:
    """The sRGB ICC profile WeasyPrint ships (and embeds for PDF/A)."""
    from importlib.resources import files

    return (files("weasyprint.pdf") / "sRGB2014.icc").read_bytes()


FINISHERS = {"prepress": _prepress}  # by the name an edition gives (Edition.finisher)


def _one_packet(pdf: pydyf.PDF, ours: bytes) -> None:
    """WeasyPrint's XMP packet (written for a PDF/A, /UA or /X variant) made one rdf:RDF with
    one rdf:Description, `ours` joined to it (xmp.one_packet)."""
    if "Metadata" not in pdf.catalog:  # no variant: no XMP
        return
    stream = pdf.objects[_number(pdf.catalog["Metadata"])]
    stream.stream = [xmp.one_packet(b"".join(stream.stream), ours)]


_CMAP_START = b"/CIDInit /ProcSet findresource begin"  # WeasyPrint's ToUnicode maps


def _soft_layout_hyphens(pdf: pydyf.PDF) -> None:
    """The layout's hyphens read as soft hyphens (U+00AD) in the text layer: in each font's
    ToUnicode map, the glyph of render.LAYOUT_HYPHEN (one line '<glyph> <2010>') is mapped to U+00AD,
    so that pypdf, pdfminer and pdftotext give "indivi\u00ad" at a line's end, which copying,
    searching and rejoining read as nothing, while a typed "-" stays a hyphen. (/ActualText
    on the broken word would say the same, but pypdf and pdfminer ignore it.)"""
    layout = f" <{ord(render.LAYOUT_HYPHEN):04x}>".encode()
    for obj in pdf.objects:
        if isinstance(obj, pydyf.Stream) and obj.stream[:1] == [_CMAP_START]:
            obj.stream = [line[:-len(layout)] + b" <00ad>"
                          if isinstance(line, bytes) and line.endswith(layout) else line
                          for line in obj.stream]


def _number(reference: bytes | str) -> int:
    """The object number of a pydyf reference (b"12 0 R")."""
    return int(reference.split()[0])


def _reachable(pdf: pydyf.PDF, root: pydyf.Dictionary) -> set[int]:
    """The numbers of the objects the structure tree holds, from its root down."""
    found: set[int] = set()
    kids = list(root["K"])
    while kids:
        kid = kids.pop()
        if not isinstance(kid, bytes | str) or _number(kid) in found:  # an MCID
            continue
        found.add(_number(kid))
        element = pdf.objects[_number(kid)]
        if isinstance(element, pydyf.Dictionary) and element.get("Type") == "/StructElem":
            kids.extend(element["K"])
    return found


def _content(pdf: pydyf.PDF, page: pydyf.Dictionary) -> pydyf.Stream:
    """A page's content stream: the one stream a WeasyPrint page's dictionary refers to."""
    return next(pdf.objects[_number(value)] for value in page.values()
                if isinstance(value, bytes) and value.endswith(b" R")
                and isinstance(pdf.objects[_number(value)], pydyf.Stream))


def _margin_artifacts(pdf: pydyf.PDF) -> None:
    """Running heads and folios (the page's margin boxes) made pagination artifacts, outside
    the structure tree: WeasyPrint 70 marks their text as /Span content and makes them
    structure elements that no element holds (tags.py: an artifact in the tree is PDF 2.0's),
    so readers meet them in the text ("pié page 1 / 3 … tons"). Their marked content becomes
    /Artifact <</Type /Pagination>>, their entries in the parent tree null, their orphan
    elements empty dictionaries. (The crop marks are the print shop's PDF's, which has no
    structure: WeasyPrint draws a tagged PDF's backgrounds and borders as artifacts itself.)"""
    if "StructTreeRoot" not in pdf.catalog:  # an untagged PDF
        return
    root = pdf.objects[_number(pdf.catalog["StructTreeRoot"])]
    held = _reachable(pdf, root)
    marked: dict[int, set[int]] = {}  # StructParents -> the MCIDs of orphan elements
    nums = pdf.objects[_number(root["ParentTree"])]["Nums"]
    for key, value in zip(nums[::2], nums[1::2], strict=True):
        if isinstance(value, pydyf.Array):  # a page's elements, by MCID
            marked[key] = {mcid for mcid, ref in enumerate(value)
                           if ref != "null" and _number(ref) not in held}
            value[:] = ["null" if mcid in marked[key] else ref for mcid, ref in enumerate(value)]
            while value and value[-1] == "null":
                value.pop()
    for reference in pdf.page_references:
        page = pdf.objects[_number(reference)]
        orphans = marked.get(page.get("StructParents"), set())
        stream = _content(pdf, page).stream
        for index, item in enumerate(stream):
            if isinstance(item, pydyf.Dictionary) and item.get("MCID") in orphans:
                stream[index - 1] = "/Artifact"
                stream[index] = pydyf.Dictionary({"Type": "/Pagination"})
    for number, element in enumerate(pdf.objects):
        if isinstance(element, pydyf.Dictionary) and element.get("Type") == "/StructElem" \
                and number not in held:
            element.clear()


def _in_order(pdf: pydyf.PDF, element: pydyf.Dictionary) -> Iterator[pydyf.Dictionary]:
    """The structure elements under `element`, in the tree's (reading) order."""
    for kid in element["K"]:
        if isinstance(kid, bytes | str):
            child = pdf.objects[_number(kid)]
            if isinstance(child, pydyf.Dictionary) and child.get("Type") == "/StructElem":
                yield child
                yield from _in_order(pdf, child)


def _notes(document: weasyprint.Document, pdf: pydyf.PDF) -> None:
    """Footnotes tagged /Note (PDF 1.7), each with its ID (its id in the HTML; PDF/UA asks for
    one) and put in the structure right after its call (a /Reference, NOTE_TAGS): read after
    the sentence that calls it, not at the foot of the page. WeasyPrint 70 tags a page's
    footnote area as a NonStruct of the document (the last element of its page), each note a
    Span in it."""
    if "StructTreeRoot" not in pdf.catalog:
        return
    root = pdf.objects[_number(pdf.catalog["StructTreeRoot"])]
    body = pdf.objects[_number(root["K"][0])]  # the /Document
    notes: list[tuple[pydyf.Dictionary, object]] = []  # (element, box)
    for page, reference in zip(document.pages, pdf.page_references, strict=True):
        area = next((box for box in page._page_box.children
                     if type(box).__name__ == "FootnoteAreaBox"), None)
        if area is None:
            continue
        kept = [kid for kid in body["K"] if pdf.objects[_number(kid)]["Pg"] == reference]
        element = pdf.objects[_number(kept[-1])] if kept else None
        if element is None or element["S"] != "/NonStruct" or \
                len(element["K"]) != len(area.children):
            continue  # not the shape WeasyPrint 70 gives (tests/test_readers.py): as it tagged them
        notes += [(pdf.objects[_number(kid)], box) for kid, box in
                  zip(element["K"], area.children, strict=True)]
        body["K"].remove(kept[-1])
        element.clear()
    calls = [element for element in _in_order(pdf, body) if element["S"] == "/Reference"]
    seen: set[str] = set()
    for index, (note, box) in enumerate(notes):
        name = box.element.get("id") if box.element is not None else None
        name = name if name and name not in seen else f"note-{index + 1}"  # a note split over pages
        seen.add(name)
        note.update({"S": "/Note", "ID": pydyf.String(name)})
        holder = calls[index] if len(calls) == len(notes) else body  # calls missing: at the end
        parent = pdf.objects[_number(holder["P"])] if holder is not body else body
        at = parent["K"].index(holder.reference) + 1 if holder is not body else len(body["K"])
        parent["K"].insert(at, note.reference)
        note["P"] = parent.reference


def _finisher(edition: Edition, ours: bytes) -> Callable[[object, pydyf.PDF], None]:
    """What finishes an edition's PDF: its layout hyphens made soft, its running heads and
    folios artifacts, its notes tagged, one XMP packet, then the edition's own finisher."""
    def finish(document: object, pdf: pydyf.PDF) -> None:
        _soft_layout_hyphens(pdf)
        _margin_artifacts(pdf)
        _notes(document, pdf)  # type: ignore[arg-type]
        if ours:
            _one_packet(pdf, ours)
        if edition.finisher:
            FINISHERS[edition.finisher](document, pdf)
    return finish


def render_pdf(
    html: str, source: Path, roots: tuple[Path, ...], edition: Edition, variant: str,
    allow_remote: bool = False, rdf: bytes = b"", epoch: int = 0,
    image_cache: ImageCache | None = None,
) -> tuple[bytes, list[Diagnostic], list[PageStart]]:
    """The HTML of a PDF edition -> (PDF bytes, warnings, page starts); a missing or refused
    resource is an error.

    `edition` says how the PDF is made (tagged or not, its finisher, its images, whether its
    pages are mapped); `variant` is WeasyPrint's PDF variant (the edition's, or the one the
    settings chose); `rdf` an rdf:RDF block joined to the XMP metadata (one packet); `epoch` the build
    date, in seconds; `image_cache` where the source's images prepared for this edition are
    kept (default: not kept).
    """
    plan = image_plan(edition, image_cache or ImageCache(None))
    with _captured_warnings() as captured, _fixed_clock(epoch):
        document = _render(html, source, roots, allow_remote, plan)
        data = document.write_pdf(
            custom_metadata=True, pdf_variant=variant, pdf_tags=edition.tagged,
            finisher=_finisher(edition, rdf))
    # only the edition whose pages the EPUB marks needs its page map
    starts = page_starts(document.pages) if edition.page_map else []
    return data, _diagnostics(source, captured), starts
