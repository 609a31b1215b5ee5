"""Property test: any Markdown document either builds into a PDF that opens and an EPUB that
passes EPUBCheck, or stops with one clean line naming the file (exit 1 in the CLI)."""

from __future__ import annotations

import tempfile
import zipfile
from pathlib import Path

import pypdf
import yaml
from conftest import run_epubcheck
from hypothesis import event, example, given
from hypothesis import strategies as st
from lxml import etree
from PIL import Image

from blocnotes.pipeline import Settings, build
from helpers import ROOT

PIECE = st.characters(
    codec="utf-8",
    categories=("L", "M", "N", "P", "S", "Zs", "Cc"),
    exclude_characters="\r",
) | st.sampled_from([
    *"éèàçœÉ«»’'\"…–—:;!?#*_`[]()<>&\\|-+ \n\t",
    "中文", "😀", "مرحبا", "שלום", "e\u0301", "\u200f", "\u0000", "\x0b", "\ufeff", "ǅ"])

RAW_HTML = st.sampled_from([
    "<script>alert(1)</script>", "<b>non fermé", "</div></p>", "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">x</a>', "<iframe src=//x></iframe>", "<table><tr><td>x",
    '<span lang="ar" dir="rtl">نص</span>', "<!-- x -->", "<svg><circle r=1 /></svg>",
    '<p style="color:red">x</p>', "&nbsp;&amp;&#0;&#xD800;", "<br><hr><wbr>", "<math><mi>x</mi></math>",
])

TEXT = st.lists(PIECE, min_size=1, max_size=30).map("".join)


@st.composite
def inline(draw) -> str:
    parts = draw(st.lists(st.one_of(
        TEXT,
        TEXT.map(lambda t: f"**{t}**"),
        TEXT.map(lambda t: f"*{t}*"),
        TEXT.map(lambda t: f"`{t}`"),
        TEXT.map(lambda t: f"[{t}](https://example.org/{len(t)})"),
        TEXT.map(lambda t: f"[{t}](#)"),
        st.just("![Un plan](plan.png)"),
        st.just("[^1]"),
        RAW_HTML,
    ), min_size=1, max_size=5))
    return " ".join(parts)


@st.composite
def block(draw) -> str:
    kind = draw(st.sampled_from(["p", "h", "list", "table", "code", "quote", "html", "foot"]))
    if kind == "h":
        return "#" * draw(st.integers(1, 4)) + " " + draw(inline())
    if kind == "list":
        return "\n".join(f"- {draw(inline())}" for _ in range(draw(st.integers(1, 3))))
    if kind == "table":
        return f"| a | b |\n|---|---|\n| {draw(inline())} | {draw(TEXT)} |"
    if kind == "code":
        return f"```\n{draw(TEXT)}\n```"
    if kind == "quote":
        return f"> {draw(inline())}"
    if kind == "html":
        return draw(RAW_HTML)
    if kind == "foot":
        return f"[^1]: {draw(inline())}"
    return draw(inline())


@st.composite
def documents(draw) -> str:
    title = draw(TEXT)
    front = yaml.safe_dump({"title": title, "date": "2021-04-05",
                            "keywords": draw(st.lists(TEXT, max_size=3))}, allow_unicode=True)
    body = "\n\n".join(draw(st.lists(block(), min_size=1, max_size=8)))
    return f"---\n{front}---\n\n{body}\n"


def _check(text: str) -> None:
    with tempfile.TemporaryDirectory() as folder_name:
        folder = Path(folder_name)
        Image.new("RGB", (20, 10), (0, 91, 112)).save(folder / "plan.png")
        source = folder / "doc.md"
        source.write_text(text, encoding="utf-8", errors="surrogatepass")
        settings = Settings(out=folder / "out", styles=ROOT / "styles", environ={})
        outcome = build([source], ("pdf", "epub"), settings)[0]
        if outcome.error is not None:
            message = str(outcome.error)
            event(f"clean error: {outcome.error.message.split(' (')[0][:50]}")
            # one line per mistake, each at the source (every mistake is reported at once)
            assert all(line.startswith(f"{source}") for line in message.split("\n")), message
            assert not (folder / "out").exists()
            return
        event("built")
        reader = pypdf.PdfReader(folder / "out" / "doc.pdf")
        assert len(reader.pages) >= 1
        epub = folder / "out" / "doc.epub"
        with zipfile.ZipFile(epub) as archive:
            for name in archive.namelist():
                if name.endswith((".xhtml", ".opf", ".ncx")):
                    etree.fromstring(archive.read(name))
        report = run_epubcheck(epub, folder / "report.json")
        problems = [f"{m['ID']}: {m['message']} @ {m.get('locations')}"
                    for m in report["messages"] if m["severity"] in ("FATAL", "ERROR", "WARNING")]
        assert problems == [], text


@given(documents())
@example("---\ntitle: T\ndate: 2021-01-01\n---\n\n# A\n\n<b>x\n\n<math><mi>x</mi></math>\n")
@example("---\ntitle: T\ndate: 2021-01-01\n---\n\n# ![Un plan](plan.png)\n\ntexte\n")
@example("---\ntitle: T\ndate: 2021-01-01\n---\n\n- a <b>non fermé\n- [^1]\n- c\n\n# [^1]\n")
@example('---\ndate: 2021-04-05\ntitle: "0\\x06\\N0 \\u2028 x"\n---\n\n0\n')
@example("---\ntitle: T\ndate: 2021-04-05\n---\n\n# A\n\n> <img src=x onerror=alert(1)>\n")
def test_any_document_builds_or_fails_cleanly(text):
    _check(text)
