"""The house fonts: files from pip font packages, and their @font-face rules."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import font_source_sans_pro
import font_source_serif_pro
import fontpkg_noto_sans
import fontpkg_source_code_pro

SANS = "BN Sans"  # family names of our own, so no system font can answer to them
SERIF = "BN Serif"
MONO = "BN Mono"  # Source Code Pro: code, inline and in blocks
FALLBACK = "BN Fallback"  # Noto Sans: the one declared stand-in for a glyph the house fonts lack


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
_FALLBACK_FILES = ((400, "normal", "NotoSans[wdth,wght].ttf"),
                   (400, "italic", "NotoSans-Italic[wdth,wght].ttf"))


@cache
def house_faces() -> tuple[Face, ...]:
    """Every face the house style uses, from the installed font packages."""
    return tuple(
        Face(family, weight, style, Path(directory) / f"{stem}-{name}.ttf")
        for family, directory, stem, variants in _FILES
        for weight, style, name in variants
    )


@cache
def mono_faces() -> tuple[Face, ...]:
    """The monospace face of code (Source Code Pro, variable: its default instance is the
    regular weight)."""
    folder = Path(fontpkg_source_code_pro.ROOT) / "files"
    return (Face(MONO, 400, "normal", folder / "SourceCodePro[wght].ttf"),)


@cache
def fallback_faces() -> tuple[Face, ...]:
    """The declared fallback font's faces."""
    folder = Path(fontpkg_noto_sans.ROOT) / "files"
    return tuple(Face(FALLBACK, weight, style, folder / name)
                 for weight, style, name in _FALLBACK_FILES)


@cache
def _cmap(path: Path) -> frozenset[int]:
    import uharfbuzz as hb  # a fraction of fontTools' start-up time

    return frozenset(hb.Face(hb.Blob.from_file_path(str(path))).unicodes)


def house_covers(char: str) -> bool:
    """Whether the house text face (Source Sans Pro regular) has a glyph for `char`."""
    return ord(char) in _cmap(house_faces()[0].path)


def fallback_covers(char: str) -> bool:
    """Whether the declared fallback font has a glyph for `char`."""
    return ord(char) in _cmap(fallback_faces()[0].path)


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
    holds code; the fallback's only when a character of `text` is not in the house fonts
    (declaring it costs WeasyPrint a tenth of a second)."""
    code = mono_faces() if "<code" in text else ()
    return house_faces() + code + (fallback_faces() if uncovered(text) else ())


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
