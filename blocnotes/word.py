"""From Word to a Bloc-Notes: a .docx read by Pandoc's docx reader (the reference for
fidelity), its document tree made into this project's Markdown (figures with captions and
credits, tables with captions, notes, the front matter of `new`), and what does not translate
said, each at its paragraph.

Reading (`read`) runs Pandoc and looks at the file's XML; `source` is pure: a Word document
-> the text of a source and its images, named for it."""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
import subprocess
import tempfile
import textwrap
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree

from . import starter
from .errors import BlocNotesError, Diagnostic, spans

# A .docx is a zip: bounded before anything is unpacked (a zip bomb), and Pandoc's run too.
MAX_UNPACKED = 512 << 20
MAX_MEMBERS = 10_000
PANDOC_SECONDS = 120

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W, "m": "http://schemas.openxmlformats.org/officeDocument/2006/math",
      "dc": "http://purl.org/dc/elements/1.1/",
      "cp": "http://schemas.openxmlformats.org/package/2006/metadata/core-properties",
      "dcterms": "http://purl.org/dc/terms/"}
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # an encrypted .docx, or an old .doc

# Words that open a figure's caption, a table's caption, a credit and a source line, in the
# languages of the house; the label itself ("Photo 2 :") is not kept: the layout has its own.
FIGURE_WORDS = ("figure", "photo", "photographie", "illustration", "image", "carte", "abbildung",
                "bild", "foto", "karte", "map", "picture")
TABLE_WORDS = ("tableau", "table", "tabelle")
CREDIT_RE = re.compile(r"^(©|\(c\)|crédits?\b|credits?\b|foto:|bildnachweis\b)", re.IGNORECASE)
LABEL_RE = re.compile(r"^\s*(?P<word>[^\W\d_]+)\.?\s*(?:n[°º]\s*)?\d*\s*[:.–—-]\s*", re.UNICODE)
ABSTRACT_HEADINGS = ("bloc-notes", "résumé", "resume", "chapeau", "abstract", "summary",
                     "in brief", "kurz gefasst", "zusammenfassung")
NUMBER_RE = re.compile(r"^[−+-]?\s*[\d\s  .,]+\s*(%|€|k€|m€|€/m²|m²|ha|km|hab\.?)?$")
SUPERSCRIPTS = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
# What Pandoc's Markdown writer may use that this project's Markdown reads.
WRITER = ("markdown-smart-escaped_line_breaks-simple_tables-multiline_tables-grid_tables"
          "-fenced_divs-bracketed_spans-native_divs-native_spans-raw_attribute-header_attributes"
          "-auto_identifiers-strikeout-superscript-subscript"
          "-fancy_lists-startnum-example_lists-tex_math_dollars-citations"
          "+pipe_tables+footnotes+link_attributes+raw_html+table_captions")
SPLIT = "BLOCNOTES-IMPORT-SPLIT"


@dataclass
class Word:
    """A Word file as read: Pandoc's document tree, its media, its core properties and what
    its XML holds that does not translate."""

    path: Path
    ast: dict[str, Any]
    media: dict[str, bytes]  # Pandoc's path of each image -> its bytes, as the camera gave them
    title: str = ""
    authors: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    created: dt.date | None = None
    warnings: list[Diagnostic] = field(default_factory=list)


@dataclass(frozen=True)
class Imported:
    """A source to write: its file name, its text and its images (file name -> bytes)."""

    name: str
    text: str
    images: dict[str, bytes]
    warnings: tuple[Diagnostic, ...]


# --- reading: the file, its XML, Pandoc ---------------------------------------------------------


def _archive(path: Path) -> zipfile.ZipFile:
    """The .docx as a zip, after the checks that make a clean error of anything else."""
    try:
        head = path.read_bytes()[:8]
    except FileNotFoundError:
        raise BlocNotesError(path, None, "no such file (check the path)") from None
    except OSError as error:
        raise BlocNotesError(path, None, f"cannot be read: {error.strerror}") from None
    if head == OLE:
        raise BlocNotesError(path, None, "is protected by a password, or is an old Word file "
                             "(.doc): open it in Word and save it as .docx without a password")
    try:
        archive = zipfile.ZipFile(path)
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError):
        raise BlocNotesError(path, None, "is not a Word file (.docx) or is damaged (open it in "
                             "Word and save it again as .docx)") from None
    if "word/document.xml" not in archive.namelist():
        raise BlocNotesError(path, None, "is not a Word file: it has no word/document.xml (save "
                             "it from Word as .docx)")
    if len(members) > MAX_MEMBERS or sum(m.file_size for m in members) > MAX_UNPACKED:
        raise BlocNotesError(path, None, f"unpacks to more than {MAX_UNPACKED >> 20} MB or "
                             f"{MAX_MEMBERS} files (compress its pictures in Word and save it "
                             "again)")
    return archive


def _xml(archive: zipfile.ZipFile, name: str, path: Path) -> etree._Element | None:
    try:
        data = archive.read(name)
    except KeyError:
        return None
    except (zipfile.BadZipFile, OSError, ValueError):
        raise BlocNotesError(path, None, f"is damaged ({name} cannot be read): open it in Word "
                             "and save it again") from None
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        return etree.fromstring(data, parser)
    except etree.XMLSyntaxError:
        raise BlocNotesError(path, None, f"is damaged ({name} is not XML): open it in Word and "
                             "save it again") from None


def _paragraphs(numbers: list[int]) -> str:
    """[3, 5, 6, 7] -> 'paragraph 3' / 'paragraphs 3, 5–7'."""
    return f"paragraph{'s' if len(numbers) > 1 else ''} {spans(numbers)}"


def _untranslated(document: etree._Element, path: Path, accept_changes: bool
                  ) -> list[Diagnostic]:
    """What the file holds that a Bloc-Notes does not (one warning per kind, at the
    paragraphs that hold it); tracked changes are an error unless they are accepted."""
    found: dict[str, list[int]] = {}
    for number, paragraph in enumerate(document.iter(f"{{{W}}}p"), start=1):
        def has(xpath: str, paragraph: etree._Element = paragraph) -> bool:
            return bool(paragraph.xpath(xpath, namespaces=NS))

        checks = {
            "changes": "./w:ins | ./w:del | ./w:r/w:rPr/w:rPrChange | ./w:pPr/w:pPrChange"
                       " | ./w:moveFrom | ./w:moveTo",
            "comments": ".//w:commentReference",
            "text boxes": ".//w:txbxContent",
            "SmartArt": ".//*[local-name()='relIds' and contains(namespace-uri(), 'diagram')]",
            "equations": ".//m:oMath",
            "colours": "./w:r/w:rPr/w:color[@w:val!='auto' and @w:val!='000000']"
                       " | ./w:r/w:rPr/w:highlight | ./w:r/w:rPr/w:shd",
            "fonts": "./w:r/w:rPr/w:rFonts[@w:ascii or @w:hAnsi]",
        }
        for kind, xpath in checks.items():
            if has(xpath):
                found.setdefault(kind, []).append(number)
    said = {
        "changes": "tracked changes accepted as they stand",
        "comments": "comments dropped (they are notes to the authors, not text to publish)",
        "text boxes": "text boxes: their text is set where they are anchored (check it reads "
                      "in order)",
        "SmartArt": "SmartArt dropped (export it as a picture, insert the picture, and import "
                    "again)",
        "equations": "equations kept as their TeX text, in code (write them out in words)",
        "colours": "colours chosen by hand dropped (the house style sets the colours)",
        "fonts": "fonts chosen by hand dropped (the house style sets the fonts)",
    }
    if "changes" in found and not accept_changes:
        raise BlocNotesError(path, None, f"{_paragraphs(found['changes'])}: tracked changes "
                             "(accept or reject them in Word, or import with --accept-changes "
                             "to take them as they stand); nothing was written")
    return [Diagnostic(path, None, f"{_paragraphs(numbers)}: {said[kind]}")
            for kind, numbers in found.items()]


def _core(archive: zipfile.ZipFile, path: Path) -> tuple[str, tuple[str, ...], tuple[str, ...],
                                                         dt.date | None]:
    """Title, authors, keywords and creation date from the file's core properties."""
    core = _xml(archive, "docProps/core.xml", path)
    if core is None:
        return "", (), (), None

    def text(xpath: str) -> str:
        return " ".join("".join(core.xpath(xpath, namespaces=NS)).split())

    def items(value: str) -> tuple[str, ...]:
        return tuple(item.strip() for item in re.split(r"[;,]", value) if item.strip())

    created = None
    with_date = re.match(r"(\d{4})-(\d{2})-(\d{2})", text("dcterms:created/text()"))
    if with_date:
        try:
            created = dt.date(*map(int, with_date.groups()))
        except ValueError:
            created = None
    return (text("dc:title/text()"), items(text("dc:creator/text()")),
            items(text("cp:keywords/text()")), created)


def _pandoc() -> str:
    try:
        import pypandoc
    except ImportError:
        raise BlocNotesError(Path("build.py"), None, "the Word import needs Pandoc's reader, "
                             "which 'make' does not install: type 'make import DOCX=…' (it "
                             "installs it once), or .venv/bin/pip install 'blocnotes[word]'") from None
    return str(pypandoc.get_pandoc_path())


def _run(arguments: list[str], path: Path, data: bytes | None = None) -> bytes:
    try:
        done = subprocess.run([_pandoc(), *arguments], input=data, capture_output=True,
                              timeout=PANDOC_SECONDS, check=False)
    except subprocess.TimeoutExpired:
        raise BlocNotesError(path, None, f"Pandoc did not read it in {PANDOC_SECONDS} s (is it "
                             "very large? split it, or compress its pictures)") from None
    if done.returncode != 0:
        reason = done.stderr.decode("utf-8", "replace").strip().splitlines() or ["no reason"]
        raise BlocNotesError(path, None, f"Pandoc could not read it ({reason[-1][:120]}): open "
                             "it in Word and save it again as .docx")
    return done.stdout


def read(path: Path, accept_changes: bool = False) -> Word:
    """A .docx -> Word (its tree by Pandoc's docx reader, with custom styles, tracked changes
    accepted once checked; its media as the file holds them)."""
    archive = _archive(path)
    document = _xml(archive, "word/document.xml", path)
    assert document is not None  # _archive checked it is there
    warnings = _untranslated(document, path, accept_changes)
    title, authors, keywords, created = _core(archive, path)
    with tempfile.TemporaryDirectory(prefix="blocnotes-import-") as folder:
        tree = _run(["--from", "docx+styles", "--to", "json", "--track-changes=accept",
                     f"--extract-media={folder}", str(path)], path)
        media = {str(file.relative_to(folder)): file.read_bytes()
                 for file in Path(folder).rglob("*") if file.is_file()}
        ast = json.loads(tree)
    # Pandoc names media by its folder: keep the part after it.
    return Word(path, _relative_media(ast, folder), media, title, authors, keywords, created,
                warnings)


def _relative_media(ast: dict[str, Any], folder: str) -> dict[str, Any]:
    for node in _nodes(ast["blocks"]):
        if node.get("t") == "Image":
            target = node["c"][2]
            target[0] = target[0].removeprefix(folder).lstrip("/")
    return ast


def write_markdown(blocks: list[dict[str, Any]], api: list[int], path: Path) -> str:
    """Blocks of Pandoc's tree -> this project's Markdown, by Pandoc's Markdown writer."""
    document = {"pandoc-api-version": api, "meta": {}, "blocks": blocks}
    return _run(["--from", "json", "--to", WRITER, "--wrap=none"], path,
                json.dumps(document).encode("utf-8")).decode("utf-8")


# --- the tree: pure functions -------------------------------------------------------------------


def _nodes(value: Any) -> Iterator[dict[str, Any]]:
    """Every node of a piece of Pandoc's tree, depth first."""
    if isinstance(value, dict):
        if "t" in value:
            yield value
        for item in value.values():
            yield from _nodes(item)
    elif isinstance(value, list):
        for item in value:
            yield from _nodes(item)


def text_of(inlines: list[dict[str, Any]]) -> str:
    """The plain text of inlines."""
    parts = []
    for node in _nodes(inlines):
        kind = node["t"]
        if kind in ("Str", "Code", "Math"):
            parts.append(node["c"] if kind == "Str" else node["c"][1])
        elif kind in ("Space", "SoftBreak", "LineBreak"):
            parts.append(" ")
    return " ".join("".join(parts).split())


def _inlines(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Inlines as this project's Markdown holds them: Pandoc's custom-style Spans unwrapped,
    underline, small capitals, strike-through and subscript made plain, superscript digits
    as superscript characters (m²), an equation as its TeX text in code."""
    result: list[dict[str, Any]] = []
    for item in items:
        kind, content = item["t"], item.get("c")
        if kind == "Span":
            result += _inlines(content[1])
        elif kind in ("Underline", "SmallCaps", "Strikeout", "Subscript"):
            result += _inlines(content)
        elif kind == "Superscript":
            text = text_of(content)
            result += ([{"t": "Str", "c": text.translate(SUPERSCRIPTS)}] if text.isdigit()
                       else _inlines(content))
        elif kind == "Math":
            result.append({"t": "Code", "c": [["", [], []], content[1]]})
        elif kind in ("Emph", "Strong"):
            result.append({"t": kind, "c": _inlines(content)})
        elif kind == "Link":
            result.append({"t": kind, "c": [["", [], []], _inlines(content[1]), content[2]]})
        elif kind == "Image":
            result.append({"t": kind, "c": [content[0], _inlines(content[1]), content[2]]})
        elif kind == "Quoted":
            result.append({"t": kind, "c": [content[0], _inlines(content[1])]})
        elif kind == "Note":
            result.append({"t": kind, "c": _blocks(content)})
        else:
            result.append(item)
    return result


def _cell(cell: list[Any]) -> list[Any]:
    attr, align, rows, columns, content = cell
    return [attr, align, rows, columns, _blocks(content)]


def _rows(rows: list[Any]) -> list[Any]:
    return [[attr, [_cell(cell) for cell in cells]] for attr, cells in rows]


def _block(block: dict[str, Any]) -> list[dict[str, Any]]:
    """One block as this project's Markdown holds it (see _inlines); a Div unwrapped."""
    kind, content = block["t"], block.get("c")
    if kind in ("Para", "Plain"):
        return [{"t": kind, "c": _inlines(content)}]
    if kind == "Header":
        return [{"t": kind, "c": [content[0], ["", [], []], _inlines(content[2])]}]
    if kind == "Div":
        return _blocks(content[1])
    if kind == "BlockQuote":
        return [{"t": kind, "c": _blocks(content)}]
    if kind == "BulletList":
        return [{"t": kind, "c": [_item(item) for item in content]}]
    if kind == "OrderedList":
        return [{"t": kind, "c": [content[0], [_item(item) for item in content[1]]]}]
    if kind == "DefinitionList":
        return [{"t": kind, "c": [[_inlines(term), [_blocks(d) for d in definitions]]
                                  for term, definitions in content]}]
    if kind == "Figure":
        attr, (short, caption), body = content
        return [{"t": kind, "c": [attr, [short, _blocks(caption)], _blocks(body)]}]
    if kind == "Table":
        attr, (short, caption), specs, (head_attr, head), bodies, (foot_attr, foot) = content
        bodies = [[b_attr, heads, _rows(head_rows), _rows(rows)]
                  for b_attr, heads, head_rows, rows in bodies]
        return [{"t": kind, "c": [["", [], []], [short, _blocks(caption)], specs,
                                  [head_attr, _rows(head)], bodies, [foot_attr, _rows(foot)]]}]
    return [block]


def _item(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A list item: its first paragraph plain, so that a list of one-line items is a tight
    list, as typed (each item is a paragraph in Word)."""
    cleaned = _blocks(blocks)
    if cleaned and cleaned[0]["t"] == "Para" and all(
            block["t"] in ("BulletList", "OrderedList") for block in cleaned[1:]):
        cleaned[0] = {"t": "Plain", "c": cleaned[0]["c"]}
    return cleaned


def _blocks(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [cleaned for block in blocks for cleaned in _block(block)]


def _starts_with(inlines: list[dict[str, Any]], words: tuple[str, ...]) -> bool:
    match = LABEL_RE.match(text_of(inlines))
    return bool(match and match.group("word").casefold() in words)


def _without_label(inlines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """'Photo 2 : La halle' -> 'La halle' (the label's words dropped from the inlines)."""
    match = LABEL_RE.match(text_of(inlines))
    if not match:
        return inlines
    drop = len("".join(match.group(0).split()))  # its characters, spaces aside
    kept = copy.deepcopy(inlines)
    while kept and drop > 0:
        first = kept[0]
        if first["t"] == "Str":
            if len(first["c"]) <= drop:
                drop -= len(first["c"])
                kept.pop(0)
            else:
                first["c"] = first["c"][drop:]
                drop = 0
        elif first["t"] in ("Space", "SoftBreak"):
            kept.pop(0)
        else:
            break
    while kept and kept[0]["t"] in ("Space", "SoftBreak"):
        kept.pop(0)
    if kept and kept[0]["t"] == "Str":
        kept[0]["c"] = kept[0]["c"][:1].upper() + kept[0]["c"][1:]
    return kept


def _lone_image(block: dict[str, Any]) -> dict[str, Any] | None:
    if block.get("t") not in ("Para", "Plain"):
        return None
    items = [item for item in block["c"] if item["t"] not in ("Space", "SoftBreak", "LineBreak")]
    return items[0] if len(items) == 1 and items[0]["t"] == "Image" else None


def _figure(image: dict[str, Any], caption: list[dict[str, Any]], credit: str,
            src: str) -> dict[str, Any]:
    """A figure in this project's form: the caption between the brackets, the alt text
    (Word's description) in fig-alt when it says something else, the credit."""
    alt = text_of(image["c"][1])
    attributes = []
    if alt and alt != text_of(caption):
        attributes.append(["fig-alt", alt])
    if credit:
        attributes.append(["credit", credit])
    picture = {"t": "Image", "c": [["", [], attributes], caption or image["c"][1],
                                   [src, ""]]}
    return {"t": "Figure", "c": [["", [], []], [None, [{"t": "Plain", "c": caption}]],
                                 [{"t": "Plain", "c": [picture]}]]}


def _is_number(text: str) -> bool:
    return bool(text.strip()) and bool(NUMBER_RE.match(text.strip()))


def _aligned(table: dict[str, Any]) -> dict[str, Any]:
    """Columns of numbers right-aligned (the cells of most rows are numbers)."""
    attr, caption, specs, head, bodies, foot = table["c"]
    rows = [row for body in bodies for row in body[3]]
    for column, spec in enumerate(specs):
        cells = [text_of(row[1][column][4]) for row in rows if column < len(row[1])]
        filled = [cell for cell in cells if cell.strip()]
        if filled and sum(map(_is_number, filled)) * 2 > len(filled):
            spec[0] = {"t": "AlignRight"}
    return {"t": "Table", "c": [attr, caption, specs, head, bodies, foot]}


def _table_caption(table: dict[str, Any], inlines: list[dict[str, Any]]) -> None:
    table["c"][1] = [None, [{"t": "Plain", "c": _without_label(inlines)}]]


def _merge_lists(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Adjacent lists of one kind as one list (Word restarts nothing between them)."""
    merged: list[dict[str, Any]] = []
    for block in blocks:
        last = merged[-1] if merged else None
        if last and block["t"] == last["t"] == "BulletList":
            last["c"] = last["c"] + block["c"]
        elif (last and block["t"] == last["t"] == "OrderedList"
              and block["c"][0][0] == last["c"][0][0] + len(last["c"][1])):
            last["c"][1] = last["c"][1] + block["c"][1]
        else:
            merged.append(block)
    return merged


@dataclass
class _Front:
    title: str = ""
    dateline: str = ""
    abstract: list[dict[str, Any]] = field(default_factory=list)


def _front(blocks: list[dict[str, Any]], title: str) -> tuple[_Front, list[dict[str, Any]]]:
    """The title (the Title style, else the first heading), the dateline (a first short
    paragraph in italics) and the abstract (paragraphs under 'Bloc-Notes', 'Résumé'..., else a
    paragraph in italics) of what comes before the first section."""
    front = _Front(title=title)
    if not front.title:
        for index, block in enumerate(blocks):
            if block["t"] == "Header":
                front.title = text_of(block["c"][2])
                blocks = blocks[:index] + blocks[index + 1:]
                break
    first = next((i for i, block in enumerate(blocks)
                  if block["t"] == "Header" and block["c"][0] == 1), len(blocks))
    before, after = blocks[:first], blocks[first:]
    kept: list[dict[str, Any]] = []
    index = 0
    while index < len(before):
        block = before[index]
        italic = (block["t"] == "Para" and block["c"]
                  and all(item["t"] == "Emph" or item["t"] in ("Space", "SoftBreak")
                          for item in block["c"]))
        if block["t"] == "Header" and text_of(block["c"][2]).casefold().strip(" :") in \
                ABSTRACT_HEADINGS and not front.abstract:
            index += 1
            while index < len(before) and before[index]["t"] == "Para":
                front.abstract.append(before[index])
                index += 1
            continue
        if italic and not front.dateline and len(text_of(block["c"])) <= 120 and \
                re.search(r"\d{4}|\d{1,2}\s", text_of(block["c"])):
            front.dateline = text_of(block["c"])
        elif italic and not front.abstract:
            front.abstract = [{"t": "Para", "c": [inline for item in block["c"]
                                                  for inline in (item["c"] if item["t"] == "Emph"
                                                                 else [item])]}]
        else:
            kept.append(block)
        index += 1
    return front, kept + after


def body_blocks(blocks: list[dict[str, Any]], media: dict[str, bytes], stem: str
                ) -> tuple[list[dict[str, Any]], dict[str, str], list[str]]:
    """The body's blocks in this project's forms: figures (with their captions and credits),
    tables (captions, numbers aligned), lists merged, headings at most three levels; the
    images' new names (Pandoc's path -> file name); what needs the editor's look."""
    names: dict[str, str] = {}
    todo: list[str] = []

    def named(src: str) -> str:
        if src not in names:
            suffix = Path(src).suffix.lower() or ".png"
            names[src] = f"{stem}-{len(names) + 1}{'.jpg' if suffix == '.jpeg' else suffix}"
        return names[src]

    result: list[dict[str, Any]] = []
    index = 0
    while index < len(blocks):
        block = blocks[index]
        following = blocks[index + 1] if index + 1 < len(blocks) else None
        image = _lone_image(block)
        if block["t"] == "Figure" or image is not None:
            if block["t"] == "Figure":
                caption = [item for part in block["c"][1][1] for item in part.get("c", [])]
                image = next(node for node in _nodes(block["c"][2]) if node["t"] == "Image")
            else:
                caption = []
                if following and following["t"] == "Para" and _starts_with(following["c"],
                                                                            FIGURE_WORDS):
                    caption = following["c"]
                    index += 1
                    following = blocks[index + 1] if index + 1 < len(blocks) else None
            credit = ""
            if following and following["t"] == "Para" and CREDIT_RE.match(text_of(following["c"])):
                credit = text_of(following["c"])
                index += 1
            assert image is not None
            caption = _without_label(caption)
            if not caption and not text_of(image["c"][1]):
                todo.append(f"an image without caption or description ({named(image['c'][2][0])})")
            result.append(_figure(image, caption, credit, named(image["c"][2][0])))
        elif block["t"] == "Table":
            table = _aligned(block)
            has_caption = any(text_of(part.get("c", [])) for part in table["c"][1][1])
            previous = result[-1] if result else None
            if not has_caption and previous and previous["t"] == "Para" and \
                    _starts_with(previous["c"], TABLE_WORDS):
                _table_caption(table, result.pop()["c"])
            elif has_caption:
                _table_caption(table, [item for part in table["c"][1][1]
                                       for item in part.get("c", [])])
            result.append(table)
        elif block["t"] == "Header":
            level, attr, content = block["c"]
            result.append({"t": "Header", "c": [min(level, 3), attr, content]})
        else:
            result.append(block)
        index += 1
    missing = [src for src in names if src not in media]
    todo += [f"the image {src} is not in the file" for src in missing]
    return _merge_lists(result), names, todo


def _markdown_text(markdown: str) -> str:
    """Pandoc's Markdown as this project reads it: a caption's table line written 'Table:'."""
    return re.sub(r"(?m)^  : ", "Table: ", re.sub(r"(?m)^: ", "Table: ", markdown)).strip() + "\n"


def source(word: Word, lang: str, date: dt.date | None, style: str | None) -> Imported:
    """A Word document -> a source (front matter as `new` writes it, the fields it could not
    tell marked TODO) and its images, named after its title."""
    blocks = _blocks(word.ast["blocks"])
    title = word.title or text_of(word.ast.get("meta", {}).get("title", {}).get("c", []))
    front, blocks = _front(blocks, title)
    title = front.title or word.path.stem.replace("_", " ")
    name = starter.file_name(title, lang)
    body, names, todo = body_blocks(blocks, word.media, Path(name).stem)
    api = word.ast["pandoc-api-version"]
    marker = {"t": "Para", "c": [{"t": "Str", "c": SPLIT}]}
    written = write_markdown([*front.abstract, marker, *body], api, word.path)
    abstract, _, text = written.partition(SPLIT)
    text = _markdown_text(text)
    for src, file_name in names.items():
        text = text.replace(f"]({src})", f"]({file_name})")
    when = date or word.created or dt.date.today()
    values: dict[str, Any] = {
        "dateline": starter.yaml_scalar(front.dateline or "TODO"),
        "abstract": "\n".join(textwrap.wrap(" ".join(abstract.split()), 88))
                    if abstract.strip() else "TODO",
        "keywords": [starter.yaml_scalar(k) for k in word.keywords] or ["TODO"],
        "authors": [starter.yaml_scalar(a) for a in word.authors] or ["TODO"],
        "body": text.rstrip("\n"),
    }
    if style:
        values["style"] = starter.yaml_scalar(style)
    warnings = [*word.warnings, *(Diagnostic(word.path, None, f"{item}: describe it in the "
                                             "source") for item in todo)]
    return Imported(name, starter.starter(title, when, lang, **values),
                    {file_name: word.media[src] for src, file_name in names.items()
                     if src in word.media}, tuple(warnings))
