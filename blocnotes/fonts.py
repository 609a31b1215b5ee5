"""The house fonts: files from pip font packages, and their @font-face rules."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import font_source_sans_pro
import font_source_serif_pro

SANS = "BN Sans"  # family names of our own, so no system font can answer to them
SERIF = "BN Serif"


@dataclass(frozen=True)
class Face:
    """One font file of a house family, with the CSS weight and style it serves."""

    family: str
    weight: int
    style: str
    path: Path


_FILES = (
    (SANS, font_source_sans_pro.font_directory, "SourceSansPro", (
        (400, "normal", "Regular"), (400, "italic", "It"), (600, "normal", "Semibold"),
        (600, "italic", "SemiboldIt"), (700, "normal", "Bold"), (700, "italic", "BoldIt"),
    )),
    (SERIF, font_source_serif_pro.font_directory, "SourceSerifPro", (
        (400, "normal", "Regular"), (400, "italic", "It"), (600, "normal", "Semibold"),
        (700, "normal", "Bold"),
    )),
)


@cache
def house_faces() -> tuple[Face, ...]:
    """Every face the house style uses, from the installed font packages."""
    return tuple(
        Face(family, weight, style, Path(directory) / f"{stem}-{name}.ttf")
        for family, directory, stem, variants in _FILES
        for weight, style, name in variants
    )


def font_dirs() -> tuple[Path, ...]:
    """Folders the renderer may read fonts from."""
    return tuple(sorted({face.path.parent.resolve() for face in house_faces()}))


def font_face_css(faces: tuple[Face, ...], url_for: Callable[[Face], str]) -> str:
    """@font-face rules for `faces`, each pointing at `url_for(face)`."""
    rules = [
        f'@font-face {{ font-family: "{face.family}"; font-weight: {face.weight}; '
        f'font-style: {face.style}; src: url("{url_for(face)}"); }}'
        for face in faces
    ]
    return "\n".join(rules) + "\n"
