"""CSS read as every reader reads it, by tinycss2 (WeasyPrint's own parser: escapes decoded, an
unclosed url( closed at the end of the file): a style's stylesheets checked for what they would
fetch, an SVG's CSS cleaned of every reference outside the drawing, style.yaml's values checked
as colours and names. Pure functions; the callers say where a finding is."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

import tinycss2
import tinycss2.color4
from tinycss2 import ast
from tinycss2.serializer import serialize_identifier

from .errors import BlocNotesError

# Functions whose strings are addresses, besides url() (CSS Images and Fonts): what a reader
# fetches. An escaped name (\75 rl) is the same name once tinycss2 has decoded it.
_ADDRESS_FUNCTIONS = frozenset({"url", "src", "image", "image-set", "-webkit-image-set",
                                "cross-fade", "-webkit-cross-fade"})
# The functions an SVG's CSS may call: colours, arithmetic, transforms, filters, gradients.
# Any other (expression(), a future one that fetches) takes its declaration with it.
_SVG_FUNCTIONS = frozenset({
    "rgb", "rgba", "hsl", "hsla", "hwb", "lab", "lch", "oklab", "oklch", "color", "color-mix",
    "calc", "min", "max", "clamp", "var", "translate", "translatex", "translatey", "translate3d",
    "rotate", "scale", "scalex", "scaley", "skew", "skewx", "skewy", "matrix", "matrix3d",
    "perspective", "blur", "brightness", "contrast", "drop-shadow", "grayscale", "hue-rotate",
    "invert", "opacity", "saturate", "sepia", "linear-gradient", "radial-gradient",
    "repeating-linear-gradient", "repeating-radial-gradient", "cubic-bezier", "steps", "url",
})
_SCRIPTED_PROPERTIES = frozenset({"behavior", "-moz-binding"})


@dataclass(frozen=True)
class Reference:
    """An address a piece of CSS would fetch, and its line (1: the CSS's first)."""

    address: str
    line: int


def _significant(nodes: Iterable[ast.Node]) -> list[ast.Node]:
    return [node for node in nodes if node.type not in ("whitespace", "comment")]


def references(nodes: Iterable[ast.Node], fetching: bool = False) -> Iterator[Reference]:
    """Every address in `nodes` (component values): url tokens, the strings of url() and of
    the image functions (`fetching`: inside one already), in blocks and functions too."""
    for node in nodes:
        if node.type == "url" or (node.type == "string" and fetching):
            yield Reference(node.value, node.source_line)
        elif node.type == "function":
            yield from references(node.arguments,
                                  fetching or node.lower_name in _ADDRESS_FUNCTIONS)
        elif node.type in ("() block", "[] block", "{} block"):
            yield from references(node.content, fetching)


def _at_rule_references(rule: ast.AtRule) -> Iterator[Reference]:
    """@import "x" and @import url(x) fetch; @namespace url(x) only names."""
    if rule.lower_at_keyword == "namespace":
        return
    yield from references(rule.prelude, fetching=rule.lower_at_keyword == "import")
    yield from references(rule.content or ())


def is_remote(address: str) -> bool:
    """Whether an address names something on the network (or of any scheme but a file's
    or data:), not a file."""
    address = address.strip()
    scheme = urlsplit(address).scheme.lower()
    return address.startswith("//") or (bool(scheme) and scheme not in ("file", "data"))


def _stylesheet_problem(reference: Reference, shipped: bool, styles: Path) -> str | None:
    address = reference.address.strip()
    shown = address[:80]
    if is_remote(address):
        return (f"'{shown}' is on the network: a style carries its own files, and nothing is "
                "fetched (put the file in the style's folder, or remove the rule)")
    if urlsplit(address).scheme.lower() == "file":
        target = Path(unquote(urlsplit(address).path)).resolve()
        if shipped:
            return (f"'{shown}' is a file of this computer, which the EPUB and the web edition "
                    "would look for on the reader's (remove the rule)")
        if not target.is_relative_to(styles.resolve()):
            return (f"'{shown}' is outside the styles folder (put the file in the style's "
                    "folder)")
    return None


def check_stylesheet(text: str, path: Path, shipped: bool = False) -> None:
    """A style's stylesheet (its text, read from `path`), as the designer wrote it: an
    @import, or an address on the network (or, `shipped` in the EPUB or the web page, of a
    file of this computer; else outside the styles folder), is an error at its line
    (BlocNotesError). Local addresses (the style's own files) are left to the reader."""
    styles = path.parent.parent
    for rule in tinycss2.parse_stylesheet(text, skip_comments=True, skip_whitespace=True):
        if rule.type == "at-rule" and rule.lower_at_keyword == "import":
            raise BlocNotesError(path, rule.source_line, "an @import brings another stylesheet, "
                                 "which the build does not follow (put its rules in this "
                                 "stylesheet)")
        found = (_at_rule_references(rule) if rule.type == "at-rule" else
                 references(rule.content) if rule.type == "qualified-rule" else ())
        for reference in found:
            problem = _stylesheet_problem(reference, shipped, styles)
            if problem:
                raise BlocNotesError(path, reference.line, problem)
    if "</" in text:  # it goes in the <style> of an HTML page, which '</style' would close
        line = text.count("\n", 0, text.index("</")) + 1
        raise BlocNotesError(path, line, "'</' would close the <style> element it goes in "
                             "(remove it, or write it '<\\/' in a string)")


# SVG: a drawing's own CSS, cleaned (a photographer's or a designer's file: a reference
# outside it is left out with a warning, not an error).

def _local(address: str) -> bool:
    """Whether an address stays in the drawing: '#id'."""
    return address.strip().startswith("#")


def _clean_values(nodes: list[ast.Node], dropped: list[Reference], strict: bool
                  ) -> list[ast.Node] | None:
    """Component values with each reference outside the drawing made `none` (what SVG paints
    when a paint server is missing); None when they call a function not allowed (`strict`:
    any but _SVG_FUNCTIONS; else only script-like ones)."""
    out: list[ast.Node] = []
    for node in nodes:
        if node.type == "url" or (node.type == "function"
                                  and node.lower_name in _ADDRESS_FUNCTIONS):
            outside = [ref for ref in references([node]) if not _local(ref.address)]
            if node.type == "function" and node.lower_name != "url":
                outside = outside or [Reference(node.lower_name + "()", node.source_line)]
            if outside:
                dropped += outside
                out.append(ast.IdentToken(node.source_line, node.source_column, "none"))
                continue
        if node.type == "function":
            if (strict and node.lower_name not in _SVG_FUNCTIONS) or "expression" in \
                    node.lower_name:
                return None
            arguments = _clean_values(node.arguments, dropped, strict)
            if arguments is None:
                return None
            node = ast.FunctionBlock(node.source_line, node.source_column, node.name, arguments)
        elif node.type in ("() block", "[] block", "{} block"):
            content = _clean_values(node.content, dropped, strict)
            if content is None:
                return None
            node = type(node)(node.source_line, node.source_column, content)
        elif node.type == "ident" and node.lower_value.startswith("javascript"):
            return None
        out.append(node)
    return out


def _clean_declarations(content: list[ast.Node], dropped: list[Reference]) -> str:
    parts = []
    for declaration in tinycss2.parse_declaration_list(content, skip_comments=True,
                                                       skip_whitespace=True):
        if declaration.type != "declaration" or declaration.lower_name in _SCRIPTED_PROPERTIES:
            continue
        value = _clean_values(declaration.value, dropped, strict=True)
        if value is None:
            continue
        important = " !important" if declaration.important else ""
        parts.append(f"{serialize_identifier(declaration.name)}:"
                     f"{tinycss2.serialize(value).strip()}{important}")
    return ";".join(parts)


def _clean_rules(rules: list[ast.Node], dropped: list[Reference]) -> str:
    out = []
    for rule in rules:
        if rule.type == "qualified-rule":
            out.append(f"{tinycss2.serialize(rule.prelude).strip()}"
                       f"{{{_clean_declarations(rule.content, dropped)}}}")
        elif rule.type == "at-rule" and rule.lower_at_keyword == "media" and rule.content:
            inner = tinycss2.parse_rule_list(rule.content, skip_comments=True,
                                             skip_whitespace=True)
            out.append(f"@media {tinycss2.serialize(rule.prelude).strip()}"
                       f"{{{_clean_rules(inner, dropped)}}}")
        elif rule.type == "at-rule":  # @import, @font-face, @namespace...: out, whole
            dropped += [ref for ref in _at_rule_references(rule) if not _local(ref.address)]
    return "\n".join(out)


def clean_svg_stylesheet(text: str) -> tuple[str, list[Reference]]:
    """An SVG's <style> -> (the same rules re-written from their tokens, only @media among
    the at-rules, without declarations that call functions other than _SVG_FUNCTIONS or
    bind scripts, each address outside the drawing made `none`; the references left out)."""
    dropped: list[Reference] = []
    rules = tinycss2.parse_stylesheet(text, skip_comments=True, skip_whitespace=True)
    return _clean_rules(rules, dropped), dropped


def clean_svg_declarations(text: str) -> tuple[str, list[Reference]]:
    """An SVG's style="..." -> (its declarations, cleaned as clean_svg_stylesheet's; the
    references left out)."""
    dropped: list[Reference] = []
    return _clean_declarations(tinycss2.parse_component_value_list(text), dropped), dropped


def clean_svg_value(text: str) -> tuple[str | None, list[Reference]]:
    """An SVG attribute's value (fill="url(#g)", transform="rotate(4)") -> (the value, each
    address outside the drawing made `none`, the value as it was when nothing changed; None
    when it calls a script-like function; the references left out)."""
    dropped: list[Reference] = []
    nodes = tinycss2.parse_component_value_list(text)
    cleaned = _clean_values(nodes, dropped, strict=False)
    if cleaned is None:
        return None, dropped
    return (tinycss2.serialize(cleaned) if dropped else text), dropped


# style.yaml: each value checked as what it is, so none can close a rule and add its own.

_NAME_RE = re.compile(r"^[a-z][a-z0-9-]*$")
_FAMILY_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 -]*$")
_CMYK_ARGUMENTS = 4


def is_colour(value: str) -> bool:
    """Whether `value` is one CSS colour (as WeasyPrint reads it) and nothing else."""
    nodes = _significant(tinycss2.parse_component_value_list(value))
    return len(nodes) == 1 and tinycss2.color4.parse_color(nodes[0]) is not None


def is_ink(value: str) -> bool:
    """Whether `value` is one device-cmyk() colour: four numbers or percentages (an alpha
    after '/' allowed), or a CSS colour."""
    nodes = _significant(tinycss2.parse_component_value_list(value))
    if len(nodes) != 1:
        return False
    node = nodes[0]
    if node.type != "function" or node.lower_name != "device-cmyk":
        return is_colour(value)
    arguments = _significant(node.arguments)
    kinds = [argument.type for argument in arguments]
    if "/" in [getattr(argument, "value", None) for argument in arguments]:
        cut = kinds.index("literal")
        alpha = arguments[cut + 1:]
        kinds = kinds[:cut]
        if len(alpha) != 1 or alpha[0].type not in ("number", "percentage"):
            return False
    return len(kinds) == _CMYK_ARGUMENTS and all(kind in ("number", "percentage")
                                                 for kind in kinds)


def is_name(value: str) -> bool:
    """Whether `value` is a colour's name as var(--name) writes it: lower case, digits,
    hyphens."""
    return bool(_NAME_RE.match(value))


def is_family(value: str) -> bool:
    """Whether `value` is a font family name that can go between quotes as it is: letters,
    digits, spaces and hyphens."""
    return bool(_FAMILY_RE.match(value))
