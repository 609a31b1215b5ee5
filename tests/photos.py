"""Photos and drawings as editors bring them, made on the spot (tests and `make bench`): camera
JPEGs with private EXIF and XMP, a CMYK scan, an iPhone HEIC, a screenshot, hostile SVGs."""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw
from PIL.PngImagePlugin import PngInfo

# What must never reach an output: the device's serial number, its owner, the place.
SERIAL = "SN-0042-PRIVATE"
OWNER = "Camille Secret"
GPS = {1: "N", 2: (47.0, 44.0, 58.0), 3: "E", 4: (7.0, 20.0, 24.0)}  # Mulhouse
XMP = (f'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/'
       f'22-rdf-syntax-ns#"><rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/">'
       f"<dc:creator>{OWNER}</dc:creator></rdf:Description></rdf:RDF></x:xmpmeta>").encode()
RED = (220, 30, 30)


def photo(size: tuple[int, int], seed: int = 0, grain: int = 8) -> Image.Image:
    """A photo-like RGB picture: noise `grain` pixels wide (1: a camera's sensor noise, as
    heavy to compress), gradients, fine lines (sharpness shows on them), and a red block at
    the top left (where "up" is)."""
    width, height = size
    noise = Image.effect_noise((max(1, width // grain), max(1, height // grain)), 50 + seed)
    noise = noise.resize(size, Image.Resampling.BICUBIC)
    ramp = Image.linear_gradient("L").resize(size)
    image = Image.merge("RGB", (noise, ramp, ramp.transpose(Image.Transpose.ROTATE_180)))
    draw = ImageDraw.Draw(image)
    step = max(4, width // 200)
    for x in range(width // 2, width, step):  # thin lines, on the right half
        draw.line([(x, height // 3), (x, 2 * height // 3)], fill=(250, 250, 250), width=1)
    for radius in range(height // 20, height // 3, height // 20):
        draw.ellipse([width // 4 - radius, height // 2 - radius, width // 4 + radius,
                      height // 2 + radius], outline=(20, 20, 20), width=max(2, width // 800))
    draw.rectangle([0, 0, width // 6, height // 6], fill=RED)
    return image


def private_exif(orientation: int = 1) -> Image.Exif:
    """EXIF as a phone writes it: device, serial number, owner, time and GPS position."""
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0110] = "Phone 15"  # Model
    exif[0x013B] = OWNER  # Artist
    exif[0x0132] = "2024:05:17 10:42:00"  # DateTime
    exif[0xA431] = SERIAL  # BodySerialNumber
    exif[0x0112] = orientation
    exif[0x8825] = GPS  # GPSInfo
    return exif


def camera_jpeg(path: Path, size: tuple[int, int], orientation: int = 1, seed: int = 0,
                grain: int = 8) -> None:
    """A camera JPEG, stored sideways when `orientation` says to turn it (6: 90° clockwise)."""
    image = photo(size, seed, grain)
    if orientation == 6:  # the sensor's pixels: what the viewer turns back clockwise
        image = image.transpose(Image.Transpose.ROTATE_90)
    image.save(path, "JPEG", quality=92, exif=private_exif(orientation), xmp=XMP)


def cmyk_jpeg(path: Path, size: tuple[int, int], profile: bytes) -> None:
    """A CMYK JPEG with its ICC profile, as a scanner or a print archive gives (Adobe's
    inverted CMYK); a patch of C0 M100 Y100 K0 (red) at the top left."""
    image = photo(size, 3).convert("CMYK")
    ImageDraw.Draw(image).rectangle([0, 0, size[0] // 6, size[1] // 6], fill=(0, 255, 255, 0))
    image.save(path, "JPEG", quality=92, exif=private_exif(), xmp=XMP, icc_profile=profile)


def phone_heic(path: Path, size: tuple[int, int], orientation: int = 1) -> None:
    """An iPhone's HEIC, with its EXIF (x265's fastest preset: tests must not wait). Held
    upright (`orientation` 6), it is stored as the sensor sees it, sideways, with both an
    'irot' transform (what HEIF readers apply) and the EXIF orientation, as an iPhone writes
    it (pillow-heif turns the EXIF orientation into the 'irot' box)."""
    from blocnotes.images import _register_heif

    _register_heif()
    image = photo(size, 5)
    if orientation == 6:
        image = image.transpose(Image.Transpose.ROTATE_90)
    # EXIF as bytes: pillow-heif reads the orientation from bytes only
    image.save(path, "HEIF", quality=60, exif=private_exif(orientation).tobytes(),
               enc_params={"preset": "ultrafast"})


def screenshot_png(path: Path, size: tuple[int, int] = (1600, 1000)) -> None:
    """A screenshot: flat colours, hard edges, a few words' worth of text-like bars."""
    image = Image.new("RGB", size, (245, 245, 245))
    draw = ImageDraw.Draw(image)
    draw.rectangle([0, 0, size[0], 60], fill=(0, 91, 112))
    for row in range(120, size[1] - 40, 36):
        draw.rectangle([40, row, 40 + (row * 37) % (size[0] - 200) + 100, row + 14],
                       fill=(40, 40, 40))
    info = PngInfo()
    info.add_text("Author", OWNER)
    image.save(path, "PNG", pnginfo=info, exif=private_exif())


SVG_HEAD = ('<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
            'width="400" height="200" viewBox="0 0 400 200">')
HOSTILE_SVGS = {
    "script.svg": SVG_HEAD + '<script>alert("script")</script>'
                  '<rect width="400" height="200" fill="#005b70"/></svg>',
    "handler.svg": SVG_HEAD.replace("<svg ", '<svg onload="alert(1)" ') +
                   '<rect width="200" height="200" fill="#c8d7dc" onclick="steal()"/>'
                   '<foreignObject width="10" height="10"><div xmlns="http://www.w3.org/1999/'
                   'xhtml">x</div></foreignObject></svg>',
    "external.svg": SVG_HEAD + '<image xlink:href="https://tracker.invalid/pixel.png" '
                    'width="10" height="10"/><rect width="100" height="100" '
                    'style="fill: url(https://tracker.invalid/paint)"/>'
                    '<style>@import url(https://tracker.invalid/x.css);</style>'
                    '<circle cx="300" cy="100" r="80" fill="#005b70"/></svg>',
}
ENTITY_SVG = ('<?xml version="1.0"?>\n<!DOCTYPE svg [\n<!ENTITY a "lol">\n'
              '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">\n]>\n'
              + SVG_HEAD + "<text>&b;</text></svg>")
HOSTILE_NEEDLES = ("script", "alert", "onload", "onclick", "steal", "foreignObject",
                   "tracker.invalid", "@import")
