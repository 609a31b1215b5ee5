"""Typographic rules of the document's language, applied to text nodes only.

French follows the Imprimerie nationale: no-break space (U+00A0) before ':' and inside
guillemets, narrow no-break space (U+202F) before ';', '!' and '?', numbers held to their unit.
Code, preformatted text, URLs and attributes are never touched.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

from lxml import etree

from . import markup
from .model import Document, Metadata, Section

NBSP, NNBSP = "\u00a0", "\u202f"
SKIP = frozenset({"code", "pre", "kbd", "samp", "script", "style", "var", "math", "svg"})
BLOCKS = frozenset(
    {"p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "td", "th", "dt", "dd", "blockquote",
     "figcaption", "caption", "div", "section", "header", "footer", "ul", "ol", "dl", "table"}
)
URL_RE = re.compile(r"((?:https?|ftp)://\S+|mailto:\S+|www\.\S+|[\w.+-]+@[\w-]+\.[\w.-]+)")
SPACES = " \t\n" + NBSP + NNBSP
MONTHS = (
    "janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre|"
    "janv\\.?|févr\\.?|avr\\.?|juil\\.?|sept\\.?|oct\\.?|nov\\.?|déc\\.?"
)
SPACED_DASH_RE = re.compile(r"(?<=\S)[ \t\n]+(?:-{1,2}|–|—)[ \t\n]+(?=\S)")


@dataclass
class _State:
    """What the rules need to know of the text before the current node, in one block."""

    prev: str = ""  # last character emitted in this block
    dashes_left: int = 0  # spaced dashes still to come in this block
    dash_index: int = 0
    open_guillemet: bool = False  # the previous node ended with '«'


def _is_french(lang: str) -> bool:
    return lang.lower().split("-")[0] == "fr"


def _quotes(text: str, prev: str, french: bool) -> str:
    """Straight quotes -> typographic ones, deciding open/close from the character before."""
    out = []
    for index, char in enumerate(text):
        before = out[-1][-1] if out else prev
        after = text[index + 1] if index + 1 < len(text) else ""
        opening = not before or before in SPACES + "([{«“‘—–/"
        if char == "'":
            if not french and opening and after.isalnum():
                out.append("‘")
            else:
                out.append("’")
        elif char == '"':
            if french:
                out.append("«" + NBSP if opening else NBSP + "»")
            else:
                out.append("“" if opening else "”")
        else:
            out.append(char)
    text = "".join(out)
    if french:  # an author's space before the closing quote was kept: fold it into the NBSP
        text = re.sub(r"[ \t\n]+" + NBSP + "»", NBSP + "»", text)
        text = re.sub("«" + NBSP + r"[ \t\n]+", "«" + NBSP, text)
    return text


def _french_spacing(text: str, prev: str) -> str:
    # Guillemets hold their content with a no-break space, whatever the author typed.
    text = re.sub(r"«[ \t\n" + NNBSP + r"]*(?=\S)", "«" + NBSP, text)
    text = re.sub(r"(?<=\S)[ \t\n" + NNBSP + r"]*»", NBSP + "»", text)
    # High punctuation: ';', '!', '?' take a narrow no-break space, ':' a no-break space.
    text = re.sub(r"(?<=[^\s" + NBSP + NNBSP + r";!?])[ \t\n" + NBSP + r"]*([;!?]+)", NNBSP + r"\1", text)
    text = re.sub(r"(?<=[^\s" + NBSP + NNBSP + r":\d])[ \t\n" + NNBSP + r"]*:(?!//)", NBSP + ":", text)
    text = re.sub(r"(?<=\d)[ \t\n]+:", NBSP + ":", text)
    if prev and prev not in SPACES:  # punctuation at the start of this node, after a word
        text = re.sub(r"^([;!?])", NNBSP + r"\1", text)
        text = re.sub(r"^:(?!//)", NBSP + ":", text)
        text = re.sub(r"^[ \t\n]*»", NBSP + "»", text)
    text = re.sub(r"^[ \t\n]+([;!?])", NNBSP + r"\1", text)
    text = re.sub(r"^[ \t\n]+:", NBSP + ":", text)
    # Numbers stay with their neighbours: 68 200, 40 logements, 29 septembre 2020.
    text = re.sub(r"(?<![\d,.])(\d{1,3})[ \t\n](?=\d{3}(?!\d))", r"\1" + NNBSP, text)
    text = re.sub(r"(?<![\w,.])(\d(?:[\d,.\-–]*\d)?)[ \t\n]+(?=[^\W\d_]|%|€|\$)", r"\1" + NBSP, text)
    text = re.sub(r"\b(" + MONTHS + r")[ \t\n]+(?=\d{4}\b)", r"\1" + NBSP, text)
    return text


def _dashes(text: str, state: _State, french: bool) -> str:
    """Spaced hyphens become en dashes; in French an incise's dashes hold to its words."""

    def replace(match: re.Match[str]) -> str:
        state.dash_index += 1
        state.dashes_left -= 1
        if not french:
            return " – "
        opening = state.dash_index % 2 == 1 and state.dashes_left > 0
        return " –" + NBSP if opening else NBSP + "– "

    return SPACED_DASH_RE.sub(replace, text)


def _text_rules(text: str, state: _State, french: bool) -> str:
    text = text.replace("...", "…")
    text = _quotes(text, state.prev, french)
    text = _dashes(text, state, french)
    if french:
        text = _french_spacing(text, state.prev)
    return text


def typeset_text(text: str, lang: str, state: _State | None = None) -> str:
    """Plain text -> the same text typeset for `lang` (URLs inside it are left alone)."""
    state = state or _State(dashes_left=len(SPACED_DASH_RE.findall(text)))
    french = _is_french(lang)
    if french and state.open_guillemet:
        text = text.lstrip(" \t\n")
        state.open_guillemet = False
    out = []
    for index, part in enumerate(URL_RE.split(text)):
        if not part:
            continue
        done = part if index % 2 else _text_rules(part, state, french)
        out.append(done)
        state.prev = done[-1]
    result = "".join(out)
    if french and result.rstrip(" \t\n").endswith("«"):
        result = result.rstrip(" \t\n") + NBSP
        state.open_guillemet = True
        state.prev = NBSP
    return result


def _walk(element: etree._Element, lang: str, state: _State, skip: bool) -> None:
    tag = element.tag if isinstance(element.tag, str) else ""
    if tag in BLOCKS:
        text = "".join(element.itertext())
        state = _State(dashes_left=len(SPACED_DASH_RE.findall(text)))
    skip_here = skip or tag in SKIP or not isinstance(element.tag, str)
    if element.text:
        if skip_here:
            state.prev = element.text[-1]
        else:
            element.text = typeset_text(element.text, lang, state)
    for child in element:
        _walk(child, lang, state, skip_here)
        if child.tail:
            if skip:
                state.prev = child.tail[-1]
            else:
                child.tail = typeset_text(child.tail, lang, state)


def _hoist_no_break_spaces(root: etree._Element) -> None:
    """Move a no-break space that ends a text node into the inline element that follows.

    WeasyPrint (v70) cannot break a line before "de « <strong>ville": it backs off to the
    previous inline box and leaves a very loose line. "de «<strong> ville" is laid out right
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
            if text[-1:] in (NBSP, NNBSP) and following.tag not in BLOCKS | SKIP:
                setattr(owner, attribute, text[:-1])
                following.text = text[-1] + (following.text or "")


NAME_WORD_RE = re.compile(r"^[^\W\d_][\w’'.-]*$")


def _mark_names(root: etree._Element) -> None:
    """Bold text whose every word is capitalized (Michèle LUTZ, Mulhouse Diagonales) is a
    name: class="name", which the print style never hyphenates."""
    for element in root.iter("strong", "b"):
        words = "".join(element.itertext()).split()
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


def typeset_html(fragment: str, lang: str) -> str:
    """XHTML fragment -> the same fragment with its text nodes typeset for `lang`."""
    if not fragment:
        return fragment
    root = markup.parse_fragment(fragment)
    _walk(root, lang, _State(), False)
    _hoist_no_break_spaces(root)
    _mark_names(root)
    _break_urls(root)
    return markup.serialize_children(root)


def _typeset_meta(meta: Metadata) -> Metadata:
    lang = meta.lang
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


def typeset(document: Document) -> Document:
    """Document -> the same document with every displayed text typeset for its language."""
    lang = document.meta.lang
    sections = tuple(
        Section(s.id, typeset_text(s.title, lang), typeset_html(s.html, lang))
        for s in document.sections
    )
    return dataclasses.replace(
        document,
        display=_typeset_meta(document.meta),
        abstract_html=typeset_html(document.abstract_html, lang),
        intro_html=typeset_html(document.intro_html, lang),
        sections=sections,
    )
