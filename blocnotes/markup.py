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

from .model import Heading, Image, Link, Section

HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
SECTION_LEVEL = 2  # the document title is h1; top-level sections are h2
SPEAKERS_RE = re.compile(r"^\s*(intervenant|intervenante|speaker)s?\b", re.IGNORECASE)
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


def to_html(text: str) -> str:
    """Markdown text -> sanitized HTML (Python-Markdown, 'extra' extensions; nh3)."""
    # Extensions as objects, not names: a name makes Python-Markdown scan every installed
    # package's entry points, a twentieth of a second at each start.
    md = markdown.Markdown(
        extensions=[
            AbbrExtension(), AttrListExtension(), DefListExtension(), FencedCodeExtension(),
            FootnoteExtension(SEPARATOR="-", BACKLINK_TEXT="\u2191",
                              BACKLINK_TITLE="Retour au texte"),
            MarkdownInHtmlExtension(), TableExtension(), SaneListExtension(), _Balance(),
        ],
        output_format="xhtml",
    )
    return sanitize(md.convert(XML_ILLEGAL_RE.sub("", text)))


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
    headings = []
    for element in found:
        level = max(SECTION_LEVEL, min(6, int(element.tag[1]) + shift))
        element.tag = f"h{level}"
        text = plain(element)
        wanted = element.get("id") or slugify(text, "-")[:60].rstrip("-") or "section"
        taken.discard(element.get("id", ""))
        element.set("id", _unique_id(wanted, taken))
        line = _heading_line(finder_text, text, first_line)
        headings.append(Heading(level, element.get("id", ""), text, line))
    return headings


def _heading_line(text: str, title: str, first_line: int) -> int | None:
    words = title.split()
    if not words:
        return None
    match = re.search(r"^\s*#+\s*" + re.escape(words[0]), text, re.MULTILINE)
    return first_line + text.count("\n", 0, match.start()) if match else None


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


def parse_body(text: str, first_line: int) -> Body:
    """Markdown body (starting at `first_line` of its file) -> Body."""
    root = parse_fragment(to_html(text))
    fix_content_model(root)
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
            images.append(Image(src, element.get("alt", ""), finder.find(src)))
    intro, sections = _split_sections(root)
    return Body(intro, tuple(sections), tuple(links), tuple(images), tuple(headings),
                frozenset(taken))


def _split_sections(root: etree._Element) -> tuple[str, list[Section]]:
    intro = etree.Element("div")
    intro.text = root.text
    groups: list[etree._Element] = []
    for child in list(root):
        if isinstance(child.tag, str) and child.tag == f"h{SECTION_LEVEL}":
            groups.append(etree.Element("div"))
        (groups[-1] if groups else intro).append(child)
    sections = []
    for group in groups:
        heading = group[0]
        _mark_speakers(group)
        sections.append(Section(heading.get("id", ""), plain(heading), serialize_children(group)))
    return serialize_children(intro), sections


def _mark_speakers(group: etree._Element) -> None:
    """The heading and the speakers' line ('Intervenants : ...') go in one <header>."""
    header = etree.Element("header")
    header.set("class", "section-head")
    heading = group[0]
    group.insert(0, header)
    header.append(heading)
    if len(group) > 1 and group[1].tag == "p" and SPEAKERS_RE.match(plain(group[1])):
        classes = (group[1].get("class", "") + " speakers").strip()
        group[1].set("class", classes)
        header.append(group[1])


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
