"""The EPUB's cover image: page 1 of the house style, drawn with Pillow and the house fonts."""

from __future__ import annotations

import io
import unicodedata
from functools import cache

from PIL import Image, ImageDraw, ImageFont

from . import fonts
from .model import Metadata

WIDTH, HEIGHT = 1200, 1697  # A4 proportions
MARGIN = 90
ACCENT, ACCENT_LIGHT, INK, WHITE = (0, 91, 112), (230, 240, 242), (29, 29, 27), (255, 255, 255)


@cache
def _font(family: str, weight: int, size: int) -> ImageFont.FreeTypeFont:
    face = next(f for f in fonts.house_faces()
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


def cover_png(meta: Metadata) -> bytes:
    """Metadata as shown (typeset) -> a PNG cover: masthead, title, dateline, keywords."""
    image = Image.new("RGB", (WIDTH, HEIGHT), WHITE)
    draw = ImageDraw.Draw(image)
    text_width = WIDTH - 2 * MARGIN

    draw.rectangle((0, 0, WIDTH, 330), fill=ACCENT)
    y = 110
    series = _font(fonts.SERIF, 700, 74)
    for line in _wrap(draw, meta.series or "", series, text_width):
        draw.text((MARGIN, y), line, font=series, fill=WHITE)
        y += 88
    if meta.publisher:
        small = _font(fonts.SANS, 600, 28)
        for line in _wrap(draw, meta.publisher.upper(), small, text_width)[:2]:
            draw.text((MARGIN, y + 8), line, font=small, fill=ACCENT_LIGHT)
            y += 38

    y = 450
    title = _font(fonts.SERIF, 700, 104)
    for line in _wrap(draw, meta.title, title, text_width)[:5]:
        draw.text((MARGIN, y), line, font=title, fill=INK)
        y += 118
    if meta.dateline or meta.subtitle:
        dateline = _font(fonts.SANS, 600, 44)
        for line in _wrap(draw, meta.dateline or meta.subtitle or "", dateline, text_width)[:2]:
            draw.text((MARGIN, y + 20), line, font=dateline, fill=ACCENT)
            y += 58

    if meta.keywords:
        keyword, label = _font(fonts.SANS, 600, 40), _font(fonts.SANS, 700, 26)
        count = len(meta.keywords[:5])
        top = max(y + 120, HEIGHT - 210 - 62 * count)
        draw.rectangle((MARGIN, top, WIDTH - MARGIN, top + 90 + 62 * count), fill=ACCENT_LIGHT)
        draw.rectangle((MARGIN, top, WIDTH - MARGIN, top + 8), fill=ACCENT)
        draw.text((MARGIN + 40, top + 36), (meta.keywords_title or "").upper(), font=label,
                  fill=ACCENT)
        for index, word in enumerate(meta.keywords[:5]):
            line = _wrap(draw, word, keyword, text_width - 80)[0]
            draw.text((MARGIN + 40, top + 84 + 62 * index), line, font=keyword, fill=INK)

    buffer = io.BytesIO()
    # Fast octree: flat colours and anti-aliased text, in a third of the time of the default.
    image.quantize(colors=64, method=Image.Quantize.FASTOCTREE).save(
        buffer, format="PNG", optimize=True)
    return buffer.getvalue()
