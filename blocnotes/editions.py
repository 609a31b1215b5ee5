"""The editions of a source, as data: one row each, as WeasyPrint lists its PDF variants.

A build is a loop over the rows a command asks for (pipeline.build_one); what differs from
one edition to another is said here, not in the stages: the stylesheets (under the style
folder, in cascade order), the writer, WeasyPrint's PDF variant and finisher, whether links
stay on the page, the inks, and the file name.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

SETTINGS_VARIANT = "settings"  # the PDF variant the settings choose (--pdf-variant), one of
SCREEN_VARIANTS = ("pdf/ua-1", "pdf/a-3u", "pdf/a-2u")  # accessible (default), archival


@dataclass(frozen=True)
class Edition:
    """One edition: what it is called, how it is made and where it is written."""

    name: str  # the build's, the build records' and make's name for it
    writer: str  # "pdf" (WeasyPrint), "epub" (ebooklib), "html" (the HTML the PDF lays out),
    # "web" (the series' page of the hand-out folder, one for all sources), "article" (a
    # source's web page in the hand-out folder, article.py)
    stylesheets: tuple[str, ...]  # under the style folder, in cascade order: for a PDF,
    # the first as written, the others over it (their colours written out; inks if `cmyk`)
    file_name: str  # under the output folder; {slug}: the source's name
    pdf_variant: str | None = None  # WeasyPrint's PDF variant, or SETTINGS_VARIANT
    finisher: str | None = None  # a finisher of WeasyPrint's PDF (pdf.FINISHERS)
    links: bool = True  # links stay clickable (PDF/X wants no annotations on the page)
    cmyk: bool = False  # the print shop's inks: device-cmyk, the output profile, CMYK images
    tagged: bool = True  # a tagged (accessible) PDF
    page_map: bool = False  # the PDF whose pages the EPUB marks (where each page begins)
    goal: str | None = None  # make's goal that builds it (`make pdf`); None: make does not
    default: bool = False  # built by `make` alone (and `build.py all`, `watch`)
    handed_out: bool = False  # copied, dated, into the hand-out folder by `dist`
    media_type: str = ""  # of the file: for the feeds and the series' page
    command: str | None = None  # the help of build.py's command of this name; None: no command
    offered: str | None = None  # offered to readers on the series' page and in the feeds,
    # under this name ("PDF"); None: only in the folder (the print shop's PDF)

    def path_name(self, slug: str) -> str:
        """The file name of this edition of the source named `slug`."""
        return self.file_name.format(slug=slug)


PDF_TYPE, EPUB_TYPE = "application/pdf", "application/epub+zip"
SCREEN = Edition("pdf", "pdf", ("print.css",), "{slug}.pdf", pdf_variant=SETTINGS_VARIANT,
                 page_map=True, goal="pdf", default=True, handed_out=True,
                 media_type=PDF_TYPE, offered="PDF", command="Build the A4 PDF of each source.")
# PDF/X-4 (ISO 15930-7), the current PDF/X, which keeps transparency and ICC-based colour
# live for the printer's RIP, as the Ghent Workgroup and French print shops recommend.
PRESS = Edition("press", "pdf", ("print.css", "print-shop.css"), "{slug}-impression.pdf",
                pdf_variant="pdf/x-4", finisher="prepress", links=False, cmyk=True,
                tagged=False, goal="print", handed_out=True, media_type=PDF_TYPE)
EPUB = Edition("epub", "epub", ("epub.css",), "{slug}.epub", goal="epub", default=True,
               handed_out=True, media_type=EPUB_TYPE, offered="EPUB",
               command="Build the EPUB 3 of each source.")
HTML = Edition("html", "html", SCREEN.stylesheets, "{slug}.html",  # what SCREEN lays out
               command="Write the HTML the PDF of each source is laid out from (what "
                       "WeasyPrint reads).")
WEB = Edition("web", "web", ("web.css",), "index.html")
# The web edition: a source's page in the hand-out folder, from the same rendition, beside
# its PDF and EPUB (it links to them and to WEB): made when the folder is laid out ({slug} is
# dated there)
ARTICLE = Edition("article", "article", ("web.css",), "{slug}.html")

EDITIONS = (SCREEN, PRESS, EPUB, HTML, WEB, ARTICLE)  # in the order a build makes them
# Made once per source by a build (the web pages are made by distribute, from the builds)
PER_SOURCE = tuple(edition for edition in EDITIONS if edition.writer not in ("web", "article"))
HANDED_OUT = tuple(edition for edition in PER_SOURCE if edition.handed_out)  # make's, dist's
DEFAULT = tuple(edition.name for edition in PER_SOURCE if edition.default)  # `make` alone


# The print shop's edition as users call it (build.py pdf --print, make print), and as the
# Python API called it before it was named "press" everywhere inside.
SPELLINGS = {"print": PRESS.name}


def dated(slug: str, date: dt.date) -> str:
    """The name a source's files are handed out under (its editions' `{slug}`): dated."""
    return f"{date.isoformat()}-{slug}"


def by_goal(goal: str) -> tuple[str, ...]:
    """The names of the editions make's `goal` builds ("all": the default ones)."""
    if goal == "all":
        return DEFAULT
    return tuple(edition.name for edition in HANDED_OUT if edition.goal == goal)


PROFILE = "icc/FOGRA39L.icc"  # under the styles folder, shared: the print shop's output intent


def inputs_beside(edition: Edition) -> tuple[str, ...]:
    """The files beside the style folders (under the styles folder) an edition is made with:
    the print shop's output profile for an edition in inks."""
    return (PROFILE,) if edition.cmyk else ()


def make_lists() -> str:
    """The editions as make's variables and rules, for the Makefile to include (`build.py
    editions`): the goals (`EDITION_GOALS`, the default ones `DEFAULT_GOALS`), each goal's
    outputs (`OUTPUTS_<goal>`, from make's SLUGS and OUT), and the rule that makes an
    output of each edition join the build's list when it is out of date."""
    goals = [edition for edition in HANDED_OUT if edition.goal]
    lines = [f"EDITION_GOALS := {' '.join(e.goal for e in goals)}",
             f"DEFAULT_GOALS := {' '.join(e.goal for e in goals if e.default)}"]
    for edition in goals:
        pattern = f"$(OUT)/{edition.path_name('%')}"
        beside = "".join(f" styles/{name}" for name in inputs_beside(edition))
        lines += [f"OUTPUTS_{edition.goal} := $(SLUGS:%={pattern})",
                  f"{pattern}: source/%.md{beside} $(DEPS)", "\t$(eval DUE += $@)"]
    return "\n".join(lines) + "\n"


def named(names: tuple[str, ...] | list[str]) -> list[Edition]:
    """The editions of these names, in the table's order (an unknown name is a bug)."""
    names = [SPELLINGS.get(name, name) for name in names]
    unknown = set(names) - {edition.name for edition in PER_SOURCE}
    if unknown:
        raise ValueError(f"no such edition: {', '.join(sorted(unknown))}")
    return [edition for edition in PER_SOURCE if edition.name in names]
