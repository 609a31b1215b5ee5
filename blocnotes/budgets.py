"""Budgets: the most a source may ask of a build (its size, its nesting, its table rows, notes
and headings, its images, the build's time and memory), each refused with one clean line at
the place where it is exceeded; generous defaults, overridable in agency.yaml (`limits:`).

The checks on text run before the recursive parsers (PyYAML, Python-Markdown, lxml) see it:
a list nested 300 deep would exhaust Python's stack in Markdown, a value nested 10,000 deep
in YAML, an element nested 256 deep lxml's."""

from __future__ import annotations

import dataclasses
import difflib
import re
import resource
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import BlocNotesError
from .rows import heading_lines, prose_rows

KEY = "limits"  # the agency.yaml mapping that overrides the defaults


@dataclass(frozen=True)
class Limits:
    """The budgets of one source's build. The defaults are ten times what the longest real
    Bloc-Notes needs, or more (tests/fixtures/long: 42 KB, 24 headings; nesting 3 deep)."""

    source_kb: int = 1000  # the source file, front matter included
    depth: int = 30  # nesting of lists, quotes, HTML elements, emphasis, YAML values
    table_rows: int = 5000  # rows of one table
    notes: int = 1000  # footnotes of the document
    headings: int = 500  # headings (sections and sub-headings)
    # notes the PDF sets at the foot of their page; a document with more has them at the end
    # of their section, as the EPUB does: WeasyPrint lays footnotes out again at each step
    # of balancing two columns (100 notes in one section: 3.5 minutes; 500 notes at their
    # sections' ends: 9 s for the whole build)
    footnotes: int = 30
    svg_kb: int = 10_000  # one SVG drawing's file
    svg_elements: int = 100_000  # elements of one SVG drawing
    image_megapixels: int = 120  # one raster image, decoded (every format, palette, 16-bit)
    build_seconds: int = 600  # one source's build, all its editions
    build_memory_mb: int = 2000  # memory the build may take, over what its process holds


DEFAULT = Limits()
# Beyond these a parser or the renderer fails on its own whatever the budget says: Python's
# stack (Markdown), lxml's 256 levels (the rendition's template adds ~10 to the body's),
# Pillow's refusal of images over 178 megapixels.
CEILINGS = {"depth": 60, "image_megapixels": 170}
NAMES = {field.name.replace("_", "-"): field.name for field in dataclasses.fields(Limits)}
HOW = "raise '{key}' under 'limits:' in agency.yaml if the document really needs it"


def advice(attribute: str) -> str:
    """How to raise one budget (for an error's parenthesis)."""
    return HOW.format(key=attribute.replace("_", "-"))


def from_agency(value: Any, path: Path, line: int | None, text: str = "") -> Limits:
    """The `limits:` mapping of an agency.yaml (at `line` of `path`, whose `text` locates its
    keys) -> Limits; an unknown name or a value that is not a whole number above zero (or
    is over a parser's ceiling) is an error at its line."""
    if value is None:
        return DEFAULT
    if not isinstance(value, dict):
        raise BlocNotesError(path, line, "'limits' must be a group of 'name: number' lines "
                             f"(known: {', '.join(NAMES)})")
    changes: dict[str, int] = {}
    for key, number in value.items():
        where = _key_line(text, str(key), line)
        name = NAMES.get(str(key))
        if name is None:
            close = difflib.get_close_matches(str(key), NAMES, n=1, cutoff=0.6)
            hint = f"did you mean '{close[0]}'?" if close else "known: " + ", ".join(NAMES)
            raise BlocNotesError(path, where, f"unknown limit '{key}' ({hint})")
        ceiling = CEILINGS.get(name)
        if isinstance(number, bool) or not isinstance(number, int) or number < 1 or (
                ceiling is not None and number > ceiling):
            most = f" and at most {ceiling}" if ceiling else ""
            raise BlocNotesError(path, where, f"limit '{key}' must be a whole number above 0"
                                 f"{most}, not {number!r}")
        changes[name] = number
    return dataclasses.replace(DEFAULT, **changes)


def _key_line(text: str, key: str, after: int | None) -> int | None:
    """The line of `key:` nested under the mapping at line `after` of `text`."""
    if not text or after is None:
        return after
    pattern = re.compile(rf"^\s+['\"]?{re.escape(key)}['\"]?\s*:")
    for number, row in enumerate(text.split("\n")[after:], start=after + 1):
        if pattern.match(row):
            return number
    return after


def check_size(data: bytes, path: Path, limits: Limits = DEFAULT, size: int | None = None
               ) -> None:
    """A source's bytes (its first ones, of `size` in all) over `source_kb`: an error at the
    line where the budget runs out."""
    most = limits.source_kb * 1000
    size = len(data) if size is None else size
    if size > most:
        raise BlocNotesError(
            path, data.count(b"\n", 0, most) + 1,
            f"the file weighs {size // 1000} KB, over the budget of {limits.source_kb} KB "
            f"for a source (the budget runs out at this line; split the document, or "
            f"{advice('source_kb')})")


def _over(path: Path, line: int, what: str, found: int, limit: int, attribute: str,
          fix: str) -> BlocNotesError:
    return BlocNotesError(path, line, f"{what} {found} deep, over the budget of {limit} "
                          f"({fix}, or {advice(attribute)})")


# -- the front matter ------------------------------------------------------------------------

_SEQUENCE_ITEM_RE = re.compile(r"(?:[-?](?:\s+|$))")


def check_yaml(yaml_text: str, path: Path, first_line: int, limits: Limits = DEFAULT) -> None:
    """A YAML text nested deeper than `depth` (indented blocks, '- - -' items, [ and {
    brackets): an error at the line where it goes too deep, before PyYAML, whose recursive
    parser would exhaust Python's stack."""
    indents: list[int] = []
    brackets = 0
    for number, row in enumerate(yaml_text.split("\n"), start=first_line):
        stripped = row.lstrip(" ")
        if stripped and not stripped.startswith("#") and brackets == 0:
            indent = len(row) - len(stripped)
            while indents and indents[-1] >= indent:
                indents.pop()
            indents.append(indent)
        items = 0
        position = len(row) - len(stripped)
        while match := _SEQUENCE_ITEM_RE.match(row, position):
            items, position = items + 1, match.end()
        deepest = brackets
        for character in row:
            if character in "[{":
                brackets += 1
                deepest = max(deepest, brackets)
            elif character in "]}":
                brackets = max(0, brackets - 1)
        depth = len(indents) + items + deepest
        if depth > limits.depth:
            raise _over(path, number, "the front matter is nested", depth, limits.depth,
                        "depth", "write each field as 'key: value'")


# -- the Markdown body -----------------------------------------------------------------------

_CONTAINER_RE = re.compile(r"( *)(>|[-+*](?=\s|$)|\d{1,9}[.)](?=\s|$)) ?")
_DELIMITER_ROW_RE = re.compile(r"^ {0,3}\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$")
_NOTE_RE = re.compile(r"^ {0,3}\[\^[^\]]+\]:")
_CODE_SPAN_RE = re.compile(r"(`+).+?\1")
_TAG_RE = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9]*)\b[^<>]*?(/?)>")
_EMPHASIS_RE = re.compile(r"[*_]+")
# Elements that hold nothing, or that HTML closes by itself (a <p>, <li> or <td> left open
# is the habit of many): they do not count as nesting.
_NOT_NESTING = frozenset({
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
    "source", "track", "wbr", "p", "li", "dt", "dd", "tr", "td", "th", "option", "thead",
    "tbody", "tfoot", "colgroup", "caption", "rt", "rp",
})


def _containers(row: str) -> int:
    """How deep a Markdown line is nested: its quote marks and list markers, one level
    each, and its indentation, a level each four spaces."""
    depth, position = 0, 0
    row = row.expandtabs(4)
    while match := _CONTAINER_RE.match(row, position):
        depth += len(match.group(1)) // 4 + 1
        position = match.end()
    return depth + (len(row) - position - len(row[position:].lstrip(" "))) // 4


def _emphasis(row: str, open_now: int) -> tuple[int, int]:
    """(the emphasis left open after `row`, the deepest it went) from `open_now` before it: a
    run of '*' or '_' that
    opens (before a word, CommonMark's left-flanking) opens one level per two marks, one that
    closes closes as many; a run inside a word, or between spaces, neither."""
    deepest = open_now
    for match in _EMPHASIS_RE.finditer(row):
        start, end = match.span()
        before = row[start - 1] if start else " "
        after = row[end] if end < len(row) else " "
        levels = (end - start + 1) // 2
        left = not after.isspace() and (after.isalnum() or not before.isalnum())
        right = not before.isspace() and (before.isalnum() or not after.isalnum())
        if left and not right:
            open_now += levels
            deepest = max(deepest, open_now)
        elif right and not left:
            open_now = max(0, open_now - levels)
    return open_now, deepest


def check_body(text: str, path: Path, first_line: int, limits: Limits = DEFAULT) -> None:
    """A Markdown body over a budget (lists, quotes, HTML elements or emphasis nested deeper
    than `depth`; a table with more than `table_rows` rows; more than `notes` notes or
    `headings` headings): an error at the line where it is exceeded, before Markdown reads
    it. Fenced code is not looked at."""
    headings = heading_lines(text, first_line)
    if len(headings) > limits.headings:
        raise BlocNotesError(
            path, headings[limits.headings], f"the document has {len(headings)} headings, "
            f"over the budget of {limits.headings} (this one is the first over it; split the "
            f"document, or {advice('headings')})")
    notes, rows, open_tags, emphasis = 0, -1, [], 0
    html_rows: list[int] = []
    for index, row in prose_rows(text.split("\n")):
        number = first_line + index
        if not row.strip():
            rows, emphasis = -1, 0
            continue
        if _NOTE_RE.match(row):
            notes += 1
            if notes > limits.notes:
                raise BlocNotesError(path, number, f"more than {limits.notes} notes, the "
                                     f"budget (this one is the first over it; {advice('notes')})")
        if rows >= 0 or (_DELIMITER_ROW_RE.match(row) and "|" in row):
            rows += 1
            if rows > limits.table_rows:
                raise _rows(path, number, limits)
        plain = _CODE_SPAN_RE.sub("", row)
        containers = _containers(row)
        emphasis, emphasized = _emphasis(plain, emphasis)
        elements = len(open_tags)
        for tag in _TAG_RE.finditer(plain):
            closing, name, empty = tag.group(1), tag.group(2).lower(), tag.group(3)
            if name == "table" and not closing:
                html_rows.append(0)
            elif name == "table" and html_rows:
                html_rows.pop()
            elif name == "tr" and not closing and html_rows:
                html_rows[-1] += 1
                if html_rows[-1] > limits.table_rows:
                    raise _rows(path, number, limits)
            if name in _NOT_NESTING or empty:
                continue
            if not closing:
                open_tags.append(name)
                elements = max(elements, len(open_tags))
            elif name in open_tags:
                del open_tags[len(open_tags) - 1 - open_tags[::-1].index(name):]
        # one budget for them all: the renderer nests their boxes in one another
        depth = containers + elements + emphasized
        if depth > limits.depth:
            raise BlocNotesError(
                path, number, f"the text is nested {depth} deep here (lists and quotes: "
                f"{containers}, HTML elements: {elements}, emphasis: {emphasized}), over the "
                f"budget of {limits.depth} (nest less: close each element or emphasis before "
                f"opening another, or {advice('depth')})")


def _rows(path: Path, line: int, limits: Limits) -> BlocNotesError:
    return BlocNotesError(path, line, f"a table of more than {limits.table_rows} rows, the "
                          f"budget (this row is the first over it; split the table, or "
                          f"{advice('table_rows')})")


# -- the build's time and memory -------------------------------------------------------------

SAMPLE = 0.25  # seconds between two looks at a build's time and memory


def _resident() -> int:
    """The bytes of memory this process holds (Linux: /proc; elsewhere 0)."""
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            return int(statm.read().split()[1]) * resource.getpagesize()
    except (OSError, ValueError, IndexError):
        return 0


class _OverTime(BaseException):
    """Raised in the middle of a build that took too long: a BaseException, so that no
    `except Exception` of a library swallows it."""


class _OverMemory(BaseException):
    """Raised in the middle of a build that took too much memory (see _OverTime)."""


@contextmanager
def enforced(limits: Limits, path: Path) -> Iterator[None]:
    """Run a build within `build_seconds` and `build_memory_mb` of memory more than its
    process held when it began: a timer looks at both four times a second, in the main
    thread of the process that builds (a worker, or the command itself); going over either
    is a clean error at `path`, and the process goes on with the next source. (A hard limit,
    RLIMIT_AS, would make GLib abort the process when Pango cannot start a thread.)"""
    if threading.current_thread() is not threading.main_thread():  # signals reach only that one
        try:
            yield
        except MemoryError:
            raise _memory_error(limits, path) from None
        return
    began, held, running = time.monotonic(), _resident(), [True]

    def look(signum: int, frame: object) -> None:
        if not running[0]:  # a look that came as the build ended
            return
        if time.monotonic() - began > limits.build_seconds:
            raise _OverTime
        if _resident() - held > limits.build_memory_mb * 2**20:
            raise _OverMemory

    previous = signal.signal(signal.SIGALRM, look)
    signal.siginterrupt(signal.SIGALRM, False)  # system calls go on after a look
    signal.setitimer(signal.ITIMER_REAL, SAMPLE, SAMPLE)
    try:
        try:
            yield
        finally:  # first thing: no look may raise while the error is being made
            signal.setitimer(signal.ITIMER_REAL, 0)
            running[0] = False
    except _OverTime:
        raise BlocNotesError(
            path, None, f"the build took more than {limits.build_seconds} s, its budget "
            f"(simplify or split the document, or {advice('build_seconds')})") from None
    except (_OverMemory, MemoryError):
        raise _memory_error(limits, path) from None
    finally:
        signal.signal(signal.SIGALRM, previous)


def _memory_error(limits: Limits, path: Path) -> BlocNotesError:
    return BlocNotesError(
        path, None, f"the build needed more than {limits.build_memory_mb} MB of memory, its "
        f"budget (make the images smaller or split the document, or "
        f"{advice('build_memory_mb')})")
