"""`build.py dist`: dist/site/ holds exactly the hand-out (dated files, SHA256SUMS that
verifies and lists every file, the series' web page, rendered in headless Chromium, Debian's,
and served from this machine only); what is up to date is reused, and the hand-out is the
same bytes as a cold build's."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import http.server
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import urllib.request
from pathlib import Path

import pytest
from lxml import etree
from lxml import html as lxml_html
from PIL import Image

from blocnotes.pipeline import SITE, Settings, dist_plan, distribute
from helpers import ROOT, SOURCE

OTHER = """---
title: Atelier mobilité douce
date: 2021-03-12
dateline: Vendredi 12 mars 2021 – Mulhouse
keywords: [Vélo, Marche]
abstract: Un atelier sur les **pistes cyclables** de l'agglomération.
---

# Le débat

Texte du débat.
"""


@pytest.fixture(scope="module")
def laid_out(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("dist")
    sources = folder / "sources"
    sources.mkdir()
    shutil.copy(SOURCE, sources / SOURCE.name)
    shutil.copy(SOURCE.parent / "agency.yaml", sources / "agency.yaml")
    (sources / "atelier.md").write_text(OTHER, encoding="utf-8")
    settings = Settings(out=folder / "dist", styles=ROOT / "styles", environ={})
    outcomes, files = distribute(sorted(sources.glob("*.md")), settings)
    assert all(outcome.error is None for outcome in outcomes)
    assert files
    return folder / "dist" / SITE


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(path.relative_to(folder)): path.read_bytes()
            for path in sorted(folder.rglob("*")) if not path.is_dir()}


def test_site_holds_exactly_the_files_listed(laid_out):
    """The folder to upload: every file is in SHA256SUMS and nothing else is there (the
    builds, the page map and the build records stay one level up)."""
    listed = {line.split("  ", 1)[1]
              for line in (laid_out / "SHA256SUMS").read_text(encoding="utf-8").splitlines()}
    assert set(_tree(laid_out)) == listed | {"SHA256SUMS"}
    assert not any(name.startswith(".") or "/." in name for name in listed)
    builds = {path.name for path in laid_out.parent.iterdir()}
    assert {"smart-city-tour-mulhouse.pdf", ".build", ".pages", SITE} <= builds


def test_dated_hand_out_files(laid_out):
    names = {p.name for p in laid_out.iterdir()}
    for stem in ("2020-09-29-smart-city-tour-mulhouse", "2021-03-12-atelier"):
        assert {f"{stem}.pdf", f"{stem}.epub", f"{stem}-impression.pdf", f"{stem}.png"} <= names
    assert {"index.html", "SHA256SUMS"} <= names


def test_sha256sums_verify(laid_out):
    result = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=laid_out, capture_output=True,
                            text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count(": OK") >= 10


def _series(folder: Path) -> list[Path]:
    folder.mkdir()
    shutil.copy(SOURCE, folder / SOURCE.name)
    shutil.copy(SOURCE.parent / "agency.yaml", folder / "agency.yaml")
    (folder / "atelier.md").write_text(OTHER, encoding="utf-8")
    return sorted(folder.glob("*.md"))


def test_dist_reuses_what_is_built_and_gives_a_cold_build_s_bytes(tmp_path):
    sources = _series(tmp_path / "sources")
    styles = tmp_path / "styles"
    shutil.copytree(ROOT / "styles", styles)
    settings = Settings(out=tmp_path / "warm", styles=styles, environ={})
    assert [formats for _, formats in dist_plan(sources, settings)] == [
        ("pdf", "press", "epub")] * 2
    outcomes, _ = distribute(sources, settings, jobs=2)
    assert all(outcome.error is None for outcome in outcomes)
    site = tmp_path / "warm" / SITE
    first = _tree(site)
    (site / "stale.html").write_text("left over", encoding="utf-8")  # not ours: removed

    assert dist_plan(sources, settings) == [(source, ()) for source in sources]
    outcomes, _ = distribute(sources, settings)
    assert [outcome.written for outcome in outcomes] == [[], []]  # read, not built
    assert _tree(site) == first

    # One source edited: only its outputs are built again.
    atelier = sources[0]
    atelier.write_text(OTHER.replace("Texte du débat.", "Texte du débat, revu."), encoding="utf-8")
    assert dist_plan(sources, settings) == [(atelier, ("pdf", "press", "epub")), (sources[1], ())]
    outcomes, _ = distribute(sources, settings)
    assert [outcome.source for outcome in outcomes if outcome.written] == [atelier]
    assert _tree(site) != first

    # A style: every output made with it.
    epub_css = styles / "bloc-notes" / "epub.css"
    epub_css.write_text(epub_css.read_text(encoding="utf-8") + "\n/* edited */\n", encoding="utf-8")
    restyled = Settings(out=settings.out, styles=styles, environ={})
    assert [formats for _, formats in dist_plan(sources, restyled)] == [("epub",)] * 2
    # A different build date (SOURCE_DATE_EPOCH) changes the bytes: nothing is reused.
    dated = Settings(out=settings.out, styles=styles, environ={"SOURCE_DATE_EPOCH": "0"})
    assert all(formats for _, formats in dist_plan(sources, dated))

    epub_css.write_bytes((ROOT / "styles" / "bloc-notes" / "epub.css").read_bytes())
    assert dist_plan(sources, settings)[1] == (sources[1], ())  # as it was: reused
    cold = Settings(out=tmp_path / "cold", styles=ROOT / "styles", environ={})
    outcomes, _ = distribute(sources, cold, jobs=2)
    assert all(outcome.error is None for outcome in outcomes)
    assert _tree(tmp_path / "cold" / SITE) == _tree(site)  # byte for byte, file for file


def test_dist_command_reuses_and_reports(tmp_path):
    """`build.py dist` as a user runs it: a second run builds nothing and says so; a
    tampered output is built again."""
    sources = _series(tmp_path / "sources")
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    command = [sys.executable, str(ROOT / "build.py"), "dist", "--out", str(tmp_path / "out"),
               *map(str, sources)]

    def run() -> subprocess.CompletedProcess:
        result = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, env=env,
                                timeout=600, check=False)
        assert result.returncode == 0, result.stderr
        return result

    first = run()
    assert first.stdout.count("wrote") == 2 and "[2/2] wrote" in first.stdout
    sums = (tmp_path / "out" / SITE / "SHA256SUMS").read_bytes()
    again = run()
    assert "wrote" not in again.stdout and "2 of 2 documents reused" in again.stdout
    (tmp_path / "out" / "atelier.epub").write_bytes(b"not an EPUB")
    third = run()
    assert "[1/1] wrote" in third.stdout and "atelier.epub" in third.stdout
    assert (tmp_path / "out" / SITE / "SHA256SUMS").read_bytes() == sums
    digest = hashlib.sha256((tmp_path / "out" / "atelier.epub").read_bytes()).hexdigest()
    assert f"{digest}  2021-03-12-atelier.epub" in sums.decode()


def test_web_page_lists_newest_first(laid_out):
    page = lxml_html.fromstring((laid_out / "index.html").read_bytes())
    assert page.get("lang") == "fr"
    titles = [h.text_content() for h in page.iter("h2")]
    assert titles == ["Atelier mobilité douce", "Smart City Tour Mulhouse"]
    assert page.find(".//meta[@name='viewport']") is not None
    # one script, the search box's, which it shows: without it the page reads as it is
    assert page.xpath("//script/@src") == ["search.js"] and not page.xpath("//script/text()")
    assert page.xpath("//form[@class='search']/@hidden") == [""]
    for link in page.xpath("//a/@href") + page.xpath("//img/@src") + ["search.js"]:
        assert (laid_out / link).is_file(), link
    downloads = [a.text_content() for a in page.xpath("//p[@class='downloads']/a")]
    assert any(text.startswith("PDF (") and text.endswith("Ko)") for text in downloads)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Serves files without a log line, and without a traceback when a client (Chromium)
    closes its connection before the answer is sent."""

    def log_message(self, format: str, *args: object) -> None:
        pass

    def handle(self) -> None:
        with contextlib.suppress(ConnectionError):
            super().handle()


class _QuietServer(http.server.ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a client that hung up early is not a test failure; wrong content is


# A page of the test's own, served beside index.html: it shows index.html in a phone-sized
# frame (390 x 844 CSS pixels) and writes what it measured into its own body as JSON.
PHONE_PROBE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>probe</title></head>
<body style="margin:0"><iframe id="f" src="index.html" width="390" height="844"
style="border:0;display:block"></iframe><pre id="out">waiting</pre><script>
document.getElementById("f").addEventListener("load", () => {
  const doc = document.getElementById("f").contentDocument, root = doc.documentElement;
  const texts = [], overflows = [], targets = [];
  for (const el of doc.body.querySelectorAll("*")) {
    const box = el.getBoundingClientRect(), style = getComputedStyle(el);
    if (box.width && (box.left < -0.5 || box.right > root.clientWidth + 0.5))
      overflows.push(el.tagName + " " + Math.round(box.left) + ".." + Math.round(box.right));
    const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    if (own && box.width) texts.push([el.tagName, parseFloat(style.fontSize)]);
    if (el.tagName === "A") targets.push([el.textContent.trim().slice(0, 30), box.width, box.height]);
  }
  document.getElementById("out").textContent = JSON.stringify({
    scrollWidth: root.scrollWidth, clientWidth: root.clientWidth, texts, overflows, targets,
    bodyFont: parseFloat(getComputedStyle(doc.querySelector("p.summary") || doc.body).fontSize)});
});
</script></body></html>
"""


@pytest.fixture
def served(laid_out, tmp_path):
    site = tmp_path / "site"
    shutil.copytree(laid_out, site)
    (site / "phone-probe.html").write_text(PHONE_PROBE, encoding="utf-8")
    handler = functools.partial(_QuietHandler, directory=str(site))
    server = _QuietServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def _chromium(*arguments: str) -> subprocess.CompletedProcess:
    chromium = shutil.which("chromium")
    assert chromium, "Chromium is missing: `make test` installs Debian's chromium"
    with tempfile.TemporaryDirectory() as profile:
        return subprocess.run(
            [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
             "--no-first-run", "--disable-background-networking", "--disable-component-update",
             "--disable-sync", f"--user-data-dir={profile}", "--hide-scrollbars", *arguments],
            capture_output=True, text=True, timeout=120, check=True)


def test_web_page_in_chromium(served, tmp_path):
    shot = tmp_path / "phone.png"
    _chromium("--window-size=390,800", f"--screenshot={shot}", f"{served}/index.html")
    image = Image.open(shot).convert("RGB")
    assert image.getpixel((5, 5)) == (0, 91, 112)  # the masthead band, house colour
    dom = _chromium("--dump-dom", f"{served}/index.html").stdout
    page = lxml_html.fromstring(dom)
    links = page.xpath("//a/@href")
    assert len(links) >= 6
    for link in set(links):
        with urllib.request.urlopen(f"{served}/{link}") as response:  # this machine only
            assert response.status == 200


def test_feeds_in_the_hand_out(laid_out):
    """The Atom feed and the OPDS catalog: valid, in SHA256SUMS, announced by the web page, and
    every address they give is a file of the hand-out, of the size they say."""
    from blocnotes import feeds
    from helpers import NS, epub_opf, schema_errors

    listed = (laid_out / "SHA256SUMS").read_text(encoding="utf-8")
    page = lxml_html.fromstring((laid_out / "index.html").read_bytes())
    anchors = set(page.xpath("//article/@id"))
    for name, schema, kind in ((feeds.FEED, "atom", "application/atom+xml"),
                               (feeds.CATALOG, "opds", feeds.CATALOG_TYPE)):
        data = (laid_out / name).read_bytes()
        assert schema_errors(data, schema) == [], name
        assert f"  {name}\n" in listed
        assert page.xpath(f"//head/link[@rel='alternate'][@href='{name}']/@type") == [kind]
        assert name in page.xpath("//footer//a/@href")  # for a reader to copy into an app
        root = etree.fromstring(data)
        links = root.xpath("//a:link[@length]", namespaces={"a": feeds.ATOM})
        assert len(links) == 4  # a PDF and an EPUB for each of the two Bloc-Notes
        for link in links:
            assert (laid_out / link.get("href")).stat().st_size == int(link.get("length"))
        for href in root.xpath("//@href | //@url | //@src"):
            target, _, anchor = href.partition("#")
            assert (laid_out / target).is_file(), href
            assert not anchor or anchor in anchors, href
    catalog = etree.fromstring((laid_out / feeds.CATALOG).read_bytes())
    for entry in catalog.iterfind(f"{{{feeds.ATOM}}}entry"):
        epub = entry.xpath("a:link[@type='application/epub+zip']/@href",
                           namespaces={"a": feeds.ATOM})[0]
        _, opf = epub_opf(laid_out / epub)
        assert entry.findtext(f"{{{feeds.DC}}}identifier") == opf.findtext(".//dc:identifier", namespaces=NS)


def test_web_page_is_readable_on_a_phone(served):
    """At a phone's width (390 CSS pixels): no sideways scrolling, nothing cut at the edges,
    type large enough to read (body 16 px, nothing under 12 px), links big enough to tap."""
    dom = _chromium("--virtual-time-budget=10000", "--dump-dom",
                    f"{served}/phone-probe.html").stdout
    found = lxml_html.fromstring(dom).get_element_by_id("out").text_content()
    assert found != "waiting", "the page did not load in its phone-sized frame"
    measured = json.loads(found)
    assert measured["scrollWidth"] <= measured["clientWidth"] == 390, measured
    assert measured["overflows"] == []
    assert len(measured["texts"]) > 10
    assert measured["bodyFont"] >= 16
    small = [text for text in measured["texts"] if text[1] < 12]
    assert small == []
    assert len(measured["targets"]) >= 6
    too_small = [target for target in measured["targets"] if target[2] < 24]
    assert too_small == []  # WCAG 2.2's minimum target size, 24 px
