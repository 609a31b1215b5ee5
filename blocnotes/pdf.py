"""PDF writer: the HTML rendition through WeasyPrint, reading only allowed files."""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import unquote, urlsplit

from . import fonts
from .errors import BlocNotesError, Diagnostic


def _isolate_fontconfig() -> None:
    """Make fontconfig see only our font folders, so no font of the machine is ever used.

    Must run before WeasyPrint (Pango, fontconfig) loads: fontconfig reads FONTCONFIG_FILE once.
    """
    text = fonts.fontconfig_text()
    digest = hashlib.sha256(text.encode()).hexdigest()[:16]
    path = Path(tempfile.gettempdir()) / f"blocnotes-{os.getuid()}-{digest}.conf"
    if not path.is_file():
        partial = path.with_suffix(f".{os.getpid()}.part")
        partial.write_text(text, encoding="utf-8")
        os.replace(partial, path)
    os.environ["FONTCONFIG_FILE"] = str(path)


_isolate_fontconfig()

from weasyprint import HTML  # noqa: E402  (after fontconfig is set up)
from weasyprint.urls import URLFetcher  # noqa: E402


class GuardedFetcher(URLFetcher):
    """URL fetcher that reads local files under `roots` and data: URLs, and nothing else."""

    def __init__(self, roots: tuple[Path, ...], allow_remote: bool = False) -> None:
        super().__init__(timeout=10, allow_redirects=False)
        self.roots = tuple(root.resolve() for root in roots)
        self.allow_remote = allow_remote
        self.refused: list[str] = []

    def fetch(self, url: str, headers: dict[str, str] | None = None):  # type: ignore[override]
        scheme = urlsplit(url).scheme.lower()
        if scheme == "data" or (scheme in ("http", "https") and self.allow_remote):
            return super().fetch(url, headers)
        if scheme == "file":
            path = Path(unquote(urlsplit(url).path)).resolve()
            if any(path.is_relative_to(root) for root in self.roots):
                return super().fetch(url, headers)
            self.refused.append(f"'{url}': it is outside the source's folder (put the file "
                                "beside the source and use a relative path)")
        else:
            self.refused.append(f"'{url}': nothing is fetched from the network by default "
                                "(download it beside the source, or use --allow-remote)")
        raise ValueError(f"refused: {url}")


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextmanager
def _captured_warnings() -> Iterator[_Collect]:
    """WeasyPrint's log lines during a render, captured instead of printed."""
    logger = logging.getLogger("weasyprint")
    handler, propagate = _Collect(), logger.propagate
    logger.addHandler(handler)
    logger.propagate = False
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate


# WeasyPrint warns once per font when HarfBuzz's subsetter is missing: noise for our users.
_NOISE = ("harfbuzz", "fonttools", "subset")


def render_pdf(
    html: str, source: Path, roots: tuple[Path, ...], allow_remote: bool = False
) -> tuple[bytes, list[Diagnostic]]:
    """HTML rendition -> (PDF bytes, warnings); a missing or refused resource is an error."""
    fetcher = GuardedFetcher(roots, allow_remote)
    base_url = source.parent.resolve().as_uri() + "/"
    with _captured_warnings() as captured:
        document = HTML(string=html, base_url=base_url, url_fetcher=fetcher).render()
        data = document.write_pdf(custom_metadata=True)
    if fetcher.refused:
        raise BlocNotesError(source, None, f"refused to read {fetcher.refused[0]}")
    diagnostics = []
    for record in captured.records:
        message = record.getMessage()
        if any(word in message.lower() for word in _NOISE):
            continue
        if "failed to load" in message.lower():
            raise BlocNotesError(source, None, f"{message} (check the file name and path)")
        diagnostics.append(Diagnostic(source, None, f"renderer: {message}"))
    return data, diagnostics
