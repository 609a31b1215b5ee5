"""A style's fonts: files from pip font packages (declared in its style.yaml), and their
@font-face rules. Every function takes the style (style.Style), loaded once by the build."""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import os
import re
import unicodedata
from collections.abc import Callable
from copy import deepcopy
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from . import atomic, scratch, style
from .errors import BlocNotesError


@dataclass(frozen=True)
class Face:
    """One face of a style's family: the CSS weight and style it serves, and its font file
    (of a variable font, its instance at that weight: see _static)."""

    family: str
    weight: int
    style: str
    path: Path

    @property
    def stem(self) -> str:
        """The face's file name in a book or on the web page, without its extension: letters,
        digits and dashes ('SourceCodePro[wght]' would be an awkward name in a ZIP and a
        URL)."""
        return re.sub(r"[^A-Za-z0-9-]", "", self.path.stem)


def family(role: str, house: style.Style) -> str:
    """The family name the stylesheets give the font of `role` (sans, serif, mono...)."""
    return house.fonts[role].family


def _faces(role: str, house: style.Style) -> tuple[Face, ...]:
    return _font_faces(house.fonts[role], role, house.folder)


@cache
def _font_faces(font: style.Font, role: str, folder: Path) -> tuple[Face, ...]:
    """The faces of one role's font, where its pip package installed them (once per font
    in a process: forget() in watch mode)."""
    declared = font.declared or folder / style.STYLE_FILE  # the style.yaml that names it
    try:
        package = importlib.import_module(font.package)
    except ImportError:
        raise BlocNotesError(declared, None, f"the font package '{font.package}' "
                             f"of '{role}' is not installed (add it to pyproject.toml's "
                             "dependencies, then: make)") from None
    where = Path(package.__file__ or "").parent
    for _, _, file in font.faces:
        if not (where / file).is_file():
            raise BlocNotesError(declared, None, f"the font package "
                                 f"'{font.package}' has no file '{Path(file).name}' for '{role}' "
                                 f"(the files it has: {', '.join(_font_files(where))})")
    return tuple(Face(font.family, weight, slant, _static(where / file, weight))
                 for weight, slant, file in font.faces)


INSTANCES = "3"  # the way instances are made (_static, _named): a new one makes them again


def _cache_folder() -> Path:
    """Where the static instances of variable fonts are kept for every build of this user
    (XDG's cache folder)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "blocnotes" / "fonts"


@cache
def _static(path: Path, weight: int) -> Path:
    """The font file a face at `weight` is set from: a static font as it is; of a variable
    font, its instance at that weight (its other axes, the optical size, at their defaults),
    made once (HarfBuzz's instancer) and kept in the cache folder under the digest of the
    variable font. Every edition then sets the same outlines at the same advances: WeasyPrint
    lays a variable font out at its default instance (Source Sans 3's is its ExtraLight)
    whatever the weight asked, and many e-readers know no variations."""
    import uharfbuzz as hb

    face = hb.Face(hb.Blob.from_file_path(str(path)))
    if not face.axis_infos:
        return path
    digest = hashlib.sha256(INSTANCES.encode() + path.read_bytes()).hexdigest()[:16]
    name = re.sub(r"[^A-Za-z0-9-]", "", re.sub(r"\[.*?\]", "", path.stem))
    target = _cache_folder() / digest / f"{name}-{weight}.ttf"
    if target.is_file():
        return target
    request = hb.SubsetInput()
    request.keep_everything()
    request.pin_all_axes_to_default(face)
    if any(axis.tag == "wght" for axis in face.axis_infos):
        request.pin_axis_location(face, "wght", weight)  # over its default
    data = _named(hb.subset(face, request).blob.data, weight)
    try:
        atomic.write_bytes(target, data)
    except OSError:  # no cache folder: this process's own
        target = scratch.folder("fonts-") / target.name
        target.write_bytes(data)
    return target


# The names of the weights (OpenType's usWeightClass), for an instance of a variable font.
WEIGHT_NAMES = {100: "Thin", 200: "ExtraLight", 300: "Light", 400: "Regular", 500: "Medium",
                600: "SemiBold", 700: "Bold", 800: "ExtraBold", 900: "Black"}


def _rank(code: int) -> int:
    """Which of the characters drawn by one glyph keeps it (the others get copies): ASCII and
    the typographic quotes first, then the lowest."""
    return 0 if code < 0x80 or code in (0x2018, 0x2019) else code


def _named(data: bytes, weight: int) -> bytes:
    """An instance of a variable font made ready to set: named by its weight and style (its
    names are the default instance's, 'Source Sans 3 ExtraLight', and two faces of one book
    with one PostScript name are one font to some readers), and a glyph of its own for each
    character: a PDF's text is read back by glyph (WeasyPrint's ToUnicode map gives a glyph
    one character), and Source Sans 3 draws the space and the no-break space, the hyphen and
    the soft hyphen with one glyph, so that copied text would get no-break spaces."""
    import copy
    import io

    from fontTools.ttLib import TTFont

    font = TTFont(io.BytesIO(data), recalcTimestamp=False)
    names = font["name"]
    family = names.getDebugName(16) or names.getDebugName(1) or ""
    italic = bool(font["OS/2"].fsSelection & 1)
    style = " ".join(word for word in ("" if weight == 400 and italic else
                                       WEIGHT_NAMES.get(weight, str(weight)),
                                       "Italic" if italic else "") if word)
    postscript = f"{family}-{style}".replace(" ", "")
    names.names = [record for record in names.names if record.nameID not in (1, 2, 3, 4, 6, 16, 17)]
    for name_id, text in ((1, family), (2, "Italic" if italic else "Regular"), (3, postscript),
                          (4, f"{family} {style}"), (6, postscript), (16, family), (17, style)):
        names.setName(text, name_id, 3, 1, 0x409)
    font["OS/2"].usWeightClass = weight
    if "glyf" in font:
        drawn: dict[str, list[int]] = {}
        for code, glyph in sorted(font.getBestCmap().items()):
            drawn.setdefault(glyph, []).append(code)
        order, copies = list(font.getGlyphOrder()), {}
        for glyph, codes in drawn.items():
            for code in sorted(codes, key=_rank)[1:]:
                copies[code] = name = f"{glyph}.u{code:04X}"
                font["glyf"].glyphs[name] = copy.deepcopy(font["glyf"][glyph])
                font["hmtx"].metrics[name] = font["hmtx"].metrics[glyph]
                order.append(name)
        font.setGlyphOrder(order)
        font["glyf"].glyphOrder = order
        for table in font["cmap"].tables:
            if table.isUnicode():
                table.cmap.update({code: name for code, name in copies.items()
                                   if code in table.cmap})
        _kern_copies(font, {name: name.rpartition(".u")[0] for name in copies.values()})
    buffer = io.BytesIO()
    font.save(buffer)
    return buffer.getvalue()


def _kern_copies(font: object, originals: dict[str, str]) -> None:
    """Each copied glyph kerned as its original (`originals`: copy -> original), on either
    side of a pair: a layout's hyphen (U+2010) sits where "-" would ("T‐" as close as "T-"). The
    copies come last in the glyph order, so the kerning's sorted lists stay sorted."""
    if "GPOS" not in font:  # type: ignore[operator]
        return
    order = {name: index for index, name in enumerate(font.getGlyphOrder())}  # type: ignore[attr-defined]
    copies = sorted(originals, key=order.__getitem__)
    for lookup in font["GPOS"].table.LookupList.Lookup:  # type: ignore[index]
        for table in lookup.SubTable:
            table = table.ExtSubTable if lookup.LookupType == 9 else table
            if getattr(table, "LookupType", lookup.LookupType) != 2:
                continue
            first = table.Coverage.glyphs
            if table.Format == 1:  # pairs of glyphs
                for copy in copies:
                    if originals[copy] in first:
                        table.PairSet.append(deepcopy(
                            table.PairSet[first.index(originals[copy])]))
                        first.append(copy)
                for pairs in table.PairSet:
                    seconds = {record.SecondGlyph: record for record in pairs.PairValueRecord}
                    for copy in copies:
                        if originals[copy] in seconds:
                            record = deepcopy(seconds[originals[copy]])
                            record.SecondGlyph = copy
                            pairs.PairValueRecord.append(record)
            else:  # pairs of classes
                for copy in copies:
                    original = originals[copy]
                    if original in first:
                        first.append(copy)
                    for classes in (table.ClassDef1.classDefs, table.ClassDef2.classDefs):
                        if original in classes:
                            classes[copy] = classes[original]


def _font_files(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.rglob("*") if path.suffix.lower() in
                  (".ttf", ".otf", ".woff", ".woff2"))[:12]


def house_faces(house: style.Style) -> tuple[Face, ...]:
    """Every face of the style's text fonts (sans, then serif), from the installed packages."""
    return _faces("sans", house) + _faces("serif", house)


def mono_faces(house: style.Style) -> tuple[Face, ...]:
    """The monospace face of code."""
    return _faces("mono", house)


def fallback_faces(house: style.Style) -> tuple[Face, ...]:
    """The declared fallback fonts' faces: the fallback, then the emoji font (last)."""
    return _faces("fallback", house) + _faces("emoji", house)


def edition_faces(edition: str, house: style.Style) -> tuple[Face, ...]:
    """The text faces a reflowable edition (epub, web) carries, as the style lists them, in
    the order of house_faces."""
    wanted = {(family(role, house), weight, slant)
              for role, weight, slant in house.editions[edition]}
    return tuple(f for f in house_faces(house) if (f.family, f.weight, f.style) in wanted)


def fallback_names(house: style.Style) -> str:
    """The fallback fonts' own names, for messages."""
    return f"{house.fonts['fallback'].name}, {house.fonts['emoji'].name}"


@cache
def _cmap(path: Path) -> frozenset[int]:
    import uharfbuzz as hb  # a fraction of fontTools' start-up time

    return frozenset(hb.Face(hb.Blob.from_file_path(str(path))).unicodes)


def house_covers(char: str, house: style.Style) -> bool:
    """Whether the style's text face (the sans's first face) has a glyph for `char`."""
    return ord(char) in _cmap(house_faces(house)[0].path)


def fallback_covers(char: str, house: style.Style) -> bool:
    """Whether a declared fallback font has a glyph for `char`."""
    return any(ord(char) in _cmap(face.path) for face in fallback_faces(house)
               if face.style == "normal")


def all_faces(house: style.Style) -> tuple[Face, ...]:
    """House faces, the code face, then the fallback's."""
    return house_faces(house) + mono_faces(house) + fallback_faces(house)


def uncovered(text: str, house: style.Style) -> list[str]:
    """The visible characters of `text` that the style's text face lacks, sorted."""
    return sorted(char for char in set(text)
                  if not char.isspace() and unicodedata.category(char) not in ("Cc", "Cf")
                  and not house_covers(char, house))


def faces_for(text: str, house: style.Style) -> tuple[Face, ...]:
    """The faces `text` (an HTML rendition) needs: the house faces; the code face when it
    holds code; the fallbacks only when a character of `text` is not in the house fonts, the
    emoji font only for an emoji (declaring a font costs WeasyPrint a tenth of a second)."""
    code = mono_faces(house) if "<code" in text else ()
    missing = uncovered(text, house)
    if not missing:
        return house_faces(house) + code
    emoji = fallback_faces(house)[-1]
    needed = fallback_faces(house) if any(ord(c) in _cmap(emoji.path) for c in missing) \
        else fallback_faces(house)[:-1]
    return house_faces(house) + code + needed


def font_dirs(house: style.Style) -> tuple[Path, ...]:
    """Folders the renderer may read the style's fonts from."""
    return tuple(sorted({face.path.parent.resolve() for face in all_faces(house)}))


def _all_font_dirs() -> set[Path]:
    # fontconfig is set up when the renderer is imported, before any build names its styles
    # folder: the repository's styles' fonts
    found: set[Path] = set()
    for name in style.known(style.ROOT):
        # a style being written may not load: its documents' builds say what is wrong
        with contextlib.suppress(BlocNotesError):
            found.update(font_dirs(style.read(style.folder(style.ROOT, name))))
    return found


def fontconfig_text() -> str:
    """A fontconfig configuration that knows the fonts of the repository's styles and nothing
    else."""
    folders = sorted(_all_font_dirs())
    dirs = "".join(f"  <dir>{folder}</dir>\n" for folder in folders)
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


def subset_font(path: Path, text: str, flavor: str | None = None, family: str | None = None
                ) -> bytes:
    """The font at `path`, cut down to the characters of `text` and their capitals (a style
    may set a label or a masthead in capitals: text-transform): TrueType by default (what
    every e-reader reads; many read no WOFF2), or `flavor` "woff2" (the web). With `family`,
    the cut-down font is named so (its family, full and PostScript names): the name the
    stylesheets give it, which e-book checkers (Calibre's) expect the font's own to be; a
    modified font takes another name than the original's anyway, as the OFL asks.

    HarfBuzz's subsetter (uharfbuzz) does the cutting: the same font as fontTools' subsetter
    makes, seven times sooner; fontTools compresses to WOFF2.
    """
    import uharfbuzz as hb

    request = hb.SubsetInput()
    request.unicode_set.update(ord(char) for char in set(text + text.upper() + " "))
    # renamed: the typographic family and style too (a Semibold's legacy family is
    # "Source Sans Pro Semibold": the typographic one says which part is the family's)
    request.name_id_set.update(SUBSET_NAME_IDS + ((16, 17) if family else ()))
    features = request.layout_feature_tag_set
    features.clear()
    features.update(int.from_bytes(tag.encode("ascii"), "big") for tag in SUBSET_FEATURES)
    # No TrueType hinting: e-readers and browsers do without it.
    request.flags = hb.SubsetFlags.NO_HINTING | hb.SubsetFlags.NOTDEF_OUTLINE
    data = hb.subset(hb.Face(hb.Blob.from_file_path(str(path))), request).blob.data
    if flavor is None and family is None:
        return data
    import io

    from fontTools.ttLib import TTFont

    # recalcTimestamp off: the font keeps its own date, the same bytes on every build
    font = TTFont(io.BytesIO(data), recalcTimestamp=False)
    if family is not None:
        _rename(font, family)
    font.flavor = flavor
    buffer = io.BytesIO()
    font.save(buffer)
    return buffer.getvalue()


def _rename(font: object, family: str) -> None:
    """The font's family name (typographic, else legacy) replaced by `family` in its names:
    unique and full names, PostScript name (without spaces); the family is `family` itself,
    for every weight (what the @font-face rule calls it; its weight and style say which)."""
    names = font["name"]  # type: ignore[index]
    own = names.getDebugName(16) or names.getDebugName(1)
    if not own:
        return
    for record in names.names:
        if record.nameID in (1, 16):
            record.string = family
        elif record.nameID in (3, 4):
            record.string = record.toUnicode().replace(own, family)
        elif record.nameID == 6:
            record.string = record.toUnicode().replace(own.replace(" ", ""),
                                                       family.replace(" ", ""))


def forget() -> None:
    """Forget the styles' fonts read so far: watch mode, after a style's files changed."""
    _font_faces.cache_clear()
