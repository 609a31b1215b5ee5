"""Markdown body -> well-formed XHTML fragments split into sections, with links, images, headings."""

from __future__ import annotations

import re
from dataclasses import dataclass

import markdown
import nh3
from lxml import etree, html
from markdown.extensions import Extension
from markdown.extensions.abbr import AbbrExtension
from markdown.extensions.attr_list import AttrListExtension
from markdown.extensions.def_list import DefListExtension
from markdown.extensions.fenced_code import FencedCodeExtension
from markdown.extensions.footnotes import FootnoteExtension
from markdown.extensions.md_in_html import MarkdownInHtmlExtension
from markdown.extensions.sane_lists import SaneListExtension
from markdown.extensions.tables import TableExtension
from markdown.extensions.toc import slugify
from markdown.postprocessors import Postprocessor
from markdown.preprocessors import Preprocessor

from . import constructs
from .model import Heading, Image, Link, ListWarning, Section
from .rows import heading_lines, prose_rows

HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
SECTION_LEVEL = 2  # the document title is h1; top-level sections are h2
# Characters that XML 1.0 forbids: removed from sources so every output stays well-formed.
XML_ILLEGAL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff\ud800-\udfff]")


@dataclass(frozen=True)
class Body:
    """The parts of a Markdown body the rest of the pipeline needs."""

    intro_html: str
    sections: tuple[Section, ...]
    links: tuple[Link, ...]
    images: tuple[Image, ...]
    headings: tuple[Heading, ...]
    ids: frozenset[str]
    credits: tuple[str, ...] = ()
    list_warnings: tuple[ListWarning, ...] = ()
    unclosed_comment: int | None = None  # the line of a '<!--' left as text (it would print)
    credits_photos: bool = True  # every credited figure is a photograph


# Raw HTML in a source is cleaned by nh3 (Ammonia) to what stays valid XHTML 5 in an EPUB:
# no script, style, iframe, object, embed, form or event handler; no javascript: address.
ALLOWED_TAGS = {
    "a", "abbr", "b", "bdi", "bdo", "blockquote", "br", "caption", "cite", "code", "col",
    "colgroup", "data", "dd", "del", "dfn", "div", "dl", "dt", "em", "figcaption", "figure",
    "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li", "mark", "ol", "p",
    "pre", "q", "s", "samp", "small", "span", "strong", "sub", "sup", "table", "tbody", "td",
    "tfoot", "th", "thead", "time", "tr", "u", "ul", "var",
}  # no <wbr>: lxml's HTML parser does not know it is empty and wraps what follows in it
ALLOWED_ATTRIBUTES = {
    "*": {"id", "class", "title", "lang", "dir"},
    "a": {"href", "hreflang"},
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "ol": {"start"},
    "figure": {"data-width"},
    "col": {"span"},
    "colgroup": {"span"},
    "blockquote": {"cite"},
    "q": {"cite"},
    "del": {"cite", "datetime"},
    "ins": {"cite", "datetime"},
    "time": {"datetime"},
    "data": {"value"},
}
_VALID_VALUE = {
    "id": re.compile(r"^[A-Za-z][A-Za-z0-9_.-]*$"),
    "width": re.compile(r"^[0-9]{1,5}$"),
    "height": re.compile(r"^[0-9]{1,5}$"),
    "colspan": re.compile(r"^[1-9][0-9]{0,2}$"),
    "rowspan": re.compile(r"^[0-9]{1,3}$"),
    "span": re.compile(r"^[1-9][0-9]{0,2}$"),
    "start": re.compile(r"^-?[0-9]{1,9}$"),
    "dir": re.compile(r"^(ltr|rtl|auto)$"),
    "lang": re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$"),
    "hreflang": re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$"),
    "scope": re.compile(r"^(row|col|rowgroup|colgroup)$"),
    "class": re.compile(r"^[A-Za-z0-9_ -]*$"),
    "data-width": re.compile(r"^[0-9]{1,3}$"),
}


def _keep_valid(tag: str, attribute: str, value: str) -> str | None:
    pattern = _VALID_VALUE.get(attribute)
    return value if pattern is None or pattern.match(value) else None


def sanitize(fragment: str) -> str:
    """HTML -> the same HTML without anything unsafe or invalid in an EPUB (nh3)."""
    return nh3.clean(
        fragment,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_keep_valid,
        # data: and file: survive here only to be refused with a clear message by the build
        url_schemes={"http", "https", "mailto", "data", "file"},
        link_rel=None,
        strip_comments=True,
    )


BLOCK_START_RE = re.compile(
    r"^\s*</?(address|article|aside|audio|blockquote|canvas|center|dd|details|dialog|dir|div|dl|"
    r"dt|embed|fieldset|figcaption|figure|footer|form|frameset|h[1-6]|header|hgroup|hr|iframe|"
    r"li|main|math|menu|nav|noscript|object|ol|p|pre|script|section|style|svg|table|tbody|td|"
    r"template|tfoot|th|thead|tr|ul|video)\b", re.IGNORECASE)


HIDDEN_OPEN_RE = re.compile(r"<(script|style|svg|math)\b[^>]*>", re.IGNORECASE)
HIDDEN_CLOSE_RE = re.compile(r"</(script|style|svg|math)\s*>", re.IGNORECASE)
FOREIGN_OPEN_RE = re.compile(r"<(?:svg|math)\b[^>]*(?<!/)>", re.IGNORECASE)
FOREIGN_CLOSE_RE = re.compile(r"</(?:svg|math)\s*>", re.IGNORECASE)


class _BalanceRawHtml(Postprocessor):
    """Clean each raw HTML block on its own, before Markdown puts it back in the text.

    An unclosed <table> or <div> in one block would otherwise swallow the rest of the
    document (its sections, the footnotes) and break the EPUB's structure.
    """

    def run(self, text: str) -> str:
        text = self._cut_hidden(text)
        blocks = self.md.htmlStash.rawHtmlBlocks
        foreign = 0  # depth inside an inline <svg> or <math>, stashed one tag at a time
        for index, block in enumerate(blocks):
            if not isinstance(block, str):
                continue
            # An inline <svg>, cleaned alone, would leave its <circle/> behind, which HTML
            # reads as an unclosed element that swallows the rest of the paragraph: the tags
            # inside go too.
            inside = foreign > 0
            foreign = max(0, foreign + len(FOREIGN_OPEN_RE.findall(block))
                          - len(FOREIGN_CLOSE_RE.findall(block)))
            if inside or BLOCK_START_RE.match(block):
                blocks[index] = sanitize(block)
        return text


    def _cut_hidden(self, text: str) -> str:
        """An inline <script>, <style>, <svg> or <math> is stashed one tag at a time, its
        content left as text between: cut it whole, content included (the sanitizer removes
        these elements with their content), when it opens and closes in one run of text."""
        stash, opened = self.md.htmlStash, []
        for index, block in enumerate(stash.rawHtmlBlocks):
            tag = block.strip() if isinstance(block, str) else ""
            if (start := HIDDEN_OPEN_RE.fullmatch(tag)) and not tag.endswith("/>"):
                opened.append((index, start.group(1).lower()))
            elif (end := HIDDEN_CLOSE_RE.fullmatch(tag)) and opened \
                    and opened[-1][1] == end.group(1).lower():
                first, _ = opened.pop()
                if opened:
                    continue  # cut with the outermost element
                begin = text.find(stash.get_placeholder(first))
                finish = text.find(stash.get_placeholder(index), begin)
                if begin >= 0 and finish >= 0 and "<" not in text[begin:finish]:
                    text = text[:begin] + text[finish + len(stash.get_placeholder(index)):]
        return text


class _CloseRawHtml(Preprocessor):
    """A raw HTML block whose element the document never closes (an unclosed <table>) would
    run to the end of the document, its Markdown left unread: it is closed at the next blank
    line. A block closed later (a <div markdown="1"> spanning paragraphs) is left alone."""

    def run(self, lines: list[str]) -> list[str]:
        out: list[str] = []
        index = 0
        while index < len(lines):
            line = lines[index]
            start = BLOCK_START_RE.match(line) if line.startswith("<") else None
            if start and not line.startswith("</") and (index == 0 or not lines[index - 1].strip()):
                end = index
                while end < len(lines) and lines[end].strip():
                    end += 1
                tag = re.escape(start.group(1))
                rest = "\n".join(lines[index:])
                opened = len(re.findall(rf"<{tag}\b", rest, re.IGNORECASE))
                if opened > len(re.findall(rf"</{tag}\s*>", rest, re.IGNORECASE)):
                    out += sanitize("\n".join(lines[index:end])).split("\n")
                    index = end
                    continue
            out.append(line)
            index += 1
        return out


class _Balance(Extension):
    def extendMarkdown(self, md: markdown.Markdown) -> None:
        # after fenced code is set aside (25), before raw HTML blocks are (20)
        md.preprocessors.register(_CloseRawHtml(md), "close_raw_html", 22)
        md.postprocessors.register(_BalanceRawHtml(md), "balance_raw_html", 35)


# An address typed bare, not as a link's target (](https://…) or <https://…>).
BARE_URL_RE = re.compile(r"(?<![(<\"'=/])\b(?:https?://|www\.)")


def _bare_links(text: str) -> list[Extension]:
    """pymdown-extensions' MagicLink, which makes bare https:// and www. addresses links, when
    the text has one: importing it costs a fifth of a second, more than reading the seed."""
    if not BARE_URL_RE.search(text):
        return []
    from pymdownx.magiclink import MagiclinkExtension

    return [MagiclinkExtension()]


def to_html(text: str, sources: tuple[str, ...] = constructs.SOURCE_WORDS,
            room: tuple[int, int] | None = None) -> str:
    """Markdown text -> sanitized HTML (Python-Markdown, 'extra' extensions; nh3); a table's
    source line opens with one of `sources`; `room`: the characters of a table in a column
    and across the wide measure (the style's geometry)."""
    # Extensions as objects, not names: a name makes Python-Markdown scan every installed
    # package's entry points, a twentieth of a second at each start.
    md = markdown.Markdown(
        extensions=[
            AbbrExtension(), AttrListExtension(), DefListExtension(), FencedCodeExtension(),
            FootnoteExtension(SEPARATOR="-", BACKLINK_TEXT="\u2191",
                              BACKLINK_TITLE="Retour au texte"),
            MarkdownInHtmlExtension(), TableExtension(), SaneListExtension(), _Balance(),
            constructs.ConstructsExtension(sources, room), *_bare_links(text),
        ],
        output_format="xhtml",
    )
    return sanitize(_restore_escapes(md.convert(XML_ILLEGAL_RE.sub("", text))))


# Python-Markdown marks a backslash escape as STX, the character's code, ETX; inside an
# automatic mail link it then writes those marks as character references (&#2;&#52;&#51;&#3;
# for '\+'), which its unescaping pass no longer sees: the escaped character is put back
# here. Any other reference to a control character is dropped: XML cannot hold one.
_ESCAPE_REFS_RE = re.compile(r"&#2;((?:&#\d+;)+?)&#3;")
_CONTROL_REF_RE = re.compile(r"&#(0*(?:[0-8]|1[1-2]|1[4-9]|2[0-9]|3[01])|x0*(?:[0-8]|[bBcC]|1[0-9a-fA-F]));")


def _restore_escapes(markup: str) -> str:
    def escaped(match: re.Match[str]) -> str:
        code = "".join(chr(int(digit)) for digit in re.findall(r"&#(\d+);", match.group(1)))
        return f"&#{code};" if code.isdigit() else ""

    return _CONTROL_REF_RE.sub("", _ESCAPE_REFS_RE.sub(escaped, markup))


PHRASING = frozenset({
    "a", "abbr", "b", "bdi", "bdo", "cite", "code", "data", "del", "dfn", "em", "i", "ins",
    "kbd", "mark", "q", "s", "samp", "small", "span", "strong", "sub", "sup", "time", "u", "var",
})
PHRASING_ONLY_BLOCKS = frozenset({"p", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "dt"})
FLOW = frozenset({
    "address", "article", "aside", "blockquote", "details", "div", "dl", "figure", "footer",
    "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "nav", "ol", "p", "pre",
    "section", "table", "ul", "li", "dt", "dd", "tr", "td", "th", "tbody", "thead", "tfoot",
    "caption",
})


def fix_content_model(root: etree._Element) -> None:
    """Blocks inside phrasing content (a <div> inside <b>, a <table> inside <p>) are invalid
    XHTML: the inline element is dropped (its content kept), the paragraph becomes a <div>."""
    for element in reversed(list(root.iter())):
        if not isinstance(element.tag, str) or element is root:
            continue
        if not any(isinstance(child.tag, str) and child.tag in FLOW for child in element):
            continue
        if element.tag in PHRASING:
            element.drop_tag()
        elif element.tag in PHRASING_ONLY_BLOCKS:
            element.tag = "div"
    # A list holds list items only, a definition list terms and definitions: an inline
    # element the parser left between them (an unclosed <b> reopened) goes, or becomes an
    # item when it holds text.
    for listing in root.iter("ul", "ol", "dl"):
        items = ("dt", "dd") if listing.tag == "dl" else ("li",)
        for child in list(listing):
            if not isinstance(child.tag, str) or child.tag in items:
                continue
            if child.tag in PHRASING and not "".join(child.itertext()).strip():
                child.drop_tag()
            elif child.tag in PHRASING:
                item = etree.Element(items[-1])
                child.addprevious(item)
                item.append(child)
                item.tail, child.tail = child.tail, None
            else:
                child.tag = items[-1]
    # Definitions with no term before them (': text' after a heading): they become blocks
    # of their own, before the list; a list left empty goes.
    for listing in list(root.iter("dl")):
        for child in list(listing):
            if isinstance(child.tag, str) and child.tag == "dt":
                break
            if isinstance(child.tag, str):
                child.tag = "div"
                listing.addprevious(child)
        if not any(isinstance(child.tag, str) for child in listing):
            listing.drop_tag()


def parse_fragment(fragment: str) -> html.HtmlElement:
    """HTML fragment -> a <div> element holding it (lxml's forgiving HTML parser)."""
    return html.fragment_fromstring(fragment or "", create_parent="div")


def serialize_children(parent: etree._Element) -> str:
    """The content of `parent` (text and children) as well-formed XHTML text."""
    parts = [_escape(parent.text or "")]
    parts += [etree.tostring(child, encoding="unicode", method="xml") for child in parent]
    return "".join(parts)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def plain(element: etree._Element) -> str:
    """The text of `element`, its white space collapsed."""
    return " ".join("".join(element.itertext()).split())


class _LineFinder:
    """Finds the source line of successive links and images, in document order."""

    def __init__(self, text: str, first_line: int) -> None:
        self.text, self.first_line, self.cursor = text, first_line, 0

    def find(self, target: str) -> int | None:
        for needle in (f"]({target}", f'"{target}"', target):
            position = self.text.find(needle, self.cursor) if target else -1
            if position >= 0:
                self.cursor = position + len(needle)
                return self.first_line + self.text.count("\n", 0, position)
        return None


def _unique_id(wanted: str, taken: set[str]) -> str:
    base = wanted if re.match(r"^[A-Za-z]", wanted or "") else f"s-{wanted}".rstrip("-")
    candidate, count = base, 2
    while candidate in taken:
        candidate, count = f"{base}-{count}", count + 1
    taken.add(candidate)
    return candidate


def _unique_ids(root: etree._Element, taken: set[str]) -> None:
    """Every id in the body is unique (a raw-HTML id may repeat one): later ones are renamed."""
    for element in root.iter():
        if isinstance(element.tag, str) and element.get("id"):
            element.set("id", _unique_id(element.get("id", ""), taken))


def _normalize_headings(root: etree._Element, finder_text: str, first_line: int,
                        taken: set[str]) -> list[Heading]:
    """Shift heading levels so the top one is h2, give each a unique XML-safe id."""
    found = [el for el in root.iter() if isinstance(el.tag, str) and el.tag in HEADINGS]
    if not found:
        return []
    shift = SECTION_LEVEL - min(int(el.tag[1]) for el in found)
    lines: list[int | None] = list(heading_lines(finder_text, first_line))
    if len(lines) != len(found):  # a heading Markdown did not make (or one it did not keep)
        lines = [None] * len(found)
    headings = []
    for element, line in zip(found, lines, strict=True):
        level = max(SECTION_LEVEL, min(6, int(element.tag[1]) + shift))
        element.tag = f"h{level}"
        text = plain(element)
        wanted = element.get("id") or slugify(text, "-")[:60].rstrip("-") or "section"
        taken.discard(element.get("id", ""))
        element.set("id", _unique_id(wanted, taken))
        headings.append(Heading(level, element.get("id", ""), text, line))
    return headings


_CODE_SPAN_RE = re.compile(r"(`+)(?:(?!\1).)+?\1", re.DOTALL)


def unclosed_comment(root: etree._Element, text: str, first_line: int) -> int | None:
    """The line of an HTML comment that Markdown left as text, its '<!--' never closed (or
    closed after a blank line, out of its paragraph's reach), which would print: None when
    the parsed body (`root`) shows no '<!--' outside code. The line is that of the first
    '<!--' outside code with no '-->' after it in its paragraph, or, failing that, of the
    first '<!--' outside code."""
    if not root.xpath("//text()[contains(., '<!--') and not(ancestor::code) "
                      "and not(ancestor::pre)]"):
        return None
    found = []
    rows = _CODE_SPAN_RE.sub(lambda match: " " * len(match.group(0)), text).split("\n")
    for index, row in prose_rows(rows):
        if "<!--" in row:
            paragraph = "\n".join(rows[index:index + next(
                (count for count, later in enumerate(rows[index:]) if not later.strip()),
                len(rows) - index)])
            closed = "-->" in paragraph[paragraph.rindex("<!--", 0, len(row)):]
            found.append((closed, first_line + index))
    unclosed = [line for closed, line in found if not closed]
    return (unclosed or [line for _, line in found] or [None])[0]


def _drop_dangling_footnote_links(root: etree._Element, ids: set[str]) -> None:
    """Footnote links Markdown made toward a reference that raw HTML or cleaning removed."""
    for link in list(root.iter("a")):
        kind = link.get("class", "")
        target = link.get("href", "")[1:]
        if kind in ("footnote-ref", "footnote-backref") and target not in ids:
            if kind == "footnote-backref":
                link.drop_tree()
            else:
                link.drop_tag()


def parse_body(text: str, first_line: int, speakers: tuple[str, ...] = (),
               sources: tuple[str, ...] = constructs.SOURCE_WORDS,
               room: tuple[int, int] | None = None) -> Body:
    """Markdown body (starting at `first_line` of its file) -> Body; a section's first
    paragraph that opens with one of the `speakers` words is its speakers' line, a paragraph
    under a table that opens with one of the `sources` words its source line; a table wider
    than `room` (the style's geometry) spans the wide measure."""
    markdown_text, list_warnings = constructs.normalize_lists(text, first_line)
    root = parse_fragment(to_html(markdown_text, sources, room))
    fix_content_model(root)
    constructs.apply_widths(root)
    taken: set[str] = {"titre", "colophon"}  # ids of the template's own parts
    _unique_ids(root, taken)
    headings = _normalize_headings(root, text, first_line, taken)
    _drop_dangling_footnote_links(root, taken)
    finder = _LineFinder(text, first_line)
    links, images = [], []
    for element in root.iter("a", "img"):
        if element.tag == "a" and element.get("href") is not None:
            href = element.get("href", "")
            links.append(Link(plain(element), href, finder.find(href)))
        elif element.tag == "img":
            src = element.get("src", "")
            images.append(Image(src, element.get("alt", ""), finder.find(src),
                                *constructs.image_box(element)))
    credits, photos = constructs.credits_of(root)
    comment = unclosed_comment(root, text, first_line)
    intro, sections = _split_sections(root, constructs.take_notes(root), speakers)
    return Body(intro, tuple(sections), tuple(links), tuple(images), tuple(headings),
                frozenset(taken), credits, list_warnings, comment, photos)


def _split_sections(root: etree._Element, notes: dict[str, etree._Element],
                    speakers: tuple[str, ...]
                    ) -> tuple[str, list[Section]]:
    intro = etree.Element("div")
    intro.text = root.text
    groups: list[etree._Element] = []
    for child in list(root):
        if isinstance(child.tag, str) and child.tag == f"h{SECTION_LEVEL}":
            groups.append(etree.Element("div"))
        (groups[-1] if groups else intro).append(child)
    # each note beside the section that calls it first; one never called goes last
    constructs.place_notes([intro, *groups], notes)
    sections = []
    for group in groups:
        heading = group[0]
        _mark_speakers(group, speakers)
        sections.append(Section(heading.get("id", ""), plain(heading), serialize_children(group)))
    return serialize_children(intro), sections


def _mark_speakers(group: etree._Element, speakers: tuple[str, ...]) -> None:
    """The heading and the speakers' line ('Intervenants : ...') go in one <header>."""
    pattern = (re.compile(r"^\s*(" + "|".join(map(re.escape, speakers)) + r")\b", re.IGNORECASE)
               if speakers else None)
    header = etree.Element("header")
    header.set("class", "section-head")
    heading = group[0]
    group.insert(0, header)
    header.append(heading)
    if pattern and len(group) > 1 and group[1].tag == "p" and pattern.match(plain(group[1])):
        classes = (group[1].get("class", "") + " speakers").strip()
        group[1].set("class", classes)
        header.append(group[1])
    # A wide figure or short wide table right under the heading stays with it (one box that
    # never breaks): WeasyPrint does not keep a heading with a box that spans the columns.
    if len(group) > 1 and _spans_whole(group[1]):
        header.append(group[1])
    # The rest in a box of its own, so that the heading is a block before the text's columns:
    # WeasyPrint keeps such a block with the columns that follow (break-after: avoid), which
    # it does not do for a heading that spans the columns it belongs to.
    if len(group) > 1:
        body = etree.SubElement(group, "div")
        body.set("class", "section-body")
        body.extend(group[1:-1])


def _spans_whole(element: etree._Element) -> bool:
    classes = set((element.get("class") or "").split())
    return (element.tag == "figure" and "wide" in classes) or \
        {"table-wrap", "wide", "short"} <= classes


def inline_images(html: str, line: int | None) -> tuple[Image, ...]:
    """The images of a front matter field's XHTML (parse_inline's), each at the field's
    `line`: checked and packaged as the body's are."""
    return tuple(Image(element.get("src", ""), element.get("alt", ""), line,
                       *constructs.image_box(element))
                 for element in parse_fragment(html).iter("img"))


def parse_inline(text: str, line: int | None) -> tuple[str, tuple[Link, ...]]:
    """A short Markdown text (a front matter field at `line`) -> (XHTML without the wrapping
    <p>, its links)."""
    root = parse_fragment(to_html(text))
    fix_content_model(root)
    if len(root) == 1 and root[0].tag == "p" and not (root.text or "").strip():
        root = root[0]
    links = tuple(Link(plain(a), a.get("href", ""), line)
                  for a in root.iter("a") if a.get("href") is not None)
    return serialize_children(root), links
