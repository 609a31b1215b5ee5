"""The build: gather and validate every source, then write each output atomically."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import os
import re
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import as_completed
from dataclasses import dataclass, field
from pathlib import Path

from . import atomic, fonts, labels, lint, load, render, typeset, xmp
from .errors import BlocNotesError, Diagnostic
from .imagecache import ImageCache
from .model import Document, PageStart

PDF_VARIANTS = ("pdf/ua-1", "pdf/a-3u", "pdf/a-2u")  # accessible (default), archival
PRINT_PROFILE = "icc/FOGRA39L.icc"  # under the styles folder: see its README.md
PRINT_SUFFIX = "-impression"  # <slug>-impression.pdf: the print shop's edition


@dataclass(frozen=True)
class Settings:
    """Where things are and what to allow; built once by the CLI."""

    out: Path
    styles: Path
    agency_fallback: Path | None = None
    allow_remote: bool = False
    strict: bool = False
    pdf_variant: str = "pdf/ua-1"
    environ: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))


@dataclass
class Outcome:
    """What happened to one source: the files written, the warnings, or the error."""

    source: Path
    written: list[Path] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    error: BlocNotesError | None = None
    document: Document | None = None  # as built (typeset), when the source loaded


def _diagnose(source: Path, settings: Settings, press: bool
              ) -> tuple[Document, list[Diagnostic]]:
    table = labels.read_table(settings.styles / "labels.yaml")
    document = load.load(source, load.agency_file_for(source, settings.agency_fallback), table)
    return document, lint.lint(document, settings.allow_remote, press)


def prepare(source: Path, settings: Settings, press: bool = False
            ) -> tuple[Document, list[Diagnostic]]:
    """Load, lint (for print too with `press`) and typeset one source; raise on the first
    error found."""
    document, diagnostics = _diagnose(source, settings, press)
    _judge(diagnostics, settings)
    return typeset.typeset(document), diagnostics


def _judge(diagnostics: list[Diagnostic], settings: Settings) -> None:
    """Raise every error found (and, with --strict, every warning) at once."""
    failures = (lint.strict_failures if settings.strict else lint.errors_of)(diagnostics)
    if failures:
        raise BlocNotesError.of(failures)


def _read_style(settings: Settings, name: str) -> str:
    path = settings.styles / name
    try:
        return path.read_text(encoding="utf-8")
    except OSError as error:
        raise BlocNotesError(path, None, f"cannot read the stylesheet: {error.strerror}") from None


def _output_profile(settings: Settings) -> str:
    """The @color-profile rule that makes device-cmyk() the print shop's inks (FOGRA39)."""
    path = settings.styles / PRINT_PROFILE
    if not path.is_file():
        raise BlocNotesError(path, None, "the print shop's colour profile is missing "
                             "(restore it from the repository, or run: make icc)")
    return (f'@color-profile device-cmyk {{ src: url("{path.resolve().as_uri()}"); '
            "components: cyan, magenta, yellow, black; }\n")


def print_html(settings: Settings, rendition: str, press: bool = False) -> str:
    """The print HTML: the rendition with the house style and its fonts inlined; with
    `press`, the print shop's edition (bleed, crop marks, CMYK inks, no links)."""
    css = fonts.font_face_css(fonts.faces_for(rendition), lambda face: face.path.resolve().as_uri())
    css += _read_style(settings, "print.css")
    if press:
        css += _output_profile(settings) + _read_style(settings, "print-shop.css")
    return render.for_print(rendition, css, links=not press)


def _roots(document: Document, settings: Settings) -> tuple[Path, ...]:
    return (document.source.parent, settings.styles, *fonts.font_dirs())


def image_cache(settings: Settings) -> ImageCache:
    """Where the images prepared for each edition are kept: beside the page map."""
    return ImageCache(settings.out / ".images")


def _cache_path(document: Document, settings: Settings) -> Path:
    return settings.out / ".pages" / f"{document.slug}.json"


def _save_starts(path: Path, html: str, starts: list[PageStart]) -> None:
    record = {"html": hashlib.sha256(html.encode()).hexdigest(),
              "starts": [dataclasses.asdict(start) for start in starts]}
    atomic.write_bytes(path, json.dumps(record, ensure_ascii=False).encode("utf-8"))


def _load_starts(path: Path, html: str) -> list[PageStart] | None:
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if record.get("html") != hashlib.sha256(html.encode()).hexdigest():
        return None
    return [PageStart(**start) for start in record["starts"]]


def make_pdf(document: Document, settings: Settings, when: dt.datetime, html: str,
             press: bool = False) -> tuple[bytes, list[Diagnostic], list[PageStart]]:
    """Document and its print HTML -> PDF bytes, renderer warnings, where each page begins.
    With `press`, the print shop's PDF/X-4 (from the HTML print_html made with `press`)."""
    from . import pdf  # WeasyPrint is slow to import: only commands that need it pay

    return pdf.render_pdf(html, document.source, _roots(document, settings),
                          settings.allow_remote,
                          pdf.PRINT_VARIANT if press else settings.pdf_variant,
                          xmp.xmp_rdf(document.meta), int(when.timestamp()),
                          image_cache(settings))


def make_press_pdf(document: Document, settings: Settings, when: dt.datetime, rendition: str
                   ) -> tuple[bytes, list[Diagnostic]]:
    """Document and its rendition -> the print shop's PDF/X-4 bytes and renderer warnings."""
    html = print_html(settings, rendition, press=True)
    data, warnings, _ = make_pdf(document, settings, when, html, press=True)
    return data, warnings


def print_page_starts(document: Document, settings: Settings, html: str) -> list[PageStart]:
    """Where each page of the PDF begins: from the last PDF build of the same HTML, else
    from a layout (the only case where an EPUB build needs WeasyPrint)."""
    starts = _load_starts(_cache_path(document, settings), html)
    if starts is None:
        from . import pdf

        starts = pdf.layout_starts(html, document.source, _roots(document, settings),
                                   settings.allow_remote)
    return starts


def make_epub(document: Document, settings: Settings, when: dt.datetime,
              starts: list[PageStart], rendition: str) -> bytes:
    """Document and its rendition -> EPUB bytes (images prepared for e-readers and packaged,
    print pages marked)."""
    from . import epub
    from . import images as pictures

    cache = image_cache(settings)
    images: dict[str, pictures.Prepared] = {}
    for image in document.images:
        target = lint.local_file(document.source, image.src) if lint.is_local(image.src) else None
        if target is None:
            raise BlocNotesError(
                document.source, image.line, f"image '{image.src[:80]}' cannot go in an EPUB: "
                "e-books carry their images (download it beside the source)")
        try:
            images[image.src] = cache.prepare(target, pictures.EPUB)
        except pictures.ImageError as error:
            raise BlocNotesError(document.source, image.line,
                                 f"image '{image.src[:80]}' {error}") from None
    return epub.render_epub(document, rendition, _read_style(settings, "epub.css"), when, images,
                            starts)


_CODE_RE = re.compile(r"U\+[0-9A-F]{4,6}")


def _new(warnings: list[Diagnostic], known: list[Diagnostic]) -> list[Diagnostic]:
    """The renderer's warnings not already said: not twice the same, and not a character
    WeasyPrint drew as an empty box that the lint named with its line."""
    named = {code for d in known for code in _CODE_RE.findall(d.message)}
    return [w for w in warnings if w not in known
            and not (set(_CODE_RE.findall(w.message)) and set(_CODE_RE.findall(w.message)) <= named)]


def build_one(source: Path, formats: Iterable[str], settings: Settings) -> Outcome:
    """Build the requested formats of one source; every output is complete before any is written."""
    outcome = Outcome(source)
    formats = tuple(formats)
    try:
        document, outcome.diagnostics = prepare(source, settings, "print" in formats)
        outcome.document = document
        when = render.build_date(document, settings.environ)
        rendition = render.render_html(document, when)  # once: both writers start from it
        # the screen PDF's input and the page map's key (the print edition makes its own)
        html = (print_html(settings, rendition)
                if {"pdf", "epub", "html"} & set(formats) else "")
        target = settings.out / document.slug
        outputs: list[tuple[Path, bytes]] = []
        starts: list[PageStart] | None = None
        if "pdf" in formats:
            data, warnings, starts = make_pdf(document, settings, when, html)
            outcome.diagnostics += _new(warnings, outcome.diagnostics)
            outputs.append((target.with_suffix(".pdf"), data))
        if "print" in formats:
            data, warnings = make_press_pdf(document, settings, when, rendition)
            outcome.diagnostics += _new(warnings, outcome.diagnostics)
            outputs.append((target.with_name(document.slug + PRINT_SUFFIX + ".pdf"), data))
        if "epub" in formats:
            if starts is None:
                starts = print_page_starts(document, settings, html)
            outputs.append((target.with_suffix(".epub"),
                            make_epub(document, settings, when, starts, rendition)))
        if "html" in formats:
            outputs.append((target.with_suffix(".html"), html.encode("utf-8")))
        _judge(outcome.diagnostics, settings)  # the renderer's warnings count for --strict too
        for path, data in outputs:
            atomic.write_bytes(path, data)
            outcome.written.append(path)
        if "pdf" in formats and starts is not None:  # for a later EPUB-only build
            _save_starts(_cache_path(document, settings), html, starts)
    except BlocNotesError as error:
        outcome.error = error
    return outcome


def build(
    sources: Iterable[Path],
    formats: Iterable[str],
    settings: Settings,
    report: Callable[[Outcome], None] = lambda outcome: None,
    jobs: int = 1,
) -> list[Outcome]:
    """Build every source (an error in one does not stop the others); `report` sees each
    outcome as soon as it is known. With `jobs` > 1, sources are built by a pool of worker
    processes, each importing WeasyPrint and loading the fonts once."""
    sources, formats = list(sources), tuple(formats)
    if jobs <= 1 or len(sources) <= 1:
        outcomes = []
        for source in sources:
            outcome = build_one(source, formats, settings)
            report(outcome)
            outcomes.append(outcome)
        return outcomes
    from concurrent.futures import ProcessPoolExecutor

    done: dict[Path, Outcome] = {}
    with ProcessPoolExecutor(max_workers=min(jobs, len(sources))) as pool:
        futures = [pool.submit(build_one, source, formats, settings) for source in sources]
        for future in as_completed(futures):
            outcome = future.result()
            report(outcome)
            done[outcome.source] = outcome
    return [done[source] for source in sources]


def distribute(sources: Iterable[Path], settings: Settings,
               report: Callable[[Outcome], None] = lambda outcome: None, jobs: int = 1
               ) -> tuple[list[Outcome], list[Path]]:
    """Build every source, then lay the output folder out for hand-out (only if all built)."""
    from . import distribute as layout

    sources = list(sources)
    outcomes = build(sources, ("pdf", "print", "epub"), settings, report, jobs)
    if any(outcome.error for outcome in outcomes):
        return outcomes, []
    built = []
    for outcome in outcomes:
        assert outcome.document is not None  # built without error
        named = {path.name: path for path in outcome.written}
        slug = outcome.document.slug
        built.append(layout.Built(outcome.document, named[f"{slug}.pdf"], named[f"{slug}.epub"],
                                  named[f"{slug}{PRINT_SUFFIX}.pdf"]))
    return outcomes, layout.hand_out(built, settings.out, settings.styles)


def check(sources: Iterable[Path], settings: Settings) -> list[Outcome]:
    """Validate and lint every source without writing anything."""
    outcomes = []
    for source in sources:
        outcome = Outcome(source)
        try:
            _, outcome.diagnostics = _diagnose(source, settings, press=True)
        except BlocNotesError as error:
            outcome.error = error
        outcomes.append(outcome)
    return outcomes
