"""Which outputs are up to date, judged by their inputs' contents.

Every output a build writes gets a record in `<out>/.build/<output name>.json`: the digest of
each file it was made from (the source, its images, agency.yaml, the files of the style it
chose and of its bases, its language's file), of the package and its pinned libraries, and
of the settings that change the bytes.
`dist` reuses an output whose record still matches: which style a source chooses is only
known by reading it, but a source that chooses another has changed, and the files of the
style it had are in the record. For make, a build also writes `<out>/.build/<slug>.d`, the
images, style files and language file each output of a source was made from, which the Makefile includes
(make only knows the sources).
"""

from __future__ import annotations

import hashlib
import json
import pickle
from collections.abc import Iterable, Mapping
from functools import cache
from importlib import metadata
from pathlib import Path

from . import __version__, atomic, digests
from .editions import EPUB, SCREEN, Edition, inputs_beside
from .languages import Language
from .style import Style

FOLDER = ".build"  # under the output folder: working state, never handed out


def _style_files(edition: Edition) -> tuple[str, ...]:
    """The files of a style an edition is made with: its stylesheets (the EPUB's, the screen
    PDF's too: it marks where the PDF's pages begin), the colours and the labels."""
    page_map = SCREEN.stylesheets if edition is EPUB else ()
    return (*page_map, *edition.stylesheets, "style.yaml", "labels.yaml")


KEPT = ("labels.yaml",)  # the style's files the document as built, kept for dist, is made with


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _file_digest(path: Path, notes: Path | None = None) -> str | None:
    """A file's digest (None: unreadable); a photo's remembered in `notes` while unchanged."""
    try:
        return digests.file_sha256(path, notes)
    except OSError:
        return None


def _notes(output: Path) -> Path:
    """Where the digests of an output's large inputs are remembered (digests.py)."""
    return _record_path(output).parent / "digests"


@cache
def toolchain() -> str:
    """The package's own code and templates, its version and its libraries' versions: a new
    release of any of them may change the bytes of every output."""
    package = Path(__file__).resolve().parent
    digest = hashlib.sha256(__version__.encode())
    for path in sorted([*package.glob("*.py"), *package.glob("templates/**/*")]):
        if path.is_file():
            digest.update(str(path.relative_to(package)).encode() + b"\0" + path.read_bytes())
    try:
        requirements = metadata.requires("blocnotes") or []
    except metadata.PackageNotFoundError:
        requirements = []
    for requirement in sorted(requirements):
        name = requirement.split(";")[0].split("==")[0].strip()
        if "extra ==" in requirement:
            continue  # test tools do not make outputs
        try:
            digest.update(f"{name}=={metadata.version(name)}".encode())
        except metadata.PackageNotFoundError:
            digest.update(name.encode())
    return digest.hexdigest()


def key(pdf_variant: str, allow_remote: bool, environ: Mapping[str, str]) -> str:
    """What, besides the input files, decides an output's bytes."""
    settings = json.dumps([pdf_variant, allow_remote, environ.get("SOURCE_DATE_EPOCH")])
    return _digest(f"{toolchain()} {settings}".encode())


def fixed_inputs(source: Path, agency: Path | None) -> list[Path]:
    """The input files known before the source is read (its style and images come from
    reading it)."""
    return [source, *([agency] if agency else [])]


def style_inputs(house: Style, edition: Edition | None) -> list[Path]:
    """The files of the style `house` that an `edition` is made with (None: the document as
    built, kept for dist's web page, see keep), in each folder of its chain that has them
    (its bases' first; the print shop's profile is shared by every style, beside their
    folders)."""
    names = _style_files(edition) if edition is not None else KEPT
    beside = inputs_beside(edition) if edition is not None else ()
    return [*(path for name in names for path in house.files.get(name, ())),
            *(house.folder.parent / name for name in beside)]


def language_inputs(language: Language | None) -> list[Path]:
    """The file of the language a document is in (languages/<code>.yaml): its words, months,
    typography and hyphenation make every output."""
    return [language.path] if language is not None else []


def _record_path(output: Path) -> Path:
    folder = output.parent if output.parent.name == FOLDER else output.parent / FOLDER
    return folder / f"{output.name}.json"


def record_file(output: Path, data: bytes, inputs: Iterable[Path], build_key: str,
                read: Mapping[str, str]) -> tuple[Path, bytes]:
    """The record of `output` (to be written with `data`): what it was made from, each input
    by the digest of the bytes the build read (`read`, the build's inputs.ledger), not of
    the file as it is now: a source saved during the build is then seen changed by the next
    one. (An input the build did not note, the print shop's profile, is read now.)"""
    entry = {"key": build_key, "output": _digest(data),
             "inputs": {key: read.get(key) or _file_digest(path, _notes(output))
                        for path in inputs for key in (str(path.resolve()),)}}
    return _record_path(output), json.dumps(entry, indent=1).encode("utf-8")


def is_fresh(output: Path, fixed: Iterable[Path], build_key: str) -> bool:
    """Whether `output` is as its record says and every input it was made from (the `fixed`
    ones included: a new agency.yaml beside a source counts) is unchanged."""
    try:
        entry = json.loads(_record_path(output).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    inputs: dict[str, str | None] = entry.get("inputs", {})
    if entry.get("key") != build_key or not {str(p.resolve()) for p in fixed} <= inputs.keys():
        return False
    if _file_digest(output) != entry.get("output"):
        return False
    return all(digest is not None and _file_digest(Path(path), _notes(output)) == digest
               for path, digest in inputs.items())


def kept_files(out: Path, slug: str, document: object, inputs: Iterable[Path], build_key: str,
               read: Mapping[str, str]) -> list[tuple[Path, bytes]]:
    """The document as built (typeset) and its record, to keep for a later `dist` that reuses
    its outputs and needs only its metadata and abstract: reading it back costs nothing,
    loading and typesetting the source again a tenth of a second (20 s for an archive of
    200)."""
    data = pickle.dumps(document, protocol=pickle.HIGHEST_PROTOCOL)
    path = out / FOLDER / f"{slug}.document"
    return [(path, data), record_file(path, data, inputs, build_key, read)]


def kept(out: Path, slug: str, fixed: Iterable[Path], build_key: str) -> object | None:
    """The document `keep` kept, if its source and agency.yaml did not change since.
    (A pickle, read only from our own build folder, beside the outputs it was made with,
    and only when its digest is the one recorded.)"""
    path = out / FOLDER / f"{slug}.document"
    if not is_fresh(path, fixed, build_key):
        return None
    try:
        return pickle.loads(path.read_bytes())
    except (OSError, pickle.UnpicklingError, AttributeError, EOFError):
        return None


def _make_path(path: Path) -> str:
    """A path as a make rule names it (spaces, '#' and '$' escaped)."""
    return str(path).replace("$", "$$").replace("#", "\\#").replace(" ", "\\ ")


def _make_paths(paths: Iterable[Path]) -> list[str]:
    return sorted({_make_path(path) for path in paths if "\n" not in str(path)
                   and ":" not in str(path)})


def write_depfile(out: Path, slug: str, targets: Mapping[str, Iterable[Path]],
                  images: Iterable[Path]) -> None:
    """`<out>/.build/<slug>.d`: the outputs of one source depend on its images, and each
    (name -> the style files of its kind) on its style's files (with an empty rule per file,
    so that make does not stop when one is deleted: the build says what is wrong)."""
    names = " ".join(_make_path(out / name) for name in targets)
    files = _make_paths(images)
    lines = [f"# the images and style files of {slug} (written by build.py, read by the Makefile)"]
    if files:
        lines.append(f"{names}: {' '.join(files)}")
    for name, inputs in targets.items():
        lines.append(f"{_make_path(out / name)}: {' '.join(_make_paths(inputs))}")
    every = sorted({*files, *(file for inputs in targets.values() for file in _make_paths(inputs))})
    lines += [f"{file}:" for file in every]
    path = out / FOLDER / f"{slug}.d"
    text = "\n".join(lines) + "\n"
    try:
        if path.read_text(encoding="utf-8") == text:
            return
    except OSError:
        pass
    atomic.write_bytes(path, text.encode("utf-8"))
