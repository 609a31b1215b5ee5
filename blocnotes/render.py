"""Render a typeset document to one HTML rendition (Jinja2), the common start of every edition."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Mapping
from functools import cache

import jinja2
from lxml import etree
from markupsafe import Markup

from . import __version__, typeset
from .model import Document, Metadata, Typeset


def build_date(document: Document, environ: Mapping[str, str] = os.environ) -> dt.datetime:
    """The one date written everywhere: SOURCE_DATE_EPOCH if set, else the document's date."""
    epoch = environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC)
    date = document.meta.date
    return dt.datetime(date.year, date.month, date.day, tzinfo=dt.UTC)


def date_text(date: dt.date, labels: Mapping[str, str]) -> str:
    """A date as words in the labels' language: '29 septembre 2020', '29. September 2020'."""
    month = labels["months"].split()[date.month - 1]
    return labels["date-format"].format(day=date.day, month=month, year=date.year)


@cache
def environment() -> jinja2.Environment:
    """The Jinja2 environment of the package's templates (HTML autoescaped)."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("blocnotes", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=False,
        keep_trailing_newline=True,
    )
    env.filters["headline"] = typeset.headline  # a title's lines (see typeset.headline)
    return env


def number_text(meta: Metadata, labels: Mapping[str, str]) -> str | None:
    """The issue's number in the labels' words ('nº 12', 'No. 12'), if it has one."""
    return labels["number"].format(number=meta.number) if meta.number is not None else None


def issue_text(meta: Metadata, labels: Mapping[str, str]) -> str:
    """The series with the issue's number: 'Le Bloc-Notes de l’Agence nº 12'."""
    series = meta.series or labels["series"]
    number = number_text(meta, labels)
    return f"{series} {number}" if number else series


def description(document: Typeset) -> str:
    """One-line summary for metadata, as typeset: the description, else the series with the
    issue's number, the title and the dateline."""
    meta = document.display
    if meta.description:
        return meta.description
    parts = [issue_text(meta, document.labels) if meta.series or meta.number else None,
             meta.title, meta.dateline or date_text(meta.date, document.labels)]
    return " – ".join(part for part in parts if part)


# Blocks that get a number (data-bn): the PDF's layout says on which of them each page
# begins, the EPUB puts its page-break markers there.
NUMBERED = ("p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "dt", "dd", "pre", "td", "th",
            "caption", "figcaption")
XHTML = "http://www.w3.org/1999/xhtml"
DOCTYPE = "<!DOCTYPE html>\n"


def _number_blocks(html: str) -> str:
    root = etree.fromstring(html.encode("utf-8"))
    body = root.find(f"{{{XHTML}}}body")
    assert body is not None
    tags = {f"{{{XHTML}}}{tag}" for tag in NUMBERED}
    for number, element in enumerate(e for e in body.iter() if e.tag in tags):
        element.set("data-bn", str(number))
    return DOCTYPE + etree.tostring(root, encoding="unicode")


def render_html(document: Typeset, when: dt.datetime) -> str:
    """Document (typeset) -> the one HTML rendition both writers start from, well-formed as
    XML; its text blocks are numbered (data-bn) so that PDF pages can be found in the EPUB."""
    return _number_blocks(_render(document, when))


# The hyphen the layout adds at a line's end (styles/*/print.css: hyphenate-character), a
# character of its own so that its glyph is its own (fonts._named) and the PDF's text layer
# reads it as a soft hyphen (pdf._soft_layout_hyphens); a hyphen the author typed is "-".
LAYOUT_HYPHEN = "\u2010"


def for_pdf(rendition: str, css: str, links: bool = True, footnotes: int | None = None) -> str:
    """The rendition as WeasyPrint lays it out, decided in its tree before it is serialized:
    notes at their calls, `css` in the <head>, and placeholder links ('#') made <a> without
    href, as HTML defines placeholders: on paper they lead nowhere, and the PDF keeps no link
    to the folder it was built in. Without `links` (the print shop's edition: PDF/X wants no
    annotations on the page), every link is. A document of more notes than `footnotes` keeps
    them at the end of their sections (see budgets.Limits.footnotes). A hyphen typed as
    U+2010 is set as "-", the same hyphen: U+2010 is the layout's (LAYOUT_HYPHEN), which
    the PDF's text layer reads as a soft hyphen."""
    root = etree.fromstring(rendition.replace(LAYOUT_HYPHEN, "-").encode("utf-8"))
    notes = sum(1 for aside in root.iter(f"{{{XHTML}}}aside")
                if aside.get("role") == "doc-footnote")
    if footnotes is None or notes <= footnotes:
        _notes_at_calls(root)
    for link in root.iter(f"{{{XHTML}}}a"):
        if "href" in link.attrib and (not links or link.get("href") in ("", "#")):
            del link.attrib["href"]
        _breaks_in_text(link)
    head = root.find(f"{{{XHTML}}}head")
    assert head is not None  # the template writes one
    head.append(_style(css))
    return "<!DOCTYPE html>\n" + etree.tostring(root, encoding="unicode")


def _breaks_in_text(link: etree._Element) -> None:
    """An address's <wbr/> (typeset._break_urls) as a zero-width space in its text: the same
    break, but no box of its own, which WeasyPrint would give a link annotation each (a long
    address: 23 annotations instead of one per line)."""
    for wbr in list(link.iterchildren(f"{{{XHTML}}}wbr")):
        previous = wbr.getprevious()
        joined = "\u200b" + (wbr.tail or "")
        if previous is None:
            link.text = (link.text or "") + joined
        else:
            previous.tail = (previous.tail or "") + joined
        link.remove(wbr)


def amend_pdf_html(html: str, change: Callable[[etree._Element], bool]) -> str | None:
    """The PDF's HTML (for_pdf's) with `change` made in its tree, serialized as for_pdf does
    (its stylesheet's CDATA section kept); None when `change` changed nothing."""
    parser = etree.XMLParser(strip_cdata=False, resolve_entities=False, no_network=True,
                             huge_tree=True)
    root = etree.fromstring(html.removeprefix(DOCTYPE).encode("utf-8"), parser)
    if not change(root):
        return None
    return DOCTYPE + etree.tostring(root, encoding="unicode")


def _style(css: str) -> etree._Element:
    """A <style> element that holds `css` as both readers of the PDF's HTML see it. XML
    would escape '>' (a child combinator) as '&gt;', which HTML (WeasyPrint's parser) reads
    as it is in a <style>: the CSS goes in a CDATA section that the CSS sees inside comments
    (/*<![CDATA[*/ ... /*]]>*/, the idiom of XHTML served as HTML); the XML comments are
    only there because lxml puts a CDATA section after another node, not after text."""
    if "]]>" in css:
        raise ValueError("a stylesheet cannot hold ']]>'")
    style = etree.Element(f"{{{XHTML}}}style")
    style.text = "\n/*"
    opening, closing = etree.Comment(), etree.Comment()
    opening.tail = etree.CDATA(f"*/\n{css}/*")
    closing.tail = "*/\n"
    style.extend((opening, closing))
    style.tail = "\n"
    return style


def _notes_at_calls(root: etree._Element) -> None:
    """For the PDF: each note moved from its section's end to its first call, as a span the
    style floats to the foot of the page (float: footnote; WeasyPrint numbers the call)."""
    x = f"{{{XHTML}}}"
    calls: dict[str, etree._Element] = {}
    # A note called from another note stays an aside, and so does one called from a heading:
    # WeasyPrint fails on a footnote that floats out of a heading kept with what follows it.
    kept_in = {f"{x}aside", *(f"{x}h{level}" for level in range(1, 7))}
    for link in root.iter(f"{x}a"):
        held = any(a.tag in kept_in for a in link.iterancestors())
        if link.get("class") == "footnote-ref" and not held:
            calls.setdefault(link.get("href", "")[1:], link)  # the first call holds the note
    for aside in list(root.iter(f"{x}aside")):
        call = calls.get(aside.get("id", "")) if aside.get("role") == "doc-footnote" else None
        if call is None or call.getparent() is None:
            continue
        note = etree.Element(f"{x}span", {"class": "fn", "id": aside.get("id", "")})
        for link in list(aside.iter(f"{x}a")):
            if link.get("class") == "note-number":  # WeasyPrint writes the number
                link.getparent().text = (link.getparent().text or "") + (link.tail or "").lstrip()
                link.getparent().remove(link)
            elif link.get("class") == "note-backref":  # the EPUB's way back to a later call
                link.getparent().remove(link)  # (the last thing of its paragraph)
        for block in aside:
            block.tag = f"{x}span"  # a <p> would close the paragraph that holds the call
            block.set("class", "fn-p")
            block.tail = None
            note.append(block)
        marker = call.getparent() if call.getparent().tag == f"{x}sup" else call
        note.tail = marker.tail
        marker.getparent().replace(marker, note)
        aside.getparent().remove(aside)


def _render(document: Typeset, when: dt.datetime) -> str:
    show = document.display
    labels = document.labels
    return environment().get_template("document.html.j2").render(
        meta=document.meta,
        show=show,
        labels=labels,
        colon=labels["colon"],
        description=description(document),
        number=number_text(show, labels),
        build_date=when.strftime("%Y-%m-%dT%H:%M:%SZ"),
        date_text=date_text(document.meta.date, labels),
        version=__version__,
        abstract=Markup(document.abstract_html),
        intro=Markup(document.intro_html),
        credits=document.credits,
        credits_label=labels["credits" if document.credits_photos else "figure-credits"],
        sections=[
            {"title": s.title, "html": Markup(s.html)} for s in document.sections
        ],
    )
