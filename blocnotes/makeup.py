"""Make-up of the laid-out PDF pages: what a designer would correct by hand, found in
WeasyPrint's layout and corrected by a class in the HTML (the style says what it does)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

NEW_PAGE = "new-page"  # styles/<name>/print.css: a section that starts a page
BODY = "section-body"  # a section's text after its heading (blocnotes/markup.py)


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


_OPEN = '<section class="part chapter"'  # as the template writes it


def start_pages_at(html: str, headings: list[str]) -> str:
    """The HTML of the PDF with the sections of these headings (data-bn) marked NEW_PAGE."""
    for number in headings:
        position = html.find(f' data-bn="{number}"')
        start = html.rfind(_OPEN, 0, position)
        if position < 0 or start < 0 or html.startswith(f"{_OPEN[:-1]} {NEW_PAGE}", start):
            continue
        html = f'{html[:start]}<section class="part chapter {NEW_PAGE}"{html[start + len(_OPEN):]}'
    return html


def colophon_alone(pages: list) -> bool:
    """Whether the colophon begins the last page with none of the text before it."""
    if len(pages) < 2:
        return False
    last = pages[-1]._page_box
    return not any(True for _ in _chapters(last)) and _has_colophon(last)


def _has_colophon(box: object) -> bool:
    return any("colophon" in _classes(child) or _has_colophon(child) for child in _blocks(box))


def carry_last_block(html: str) -> str:
    """The HTML of the PDF with the last block of the last section moved into a section of its
    own that starts a page: the end of the text goes over with the colophon."""
    from lxml import etree

    start = html.rfind(_OPEN)
    end = html.find("</section>", start) + len("</section>")
    if start < 0 or end < len("</section>"):
        return html
    section = etree.fromstring(html[start:end])
    if NEW_PAGE in section.get("class", "").split():
        return html  # already starts a page: nothing to carry
    bodies = [child for child in section if _is(child, BODY)]
    blocks = [child for child in bodies[0] if isinstance(child.tag, str)] if bodies else []
    if len(blocks) < 2:
        # the heading and speakers' box go with their only paragraph: the whole section
        section.set("class", f"{section.get('class')} {NEW_PAGE}")
        return html[:start] + etree.tostring(section, encoding="unicode") + html[end:]
    carried = etree.Element("section", {"class": f"part chapter {NEW_PAGE}"})
    etree.SubElement(carried, "div", {"class": BODY}).append(blocks[-1])
    return (html[:start] + etree.tostring(section, encoding="unicode")
            + etree.tostring(carried, encoding="unicode") + html[end:])


def _is(element: object, name: str) -> bool:
    return isinstance(getattr(element, "tag", None), str) and \
        name in element.get("class", "").split()  # type: ignore[attr-defined]
