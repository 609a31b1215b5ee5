"""Checks of a loaded Document that do not stop a build by themselves: diagnostics as data."""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Callable, Iterable
from pathlib import Path
from urllib.parse import unquote, urlsplit

from . import fonts, languages
from .budgets import DEFAULT, Limits
from .errors import Diagnostic, spans
from .markup import SECTION_LEVEL
from .model import Document, Heading, Image, Link
from .style import Geometry, Style

PLACEHOLDERS = ("", "#")


def _month_year(text: str, months: dict[str, int]) -> tuple[int, int] | None:
    """(year, month) of a date as written ('oct 2019', 'März 2024', '2019-10'), with `months`
    the words of the languages (languages.all_month_numbers)."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    match = re.search(r"([a-z]+)\.?\s+(\d{4})", plain)
    if match and match.group(1) in months:
        return int(match.group(2)), months[match.group(1)]
    match = re.search(r"(\d{4})-(\d{2})", plain)
    return (int(match.group(1)), int(match.group(2))) if match else None


def is_local(src: str) -> bool:
    """Whether an image or link address names a file (not a web address or data: URL)."""
    return not urlsplit(src).scheme and not src.startswith("//")


def local_file(source: Path, src: str) -> Path | None:
    """The file an image address names, if it lies inside the source's folder; else None."""
    target = urlsplit(src).path
    if not target or target.startswith("/"):
        return None
    folder = source.parent.resolve()
    resolved = (folder / unquote(target)).resolve()
    return resolved if resolved.is_relative_to(folder) else None


IMAGE_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
               ".gif": "image/gif", ".webp": "image/webp", ".svg": "image/svg+xml",
               ".heic": "image/heic", ".heif": "image/heif", ".avif": "image/avif"}


def _anchor_hint(target: str, headings: tuple[Heading, ...]) -> str:
    """'use the id of a heading, e.g. #x', with x the closest heading of this document."""
    ids = [heading.id for heading in headings]
    if not ids:
        return "the document has no heading to point to: remove the link or add a heading"
    close = difflib.get_close_matches(target, ids, n=1, cutoff=0.0) or ids
    return f"use the id of a heading, e.g. #{close[0]}"


def _link_problem(link: Link, ids: frozenset[str], headings: tuple[Heading, ...] = ()
                  ) -> tuple[str, str] | None:
    """(message, severity) for a link that needs the author's attention, else None."""
    href = link.href.strip()
    if href in PLACEHOLDERS:
        return (f"link '{link.text}' has no target yet ('{link.href}'): put its address "
                "between the parentheses", "warning")
    if href.startswith("#"):
        if unquote(href[1:]) in ids:
            return None
        return (f"link '{link.text}' points to '{href}', which is nowhere in the text "
                f"({_anchor_hint(unquote(href[1:]), headings)})", "error")
    if urlsplit(href).scheme.lower() not in ("", "http", "https", "mailto"):
        return (f"link '{link.text}' has an address of a kind that is not allowed "
                f"('{href[:40]}'): use https://... or mailto:...", "error")
    if is_local(href):
        return (f"link '{link.text}' points to the file '{href}', which is not part of the "
                "document (use a full address, https://...)", "error")
    return None


def _image_problems(image: Image, source: Path, allow_remote: bool
                   ) -> tuple[list[str], Path | None]:
    """Errors of one image (alternative text, address, file), and its file when it is a
    readable local image of a known type."""
    problems = []
    if not image.alt.strip():
        problems.append(f"image '{image.src}' has no alternative text (write it between the "
                        "brackets: ![what the image shows](...))")
    if not image.src.strip():
        return [*problems, "an image has no address (write it between the parentheses: "
                           "![...](plan.png))"], None
    if not is_local(image.src):
        remote = _remote_problem(image.src, allow_remote)
        return ([*problems, remote] if remote else problems), None
    target = local_file(source, image.src)
    if target is None:
        problems.append(f"image '{image.src}' is outside the source's folder (put it beside the "
                        "source and use a relative path)")
    elif not target.is_file():
        problems.append(f"image '{image.src}' not found (expected at {target})")
    elif Path(urlsplit(image.src).path).suffix.lower() not in IMAGE_TYPES:
        problems.append(f"image '{image.src}' is not a JPEG, PNG, HEIC, AVIF, WebP, GIF or SVG "
                        "file (convert it to JPEG or PNG)")
    else:
        return problems, target
    return problems, None


PRINT_DPI = 300  # what a print shop needs for photos at their printed size
# A figure fills its box (the style's geometry): the column, or both columns with .wide, or
# the share width=50% asks; a portrait no taller than 120 mm.
MAX_FIGURE_HEIGHT_MM = 120
EXIF_ORIENTATION = 0x0112


# Larger than any camera's photo needs to be for a Bloc-Notes: slow to prepare, and probably
# the wrong file (a scan at 1200 dpi, a panorama, an export at the wrong size).
MAX_MEGAPIXELS = 40
MAX_MEGABYTES = 50


def _file_problems(image: Image, target: Path, press: Geometry | None,
                   damage: Callable[[Path], str | None] | None = None,
                   limits: Limits = DEFAULT) -> list[tuple[str, str]]:
    """(message, severity) for an image file that cannot be used, is too large, (with
    `damage`, which says why its pixels cannot all be read) is cut short or damaged, or
    (with `press`) prints under 300 dpi at its printed size."""
    from . import images  # only documents with images pay for Pillow and libheif

    try:
        weight = target.stat().st_size
        with target.open("rb") as stream:
            svg = images.is_svg(stream.read(512))
        # a raster: its header is enough; an SVG over its budget: its size
        data = target.read_bytes() if svg and weight <= limits.svg_kb * 1000 else b""
    except OSError as error:
        return [(f"image '{image.src}' cannot be read ({error.strerror})", "error")]
    found = []
    if weight > MAX_MEGABYTES * 1_000_000:
        found.append((f"image '{image.src}' weighs {weight / 1e6:.0f} MB, over "
                      f"{MAX_MEGABYTES} MB: slow to prepare, is it the right file? (export a "
                      "JPEG of at most 6000 pixels across)", "warning"))
    try:
        if svg:
            images.check_svg_size(weight, limits)
            return found + _svg_problems(image, images.cleaned_svg(data, limits)[1])
        _, (width, height) = images.header(target, limits)
        broken = damage(target) if damage else None
    except images.ImageError as error:
        return [*found, (f"image '{image.src}' {error}", "error")]
    if broken:
        found.append((f"image '{image.src}' is cut short or damaged ({broken}): part of it "
                      "prints grey or blank (copy or export it again)", "warning"))
    if width * height > MAX_MEGAPIXELS * 1_000_000:
        found.append((f"image '{image.src}' has {width * height / 1e6:.0f} megapixels, over "
                      f"{MAX_MEGAPIXELS}: slow to prepare, is it the right file? (export a JPEG "
                      "of at most 6000 pixels across)", "warning"))
    return found + (_print_resolution(image, width, height, press) if press else [])


def _svg_problems(image: Image, dropped: list) -> list[tuple[str, str]]:
    """(message, severity) for a drawing whose references outside itself were left out (a
    remote image, a font, a stylesheet): it prints without them."""
    if not dropped:
        return []
    shown = ", ".join(f"'{reference.address[:60]}' (line {reference.line} of the SVG)"
                      for reference in dropped[:3])
    more = f" and {len(dropped) - 3} more" if len(dropped) > 3 else ""
    return [(f"image '{image.src}' refers to what is outside the drawing, left out: {shown}"
             f"{more}; it prints without them (embed them in the SVG, or export it again as "
             "plain SVG)", "warning")]


def _print_resolution(image: Image, width: int, height: int, geometry: Geometry
                      ) -> list[tuple[str, str]]:
    """(message, severity) for a raster image too coarse for print at the size it prints
    (`width` x `height`: its pixels, upright)."""
    if image.box == "inline":
        return []  # at the text's size: a few millimetres
    box_mm = (geometry.wide if image.box == "wide" else geometry.column) * image.share
    printed_mm = min(box_mm, width / height * MAX_FIGURE_HEIGHT_MM)
    dpi = width / (printed_mm / 25.4)
    if dpi >= PRINT_DPI - 0.5:
        return []
    needed = round(PRINT_DPI * printed_mm / 25.4)
    return [(f"image '{image.src}' prints {printed_mm:.0f} mm wide at {dpi:.0f} dpi, under the "
             f"{PRINT_DPI} dpi a print shop needs: use one at least {needed} pixels wide",
             "warning")]


def _remote_problem(src: str, allow_remote: bool) -> str | None:
    shown = src[:80]
    if src.startswith("data:"):
        return f"image '{shown}' is a data: address (save the image as a file beside the source)"
    if src.lower().startswith("file:"):
        return f"image '{shown}' is an absolute file address (put the image beside the source)"
    if allow_remote:
        return None
    return (f"image '{shown}' is a remote image and nothing is fetched by default (download "
            "it beside the source, or build the PDF with --allow-remote)")


def _colophon_date(document: Document) -> list[Diagnostic]:
    colophon = document.meta.colophon_date
    root = document.language.path.parent if document.language else languages.ROOT
    printed = _month_year(colophon, languages.all_month_numbers(root)) if colophon else None
    if printed is None or printed >= (document.meta.date.year, document.meta.date.month):
        return []
    return [Diagnostic(
        document.source, document.field_lines.get("colophon-date"),
        f"colophon date '{colophon}' is earlier than the event ({document.meta.date}): "
        "check 'colophon-date'")]


def _keywords_on_one_line(document: Document) -> list[Diagnostic]:
    """`keywords: A, B, C` is one keyword, `author: A, B` one name: say so, and show the
    list form (the metadata would hold one subject, one creator)."""
    found = []
    for field, values, one, many in (("keywords", document.meta.keywords, "keyword", "keywords"),
                                     ("author", document.meta.authors, "name", "authors")):
        if len(values) != 1 or "," not in values[0]:
            continue
        items = [item.strip() for item in values[0].split(",") if item.strip()]
        listed = " ".join(f"'  - {item}'" for item in items[:3])
        found.append(Diagnostic(
            document.source, document.field_lines.get(field),
            f"'{field}' is one {one}, '{values[0][:60]}': for {len(items)} {many}, write one "
            f"per line under '{field}:' ({listed}{' ...' if len(items) > 3 else ''})"))
    return found


def _still_todo(document: Document) -> list[Diagnostic]:
    """A field an import left to the editor ('TODO'): it would print as it is."""
    meta = document.meta
    fields = {"title": (meta.title,), "dateline": (meta.dateline or "",),
              "abstract": (meta.abstract or "",), "keywords": meta.keywords,
              "author": meta.authors}
    return [Diagnostic(document.source, document.field_lines.get(field),
                       f"'{field}' still says TODO: write it (or remove the line)")
            for field, values in fields.items()
            if any(value.strip().startswith("TODO") for value in values)]


def _same_sections(document: Document) -> list[Diagnostic]:
    """Sections (the `#` headings, listed in the table of contents) with the same title.
    Sub-headings may repeat ("Les questions de la salle" under each session): their ids
    are unique and the table of contents does not list them."""
    found, seen = [], set()
    for heading in document.headings:
        if heading.level != SECTION_LEVEL:
            continue
        key = heading.text.casefold()
        if key in seen:
            found.append(Diagnostic(
                document.source, heading.line, f"two sections are titled '{heading.text}': the "
                "table of contents shows the same line twice (rename one)"))
        seen.add(key)
    return found


def lint(document: Document, house: Style, allow_remote: bool = False,
         press: Geometry | None = None, damage: Callable[[Path], str | None] | None = None
         ) -> list[Diagnostic]:
    """Document -> diagnostics, by line: links, colophon date, images, headings, glyphs.

    `allow_remote`: http(s) images are allowed (the PDF may fetch them); `press` (the style's
    geometry): images are checked for print too (300 dpi at the size they print), as `check`
    and the print shop's build do. Every local image is read: one that cannot be used (damaged,
    an SVG with XML entities) is an error at its line, one over MAX_MEGAPIXELS or MAX_MEGABYTES
    a warning, as is one whose pixels are cut short or damaged (`damage(file)` says why: a
    raster is decoded for it, its verdict remembered by the image cache). `house`: the
    document's style, whose fonts must have its characters.
    """
    path = document.source
    placeholders = [link for link in document.links if link.href.strip() in PLACEHOLDERS]
    found = [Diagnostic(path, link.line, *problem) for link in document.links
             if not (len(placeholders) > 2 and link in placeholders)
             and (problem := _link_problem(link, document.ids, document.headings))]
    if len(placeholders) > 2:  # one line for them all: a list of links still to be found
        found.append(_placeholders(path, placeholders))
    for image in document.images:
        problems, target = _image_problems(image, path, allow_remote)
        found += [Diagnostic(path, image.line, message, "error") for message in problems]
        if not problems and target is not None:
            found += [Diagnostic(path, image.line, *problem)
                      for problem in _file_problems(image, target, press, damage,
                                                    document.limits)]
    found += [Diagnostic(path, warning.line, warning.message) for warning in document.list_warnings]
    found += (_colophon_date(document) + _same_sections(document) + _missing_glyphs(document, house)
              + _keywords_on_one_line(document) + _still_todo(document))
    return sorted(found, key=lambda d: d.line or 0)


def body_errors(path: Path, links: Iterable[Link], images: Iterable[Image], ids: frozenset[str],
                allow_remote: bool = False) -> list[Diagnostic]:
    """The errors of a text's links and images alone: heard with the front matter's, when
    that stops the document before it is whole (every mistake in one run)."""
    found = [Diagnostic(path, link.line, problem[0], "error") for link in links
             if (problem := _link_problem(link, ids)) and problem[1] == "error"]
    for image in images:
        found += [Diagnostic(path, image.line, message, "error")
                  for message in _image_problems(image, path, allow_remote)[0]]
    return found


def _placeholders(path: Path, links: list[Link]) -> Diagnostic:
    """Links still without their addresses, in one warning: a list of further reading written
    before its addresses are found would otherwise bury every other message."""
    first = links[0]
    return Diagnostic(path, first.line, f"{len(links)} links have no target yet ('{first.href}': "
                      f"'{first.text}' and {len(links) - 1} others, lines "
                      f"{spans([link.line for link in links if link.line])}): put each address "
                      "between the parentheses")


def shared_numbers(documents: list[Document]) -> list[Diagnostic]:
    """Sources of one series that give the same `number`: one warning at each one's line,
    naming the others (e-readers would file them as one issue)."""
    found = []
    issues: dict[tuple[str, int], list[Document]] = {}
    for document in documents:
        if document.meta.number is not None:
            key = ((document.meta.series or "").casefold(), document.meta.number)
            issues.setdefault(key, []).append(document)
    for same in issues.values():
        for document in same if len(same) > 1 else ():
            others = ", ".join(other.source.name for other in same if other is not document)
            found.append(Diagnostic(
                document.source, document.field_lines.get("number"),
                f"number {document.meta.number} of '{document.meta.series or ''}' is also the "
                f"number of {others} (give each issue its own number)"))
    return found


def _missing_glyphs(document: Document, house: Style) -> list[Diagnostic]:
    """For each character the house fonts lack, at its first line: a warning when no font has
    it (it prints as an empty box), a note when a fallback font sets it."""
    found = []
    for char in fonts.uncovered(document.text, house):
        line = document.text[: document.text.index(char)].count("\n") + 1
        name = unicodedata.name(char, "unnamed character")
        covered = fonts.fallback_covers(char, house)
        fallback = (f"set in a fallback font ({fonts.fallback_names(house)})" if covered
                    else "no font has it: it prints as an empty box (remove it or write it out)")
        found.append(Diagnostic(
            document.source, line, f"character '{char}' (U+{ord(char):04X} {name}) is not in the "
            f"house fonts: {fallback}", "note" if covered else "warning"))
    return found


REPEATS_SHOWN = 5  # findings of one kind printed in full; the others on one line
_QUOTED_RE = re.compile(r"'[^']*'")


def shown(diagnostics: list[Diagnostic], first: int = REPEATS_SHOWN) -> list[str]:
    """The lines to print for `diagnostics`: each kind of finding (its file, severity and
    message but for what it quotes) `first` times at most, then one line saying how many more
    and at which lines (3,000 sections of one title: 5 lines and a sixth, not 2,999)."""
    lines: list[str] = []
    hidden: dict[tuple[Path, str, str], list[Diagnostic]] = {}
    counts: dict[tuple[Path, str, str], int] = {}
    for diagnostic in diagnostics:
        kind = (diagnostic.path, diagnostic.severity, _QUOTED_RE.sub("'…'", diagnostic.message))
        counts[kind] = counts.get(kind, 0) + 1
        if counts[kind] <= first:
            lines.append(diagnostic.labelled())
        else:
            hidden.setdefault(kind, []).append(diagnostic)
    for (path, severity, message), more in hidden.items():
        at = [str(d.line) for d in more if d.line]
        where = f" (lines {', '.join(at[:10])}{', …' if len(at) > 10 else ''})" if at else ""
        lines.append(f"{path}: {severity}: and {len(more)} more like \"{message[:60]}…\"{where}")
    return lines


def errors_of(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    """The diagnostics that stop a build."""
    return [d for d in diagnostics if d.severity == "error"]


def strict_failures(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    """The diagnostics that stop a --strict build: errors and warnings (not notes)."""
    return [d for d in diagnostics if d.severity in ("error", "warning")]


