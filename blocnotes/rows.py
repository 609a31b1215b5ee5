"""Markdown's rows as text, before any parser reads them: the rows outside fenced code and
the lines of the headings (the budgets walk them before the recursive parsers; markup finds
its headings' lines with them)."""

from __future__ import annotations

import re
from collections.abc import Iterator

FENCE_RE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
ATX_RE = re.compile(r"^ {0,3}(#{1,6}(\s|$)|<h[1-6][\s>])", re.IGNORECASE)
SETEXT_RE = re.compile(r"^ {0,3}(=+|-+)\s*$")
BLOCK_LINE_RE = re.compile(r"^ {0,3}([-*+>]|\d+[.)]|\||<)")


def prose_rows(rows: list[str]) -> Iterator[tuple[int, str]]:
    """The rows of Markdown outside fenced code blocks (their fences left out too), with
    their index."""
    fence = ""
    for index, row in enumerate(rows):
        opening = FENCE_RE.match(row)
        if fence:
            if opening and opening.group(1)[0] == fence[0] and len(opening.group(1)) >= len(fence):
                fence = ""
            continue
        if opening:
            fence = opening.group(1)
            continue
        yield index, row


def heading_lines(text: str, first_line: int) -> list[int]:
    """The file line of each heading of a Markdown body, in order (ATX, setext and raw HTML
    headings; fenced code skipped)."""
    found: list[int] = []
    rows = text.split("\n")
    for index, row in prose_rows(rows):
        if ATX_RE.match(row) or (index + 1 < len(rows) and row.strip() and SETEXT_RE.match(rows[index + 1])
              and not BLOCK_LINE_RE.match(row)
              and (index == 0 or not rows[index - 1].strip())):
            found.append(first_line + index)
    return found
