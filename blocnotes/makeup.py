"""Make-up of the laid-out PDF pages: what a designer would correct by hand, found in
WeasyPrint's layout and corrected in the tree of the PDF's HTML, by a class (the style says
what it does) or a block moved (render.amend_pdf_html serializes it again)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from lxml import etree

from .render import LAYOUT_HYPHEN, XHTML

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
    return not any(True for _ in _chapters(last)) and _colophon_box(last) is not None


def textless_pages(pages: list) -> int:
    """How many pages but the last hold none of the text's sections (a cover, a masthead
    alone)."""
    return sum(1 for page in pages[:-1] if not any(True for _ in _chapters(page._page_box)))


def _colophon_box(box: object) -> object | None:
    for child in _blocks(box):
        found = child if "colophon" in _classes(child) else _colophon_box(child)
        if found is not None:
            return found
    return None


# A colophon that made the last page (it did not fit at the text's foot, or took the text's
# last lines over) is set compact (styles/bloc-notes/print.css: in two columns, closer to the
# text), which may keep it on the page before: one page less, and no hole left there.
COMPACT = "compact"
COMPACT_GAIN = 0.4  # the least part of the colophon's height the compact one saves


def colophon_may_save_page(pages: list) -> bool:
    """Whether the last page (the colophon and, perhaps, a few lines of text before it) may
    fit in the space left at the foot of the page before it, with a compact colophon: its
    text shared between that page's columns, then the colophon (less COMPACT_GAIN of its
    height) across them, under the longest, fit in the least space a column has left."""
    from .holes import foot_gaps, strips_of

    if len(pages) < 2:
        return False
    last = pages[-1]._page_box
    colophon = _colophon_box(last)
    if colophon is None or COMPACT in _classes(colophon):
        return False
    height = colophon.margin_height()
    text = colophon.position_y - last.content_box_y()  # the text's lines above it
    gaps = [gap for _span, gap in foot_gaps(pages[-2]._page_box, strips_of(pages))]
    return bool(gaps) and text / len(gaps) + (1 - COMPACT_GAIN) * height <= min(gaps)


def compact_colophon(root: etree._Element) -> bool:
    """Mark the colophon of the PDF's HTML `root` COMPACT; whether anything changed."""
    for section in root.iter(f"{{{XHTML}}}section"):
        if _is(section, "colophon") and not _is(section, COMPACT):
            section.set("class", f"{section.get('class', '')} {COMPACT}")
            return True
    return False


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


# The last lines of the text carried over with the colophon: as few as a split paragraph
# keeps on a page (the style's widows), so the page before is not left short.
CARRIED_LINES = 2
RUNS_ON = "runs-on"  # styles/<name>/print.css: a paragraph whose end is on the next page


def last_lines(pages: list) -> tuple[str, list[str]] | None:
    """The number (data-bn) of the last block of the text, when a paragraph, and the text
    of each line it was laid out in (None: not a paragraph, or no number)."""
    for page in reversed(pages):
        chapters = list(_chapters(page._page_box))
        if not chapters:
            continue
        blocks = [block for block in _body_blocks(chapters[-1])]
        if not blocks or getattr(blocks[-1], "element_tag", "") != "p":
            return None
        number = blocks[-1].element.get("data-bn")
        lines = [_line_text(line) for page in pages for line in _lines_of(page._page_box,
                                                                          number)]
        return (number, lines) if number is not None else None
    return None


def _body_blocks(chapter: object) -> list:
    """The blocks of a section's text laid out on a page, in order (column after column)."""
    found = []
    for child in _blocks(chapter):
        if BODY in _classes(child):
            inner = _blocks(child)
            columns = [box for box in inner if BODY in _classes(box)]
            for column in columns or [child]:
                found.extend(box for box in _blocks(column) if BODY not in _classes(box))
    return found


def _lines_of(box: object, number: str | None) -> Iterator:
    element = getattr(box, "element", None)
    if element is not None and element.get("data-bn") == number and \
            type(box).__name__ != "LineBox":
        yield from (child for child in box.children if type(child).__name__ == "LineBox")
        return
    for child in getattr(box, "children", ()):
        yield from _lines_of(child, number)


def _line_text(box: object) -> str:
    if type(box).__name__ == "TextBox":
        return box.text
    return "".join(_line_text(child) for child in getattr(box, "children", ()))


def _solid(text: str) -> str:
    return "".join(text.split())


HYPHENS = ("-", LAYOUT_HYPHEN)  # a line's end a word was hyphenated at, by the layout


def _kept(text: str, lines: list[str], carried: int) -> tuple[int, bool] | None:
    """How many non-space characters of the paragraph's `text` stay when its last `carried`
    `lines` go (a line ended by a hyphen is read with and without it), and whether the
    beginning ends in a word the layout hyphenated there (it then takes the hyphen); None:
    the lines are not the text's."""
    tail = lines[-carried:]
    variants = [""]
    for number, line in enumerate(tail):
        line = _solid(line)
        last = number == len(tail) - 1
        variants = [variant + option for variant in variants
                    for option in ({line} if last or not line.endswith(HYPHENS)
                                   else {line, line[:-1]})]
    solid = _solid(text)
    for variant in variants:
        if variant and solid.endswith(variant) and len(solid) > len(variant):
            kept = len(solid) - len(variant)
            in_word = not text[_after(text, kept)].isspace()
            hyphenated = in_word and lines[-carried - 1].rstrip().endswith(HYPHENS) and \
                solid[kept - 1] != "-"
            return kept, hyphenated
    return None


def _position(text: str, solid: int) -> int:
    """The index in `text` just after its `solid`-th non-space character (_after), and the
    spaces that follow it."""
    index = _after(text, solid)
    return len(text) - len(text[index:].lstrip())


def carry_last_lines(root: etree._Element, number: str, lines: list[str]) -> bool:
    """Cut the text's last paragraph (its number, `number`, and its laid-out `lines`) in
    the PDF's HTML `root` before its last CARRIED_LINES lines, which go in a section of
    their own that starts a page, with the colophon; the paragraph's first part runs on
    (RUNS_ON). Where it cannot be cut so (too few lines, lines that are not its text),
    the last block goes over (carry_last_block). Whether anything changed."""
    paragraph = next((node for node in root.iter(f"{{{XHTML}}}p")
                      if node.get("data-bn") == number), None)
    sections = _sections(root)
    cut = None
    if paragraph is not None and sections and not _is(sections[-1], NEW_PAGE) and \
            len(lines) >= 2 + CARRIED_LINES and _is(paragraph.getparent(), BODY):
        cut = _kept("".join(paragraph.itertext()), lines, CARRIED_LINES)
    if cut is None:
        return carry_last_block(root)
    rest = _cut(paragraph, cut[0])
    if cut[1]:  # the word the layout hyphenated at the line's end keeps its hyphen
        _append_text(paragraph, LAYOUT_HYPHEN)
    paragraph.set("class", f"{paragraph.get('class', '')} {RUNS_ON}".strip())
    carried = etree.Element(f"{{{XHTML}}}section", {"class": f"part chapter {NEW_PAGE}"})
    etree.SubElement(carried, f"{{{XHTML}}}div", {"class": BODY}).append(rest)
    carried.tail = "\n"
    sections[-1].addnext(carried)
    return True


def _cut(element: etree._Element, kept: int) -> etree._Element:
    """Cut `element` after its `kept`-th non-space character (a word's end): it keeps its
    beginning; its end is returned, in a copy of it and of the inline elements it was in
    (without their ids, which stay with the beginning; with its number: the page it opens
    starts in that block)."""
    rest = etree.fromstring(etree.tostring(element, with_tail=False))
    _keep_head(element, kept)
    _drop_head(rest, kept)
    for node in rest.iter():
        node.attrib.pop("id", None)
    return rest


def _append_text(element: etree._Element, text: str) -> None:
    """Add `text` after the last text of `element`."""
    node = element
    while len(node):
        if node[-1].tail:
            node[-1].tail += text
            return
        node = node[-1]
    node.text = (node.text or "") + text


def _keep_head(node: etree._Element, kept: int) -> int | None:
    """Keep the first `kept` non-space characters of `node` (and what comes before them),
    dropping what follows -> the characters still to keep after it (None: cut inside it,
    what follows it goes too)."""
    text = node.text or ""
    if kept <= len(_solid(text)):
        node.text = text[:_after(text, kept)] or None
        for child in list(node):
            node.remove(child)
        return None
    kept -= len(_solid(text))
    children = list(node)
    for number, child in enumerate(children):
        left = _keep_head(child, kept)
        tail = child.tail or ""
        if left is not None and left > len(_solid(tail)):
            kept = left - len(_solid(tail))
            continue
        child.tail = tail[:_after(tail, left)] or None if left is not None else None
        for later in children[number + 1:]:
            node.remove(later)
        return None
    return kept


def _after(text: str, solid: int) -> int:
    """The index in `text` just after its `solid`-th non-space character."""
    count = index = 0
    while index < len(text) and count < solid:
        count += not text[index].isspace()
        index += 1
    return index


def _drop_head(node: etree._Element, dropped: int) -> int | None:
    """Drop the first `dropped` non-space characters of `node` (and the elements wholly in
    them), and the spaces after them -> the characters still to drop after it (None: all
    dropped)."""
    text = node.text or ""
    if dropped <= len(_solid(text)):
        node.text = text[_position(text, dropped):] or None
        return None
    dropped -= len(_solid(text))
    node.text = None
    for child in list(node):
        size = len(_solid("".join(child.itertext())))
        if size > dropped:  # the cut is inside it; its tail stays
            _drop_head(child, dropped)
            return None
        dropped -= size
        tail = child.tail or ""
        previous = child.getprevious()
        node.remove(child)
        if dropped <= len(_solid(tail)):
            rest = tail[_position(tail, dropped):]
            if previous is None:
                node.text = (node.text or "") + rest or None
            else:
                previous.tail = (previous.tail or "") + rest or None
            return None
        dropped -= len(_solid(tail))
    return dropped


def _is(element: object, name: str) -> bool:
    return isinstance(getattr(element, "tag", None), str) and \
        name in element.get("class", "").split()  # type: ignore[attr-defined]


# Floats (issue 21): a figure or a table that did not fit where it stands in the text, and
# went to the next column or page, leaving a hole, is moved in the PDF's HTML tree after
# the blocks that follow it, as many as fill the hole; laid out again, the text moves up.
FLOAT_CLASSES = {"table-wrap"}
FLOW_PARENTS = {BODY, "section-head", "intro"}  # the boxes whose children are the text's blocks
WIDE = "wide"  # a float across the columns (markup.py: figure.wide, .table-wrap.wide)


def _in_flow(element: object, parent: object | None) -> bool:
    """Whether `element`, child of `parent`, is a block of the text: a child of a section's
    text, head or the intro, or a wide float between two parts of a section's text."""
    if parent is None:
        return False
    classes = set(parent.get("class", "").split())  # type: ignore[attr-defined]
    return bool(FLOW_PARENTS & classes) or ("chapter" in classes and _is_float(element))
HEAD = "section-head"


def _is_float(element: object) -> bool:
    tag = getattr(element, "tag", None)
    if not isinstance(tag, str):
        return False
    return tag.rsplit("}", 1)[-1] == "figure" or \
        bool(FLOAT_CLASSES & set(element.get("class", "").split()))  # type: ignore[attr-defined]


def key(element: object) -> str | None:
    """A block's number (data-bn), or its first numbered descendant's: the same in the
    layout's tree and in the PDF's HTML tree."""
    for node in element.iter():  # type: ignore[attr-defined]
        if isinstance(node.tag, str) and node.get("data-bn") is not None:
            return node.get("data-bn")
    return None


@dataclass(frozen=True)
class Fragment:
    """Where a block of the text (or a piece of it) was laid out: page, column's left edge,
    top and bottom, in CSS pixels."""

    page: int
    x: float
    top: float
    bottom: float


def _fragments(box: object, page: int, parents: dict, found: dict) -> None:
    for child in _blocks(box):
        element = getattr(child, "element", None)
        parent = parents.get(id(element)) if element is not None else None
        if _in_flow(element, parent) and \
                element is not getattr(box, "element", None):
            found.setdefault(element, []).append(Fragment(
                page, child.position_x, child.position_y,
                child.position_y + child.margin_height()))
            continue
        _fragments(child, page, parents, found)


@dataclass(frozen=True)
class Move:
    """A float (by its key) to put after the block of key `after` (None: at the start of its
    section's text); or, `smaller`, kept at its place set at SMALLER_SCALE of its width."""

    float_key: str
    after: str | None
    page: int = 0  # the page (from 0) whose hole it fills
    smaller: bool = False


# A column photo that left a hole before it stays at its place set smaller, when that is
# enough for it to fit (issue 21: down to about 75 % of its width), before it is moved.
SMALLER = "smaller"  # styles/bloc-notes/print.css: figure.smaller > img, SMALLER_SCALE wide
SMALLER_SCALE = 0.75


def stuck_floats(pages: list, threshold_mm: float = 40.0) -> list[Move]:
    """The floats that left a hole of `threshold_mm` or more before them (they did not fit
    at their place, and went to the next column or page) -> where to move each: after as
    many of the blocks that follow it as fill the hole (or set smaller, at its place); then
    the column floats beside a hole (_floats_beside_holes), those that leave a section's
    columns apart (_unbalanced_columns) and those that end a column beside a short one
    (_photos_ending_columns), each float moved once."""
    from .holes import PX_PER_MM, foot_gaps, strips_of

    flow = _flow(pages)
    if flow is None:
        return []
    order, found, parents = flow
    default = strips_of(pages)
    moves = []
    for index, element in enumerate(order):
        if not _is_float(element):
            continue
        # a float in its section's head, or first in its text (right under the heading),
        # goes with the head: what stands before it is what stands before the section
        section = _section_of(element, parents)
        head = []
        for block in reversed(order[:index]):
            if _section_of(block, parents) is not section or not (
                    HEAD in parents[id(block)].get("class", "").split() or _is_float(block)):
                break
            head.insert(0, block)
        if head and HEAD not in parents[id(head[0])].get("class", "").split():
            head = []  # floats after the text's first block: not the section's beginning
        start = order.index(head[0]) if head else index
        if start == 0:
            continue
        last, first = found[order[start - 1]][-1], found[element][0]
        if first.page == last.page and abs(first.x - last.x) < 1:
            continue  # right under the block before it
        if last.page >= len(pages) - 1:
            continue
        if first.page == last.page and _section_of(order[start - 1], parents) is section:
            # in the next column of its section, beside the block before it
            body = parents[id(order[start - 1])]
            foot = max(fragment.bottom for block in order if parents.get(id(block)) is body
                       for fragment in found[block] if fragment.page == last.page)
            if foot - last.bottom < threshold_mm * PX_PER_MM:
                continue  # the columns end together (balanced) under it: no hole before it
        gaps = foot_gaps(pages[last.page]._page_box, default)
        room = sum(gap for (left, _right), gap in gaps if left >= last.x - 1)
        float_key = key(element)
        if room < threshold_mm * PX_PER_MM or float_key is None:
            continue
        column = next((gap for (left, _right), gap in gaps if abs(left - last.x) < 1), 0.0)
        if not head and _smaller_fits(pages[first.page]._page_box, element,
                                      _height(found[element]), column):
            moves.append(Move(float_key, None, last.page, smaller=True))
            continue
        # the blocks after it, as many as fill the room (the last may break): those of its
        # section; when it ends its section, the beginning of the next one
        followers = [block for block in order[index + 1:]
                     if _section_of(block, parents) is section] or order[index + 1:]
        after = _fill_after(followers, found, parents,
                            room - sum(_height(found[block]) for block in head))
        if after is not None and key(after) is not None:
            moves.append(Move(float_key, key(after), last.page))
    for more in (_floats_beside_holes(pages, order, found, parents, default),
                 _unbalanced_columns(pages, order, found, parents),
                 _photos_ending_columns(pages, order, found, default)):
        moved = {move.float_key for move in moves}
        moves += [move for move in more if move.float_key not in moved]
    return moves


def _flow(pages: list) -> tuple[list, dict, dict] | None:
    """The text's blocks laid out, in order; where each was laid out (its Fragments); the
    parent of each element (by id), in the layout's tree. None: fewer than two pages."""
    if len(pages) < 2:
        return None
    element_root = _root_element(pages[0]._page_box)
    if element_root is None:
        return None
    parents = {id(child): parent for parent in element_root.iter() for child in parent}
    found: dict = {}
    for number, page in enumerate(pages):
        _fragments(page._page_box, number, parents, found)
    return [element for element in element_root.iter() if element in found], found, parents


# Where a section's text ends on a page (not the last), its columns end at the same height,
# within two lines (issue 21; about 10 mm of the Bloc-Notes' text).
BALANCE_MM = 10.0


def unbalanced_sections(pages: list, threshold_mm: float = BALANCE_MM
                        ) -> list[tuple[int, float]]:
    """Where a section's text ends on a page (not the last) with its columns' feet more
    than `threshold_mm` apart: (the page, from 1; millimetres apart), in order. (Only
    columns with some of the section's text are seen: one left empty is not measured.)"""
    from .holes import PX_PER_MM

    return sorted((end.page + 1, round(end.apart / PX_PER_MM, 1))
                  for end in _apart(pages, threshold_mm))


def imbalance(pages: list) -> float:
    """How far apart the columns' feet are, in all (CSS pixels), where sections' texts end
    on a page (not the last) more than BALANCE_MM apart."""
    return sum(end.apart for end in _apart(pages, BALANCE_MM))


def _apart(pages: list, threshold_mm: float) -> list[SectionEnd]:
    from .holes import PX_PER_MM

    flow = _flow(pages)
    return [end for end in _section_ends(pages, *flow)
            if end.apart > threshold_mm * PX_PER_MM] if flow else []


@dataclass(frozen=True)
class SectionEnd:
    """Where a section's text ends on a page (not the last): the page (from 0), how far
    apart its columns' feet are (CSS pixels), the block that ends its longest column, and
    the blocks of that last part of its text, in order."""

    page: int
    apart: float
    longest: object
    blocks: list


def _section_ends(pages: list, order: list, found: dict, parents: dict
                  ) -> Iterator[SectionEnd]:
    sections: dict[int, list] = {}
    for element in order:
        section, parent = _section_of(element, parents), parents.get(id(element))
        if section is not None and parent is not None and \
                BODY in parent.get("class", "").split():
            sections.setdefault(id(section), []).append(element)
    for blocks in sections.values():
        page = found[blocks[-1]][-1].page
        body = parents[id(blocks[-1])]  # (the last part of the text: wide floats cut it)
        own = [block for block in blocks if parents[id(block)] is body]
        feet: dict[int, tuple[float, object]] = {}  # by column's left edge
        for block in own:
            for fragment in found[block]:
                column = round(fragment.x)
                if fragment.page == page and fragment.bottom >= feet.get(
                        column, (fragment.bottom, None))[0]:
                    feet[column] = (fragment.bottom, block)
        if page < len(pages) - 1 and len(feet) > 1:
            longest = max(feet.values(), key=lambda foot: foot[0])
            yield SectionEnd(page, longest[0] - min(foot for foot, _ in feet.values()),
                             longest[1], own)


def _unbalanced_columns(pages: list, order: list, found: dict, parents: dict
                        ) -> Iterator[Move]:
    """The column photos that end the longest column of a section's text where it ends on a
    page (not the last), the columns' feet more than BALANCE_MM apart: each to go before the
    section's last block when that is a paragraph, which the layout then shares between the
    columns (the photo never ends the text's last paragraph, whose end the colophon may
    take); after it when a list, a table or code, which the layout could not share (the
    photo then ends the section, in its last column)."""
    from .holes import PX_PER_MM

    for end in _section_ends(pages, order, found, parents):
        photo, blocks = end.longest, end.blocks
        if end.apart <= BALANCE_MM * PX_PER_MM or not _is_float(photo) or \
                WIDE in (photo.get("class") or "").split() or len(found[photo]) > 1 or \
                photo not in blocks[:-1]:
            continue
        # before a last paragraph, which the layout shares out; after a list, a table or
        # code, which it could not (the photo then ends the section, in the last column)
        shared = blocks[-1].tag.rsplit("}", 1)[-1] == "p"
        if shared and photo not in blocks[:-2]:
            continue
        after = blocks[-2] if shared else blocks[-1]
        if _is_float(after) or key(photo) is None or key(after) is None or \
                after.tag.rsplit("}", 1)[-1] in HEADING_TAGS:
            continue
        yield Move(key(photo), key(after), end.page)


def _photos_ending_columns(pages: list, order: list, found: dict, default: object
                           ) -> Iterator[Move]:
    """The column photos that end a column of a page (not the last) beside a column left
    40 mm or more short: each to be set smaller, so that the columns even out."""
    from .holes import HOLE_MM, PX_PER_MM, foot_gaps

    for element in order:
        fragment = found[element][-1]
        if not _is_float(element) or fragment.page >= len(pages) - 1 or \
                SMALLER in (element.get("class") or "").split() or any(
                other.page == fragment.page and abs(other.x - fragment.x) < 1 and
                other.top > fragment.top for fragments in found.values()
                for other in fragments):
            continue  # not last in its column
        box = pages[fragment.page]._page_box
        gaps = foot_gaps(box, default)
        own = next((gap for (left, _right), gap in gaps if abs(left - fragment.x) < 1), None)
        beside = [gap for (left, _right), gap in gaps if left > fragment.x + 1]
        float_key = key(element)
        if own is None or own >= HOLE_MM * PX_PER_MM / 2 or not beside or \
                beside[0] < HOLE_MM * PX_PER_MM or float_key is None or \
                not _smaller_fits(box, element, 0.0, float("inf")):
            continue
        yield Move(float_key, None, fragment.page, smaller=True)


def _fill_after(blocks: list, found: dict, parents: dict, room: float,
                last_page: int | None = None) -> object | None:
    """The block of `blocks` (in order) after which a float goes so that those before it
    fill `room` (CSS pixels; the last of them may break): never a heading, a float or a
    block outside a section's text, nor one laid out after `last_page`."""
    filled, after = 0.0, None
    for block in blocks:
        if last_page is not None and found[block][0].page > last_page:
            break  # never more than a page from its place
        filled += _height(found[block])
        if BODY not in parents[id(block)].get("class", "").split() or \
                block.tag.rsplit("}", 1)[-1] in HEADING_TAGS or _is_float(block):
            continue  # a float goes in a section's text, never after a heading
        after = block
        if filled >= room:
            break
    return after


def _floats_beside_holes(pages: list, order: list, found: dict, parents: dict,
                         default: object) -> Iterator[Move]:
    """The column floats that end their section's text on a page (not the last) with a
    hole beside them (none of their section's text left to stand in the other column: a
    tall photo after a short paragraph) -> each to be moved after as many of the blocks
    that follow it (those of the next sections) as fill the height it leaves: it goes to
    the top of the next page, and the text that follows moves up beside and under what
    stood before it."""
    from .holes import HOLE_MM, PX_PER_MM, page_holes

    for index, element in enumerate(order):
        if not _is_float(element) or _spans(element) or len(found[element]) != 1:
            continue
        fragment = found[element][0]
        section = _section_of(element, parents)
        float_key = key(element)
        if fragment.page >= len(pages) - 1 or float_key is None or any(
                _section_of(block, parents) is section and found[block][0].page <=
                fragment.page for block in order[index + 1:]):
            continue  # its section's text goes on after it on its page
        box = pages[fragment.page]._page_box
        top = (fragment.top - box.content_box_y()) / PX_PER_MM
        bottom = (fragment.bottom - box.content_box_y()) / PX_PER_MM
        if not any(min(bottom, hole.top + hole.height) - max(top, hole.top) >= HOLE_MM
                   for hole in page_holes(box, fragment.page + 1, default)):
            continue  # (its own column is printed there: a hole beside it is in another)
        after = _fill_after(order[index + 1:], found, parents, fragment.bottom - fragment.top,
                            fragment.page + 1)
        if after is not None and key(after) is not None:
            yield Move(float_key, key(after), fragment.page)


def _smaller_fits(page_box: object, figure: object, height: float, room: float) -> bool:
    """Whether `figure` (a column photo, of laid-out `height`, its width not asked for),
    its photo set at SMALLER_SCALE of its width, fits in `room`."""
    tag = getattr(figure, "tag", "")
    if not isinstance(tag, str) or tag.rsplit("}", 1)[-1] != "figure" or \
            WIDE in (figure.get("class") or "").split() or \
            figure.get("style"):  # type: ignore[attr-defined]  # a width asked for
        return False
    image = _image_box(page_box, figure)  # (the figure's own photo: not a table's logo)
    if image is None or not any(child is image.element for child in figure) or \
            image.element.get("width") or image.element.get("style"):
        return False
    width, height_, _ratio = image.replacement.get_intrinsic_size(1, 16)
    if not width or not height_:
        return False
    smaller = min(image.height, image.width * SMALLER_SCALE * height_ / width)
    return height - (image.height - smaller) <= room


def _image_box(box: object, figure: object, inside: bool = False) -> object | None:
    """The laid-out box of the photo of `figure`."""
    inside = inside or getattr(box, "element", None) is figure
    if inside and getattr(box, "replacement", None) is not None:
        return box
    for child in getattr(box, "children", ()):
        found = _image_box(child, figure, inside)
        if found is not None:
            return found
    return None


def _section_of(element: object, parents: dict) -> object | None:
    """The section (class 'chapter') that holds `element`, in the layout's tree."""
    ancestor = parents.get(id(element))
    while ancestor is not None and "chapter" not in ancestor.get("class", "").split():
        ancestor = parents.get(id(ancestor))
    return ancestor


def _height(fragments: list[Fragment]) -> float:
    return sum(fragment.bottom - fragment.top for fragment in fragments)


HEADING_TAGS = {f"h{level}" for level in range(2, 7)}


def _root_element(page_box: object) -> object | None:
    for child in getattr(page_box, "children", ()):
        element = getattr(child, "element", None)
        if element is not None and getattr(element, "tag", "").rsplit("}", 1)[-1] == "html":
            return element
    return None


def move_floats(root: etree._Element, moves: list[Move]) -> bool:
    """Make the `moves` in the PDF's HTML `root`: each float put after its block (in the
    section's text); whether anything changed."""
    by_key = {element.get("data-bn"): element for element in root.iter()
              if isinstance(element.tag, str) and element.get("data-bn") is not None}
    changed = False
    placed: dict[str, etree._Element] = {}  # by block's key: the last float put after it
    for move in moves:
        numbered, target = by_key.get(move.float_key), by_key.get(move.after or "")
        figure = _flow_ancestor(numbered)
        if move.smaller and figure is not None:  # set smaller, at its place
            if not _is(figure, SMALLER):
                figure.set("class", f"{figure.get('class', '')} {SMALLER}".strip())
                changed = True
            continue
        block = _flow_ancestor(target)
        if figure is None or block is None or figure is block:
            continue
        body = block.getparent()
        if figure.getparent() is not body or _index(body, figure) < _index(body, block):
            tail = figure.tail
            figure.getparent().remove(figure)
            figure.tail = tail
            # floats put after the same block keep their order (a table, then the photo
            # that followed it)
            # (by key: an lxml element's id() is not stable, its proxy may be made anew)
            placed.get(move.after or "", block).addnext(figure)
            placed[move.after or ""] = figure
            changed = True
    spanners_out(root)
    return changed


def _index(parent: etree._Element, child: etree._Element) -> int:
    return list(parent).index(child) if child.getparent() is parent else -1


def _flow_ancestor(element: etree._Element | None) -> etree._Element | None:
    """The block of the text that holds `element` (itself, or its ancestor that is a child
    of a section's text, head or the intro)."""
    while element is not None:
        parent = element.getparent()
        if _in_flow(element, parent):
            return element
        element = parent
    return None


def _spans(element: object) -> bool:
    return _is_float(element) and WIDE in element.get("class", "").split()  # type: ignore


def spanners_out(root: etree._Element) -> bool:
    """Take the wide floats of each section's text out of its columns: the text is cut in
    parts (each a section-body, whose columns the style sets), with each wide float between
    two parts, as a block of the section. (WeasyPrint, laying out a note called in the
    columns before a box that spans them, can move the whole section to the next page.)
    Whether anything changed; made again after each float moved, it changes nothing more."""
    changed = False
    for section in _sections(root):
        parts = [child for child in section if _is(child, BODY) or _spans(child)]
        if not any(_spans(child) for body in parts if _is(body, BODY) for child in body):
            continue
        blocks = [child for part in parts
                  for child in (list(part) if _is(part, BODY) else [part])]
        attributes = dict(next(part for part in parts if _is(part, BODY)).attrib)
        anchor = parts[0].getprevious()
        for part in parts:
            section.remove(part)
        rebuilt: list[etree._Element] = []
        for block in blocks:
            if _spans(block):
                rebuilt.append(block)
            else:
                if not rebuilt or _spans(rebuilt[-1]):
                    rebuilt.append(etree.Element(f"{{{XHTML}}}div", attributes))
                rebuilt[-1].append(block)
        for part in rebuilt:
            part.tail = "\n"
            if anchor is None:
                section.insert(0, part)
            else:
                anchor.addnext(part)
            anchor = part
        changed = True
    return changed


# Spreading (issue 21): a page that ends before a section that did not fit at its foot (its
# heading, speakers' box and first lines need more than the space left), before a float
# that did not fit there, or before the end of the text carried over with the colophon, is
# not left with a hole at its foot: that space is shared equally between the foot and the
# gaps above the page's section headings (or, with none, above the sub-headings in its
# columns), as a typesetter spreads a short page (LaTeX's \flushbottom). Made on the
# laid-out boxes: no layout more.
MAX_SPREAD_MM = 25.0  # the most a gap above a heading grows


def spread_pages(pages: list, threshold_mm: float = 40.0) -> dict[int, list]:
    """Spread each page (but the last) that ends before a section heading (or a float)
    with `threshold_mm` or more empty at its foot, when its gaps can take the space without
    a hole -> by page index (from 0), the boxes moved down (their backgrounds, which
    WeasyPrint placed, are to be placed again)."""
    from .holes import PX_PER_MM, foot_gaps, strips_of

    default = strips_of(pages)
    threshold, most = threshold_mm * PX_PER_MM, MAX_SPREAD_MM * PX_PER_MM
    changed = {}
    for index in range(len(pages) - 1):
        box = pages[index]._page_box
        if not _opens_with_section(pages[index + 1]._page_box):
            continue
        gaps = [gap for _span, gap in foot_gaps(box, default)]
        if max(gaps) < threshold:
            continue
        starts = _section_starts(box)
        if starts:  # headings across the page: every column moves down with them
            plan = [(starts, gap) for gap in gaps]
        else:  # no heading across the page: the sub-headings of each column
            columns = _column_boxes(box)
            room = dict(zip(sorted({column.position_x for column in columns}), gaps,
                            strict=False))
            plan = [(_sub_headings(column), room.get(column.position_x, 0.0))
                    for column in columns]
        # one share for every gap of the page (the least any column can give), as long as
        # it leaves no column a hole at its foot
        shares = [gap / (len(groups) + 1) for groups, gap in plan if groups]
        share = min(shares, default=0.0)
        if not 0 < share <= most or \
                any(gap - share * len(groups) >= threshold for groups, gap in plan) or \
                not all(_plain(moved) for groups, _gap in plan for group in groups
                        for moved in group):
            continue
        groups = starts or [group for column_groups, _gap in plan for group in column_groups]
        changed[index] = _spread(groups, share)
    return changed


def _opens_with_section(page_box: object) -> bool:
    """Whether the page's text begins with a section's heading, with the end of the text
    carried over with the colophon, or with a float (it did not fit at the foot of the page
    before)."""
    for chapter in _chapters(page_box):
        if NEW_PAGE in _classes(chapter):
            return True
        children = _blocks(chapter)
        first = next((child for child in children if child.margin_height() > 0), None)
        if first is not None and BODY in _classes(first):  # its text's first block
            columns = [box for box in _blocks(first) if BODY in _classes(box)] or [first]
            first = next((block for column in columns for block in _blocks(column)
                          if block.margin_height() > 0), None)
        return first is not None and (HEAD in _classes(first) or
                                      _is_float(getattr(first, "element", None)))
    return False


def _section_starts(page_box: object) -> list[list]:
    """For each section that begins on the page below its top: the boxes to move down
    with it (itself and all that follows it on the page, in its parent)."""
    chapters = list(_chapters(page_box))
    top = page_box.content_box_y()
    starts = []
    for chapter in chapters:
        if chapter.position_y <= top + 1 or not any(
                HEAD in _classes(child) for child in _blocks(chapter)):
            continue
        siblings = _blocks(_parent_box(page_box, chapter))
        starts.append([child for child in siblings if child.position_y >= chapter.position_y])
    return starts


def _parent_box(root: object, target: object) -> object:
    for child in getattr(root, "children", ()):
        if child is target:
            return root
        found = _parent_box(child, target)
        if found is not None:
            return found
    return None  # type: ignore[return-value]


def _column_boxes(page_box: object) -> list:
    """The column boxes of the page's last section text (laid out side by side)."""
    found: list = []

    def visit(box: object) -> None:
        children = _blocks(box)
        element = getattr(box, "element", None)
        same = [child for child in children if element is not None and
                getattr(child, "element", None) is element]
        if len(same) > 1 and len({child.position_x for child in same}) > 1:
            found[:] = same  # the last ones on the page: the columns that end it
        for child in children:
            visit(child)

    visit(page_box)
    return found


def _sub_headings(column: object) -> list[list]:
    """For each sub-heading of a column below its top: the blocks to move down with it."""
    blocks = _blocks(column)
    starts = []
    for number, block in enumerate(blocks):
        tag = getattr(block, "element_tag", "")
        if number and tag in HEADING_TAGS:
            starts.append(blocks[number:])
    return starts


def _spread(starts: list[list], share: float) -> list:
    """Move each group of `starts` down by `share`, cumulatively (a box in several groups
    moves as many times) -> the boxes moved."""
    moved: dict[int, object] = {}
    for group in starts:
        for box in group:
            box.translate(0, share)
            moved[id(box)] = box
    return list(moved.values())


def _plain(box: object) -> bool:
    """Whether the box and its descendants have no background image (theirs are placed
    again after a move, without fetching anything)."""
    style = getattr(box, "style", None)
    if style is not None and (any(kind == "url" for kind, _ in style["background_image"])
                              or style["border_image_source"][0] != "none"):
        return False
    return all(_plain(child) for child in getattr(box, "children", ()))
