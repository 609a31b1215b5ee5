"""Load a source: read the file, parse front matter and body, validate -> Document."""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from functools import cache
from pathlib import Path

from . import budgets, frontmatter, inputs, labels, languages, lint, markup, style
from .errors import BlocNotesError, Diagnostic
from .model import Document

SLUG_RE = re.compile(r"[^a-z0-9]+")


def read_text(path: Path, limits: budgets.Limits = budgets.DEFAULT) -> str:
    """Read a UTF-8 source file (through inputs: in its own folder, its digest noted); a
    missing or unreadable file, or one over the `source_kb` budget (not read further than
    it), is a user error."""
    most = limits.source_kb * 1000
    data = inputs.read_input(path, most=most + 1)  # no further: enough to say where
    budgets.check_size(data, path, limits,
                       path.stat().st_size if len(data) > most else len(data))
    return inputs.decode(data, path)


# ß is ss in every language; the letters a language writes otherwise than by dropping their
# accent are its file's `transliteration` (German writes ü as ue: grenzueberschreitende).
SHARP_S = str.maketrans({"ß": "ss", "ẞ": "SS"})


def slugify(text: str, lang: str | None = None) -> str:
    """Text (in language `lang`, a tag) -> a file's base name: lowercase ASCII, digits and
    dashes."""
    if lang is not None:
        text = text.translate(str.maketrans(languages.get(lang).transliteration))
    text = text.translate(SHARP_S)
    ascii_name = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return SLUG_RE.sub("-", ascii_name.lower()).strip("-") or "bloc-notes"


def slug_for(path: Path) -> str:
    """File name -> output base name: lowercase ASCII, digits and dashes."""
    return slugify(path.stem)


def style_folder(front: frontmatter.FrontMatter, defaults: frontmatter.FrontMatter, path: Path,
                 defaults_path: Path | None, styles: Path) -> Path:
    """The folder of the style a document names (else its agency.yaml, else the default)
    under `styles`; a style that is not there is an error at the line naming it."""
    for matter, where_path in ((front, path), (defaults, defaults_path or path)):
        value = matter.values.get("style")
        if value is None:
            continue
        where = (where_path, matter.lines.get("style"))
        try:
            name = frontmatter.field_value("style", value, where)
        except BlocNotesError:
            break  # reported with the other fields by build_metadata
        if not (styles / name / style.STYLE_FILE).is_file():
            raise BlocNotesError(*where, f"unknown style '{name}' (known: "
                                 f"{', '.join(style.known(styles))}; a style is a folder of "
                                 f"{styles.name}/ holding a {style.STYLE_FILE})")
        return style.folder(styles, name)
    return style.folder(styles, None)


def agency_of(agency: Path | None) -> tuple[frontmatter.FrontMatter, budgets.Limits]:
    """The defaults of an agency.yaml (none: empty) and the budgets its `limits:` set."""
    if agency is None:
        return frontmatter.EMPTY, budgets.DEFAULT
    return _agency(read_text(agency), agency)


@cache
def _agency(text: str, agency: Path) -> tuple[frontmatter.FrontMatter, budgets.Limits]:
    # Parsed once per version of the file in a process: a build asks for its budgets before
    # it loads the source, and a series shares one agency.yaml.
    defaults = frontmatter.read_defaults(text, agency)
    return defaults, budgets.from_agency(defaults.values.get(budgets.KEY), agency,
                                         defaults.lines.get(budgets.KEY), text)


def limits_of(agency: Path | None) -> budgets.Limits:
    """The budgets of the sources an agency.yaml applies to (none: the defaults)."""
    return agency_of(agency)[1]


def style_of(path: Path, agency: Path | None, styles: Path = style.ROOT) -> Path:
    """The folder of the style a source chooses (see style_folder), from its front matter
    and its agency.yaml alone."""
    defaults, limits = agency_of(agency)
    yaml_text, _, _ = frontmatter.split_front_matter(read_text(path, limits), path)
    return style_folder(frontmatter.parse_yaml(yaml_text, path, 2, limits), defaults, path,
                        agency, styles)


def parse(
    text: str,
    path: Path,
    defaults: frontmatter.FrontMatter = frontmatter.EMPTY,
    defaults_path: Path | None = None,
    styles: Path = style.ROOT,
    limits: budgets.Limits = budgets.DEFAULT,
    languages_root: Path = languages.ROOT,
) -> Document:
    """Source text -> Document (see _parse)."""
    return _parse(text, path, defaults, defaults_path, styles, limits, languages_root)[0]


def _parse(text: str, path: Path, defaults: frontmatter.FrontMatter, defaults_path: Path | None,
           styles: Path, limits: budgets.Limits, languages_root: Path = languages.ROOT
           ) -> tuple[Document, style.Style]:
    """Source text -> Document in its language (its file under `languages_root`) and its
    Style (loaded once, here: the build carries it), its labels the language's under its
    style's table (the style chosen under the styles folder `styles`, its bases' first) and
    the `labels:` of the agency defaults, its tables sized by the style's geometry; within
    the `limits` (checked before each parser reads the text)."""
    budgets.check_size(text.encode("utf-8"), path, limits)
    yaml_text, body_text, body_line = frontmatter.split_front_matter(text, path)
    front = frontmatter.parse_yaml(yaml_text, path, 2, limits)
    house = style.read(style_folder(front, defaults, path, defaults_path, styles))
    agency_labels = defaults.values.get("labels"), defaults.lines.get("labels")
    defaults = frontmatter.FrontMatter(
        {key: value for key, value in defaults.values.items()
         if key not in ("labels", budgets.KEY)}, defaults.lines)
    meta = frontmatter.build_metadata(front, defaults, path, defaults_path)
    language = languages.get(meta.lang, languages_root, _lang_line(front, defaults, path,
                                                                   defaults_path))
    table = labels.read_chain(house.files.get(labels.TABLE_FILE)
                              or (house.folder / labels.TABLE_FILE,),  # (none: cannot read it)
                              languages.LABELS)
    changes = labels.overrides(agency_labels[0], defaults_path or path, agency_labels[1],
                               languages.LABELS)
    words = labels.words_for(language, table, changes)
    if "series" not in front.values and front.values.get("style") not in (
            None, defaults.values.get("style") or style.DEFAULT):
        # a document of another series than its agency's: the series its style names
        meta = dataclasses.replace(meta, series=words["series"])
    budgets.check_body(body_text, path, body_line, limits)
    body = markup.parse_body(body_text, body_line, labels.speakers(words), labels.sources(words),
                             (house.geometry.column_chars, house.geometry.wide_chars))
    abstract_line = front.lines.get("abstract")
    if meta.abstract:
        budgets.check_body(meta.abstract, path, abstract_line or 1, limits)
    abstract_html, abstract_links = (
        markup.parse_inline(meta.abstract, abstract_line) if meta.abstract else ("", ()))
    comment = body.unclosed_comment
    if comment is None and meta.abstract and markup.unclosed_comment(
            markup.parse_fragment(abstract_html), meta.abstract, 1) is not None:
        comment = abstract_line  # (the abstract's: a YAML value's lines are not the file's)
    if comment is not None:
        raise BlocNotesError(path, comment, "an HTML comment '<!--' is never closed, and would "
                             "print in the PDF and the EPUB (end it with '-->' in the same "
                             "paragraph, or remove it)")
    return Document(
        source=path,
        slug=slug_for(path),
        meta=meta,
        abstract_html=abstract_html,
        intro_html=body.intro_html,
        sections=body.sections,
        links=abstract_links + body.links,
        # the abstract's images are the document's too: checked, packaged, recorded
        images=markup.inline_images(abstract_html, front.lines.get("abstract")) + body.images,
        headings=body.headings,
        ids=body.ids,
        credits=body.credits,
        credits_photos=body.credits_photos,
        list_warnings=body.list_warnings,
        field_lines=dict(front.lines),
        text=text,
        labels=words,
        language=language,
        limits=limits,
    ), house


def _lang_line(front: frontmatter.FrontMatter, defaults: frontmatter.FrontMatter, path: Path,
               defaults_path: Path | None) -> tuple[Path, int | None]:
    """Where the document's language is given: its `lang:` line, else its agency.yaml's."""
    if "lang" in front.values or defaults_path is None or "lang" not in defaults.values:
        return path, front.lines.get("lang")
    return defaults_path, defaults.lines.get("lang")


def body_errors(path: Path, allow_remote: bool = False) -> list[Diagnostic]:
    """The errors of a source's text alone (its links and images), whatever its front matter:
    none when the text cannot be read at all."""
    try:
        _, body_text, body_line = frontmatter.split_front_matter(read_text(path), path)
        budgets.check_body(body_text, path, body_line)  # (the parsers recurse: over it, none)
        body = markup.parse_body(body_text, body_line)
    except BlocNotesError:
        return []
    return lint.body_errors(path, body.links, body.images, body.ids, allow_remote)


def agency_file_for(source: Path, fallback: Path | None) -> Path | None:
    """The agency.yaml that applies to `source`: beside it, else `fallback` if it exists."""
    beside = source.parent / "agency.yaml"
    if beside.is_file():
        return beside
    return fallback if fallback is not None and fallback.is_file() else None


def load(path: Path, agency: Path | None = None, styles: Path = style.ROOT,
         languages_root: Path = languages.ROOT) -> Document:
    """Read and parse one source file, merged over the agency defaults in `agency` and within
    its budgets, in the style it chooses under the styles folder `styles` and its language
    under `languages_root`."""
    return load_styled(path, agency, styles, languages_root)[0]


def load_styled(path: Path, agency: Path | None, styles: Path,
                languages_root: Path = languages.ROOT) -> tuple[Document, style.Style]:
    """load(), and the Style the document chose, loaded once for the build to carry."""
    defaults, limits = agency_of(agency)
    return _parse(read_text(path, limits), path, defaults, agency, styles, limits,
                  languages_root)
