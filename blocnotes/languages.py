"""A language is data: one file per language, `languages/<code>.yaml`, which a translator owns
(its name, the layout's words, months, quotation marks, the typographic rules that apply, the
hyphenation dictionary), read and checked once per version of the file."""

from __future__ import annotations

import difflib
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pyphen
import yaml

from . import inputs, typorules
from .errors import BlocNotesError

DEFAULT = "fr"  # the agency's language: a document that names none is in it
ROOT = Path(__file__).resolve().parent.parent / "languages"  # the repository's, one file each
SUFFIX = ".yaml"
QUOTES = 6  # outer opening and closing, inner opening and closing, single opening and closing
FIELDS = {  # every field of a language's file: what it must hold
    "name": "text", "hyphenation": "text", "quotes": "list", "month-abbreviations": "words",
    "days": "words", "typography": "list", "transliteration": "mapping", "labels": "mapping",
}
OPTIONAL = frozenset({"transliteration"})
LABELS = (  # the words the layout uses, by name: every language's file words each of them
    "abstract", "series", "number", "keywords", "speakers", "editor", "date", "imprint",
    "colophon", "credits", "figure-credits", "sources", "page", "colon", "date-format", "months",
    "kilobytes", "megabytes", "contents", "landmarks", "cover", "pages", "start", "print",
    "summary", "summary-images", "web-skip", "web-search", "web-search-none", "web-download",
    "web-home", "web-subscribe", "web-feed", "web-catalog",
)

Where = tuple[Path, int | None]


@dataclass(frozen=True, eq=False)
class Language:
    """One language's file, checked: what the build needs to know of a language."""

    code: str  # the primary subtag a document's `lang:` gives ('en' for 'en-GB')
    path: Path
    name: str
    hyphenation: str  # pyphen's dictionary
    quotes: tuple[str, ...]  # see QUOTES
    month_abbreviations: tuple[str, ...]
    days: tuple[str, ...]  # in the order of the ISO week
    typography: tuple[str, ...]  # the names of typorules.RULES that apply
    transliteration: dict[str, str]  # letters a file name writes otherwise than unaccented
    labels: dict[str, str]  # the layout's words, by name

    @property
    def months(self) -> tuple[str, ...]:
        return tuple(self.labels["months"].split())


def primary(lang: str) -> str:
    """A language tag -> the code of its file: 'en-GB' -> 'en'."""
    return lang.lower().split("-")[0]


def codes(root: Path = ROOT) -> tuple[str, ...]:
    """The languages of the folder `root`, by code."""
    return tuple(sorted(path.stem for path in root.glob(f"*{SUFFIX}")))


def get(lang: str, root: Path = ROOT, where: Where | None = None) -> Language:
    """The language of a document's `lang` tag, from its file under `root`; a language with no
    file is an error at `where` (the `lang:` line)."""
    code = primary(lang)
    path = root / f"{code}{SUFFIX}"
    if not path.is_file():
        known = codes(root)
        if not known:
            raise BlocNotesError(root, None, "no language's file in this folder (restore it "
                                 "from the repository: languages/<code>.yaml)")
        raise BlocNotesError(*(where or (path, None)), f"no language '{lang}' in {root.name}/ "
                             f"(write one of {', '.join(known)}, or add {root.name}/{code}"
                             f"{SUFFIX}: copy {DEFAULT}{SUFFIX} and translate it)")
    return read(path)


def read(path: Path) -> Language:
    """A language's file -> Language, checked: every label of LABELS worded, and no other."""
    try:
        text = inputs.decode(inputs.read_bytes(path), path)
    except OSError as error:
        raise BlocNotesError(path, None, f"cannot read the language: {error.strerror}") from None
    return _language(path, text)


@cache
def _language(path: Path, text: str) -> Language:
    # once per version of the file in a process (watch mode, --jobs workers)
    try:
        data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        raise BlocNotesError(path, mark.line + 1 if mark else None,
                             f"YAML syntax error: {getattr(error, 'problem', error)}") from None
    if not isinstance(data, dict):
        raise BlocNotesError(path, 1, "a language is a group of 'field: value' lines "
                             f"(copy {DEFAULT}{SUFFIX})")
    lines = _lines(text)
    for key in data:
        if key not in FIELDS:
            raise BlocNotesError(path, lines.get(str(key)), f"unknown field '{key}' "
                                 f"({_hint(str(key), FIELDS)})")
    for key in FIELDS.keys() - data.keys() - OPTIONAL:
        raise BlocNotesError(path, 1, f"no '{key}' (add it, as {DEFAULT}{SUFFIX} has it)")
    value = {key: _checked(key, data.get(key), (path, lines.get(key))) for key in FIELDS}
    where = (path, lines.get("hyphenation"))
    if pyphen.language_fallback(value["hyphenation"]) is None:
        raise BlocNotesError(*where, f"no hyphenation dictionary '{value['hyphenation']}' "
                             f"({_hint(value['hyphenation'], pyphen.LANGUAGES)})")
    if len(value["quotes"]) != QUOTES:
        raise BlocNotesError(path, lines.get("quotes"), f"'quotes' has {len(value['quotes'])} "
                             "marks (write 6: outer opening and closing, inner, single)")
    for name in value["typography"]:
        if name not in typorules.NAMES:
            raise BlocNotesError(path, lines.get("typography"), f"no typographic rule "
                                 f"'{name}' ({_hint(name, typorules.NAMES)})")
    if any(len(letter) != 1 for letter in value["transliteration"]):
        raise BlocNotesError(path, lines.get("transliteration"), "'transliteration' gives "
                             "one letter at a time (ä: ae)")
    if len(value["days"]) != 7:
        raise BlocNotesError(path, lines.get("days"), "'days' names the 7 days of the week, "
                             "in the order of the ISO week")
    labels = value["labels"]
    for key in labels:
        if key not in LABELS:
            raise BlocNotesError(path, lines.get(key), f"unknown label '{key}' "
                                 f"({_hint(key, LABELS)})")
    missing = [key for key in LABELS if key not in labels]
    if missing:
        raise BlocNotesError(path, lines.get("labels"), f"the labels lack {', '.join(missing)} "
                             f"(add them, as {DEFAULT}{SUFFIX} words them)")
    if len(labels["months"].split()) != 12:
        raise BlocNotesError(path, lines.get("months"), "the label 'months' names the 12 "
                             "months in the year's order, separated by spaces")
    return Language(path.stem, path, value["name"], value["hyphenation"], tuple(value["quotes"]),
                    tuple(value["month-abbreviations"]), tuple(value["days"]),
                    tuple(value["typography"]), value["transliteration"], labels)


def _lines(text: str) -> dict[str, int]:
    """The 1-based line of each key of the file, a field's or a label's (a label's line wins
    where a field has the same name)."""
    found: dict[str, int] = {}
    for number, line in enumerate(text.split("\n"), start=1):
        key = line.split(":")[0].strip()
        if ":" in line and key and not key.startswith(("#", "-")) and " " not in key:
            found[key] = number
    return found


def _hint(key: str, known: Any) -> str:
    close = difflib.get_close_matches(key, list(known), n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else "known: " + ", ".join(sorted(known))


def _checked(key: str, value: Any, where: Where) -> Any:
    kind = FIELDS[key]
    if value is None and key in OPTIONAL:
        return {}
    if kind == "text" and isinstance(value, str) and value.strip():
        return value.strip()
    if kind == "words" and isinstance(value, str):
        return value.split()
    if kind == "list" and isinstance(value, list) and all(isinstance(v, str) for v in value):
        return [str(v) for v in value]
    if kind == "mapping" and isinstance(value, dict) and all(
            isinstance(v, str) for v in value.values()):
        return {str(k): v for k, v in value.items()}
    shapes = {"text": "a text", "words": "words separated by spaces",
              "list": "a list of texts in brackets, [a, b]",
              "mapping": "a group of 'name: text' lines (put a text between quotes)"}
    raise BlocNotesError(*where, f"'{key}' must be {shapes[kind]}")


def _ascii(word: str) -> str:
    plain = unicodedata.normalize("NFKD", word).encode("ascii", "ignore").decode()
    return plain.lower().rstrip(".")


def month_numbers(language: Language) -> dict[str, int]:
    """A language's words for a month, as `check` reads them in a date (lowercase, without
    accents or a full stop) -> its number: the full names, the abbreviations, and the first
    three letters of a name when no other month of the language starts with them."""
    months = [_ascii(month) for month in language.months]
    found = {month: number for number, month in enumerate(months, start=1)}
    for word in language.month_abbreviations:
        plain = _ascii(word)
        matching = [number for number, month in enumerate(months, start=1)
                    if month.startswith(plain)]
        if len(matching) == 1:
            found.setdefault(plain, matching[0])
    for number, month in enumerate(months, start=1):
        if sum(other.startswith(month[:3]) for other in months) == 1:
            found.setdefault(month[:3], number)
    return found


def all_month_numbers(root: Path = ROOT) -> dict[str, int]:
    """The months of every language of `root`, as `check` reads them (month_numbers)."""
    found: dict[str, int] = {}
    for code in codes(root):
        for word, number in month_numbers(get(code, root)).items():
            found.setdefault(word, number)
    return found


def hyphenation_override(language: Language, tag: str) -> str | None:
    """The dictionary to give WeasyPrint for a document in `tag`, when its language's file names
    another than the one WeasyPrint finds from the tag alone; None when they are one (or the
    tag names a region pyphen has its own dictionary for: de-CH)."""
    own = pyphen.language_fallback(tag.replace("-", "_"))
    if own is not None and own.lower() != primary(tag):
        return None
    wanted = pyphen.language_fallback(language.hyphenation)
    return None if wanted == own else language.hyphenation
