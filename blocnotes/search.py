"""The series' search: Pagefind's index of the web pages of the hand-out folder, made by its
own program (the pip package pagefind-bin ships it), and the script of the search box.

The pages are indexed each in its language (`<html lang>`: French, English and German
stemming); only what a page marks `data-pagefind-body` (an article's text) is indexed.
"""

from __future__ import annotations

import io
import json
import re
import subprocess
import tempfile
import zipfile
from collections.abc import Callable, Mapping
from pathlib import Path

from .errors import BlocNotesError

BUNDLE = "pagefind"  # the index's folder in the hand-out folder
SCRIPT = "search.js"  # the search box's script, beside the pages
ENTRY = "pagefind-entry.json"  # the bundle's table of languages
# Pagefind's own search interfaces, highlighter and worker, which search.js does not use (it
# searches in the page's thread, a module per language: one worker would hold one language)
_UNUSED = re.compile(r"pagefind-(.*ui\.(js|css)|highlight\.js|worker\.js)$")
_SCRIPT_SOURCE = Path(__file__).resolve().parent / "templates" / "search.js"


def _executable() -> Path:
    import pagefind_bin  # the binary, shipped in its wheel

    return pagefind_bin.get_executable()


def _index(pages: Mapping[str, bytes]) -> bytes:
    """Pagefind's bundle for `pages` (name -> HTML), as a ZIP of its files (to be kept)."""
    with tempfile.TemporaryDirectory(prefix="blocnotes-search-") as folder:
        site, output = Path(folder) / "site", Path(folder) / BUNDLE
        for name, data in pages.items():
            (site / name).parent.mkdir(parents=True, exist_ok=True)
            (site / name).write_bytes(data)
        try:
            subprocess.run([str(_executable()), "--site", str(site), "--output-path", str(output),
                            "--silent"], check=True, capture_output=True, timeout=300)
        except (OSError, subprocess.SubprocessError) as error:
            detail = getattr(error, "stderr", b"") or str(error).encode()
            raise BlocNotesError(site, None, "the search index could not be made (Pagefind: "
                                 f"{detail.decode('utf-8', 'replace').strip()[:200]}); "
                                 "reinstall with: make") from None
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            for path in sorted(output.rglob("*")):
                name = path.relative_to(output).as_posix()
                if path.is_file() and not _UNUSED.match(name):
                    data = path.read_bytes()
                    if name == ENTRY:  # its languages in the order of a hash map: sorted
                        data = json.dumps(json.loads(data), sort_keys=True, ensure_ascii=False,
                                          separators=(",", ":")).encode("utf-8")
                    archive.writestr(zipfile.ZipInfo(name), data)
        return buffer.getvalue()


def bundle(files: Mapping[str, bytes], memo: Callable[[list[bytes], Callable[[], bytes]], bytes]
           ) -> dict[str, bytes]:
    """The search index of the web pages among `files` (under BUNDLE/) and the search box's
    script; `memo` keeps the index for the same pages (distribute's memo)."""
    pages = {name: data for name, data in files.items() if name.endswith(".html")}
    key = [b"pagefind", str(_executable().stat().st_size).encode(),
           *(part for name in sorted(pages) for part in (name.encode(), pages[name]))]
    found = {SCRIPT: _SCRIPT_SOURCE.read_bytes()}
    with zipfile.ZipFile(io.BytesIO(memo(key, lambda: _index(pages)))) as archive:
        for name in archive.namelist():
            found[f"{BUNDLE}/{name}"] = archive.read(name)
    return found
