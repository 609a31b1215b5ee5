"""Make-up of the laid-out PDF pages: what a designer would correct by hand, found in
WeasyPrint's layout and corrected in the tree of the PDF's HTML, by a class (the style says
what it does) or a block moved (render.amend_pdf_html serializes it again)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from lxml import etree

from .render import XHTML

NEW_PAGE = "new-page"  # styles/<name>/print.css: a section that starts a page
BODY = "section-body"  # a section's text after its heading (blocnotes/markup.py)
SUB_HEADINGS = {f"{{{XHTML}}}h{level}" for level in range(3, 7)}  # kept with what follows


def _blocks(box: object) -> list:
    """The block-level children of a layout box (not lines or text)."""
    return [child for child in getattr(box, "children", ())
            if type(child).__name__ not in ("LineBox", "TextBox", "InlineBox", "MarginBox")]


def _classes(box: object) -> list[str]:
    element = getattr(box, "element", None)
    return element.get("class", "").split() if element is not None else []


def _chapters(box: object) -> Iterator:
    """The boxes of the sections (class 'chapter') laid out on a page, outermost first."""
    for child in _blocks(box):
        if "chapter" in _classes(child):
            yield child
        else:
            yield from _chapters(child)


def stranded_sections(pages: Iterable) -> list[str]:
    """The numbers (data-bn) of the section headings that end a page with none of their
    text after them: a heading, or a heading and its speakers' box, at the foot of a page."""
    found = []
    for page in pages:
        for chapter in _chapters(page._page_box):
            children = _blocks(chapter)
            if children and "section-head" in _classes(children[-1]):
                heading = children[-1].element.find("h2")
                if heading is not None and heading.get("data-bn") is not None:
                    found.append(heading.get("data-bn"))
    return found


def _sections(root: etree._Element) -> list[etree._Element]:
    """The sections of the text (class 'chapter') of the PDF's HTML, in order."""
    return [section for section in root.iter(f"{{{XHTML}}}section")
            if "chapter" in section.get("class", "").split()]


def _start_page(section: etree._Element) -> None:
    section.set("class", f"{section.get('class', '')} {NEW_PAGE}".strip())


def start_pages_at(root: etree._Element, headings: list[str]) -> bool:
    """Mark NEW_PAGE the sections of these headings (data-bn) in the PDF's HTML `root`;
    whether anything changed."""
    changed = False
    for section in _sections(root):
        heading = section.find(f".//{{{XHTML}}}h2")
        if (heading is not None and heading.get("data-bn") in headings
                and not _is(section, NEW_PAGE)):
            _start_page(section)
            changed = True
    return changed


def colophon_alone(pages: list) -> bool:
    """Whether the colophon begins the last page with none of the text before it."""
    if len(pages) < 2:
        return False
    last = pages[-1]._page_box
    return not any(True for _ in _chapters(last)) and _has_colophon(last)


def _has_colophon(box: object) -> bool:
    return any("colophon" in _classes(child) or _has_colophon(child) for child in _blocks(box))


def carry_last_block(root: etree._Element) -> bool:
    """Move the last block of the last section of the PDF's HTML `root` into a section of
    its own that starts a page: the end of the text goes over with the colophon. Whether
    anything changed."""
    sections = _sections(root)
    if not sections or _is(sections[-1], NEW_PAGE):
        return False  # already starts a page: nothing to carry
    section = sections[-1]
    bodies = [child for child in section if _is(child, BODY)]
    blocks = [child for child in bodies[0] if isinstance(child.tag, str)] if bodies else []
    start = len(blocks) - 1  # the last block, and the sub-headings just before it
    while start > 0 and blocks[start - 1].tag in SUB_HEADINGS:
        start -= 1
    if start < 1:
        # the heading and speakers' box go with all that follows them: the whole section
        _start_page(section)
        return True
    carried = etree.Element(f"{{{XHTML}}}section", {"class": f"part chapter {NEW_PAGE}"})
    etree.SubElement(carried, f"{{{XHTML}}}div", {"class": BODY}).extend(blocks[start:])
    carried.tail = "\n"
    section.addnext(carried)
    return True


def _is(element: object, name: str) -> bool:
    return isinstance(getattr(element, "tag", None), str) and \
        name in element.get("class", "").split()  # type: ignore[attr-defined]
