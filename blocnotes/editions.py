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

    def path_name(self, slug: str) -> str:
        """The file name of this edition of the source named `slug`."""
        return self.file_name.format(slug=slug)


SCREEN = Edition("pdf", "pdf", ("print.css",), "{slug}.pdf", pdf_variant=SETTINGS_VARIANT,
                 page_map=True)
# PDF/X-4 (ISO 15930-7), the current PDF/X, which keeps transparency and ICC-based colour
# live for the printer's RIP, as the Ghent Workgroup and French print shops recommend.
PRESS = Edition("press", "pdf", ("print.css", "print-shop.css"), "{slug}-impression.pdf",
                pdf_variant="pdf/x-4", finisher="prepress", links=False, cmyk=True,
                tagged=False)
EPUB = Edition("epub", "epub", ("epub.css",), "{slug}.epub")
HTML = Edition("html", "html", SCREEN.stylesheets, "{slug}.html")  # what SCREEN lays out
WEB = Edition("web", "web", ("web.css",), "index.html")
# The web edition: a source's page in the hand-out folder, from the same rendition, beside
# its PDF and EPUB (it links to them and to WEB): made when the folder is laid out ({slug} is
# dated there)
ARTICLE = Edition("article", "article", ("web.css",), "{slug}.html")

EDITIONS = (SCREEN, PRESS, EPUB, HTML, WEB, ARTICLE)  # in the order a build makes them
# Made once per source by a build (the web pages are made by distribute, from the builds)
PER_SOURCE = tuple(edition for edition in EDITIONS if edition.writer not in ("web", "article"))


# The print shop's edition as users call it (build.py pdf --print, make print), and as the
# Python API called it before it was named "press" everywhere inside.
SPELLINGS = {"print": PRESS.name}


def dated(slug: str, date: dt.date) -> str:
    """The name a source's files are handed out under (its editions' `{slug}`): dated."""
    return f"{date.isoformat()}-{slug}"


def named(names: tuple[str, ...] | list[str]) -> list[Edition]:
    """The editions of these names, in the table's order (an unknown name is a bug)."""
    names = [SPELLINGS.get(name, name) for name in names]
    unknown = set(names) - {edition.name for edition in PER_SOURCE}
    if unknown:
        raise ValueError(f"no such edition: {', '.join(sorted(unknown))}")
    return [edition for edition in PER_SOURCE if edition.name in names]
