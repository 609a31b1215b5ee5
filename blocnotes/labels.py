"""The fixed words of the layout ("Mots-clés", "Rédaction", "Ko"...), by language: the words
of the language (its file, languages/<code>.yaml, which a translator owns), under those the
table labels.yaml of a style's folder words otherwise (a designer's, key by key), under the
overrides of an agency.yaml."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from . import inputs, languages, style
from .errors import BlocNotesError
from .languages import Language

Labels = dict[str, str]
Table = dict[str, Labels]
DEFAULT_LANG = languages.DEFAULT
TABLE_FILE = "labels.yaml"  # under a style's folder


def _mapping(value: Any, path: Path, line: int | None, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise BlocNotesError(path, line, f"{what} must be a group of 'name: text' lines, one "
                             "language per group (e.g. 'en:' then '  abstract: At a glance')")
    return value


def _lines(text: str) -> dict[str, int]:
    """The 1-based line of each language key of a labels mapping at the top of `text`."""
    return {line.split(":")[0].strip(): number
            for number, line in enumerate(text.split("\n"), start=1)
            if line[:1].isalpha() and ":" in line}


def _words(language: str, value: Any, path: Path, line: int | None,
           known: Labels | None) -> Labels:
    words = {}
    for key, text in _mapping(value, path, line, f"the labels of '{language}'").items():
        if known is not None and key not in known:
            close = difflib.get_close_matches(str(key), known, n=1, cutoff=0.6)
            hint = f"did you mean '{close[0]}'?" if close else "known: " + ", ".join(known)
            raise BlocNotesError(path, line, f"unknown label '{key}' in '{language}' ({hint})")
        if not isinstance(text, str):
            raise BlocNotesError(path, line, f"label '{key}' of '{language}' must be text "
                                 "(put it between quotes)")
        words[str(key)] = text
    return words


@cache
def _parse(text: str) -> Any:
    # libyaml's safe parser when PyYAML has it (a tenth of the time), once per version of the
    # file in a process (watch mode, --jobs workers)
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def read_chain(paths: tuple[Path, ...], known: Iterable[str] | None = None) -> Table:
    """The labels.yaml of each folder of a style's chain (style.Style.files, the base's
    first) -> one table: each language's words the base's, a style's own over them label by
    label, each one of the `known` names (the languages' labels)."""
    table: Table = {}
    for path in paths:
        own = read_table(path, known)
        table = {lang: {**table.get(lang, {}), **own.get(lang, {})} for lang in {**table, **own}}
    return table


def read_table(path: Path, known: Iterable[str] | None = None) -> Table:
    """A style's labels.yaml -> {language: {label: words}}: the labels its series words its
    own way, each one of the `known` names (the languages' labels)."""
    try:
        text = inputs.decode(inputs.read_bytes(path), path)
        data = _parse(text)
    except OSError as error:
        raise BlocNotesError(path, None, f"cannot read the labels: {error.strerror}") from None
    except yaml.YAMLError as error:
        raise BlocNotesError(path, None, f"YAML syntax error: {error}") from None
    lines = _lines(text)
    names = None if known is None else dict.fromkeys(known, "")
    return {str(lang): _words(str(lang), words, path, lines.get(str(lang)), names)
            for lang, words in _mapping(data or {}, path, 1, "the labels").items()}


def overrides(value: Any, path: Path, line: int | None, known: Iterable[str]) -> Table:
    """An agency.yaml's `labels:` mapping -> {language: {label: words}}, checked against the
    `known` names (the languages' labels)."""
    if value is None:
        return {}
    names = dict.fromkeys(known, "")
    return {str(lang): _words(str(lang), words, path, line, names)
            for lang, words in _mapping(value, path, line, "'labels'").items()}


def words_for(language: Language, table: Table, changes: Table | None = None) -> Labels:
    """The words of the layout in `language`: the language's own, under the style's `table`
    for that language, under the agency's `changes` for it."""
    words = dict(language.labels)
    words.update(table.get(language.code, {}))
    words.update((changes or {}).get(language.code, {}))
    return words


def default_words() -> Labels:
    """The words of the repository's default style, in the default language: for a hand-out
    with no document."""
    language = languages.get(DEFAULT_LANG)
    return words_for(language, read_table(style.folder(style.ROOT, None) / TABLE_FILE,
                                          languages.LABELS))


def _listed(words: Labels, label: str) -> tuple[str, ...]:
    return tuple(word.strip() for word in words.get(label, "").split(",") if word.strip())


def speakers(words: Labels) -> tuple[str, ...]:
    """The words that open a speakers' line, from the comma-separated label."""
    return _listed(words, "speakers")


def sources(words: Labels) -> tuple[str, ...]:
    """The words that open a table's source line ('Source', 'Quelle'), from the label."""
    return _listed(words, "sources")
