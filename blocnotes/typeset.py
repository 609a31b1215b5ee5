"""Typographic rules of the document's language, applied to text nodes only.

The rules themselves are a table, `typorules.RULES`. Here they meet the HTML: the text nodes
of one block (a paragraph, a heading, a list item) are typeset together, as one text, so that
a rule sees across inline tags (`<b>mot </b>: suite`), then cut back at the tags. Code,
preformatted text, raised letters and attributes are never touched; URLs, e-mail addresses,
file paths and times inside the text are set aside before the rules run.
"""

from __future__ import annotations

import dataclasses
import itertools
import re
from collections.abc import Iterable

from lxml import etree

from . import languages, markup
from .languages import Language
from .model import Document, Metadata, Section, Typeset
from .typorules import (
    BREAK,
    MASK_BASE,
    NBSP,
    NNBSP,
    OPAQUE,
    PROTECT,
    PROTECT_NEEDS,
    SUP_CLOSE,
    SUP_OPEN,
    WJ,
    Rule,
    rules_for,
)

__all__ = ["NBSP", "NNBSP", "headline", "typeset", "typeset_html", "typeset_text"]

SKIP = frozenset({"code", "pre", "kbd", "samp", "script", "style", "var", "math", "svg", "img",
                  "sup", "sub"})
BLOCKS = frozenset(
    {"p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "td", "th", "dt", "dd", "blockquote",
     "figcaption", "caption", "div", "section", "header", "footer", "ul", "ol", "dl", "table",
     "thead", "tbody", "tfoot", "tr", "figure", "aside", "nav", "hr"}
)
SOLID_RE = re.compile(r"\S")
SUP_RE = re.compile(f"{SUP_OPEN}([^{SUP_CLOSE}]*){SUP_CLOSE}")
ORDINAL_SUP = {"ème": "e", "eme": "e", "ième": "e", "èmes": "es", "emes": "es", "ère": "re",
               "ere": "re", "ères": "res", "eres": "res", "nde": "de", "nd": "d"}


def _solid_positions(text: str) -> list[int]:
    return [m.start() for m in SOLID_RE.finditer(text)]


def _place(replacement: str, solids_before: int) -> int:
    """Where a tag boundary that followed `solids_before` visible characters of a matched
    text goes in its replacement: after as many visible characters, before any space."""
    if solids_before <= 0:
        return 0
    solids = _solid_positions(replacement)
    if not solids:
        return 0
    return solids[min(solids_before, len(solids)) - 1] + 1


def _apply(rule: Rule, text: str, marks: list[int]) -> tuple[str, list[int]]:
    """One rule over `text`; `marks` (tag boundaries, as positions) follow the changes."""
    out: list[str] = []
    last = 0
    shift = 0
    moved = list(marks)
    for match in rule.pattern.finditer(text):
        old = match.group()
        new = rule.replace(match) if callable(rule.replace) else match.expand(rule.replace)
        if new == old:
            continue
        start, end = match.span()
        out.append(text[last:start])
        out.append(new)
        for index, position in enumerate(marks):
            if start < position < end:
                solids = len(SOLID_RE.findall(text, start, position))
                moved[index] = start + shift + _place(new, solids)
            elif position >= end and (position > start or start == end):
                moved[index] += len(new) - len(old)
        shift += len(new) - len(old)
        last = end
    if not out:
        return text, marks
    out.append(text[last:])
    return "".join(out), moved


def _run(rules: Iterable[Rule], pieces: list[str]) -> list[str]:
    """The pieces of one block (text nodes, in order) -> the same pieces typeset together."""
    text = "".join(pieces)
    marks = []
    total = 0
    for piece in pieces[:-1]:
        total += len(piece)
        marks.append(total)
    for rule in rules:
        if rule.may_apply(text):
            text, marks = _apply(rule, text, marks)
    bounds = [0]
    for mark in marks:
        bounds.append(max(bounds[-1], min(mark, len(text))))
    bounds.append(len(text))
    return [text[a:b] for a, b in itertools.pairwise(bounds)]


class _Masks:
    """Protected spans (URLs, paths, times...) as one private-use character each."""

    def __init__(self) -> None:
        self.spans: list[str] = []

    def hide(self, pieces: list[str]) -> list[str]:
        """The pieces of a block with what PROTECT finds in their joined text hidden: an
        address cut by tags (the <wbr/> of a URL typeset once) is still found whole, and
        each of its parts becomes one character."""
        text = "".join(pieces)
        if not any(needle in text for needle in PROTECT_NEEDS):
            return pieces
        # a line break or an opaque element (code, an image) ends an address, as a space does
        apart = text.translate({ord(BREAK): " ", ord(OPAQUE): " "})
        spans = [match.span() for match in PROTECT.finditer(apart)]
        if not spans:
            return pieces
        hidden: list[str] = []
        start = 0
        for piece in pieces:
            end = start + len(piece)
            out: list[str] = []
            position = start
            for span_start, span_end in spans:
                if span_end <= position or span_start >= end:
                    continue
                cut_start, cut_end = max(span_start, position), min(span_end, end)
                out.append(text[position:cut_start])
                self.spans.append(text[cut_start:cut_end])
                out.append(chr(MASK_BASE + len(self.spans) - 1))
                position = cut_end
            out.append(text[position:end])
            hidden.append("".join(out))
            start = end
        return hidden

    def show(self, text: str) -> str:
        if not self.spans:
            return text
        return "".join(
            self.spans[ord(c) - MASK_BASE] if MASK_BASE <= ord(c) < MASK_BASE + len(self.spans)
            else c for c in text
        )


def _rules(lang: Language | str) -> tuple[Rule, ...]:
    """The rules of a language (a tag: its file in the repository's languages/)."""
    language = languages.get(lang) if isinstance(lang, str) else lang
    return rules_for(language.typography, language.quotes, language.months,
                     language.month_abbreviations)


def _typeset_pieces(pieces: list[str], lang: Language | str) -> list[str]:
    masks = _Masks()
    hidden = masks.hide(pieces)
    return [masks.show(piece) for piece in _run(_rules(lang), hidden)]


def typeset_text(text: str, lang: Language | str) -> str:
    """Plain text -> the same text typeset for `lang` (raised letters stay on the line)."""
    if not text:
        return text
    done = _typeset_pieces([text], lang)[0]
    return done.replace(SUP_OPEN, "").replace(SUP_CLOSE, "")


Slot = tuple[etree._Element, str]  # (element, "text" or "tail")


def _slots(block: etree._Element, slots: list[Slot | str], blocks: list[etree._Element]) -> None:
    """The text slots of `block` in reading order; a character for what is not its text."""
    slots.append((block, "text"))
    for child in block:
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag in BLOCKS:
            slots.append(BREAK)
            blocks.append(child)
        elif tag == "br":
            slots.append(BREAK)
        elif not tag or tag in SKIP:
            if tag == "sup" and child.text in ORDINAL_SUP and len(child) == 0:
                child.text = ORDINAL_SUP[child.text]  # 2<sup>ème</sup> -> 2<sup>e</sup>
            slots.append(OPAQUE if tag else "")
        else:
            _slots(child, slots, blocks)
        slots.append((child, "tail"))


def _write(slot: Slot, text: str) -> None:
    """Put `text` back in its slot; raised letters become <sup> elements."""
    owner, attribute = slot
    parts = SUP_RE.split(text)
    setattr(owner, attribute, parts[0] or None)
    if len(parts) == 1:
        return
    if attribute == "text":
        parent, index = owner, 0
    else:
        parent = owner.getparent()
        index = parent.index(owner) + 1
    for offset in range(1, len(parts), 2):
        sup = parent.makeelement("sup", {})
        sup.text = parts[offset]
        sup.tail = parts[offset + 1] or None
        parent.insert(index, sup)
        index += 1


def _typeset_block(block: etree._Element, lang: Language | str) -> None:
    blocks: list[etree._Element] = []
    slots: list[Slot | str] = []
    _slots(block, slots, blocks)
    pieces = [s if isinstance(s, str) else getattr(s[0], s[1]) or "" for s in slots]
    if any(piece.strip() for piece in pieces):
        done = _typeset_pieces(pieces, lang)
        if all(d == p for d, p, s in zip(done, pieces, slots, strict=True) if isinstance(s, str)):
            for slot, text in zip(slots, done, strict=True):
                if not isinstance(slot, str) and text != (getattr(slot[0], slot[1]) or ""):
                    _write(slot, text)
    for child in blocks:
        _typeset_block(child, lang)


def _hoist_no_break_spaces(root: etree._Element) -> None:
    """Move a no-break space that ends a text node into the inline element that follows.

    WeasyPrint (v70) cannot break a line before "de « <strong>ville": it backs off to the
    previous inline box and leaves a very loose line. "de «<strong> ville" is laid out right
    and reads the same.
    """
    for element in root.iter():
        children = [child for child in element if isinstance(child.tag, str)]
        if not children:
            continue
        slots: list[tuple[etree._Element, str]] = [(element, "text")]
        slots += [(child, "tail") for child in children[:-1]]
        for (owner, attribute), following in zip(slots, children, strict=True):
            text = getattr(owner, attribute) or ""
            kept = text.rstrip(NBSP + NNBSP)
            if kept != text and following.tag not in BLOCKS | SKIP | {"br"}:
                setattr(owner, attribute, kept)
                following.text = text[len(kept):] + (following.text or "")


NAME_WORD_RE = re.compile(r"^[^\W\d_][\w’'.-]*$")


def _mark_names(root: etree._Element) -> None:
    """Bold text whose every word is capitalized (Michèle LUTZ, Mulhouse Diagonales) is a
    name: class="name", which the print style never hyphenates."""
    for element in root.iter("strong", "b"):
        words = "".join(element.itertext()).split()
        if "name" in element.get("class", "").split():
            continue
        if words and all(NAME_WORD_RE.match(w) and w[0].isupper() for w in words):
            element.set("class", (element.get("class", "") + " name").strip())


URL_TEXT_RE = re.compile(r"^(?:https?://|www\.)\S+$")
URL_BREAK_RE = re.compile(r"(?<=[/.?&_-])(?=[^/.?&_-])")
LONG_URL = 25  # characters: a shorter address fits on a line and leaves the text justified


def _break_urls(root: etree._Element) -> None:
    """A link whose text is an address may break only after / . ? & - _ and never takes a
    hyphen: a <wbr/> after each of those (the style sets hyphens: manual on a.url); the block
    holding a long one is set ragged (class has-url), not stretched around it."""
    for link in root.iter("a"):
        text = link.text or ""
        if len(link) or not URL_TEXT_RE.match(text):
            continue
        link.set("class", (link.get("class", "") + " url").strip())
        scheme, sep, rest = text.partition("://")
        head, pieces = (scheme + sep, URL_BREAK_RE.split(rest)) if sep else ("", URL_BREAK_RE.split(text))
        link.text = head + pieces[0]
        for piece in pieces[1:]:
            etree.SubElement(link, "wbr").tail = piece
        if len(text) > LONG_URL:
            block = link.getparent()
            while block is not None and block.tag not in ("p", "li", "td", "th", "dd", "figcaption"):
                block = block.getparent()
            if block is not None:
                block.set("class", (block.get("class", "") + " has-url").strip())


def _reading_slots(element: etree._Element) -> list[Slot]:
    """The text slots of `element`, in reading order (its own text, then each child's)."""
    slots: list[Slot] = [(element, "text")]
    for child in element:
        if isinstance(child.tag, str) and child.tag not in SKIP:
            slots += _reading_slots(child)
        slots.append((child, "tail"))
    return slots


def _no_lone_last_word(root: etree._Element) -> None:
    """A quotation's paragraphs end on two words at least: a no-break space before the last
    word. WeasyPrint (v70) has no `text-wrap: pretty`, and `widows` counts lines, not words."""
    for quote in root.iter("blockquote"):
        for paragraph in quote.iter("p"):
            if "attribution" in paragraph.get("class", "").split():
                continue
            slots = _reading_slots(paragraph)
            after = ""  # the text after the last breakable space: what the last line holds
            for number in range(len(slots) - 1, -1, -1):
                owner, attribute = slots[number]
                text = getattr(owner, attribute) or ""
                index = (text if after.strip() else text.rstrip()).rfind(" ")
                if index < 0:
                    after = text + after
                    continue
                after = text[index + 1:] + after
                before = text[:index] + "".join(getattr(o, a) or "" for o, a in slots[:number])
                if before.strip() and after.strip() and NBSP not in after.strip():
                    setattr(owner, attribute, text[:index] + NBSP + text[index + 1:])
                break


HYPHENATED_RE = re.compile(r"\b[^\W\d_]+(?:-[^\W\d_]+)+\b")
SHORT_COMPOUND = 16  # characters: a longer compound may still break at its hyphen
HEADLINE_WORDS = 3  # a shorter line is not bound: two words may need two lines


def headline(text: str, compounds: bool = True) -> str:
    """A title's text as the title page shows it: a short compound never broken at its own
    hyphen (cross-border: a word joiner after it; not with `compounds` false, for a line set
    with letter-spacing, which WeasyPrint adds after the joiner too), the last two words held
    together by a no-break space, so that the last line never holds one word (MULHOUSIENNE).
    WeasyPrint (v70) has no `text-wrap: balance` or `pretty` to do it."""
    if compounds:
        text = HYPHENATED_RE.sub(lambda m: m.group().replace("-", "-" + WJ)
                                 if len(m.group()) <= SHORT_COMPOUND else m.group(), text)
    head, space, last = text.rpartition(" ")
    if space and len(text.split()) >= HEADLINE_WORDS and head.strip():
        return head + NBSP + last
    return text


def typeset_html(fragment: str, lang: Language | str) -> str:
    """XHTML fragment -> the same fragment with its text nodes typeset for `lang`."""
    if not fragment:
        return fragment
    root = markup.parse_fragment(fragment)
    _typeset_block(root, lang)
    _no_lone_last_word(root)
    _hoist_no_break_spaces(root)
    _mark_names(root)
    _break_urls(root)
    return markup.serialize_children(root)


def _typeset_meta(meta: Metadata, lang: Language | str) -> Metadata:
    changes: dict[str, object] = {}
    for field in dataclasses.fields(meta):
        value = getattr(meta, field.name)
        if field.name in ("lang", "date", "abstract", "rights"):
            continue
        if isinstance(value, str):
            changes[field.name] = typeset_text(value, lang)
        elif isinstance(value, tuple):
            changes[field.name] = tuple(typeset_text(item, lang) for item in value)
    return dataclasses.replace(meta, **changes)


def typeset(document: Document) -> Typeset:
    """Document -> the same document with every displayed text typeset for its language,
    and its metadata as shown (`display`)."""
    lang = document.language or document.meta.lang  # (a Document made by hand has none)
    sections = tuple(
        Section(s.id, typeset_text(s.title, lang), typeset_html(s.html, lang))
        for s in document.sections
    )
    fields = {field.name: getattr(document, field.name) for field in dataclasses.fields(Document)}
    return Typeset(**{
        **fields,
        "abstract_html": typeset_html(document.abstract_html, lang),
        "intro_html": typeset_html(document.intro_html, lang),
        "sections": sections,
        # the colophon's credit line, set as the captions that hold them are
        "credits": tuple(dict.fromkeys(typeset_text(credit, lang) for credit in document.credits)),
    }, display=_typeset_meta(document.meta, lang))
