"""The house fonts: files from pip font packages (declared in styles/style.yaml), and their
@font-face rules."""

from __future__ import annotations

import importlib
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from . import style

# The fonts of the repository's style, by role (sans, serif, mono, fallback, emoji).
FONTS = style.read(Path(__file__).resolve().parent.parent / "styles").fonts
SANS, SERIF, MONO, FALLBACK, EMOJI = (FONTS[role].family
                                      for role in ("sans", "serif", "mono", "fallback", "emoji"))


@dataclass(frozen=True)
class Face:
    """One font file of a house family, with the CSS weight and style it serves."""

    family: str
    weight: int
    style: str
    path: Path


def _faces(role: str) -> tuple[Face, ...]:
    """The faces of one role's font, where its pip package installed them."""
    font = FONTS[role]
    folder = Path(importlib.import_module(font.package).__file__ or "").parent
    return tuple(Face(font.family, weight, slant, folder / file)
                 for weight, slant, file in font.faces)


@cache
def house_faces() -> tuple[Face, ...]:
    """Every face the house style uses, from the installed font packages."""
    return _faces("sans") + _faces("serif")


@cache
def mono_faces() -> tuple[Face, ...]:
    """The monospace face of code."""
    return _faces("mono")


@cache
def fallback_faces() -> tuple[Face, ...]:
    """The declared fallback fonts' faces: the fallback, then the emoji font (last)."""
    return _faces("fallback") + _faces("emoji")


def fallback_names() -> str:
    """The fallback fonts' own names, for messages."""
    return f"{FONTS['fallback'].name}, {FONTS['emoji'].name}"


@cache
def _cmap(path: Path) -> frozenset[int]:
    import uharfbuzz as hb  # a fraction of fontTools' start-up time

    return frozenset(hb.Face(hb.Blob.from_file_path(str(path))).unicodes)


def house_covers(char: str) -> bool:
    """Whether the house text face (the sans's first face) has a glyph for `char`."""
    return ord(char) in _cmap(house_faces()[0].path)


def fallback_covers(char: str) -> bool:
    """Whether a declared fallback font has a glyph for `char`."""
    return any(ord(char) in _cmap(face.path) for face in fallback_faces() if face.style == "normal")


def all_faces() -> tuple[Face, ...]:
    """House faces, the code face, then the fallback's."""
    return house_faces() + mono_faces() + fallback_faces()


def uncovered(text: str) -> list[str]:
    """The visible characters of `text` that the house fonts lack, sorted."""
    return sorted(char for char in set(text)
                  if not char.isspace() and unicodedata.category(char) not in ("Cc", "Cf")
                  and not house_covers(char))


def faces_for(text: str) -> tuple[Face, ...]:
    """The faces `text` (an HTML rendition) needs: the house faces; the code face when it
    holds code; the fallbacks only when a character of `text` is not in the house fonts, the
    emoji font only for an emoji (declaring a font costs WeasyPrint a tenth of a second)."""
    code = mono_faces() if "<code" in text else ()
    missing = uncovered(text)
    if not missing:
        return house_faces() + code
    emoji = fallback_faces()[-1]
    needed = fallback_faces() if any(ord(c) in _cmap(emoji.path) for c in missing) \
        else fallback_faces()[:-1]
    return house_faces() + code + needed


def font_dirs() -> tuple[Path, ...]:
    """Folders the renderer may read fonts from."""
    return tuple(sorted({face.path.parent.resolve() for face in all_faces()}))


def fontconfig_text() -> str:
    """A fontconfig configuration that knows the house and fallback fonts and nothing else."""
    dirs = "".join(f"  <dir>{folder}</dir>\n" for folder in font_dirs())
    return (
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n'
        f"<fontconfig>\n{dirs}"
        '  <cachedir prefix="xdg">blocnotes-fontconfig</cachedir>\n</fontconfig>\n'
    )


def font_face_css(faces: tuple[Face, ...], url_for: Callable[[Face], str]) -> str:
    """@font-face rules for `faces`, each pointing at `url_for(face)`."""
    rules = [
        f'@font-face {{ font-family: "{face.family}"; font-weight: {face.weight}; '
        f'font-style: {face.style}; src: url("{url_for(face)}"); }}'
        for face in faces
    ]
    return "\n".join(rules) + "\n"


# Kept in subsets: the licence (OFL) and the names; kerning, ligatures, local forms, accents.
# Oldstyle figures and contextual alternates are print's: the reflowable styles use none.
SUBSET_NAME_IDS = (0, 1, 2, 3, 4, 5, 6, 13, 14)
SUBSET_FEATURES = ("kern", "liga", "locl", "ccmp", "mark", "mkmk")


def subset_font(path: Path, text: str, flavor: str | None = None) -> bytes:
    """The font at `path`, cut down to the characters of `text`: TrueType by default (what
    every e-reader reads; many read no WOFF2), or `flavor` "woff2" (the web).

    HarfBuzz's subsetter (uharfbuzz) does the cutting: the same font as fontTools' subsetter
    makes, seven times sooner; fontTools compresses to WOFF2.
    """
    import uharfbuzz as hb

    request = hb.SubsetInput()
    request.unicode_set.update(ord(char) for char in set(text + " "))
    request.name_id_set.update(SUBSET_NAME_IDS)
    features = request.layout_feature_tag_set
    features.clear()
    features.update(int.from_bytes(tag.encode("ascii"), "big") for tag in SUBSET_FEATURES)
    # No TrueType hinting: e-readers and browsers do without it.
    request.flags = hb.SubsetFlags.NO_HINTING | hb.SubsetFlags.NOTDEF_OUTLINE
    data = hb.subset(hb.Face(hb.Blob.from_file_path(str(path))), request).blob.data
    if flavor is None:
        return data
    import io

    from fontTools.ttLib import TTFont

    # recalcTimestamp off: the font keeps its own date, the same bytes on every build
    font = TTFont(io.BytesIO(data), recalcTimestamp=False)
    font.flavor = flavor
    buffer = io.BytesIO()
    font.save(buffer)
    return buffer.getvalue()
