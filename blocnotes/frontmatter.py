"""Front matter: split it from the body, parse its YAML, validate it into Metadata."""

from __future__ import annotations

import datetime as dt
import difflib
import re
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from . import budgets
from .errors import BlocNotesError, Diagnostic
from .markup import XML_ILLEGAL_RE
from .model import Metadata

# Source key -> (Metadata attribute, kind). Pandoc's names where Pandoc has one.
FIELDS: dict[str, tuple[str, str]] = {
    "title": ("title", "text"),
    "short-title": ("short_title", "text"),
    "subtitle": ("subtitle", "text"),
    "date": ("date", "date"),
    "dateline": ("dateline", "text"),
    "description": ("description", "text"),
    "abstract": ("abstract", "text"),
    "lang": ("lang", "lang"),
    "keywords": ("keywords", "list"),
    "author": ("authors", "list"),
    "series": ("series", "text"),
    "number": ("number", "number"),  # the number in its series
    "publisher": ("publisher", "text"),
    "publisher-short": ("publisher_short", "text"),
    "address": ("address", "text"),
    "rights": ("rights", "text"),
    "colophon-date": ("colophon_date", "text"),
    "abstract-title": ("abstract_title", "text"),
    "keywords-title": ("keywords_title", "text"),
    "site-url": ("site_url", "url"),
    "style": ("style", "name"),  # the folder styles/<name>/ of the series' look
}
REQUIRED = ("title", "date")
# The agency's fields, which may be given by language ('rights: {fr: ..., en: ...}'): the
# document's language chooses.
BY_LANGUAGE = ("series", "publisher", "publisher-short", "address", "rights", "colophon-date",
               "abstract-title", "keywords-title")
# The names editors type in French (and a few other habits) -> the field they mean.
ALIASES = {
    "titre": "title", "sous-titre": "subtitle", "soustitre": "subtitle", "auteur": "author",
    "auteurs": "author", "autrice": "author", "authors": "author", "redaction": "author",
    "rédaction": "author", "mots-clés": "keywords", "mots-cles": "keywords",
    "mots-clefs": "keywords", "motsclés": "keywords", "motscles": "keywords", "tags": "keywords",
    "keyword": "keywords", "résumé": "abstract", "resume": "abstract", "chapeau": "abstract",
    "chapô": "abstract", "langue": "lang", "language": "lang", "date-colophon": "colophon-date",
    "série": "series", "serie": "series", "numéro": "number", "numero": "number",
    "num": "number", "éditeur": "publisher", "editeur": "publisher",
    "adresse": "address", "droits": "rights", "lieu": "dateline", "sous-titre-date": "dateline",
    "site": "site-url", "url": "site-url", "site-web": "site-url", "adresse-du-site": "site-url",
    "gabarit": "style", "maquette": "style",
}
NAME_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
LANG_RE = re.compile(r"^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$")
FENCE_OPEN = "---"
FENCE_CLOSE = ("---", "...")


@dataclass(frozen=True)
class FrontMatter:
    """Parsed YAML mapping with the 1-based line of each key."""

    values: dict[str, Any]
    lines: dict[str, int]


class _Loader(yaml.SafeLoader):
    """SafeLoader that leaves an impossible date (2020-13-45) as text, to report it ourselves."""

    def construct_yaml_timestamp(self, node: yaml.Node) -> Any:  # type: ignore[override]
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError:
            return self.construct_scalar(node)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_yaml_timestamp)


def split_front_matter(text: str, path: Path) -> tuple[str, str, int]:
    """Text of a source -> (YAML text, Markdown body, 1-based line where the body starts)."""
    if not text.strip():
        raise BlocNotesError(
            path, 1, "the file is empty (start it with a '---' line, 'title:' and 'date:', "
            "then '---' and the text)"
        )
    lines = text.split("\n")
    if lines[0].rstrip() != FENCE_OPEN:
        raise BlocNotesError(
            path, 1, "no front matter (the file must start with a '---' line, then 'title:' "
            "and 'date:' lines, then '---')"
        )
    for index in range(1, len(lines)):
        if lines[index].rstrip() in FENCE_CLOSE:
            yaml_text = "\n".join(lines[1:index])
            body = "\n".join(lines[index + 1 :])
            return yaml_text, body, index + 2
    raise BlocNotesError(
        path, 1, "the front matter is never closed (add a '---' line after its last field)"
    )


def parse_yaml(yaml_text: str, path: Path, first_line: int,
               limits: budgets.Limits = budgets.DEFAULT) -> FrontMatter:
    """YAML text starting at `first_line` of `path` -> FrontMatter; errors carry the line:
    a syntax error, a character YAML cannot hold, a key given twice, a value nested deeper
    than the `depth` budget (checked before PyYAML, whose parser is recursive)."""
    budgets.check_yaml(yaml_text, path, first_line, limits)
    loader = None
    try:
        loader = _Loader(yaml_text)  # its reader refuses a control character here
        node = loader.get_single_node()
        if node is None:
            return FrontMatter({}, {})
        _no_key_twice(node, path, first_line)
        values = loader.construct_document(node)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = first_line + mark.line if mark else first_line
        problem = error.problem or "invalid YAML"
        raise BlocNotesError(
            path, line, f"YAML syntax error: {problem} (check the indentation and put text "
            "containing ':' or '#' between quotes)"
        ) from None
    except yaml.reader.ReaderError as error:  # a character YAML refuses (NUL, a control)
        line = first_line + yaml_text.count("\n", 0, error.position)
        code = error.character if isinstance(error.character, int) else ord(error.character)
        raise BlocNotesError(
            path, line, f"the front matter holds the control character U+{code:04X}, which "
            "YAML cannot read (remove it: retype the line)") from None
    finally:
        if loader is not None:
            loader.dispose()
    if not isinstance(values, dict) or not isinstance(node, yaml.MappingNode):
        raise BlocNotesError(
            path, first_line, "the front matter must be 'key: value' lines (e.g. 'title: ...')"
        )
    lines = {
        str(key.value): first_line + key.start_mark.line
        for key, _ in node.value
        if isinstance(key, yaml.ScalarNode)
    }
    return FrontMatter({str(k): v for k, v in values.items()}, lines)


def _no_key_twice(node: yaml.Node, path: Path, first_line: int) -> None:
    """A key given twice in a mapping (at any level) is an error at the second one's line:
    YAML would keep the last one silently."""
    pending, visited = [node], set()
    while pending:
        current = pending.pop()
        if id(current) in visited:  # an alias: the node is looked at once
            continue
        visited.add(id(current))
        if isinstance(current, yaml.MappingNode):
            seen: dict[str, int] = {}
            for key, value in current.value:
                line = first_line + key.start_mark.line
                if isinstance(key, yaml.ScalarNode):
                    if key.value in seen:
                        raise BlocNotesError(
                            path, line, f"'{key.value}' is given twice (first at line "
                            f"{seen[key.value]}; keep one)")
                    seen[key.value] = line
                pending.append(value)
        elif isinstance(current, yaml.SequenceNode):
            pending.extend(current.value)


def _unknown_key_message(key: str) -> str:
    alias = ALIASES.get(key.strip().casefold().replace("_", "-").replace(" ", "-"))
    close = [alias] if alias else difflib.get_close_matches(key, FIELDS, n=1, cutoff=0.6)
    hint = f"did you mean '{close[0]}'?" if close else "known fields: " + ", ".join(FIELDS)
    return f"unknown field '{key}' ({hint})"


def _text(key: str, value: Any, where: tuple[Path, int | None]) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int | float | dt.date):
        raise BlocNotesError(*where, f"'{key}' must be text, not {_kind(value)} (write it on one line)")
    text = value.isoformat() if isinstance(value, dt.date) else str(value)
    return _clean(text)


def _list(key: str, value: Any, where: tuple[Path, int | None]) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return tuple(cleaned for item in value if (cleaned := _clean(item)))
    raise BlocNotesError(
        *where, f"'{key}' must be text or a list of text, not {_kind(value)} "
        f"(write one '- item' line per entry under '{key}:')"
    )


def _date(key: str, value: Any, where: tuple[Path, int | None]) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):  # a quoted date, "2020-09-29", is still a date
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise BlocNotesError(
        *where, f"'{key}' is not a date: {value!r} (write it as YYYY-MM-DD, e.g. 2020-09-29)"
    )


def _number(key: str, value: Any, where: tuple[Path, int | None]) -> int:
    """A number in the series: a whole number from 1 (e-readers sort the series by it)."""
    text = str(value).strip() if isinstance(value, int | str) and not isinstance(value, bool) else ""
    if not text.isdecimal() or not 0 < int(text) < 100_000:
        raise BlocNotesError(
            *where, f"'{key}' is not an issue's number: {value!r} (write a whole number, "
            "e.g. 'number: 12')")
    return int(text)


def _lang(key: str, value: Any, where: tuple[Path, int | None]) -> str:
    text = _text(key, value, where)
    if not LANG_RE.match(text):
        raise BlocNotesError(
            *where, f"'{key}' is not a language code: {text!r} (write e.g. 'fr' or 'en')"
        )
    return text


def _name(key: str, value: Any, where: tuple[Path, int | None]) -> str:
    """A folder's name: lowercase letters, digits and dashes (nothing that leaves styles/)."""
    text = _text(key, value, where)
    if not NAME_RE.match(text):
        raise BlocNotesError(
            *where, f"'{key}' is not a style's name: {text!r} (write the name of a folder of "
            "styles/, e.g. 'bloc-notes')"
        )
    return text


def _url(key: str, value: Any, where: tuple[Path, int | None]) -> str:
    """An absolute http(s) address, with the trailing slash that file names are joined to."""
    text = _text(key, value, where)
    parts = urllib.parse.urlsplit(text)
    if (parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment
            or any(character.isspace() for character in text)):
        raise BlocNotesError(
            *where, f"'{key}' is not a web address: {text!r} (write the address where the "
            "hand-out folder is published, e.g. https://www.example.org/bloc-notes/)"
        )
    return text if text.endswith("/") else text + "/"


def _clean(text: str) -> str:
    """Text without the control characters XML cannot hold (a YAML escape may bring them)."""
    text = XML_ILLEGAL_RE.sub("", text)
    return re.sub("[\u0085\u2028\u2029]", " ", text).strip()  # line separators: one line


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "yes/no"
    if isinstance(value, int | float):
        return f"a number ({value})"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a group of fields"
    return type(value).__name__


_CONVERTERS = {"text": _text, "list": _list, "date": _date, "lang": _lang, "url": _url,
               "name": _name, "number": _number}


def by_language(key: str, value: Any, lang: str, where: tuple[Path, int | None]) -> Any:
    """A field given by language ({'fr': ..., 'en': ...}) -> the value for `lang` ('en-GB'
    reads 'en-GB', else 'en'), else the first one given; any other value as it is."""
    if key not in BY_LANGUAGE or not isinstance(value, dict):
        return value
    if not value:
        raise BlocNotesError(*where, f"'{key}' is an empty group (give the text, or one line "
                             f"per language under '{key}:', e.g. '  en: ...')")
    for tag in value:
        if not isinstance(tag, str) or not LANG_RE.match(tag):
            raise BlocNotesError(*where, f"'{key}' by language: {tag!r} is not a language code "
                                 f"(write one line per language under '{key}:', e.g. '  fr: ...', "
                                 "'  en: ...')")
    wanted = next((tag for tag in (lang, lang.split("-")[0]) if tag in value), None)
    chosen = wanted if wanted is not None else next(iter(value))
    if isinstance(value[chosen], dict | list) or value[chosen] is None:
        raise BlocNotesError(*where, f"'{key}' for '{chosen}' must be text, not "
                             f"{_kind(value[chosen]) if value[chosen] is not None else 'empty'} "
                             "(write it on one line)")
    return value[chosen]


def field_value(key: str, value: Any, where: tuple[Path, int | None]) -> Any:
    """One field's value, checked and converted as FIELDS says (raises at `where`)."""
    return _CONVERTERS[FIELDS[key][1]](key, value, where)


def unknown_keys(front: FrontMatter, path: Path) -> list[Diagnostic]:
    """Every key that is not a known field, each at its line, with a suggestion."""
    return [Diagnostic(path, front.lines.get(key), _unknown_key_message(key), "error")
            for key in front.values if key not in FIELDS]


def build_metadata(
    document: FrontMatter, defaults: FrontMatter, path: Path, defaults_path: Path | None
) -> Metadata:
    """Merge a document's front matter over the agency defaults -> validated Metadata.

    Every problem is found in one pass and raised together, each at its line."""
    problems = unknown_keys(document, path)
    if defaults_path is not None:
        problems += unknown_keys(defaults, defaults_path)
    fields: dict[str, Any] = {}
    failed: set[str] = set()  # reported already: not "missing" too
    lang = _document_lang(document, defaults)
    for key, (attr, kind) in FIELDS.items():
        if key in document.values and document.values[key] is not None:
            value, where = document.values[key], (path, document.lines.get(key))
        elif key in defaults.values and defaults.values[key] is not None:
            value, where = defaults.values[key], (defaults_path or path, defaults.lines.get(key))
        else:
            continue
        try:
            converted = _CONVERTERS[kind](key, by_language(key, value, lang, where), where)
        except BlocNotesError as error:
            problems += error.diagnostics()
            failed.add(key)
            continue
        if converted not in ("", ()):
            fields[attr] = converted
    for key in REQUIRED:
        aliased = any(ALIASES.get(typed.casefold()) == key for typed in document.values)
        if FIELDS[key][0] not in fields and key not in failed and not aliased:
            example = "2020-09-29" if key == "date" else "Smart City Tour Mulhouse"
            problems.append(Diagnostic(
                path, 1, f"the front matter has no '{key}' (add a line '{key}: {example}')",
                "error"))
    if problems:
        raise BlocNotesError.of(problems)
    return Metadata(**fields)


def _document_lang(document: FrontMatter, defaults: FrontMatter) -> str:
    """The language that chooses among a field's languages (an invalid one is reported with
    the other fields)."""
    for matter in (document, defaults):
        value = matter.values.get("lang")
        if isinstance(value, str) and LANG_RE.match(value.strip()):
            return value.strip()
        if value is not None:
            break
    return Metadata.lang


def read_defaults(text: str, path: Path) -> FrontMatter:
    """Text of an agency.yaml -> its FrontMatter (validated when merged)."""
    return parse_yaml(text, path, 1) if text.strip() else FrontMatter({}, {})


EMPTY = FrontMatter({}, {})
__all__ = ["EMPTY", "FIELDS", "FrontMatter", "build_metadata", "field_value", "parse_yaml",
           "read_defaults", "split_front_matter"]
