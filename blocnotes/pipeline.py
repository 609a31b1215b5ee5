"""The build: gather and validate every source, then write each output atomically."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from . import atomic, fonts, lint, load, render, typeset, xmp
from .errors import BlocNotesError, Diagnostic
from .model import Document

FORMATS = ("pdf", "epub", "html")


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


def _remote_images(document: Document, settings: Settings) -> list[Diagnostic]:
    found = []
    for image in document.images:
        if lint.is_local(image.src):
            continue
        if image.src.startswith("data:"):
            message = "is a data: address (save the image as a file beside the source)"
        elif image.src.lower().startswith("file:"):
            message = "is an absolute file address (put the image beside the source)"
        elif settings.allow_remote:
            continue
        else:
            message = ("is a remote image and nothing is fetched by default (download it beside "
                       "the source, or build the PDF with --allow-remote)")
        found.append(Diagnostic(document.source, image.line, f"image '{image.src[:80]}' {message}",
                                "error"))
    return found


def prepare(source: Path, settings: Settings) -> tuple[Document, list[Diagnostic]]:
    """Load, lint and typeset one source; raise on the first error found."""
    document = load.load(source, load.agency_file_for(source, settings.agency_fallback))
    diagnostics = lint.lint(document) + _remote_images(document, settings)
    errors = lint.errors_of(diagnostics)
    if errors or (settings.strict and diagnostics):
        raise BlocNotesError.from_diagnostic((errors or diagnostics)[0])
    return typeset.typeset(document), diagnostics


def _read_style(settings: Settings, name: str) -> str:
    path = settings.styles / name
    try:
        return path.read_text(encoding="utf-8")
    except OSError as error:
        raise BlocNotesError(path, None, f"cannot read the stylesheet: {error.strerror}") from None


def print_html(document: Document, settings: Settings, when: dt.datetime) -> str:
    """The print rendition: HTML with the house style and its fonts inlined."""
    css = fonts.font_face_css(fonts.all_faces(), lambda face: face.path.resolve().as_uri())
    html = render.render_html(document, when, css + _read_style(settings, "print.css"))
    # A placeholder link ('#') leads nowhere on paper: an <a> without href, as HTML defines
    # placeholders, so the PDF has no link to the build folder.
    return html.replace('<a href="#">', '<a class="placeholder">')


def make_pdf(document: Document, settings: Settings, when: dt.datetime
             ) -> tuple[bytes, list[Diagnostic]]:
    """Document -> PDF bytes and renderer warnings."""
    from . import pdf  # WeasyPrint is slow to import: only commands that need it pay

    roots = (document.source.parent, settings.styles, *fonts.font_dirs())
    html = print_html(document, settings, when)
    return pdf.render_pdf(html, document.source, roots, settings.allow_remote,
                          settings.pdf_variant, xmp.xmp_rdf(document.meta), int(when.timestamp()))


def make_epub(document: Document, settings: Settings, when: dt.datetime) -> bytes:
    """Document -> EPUB bytes (its images packaged with it)."""
    from . import epub

    images: dict[str, Path] = {}
    for image in document.images:
        target = lint.local_file(document.source, image.src) if lint.is_local(image.src) else None
        if target is None:
            raise BlocNotesError(
                document.source, image.line, f"image '{image.src[:80]}' cannot go in an EPUB: "
                "e-books carry their images (download it beside the source)")
        images[image.src] = target
    rendition = render.render_html(document, when)
    return epub.render_epub(document, rendition, _read_style(settings, "epub.css"), when, images)


def build_one(source: Path, formats: Iterable[str], settings: Settings) -> Outcome:
    """Build the requested formats of one source; every output is complete before any is written."""
    outcome = Outcome(source)
    try:
        document, outcome.diagnostics = prepare(source, settings)
        when = render.build_date(document, settings.environ)
        outputs: list[tuple[Path, bytes]] = []
        for kind in formats:
            target = settings.out / f"{document.slug}.{kind}"
            if kind == "pdf":
                data, warnings = make_pdf(document, settings, when)
                outcome.diagnostics += warnings
            elif kind == "epub":
                data = make_epub(document, settings, when)
            else:
                data = print_html(document, settings, when).encode("utf-8")
            outputs.append((target, data))
        for target, data in outputs:
            atomic.write_bytes(target, data)
            outcome.written.append(target)
    except BlocNotesError as error:
        outcome.error = error
    return outcome


def build(
    sources: Iterable[Path],
    formats: Iterable[str],
    settings: Settings,
    report: Callable[[Outcome], None] = lambda outcome: None,
) -> list[Outcome]:
    """Build every source (an error in one does not stop the others); `report` sees each."""
    outcomes = []
    for source in sources:
        outcome = build_one(source, tuple(formats), settings)
        report(outcome)
        outcomes.append(outcome)
    return outcomes


def check(sources: Iterable[Path], settings: Settings) -> list[Outcome]:
    """Validate and lint every source without writing anything."""
    outcomes = []
    for source in sources:
        outcome = Outcome(source)
        try:
            document = load.load(source, load.agency_file_for(source, settings.agency_fallback))
            outcome.diagnostics = lint.lint(document) + _remote_images(document, settings)
        except BlocNotesError as error:
            outcome.error = error
        outcomes.append(outcome)
    return outcomes
