"""What an editor types beyond paragraphs, made into the structure both outputs style:
figures (an image alone in its paragraph), tables (caption, source line, alignment, width),
lists (the nesting editors type), notes (beside the section that calls them), URLs."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass

import markdown
from lxml import etree
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

from .model import ListWarning

# ---------------------------------------------------------------------------------------
# Lists: Python-Markdown nests only by four spaces and wants a blank line before a list.
# Editors (and CommonMark, Pandoc) nest by two or four and start a list under a paragraph's
# line; this pre-pass rewrites list indentation as Python-Markdown reads it.

ITEM_RE = re.compile(r"^( *)([-*+]|\d{1,9}[.])( +)(?=\S)")  # the markers Python-Markdown reads
FENCE_RE = re.compile(r"^ *(```|~~~)")
HEADING_RE = re.compile(r"^ {0,3}#")


@dataclass
class _Item:
    marker: int  # the marker's column in the source
    content: int  # the column of the item's text in the source
    depth: int


def normalize_lists(text: str, first_line: int) -> tuple[str, tuple[ListWarning, ...]]:
    """Markdown -> the same Markdown with list items nested by four spaces a level and a
    blank line before a list that follows a paragraph's line; and the lines where the
    nesting is a guess. Line numbers move only where a blank line is added."""
    out: list[str] = []
    warnings: list[ListWarning] = []
    stack: list[_Item] = []
    fence: str | None = None
    previous = ""  # the previous source line
    for number, line in enumerate(text.split("\n")):
        fence_match = FENCE_RE.match(line)
        if fence is not None:
            if fence_match and fence_match.group(1) == fence:
                fence = None
            out.append(_reindent(line, stack))
            previous = line
            continue
        if fence_match:
            fence = fence_match.group(1)
        item = ITEM_RE.match(line)
        indent = len(line) - len(line.lstrip(" "))
        if not line.strip():
            out.append(line)
            previous = line
            continue
        if item and (stack or indent < 4):
            marker = len(item.group(1))
            starts_list = not stack
            while stack and marker < stack[-1].marker:
                stack.pop()
            if stack and marker > stack[-1].marker:
                parent = stack[-1]
                if marker - parent.marker == 1 or (marker < parent.content
                                                   and marker - parent.marker not in (2, 3)):
                    warnings.append(ListWarning(first_line + number, (
                        f"list item indented by {marker - parent.marker} space(s) under the one "
                        "above: read as nested (indent nested items by 2 or 4 spaces)")))
                stack.append(_Item(marker, marker + len(item.group(2)) + len(item.group(3)),
                                   parent.depth + 1))
            elif stack and marker == stack[-1].marker:
                stack[-1] = _Item(marker, marker + len(item.group(2)) + len(item.group(3)),
                                  stack[-1].depth)
            else:
                if stack and marker != stack[-1].marker:
                    warnings.append(ListWarning(first_line + number, (
                        "list item indented between two levels of the list above: read as "
                        "on the outer level (indent nested items by 2 or 4 spaces)")))
                stack = [_Item(marker, marker + len(item.group(2)) + len(item.group(3)), 0)]
            if starts_list and previous.strip() and not HEADING_RE.match(previous) \
                    and _may_interrupt(item.group(2)):
                out.append("")  # a list right under a paragraph's line starts there
            depth = stack[-1].depth
            out.append(" " * (4 * depth) + line[marker:])
        elif stack and indent == 0 and not previous.strip():
            stack = []  # a paragraph after a blank line ends the list
            out.append(line)
        else:
            out.append(_reindent(line, stack))
        previous = line
    return "\n".join(out), tuple(warnings)


def _may_interrupt(marker: str) -> bool:
    """A bullet or '1.' may start a list under a paragraph's line (CommonMark); '2020.' at
    the start of a wrapped line is text."""
    return not marker[0].isdigit() or marker[:-1] == "1"


def _reindent(line: str, stack: list[_Item]) -> str:
    """A continuation line inside a list item, indented as the item is after rewriting."""
    if not stack:
        return line
    indent = len(line) - len(line.lstrip(" "))
    for item in reversed(stack):
        if indent >= item.content:
            return " " * (4 * item.depth + 4) + line[item.content:]
    return line  # a lazy continuation line: Markdown joins it to the paragraph


# ---------------------------------------------------------------------------------------
# Figures and tables, on Python-Markdown's tree (attr_list has set the image's attributes).

# Pandoc's caption: a paragraph right after the table that starts with "Table:" or ":"
TABLE_CAPTION_RE = re.compile(r"^\s*(?:(?:Table|Tableau|Tabelle)\s*)?:\s*")
SOURCE_WORDS = ("Source", "Sources")  # the words of a table's source line where the labels' are not given
PHOTO_SUFFIXES = (".jpg", ".jpeg", ".heic", ".heif", ".webp", ".avif", ".tif", ".tiff")  # a camera's
NUMBER_RE = re.compile(r"^[-+−–]?\s*[\d\s\u00a0\u202f.,]*\d[\d\s\u00a0\u202f.,]*\s*(%|€|k€|M€|ha|m²|km)?$")
ALIGN_RE = re.compile(r"text-align:\s*(left|right|center)")
PERCENT_RE = re.compile(r"^\s*(\d{1,3})\s*%\s*$")
# A wider table than its style's geometry's column-chars (characters at the table's size), or
# one of more than three columns, spans the wide measure (wide-chars).
MAX_COLUMN_COLUMNS = 3
SHORT_CODE = 24  # characters of inline code kept on one line
SHORT_ROWS = 16  # a table this short is never broken (header included)


def _only_child_image(paragraph: ET.Element) -> ET.Element | None:
    children = list(paragraph)
    if len(children) != 1 or children[0].tag != "img":
        return None
    if (paragraph.text or "").strip() or (children[0].tail or "").strip():
        return None
    return children[0]


def _figure(paragraph: ET.Element, image: ET.Element) -> None:
    """<p><img/></p> -> <figure><img/><figcaption>caption <span class="credit"/></figcaption>."""
    caption = (image.get("alt") or "").strip()
    alt = (image.attrib.pop("fig-alt", "") or "").strip() or caption
    credit = (image.attrib.pop("credit", "") or "").strip()
    classes = (image.attrib.pop("class", "") or "").split()
    paragraph.tag = "figure"
    paragraph.attrib.clear()
    paragraph.set("class", " ".join(["figure", *classes]))
    width = PERCENT_RE.match(image.get("width", ""))
    if width:
        del image.attrib["width"]
        paragraph.set("data-width", width.group(1))
    image.set("alt", alt)
    image.tail = None
    if caption or credit:
        figcaption = ET.SubElement(paragraph, "figcaption")
        # a space between the caption and its credit: the credit is a line of its own on the
        # page (display: block), but text readers and copied text run the two together
        figcaption.text = (f"{caption} " if credit else caption) if caption else None
        if credit:
            span = ET.SubElement(figcaption, "span", {"class": "credit"})
            span.text = credit


def _cells(rows: list[ET.Element]) -> list[list[ET.Element]]:
    return [[cell for cell in row if cell.tag in ("td", "th")] for row in rows]


def _text(element: ET.Element) -> str:
    return " ".join("".join(element.itertext()).split())


def source_pattern(words: tuple[str, ...]) -> re.Pattern[str]:
    """The start of a table's source line, 'Source :', 'Quelle:', in any case, from the words
    of the document's language (its labels' `sources`)."""
    return re.compile(r"^\s*(?:" + "|".join(map(re.escape, words or SOURCE_WORDS)) + r")\s*:",
                      re.IGNORECASE)


def _table(table: ET.Element, parent: ET.Element, source_re: re.Pattern[str],
           room: tuple[int, int]) -> None:
    """Alignment as classes (the sanitizer drops style attributes), numeric columns, width
    (`room`: the characters of a column and of the wide measure), the caption and source
    lines that follow the table, all in one wrapper."""
    rows = _cells(list(table.iter("tr")))
    columns = max((len(row) for row in rows), default=0)
    widths = [0] * columns
    for row in rows:
        for index, cell in enumerate(row):
            widths[index] = max(widths[index], len(_text(cell)))
            match = ALIGN_RE.search(cell.attrib.pop("style", ""))
            if match:
                _add_class(cell, f"align-{match.group(1)}")
    body = [row for row in table.iter("tr") if row.find("td") is not None]
    for index in range(columns):
        values = [_text(row[index]) for row in _cells(body) if index < len(row)]
        if values and all(NUMBER_RE.match(value) or value in ("", "-", "–") for value in values) \
                and any(value.strip("-– ") for value in values):
            for row in rows:
                if index < len(row):
                    _add_class(row[index], "num")
    wide = columns > MAX_COLUMN_COLUMNS or sum(widths) + 2 * columns > room[0]
    _keep_words_whole(rows, widths, room[1] if wide else room[0])
    kinds = ["table-wrap"] + (["wide"] if wide else []) + (["short"] if len(rows) <= SHORT_ROWS else [])
    wrapper = ET.Element("div", {"class": " ".join(kinds)})
    position = list(parent).index(table)
    parent.insert(position, wrapper)
    parent.remove(table)
    wrapper.append(table)
    wrapper.tail, table.tail = table.tail, None
    following = list(parent)[position + 1:position + 3]
    for sibling in following:
        if sibling.tag == "dl" and [child.tag for child in sibling] == ["dd"]:
            sibling.tag = "p"  # ": caption" under a table, which def_list read as a definition
            definition = sibling[0]
            sibling.remove(definition)
            sibling.text = ": " + (definition.text or "")
            sibling.extend(list(definition))
        if sibling.tag != "p":
            break
        text = sibling.text or ""
        if table.find("caption") is None and TABLE_CAPTION_RE.match(text):
            caption = ET.Element("caption")
            caption.text = TABLE_CAPTION_RE.sub("", text, count=1)
            caption.extend(list(sibling))
            table.insert(0, caption)
            parent.remove(sibling)
        elif source_re.match(text):
            sibling.set("class", "table-source")
            parent.remove(sibling)
            wrapper.append(sibling)
        else:
            break


WHOLE_CHARS = 20  # a text column no wider than this holds names, periods: kept whole
WHOLE = "whole"


def _keep_words_whole(rows: list[list[ET.Element]], widths: list[int], room: int) -> None:
    """Mark WHOLE the cells of the short text columns (names, periods) when the table has
    room for them and its figures on one line: the style keeps them unbroken, so a column
    of names gets what its longest name needs before the figures get their spare room."""
    numeric = [any("num" in (row[index].get("class") or "").split()
                   for row in rows if index < len(row)) for index in range(len(widths))]
    short = [not numeric[index] and widths[index] <= WHOLE_CHARS for index in range(len(widths))]
    # what stays on one line: the cells' text (a header wraps at its spaces)
    body = [0] * len(widths)
    for row in rows:
        for index, cell in enumerate(row):
            if cell.tag == "td":
                body[index] = max(body[index], len(_text(cell)))
    kept = sum(width + 2 for width, whole, number in zip(body, short, numeric, strict=True)
               if whole or number)
    if not any(short) or kept > room:
        return
    for row in rows:
        for index, cell in enumerate(row):
            if short[index] and cell.tag == "td":
                _add_class(cell, WHOLE)



def _add_class(element: ET.Element, name: str) -> None:
    element.set("class", " ".join([*(element.get("class") or "").split(), name]))


ATTRIBUTION_RE = re.compile(r"^\s*(?:—|–|―|--)")  # "— Michèle Lutz", "-- Jane Jacobs"


def _mark_attribution(quote: ET.Element) -> None:
    """A quotation's last paragraph that opens with a dash, after another, is its attribution
    (class attribution: the styles set it without the paragraph's indent)."""
    paragraphs = [child for child in quote if child.tag == "p"]
    if len(paragraphs) >= 2 and list(quote)[-1] is paragraphs[-1] \
            and ATTRIBUTION_RE.match(paragraphs[-1].text or ""):
        _add_class(paragraphs[-1], "attribution")


class _ConstructsTree(Treeprocessor):
    def __init__(self, md: markdown.Markdown, source_re: re.Pattern[str],
                 room: tuple[int, int]) -> None:
        super().__init__(md)
        self.source_re, self.room = source_re, room

    def run(self, root: ET.Element) -> None:
        for parent in list(root.iter()):
            for child in list(parent):
                if child.tag == "p" and (image := _only_child_image(child)) is not None:
                    _figure(child, image)
                elif child.tag == "table":
                    _table(child, parent, self.source_re, self.room)
        for quote in root.iter("blockquote"):
            _mark_attribution(quote)
        blocks = {id(code) for pre in root.iter("pre") for code in pre}
        for code in root.iter("code"):  # short inline code stays on one line (nowrap)
            if id(code) not in blocks and len("".join(code.itertext())) <= SHORT_CODE:
                _add_class(code, "short")
        figures = {id(image) for figure in root.iter("figure") for image in figure}
        for image in root.iter("img"):
            if id(image) not in figures:
                _add_class(image, "inline")  # an image inside a sentence: at the text's size
            image.attrib.pop("fig-alt", None)
            image.attrib.pop("credit", None)


class ConstructsExtension(Extension):
    """Figures and tables as the house style sets them (after attr_list, priority 8); a
    table's source line opens with one of `sources` (the document's language's words); a
    table wider than `room[0]` characters spans the wide measure (`room[1]`: the style's
    geometry, column-chars and wide-chars)."""

    def __init__(self, sources: tuple[str, ...] = SOURCE_WORDS,
                 room: tuple[int, int] | None = None) -> None:
        super().__init__()
        self.source_re = source_pattern(sources)
        self.room = room or TEXT_ALONE

    def extendMarkdown(self, md: markdown.Markdown) -> None:
        md.treeprocessors.register(_ConstructsTree(md, self.source_re, self.room),
                                   "blocnotes_constructs", 5)


# The room of a table read without its style (a source's text checked alone, the Word
# import): the default style's, which a document's own geometry replaces.
TEXT_ALONE = (48, 96)


# ---------------------------------------------------------------------------------------
# After sanitizing (lxml): sizes, notes beside their calls' section, credits.

def apply_widths(root: etree._Element) -> None:
    """A figure's width=50% (kept as data-width through the sanitizer) as its style."""
    for figure in root.iter("figure"):
        width = figure.attrib.pop("data-width", None)
        if width and width.isdigit() and 0 < int(width) <= 100:
            figure.set("style", f"width: {int(width)}%")


def image_box(image: etree._Element) -> tuple[str, float]:
    """(the box an image prints in: figure, wide or inline; the share of it it fills)."""
    figure = image.getparent()
    if figure is None or figure.tag != "figure":
        return "inline", 1.0
    width = re.search(r"width: (\d+)%", figure.get("style", ""))
    share = int(width.group(1)) / 100 if width else 1.0
    return ("wide" if "wide" in figure.get("class", "").split() else "figure"), share


def take_notes(root: etree._Element) -> dict[str, etree._Element]:
    """Remove Python-Markdown's notes block -> {note id: the note as an <aside>}."""
    notes: dict[str, etree._Element] = {}
    for block in list(root.iter("div")):
        if "footnote" not in (block.get("class") or "").split():
            continue
        for item in block.iter("li"):
            if item.get("id"):
                notes[item.get("id", "")] = _aside(item)
        block.getparent().remove(block)
    return notes


def _aside(item: etree._Element) -> etree._Element:
    """<li id="fn-1"><p>text <a class="footnote-backref"/></p></li> -> an EPUB note:
    <aside role="doc-footnote"><p><a role="doc-backlink">1</a> text</p></aside>."""
    identifier = item.get("id", "")
    aside = etree.Element("aside", {"class": "note", "id": identifier,
                                    "data-epub-type": "footnote", "role": "doc-footnote"})
    backrefs = []
    for link in list(item.iter("a")):
        if link.get("class") == "footnote-backref":
            backrefs.append(link.get("href", ""))
            _drop_keep_tail(link)
    backref = backrefs[0] if backrefs else ""  # the number leads back to the first call
    aside.text = item.text
    aside.extend(list(item))
    first = aside.find("p")
    if first is None:
        first = etree.SubElement(aside, "p")
    number = etree.Element("a", {"class": "note-number", "href": backref or f"#{identifier}",
                                 "role": "doc-backlink"})
    number.tail = " " + (first.text or "").lstrip()
    first.text = None
    first.insert(0, number)
    last = aside[-1]
    if last.tail and not last.tail.strip():
        last.tail = None
    for element in aside.iter("p"):  # the non-breaking space Markdown put before the backlink
        if element.text:
            element.text = element.text.rstrip("\u00a0 ")
        if len(element) and element[-1].tail:
            element[-1].tail = element[-1].tail.rstrip("\u00a0 ")
    # a note called again (from another section, another chapter of the EPUB): a way back to
    # each later call too, after its text (the PDF's footnote, at its first call, has none)
    paragraphs = list(aside.iter("p"))
    for count, href in enumerate(backrefs[1:], start=2):
        if paragraphs[-1].text or len(paragraphs[-1]):
            _append_text(paragraphs[-1], " ")
        back = etree.SubElement(paragraphs[-1], "a", {"class": "note-backref", "href": href,
                                                      "role": "doc-backlink"})
        back.text = f"\u2191\u00a0{count}"  # ↑ 2: back to the second call
    return aside


def _append_text(element: etree._Element, text: str) -> None:
    """`text` after everything `element` holds."""
    if len(element):
        element[-1].tail = (element[-1].tail or "") + text
    else:
        element.text = (element.text or "") + text


def _drop_keep_tail(element: etree._Element) -> None:
    parent = element.getparent()
    tail = element.tail or ""
    previous = element.getprevious()
    if previous is not None:
        previous.tail = (previous.tail or "") + tail
    else:
        parent.text = (parent.text or "") + tail
    parent.remove(element)


def place_notes(groups: list[etree._Element], notes: dict[str, etree._Element]) -> None:
    """Append to each group (a section) the notes it calls, numbered in the order of their
    first call through the document; mark the calls. A note never called goes last."""
    numbers: dict[str, str] = {}
    for group in groups:
        for call in list(group.iter("a")):
            if call.get("class") != "footnote-ref":
                continue
            target = call.get("href", "")[1:]
            call.set("role", "doc-noteref")
            call.set("data-epub-type", "noteref")
            if target not in numbers:
                numbers[target] = str(len(numbers) + 1)
            call.text = numbers[target]
            note = notes.pop(target, None)
            if note is not None:
                _number(note, numbers[target])
                group.append(note)
    for note in notes.values():
        _number(note, str(len(numbers) + 1))
        numbers[note.get("id", "")] = str(len(numbers) + 1)
        groups[-1].append(note)


def _number(note: etree._Element, number: str) -> None:
    for link in note.iter("a"):
        if link.get("class") == "note-number":
            link.text = number


def credits_of(root: etree._Element) -> tuple[tuple[str, ...], bool]:
    """(every figure's credit, in order, each once; whether every credited figure is a
    photograph, by its file's kind: a chart, a map or a drawing is not)."""
    found: list[str] = []
    photos = True
    for span in root.iter("span"):
        if "credit" in (span.get("class") or "").split():
            text = " ".join("".join(span.itertext()).split())
            if text and text not in found:
                found.append(text)
            figure = span.getparent().getparent() if span.getparent() is not None else None
            image = figure.find("img") if figure is not None else None
            if image is None or not image.get("src", "").lower().endswith(PHOTO_SUFFIXES):
                photos = False
    return tuple(found), photos
