"""The fixed words of the layout ("Mots-clés", "Rédaction", "Ko"...), by language: the table
labels.yaml of a style's folder, which a designer owns, with the overrides of an agency.yaml."""

from __future__ import annotations

import difflib
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from . import inputs, style
from .errors import BlocNotesError

Labels = dict[str, str]
Table = dict[str, Labels]
DEFAULT_LANG = "fr"  # the agency's language: the words of any language the table lacks
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


def read_chain(paths: tuple[Path, ...]) -> Table:
    """The labels.yaml of each folder of a style's chain (style.Style.files, the base's
    first) -> one table: each language's words the base's, a style's own over them label by
    label."""
    table = read_table(paths[0])
    for path in paths[1:]:
        table = read_table(path, table)
    return table


def read_table(path: Path, base: Table | None = None) -> Table:
    """A style's labels.yaml -> {language: {label: words}}; every language has every label of
    the default language's. Over a `base` table (the labels of the style it is based on), the
    file holds only the words it changes, each a label the base has."""
    try:
        text = inputs.decode(inputs.read_bytes(path), path)
        data = _parse(text)
    except OSError as error:
        raise BlocNotesError(path, None, f"cannot read the labels: {error.strerror}") from None
    except yaml.YAMLError as error:
        raise BlocNotesError(path, None, f"YAML syntax error: {error}") from None
    lines = _lines(text)
    known = base[DEFAULT_LANG] if base else None
    table = {str(lang): _words(str(lang), words, path, lines.get(str(lang)), known)
             for lang, words in _mapping(data or {}, path, 1, "the labels").items()}
    if base is not None:  # the base's words, these over them
        table = {lang: {**base.get(lang, {}), **table.get(lang, {})} for lang in {**base, **table}}
    if DEFAULT_LANG not in table:
        raise BlocNotesError(path, 1, f"no labels for '{DEFAULT_LANG}', the default language")
    reference = style.folder(path.parent.parent, None) / TABLE_FILE
    if base is None and path.resolve() != reference.resolve() and reference.is_file():
        # a style of its own (no base): every label the layout uses
        missing = sorted(set(read_table(reference)[DEFAULT_LANG]) - set(table[DEFAULT_LANG]))
        if missing:
            raise BlocNotesError(path, lines.get(DEFAULT_LANG), f"the labels of "
                                 f"'{DEFAULT_LANG}' lack {', '.join(missing)} (add them, as "
                                 f"{reference.parent.name}/{TABLE_FILE} words them)")
    for lang, words in table.items():
        missing = sorted(set(table[DEFAULT_LANG]) - set(words))
        if missing:
            raise BlocNotesError(path, lines.get(lang), f"the labels of '{lang}' lack "
                                 f"{', '.join(missing)} (add them)")
    return table


def overrides(value: Any, path: Path, line: int | None, table: Table) -> Table:
    """An agency.yaml's `labels:` mapping -> {language: {label: words}}, checked against the
    table's names."""
    if value is None:
        return {}
    known = table[DEFAULT_LANG]
    return {str(lang): _words(str(lang), words, path, line, known)
            for lang, words in _mapping(value, path, line, "'labels'").items()}


def labels_for(table: Table, lang: str, changes: Table | None = None) -> Labels:
    """The words of the layout for `lang` ('en-GB' reads 'en'), with `changes` applied."""
    base = lang.lower().split("-")[0]
    chosen = base if base in table else DEFAULT_LANG
    words = dict(table[chosen])
    changes = changes or {}
    # an agency may word a language the table lacks: its words over the default language's
    words.update(changes.get(base if base in changes else chosen, {}))
    return words


def default_words() -> Labels:
    """The words of the repository's default style, in the default language: for a hand-out
    with no document."""
    return labels_for(read_table(style.folder(style.ROOT, None) / TABLE_FILE), DEFAULT_LANG)


def _listed(words: Labels, label: str) -> tuple[str, ...]:
    return tuple(word.strip() for word in words.get(label, "").split(",") if word.strip())


def speakers(words: Labels) -> tuple[str, ...]:
    """The words that open a speakers' line, from the comma-separated label."""
    return _listed(words, "speakers")


def sources(words: Labels) -> tuple[str, ...]:
    """The words that open a table's source line ('Source', 'Quelle'), from the label."""
    return _listed(words, "sources")
