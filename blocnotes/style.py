"""A style (a series' look): the folder styles/<name>/ a designer owns, chosen by `style:` in
agency.yaml or a document's front matter; its colours, page geometry and fonts in style.yaml."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
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

    def root_css(self, press: bool = False) -> str:
        """The colours (with `press`, the inks) as CSS custom properties, for the stylesheets
        that cascade them."""
        return ":root {\n" + "".join(f"  --{name}: {value};\n" for name, value
                                     in (self.inks if press else self.colours).items()) + "}\n"

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
    geometry = data["geometry"]
    return Style(colours, inks, Geometry(*(_number(geometry.get(key), path, key)
                                           for key in ("column", "wide"))),
                 _fonts(data.get("fonts"), path), _editions(data.get("editions"), path))


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
