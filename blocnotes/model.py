"""The document model: plain, frozen, typed data shared by every stage."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from .budgets import DEFAULT as DEFAULT_LIMITS
from .budgets import Limits
from .languages import DEFAULT as DEFAULT_LANGUAGE
from .languages import Language


@dataclass(frozen=True)
class ListWarning:
    """A list line whose nesting the Markdown does not make clear."""

    line: int
    message: str


@dataclass(frozen=True)
class Metadata:
    """Front matter merged over the agency defaults, validated."""

    title: str
    date: dt.date
    short_title: str | None = None
    lang: str = DEFAULT_LANGUAGE
    subtitle: str | None = None
    dateline: str | None = None
    description: str | None = None
    abstract: str | None = None
    keywords: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()
    series: str | None = None
    number: int | None = None  # the number in its series
    publisher: str | None = None
    publisher_short: str | None = None
    address: str | None = None
    rights: str | None = None
    colophon_date: str | None = None
    abstract_title: str | None = None
    keywords_title: str | None = None
    site_url: str | None = None  # where the hand-out folder is published, ends with '/'
    style: str | None = None  # the folder of its look under styles/ (None: the default)


@dataclass(frozen=True)
class Link:
    """A link of the body: its text, its target and the source line where it is."""

    text: str
    href: str
    line: int | None


@dataclass(frozen=True)
class Image:
    """An image of the body: its address, its alternative text and its source line."""

    src: str
    alt: str
    line: int | None
    box: str = "figure"  # "figure" (a column), "wide" (both columns) or "inline" (in a sentence)
    share: float = 1.0  # the share of its box it fills (width=50% -> 0.5)


@dataclass(frozen=True)
class Heading:
    """A heading of the body, after levels are normalized (sections are level 2)."""

    level: int
    id: str
    text: str
    line: int | None


@dataclass(frozen=True)
class PageStart:
    """Where a page of the PDF begins: the numbered block (data-bn) and its first words."""

    page: int
    block: str
    text: str


@dataclass(frozen=True)
class Section:
    """A top-level section: its id, its plain-text title and its XHTML (heading included)."""

    id: str
    title: str
    html: str


@dataclass(frozen=True)
class Document:
    """One Bloc-Notes as read: where it came from, its metadata and its body split into
    sections. Only its typeset form (Typeset) goes on to the writers."""

    source: Path
    slug: str
    meta: Metadata
    abstract_html: str = ""
    intro_html: str = ""
    sections: tuple[Section, ...] = ()
    links: tuple[Link, ...] = ()
    images: tuple[Image, ...] = ()
    headings: tuple[Heading, ...] = ()
    ids: frozenset[str] = frozenset()  # every id of the body, for internal links
    credits: tuple[str, ...] = ()  # the figures' credits, in order, for the colophon
    credits_photos: bool = True  # every credited figure is a photograph (else a chart, a map...)
    list_warnings: tuple[ListWarning, ...] = ()  # list lines whose nesting is a guess
    text: str = field(default="", repr=False, compare=False)  # the source, to locate findings
    field_lines: dict[str, int] = field(default_factory=dict, compare=False, hash=False)
    # the fixed words of the layout in the document's language (its style's labels.yaml)
    labels: dict[str, str] = field(default_factory=dict, compare=False, hash=False)
    # its language (languages/<code>.yaml): typography, hyphenation, months
    language: Language | None = field(default=None, compare=False, hash=False)
    # the budgets of its build (its agency.yaml's `limits:`, else the defaults)
    limits: Limits = field(default=DEFAULT_LIMITS, compare=False)


@dataclass(frozen=True, kw_only=True)
class Typeset(Document):
    """A Document after typesetting (typeset.typeset makes it): its body's text set for its
    language, and `display`, the metadata as shown, which every writer (HTML, PDF, EPUB,
    cover, web page, feeds) takes; `meta` stays the data (dates, identifiers, language)."""

    display: Metadata
