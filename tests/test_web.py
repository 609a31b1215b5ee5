"""The web edition (dist/site/<date>-<name>.html) and the series' search: four fixtures
(French in both styles, English, German) handed out once, then checked as a reader's browser
and the W3C's validator see them: every word of the source, the metadata, the Nu validator,
axe-core at WCAG 2.2 AA in Chromium (Debian's, driven by Playwright) at a phone's and a
desktop's width in light and dark, the phone's width, images, notes, and Pagefind's search
over a local static server."""

from __future__ import annotations

import contextlib
import functools
import http.server
import json
import re
import shutil
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from lxml import html as lxml_html
from PIL import Image

from blocnotes.pipeline import SITE, Settings, distribute
from helpers import ROOT, words

FIXTURES = ROOT / "tests" / "fixtures"
NPM = ROOT / ".venv" / "npm" / "node_modules"  # make .venv/.installed-test puts them there
VNU = NPM / "vnu-jar" / "build" / "dist" / "vnu.jar"
AXE = NPM / "axe-core" / "axe.min.js"
SITE_URL = "https://www.example.org/bloc-notes/"
# name: (fixture, its style, its language); the dated names they are handed out under
DOCUMENTS = {
    "kitchen-sink": ("kitchen-sink", None, "fr"),
    "notes": ("notes", "observatoire", "fr"),
    "english": ("english", None, "en"),
    "german": ("german", None, "de"),
}
ARTICLES = {"kitchen-sink": "2024-09-24-kitchen-sink.html", "notes": "2024-04-18-notes.html",
            "english": "2024-05-23-english.html", "german": "2024-10-08-german.html"}
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
PHONE, DESKTOP = 390, 1280


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """The four fixtures handed out (with site-url), once for the module."""
    from samples import make_images

    folder = tmp_path_factory.mktemp("web")
    agency = (ROOT / "source" / "agency.yaml").read_text(encoding="utf-8")
    (folder / "agency.yaml").write_text(agency + f"\nsite-url: {SITE_URL}\n", encoding="utf-8")
    sources = []
    for name, (fixture, style, _) in DOCUMENTS.items():
        text = (FIXTURES / fixture / f"{fixture}.md").read_text(encoding="utf-8")
        if style:
            text = text.replace("\n---\n", f"\nstyle: {style}\n---\n", 1)
        (folder / f"{name}.md").write_text(text, encoding="utf-8")
        sources.append(folder / f"{name}.md")
    make_images(folder)
    settings = Settings(out=folder / "out", styles=ROOT / "styles", environ={})
    outcomes, written = distribute(sources, settings, jobs=2)
    assert [outcome.error for outcome in outcomes] == [None] * len(sources)
    assert written
    return folder / "out" / SITE


def _page(site: Path, name: str) -> lxml_html.HtmlElement:
    return lxml_html.fromstring((site / name).read_bytes())


def _source_words(path: Path) -> set[str]:
    """The words a reader must find of a source: its text without the Markdown's addresses,
    attributes and note labels, and the front matter's title, dateline, abstract, keywords."""
    text = path.read_text(encoding="utf-8")
    _, front, body = text.split("---\n", 2)
    body = re.sub(r"\]\([^)]*\)", "]", body)  # link and image targets
    body = re.sub(r"\{[^}]*\}", "", body)  # attributes: the alt text is not read as text
    body = re.sub(r"\[\^[^\]]+\]:?", "", body)  # note labels
    body = re.sub(r"^Table:|^\s*\d+\. ", "", body, flags=re.M)  # a caption's and a list's marks
    kept = [line.split(":", 1)[1] if re.match(r"(title|dateline|author|abstract):", line)
            else line for line in front.splitlines()
            if re.match(r"(title|dateline|author|abstract):|\s+(- |\S)", line)]
    return set(words(" ".join(kept) + "\n" + body))


def test_one_article_per_source_listed_and_linked_first(site):
    listed = {line.split("  ", 1)[1] for line in (site / "SHA256SUMS").read_text().splitlines()}
    assert set(ARTICLES.values()) <= listed
    assert {"search.js", "pagefind/pagefind.js", "pagefind/pagefind-entry.json"} <= listed
    index = _page(site, "index.html")
    for article in index.iter("article"):
        first = article.xpath(".//a/@href")[0]
        assert first in ARTICLES.values()  # the thumbnail and the title lead to the article
        assert article.xpath(".//h2/a/@href") == [first]
    feed = (site / "feed.atom").read_text(encoding="utf-8")
    for name in ARTICLES.values():
        assert f'rel="alternate" href="{SITE_URL}{name}" type="text/html"' in feed
        assert (site / "opds.atom").read_text(encoding="utf-8").count(f"{SITE_URL}{name}") == 1


@pytest.mark.parametrize("name", list(DOCUMENTS))
def test_every_word_of_the_source_in_the_article(site, name):
    page = _page(site, ARTICLES[name])
    text = " ".join(page.xpath("//main")[0].itertext())
    missing = _source_words(site.parent.parent / f"{name}.md") - set(words(text))
    assert not missing


def test_the_metadata_of_an_article(site):
    page = _page(site, ARTICLES["english"])
    head = page.find("head")
    assert page.get("lang") == "en"
    assert head.findtext("title").startswith("Upper Rhine Mobility Forum")
    meta = {m.get("name") or m.get("property"): m.get("content") for m in head.iter("meta")}
    assert meta["description"] and meta["og:type"] == "article"
    assert meta["og:url"] == f"{SITE_URL}{ARTICLES['english']}"
    assert meta["og:image"] == f"{SITE_URL}2024-05-23-english.png"
    links = {(link.get("rel"), link.get("type")): link.get("href") for link in head.iter("link")}
    assert links[("canonical", None)] == meta["og:url"]
    assert links[("alternate", "application/pdf")] == "2024-05-23-english.pdf"
    assert links[("alternate", "application/epub+zip")] == "2024-05-23-english.epub"
    assert links[("alternate", "application/atom+xml")] == "feed.atom"
    data = json.loads(head.xpath("//script[@type='application/ld+json']")[0].text)
    assert data["@type"] == "Article" and data["inLanguage"] == "en"
    assert data["datePublished"] == "2024-05-23" and data["author"][0]["name"] == "Inès Haddad"
    assert data["publisher"]["name"] and data["image"] == meta["og:image"]
    assert data["license"] == data["copyrightNotice"]
    downloads = page.xpath("//p[@class='downloads']/a")
    assert [a.get("href") for a in downloads] == ["2024-05-23-english.pdf",
                                                  "2024-05-23-english.epub"]
    assert all(re.search(r"\(\d+(\.\d)?\u00a0(KB|MB)\)", a.text_content()) for a in downloads)
    assert page.xpath("//footer[@class='colophon']//p[@class='colophon-rights']")


def test_figures_tables_and_notes(site):
    page = _page(site, ARTICLES["kitchen-sink"])
    figures = page.xpath("//main//figure[img]")
    assert len(figures) == 3
    for index, figure in enumerate(figures):
        img = figure.find("img")
        with Image.open(site / img.get("src")) as image:
            assert (int(img.get("width")), int(img.get("height"))) == image.size
        small, full = (part.split() for part in img.get("srcset").split(", "))
        with Image.open(site / small[0]) as image:
            assert small[1] == f"{image.width}w" and max(image.size) == 800
        assert full == [img.get("src"), f"{img.get('width')}w"]
        assert img.get("loading") == ("lazy" if index else None)
        assert figure.find("figcaption").find("span[@class='credit']") is not None
    table = page.xpath("//figure[contains(@class, 'table-wrap')]")[0]
    scroller = table.find("div[@class='table-scroll']")
    assert scroller.get("tabindex") == "0" and scroller.get("role") == "region"
    assert table.find("figcaption") is not None and not scroller.xpath(".//figcaption|.//caption")
    ids = set(page.xpath("//@id"))
    calls = page.xpath("//a[@class='footnote-ref']")
    backs = page.xpath("//a[@role='doc-backlink']")
    assert calls and len(backs) >= len(calls) - 1
    assert all(a.get("href")[1:] in ids for a in calls + backs)


def test_the_nu_validator_finds_no_error(site):
    java = shutil.which("java")
    assert java and VNU.is_file(), "Java and vnu.jar: `make .venv/.installed-test` installs them"
    pages = [str(site / name) for name in [*ARTICLES.values(), "index.html"]]
    result = subprocess.run([java, "-jar", str(VNU), "--errors-only", "--format", "gnu", *pages],
                            capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0 and not result.stderr.strip(), result.stderr


@contextlib.contextmanager
def _served(folder: Path) -> Iterator[str]:
    """`folder` served over HTTP on this machine only, on a free port."""
    handler = functools.partial(_Quiet, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:  # no line per request in the test output
        pass


@pytest.fixture(scope="module")
def browser(site) -> Iterator[tuple[object, str]]:
    """Debian's Chromium, headless, and the address of the served hand-out folder."""
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium")
    assert chromium, "Chromium is missing: `make test` installs it"
    with _served(site) as address, sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium,
                                              args=["--no-sandbox", "--disable-gpu"])
        yield launched, address
        launched.close()


# What a page must be at a phone's width: nothing wider than the screen but inside a table's
# scrolling box; every image loaded once scrolled to; every note link
# and back link leading to an element of the page.
PROBE = """async (width) => {
  const wide = [];
  for (const element of document.querySelectorAll("body *")) {
    if (element.closest(".table-scroll, .skip")) continue;
    const box = element.getBoundingClientRect();
    if (box.width && (box.right > width + 0.5 || box.left < -0.5)) wide.push(element.outerHTML.slice(0, 80));
  }
  const images = [...document.images];
  for (const image of images) { image.loading = "eager"; image.scrollIntoView(); }
  await Promise.all(images.map((image) => image.decode().catch(() => null)));
  const links = [...document.querySelectorAll("a[href^='#']")];
  return {page: document.documentElement.scrollWidth, wide,
    broken: images.filter((image) => !image.naturalWidth).map((image) => image.src),
    nowhere: links.filter((a) => !document.getElementById(a.hash.slice(1))).map((a) => a.href)};
}"""


def test_axe_finds_no_violation_and_a_phone_shows_it_all(site, browser):
    """axe-core, WCAG 2.2 AA, on every article and the index, 390 and 1280 px wide, light
    and dark; at 390 px nothing wider than the screen, every image loaded, every note lands."""
    launched, address = browser
    assert AXE.is_file(), "axe-core: `make .venv/.installed-test` installs it"
    found: list[str] = []
    for width in (PHONE, DESKTOP):
        for scheme in ("light", "dark"):
            context = launched.new_context(viewport={"width": width, "height": 900},
                                           color_scheme=scheme)
            page = context.new_page()
            for name in [*ARTICLES.values(), "index.html"]:
                page.goto(address + name, wait_until="load")
                page.add_script_tag(path=str(AXE))
                result = page.evaluate("""(tags) => axe.run(document, {runOnly: {type: "tag",
                    values: tags}, resultTypes: ["violations"]})""", AXE_TAGS)
                found += [f"{name} {width}px {scheme}: {v['id']} {[n['target'] for n in v['nodes']]}"
                          for v in result["violations"]]
                if width == PHONE and scheme == "light":
                    probe = page.evaluate(PROBE, PHONE)
                    assert probe["page"] <= PHONE and not probe["wide"], (name, probe)
                    assert not probe["broken"] and not probe["nowhere"], (name, probe)
            context.close()
    assert not found


def test_the_search_finds_a_word_of_one_articles_third_section(site, browser):
    """Pagefind's index over a static server: a word only in the kitchen-sink's third section
    ('champs') finds that article, from the index and from an article in another language;
    a word of no document finds nothing, and says so."""
    launched, address = browser
    page = launched.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    for start in ("index.html", ARTICLES["german"]):
        page.goto(address + start, wait_until="load")
        box = page.get_by_role("searchbox")
        box.fill("champs")
        page.wait_for_selector(".search-results li a", timeout=15000)
        assert not errors
        hrefs = page.eval_on_selector_all(".search-results li a", "links => links.map(a => a.href)")
        assert hrefs == [address + ARTICLES["kitchen-sink"]]
        box.fill("xylophonistes")
        page.wait_for_selector(".search-results p")
        assert page.locator(".search-results li").count() == 0
        assert page.locator(".search-results").inner_text() in ("Aucun résultat", "Keine Treffer")
    page.close()


def test_without_script_the_search_box_is_hidden_and_the_page_reads(site, browser):
    launched, address = browser
    context = launched.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(address + ARTICLES["kitchen-sink"], wait_until="load")
    assert not page.locator("form.search").is_visible()
    assert "Documenter leurs champs" in page.locator("main").inner_text()
    context.close()
