"""End to end through the real command line: documents in English and German, worker
processes against one build at a time, `dist` with its exit codes, and `--allow-remote`
against a web server on this machine's loopback interface only."""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import re
import shutil
import subprocess
import sys
import threading
import zipfile
from pathlib import Path

import pypdf
import pyphen
import pytest
from PIL import Image

from conftest import ace_violations, run_epubcheck
from helpers import NS, ROOT, epub_opf, epub_spine, epub_text, pdf_text, words

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

ENGLISH = """---
title: Walking to school in Mulhouse
date: 2022-03-04
lang: en
author: [Jane Doe, John Smith]
keywords: [Mobility, Schools]
abstract: A morning with the **parents' association** of the Drouot district.
---

# Counterrevolutionary institutionalization of walking

Speakers: **Jane DOE**, urban planner

The "walking bus" is an incomprehensibility for administrators: internationalization,
institutionalization and counterrevolutionaries notwithstanding, the parents' association
demonstrated uncharacteristically straightforward responsibilities. Telecommunications
infrastructure, photosynthesis around streets and interdisciplinary neighbourhood
committees were discussed at extraordinary length by representatives, superintendents and
environmentalists alike, with disproportionately enthusiastic recommendations.

# Questions from the floor

Uncharacteristically, the representatives' recommendations were straightforward: more
pedestrianization, fewer misunderstandings, internationalization of experimentation.
"""

GERMAN = """---
title: Zu Fuß zur Schule in Mülhausen
date: 2022-03-05
lang: de
author: Erika Mustermann
keywords: [Mobilität, Schulen]
---

# Verkehrsberuhigung und Straßenraumgestaltung

Die Donaudampfschifffahrtsgesellschaft war nicht eingeladen, aber die
Rechtsschutzversicherungsgesellschaften, die Grundstücksverkehrsgenehmigungszuständigkeit
und die Arbeiterunfallversicherungsgesetze wurden ausführlich besprochen. Die
Elternvertretung der Grundschule forderte Verkehrsberuhigungsmaßnahmen, Geschwindigkeitsbegrenzungen
und Straßenraumgestaltung mit Fahrradabstellanlagen. Die Stadtverwaltung versprach
Bürgerbeteiligungsverfahren und Mobilitätsuntersuchungen in allen Nachbarschaftsvierteln.

# Fragen aus dem Publikum

Die Teilnehmerinnen und Teilnehmer wünschten Schulwegsicherheitsmaßnahmen und
Verkehrsüberwachungsanlagen vor jeder Grundschule.
"""

SOURCES = {"walking": ENGLISH, "zu-fuss": GERMAN}
LABELS = {  # the layout's fixed words, in the document's language (its style's labels.yaml)
    "en": {"contents": "Contents", "editor": "Editor", "cover": "Cover: "},
    "de": {"contents": "Inhalt", "editor": "Redaktion", "cover": "Titelbild: "},
}


def _run(*arguments: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "build.py"), *arguments], cwd=cwd,
                          capture_output=True, text=True, timeout=600, check=False,
                          env={**os.environ, "PYTHONWARNINGS": "ignore"})


@pytest.fixture(scope="module")
def sources(tmp_path_factory) -> list[Path]:
    folder = tmp_path_factory.mktemp("sources")
    shutil.copy(ROOT / "source" / "agency.yaml", folder / "agency.yaml")
    paths = []
    for name, text in SOURCES.items():
        (folder / f"{name}.md").write_text(text, encoding="utf-8")
        paths.append(folder / f"{name}.md")
    return paths


@pytest.fixture(scope="module")
def built(sources, tmp_path_factory) -> dict[str, Path]:
    """The PDF and EPUB of each source, built at once (--jobs 1) and in two workers."""
    outs = {}
    for jobs in ("1", "2"):
        out = tmp_path_factory.mktemp(f"jobs{jobs}")
        result = _run("all", "--jobs", jobs, "--out", str(out), *map(str, sources))
        assert result.returncode == 0, result.stderr
        assert result.stderr == ""
        outs[jobs] = out
    return outs


def test_jobs_2_gives_the_same_bytes_as_jobs_1(built):
    one, two = built["1"], built["2"]
    names = sorted(p.name for p in one.iterdir() if p.is_file())
    assert names == ["walking.epub", "walking.pdf", "zu-fuss.epub", "zu-fuss.pdf"]
    assert sorted(p.name for p in two.iterdir() if p.is_file()) == names
    for name in names:
        assert (one / name).read_bytes() == (two / name).read_bytes(), name


def _hyphenated_lines(text: str) -> list[tuple[str, str]]:
    """(the part before, the part after) of each word a line end split with the layout's
    hyphen, a soft hyphen in the PDF's text (the texts have no hyphenated word of their own)."""
    return re.findall(r"(\w+)\u00ad\n(\w+)", text)


@pytest.mark.parametrize(("name", "lang"), [("walking", "en"), ("zu-fuss", "de")])
def test_a_document_in_its_language(built, sources, tmp_path, name, lang):
    """/Lang and xml:lang say the language; the PDF is hyphenated by the language's
    dictionary; the EPUB's fixed words are the language's; EPUBCheck passes it."""
    pdf, epub = built["1"] / f"{name}.pdf", built["1"] / f"{name}.epub"
    reader = pypdf.PdfReader(pdf)
    assert reader.trailer["/Root"]["/Lang"] == lang
    assert f"<dc:language><rdf:Bag><rdf:li>{lang}</rdf:li>" in \
        reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode()
    text = pdf_text(reader)
    splits = _hyphenated_lines(text)
    assert splits, "no word was hyphenated"
    dictionary = pyphen.Pyphen(lang=lang)
    for before, after in splits:  # each split where the language's dictionary allows one
        assert len(before) in dictionary.positions(before + after), (before, after)
    source_words = words(SOURCES[name].split("\n---\n", 1)[1])
    assert not set(source_words) - set(words(text)), "words of the source missing from the PDF"

    _, opf = epub_opf(epub)
    assert opf.get(XML_LANG) == lang
    assert [el.text for el in opf.iterfind("opf:metadata/dc:language", NS)] == [lang]
    for document, root in epub_spine(epub):
        assert root.get(XML_LANG) == lang and root.get("lang") == lang, document
    assert not set(source_words) - set(words(epub_text(epub))), "words missing from the EPUB"
    labels = LABELS[lang]
    with zipfile.ZipFile(epub) as archive:
        nav = archive.read("EPUB/nav.xhtml").decode()
        colophon = archive.read("EPUB/colophon.xhtml").decode()
        cover = archive.read("EPUB/couverture.xhtml").decode()
    assert f"<h1>{labels['contents']}</h1>" in nav
    assert f"<strong>{labels['editor']}</strong>" in colophon
    assert f'alt="{labels["cover"]}' in cover
    report = run_epubcheck(epub, tmp_path / "report.json")
    assert [m["message"] for m in report["messages"]
            if m["severity"] in ("FATAL", "ERROR", "WARNING")] == []
    assert ace_violations(epub, tmp_path / "ace") == []


def test_english_has_english_typography(built):
    text = epub_text(built["1"] / "walking.epub")
    assert "“walking bus”" in text and "parents’ association" in text
    # no French spacing in the English text (the agency's address and notice, written in
    # French in agency.yaml, keep theirs in the colophon)
    spine = epub_spine(built["1"] / "walking.epub")
    chapters = " ".join("".join(root.itertext()) for name, root in spine if "chapitre" in name)
    assert chapters and "\u00a0:" not in chapters and "\u202f" not in chapters


def test_dist_on_the_command_line(sources, tmp_path):
    out = tmp_path / "dist"
    result = _run("dist", "--out", str(out), *map(str, sources))
    assert result.returncode == 0, result.stderr
    site = out / "site"  # the hand-out: what to upload
    assert re.search(rf"^laid out \d+ files in {re.escape(str(site))}", result.stdout, re.M), result.stdout
    names = {p.name for p in site.iterdir()}
    assert {"2022-03-04-walking.pdf", "2022-03-05-zu-fuss.epub", "index.html",
            "SHA256SUMS"} <= names
    check = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=site, capture_output=True,
                           text=True, check=False)
    assert check.returncode == 0, check.stdout

    bad = tmp_path / "bad.md"
    bad.write_text("---\ntitle: X\ndate: 2022-13-01\n---\n\n# A\n\nTexte.\n", encoding="utf-8")
    again = tmp_path / "again"
    result = _run("dist", "--out", str(again), str(bad), str(sources[0]))
    assert result.returncode == 1
    assert result.stderr.startswith(f"Error: {bad}:3: 'date' is not a date")
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
    # the good sources are built, but no page or checksums for an incomplete series
    assert (again / "walking.pdf").is_file()
    assert not (again / "site" / "index.html").exists()
    assert not (again / "site" / "SHA256SUMS").exists()

    usage = _run("dist", "--jobs", "0", "--out", str(again), str(bad))
    assert usage.returncode == 2 and "Usage:" in usage.stderr


class _Server(http.server.ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a client that hung up early is not a test failure


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Serves the folder; remembers each path asked for; no log lines."""

    requested: list[str]

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        self.requested.append(self.path)
        with contextlib.suppress(ConnectionError):
            super().do_GET()


@pytest.fixture
def loopback(tmp_path):
    """A web server on 127.0.0.1 only, serving a 300 x 200 PNG: (its base URL, requests)."""
    site = tmp_path / "site"
    site.mkdir()
    Image.new("RGB", (300, 200), (0, 91, 112)).save(site / "plan.png")
    requested: list[str] = []
    handler = functools.partial(type("H", (_Handler,), {"requested": requested}),
                                directory=str(site))
    server = _Server(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", requested
    server.shutdown()
    server.server_close()


def _images(reader: pypdf.PdfReader) -> list[tuple[int, int]]:
    return [(image.image.width, image.image.height)
            for page in reader.pages for image in page.images]


def test_allow_remote_on_the_command_line(loopback, tmp_path):
    base, requested = loopback
    source = tmp_path / "remote.md"
    source.write_text(f"---\ntitle: T\ndate: 2022-01-01\n---\n\n# A\n\n"
                      f"![Un plan]({base}/plan.png)\n", encoding="utf-8")
    out = tmp_path / "out"

    refused = _run("pdf", "--out", str(out), str(source))
    assert refused.returncode == 1
    assert "--allow-remote" in refused.stderr and len(refused.stderr.strip().splitlines()) == 1
    assert requested == [] and not out.exists()  # nothing fetched by default

    allowed = _run("pdf", "--allow-remote", "--out", str(out), str(source))
    assert allowed.returncode == 0, allowed.stderr
    assert requested == ["/plan.png"]
    assert (300, 200) in _images(pypdf.PdfReader(out / "remote.pdf"))

    epub = _run("epub", "--allow-remote", "--out", str(out), str(source))
    assert epub.returncode == 1  # an EPUB carries its images: never a remote one
    assert "cannot go in an EPUB" in epub.stderr
    assert not (out / "remote.epub").exists()
