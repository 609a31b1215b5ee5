"""Images as each edition needs them: pure functions from an image's bytes and a target to the
bytes to embed (right-sized, upright, in sRGB, without private metadata; SVG cleaned)."""

from __future__ import annotations

import base64
import io
import math
import re
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from lxml import etree
from PIL import Image

from .budgets import DEFAULT, Limits, advice

if TYPE_CHECKING:
    from . import css


class ImageError(ValueError):
    """An image that cannot be used; the message reads after "image 'x.jpg' " and says what
    to do."""


@dataclass(frozen=True)
class Target:
    """What an edition needs of an image: fit within `box` pixels (never upsampled), photos in
    JPEG at `quality`; with `keep_cmyk` a CMYK photo stays CMYK (the print shop's PDF/X-4,
    where CMYK means its output intent) instead of becoming sRGB."""

    box: tuple[int, int]
    quality: int
    keep_cmyk: bool = False
    # The box is a limit, not only the resolution needed (an e-reader's memory): a lossless
    # image larger than it is always reduced, even where its PNG would then be heavier.
    limit: bool = False


@dataclass(frozen=True)
class Prepared:
    """An image ready to embed: its bytes, their kind and its size in pixels (0 x 0: SVG)."""

    data: bytes
    suffix: str  # ".jpg", ".png" or ".svg"
    size: tuple[int, int]


# The editions' resolutions (pixels per inch at the printed size) and JPEG qualities: a screen
# PDF sharp on a laptop at 100 % and light enough to mail; a print shop's at least 300 ppi
# (never upsampled), at most 450; an EPUB photo a few hundred KB, sharp on a tablet.
SCREEN_PPI, SCREEN_QUALITY = 200, 85
PRESS_PPI, PRESS_QUALITY = 450, 95
EPUB_LONG_SIDE, EPUB_QUALITY = 1600, 85
# No image prints larger than the page (A4, styles/<name>/print.css): an image is first brought to
# the page's size at the edition's resolution, then, once the layout has placed it, to the size
# it prints at.
PAGE_MM = (210.0, 297.0)

EPUB = Target((EPUB_LONG_SIDE, EPUB_LONG_SIDE), EPUB_QUALITY, limit=True)


def at_ppi(width_mm: float, height_mm: float, ppi: int, quality: int, keep_cmyk: bool = False,
           limit: bool = False) -> Target:
    """The target for an image printed within width_mm x height_mm at `ppi` (with `limit`, at
    most `ppi`, even where a lossless image's file would be lighter at its own size)."""
    return Target((max(1, math.floor(width_mm / 25.4 * ppi)),
                   max(1, math.floor(height_mm / 25.4 * ppi))), quality, keep_cmyk, limit)


SCREEN_PAGE = at_ppi(*PAGE_MM, SCREEN_PPI, SCREEN_QUALITY)
PRESS_PAGE = at_ppi(*PAGE_MM, PRESS_PPI, PRESS_QUALITY, keep_cmyk=True, limit=True)

# Formats kept lossless (screenshots, drawings, logos): everything else is a photo, in JPEG.
LOSSLESS = frozenset({"PNG", "GIF", "BMP", "TIFF"})
EXIF_ORIENTATION = 0x0112


def _unreadable(error: Exception) -> ImageError:
    if isinstance(error, Image.DecompressionBombError):  # over 178 MP: Pillow's own limit
        return ImageError("is far too large to be a photo of the document (over "
                          f"{2 * (Image.MAX_IMAGE_PIXELS or 0) // 1_000_000} megapixels; export "
                          "a JPEG of at most 6000 pixels across)")
    return ImageError(f"cannot be read as an image ({error}) (is the file damaged? save it "
                      "again as JPEG or PNG)")


def _open(data: bytes | Path, limits: Limits = DEFAULT) -> Image.Image:
    """Pillow's image of the bytes (or of a file, read as far as needed), HEIC/HEIF (the
    iPhone's format) too, through libheif (AVIF and WebP are Pillow's own); libheif is loaded
    at the first ISO media file (an 'ftyp' box at byte 4, as HEIF and AVIF start): a build
    of JPEGs and PNGs does not pay for it (0.02 s a process). An image of more pixels than
    the `image_megapixels` budget is refused from its header, before a pixel is decoded (a
    22 KB palette PNG can hold 169 megapixels: 1.8 GB once decoded)."""
    if isinstance(data, Path):
        with data.open("rb") as stream:
            head = stream.read(12)
    else:
        head = data[:12]
    if head[4:8] == b"ftyp":
        _register_heif()
    with warnings.catch_warnings():  # over 89 MP: `check` says it better, at the image's line
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        image = Image.open(data if isinstance(data, Path) else io.BytesIO(data))
    width, height = image.size
    if width * height > limits.image_megapixels * 1_000_000:
        image.close()
        raise ImageError(f"has {width} x {height} pixels ({width * height / 1e6:.0f} megapixels), "
                         f"over the budget of {limits.image_megapixels} megapixels for one image "
                         f"(export a JPEG of at most 6000 pixels across, or "
                         f"{advice('image_megapixels')})")
    return image


@cache
def _register_heif() -> None:
    import pillow_heif

    pillow_heif.register_heif_opener()


def is_svg(data: bytes) -> bool:
    """Whether the bytes look like an SVG (XML) file rather than a raster image."""
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith((b"<?xml", b"<svg", b"<!--", b"<!DOCTYPE", b"<!doctype"))


def prepare(data: bytes, target: Target, limits: Limits = DEFAULT) -> Prepared:
    """An image's bytes -> the bytes to embed for `target`: SVG cleaned; a raster reduced to
    fit the target's box, turned upright by its EXIF orientation, in sRGB (or CMYK kept, with
    `keep_cmyk`), without any metadata (EXIF, XMP, IPTC, comments, profiles); photos in JPEG,
    lossless images in PNG (transparency kept); within the `limits`."""
    if is_svg(data):
        return Prepared(clean_svg(data, limits), ".svg", (0, 0))
    try:
        image = _open(data, limits)
        kind = image.format or ""
        full = image.size
        image = _converted(image, target)
    except ImageError:
        raise  # over a budget: said as it is
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as error:
        raise _unreadable(error) from None
    if kind in LOSSLESS or image.mode in ("RGBA", "LA"):
        prepared = _png(image)
        if len(prepared.data) > len(data) and image.size != full and not target.limit:
            # A flat map or chart: its resampled PNG (new grey levels at every edge) weighs
            # more than the file; the same pixels at full size, metadata still removed.
            whole = _png(_converted(_open(data), replace(target, box=(max(full), max(full)))))
            prepared = min(prepared, whole, key=lambda candidate: len(candidate.data))
        return prepared
    output = io.BytesIO()
    image.info.clear()
    # 4:2:0 chroma halves the file at screen quality; the print shop gets full chroma
    image.save(output, format="JPEG", quality=target.quality, optimize=True,
               subsampling=0 if target.quality >= 90 else 2)
    return Prepared(output.getvalue(), ".jpg", image.size)


def _png(image: Image.Image) -> Prepared:
    output = io.BytesIO()
    image.info.clear()  # PNG would carry the profile and text chunks of `info` along
    image.save(output, format="PNG", compress_level=9)
    return Prepared(output.getvalue(), ".png", image.size)


def fitted(size: tuple[int, int], box: tuple[int, int]) -> tuple[int, int]:
    """`size` reduced to fit `box`, its proportions kept (never enlarged)."""
    scale = min(1.0, box[0] / size[0], box[1] / size[1])
    return (max(1, math.floor(size[0] * scale + 1e-9)),
            max(1, math.floor(size[1] * scale + 1e-9)))


# EXIF orientation -> the transposition that turns the stored pixels upright
_UPRIGHT = {2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180,
            4: Image.Transpose.FLIP_TOP_BOTTOM, 5: Image.Transpose.TRANSPOSE,
            6: Image.Transpose.ROTATE_270, 7: Image.Transpose.TRANSVERSE,
            8: Image.Transpose.ROTATE_90}


def _converted(image: Image.Image, target: Target) -> Image.Image:
    """Decoded at the size the target needs (JPEG's decoder reduces a 24 MP photo 2 to 8
    times by itself), resized, converted (sRGB; CMYK kept for the press; grey without a
    profile kept), then turned upright (on the small picture)."""
    image.seek(0)  # a multi-picture file (MPO, animated GIF): its first picture
    profile = image.info.get("icc_profile")
    orientation = image.getexif().get(EXIF_ORIENTATION, 1)
    turned = orientation in (5, 6, 7, 8)
    upright = (image.height, image.width) if turned else image.size
    width, height = fitted(upright, target.box)
    size = (height, width) if turned else (width, height)  # as stored
    if image.format == "JPEG" and size != image.size:
        image.draft(None, size)
    alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    if image.mode not in ("RGB", "RGBA", "CMYK", "L", "LA") or (alpha and image.mode == "RGB"):
        image = image.convert("RGBA" if alpha else "RGB")  # palette, 1-bit, 16-bit, YCbCr
    if image.size != size:
        if image.mode == "RGBA":  # premultiplied, so transparent pixels do not bleed colour
            image = image.convert("RGBa").resize(size, Image.Resampling.LANCZOS,
                                                 reducing_gap=3.0).convert("RGBA")
        else:
            image = image.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)
    if (image.mode == "CMYK" and target.keep_cmyk) or (image.mode in ("L", "LA")
                                                       and not profile):
        pass  # as they are: CMYK for the press, grey without a profile
    elif profile:
        image = _to_srgb(image, profile, "RGBA" if alpha else "RGB")
    else:
        image = image.convert("RGBA" if alpha else "RGB")
    return image.transpose(_UPRIGHT[orientation]) if orientation in _UPRIGHT else image


def _to_srgb(image: Image.Image, profile: bytes, mode: str) -> Image.Image:
    """The pixels converted from their ICC profile (a camera's Adobe RGB, a scan's CMYK) to
    sRGB, what screens and e-readers assume."""
    from PIL import ImageCms

    if image.mode in ("L", "LA"):
        return image.convert(mode)  # grey with a profile: as sRGB grey
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(profile))
        srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))
        return ImageCms.profileToProfile(image, source, srgb, outputMode=mode)
    except (ImageCms.PyCMSError, OSError, ValueError):  # a broken profile: the pixels as they are
        return image.convert(mode)


def stand_in(data: bytes | Path, limits: Limits = DEFAULT) -> Prepared:
    """A blank picture of the size (upright) WeasyPrint lays out for an image, reduced to the
    page at screen resolution: still larger than any box the image can print in at 96 pixels
    to the inch, so the layout is the image's; made from the header alone. Once laid out, each
    image is prepared for the size it prints at and takes its place (pdf.fit_images)."""
    _, size = header(data, limits)
    blank = Image.new("L", fitted(size, SCREEN_PAGE.box), 128)
    output = io.BytesIO()
    blank.save(output, format="JPEG", quality=10)
    return Prepared(output.getvalue(), ".jpg", blank.size)


def header(data: bytes | Path, limits: Limits = DEFAULT) -> tuple[str, tuple[int, int]]:
    """(format, upright size in pixels) of a raster image (its bytes, or its file), from its
    header alone (a PNG's orientation, from an eXIf chunk, is looked for to its end; over
    the `image_megapixels` budget: ImageError)."""
    try:  # tolerant, as the build reads it: a PNG's getexif() reads its pixels (damage()'s)
        with _tolerance(True), _open(data, limits) as image:
            turned = image.getexif().get(EXIF_ORIENTATION, 1) in (5, 6, 7, 8)
            return image.format or "", (image.height, image.width) if turned else image.size
    except ImageError:
        raise  # over a budget: said as it is
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as error:
        raise _unreadable(error) from None


@contextmanager
def _tolerance(tolerant: bool) -> Iterator[None]:
    """Pillow's tolerance of truncated files, on or off, for a while: WeasyPrint turns it on
    for the whole process when it is imported, so a check that did not set it would depend
    on what the process imported before."""
    from PIL import ImageFile

    before = ImageFile.LOAD_TRUNCATED_IMAGES
    ImageFile.LOAD_TRUNCATED_IMAGES = tolerant
    try:
        yield
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = before


def _decode(data: bytes | Path, tolerant: bool) -> None:
    """Decode a raster image's pixels (a JPEG at an eighth of its size: its decoder still
    reads every byte), with Pillow's tolerance of truncated files on or off."""
    with _tolerance(tolerant), _open(data) as image:
        if image.format == "JPEG":
            image.draft(image.mode, (max(1, image.width // 8), max(1, image.height // 8)))
        image.load()


def damage(data: bytes | Path) -> str | None:
    """Why a raster image's pixels cannot all be read (a file cut short, a damaged stream),
    or None; a file whose pixels cannot be read at all is an ImageError."""
    try:
        _decode(data, tolerant=False)
        return None
    except Image.DecompressionBombError:
        return None  # `check` says it better, at the image's line
    except (OSError, ValueError, SyntaxError, EOFError) as error:
        reason = str(error) or type(error).__name__
    try:
        _decode(data, tolerant=True)  # what the build will make of it
    except (OSError, ValueError, SyntaxError, EOFError, Image.DecompressionBombError) as error:
        raise _unreadable(error) from None
    return reason


# SVG: a strict allow-list of drawing elements; attributes lose every script, event handler
# and reference outside the file (only "#id" and embedded raster images stay).
SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
XML_NS = "http://www.w3.org/XML/1998/namespace"
SVG_ELEMENTS = frozenset((
    "svg", "g", "defs", "symbol", "use", "title", "desc", "switch", "a", "view",
    "path", "rect", "circle", "ellipse", "line", "polyline", "polygon", "text", "tspan",
    "textPath", "image", "linearGradient", "radialGradient", "stop", "pattern", "clipPath",
    "mask", "marker", "style", "filter", "feBlend", "feColorMatrix", "feComponentTransfer",
    "feComposite", "feConvolveMatrix", "feDiffuseLighting", "feDisplacementMap",
    "feDistantLight", "feDropShadow", "feFlood", "feFuncA", "feFuncB", "feFuncG", "feFuncR",
    "feGaussianBlur", "feMerge", "feMergeNode", "feMorphology", "feOffset", "fePointLight",
    "feSpecularLighting", "feSpotLight", "feTile", "feTurbulence",
))
_REFERRING = frozenset((f"{{{SVG_NS}}}image", f"{{{SVG_NS}}}use"))
_DATA_IMAGE_RE = re.compile(r"data:image/(png|jpeg|gif|webp);base64,", re.IGNORECASE)


def check_svg_size(size: int, limits: Limits = DEFAULT) -> None:
    """An SVG file of `size` bytes over the `svg_kb` budget: ImageError."""
    if size > limits.svg_kb * 1000:
        raise ImageError(f"weighs {size // 1000} KB, over the budget of {limits.svg_kb} KB "
                         f"for an SVG drawing (simplify it, or export it as PNG, or "
                         f"{advice('svg_kb')})")


def _parse_svg(data: bytes, limits: Limits = DEFAULT) -> etree._Element:
    check_svg_size(len(data), limits)
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             huge_tree=False, remove_comments=True, remove_pis=True)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as error:
        raise ImageError(f"is not a well-formed SVG file ({error.msg}) (export it again as "
                         "plain SVG)") from None
    dtd = root.getroottree().docinfo.internalDTD
    if dtd is not None and list(dtd.iterentities()):
        raise ImageError("declares XML entities, which can read other files or expand into "
                         "gigabytes (export it again as plain SVG, without a DOCTYPE: Inkscape "
                         "'Plain SVG', Illustrator 'SVG 1.1' with no DTD)")
    if root.tag != f"{{{SVG_NS}}}svg":
        raise ImageError("is not an SVG drawing (its root is not <svg>) (export it again as SVG)")
    count = sum(1 for _ in root.iter())
    if count > limits.svg_elements:
        raise ImageError(f"has {count} elements, over the budget of {limits.svg_elements} for an "
                         f"SVG drawing (simplify it, or export it as PNG, or "
                         f"{advice('svg_elements')})")
    return root


_SCRIPTED = ("javascript:", "expression(", "behavior:", "-moz-binding")


def _at(element: etree._Element, reference: css.Reference) -> css.Reference:
    """A reference of an element's CSS, its line made the SVG file's."""
    from . import css

    return css.Reference(reference.address, (element.sourceline or 1) + reference.line - 1)


def _clean_href(element: etree._Element, name: str, value: str,
                dropped: list[css.Reference], limits: Limits) -> bool:
    """Whether a reference may stay: to an element of the file, or an embedded raster image
    (which is cleaned like any other image)."""
    from . import css

    value = value.strip()
    if value.startswith("#"):
        return True
    match = _DATA_IMAGE_RE.match(value)
    if match and element.tag == f"{{{SVG_NS}}}image":
        try:
            raw = base64.b64decode(value[match.end():], validate=False)
            kept = prepare(raw, Target((4000, 4000), 90), limits)
        except ImageError as error:
            if "budget" in str(error):  # a bomb inside the drawing: refused, not dropped
                raise ImageError(f"holds an embedded image that {error}") from None
            return False
        except ValueError:
            return False
        kind = "png" if kept.suffix == ".png" else "jpeg"
        element.set(name, f"data:image/{kind};base64," + base64.b64encode(kept.data).decode())
        return True
    if element.tag in _REFERRING:  # what it draws is missing (a link's loss is not seen)
        dropped.append(css.Reference(value if not match else value[:40] + "...",
                                     element.sourceline or 1))
    return False


def _clean_element(element: etree._Element, dropped: list[css.Reference],
                   limits: Limits = DEFAULT) -> None:
    """Keep only the allowed attributes of `element`, and its allowed children, cleaned;
    each reference outside the drawing left out is added to `dropped`."""
    from . import css  # tinycss2: imported with the first SVG, not at start

    for name, value in list(element.attrib.items()):
        local = name.split("}")[-1]
        namespace = name[1:].split("}")[0] if name.startswith("{") else ""
        if local == "href" and namespace in ("", XLINK_NS):
            keep = _clean_href(element, name, value, dropped, limits)
        elif namespace in ("", XML_NS) and not local.lower().startswith("on") \
                and not any(word in value.lower() for word in _SCRIPTED):
            if local == "style":
                cleaned, found = css.clean_svg_declarations(value)
                local_value: str | None = cleaned if cleaned.strip() or not value.strip() \
                    else None
            else:
                local_value, found = css.clean_svg_value(value)
            dropped += [_at(element, reference) for reference in found]
            keep = local_value is not None
            if keep and local_value != value:
                element.set(name, local_value or "")
        else:
            keep = False
        if not keep:
            del element.attrib[name]
    for child in list(element):
        tag = child.tag if isinstance(child.tag, str) else ""
        allowed = tag.startswith(f"{{{SVG_NS}}}") and tag.split("}")[-1] in SVG_ELEMENTS
        if allowed and tag == f"{{{SVG_NS}}}style":
            text, found = css.clean_svg_stylesheet(child.text or "")
            dropped += [_at(child, reference) for reference in found]
            child.text = text
        if allowed:
            _clean_element(child, dropped, limits)
            if tag in _REFERRING and not any(name.endswith("href") for name in child.attrib):
                allowed = False  # an image or a use whose reference was outside: nothing to draw
        if not allowed:
            if child.tail:  # the text after a removed element stays where it was
                previous = child.getprevious()
                if previous is not None:
                    previous.tail = (previous.tail or "") + child.tail
                else:
                    element.text = (element.text or "") + child.tail
            element.remove(child)


def clean_svg(data: bytes, limits: Limits = DEFAULT) -> bytes:
    """An SVG file -> the same drawing without scripts, event handlers, foreign objects,
    animations, metadata, comments or references outside the file; an SVG with XML entities
    is refused (ImageError), and so is one over the `limits` (its size, its elements, the pixels
    of an image it embeds)."""
    return cleaned_svg(data, limits)[0]


def cleaned_svg(data: bytes, limits: Limits = DEFAULT) -> tuple[bytes, list[css.Reference]]:
    """clean_svg(), and the references outside the drawing it left out (addresses, with
    their lines in the SVG file): what the drawing lacks (lint warns of them)."""
    root = _parse_svg(data, limits)
    dropped: list[css.Reference] = []
    _clean_element(root, dropped, limits)
    etree.cleanup_namespaces(root)
    return etree.tostring(root, encoding="utf-8", xml_declaration=True), dropped
