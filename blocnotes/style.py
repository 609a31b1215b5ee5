"""A style (a series' look): the folder styles/<name>/ a designer owns, chosen by `style:` in
agency.yaml or a document's front matter; its colours, page geometry and fonts in style.yaml."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from . import inputs
from .errors import BlocNotesError

STYLE_FILE = "style.yaml"
TEXT_ROLES = ("sans", "serif")  # the fonts of the text, which the reflowable editions carry
ROLES = (*TEXT_ROLES, "mono", "fallback", "emoji")  # every font a style declares  # under a style's folder
ROOT = Path(__file__).resolve().parent.parent / "styles"  # the repository's styles, one folder each
DEFAULT = "bloc-notes"  # the style of a document and an agency that name none
_VAR_RE = re.compile(r"var\(--([a-z][a-z0-9-]*)\)")
_FILE_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_./\[\], -]*$")


@dataclass(frozen=True)
class Geometry:
    """Where a figure prints, in millimetres: one text column, or both (.wide)."""

    column: float
    wide: float


@dataclass(frozen=True)
class Font:
    """A font of the style, for one role (sans, serif, mono, fallback, emoji): the family
    name the stylesheets use, its own name, its pip package and its (weight, style, file)."""

    family: str
    name: str
    package: str
    faces: tuple[tuple[int, str, str], ...]


@dataclass(frozen=True)
class Style:
    """A style's colours (name -> CSS colour), the print shop's inks that replace some of
    them (name -> device-cmyk()), its geometry, its fonts by role and the text faces each
    reflowable edition carries (edition -> (role, weight, style))."""

    colours: Mapping[str, str]
    inks: Mapping[str, str]
    geometry: Geometry
    fonts: Mapping[str, Font]
    editions: Mapping[str, tuple[tuple[str, int, str], ...]]
    dark: Mapping[str, str] = field(default_factory=dict)  # colours on a dark screen (web)

    def root_css(self, press: bool = False) -> str:
        """The colours (with `press`, the inks) as CSS custom properties, for the stylesheets
        that cascade them."""
        return ":root {\n" + "".join(f"  --{name}: {value};\n" for name, value
                                     in (self.inks if press else self.colours).items()) + "}\n"

    def dark_css(self) -> str:
        """The colours of a dark screen (`dark:` of style.yaml), over root_css's, for the web
        pages: on a screen whose reader asks for dark (prefers-color-scheme), never in print."""
        if not self.dark:
            return ""
        return ("@media screen and (prefers-color-scheme: dark) {\n:root {\n"
                + "".join(f"  --{name}: {value};\n" for name, value in self.dark.items())
                + "}\n}\n")

    def resolve(self, css: str, path: Path, press: bool = False) -> str:
        """`css` with each var(--colour) written out (with `press`, the inks): for e-readers
        and browsers without custom properties, and for rules that no :root reaches (@page)."""
        colours = {**self.colours, **self.inks} if press else self.colours

        def value(match: re.Match[str]) -> str:
            name = match.group(1)
            if name not in colours:
                raise BlocNotesError(path, css.count("\n", 0, match.start()) + 1,
                                     f"unknown colour '--{name}' (known: "
                                     f"{', '.join(colours)}; add it to {STYLE_FILE})")
            return colours[name]
        return _VAR_RE.sub(value, css)


def _number(value: Any, path: Path, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise BlocNotesError(path, None, f"geometry '{what}' must be a number of millimetres "
                             "(e.g. 83.5)")
    return float(value)


@cache
def _read(path: Path, text: str) -> Style:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        raise BlocNotesError(path, mark.line + 1 if mark else None,
                             "not valid YAML (check the indentation)") from None
    if not isinstance(data, dict) or not all(isinstance(data.get(group), dict)
                                             for group in ("colours", "inks", "geometry")):
        raise BlocNotesError(path, None, "a style needs 'colours:', 'inks:' and 'geometry:' "
                             "groups (see styles/bloc-notes/style.yaml)")
    colours, inks = ({str(name): str(value) for name, value in data[group].items()}
                     for group in ("colours", "inks"))
    _check_colours(colours, inks, path, text)
    dark = _dark(data.get("dark"), colours, path, text)
    geometry = Geometry(*(_number(data["geometry"].get(key), path, key)
                          for key in ("column", "wide")))
    fonts = _fonts(data.get("fonts"), path)
    _check_fonts(fonts, path, text)
    return Style(colours, inks, geometry, fonts, _editions(data.get("editions"), path), dark)


def _dark(value: Any, colours: Mapping[str, str], path: Path, text: str) -> dict[str, str]:
    """The optional `dark:` group: colours of the `colours:` group for a dark screen, each one
    CSS colour."""
    from . import css  # tinycss2: imported once a stylesheet is read, not at start
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise BlocNotesError(path, _line(text, "dark", "dark"), "'dark:' must be a group of "
                             "'name: colour' lines (the names of 'colours:')")
    dark = {str(name): str(colour) for name, colour in value.items()}
    for name, colour in dark.items():
        if name not in colours:
            raise BlocNotesError(path, _line(text, "dark", name), f"dark colour '{name}' is not "
                                 f"one of 'colours:' ({', '.join(colours)})")
        if not css.is_colour(colour):
            raise BlocNotesError(path, _line(text, "dark", name), f"'{name}: {colour[:60]}' is "
                                 "not one CSS colour (write one, as the style's others are written)")
    return dark


def _line(text: str, group: str, key: str) -> int | None:
    """The line of `key:` (or of the value `key`) under the top-level `group:` of style.yaml's
    text, for a message."""
    lines = text.split("\n")
    start = next((index for index, row in enumerate(lines) if row.startswith(f"{group}:")), None)
    if start is None:
        return None
    for index in range(start + 1, len(lines)):
        row = lines[index]
        if row and not row[0].isspace() and not row.startswith("#"):
            break  # the next group
        if re.match(rf"\s+['\"]?{re.escape(key)}['\"]?\s*:", row) or key in row:
            return index + 1
    return start + 1


def _check_colours(colours: dict[str, str], inks: dict[str, str], path: Path, text: str
                   ) -> None:
    """Each colour a CSS colour and each ink a device-cmyk() (or a colour), each name one
    var(--name) can write, read by tinycss2: a value that closes the rule and adds its own
    url(...) is refused at its line."""
    from . import css  # tinycss2: imported once a stylesheet is read, not at start
    for group, values, valid, kind in (("colours", colours, css.is_colour, "CSS colour"),
                                       ("inks", inks, css.is_ink, "CMYK ink")):
        for name, value in values.items():
            if not css.is_name(name):
                raise BlocNotesError(path, _line(text, group, name), f"the colour name '{name}' "
                                     "is not a name CSS can use: write lower-case letters, "
                                     "digits and hyphens (e.g. accent-light)")
            if not valid(value):
                raise BlocNotesError(path, _line(text, group, name), f"'{name}: {value[:60]}' "
                                     f"is not one {kind} (write one, as the style's others are written)")


def _check_fonts(fonts: dict[str, Font], path: Path, text: str) -> None:
    """Each font's family a name that goes between quotes as it is, its styles CSS's, its
    files plain paths: they are written into @font-face rules."""
    from . import css  # tinycss2: imported once a stylesheet is read, not at start
    for role, font in fonts.items():
        if not css.is_family(font.family):
            raise BlocNotesError(path, _line(text, "fonts", font.family), f"font '{role}': the "
                                 f"family '{font.family[:60]}' is not a plain name (write "
                                 "letters, digits, spaces and hyphens)")
        for _, slant, file in font.faces:
            if slant not in ("normal", "italic", "oblique"):
                raise BlocNotesError(path, _line(text, "fonts", slant), f"font '{role}': the "
                                     f"style '{slant[:40]}' is not normal, italic or oblique")
            if not _FILE_RE.match(file) or ".." in file:
                raise BlocNotesError(path, _line(text, "fonts", file), f"font '{role}': the "
                                     f"file '{file[:60]}' is not a plain path inside its "
                                     "package (letters, digits, '/', '.', '-', '_', '[', ']', "
                                     "',')")


def _editions(value: Any, path: Path) -> dict[str, tuple[tuple[str, int, str], ...]]:
    try:
        editions = {edition: tuple((str(role), int(weight), str(slant))
                                   for role, weight, slant in value[edition])
                    for edition in ("epub", "web")}
    except (KeyError, TypeError, ValueError):
        raise BlocNotesError(path, None, "a style needs an 'editions:' group: the faces of 'epub' "
                             "and 'web', each [role, weight, style]") from None
    for edition, faces in editions.items():
        for role, _, _ in faces:
            if role not in TEXT_ROLES:
                raise BlocNotesError(path, None, f"the {edition} edition's face '{role}' is not a "
                                     f"text font: write one of {', '.join(TEXT_ROLES)}")
    return editions


def _fonts(value: Any, path: Path) -> dict[str, Font]:
    if not isinstance(value, dict):
        raise BlocNotesError(path, None, "a style needs a 'fonts:' group "
                             "(see styles/bloc-notes/style.yaml)")
    fonts = {}
    for role, font in value.items():
        try:
            fonts[str(role)] = Font(str(font["family"]), str(font["name"]), str(font["package"]),
                                    tuple((int(weight), str(style), str(file))
                                          for weight, style, file in font["faces"]))
        except (KeyError, TypeError, ValueError):
            raise BlocNotesError(path, None, f"font '{role}' needs a family, a name, a package "
                                 "and faces, each [weight, style, file]") from None
    missing = [role for role in ROLES if role not in fonts]
    if missing:
        raise BlocNotesError(path, None, f"the 'fonts:' group has no {', '.join(missing)} "
                             f"(a style declares {', '.join(ROLES)})")
    return fonts


def known(root: Path) -> list[str]:
    """The styles under `root`: its folders that hold a style.yaml."""
    try:
        return sorted(path.parent.name for path in root.glob(f"*/{STYLE_FILE}"))
    except OSError:
        return []


def folder(root: Path, name: str | None) -> Path:
    """The folder of the style `name` (None: the default) under the styles folder `root`."""
    return root / (name or DEFAULT)


def read(styles: Path) -> Style:
    """A style's folder -> its Style (its style.yaml)."""
    path = styles / STYLE_FILE
    try:  # (read once per version of the file: _read is cached by its text)
        text = inputs.decode(inputs.read_bytes(path), path)
    except OSError as error:
        raise BlocNotesError(path, None, f"cannot read the style: {error.strerror}") from None
    return _read(path, text)
