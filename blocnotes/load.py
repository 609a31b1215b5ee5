"""Load a source: read the file, parse front matter and body, validate -> Document."""

from __future__ import annotations

import dataclasses
import os
import re
import unicodedata
from pathlib import Path

from . import budgets, frontmatter, labels, markup, style
from .errors import BlocNotesError
from .model import Document

SLUG_RE = re.compile(r"[^a-z0-9]+")


def decode(data: bytes, path: Path) -> str:
    """Bytes of a text file -> str; UTF-8 (a BOM is fine), CRLF/CR become LF."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        byte = data[error.start : error.start + 1].hex()
        raise BlocNotesError(
            path, line, f"the file is not UTF-8 (byte 0x{byte} cannot be read; save it again "
            "with the encoding 'UTF-8')"
        ) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def read_text(path: Path, limits: budgets.Limits = budgets.DEFAULT) -> str:
    """Read a UTF-8 source file; a missing or unreadable file, or one over the `source_kb`
    budget (not read further than it), is a user error."""
    most = limits.source_kb * 1000
    try:
        with path.open("rb") as stream:
            data = stream.read(most + 1)  # no further: enough to say where it is too long
            size = os.fstat(stream.fileno()).st_size
    except FileNotFoundError:
        raise BlocNotesError(path, None, "no such file (check the path)") from None
    except IsADirectoryError:
        raise BlocNotesError(path, None, "is a folder, not a Markdown file") from None
    except OSError as error:
        raise BlocNotesError(path, None, f"cannot be read: {error.strerror}") from None
    budgets.check_size(data, path, limits, max(size, len(data)))
    return decode(data, path)


def slugify(text: str) -> str:
    """Text -> a file's base name: lowercase ASCII, digits and dashes."""
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
    text = read_text(agency)
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
) -> Document:
    """Source text -> Document, its labels from its style's table (the style chosen under
    the styles folder `styles`) and the `labels:` of the agency defaults; within the
    `limits` (checked before each parser reads the text)."""
    budgets.check_size(text.encode("utf-8"), path, limits)
    yaml_text, body_text, body_line = frontmatter.split_front_matter(text, path)
    front = frontmatter.parse_yaml(yaml_text, path, 2, limits)
    table = labels.read_table(style_folder(front, defaults, path, defaults_path, styles)
                              / labels.TABLE_FILE)
    changes = labels.overrides(defaults.values.get("labels"), defaults_path or path,
                               defaults.lines.get("labels"), table)
    defaults = frontmatter.FrontMatter(
        {key: value for key, value in defaults.values.items()
         if key not in ("labels", budgets.KEY)}, defaults.lines)
    meta = frontmatter.build_metadata(front, defaults, path, defaults_path)
    words = labels.labels_for(table, meta.lang, changes)
    if "series" not in front.values and front.values.get("style") not in (
            None, defaults.values.get("style") or style.DEFAULT):
        # a document of another series than its agency's: the series its style names
        meta = dataclasses.replace(meta, series=words["series"])
    budgets.check_body(body_text, path, body_line, limits)
    body = markup.parse_body(body_text, body_line, labels.speakers(words))
    abstract_line = front.lines.get("abstract")
    if meta.abstract:
        budgets.check_body(meta.abstract, path, abstract_line or 1, limits)
    abstract_html, abstract_links = (
        markup.parse_inline(meta.abstract, abstract_line) if meta.abstract else ("", ()))
    return Document(
        source=path,
        slug=slug_for(path),
        meta=meta,
        abstract_html=abstract_html,
        intro_html=body.intro_html,
        sections=body.sections,
        links=abstract_links + body.links,
        images=body.images,
        headings=body.headings,
        ids=body.ids,
        credits=body.credits,
        list_warnings=body.list_warnings,
        field_lines=dict(front.lines),
        text=text,
        labels=words,
        limits=limits,
    )


def agency_file_for(source: Path, fallback: Path | None) -> Path | None:
    """The agency.yaml that applies to `source`: beside it, else `fallback` if it exists."""
    beside = source.parent / "agency.yaml"
    if beside.is_file():
        return beside
    return fallback if fallback is not None and fallback.is_file() else None


def load(path: Path, agency: Path | None = None, styles: Path = style.ROOT) -> Document:
    """Read and parse one source file, merged over the agency defaults in `agency` and within
    its budgets, in the style it chooses under the styles folder `styles`."""
    defaults, limits = agency_of(agency)
    return parse(read_text(path, limits), path, defaults, agency, styles, limits)
