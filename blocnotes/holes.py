"""Holes in laid-out pages: a vertical gap of HOLE_MM or more with nothing printed in it,
inside a column of the text area, between printed things or between the last one and the
text area's foot, on a page that is not the last. A designer leaves none (issue 21).

Measured on WeasyPrint's own boxes (the document `HTML(...).render()` gives, before it is
written): what is printed is every line of text, every image, and every box that paints a
background or a border; the columns are those WeasyPrint laid out on the page (a page that
has none, those of the document's other pages, else the whole text area).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

HOLE_MM = 40.0
PX_PER_MM = 96 / 25.4  # WeasyPrint lays out in CSS pixels
_SKIPPED = ("MarginBox",)  # running heads and page numbers: outside the text area


@dataclass(frozen=True)
class Hole:
    """A gap of `height` mm, from `top` mm below the text area's top, in column `column`
    (0: the leftmost) of page `page` (1: the first)."""

    page: int
    column: int
    top: float
    height: float

    def __str__(self) -> str:
        # (p. 2, col. 1: 44 mm at 213 mm; no label text in the package: tests/test_style.py)
        return f"p. {self.page}, col. {self.column + 1}: {self.height:.0f} mm at {self.top:.0f} mm"


Span = tuple[float, float]  # (left, right) or (top, bottom), in CSS pixels


def _painted(box: object) -> bool:
    """Whether the box paints a background or a border of its own."""
    style = getattr(box, "style", None)
    if style is None or type(box).__name__ in ("PageBox",) or \
            getattr(getattr(box, "element", None), "tag", None) in ("html", "body"):
        return False
    background = style["background_color"]
    if background is not None and getattr(background, "alpha", 0) > 0:
        return True
    return any(getattr(box, f"border_{side}_width", 0) > 0
               for side in ("top", "right", "bottom", "left"))


def _printed(box: object, measure: Span = (0, 0)) -> Iterator[tuple[Span, Span]]:
    """(horizontal span, vertical span) of each thing the box and its descendants print; a
    line of text spans its block's `measure` (a short line, a title, still fills it)."""
    kind = type(box).__name__
    if kind in _SKIPPED:
        return
    if kind == "LineBox":
        if any(_has_text(child) for child in box.children):
            yield measure, (box.position_y, box.position_y + box.height)
        return
    if kind in ("BlockReplacedBox", "InlineReplacedBox") or \
            (_painted(box) and kind != "TableBox"):
        x, y = box.border_box_x(), box.border_box_y()
        yield (x, x + box.border_width()), (y, y + box.border_height())
        if kind.endswith("ReplacedBox"):
            return
    if hasattr(box, "content_box_x") and getattr(box, "width", None) is not None:
        measure = (box.content_box_x(), box.content_box_x() + box.width)
    for child in getattr(box, "children", ()):
        yield from _printed(child, measure)


def _has_text(box: object) -> bool:
    kind = type(box).__name__
    if kind == "TextBox":
        return bool(box.text.strip())
    if kind.endswith("ReplacedBox") or kind == "InlineBlockBox":
        return True
    return any(_has_text(child) for child in getattr(box, "children", ()))


def _columns(box: object) -> Iterator[Span]:
    """The horizontal spans of the columns WeasyPrint laid out under `box`: the boxes of an
    element laid out side by side as children of a box of the same element."""
    children = [child for child in getattr(box, "children", ())
                if type(child).__name__ not in ("LineBox", "TextBox")]
    element = getattr(box, "element", None)
    same = [child for child in children if element is not None and
            getattr(child, "element", None) is element and
            getattr(child, "element_tag", None) == getattr(box, "element_tag", None)]
    if len(same) > 1 and len({child.position_x for child in same}) > 1:
        for child in same:
            yield child.position_x, child.position_x + child.width
    for child in children:
        yield from _columns(child)


def _strips(found: list[Span], left: float, right: float) -> list[Span]:
    """The columns of a page from the spans found (one strip per distinct left edge)."""
    strips: dict[int, Span] = {}
    for start, end in found:
        strips.setdefault(round(start), (start, end))
    return [strips[key] for key in sorted(strips)] or [(left, right)]


def page_holes(page_box: object, number: int, default: list[Span] | None = None
               ) -> list[Hole]:
    """The holes of one laid-out page (WeasyPrint's page box), numbered `number`."""
    left, top = page_box.content_box_x(), page_box.content_box_y()
    foot = top + page_box.height
    right = left + page_box.width
    found = list(_columns(page_box))
    strips = _strips(found, left, right) if found else (default or [(left, right)])
    printed = list(_printed(page_box))
    holes = []
    for index, (start, end) in enumerate(strips):
        spans = sorted((y0, y1) for (x0, x1), (y0, y1) in printed
                       if x0 < end - 1 and x1 > start + 1 and y1 > top and y0 < foot)
        reached = None
        for y0, y1 in [*spans, (foot, foot)]:
            if reached is not None and y0 - reached >= HOLE_MM * PX_PER_MM:
                holes.append(Hole(number, index, (reached - top) / PX_PER_MM,
                                  (y0 - reached) / PX_PER_MM))
            reached = y1 if reached is None else max(reached, y1)
    return holes


def strips_of(pages: list) -> list[Span] | None:
    """The columns of the first page that has columns (None: no page has)."""
    for page in pages:
        found = list(_columns(page._page_box))
        if found:
            box = page._page_box
            return _strips(found, box.content_box_x(), box.content_box_x() + box.width)
    return None


def foot_gaps(page_box: object, default: list[Span] | None = None) -> list[tuple[Span, float]]:
    """Each column of the page and the empty height (CSS pixels) between the last thing
    printed in it and the text area's foot (above the page's notes)."""
    left, top = page_box.content_box_x(), page_box.content_box_y()
    foot = top + page_box.height
    for child in page_box.children:
        if type(child).__name__ == "FootnoteAreaBox" and child.children:
            foot = min(foot, child.position_y)
    found = list(_columns(page_box))
    strips = _strips(found, left, left + page_box.width) if found else \
        (default or [(left, left + page_box.width)])
    printed = list(_printed(page_box))
    gaps = []
    for start, end in strips:
        bottoms = [y1 for (x0, x1), (_y0, y1) in printed
                   if x0 < end - 1 and x1 > start + 1 and y1 > top and _y0 < foot]
        gaps.append(((start, end), foot - max(bottoms, default=top)))
    return gaps


def holes(pages: list) -> list[Hole]:
    """The holes of a laid-out document (WeasyPrint's pages), on every page but the last."""
    default = strips_of(pages)
    return [hole for number, page in enumerate(pages[:-1], start=1)
            for hole in page_holes(page._page_box, number, default)]


def pages_needed(pages: list) -> int:
    """The pages the document's content needs: what is printed in each column (the union of
    its printed spans) summed over the pages, over the text area of a page, rounded up."""
    default = strips_of(pages)
    printed_area = area = 0.0
    for page in pages:
        box = page._page_box
        left, top = box.content_box_x(), box.content_box_y()
        foot = top + box.height
        found = list(_columns(box))
        strips = _strips(found, left, left + box.width) if found else \
            (default or [(left, left + box.width)])
        printed = list(_printed(box))
        for start, end in strips:
            spans = sorted((max(y0, top), min(y1, foot)) for (x0, x1), (y0, y1) in printed
                           if x0 < end - 1 and x1 > start + 1 and y1 > top and y0 < foot)
            reached = top
            for y0, y1 in spans:
                if y1 > reached:
                    printed_area += (y1 - max(y0, reached)) * (end - start)
                    reached = y1
        area = sum(end - start for start, end in strips) * box.height
    return max(1, -int(-printed_area // area)) if area else len(pages)
