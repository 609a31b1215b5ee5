"""A style (a series' look): the folder styles/<name>/ a designer owns, chosen by `style:` in
agency.yaml or a document's front matter; its colours, page geometry and fonts in style.yaml."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
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
_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")  # a folder beside the style's
BASE = "base"  # style.yaml's key naming the style it inherits from
_FILE_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_./\[\], -]*$")


@dataclass(frozen=True)
class Geometry:
    """Where a figure prints, in millimetres: one text column, or both (.wide); and how
    many characters of a table's text, at the table's size, fit in each (constructs.py sets
    a table wider than the column's across the wide measure)."""

    column: float
    wide: float
    column_chars: int
    wide_chars: int


@dataclass(frozen=True)
class Cover:
    """How the EPUB's cover image (cover.py) draws page 1: the accent band across the top or
    down the left edge, its height or width in pixels, and the font role of the series' name
    and the title."""

    band: str
    band_size: int
    headings: str


@dataclass(frozen=True)
class Font:
    """A font of the style, for one role (sans, serif, mono, fallback, emoji): the family
    name the stylesheets use, its own name, its pip package and its (weight, style, file)."""

    family: str
    name: str
    package: str
    faces: tuple[tuple[int, str, str], ...]
    declared: Path | None = field(default=None, compare=False)  # the style.yaml that says so


@dataclass(frozen=True)
class Style:
    """A style, loaded once with its bases: the chain of its folders (the first base first,
    its own folder last), the values of their style.yaml merged key by key (a style's own over
    its base's), and its stylesheets by name, each the files of the chain in cascade order.

    The colours (name -> CSS colour), the print shop's inks that replace some of them (name ->
    device-cmyk()), its geometry, its fonts by role and the text faces each reflowable edition
    carries (edition -> (role, weight, style))."""

    folders: tuple[Path, ...]
    colours: Mapping[str, str]
    inks: Mapping[str, str]
    geometry: Geometry
    fonts: Mapping[str, Font]
    editions: Mapping[str, tuple[tuple[str, int, str], ...]]
    cover: Cover
    files: Mapping[str, tuple[Path, ...]] = field(default_factory=dict)  # name -> the chain's
    dark: Mapping[str, str] = field(default_factory=dict)  # colours on a dark screen (web)

    @property
    def folder(self) -> Path:
        """The style's own folder (the one a document names)."""
        return self.folders[-1]

    @property
    def name(self) -> str:
        return self.folder.name

    def sheets(self, name: str) -> tuple[Path, ...]:
        """The files of the stylesheet `name` (print.css...) in cascade order, the base's
        first; none in the style nor its bases is an error at its own folder."""
        found = self.files.get(name, ())
        if not found:
            raise BlocNotesError(self.folder / name, None, "cannot read the stylesheet: the "
                                 "style and its bases have no such file")
        return found

    def shipped_css(self, names: tuple[str, ...]) -> str:
        """The stylesheets `names` for a reader's program (the EPUB, the web page): each file
        of the chain, the base's first, checked, with the colours written out."""
        return "".join(self.resolve(read_stylesheet(path, shipped=True), path)
                       for name in names for path in self.sheets(name))

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


def _number(value: Any, where: tuple[Path, int | None], what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        unit = "of characters, e.g. 48" if what.endswith("chars") else "of millimetres, e.g. 83.5"
        raise BlocNotesError(*where, f"geometry '{what}' must be a number {unit}")
    return float(value)


@cache
def _parse(path: Path, text: str) -> dict[str, Any]:
    """One style.yaml's text -> its mapping (read once per version of the file)."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        raise BlocNotesError(path, mark.line + 1 if mark else None,
                             "not valid YAML (check the indentation)") from None
    if not isinstance(data, dict):
        raise BlocNotesError(path, None, "a style is a group of 'name:' lines (see "
                             "styles/bloc-notes/style.yaml)")
    return data


# what a style may override (dark: the web pages' colours on a dark screen, optional)
GROUPS = ("colours", "inks", "geometry", "fonts", "editions", "cover", "dark")
BANDS = ("top", "left")  # where the cover's band runs


@cache
def _merged(layers: tuple[tuple[Path, str], ...]) -> Style:
    """The style.yaml of each folder of a chain (path, text; the first base first) -> the
    Style of the last, each value its own unless it leaves it to its base (a font's keys,
    one by one); each error at the file and line that set the value."""
    values: dict[str, dict[str, Any]] = {group: {} for group in GROUPS}
    origin: dict[tuple[str, str], tuple[Path, str]] = {}  # (group, key) -> the layer that set it
    for path, text in layers:
        data = _parse(path, text)
        for group in GROUPS:
            given = data.get(group)
            if given is None:
                continue
            origin[(group, "")] = (path, text)
            if not isinstance(given, dict):
                raise BlocNotesError(path, _line(text, group, ""), f"'{group}:' must be a group "
                                     "of 'name: value' lines (see styles/bloc-notes/style.yaml)")
            for key, value in given.items():
                old = values[group].get(str(key))
                values[group][str(key)] = ({**old, **value} if group == "fonts" and
                                           isinstance(old, dict) and isinstance(value, dict)
                                           else value)
                origin[(group, str(key))] = (path, text)
    own = layers[-1][0]

    def where(group: str, key: str, find: str | None = None) -> tuple[Path, int | None]:
        path, text = origin.get((group, key), layers[-1])
        return path, _line(text, group, find or key)

    if not all((group, "") in origin for group in ("colours", "inks", "geometry")):
        raise BlocNotesError(own, None, "a style needs 'colours:', 'inks:' and 'geometry:' "
                             "groups, its own or its base's (see styles/bloc-notes/style.yaml)")
    colours, inks = ({name: str(value) for name, value in values[group].items()}
                     for group in ("colours", "inks"))
    _check_colours(colours, inks, where)
    column, wide, column_chars, wide_chars = (
        _number(values["geometry"].get(key), where("geometry", key), key)
        for key in ("column", "wide", "column-chars", "wide-chars"))
    geometry = Geometry(column, wide, round(column_chars), round(wide_chars))
    fonts = _fonts(values["fonts"], own, where)
    _check_fonts(fonts, where)
    dark = _dark(values["dark"], colours, where)
    return Style(tuple(path.parent for path, _ in layers), colours, inks, geometry, fonts,
                 _editions(values["editions"], own, where), _cover(values["cover"], where),
                 dark=dark)


def _dark(value: dict[str, Any], colours: Mapping[str, str], where: Where) -> dict[str, str]:
    """The optional `dark:` group (a base's, its own over it key by key): colours of the
    `colours:` group for a dark screen, each one CSS colour."""
    from . import css  # tinycss2: imported once a stylesheet is read, not at start
    dark = {str(name): str(colour) for name, colour in value.items()}
    for name, colour in dark.items():
        if name not in colours:
            raise BlocNotesError(*where("dark", name), f"dark colour '{name}' is not one of "
                                 f"'colours:' ({', '.join(colours)})")
        if not css.is_colour(colour):
            raise BlocNotesError(*where("dark", name), f"'{name}: {colour[:60]}' is not one "
                                 "CSS colour (write one, as the style's others are written)")
    return dark


def _cover(value: dict[str, Any], where: Where) -> Cover:
    band, size, headings = (value.get(key) for key in ("band", "band-size", "headings"))
    if band not in BANDS:
        raise BlocNotesError(*where("cover", "band"), f"the cover's band must be one of "
                             f"{', '.join(BANDS)} (write e.g. 'band: top')")
    if headings not in TEXT_ROLES:
        raise BlocNotesError(*where("cover", "headings"), "the cover's headings must be one of "
                             f"{', '.join(TEXT_ROLES)} (the font of the series' name and title)")
    if isinstance(size, bool) or not isinstance(size, int) or not 0 < size < 1000:
        raise BlocNotesError(*where("cover", "band-size"), "the cover's band-size must be a "
                             "whole number of pixels, under 1000 (e.g. 330)")
    return Cover(band, size, headings)


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


Where = Callable[..., tuple[Path, int | None]]  # (group, key[, the text to find]) -> file, line


def _check_colours(colours: dict[str, str], inks: dict[str, str], where: Where) -> None:
    """Each colour a CSS colour and each ink a device-cmyk() (or a colour), each name one
    var(--name) can write, read by tinycss2: a value that closes the rule and adds its own
    url(...) is refused at its line."""
    from . import css  # tinycss2: imported once a stylesheet is read, not at start
    for group, values, valid, kind in (("colours", colours, css.is_colour, "CSS colour"),
                                       ("inks", inks, css.is_ink, "CMYK ink")):
        for name, value in values.items():
            if not css.is_name(name):
                raise BlocNotesError(*where(group, name), f"the colour name '{name}' "
                                     "is not a name CSS can use: write lower-case letters, "
                                     "digits and hyphens (e.g. accent-light)")
            if not valid(value):
                raise BlocNotesError(*where(group, name), f"'{name}: {value[:60]}' "
                                     f"is not one {kind} (write one, as the style's others are written)")


def _check_fonts(fonts: dict[str, Font], where: Where) -> None:
    """Each font's family a name that goes between quotes as it is, its styles CSS's, its
    files plain paths: they are written into @font-face rules."""
    from . import css  # tinycss2: imported once a stylesheet is read, not at start
    for role, font in fonts.items():
        if not css.is_family(font.family):
            raise BlocNotesError(*where("fonts", role, font.family), f"font '{role}': the "
                                 f"family '{font.family[:60]}' is not a plain name (write "
                                 "letters, digits, spaces and hyphens)")
        for _, slant, file in font.faces:
            if slant not in ("normal", "italic", "oblique"):
                raise BlocNotesError(*where("fonts", role, slant), f"font '{role}': the "
                                     f"style '{slant[:40]}' is not normal, italic or oblique")
            if not _FILE_RE.match(file) or ".." in file:
                raise BlocNotesError(*where("fonts", role, file), f"font '{role}': the "
                                     f"file '{file[:60]}' is not a plain path inside its "
                                     "package (letters, digits, '/', '.', '-', '_', '[', ']', "
                                     "',')")


def _editions(value: dict[str, Any], own: Path, where: Where
              ) -> dict[str, tuple[tuple[str, int, str], ...]]:
    editions = {}
    for edition in ("epub", "web"):
        try:
            editions[edition] = tuple((str(role), int(weight), str(slant))
                                      for role, weight, slant in value[edition])
        except KeyError:
            raise BlocNotesError(own, None, "a style needs an 'editions:' group, its own or its "
                                 "base's: the faces of 'epub' and 'web', each [role, weight, "
                                 "style]") from None
        except (TypeError, ValueError):
            raise BlocNotesError(*where("editions", edition), f"the {edition} edition's faces "
                                 "must each be [role, weight, style]") from None
        for role, _, _ in editions[edition]:
            if role not in TEXT_ROLES:
                raise BlocNotesError(*where("editions", edition, role), f"the {edition} "
                                     f"edition's face '{role}' is not a text font: write one of "
                                     f"{', '.join(TEXT_ROLES)}")
    return editions


def _fonts(value: dict[str, Any], own: Path, where: Where) -> dict[str, Font]:
    fonts = {}
    for role, font in value.items():
        try:
            fonts[role] = Font(str(font["family"]), str(font["name"]), str(font["package"]),
                               tuple((int(weight), str(style), str(file))
                                     for weight, style, file in font["faces"]),
                               where("fonts", role)[0])
        except (KeyError, TypeError, ValueError):
            raise BlocNotesError(*where("fonts", role), f"font '{role}' needs a family, a name, "
                                 "a package and faces, each [weight, style, file]") from None
    missing = [role for role in ROLES if role not in fonts]
    if missing:
        raise BlocNotesError(*where("fonts", "fonts:"), f"the 'fonts:' group has no {', '.join(missing)} "
                             f"(a style declares {', '.join(ROLES)}, or leaves them to its base)")
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


def _text(path: Path) -> str:
    try:
        return inputs.decode(inputs.read_bytes(path), path)
    except OSError as error:
        raise BlocNotesError(path, None, f"cannot read the style: {error.strerror}") from None


def _base_line(text: str) -> int | None:
    return next((number for number, row in enumerate(text.split("\n"), start=1)
                 if row.startswith(f"{BASE}:")), None)


def chain(styles: Path) -> list[tuple[Path, str]]:
    """A style's folder -> the style.yaml of each folder of its chain (path, text): its bases
    first (`base:`, a folder beside it), its own last. An unknown base, or one that leads
    back to a style of the chain, is an error at the line naming it."""
    layers: list[tuple[Path, str]] = []
    current = styles
    while True:
        path = current / STYLE_FILE
        text = _text(path)
        layers.insert(0, (path, text))
        base = _parse(path, text).get(BASE)
        if base is None:
            return layers
        where = (path, _base_line(text))
        if not isinstance(base, str) or not _NAME_RE.match(base):
            raise BlocNotesError(*where, f"'{BASE}' must name a style, a folder beside this one "
                                 "(e.g. 'base: bloc-notes')")
        current = current.parent / base
        names = [layer.parent.name for layer, _ in reversed(layers)]
        if base in names:
            raise BlocNotesError(*where, f"'{BASE}: {base}' makes a cycle "
                                 f"({' -> '.join([*names, base])}): a style cannot be its own "
                                 "base (name a style that names none of these)")
        if not (current / STYLE_FILE).is_file():
            raise BlocNotesError(*where, f"unknown base '{base}' (known: "
                                 f"{', '.join(known(styles.parent))}; a style is a folder "
                                 f"beside this one holding a {STYLE_FILE})")


def read(styles: Path) -> Style:
    """A style's folder -> its Style: its style.yaml over its bases', each of their files
    by name (the base's first), every value checked."""
    layers = tuple(chain(styles))
    house = _merged(layers)
    files: dict[str, list[Path]] = {}
    for folder_ in house.folders:
        try:
            names = sorted(entry.name for entry in folder_.iterdir() if entry.is_file())
        except OSError:
            names = []
        for name in names:
            files.setdefault(name, []).append(folder_ / name)
    return replace(house, files={name: tuple(paths) for name, paths in files.items()})


def read_stylesheet(path: Path, shipped: bool = False) -> str:
    """A stylesheet of a style, checked (css.check_stylesheet; `shipped`: it goes in the
    EPUB or the web page as it is)."""
    from . import css  # tinycss2: imported once a stylesheet is read, not at start
    try:
        text = inputs.decode(inputs.read_bytes(path), path)
    except OSError as error:
        raise BlocNotesError(path, None, f"cannot read the stylesheet: {error.strerror}") from None
    css.check_stylesheet(text, path, shipped)
    return text
