"""`build.py dist`: dated hand-out files, SHA256SUMS that verifies, and the series' web page,
rendered in headless Chromium (Debian's) and served from this machine only."""

from __future__ import annotations

import contextlib
import functools
import http.server
import json
import shutil
import subprocess
import tempfile
import threading
import urllib.request
from pathlib import Path

import pytest
from lxml import etree
from lxml import html as lxml_html
from PIL import Image

from blocnotes.pipeline import Settings, distribute
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
    return folder / "dist"


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


def test_web_page_lists_newest_first(laid_out):
    page = lxml_html.fromstring((laid_out / "index.html").read_bytes())
    assert page.get("lang") == "fr"
    titles = [h.text_content() for h in page.iter("h2")]
    assert titles == ["Atelier mobilité douce", "Smart City Tour Mulhouse"]
    assert page.find(".//meta[@name='viewport']") is not None
    assert not page.xpath("//script")
    for link in page.xpath("//a/@href") + page.xpath("//img/@src"):
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
