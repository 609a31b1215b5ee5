"""The EPUB's cover image: page 1 of a style, drawn with Pillow and the style's fonts."""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Mapping
from functools import cache

from PIL import Image, ImageDraw, ImageFont

from . import fonts
from .model import Typeset
from .style import Style

WIDTH, HEIGHT = 1200, 1697  # A4 proportions
MARGIN = 90


@cache
def _font(faces: tuple[fonts.Face, ...], family: str, weight: int, size: int
          ) -> ImageFont.FreeTypeFont:
    face = next(f for f in faces
                if f.family == family and f.weight == weight and f.style == "normal")
    # Basic layout: the house fonts are Latin, Greek and Cyrillic; no complex shaping needed,
    # and raqm fails on some control characters.
    return ImageFont.truetype(str(face.path), size, layout_engine=ImageFont.Layout.BASIC)


def _wrap(draw: ImageDraw.ImageDraw, text: str, font: ImageFont.FreeTypeFont,
          width: int) -> list[str]:
    text = "".join(c if unicodedata.category(c)[0] not in "CZ" else " " for c in text)
    text = " ".join(text.split())
    lines: list[str] = []
    for word in text.split(" "):
        candidate = f"{lines[-1]} {word}" if lines else word
        if lines and draw.textlength(candidate, font=font) <= width:
            lines[-1] = candidate
        else:
            lines.append(word)
    return lines


def _fit(draw: ImageDraw.ImageDraw, text: str, faces: tuple[fonts.Face, ...], family: str,
         weight: int, sizes: range, width: int, height: int) -> tuple[ImageFont.FreeTypeFont, list[str]]:
    """The largest of `sizes` at which `text` wraps into lines of `width` that fill no more
    than `height` (lines LEADING x the size apart); at the smallest, the lines that fit, the
    last ending with an ellipsis."""
    for size in sizes:
        font = _font(faces, family, weight, size)
        max_lines = max(1, height // round(size * LEADING))
        lines = _wrap(draw, text, font, width)
        if len(lines) <= max_lines and all(draw.textlength(line, font=font) <= width
                                           for line in lines):
            return font, lines
    return font, _cut(draw, lines, font, width, max_lines)


def _cut(draw: ImageDraw.ImageDraw, lines: list[str], font: ImageFont.FreeTypeFont, width: int,
         max_lines: int) -> list[str]:
    """`lines` cut to `max_lines`, each within `width`; what is cut ends with an ellipsis."""
    kept = lines[:max_lines]
    for index, line in enumerate(kept):
        cut = index == len(kept) - 1 and len(lines) > max_lines
        if not cut and draw.textlength(line, font=font) <= width:
            continue
        words = line.split(" ")
        while words and draw.textlength(" ".join(words) + "…", font=font) > width:
            if len(words) > 1:
                words.pop()
            else:  # one word wider than the line: cut it letter by letter
                words[0] = words[0][:-1]
        kept[index] = " ".join(words).rstrip(" ,;:–-") + "…"
    return kept


TITLE_SIZES = range(104, 55, -6)  # pixels: the title shrinks before it is cut
TITLE_HEIGHT = 5 * 118  # five lines of the largest size
LEADING = 1.13
KEYWORD_SIZES = range(40, 25, -3)
PANEL_BOTTOM = HEIGHT - 120  # the keyword panel ends here, whatever it holds


def cover_png(document: Typeset, house: Style) -> bytes:
    """A typeset document (its metadata as shown, the labels of its language) and its style
    (the colours of its style.yaml, paper, accent, accent-light, ink, muted; its fonts; its
    `cover:`, where the band runs and the font of the headings) -> a PNG cover: masthead,
    title, dateline, keywords. Nothing is cut: the title and the keywords shrink to fit, and
    what still does not fit ends with an ellipsis."""
    meta, labels, colours, layout = document.display, document.labels, house.colours, house.cover
    image = Image.new("RGB", (WIDTH, HEIGHT), colours["paper"])
    draw = ImageDraw.Draw(image)
    text_width = WIDTH - 2 * MARGIN
    faces = fonts.house_faces(house)
    headings = fonts.family(layout.headings, house)
    sans = fonts.family("sans", house)

    # The band: the masthead inside it (top), or beside it on the paper (left)
    on_band = layout.band == "top"
    draw.rectangle((0, 0, WIDTH, layout.band_size) if on_band else
                   (0, 0, layout.band_size, HEIGHT), fill=colours["accent"])
    y = 110
    series, lines = _fit(draw, meta.series or "", faces, headings, 700, range(74, 43, -6),
                         text_width, 88)
    for line in lines:
        draw.text((MARGIN, y), line, font=series,
                  fill=colours["paper"] if on_band else colours["accent"])
        y += 88
    if meta.publisher:
        small = _font(faces, sans, 600, 28)
        publisher = _cut(draw, _wrap(draw, meta.publisher.upper(), small, text_width), small,
                         text_width, 2)
        for line in publisher:
            draw.text((MARGIN, y + 8), line, font=small,
                      fill=colours["accent-light"] if on_band else colours["muted"])
            y += 38
    if not on_band:  # the masthead's rule, as page 1 draws it
        draw.rectangle((MARGIN, y + 40, WIDTH - MARGIN, y + 42), fill=colours["accent"])

    y = 450
    dateline = _font(faces, sans, 600, 44)
    shown = _cut(draw, _wrap(draw, meta.dateline or meta.subtitle or "", dateline, text_width),
                 dateline, text_width, 2)
    # The title takes what the keyword panel leaves it (at its smallest: two columns of the
    # smallest size), up to TITLE_HEIGHT
    panel = (120 + 90 + round(KEYWORD_SIZES[-1] * 1.55) * _rows(len(meta.keywords), 2)
             if meta.keywords else 0)
    room = min(TITLE_HEIGHT, PANEL_BOTTOM - panel - 58 * len(shown) - y)
    title, lines = _fit(draw, meta.title, faces, headings, 700, TITLE_SIZES,
                        text_width, max(room, round(TITLE_SIZES[-1] * LEADING) * 3))
    for line in lines:
        draw.text((MARGIN, y), line, font=title, fill=colours["ink"])
        y += round(title.size * LEADING)
    if shown:
        for line in shown:
            draw.text((MARGIN, y + 20), line, font=dateline, fill=colours["accent"])
            y += 58

    if meta.keywords:
        _keywords(draw, meta.keywords, meta.keywords_title or labels["keywords"], y + 120,
                  colours, faces, sans)

    buffer = io.BytesIO()
    # Fast octree: flat colours and anti-aliased text, in a third of the time of the default.
    image.quantize(colors=64, method=Image.Quantize.FASTOCTREE).save(
        buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def _rows(count: int, columns: int) -> int:
    return -(-count // columns)


def _keywords(draw: ImageDraw.ImageDraw, keywords: tuple[str, ...], title: str, top: int,
              colours: Mapping[str, str], faces: tuple[fonts.Face, ...], sans: str) -> None:
    """The keyword panel at the foot of the cover, between `top` and PANEL_BOTTOM at most:
    every keyword, one line each, at the largest size that fits, in one column or, when there
    are many, two; what still does not fit ends with an ellipsis."""
    inner = WIDTH - 2 * MARGIN - 80
    label = _font(faces, sans, 700, 26)
    room = PANEL_BOTTOM - top - 90
    fits = [(size, columns) for size in KEYWORD_SIZES for columns in (1, 2)
            if round(size * 1.55) * _rows(len(keywords), columns) <= room]
    size, columns = fits[0] if fits else (KEYWORD_SIZES[-1], 2)
    step = round(size * 1.55)
    shown = list(keywords)
    if not fits:  # even two columns of the smallest size are too long
        rows = max(1, room // step)
        shown = [*keywords[: rows * columns - 1], "…"]
    font = _font(faces, sans, 600, size)
    rows = _rows(len(shown), columns)
    height = 90 + step * rows
    width = (inner - 40 * (columns - 1)) // columns
    panel_top = max(top, PANEL_BOTTOM - height)
    draw.rectangle((MARGIN, panel_top, WIDTH - MARGIN, panel_top + height), fill=colours["accent-light"])
    draw.rectangle((MARGIN, panel_top, WIDTH - MARGIN, panel_top + 8), fill=colours["accent"])
    draw.text((MARGIN + 40, panel_top + 36), title.upper(), font=label, fill=colours["accent"])
    for index, word in enumerate(shown):  # down the first column, then the second
        column, row = divmod(index, rows)
        line = _cut(draw, _wrap(draw, word, font, width), font, width, 1)[0]
        draw.text((MARGIN + 40 + column * (width + 40), panel_top + 84 + step * row), line,
                  font=font, fill=colours["ink"])
