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

from . import atomic, fonts, freshness, labels, lint, load, render, style, typeset, xmp
from .errors import BlocNotesError, Diagnostic
from .imagecache import ImageCache
from .model import Document, PageStart, Typeset

PDF_VARIANTS = ("pdf/ua-1", "pdf/a-3u", "pdf/a-2u")  # accessible (default), archival
PRINT_PROFILE = "icc/FOGRA39L.icc"  # under the styles folder: see its README.md
PRINT_SUFFIX = "-impression"  # <slug>-impression.pdf: the print shop's edition
SITE = "site"  # <out>/site/: the hand-out, exactly what to upload


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
    document: Typeset | None = None  # as built, when the source loaded


def _diagnose(source: Path, settings: Settings, press: bool
              ) -> tuple[Document, list[Diagnostic]]:
    table = labels.read_table(settings.styles / "labels.yaml")
    document = load.load(source, load.agency_file_for(source, settings.agency_fallback), table)
    return document, lint.lint(document, settings.allow_remote,
                               style.read(settings.styles).geometry if press else None)


def prepare(source: Path, settings: Settings, press: bool = False
            ) -> tuple[Typeset, list[Diagnostic]]:
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
    house = style.read(settings.styles)
    css += house.root_css() + _read_style(settings, "print.css")
    if press:
        css += _output_profile(settings) + house.root_css(press=True) + house.resolve(
            _read_style(settings, "print-shop.css"), settings.styles / "print-shop.css", press=True)
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


def make_pdf(document: Typeset, settings: Settings, when: dt.datetime, html: str,
             press: bool = False) -> tuple[bytes, list[Diagnostic], list[PageStart]]:
    """Document and its print HTML -> PDF bytes, renderer warnings, where each page begins.
    With `press`, the print shop's PDF/X-4 (from the HTML print_html made with `press`)."""
    from . import pdf  # WeasyPrint is slow to import: only commands that need it pay

    return pdf.render_pdf(html, document.source, _roots(document, settings),
                          settings.allow_remote,
                          pdf.PRINT_VARIANT if press else settings.pdf_variant,
                          xmp.xmp_rdf(document.meta), int(when.timestamp()),
                          image_cache(settings))


def make_press_pdf(document: Typeset, settings: Settings, when: dt.datetime, rendition: str
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


def make_epub(document: Typeset, settings: Settings, when: dt.datetime,
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
    house = style.read(settings.styles)
    stylesheet = house.resolve(_read_style(settings, "epub.css"), settings.styles / "epub.css")
    return epub.render_epub(document, rendition, stylesheet, house.colours, when, images, starts)


_CODE_RE = re.compile(r"U\+[0-9A-F]{4,6}")


def _new(warnings: list[Diagnostic], known: list[Diagnostic]) -> list[Diagnostic]:
    """The renderer's warnings not already said: not twice the same, and not a character
    WeasyPrint drew as an empty box that the lint named with its line."""
    named = {code for d in known for code in _CODE_RE.findall(d.message)}
    return [w for w in warnings if w not in known
            and not (set(_CODE_RE.findall(w.message)) and set(_CODE_RE.findall(w.message)) <= named)]


def output_names(slug: str) -> list[tuple[str, str]]:
    """The files a source gives (name, kind): its PDF, its EPUB, the print shop's PDF."""
    return [(f"{slug}.pdf", "pdf"), (f"{slug}.epub", "epub"),
            (f"{slug}{PRINT_SUFFIX}.pdf", "print")]


def _image_file(document: Document, src: str) -> Path | None:
    return lint.local_file(document.source, src) if lint.is_local(src) else None


def _build_key(settings: Settings) -> str:
    return freshness.key(settings.pdf_variant, settings.allow_remote, settings.environ)


def due(source: Path, formats: Iterable[str], settings: Settings) -> tuple[str, ...]:
    """The `formats` of `source` whose output in `settings.out` is missing or out of date
    (judged by the contents of what it was made from, not by dates)."""
    slug = load.slug_for(source)
    agency = load.agency_file_for(source, settings.agency_fallback)
    build_key = _build_key(settings)
    names = {kind: name for name, kind in output_names(slug)}
    return tuple(kind for kind in formats if not freshness.is_fresh(
        settings.out / names[kind],
        freshness.fixed_inputs(source, agency, settings.styles, kind), build_key))


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
        outputs: list[tuple[Path, bytes, str]] = []
        starts: list[PageStart] | None = None
        if "pdf" in formats:
            data, warnings, starts = make_pdf(document, settings, when, html)
            outcome.diagnostics += _new(warnings, outcome.diagnostics)
            outputs.append((target.with_suffix(".pdf"), data, "pdf"))
        if "print" in formats:
            data, warnings = make_press_pdf(document, settings, when, rendition)
            outcome.diagnostics += _new(warnings, outcome.diagnostics)
            outputs.append((target.with_name(document.slug + PRINT_SUFFIX + ".pdf"), data, "print"))
        if "epub" in formats:
            if starts is None:
                starts = print_page_starts(document, settings, html)
            outputs.append((target.with_suffix(".epub"),
                            make_epub(document, settings, when, starts, rendition), "epub"))
        if "html" in formats:
            outputs.append((target.with_suffix(".html"), html.encode("utf-8"), "html"))
        _judge(outcome.diagnostics, settings)  # the renderer's warnings count for --strict too
        agency = load.agency_file_for(source, settings.agency_fallback)
        images = [path for path in map(lambda image: _image_file(document, image.src),
                                       document.images) if path is not None]
        build_key = _build_key(settings)
        for path, data, kind in outputs:
            atomic.write_bytes(path, data)
            outcome.written.append(path)
            freshness.record(path, data, [*freshness.fixed_inputs(source, agency, settings.styles,
                                                                  kind), *images], build_key)
        freshness.keep(settings.out, document.slug, document,
                       freshness.fixed_inputs(source, agency, settings.styles, "document"),
                       build_key)
        freshness.write_depfile(settings.out, document.slug,
                                [name for name, _ in output_names(document.slug)], images)
        if "pdf" in formats and starts is not None:  # for a later EPUB-only build
            _save_starts(_cache_path(document, settings), html, starts)
    except BlocNotesError as error:
        outcome.error = error
    return outcome


def build_plan(
    plan: Iterable[tuple[Path, tuple[str, ...]]],
    settings: Settings,
    report: Callable[[Outcome], None] = lambda outcome: None,
    jobs: int = 1,
) -> list[Outcome]:
    """Build each source of `plan` in its own formats (all of one source from one rendition;
    an error in one does not stop the others); `report` sees each outcome as soon as it is
    known. With `jobs` > 1, a pool of worker processes, each importing WeasyPrint and loading
    the fonts once."""
    plan = list(plan)
    if jobs <= 1 or len(plan) <= 1:
        outcomes = []
        for source, formats in plan:
            outcome = build_one(source, formats, settings)
            report(outcome)
            outcomes.append(outcome)
        return outcomes
    from concurrent.futures import ProcessPoolExecutor

    done: dict[int, Outcome] = {}
    # The longest sources first: a long one started last would leave a worker idle.
    order = sorted(range(len(plan)), key=lambda i: -_size(plan[i][0]))
    with ProcessPoolExecutor(max_workers=min(jobs, len(plan))) as pool:
        futures = {pool.submit(build_one, *plan[i], settings): i for i in order}
        for future in as_completed(futures):
            outcome = future.result()
            report(outcome)
            done[futures[future]] = outcome
    return [done[i] for i in range(len(plan))]


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def build(
    sources: Iterable[Path],
    formats: Iterable[str],
    settings: Settings,
    report: Callable[[Outcome], None] = lambda outcome: None,
    jobs: int = 1,
) -> list[Outcome]:
    """Build the same `formats` of every source (see build_plan)."""
    formats = tuple(formats)
    return build_plan([(source, formats) for source in sources], settings, report, jobs)


DIST_FORMATS = ("pdf", "print", "epub")


def dist_plan(sources: Iterable[Path], settings: Settings) -> list[tuple[Path, tuple[str, ...]]]:
    """Each source with the hand-out's formats that are out of date (none: all reused)."""
    return [(source, due(source, DIST_FORMATS, settings)) for source in sources]


def _built_document(source: Path, settings: Settings) -> Typeset:
    """The document as its last build kept it, or (none kept) read and typeset again."""
    agency = load.agency_file_for(source, settings.agency_fallback)
    document = freshness.kept(settings.out, load.slug_for(source),
                              freshness.fixed_inputs(source, agency, settings.styles, "document"),
                              _build_key(settings))
    if isinstance(document, Typeset):
        return document
    return typeset.typeset(load.load(source, agency))


def lay_out(plan: list[tuple[Path, tuple[str, ...]]], outcomes: list[Outcome],
            settings: Settings) -> tuple[list[Outcome], list[Path]]:
    """After the due builds of `plan` (their `outcomes`), lay `<out>/site/` out for hand-out,
    only if every source built; the outcomes of the sources that were only read are added."""
    from . import distribute as layout

    if any(outcome.error for outcome in outcomes):
        return outcomes, []
    built_now = {outcome.source: outcome for outcome in outcomes}
    built, outcomes = [], list(outcomes)
    for source, _ in plan:
        outcome = built_now.get(source)
        if outcome is None:  # every output reused: the document as built, for the web page
            outcome = Outcome(source)
            try:
                outcome.document = _built_document(source, settings)
            except BlocNotesError as error:
                outcome.error = error
                return [*outcomes, outcome], []
            outcomes.append(outcome)
        assert outcome.document is not None  # built or read without error
        slug = outcome.document.slug
        target = settings.out / slug
        built.append(layout.Built(outcome.document, target.with_suffix(".pdf"),
                                  target.with_suffix(".epub"),
                                  target.with_name(f"{slug}{PRINT_SUFFIX}.pdf")))
    return outcomes, layout.hand_out(built, settings.out / SITE, settings.styles,
                                     settings.out / freshness.FOLDER / "memo")


def distribute(sources: Iterable[Path], settings: Settings,
               report: Callable[[Outcome], None] = lambda outcome: None, jobs: int = 1
               ) -> tuple[list[Outcome], list[Path]]:
    """Build what is out of date of every source (reusing the outputs whose inputs did not
    change, see `due`), then lay `<out>/site/` out for hand-out."""
    plan = dist_plan(sources, settings)
    outcomes = build_plan([item for item in plan if item[1]], settings, report, jobs)
    return lay_out(plan, outcomes, settings)


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
