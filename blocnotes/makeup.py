"""Make-up of the laid-out PDF pages: what a designer would correct by hand, found in
WeasyPrint's layout and corrected by a class in the HTML (the style says what it does)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

NEW_PAGE = "new-page"  # styles/print.css: a section that starts a page


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
    """The print HTML with the sections of these headings (data-bn) marked NEW_PAGE."""
    for number in headings:
        position = html.find(f' data-bn="{number}"')
        start = html.rfind(_OPEN, 0, position)
        if position < 0 or start < 0:
            continue
        html = f'{html[:start]}<section class="part chapter {NEW_PAGE}"{html[start + len(_OPEN):]}'
    return html
