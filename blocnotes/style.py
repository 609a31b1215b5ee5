"""The house style's colours and page geometry: styles/style.yaml, which a designer owns."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from .errors import BlocNotesError

STYLE_FILE = "style.yaml"  # under the styles folder
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
    them (name -> device-cmyk()), and its geometry."""

    colours: Mapping[str, str]
    inks: Mapping[str, str]
    geometry: Geometry
    fonts: Mapping[str, Font]

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
                             "groups (see styles/style.yaml)")
    colours, inks = ({str(name): str(value) for name, value in data[group].items()}
                     for group in ("colours", "inks"))
    geometry = data["geometry"]
    return Style(colours, inks, Geometry(*(_number(geometry.get(key), path, key)
                                           for key in ("column", "wide"))),
                 _fonts(data.get("fonts"), path))


def _fonts(value: Any, path: Path) -> dict[str, Font]:
    if not isinstance(value, dict):
        raise BlocNotesError(path, None, "a style needs a 'fonts:' group (see styles/style.yaml)")
    fonts = {}
    for role, font in value.items():
        try:
            fonts[str(role)] = Font(str(font["family"]), str(font["name"]), str(font["package"]),
                                    tuple((int(weight), str(style), str(file))
                                          for weight, style, file in font["faces"]))
        except (KeyError, TypeError, ValueError):
            raise BlocNotesError(path, None, f"font '{role}' needs a family, a name, a package "
                                 "and faces, each [weight, style, file]") from None
    return fonts


def read(styles: Path) -> Style:
    """The styles folder -> its Style (styles/style.yaml)."""
    path = styles / STYLE_FILE
    try:  # (read once per version of the file: _read is cached by its text)
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise BlocNotesError(path, None, f"cannot read the style: {error.strerror}") from None
    return _read(path, text)
