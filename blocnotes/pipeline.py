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
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path

from . import (
    atomic,
    budgets,
    editions,
    fonts,
    freshness,
    inputs,
    languages,
    lint,
    load,
    render,
    scratch,
    style,
    typeset,
    xmp,
)
from .editions import EPUB, SCREEN, Edition
from .errors import BlocNotesError, Diagnostic
from .imagecache import ImageCache
from .model import Document, PageStart, Typeset

SITE = "site"  # <out>/site/: the hand-out, exactly what to upload


@dataclass(frozen=True)
class Settings:
    """Where things are and what to allow; built once by the CLI."""

    out: Path
    styles: Path  # the styles folder: one folder per style (styles/<name>/), and icc/
    agency_fallback: Path | None = None
    allow_remote: bool = False
    strict: bool = False
    pdf_variant: str = "pdf/ua-1"
    environ: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    languages: Path = languages.ROOT  # the languages folder: one file per language


@dataclass
class Outcome:
    """What happened to one source: the files written, the warnings, or the error."""

    source: Path
    written: list[Path] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    error: BlocNotesError | None = None
    document: Typeset | None = None  # as built, when the source loaded


def style_of(document: Document, settings: Settings) -> style.Style:
    """The Style of a document already loaded (load checked that it exists): for a caller
    that has not kept the one its load read (a build carries it: _prepared)."""
    return style.read(style.folder(settings.styles, document.meta.style))


def _diagnose(source: Path, settings: Settings, press: bool, remember: bool = True
              ) -> tuple[Document, list[Diagnostic], style.Style]:
    """Load and lint a source, with the Style it chose; each image's damage is remembered in
    the image cache (not with `remember` off: `check` writes nothing)."""
    try:
        document, house = load.load_styled(
            source, load.agency_file_for(source, settings.agency_fallback), settings.styles,
            settings.languages)
    except BlocNotesError as error:  # the text's own errors heard in the same run
        raise BlocNotesError.of(error.diagnostics()
                                + load.body_errors(source, settings.allow_remote)) from None
    cache = image_cache(settings, document.limits) if remember else ImageCache(None)
    found = lint.lint(document, house, settings.allow_remote,
                      house.geometry if press else None, cache.damage)
    if not lint.errors_of(found):
        cache.keep()
    return document, found, house


def _prepared(source: Path, settings: Settings, press: bool
              ) -> tuple[Typeset, list[Diagnostic], style.Style]:
    document, diagnostics, house = _diagnose(source, settings, press)
    _judge(diagnostics, settings)
    return typeset.typeset(document), diagnostics, house


def prepare(source: Path, settings: Settings, press: bool = False
            ) -> tuple[Typeset, list[Diagnostic]]:
    """Load, lint (for the print shop's edition too with `press`) and typeset one source;
    raise on the first error found."""
    return _prepared(source, settings, press)[:2]


def _judge(diagnostics: list[Diagnostic], settings: Settings) -> None:
    """Raise every error found (and, with --strict, every warning) at once."""
    failures = (lint.strict_failures if settings.strict else lint.errors_of)(diagnostics)
    if failures:
        raise BlocNotesError.of(failures)


def _output_profile(settings: Settings) -> str:
    """The @color-profile rule that makes device-cmyk() the print shop's inks (FOGRA39)."""
    path = settings.styles / editions.PROFILE  # shared by every style: see its README.md
    if not path.is_file():
        raise BlocNotesError(path, None, "the print shop's colour profile is missing "
                             "(restore it from the repository, or run: make icc)")
    return (f'@color-profile device-cmyk {{ src: url("{path.resolve().as_uri()}"); '
            "components: cyan, magenta, yellow, black; }\n")


def pdf_html(settings: Settings, rendition: str, house: style.Style, edition: Edition = SCREEN,
             limits: budgets.Limits = budgets.DEFAULT, hyphenation: str | None = None) -> str:
    """The HTML a PDF edition lays out: the rendition with the edition's stylesheets from the
    style `house` (each its chain's files) and their fonts inlined, its links kept or
    not. The first stylesheet cascades the style's colours; the others come over it with
    theirs written out, the print shop's inks for a `cmyk` edition (with the output profile
    that makes device-cmyk() FOGRA39). Its notes at their pages' feet, up to the document's
    `limits.footnotes`. With `hyphenation`, the pyphen dictionary its language's file names
    (when WeasyPrint would not find it from the document's lang alone)."""
    css = fonts.font_face_css(fonts.faces_for(rendition, house),
                              lambda face: face.path.resolve().as_uri())
    base, *over = edition.stylesheets  # each the files of the style's chain, the base's first
    css += house.root_css() + "".join(style.read_stylesheet(path) for path in house.sheets(base))
    if edition.cmyk:
        css += _output_profile(settings) + house.root_css(press=True)
    for path in (path for name in over for path in house.sheets(name)):
        css += house.resolve(style.read_stylesheet(path), path, press=edition.cmyk)
    if hyphenation is not None:  # WeasyPrint's `lang`, which chooses the dictionary
        css += f'html {{ -weasy-lang: "{hyphenation}" }}\n'
    try:
        return render.for_pdf(rendition, css, links=edition.links, footnotes=limits.footnotes)
    except ValueError as error:  # a stylesheet that cannot go in the HTML as it is
        raise BlocNotesError(house.sheets(base)[-1], None, f"{error} (remove it)") from None


def _roots(document: Document, settings: Settings, house: style.Style) -> tuple[Path, ...]:
    return (document.source.parent, settings.styles, *fonts.font_dirs(house))


def image_cache(settings: Settings, limits: budgets.Limits = budgets.DEFAULT) -> ImageCache:
    """Where the images prepared for each edition are kept: beside the page map; each
    prepared within a document's budgets `limits`."""
    return ImageCache(settings.out / ".images", limits)


def _starts_path(slug: str, settings: Settings) -> Path:
    """Where the PDF's page starts of a source are kept, for its EPUB built alone."""
    return settings.out / ".pages" / f"{slug}.json"


def _lays_out(source: Path, formats: tuple[str, ...], settings: Settings) -> bool:
    """Whether building these editions of `source` lays its PDF out (imports WeasyPrint): a
    PDF edition, or an EPUB whose page starts no build of the PDF has put on record."""
    chosen = editions.named(formats)
    return any(edition.writer == "pdf" for edition in chosen) or (
        any(edition.writer == "epub" for edition in chosen)
        and not _starts_path(load.slug_for(source), settings).exists())


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
             house: style.Style, edition: Edition = SCREEN
             ) -> tuple[bytes, list[Diagnostic], list[PageStart]]:
    """Document and the HTML of one of its PDF editions (pdf_html) -> PDF bytes, renderer
    warnings, where each page begins (for the edition whose pages the EPUB marks)."""
    from . import pdf  # WeasyPrint is slow to import: only commands that need it pay

    variant = (settings.pdf_variant if edition.pdf_variant == editions.SETTINGS_VARIANT
               else edition.pdf_variant)
    assert variant is not None, f"{edition.name} is not a PDF"
    return pdf.render_pdf(html, document.source, _roots(document, settings, house), edition,
                          variant,
                          settings.allow_remote, xmp.xmp_rdf(document.meta, document.display),
                          int(when.timestamp()), image_cache(settings, document.limits))


def screen_page_starts(document: Document, settings: Settings, html: str,
                       house: style.Style) -> list[PageStart]:
    """Where each page of the screen PDF begins (its HTML: `html`): from the last PDF build
    of the same HTML, else from a layout (the only case where an EPUB build needs
    WeasyPrint)."""
    starts = _load_starts(_starts_path(document.slug, settings), html)
    if starts is None:
        from . import pdf

        starts = pdf.layout_starts(html, document.source, _roots(document, settings, house),
                                   settings.allow_remote, document.limits)
    return starts


def make_epub(document: Typeset, settings: Settings, when: dt.datetime,
              starts: list[PageStart], rendition: str, house: style.Style) -> bytes:
    """Document and its rendition -> EPUB bytes (images prepared for e-readers and packaged,
    print pages marked)."""
    from . import epub
    from . import images as pictures

    cache = image_cache(settings, document.limits)
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
    stylesheet = house.shipped_css(EPUB.stylesheets)  # e-readers: colours written out
    return epub.render_epub(document, rendition, stylesheet, house, when, images, starts)


_CODE_RE = re.compile(r"U\+[0-9A-F]{4,6}")


def _new(warnings: list[Diagnostic], known: list[Diagnostic]) -> list[Diagnostic]:
    """The renderer's warnings not already said: not twice the same, and not a character
    WeasyPrint drew as an empty box that the lint named with its line."""
    named = {code for d in known for code in _CODE_RE.findall(d.message)}
    return [w for w in warnings if w not in known
            and not (set(_CODE_RE.findall(w.message)) and set(_CODE_RE.findall(w.message)) <= named)]


OUTPUTS = editions.HANDED_OUT  # what a source gives make and the hand-out


def output_names(slug: str) -> list[tuple[str, str]]:
    """The files a source gives make and the hand-out (name, edition): its PDF, its EPUB,
    the print shop's PDF (editions.HANDED_OUT)."""
    return [(edition.path_name(slug), edition.name) for edition in OUTPUTS]


def _image_file(document: Document, src: str) -> Path | None:
    return lint.local_file(document.source, src) if lint.is_local(src) else None


def _build_key(settings: Settings) -> str:
    return freshness.key(settings.pdf_variant, settings.allow_remote, settings.environ)


def due(source: Path, formats: Iterable[str], settings: Settings) -> tuple[str, ...]:
    """The `formats` of `source` whose output in `settings.out` is missing or out of date
    (judged by the contents of what it was made from, its style's files among them, not by
    dates)."""
    slug = load.slug_for(source)
    fixed = freshness.fixed_inputs(source, load.agency_file_for(source, settings.agency_fallback))
    build_key = _build_key(settings)
    names = {kind: name for name, kind in output_names(slug)}
    return tuple(kind for kind in formats
                 if not freshness.is_fresh(settings.out / names[kind], fixed, build_key))


class _Editions:
    """The editions of one document, made from its one rendition; what several share is made
    once: the screen PDF's HTML (for the PDF, the EPUB's page map and the HTML edition), and
    the screen PDF's page starts (the EPUB's page map, with no second layout)."""

    def __init__(self, document: Typeset, settings: Settings, when: dt.datetime,
                 house: style.Style) -> None:
        self.document, self.settings, self.when = document, settings, when
        self.house = house  # the style the document chose, loaded once by its load
        self.rendition = render.render_html(document, when)  # once: every edition starts here
        self.html: dict[tuple[tuple[str, ...], bool, bool], str] = {}
        self.starts: list[PageStart] | None = None  # of the screen PDF, when built
        self.hyphenation = (languages.hyphenation_override(document.language, document.meta.lang)
                            if document.language else None)

    def html_for(self, edition: Edition) -> str:
        key = (edition.stylesheets, edition.links, edition.cmyk)
        if key not in self.html:
            self.html[key] = pdf_html(self.settings, self.rendition, self.house, edition,
                                      self.document.limits, self.hyphenation)
        return self.html[key]

    def make(self, edition: Edition) -> tuple[bytes, list[Diagnostic]]:
        """One edition's bytes and the renderer's warnings, by its writer (WRITERS)."""
        writer = WRITERS.get(edition.writer)
        if writer is None:
            raise ValueError(f"the {edition.name} edition is not made per source")
        return writer(self, edition)


def _write_pdf(made: _Editions, edition: Edition) -> tuple[bytes, list[Diagnostic]]:
    """A PDF edition: WeasyPrint's layout of the edition's HTML."""
    data, warnings, starts = make_pdf(made.document, made.settings, made.when,
                                      made.html_for(edition), made.house, edition)
    if edition.page_map:
        made.starts = starts
    return data, warnings


def _write_epub(made: _Editions, edition: Edition) -> tuple[bytes, list[Diagnostic]]:
    """The EPUB: the rendition's sections as chapters, marked where the PDF's pages begin."""
    if made.starts is None:
        made.starts = screen_page_starts(made.document, made.settings, made.html_for(SCREEN),
                                         made.house)
    return make_epub(made.document, made.settings, made.when, made.starts, made.rendition,
                     made.house), []


def _write_html(made: _Editions, edition: Edition) -> tuple[bytes, list[Diagnostic]]:
    """The HTML a PDF edition lays out (what WeasyPrint reads)."""
    return made.html_for(edition).encode("utf-8"), []


# The writers of the editions made per source, by the name an edition's row gives
# (editions.py): a new edition names one of these, or a new one added here.
WRITERS: dict[str, Callable[[_Editions, Edition], tuple[bytes, list[Diagnostic]]]] = {
    "pdf": _write_pdf, "epub": _write_epub, "html": _write_html}


def build_one(source: Path, formats: Iterable[str], settings: Settings) -> Outcome:
    """Build the requested editions (by name) of one source: one loop over them, one
    judgement of every warning (--strict), then every output and its record written, all or
    none (a full disk leaves the old ones as they were)."""
    outcome = Outcome(source)
    try:
        with inputs.ledger() as read:  # the digest of every input, as this build read it
            chosen = editions.named(tuple(formats))
            document, outcome.diagnostics, house = _prepared(
                source, settings, any(edition.cmyk for edition in chosen))
            outcome.document = document
            made = _Editions(document, settings, render.build_date(document, settings.environ),
                             house)
            outputs: list[tuple[Edition, bytes]] = []
            for edition in chosen:
                data, warnings = made.make(edition)
                outcome.diagnostics += _new(warnings, outcome.diagnostics)
                outputs.append((edition, data))
        _judge(outcome.diagnostics, settings)  # the renderer's warnings count for --strict too
        agency = load.agency_file_for(source, settings.agency_fallback)
        images = [path for path in map(lambda image: _image_file(document, image.src),
                                       document.images) if path is not None]
        build_key = _build_key(settings)
        fixed = freshness.fixed_inputs(source, agency)
        files = [(settings.out / edition.path_name(document.slug), data)
                 for edition, data in outputs]
        language = freshness.language_inputs(document.language)  # its file: a change rebuilds
        records = [freshness.record_file(path, data, [*fixed, *freshness.style_inputs(
                       house, edition), *language, *images], build_key, read)
                   for (path, data), (edition, _) in zip(files, outputs, strict=True)]
        kept = freshness.kept_files(settings.out, document.slug, document,
                                    [*fixed, *freshness.style_inputs(house, None),
                                     *language], build_key, read)
        atomic.write_all([*files, *records, *kept])  # the outputs renamed before their records
        outcome.written += [path for path, _ in files]
        freshness.write_depfile(settings.out, document.slug,
                                {edition.path_name(document.slug): [
                                    *freshness.style_inputs(house, edition), *language]
                                 for edition in OUTPUTS}, images)
        if SCREEN in chosen and made.starts is not None:  # for a later EPUB-only build
            _save_starts(_starts_path(document.slug, settings), made.html_for(SCREEN),
                         made.starts)
    except BlocNotesError as error:
        outcome.error = error
    return outcome


def build_budgeted(source: Path, formats: Iterable[str], settings: Settings) -> Outcome:
    """build_one within the source's budgets of time and memory (its agency.yaml's
    `limits:`), enforced in the process that builds it (a worker, or this one): a build over
    either is that source's error, and the next source is built as usual."""
    formats = tuple(formats)
    if _lays_out(source, formats, settings):  # (an EPUB after its PDF: its starts are kept)
        from . import pdf  # noqa: F401  (imported whole before the budget: never half)
    try:
        limits = load.limits_of(load.agency_file_for(source, settings.agency_fallback))
        with budgets.enforced(limits, source):
            return build_one(source, formats, settings)
    except BlocNotesError as error:
        return Outcome(source, error=error)


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
    scratch.sweep()  # the temporary folders of a build that was killed
    if jobs <= 1 or len(plan) <= 1:
        outcomes = []
        for source, formats in plan:
            outcome = build_budgeted(source, formats, settings)
            report(outcome)
            outcomes.append(outcome)
        return outcomes
    from concurrent.futures import ProcessPoolExecutor

    done: dict[int, Outcome] = {}
    # The longest sources first: a long one started last would leave a worker idle.
    order = sorted(range(len(plan)), key=lambda i: -_size(plan[i][0]))
    broken: list[int] = []
    with ProcessPoolExecutor(max_workers=min(jobs, len(plan))) as pool:
        futures = {pool.submit(build_budgeted, *plan[i], settings): i for i in order}
        for future in as_completed(futures):
            try:
                outcome = future.result()
            except BrokenProcessPool:  # a worker killed (out of memory): which one is unknown
                broken.append(futures[future])
                continue
            report(outcome)
            done[futures[future]] = outcome
    for i in sorted(broken, key=order.index):  # each alone, so the one that kills is named
        outcome = _alone(*plan[i], settings)
        report(outcome)
        done[i] = outcome
    scratch.sweep()  # the workers' (they end without running exit handlers)
    return [done[i] for i in range(len(plan))]


def _alone(source: Path, formats: tuple[str, ...], settings: Settings) -> Outcome:
    """Build one source in a process of its own: its outcome, or the error of a process that
    ended in the middle (killed by the system, out of memory), the other sources built."""
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=1) as pool:
        try:
            return pool.submit(build_budgeted, source, formats, settings).result()
        except BrokenProcessPool:
            return Outcome(source, error=BlocNotesError(
                source, None, "its build stopped: the process building it was ended (by the "
                "system, out of memory?); nothing of it was written (lower 'build-memory-mb' "
                "under 'limits:' in agency.yaml, or make the document or its images smaller)"))


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


DIST_FORMATS = tuple(e.name for e in editions.PER_SOURCE if e in OUTPUTS)  # in build order


def dist_plan(sources: Iterable[Path], settings: Settings) -> list[tuple[Path, tuple[str, ...]]]:
    """Each source with the hand-out's formats that are out of date (none: all reused)."""
    return [(source, due(source, DIST_FORMATS, settings)) for source in sources]


def _built_document(source: Path, settings: Settings) -> Typeset:
    """The document as its last build kept it, or (none kept) read and typeset again."""
    agency = load.agency_file_for(source, settings.agency_fallback)
    document = freshness.kept(settings.out, load.slug_for(source),
                              freshness.fixed_inputs(source, agency), _build_key(settings))
    if isinstance(document, Typeset):
        return document
    return typeset.typeset(load.load(source, agency, settings.styles, settings.languages))


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
        built.append(layout.Built(outcome.document, {
            edition.name: settings.out / edition.path_name(slug) for edition in OUTPUTS}))
    try:
        return outcomes, layout.hand_out(built, settings.out / SITE, settings.styles,
                                         settings.out / freshness.FOLDER / "memo",
                                         image_cache(settings).folder, settings.environ)
    except BlocNotesError as error:  # the web page's style (its web.css, its fonts)
        failed = Outcome(built[0].document.source if built else settings.out, error=error)
        return [*outcomes, failed], []


def distribute(sources: Iterable[Path], settings: Settings,
               report: Callable[[Outcome], None] = lambda outcome: None, jobs: int = 1
               ) -> tuple[list[Outcome], list[Path]]:
    """Build what is out of date of every source (reusing the outputs whose inputs did not
    change, see `due`), then lay `<out>/site/` out for hand-out."""
    plan = dist_plan(sources, settings)
    outcomes = build_plan([item for item in plan if item[1]], settings, report, jobs)
    return lay_out(plan, outcomes, settings)


def check(sources: Iterable[Path], settings: Settings) -> list[Outcome]:
    """Validate and lint every source without writing anything; then the series: two
    sources that give the same number."""
    outcomes, documents = [], []
    for source in sources:
        outcome = Outcome(source)
        try:
            document, outcome.diagnostics, _ = _diagnose(source, settings, press=True,
                                                         remember=False)
            documents.append(document)
        except BlocNotesError as error:
            outcome.error = error
        outcomes.append(outcome)
    by_source = {outcome.source: outcome for outcome in outcomes}
    for diagnostic in lint.shared_numbers(documents):
        by_source[diagnostic.path].diagnostics.append(diagnostic)
    return outcomes
