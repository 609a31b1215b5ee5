"""What readers' programs see: the series and the issue's number in every output (the EPUB's
collection and Calibre's meta, the PDF's XMP, the feeds, the title page, the web page), one XMP
packet that Adobe's toolkit (pikepdf) and exiftool read whole, `check` warning of two issues
with one number (a series of three fixtures, in both styles, handed out once), tables that
fit a phone's screen in the EPUB, and the seed PDF's text copied whole (its layout's hyphens
soft, its running heads and folios artifacts)."""

from __future__ import annotations

import html
import io
import json
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pikepdf
import pypdf
import pytest
from fontTools.ttLib import TTFont
from lxml import etree
from pdfminer.high_level import extract_pages
from pdfminer.layout import LTTextContainer

from blocnotes import frontmatter, render
from blocnotes.errors import BlocNotesError
from blocnotes.pipeline import Settings, build, check, distribute
from conftest import run_epubcheck
from helpers import AGENCY, NS, ROOT, SOURCE, epub_opf, schema_errors

SOURCES = {
    # two authors, straight apostrophes the typesetting makes ’
    "atelier.md": """---
title: L'atelier d'été
date: 2021-06-10
number: 1
author:
  - Anne Première
  - Bruno Second
---

# Le débat

Texte du débat.
""",
    "workshop.md": """---
title: Cycling workshop
date: 2021-09-02
lang: en
number: 2
---

# The debate

Text.
""",
    # the other style: the series its labels name
    "note.md": """---
title: Les friches
date: 2021-11-20
style: observatoire
number: 7
---

# Le constat

Texte.
""",
}
OPF = "http://www.idpf.org/2007/opf"
SERIES = "Le Bloc-Notes de l’Agence"
OBSERVATOIRE = "Note de l’Observatoire"


@pytest.fixture(scope="module")
def handed_out(tmp_path_factory) -> Path:
    """The three fixtures built and handed out: out/ holds the builds, out/site/ the hand-out."""
    folder = tmp_path_factory.mktemp("readers")
    for name, text in SOURCES.items():
        (folder / name).write_text(text, encoding="utf-8")
    settings = Settings(out=folder / "out", styles=ROOT / "styles", agency_fallback=AGENCY,
                        environ={})
    outcomes, site = distribute(sorted(folder.glob("*.md")), settings)
    assert [outcome.error for outcome in outcomes] == [None] * 3
    assert site
    return folder / "out"


def _opf_series(epub: Path) -> dict[str, str]:
    _, opf = epub_opf(epub)
    metadata = opf.find("opf:metadata", NS)
    assert metadata is not None
    found = {}
    for meta in metadata.iterfind(f"{{{OPF}}}meta"):
        if meta.get("property") == "belongs-to-collection":
            found["collection"] = meta.text or ""
            found["id"] = meta.get("id", "")
        elif meta.get("refines") and meta.get("property") in ("collection-type", "group-position"):
            found[f"{meta.get('property')}@{meta.get('refines')}"] = meta.text or ""
        elif (meta.get("name") or "").startswith("calibre:"):
            found[meta.get("name", "")] = meta.get("content", "")
    return found


@pytest.mark.parametrize(("slug", "series", "number"), [
    ("atelier", SERIES, "1"), ("workshop", SERIES, "2"), ("note", OBSERVATOIRE, "7")])
def test_the_epub_belongs_to_its_series_at_its_number(handed_out, slug, series, number):
    found = _opf_series(handed_out / f"{slug}.epub")
    assert found["collection"] == series
    assert found[f"collection-type@#{found['id']}"] == "series"
    assert found[f"group-position@#{found['id']}"] == number
    assert found["calibre:series"] == series
    assert found["calibre:series_index"] == number


def test_the_epub_with_its_series_is_valid(handed_out, tmp_path):
    report = run_epubcheck(handed_out / "atelier.epub", tmp_path / "report.json")
    assert [m["message"] for m in report["messages"]] == []


def test_the_epub_names_the_pdf_as_handed_out(handed_out):
    _, opf = epub_opf(handed_out / "atelier.epub")
    source = opf.findtext("opf:metadata/dc:source", namespaces=NS) or ""
    assert source.endswith(", 2021-06-10-atelier.pdf")  # the dated name of site/
    assert (handed_out / "site" / "2021-06-10-atelier.pdf").is_file()
    assert source.startswith(f"{SERIES} nº\u00a01, L’atelier d’été")


def test_the_accessibility_summary_agrees_with_the_access_modes(handed_out):
    _, opf = epub_opf(handed_out / "workshop.epub")
    metadata = opf.find("opf:metadata", NS)
    modes = [m.text for m in metadata.iterfind(f"{{{OPF}}}meta")
             if m.get("property") == "schema:accessMode"]
    summary = next(m.text for m in metadata.iterfind(f"{{{OPF}}}meta")
                   if m.get("property") == "schema:accessibilitySummary")
    assert "visual" in modes  # the cover
    assert "text only" not in summary.casefold() and "image" in summary.casefold()


XMP_KEYS = ("dc:creator", "dc:title", "dc:rights", "dc:language", "dc:publisher",
            "prism2:publicationName", "prism2:number", "pdfuaid:part")  # PRISM 2.0: pikepdf says prism2


def _xmp(pdf: Path) -> tuple[str, dict]:
    """The PDF's XMP packet, and the properties pikepdf's reader (Adobe's model) finds."""
    with pikepdf.open(pdf) as document:
        packet = document.Root.Metadata.read_bytes().decode("utf-8")
        with document.open_metadata() as meta:
            return packet, {key: meta[key] for key in XMP_KEYS if key in meta}


@pytest.mark.parametrize("name", ["atelier.pdf", "atelier-impression.pdf"])
def test_one_xmp_packet_that_adobes_toolkit_reads_whole(handed_out, name):
    packet, meta = _xmp(handed_out / name)
    assert packet.count("<rdf:RDF") == 1 and packet.count("<rdf:Description") == 1
    assert meta["dc:creator"] == ["Anne Première", "Bruno Second"]  # one rdf:li each
    assert meta["dc:title"] == "L’atelier d’été"  # as the page shows it
    assert meta["dc:rights"].startswith("Toute reproduction autorisée")
    assert meta["dc:language"] == {"fr"}
    assert meta["dc:publisher"] == {"L’Agence d’Urbanisme de la Région Mulhousienne"}
    assert meta["prism2:publicationName"] == SERIES
    assert meta["prism2:number"] == "1"
    assert ("pdfuaid:part" in meta) == (name == "atelier.pdf")
    with pikepdf.open(handed_out / name) as document:  # the document information agrees
        assert str(document.docinfo["/Title"]) == "L’atelier d’été"
        assert str(document.docinfo["/Author"]) == "Anne Première, Bruno Second"


def test_exiftool_reads_the_series_and_both_authors(handed_out):
    exiftool = shutil.which("exiftool")
    assert exiftool, "exiftool is missing: `make test` installs it (libimage-exiftool-perl)"
    result = subprocess.run([exiftool, "-j", "-XMP:all", str(handed_out / "note.pdf")],
                            capture_output=True, text=True, check=True, timeout=60)
    tags = json.loads(result.stdout)[0]
    assert tags["Title"] == "Les friches"
    assert tags["PublicationName"] == OBSERVATOIRE and str(tags["Number"]) == "7"
    assert tags["Language"] == "fr" and tags["Rights"].startswith("Toute reproduction")
    result = subprocess.run([exiftool, "-j", "-XMP:Creator", str(handed_out / "atelier.pdf")],
                            capture_output=True, text=True, check=True, timeout=60)
    assert json.loads(result.stdout)[0]["Creator"] == ["Anne Première", "Bruno Second"]


@pytest.mark.parametrize(("slug", "shown"), [
    ("atelier", "nº\u00a01"), ("workshop", "No.\u00a02"), ("note", "nº\u00a07")])
def test_the_title_page_shows_the_number_in_the_documents_language(handed_out, slug, shown):
    first = pypdf.PdfReader(handed_out / f"{slug}.pdf").pages[0].extract_text()
    assert shown.replace("\u00a0", " ").casefold() in first.replace("\u00a0", " ").casefold()


def test_the_feeds_and_the_web_page_carry_series_and_number(handed_out):
    site = handed_out / "site"
    for name, schema in (("opds.atom", "opds"), ("feed.atom", "atom")):
        data = (site / name).read_bytes()
        assert schema_errors(data, schema) == []
        entries = etree.fromstring(data).iterfind("{http://www.w3.org/2005/Atom}entry")
        found = {}
        for entry in entries:
            series = entry.find("{http://schema.org}Series")
            found[entry.findtext("{http://www.w3.org/2005/Atom}title")] = (
                series.get("{http://schema.org}name"), series.get("{http://schema.org}position"))
        assert found == {"L’atelier d’été": (SERIES, "1"), "Cycling workshop": (SERIES, "2"),
                         "Les friches": (OBSERVATOIRE, "7")}
    page = (site / "index.html").read_text(encoding="utf-8")
    for number in ("nº\u00a01", "No.\u00a02", "nº\u00a07"):
        assert re.search(rf'<span class="number">{number}</span>', page)


def test_check_warns_of_two_issues_with_one_number(tmp_path):
    for name, number in (("a.md", 3), ("b.md", 3), ("c.md", 4)):
        (tmp_path / name).write_text(f"---\ntitle: {name}\ndate: 2021-01-01\nnumber: {number}\n"
                                     "---\n\n# A\n\nTexte.\n", encoding="utf-8")
    settings = Settings(out=tmp_path / "out", styles=ROOT / "styles", agency_fallback=AGENCY,
                        environ={})
    outcomes = check(sorted(tmp_path.glob("*.md")), settings)
    said = {o.source.name: [str(d) for d in o.diagnostics if "number" in d.message]
            for o in outcomes}
    assert said["c.md"] == []
    assert said["a.md"] == [f"{tmp_path / 'a.md'}:4: number 3 of 'Le Bloc-Notes de l'Agence' "
                            "is also the number of b.md (give each issue its own number)"]
    assert len(said["b.md"]) == 1 and "also the number of a.md" in said["b.md"][0]


@pytest.mark.parametrize("value", ["douze", "0", "-2", "1.5", "yes", "[1, 2]"])
def test_a_number_that_is_not_a_whole_number_is_a_user_error(value):
    front = frontmatter.parse_yaml(f"title: T\ndate: 2021-01-01\nnumber: {value}\n", Path("x.md"), 2)
    with pytest.raises(BlocNotesError, match=r"x\.md:4: 'number' is not an issue's number"):
        frontmatter.build_metadata(front, frontmatter.EMPTY, Path("x.md"), None)


def test_the_number_typed_in_french_is_understood():
    front = frontmatter.parse_yaml("title: T\ndate: 2021-01-01\nnuméro: 12\n", Path("x.md"), 2)
    with pytest.raises(BlocNotesError, match=r"unknown field 'numéro' \(did you mean 'number'\?\)"):
        frontmatter.build_metadata(front, frontmatter.EMPTY, Path("x.md"), None)
    front = frontmatter.parse_yaml('title: T\ndate: 2021-01-01\nnumber: "12"\n', Path("x.md"), 2)
    assert frontmatter.build_metadata(front, frontmatter.EMPTY, Path("x.md"), None).number == 12


# --- tables on a phone ---------------------------------------------------------------------

WIDE = """---
title: Tableau large
date: 2024-03-12
---

# Les chiffres

| Commune | 2016 | 2017 | 2018 | 2019 | 2020 | 2021 | 2022 |
| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
| Mulhouse | 1 245 | 980 | 1 002 | 1 100 | 876 | 1 245 | 980 |
| Kingersheim | 312 | 287 | 300 | 301 | 280 | 312 | 287 |

Table: Logements autorisés dans les communes de plus de 10 000 habitants, de 2016 à 2022.

Source : Sitadel, DREAL Grand Est, traitement AURM.
"""
PHONE_PX = 390
# Chromium's window is at least 500 px wide: the chapter is shown in a frame of a phone's
# width, whose viewport its media queries see; the page reads what the frame laid out.
PROBE = """<!DOCTYPE html><html><body style="margin:0">
<iframe src="%s" style="width:%dpx;height:2000px;border:0"></iframe>
<script>
window.addEventListener("load", () => {
  const page = document.querySelector("iframe").contentDocument, found = [];
  page.querySelectorAll("figure.table-wrap").forEach(figure => {
    const scroller = figure.querySelector(".table-scroll");
    const columns = Math.max(...[...figure.querySelectorAll("tr")].map(row => row.children.length));
    found.push({columns, client: scroller.clientWidth, scroll: scroller.scrollWidth,
      caption: figure.querySelector("figcaption") ? figure.querySelector("figcaption").scrollWidth : 0,
      inside: scroller.querySelectorAll("caption, figcaption, .table-source").length});
  });
  const out = document.createElement("pre");
  out.id = "probe";
  out.textContent = JSON.stringify({page: page.documentElement.scrollWidth, tables: found});
  document.body.appendChild(out);
});
</script></body></html>"""


def _phone_tables(epub: Path, folder: Path) -> list[dict]:
    """Each table of the EPUB as Chromium lays it out on a 390 px screen, and how wide each
    chapter's page is there."""
    chromium = shutil.which("chromium")
    assert chromium, "Chromium is missing: `make test` installs it"
    with zipfile.ZipFile(epub) as archive:
        archive.extractall(folder)
    found = []
    for chapter in sorted((folder / "EPUB").glob("chapitre-*.xhtml")):
        probe = chapter.with_name(f"probe-{chapter.stem}.html")
        probe.write_text(PROBE % (chapter.name, PHONE_PX), encoding="utf-8")
        result = subprocess.run(
            [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--allow-file-access-from-files",
             "--virtual-time-budget=5000", "--dump-dom", probe.as_uri()],
            capture_output=True, text=True, timeout=120, check=True)
        report = json.loads(html.unescape(re.search(r'id="probe">(.*?)</pre>', result.stdout).group(1)))
        assert report["page"] <= PHONE_PX, f"{chapter.name} is wider than the screen"
        found += report["tables"]
    return found


def test_tables_fit_a_phone_and_wider_ones_scroll_alone(samples_built, tmp_path):
    (tmp_path / "wide.md").write_text(WIDE, encoding="utf-8")
    settings = Settings(out=tmp_path / "out", styles=ROOT / "styles", agency_fallback=AGENCY,
                        environ={})
    [outcome] = build([tmp_path / "wide.md"], ("epub",), settings)
    assert outcome.error is None
    tables = []
    for index, epub in enumerate((samples_built["table"].epub, samples_built["kitchen-sink"].epub,
                                  tmp_path / "out" / "wide.epub")):
        tables += _phone_tables(epub, tmp_path / str(index))
    assert len(tables) >= 4 and any(t["columns"] > 6 for t in tables)
    for table in tables:
        assert table["inside"] == 0  # the caption and the source never scroll away
        assert table["caption"] <= PHONE_PX
        if table["columns"] <= 6:
            assert table["scroll"] <= table["client"], table  # nothing cut: the rows stack
        else:
            assert table["scroll"] > table["client"]  # it scrolls, within its own box


def test_each_cell_of_a_stacked_table_names_its_column(samples_built):
    with zipfile.ZipFile(samples_built["table"].epub) as archive:
        chapter = etree.fromstring(archive.read("EPUB/chapitre-01.xhtml"))
    x = "{http://www.w3.org/1999/xhtml}"
    figure = next(f for f in chapter.iter(f"{x}figure") if "table-wrap" in f.get("class", ""))
    assert "stacked" in figure.get("class").split()
    caption = figure.find(f"{x}figcaption")
    scroller = figure.find(f"{x}div")
    assert scroller.get("aria-labelledby") == caption.get("id")
    assert scroller.find(f"{x}table").get("aria-labelledby") == caption.get("id")
    row = scroller.find(f"{x}table/{x}tbody/{x}tr")
    assert [cell.get("data-label") for cell in row] == [
        "Commune", "Logements autorisés", "Logements commencés", "Période", "Part sociale"]


# --- the smaller points --------------------------------------------------------------------

def test_each_fonts_own_name_is_the_one_the_stylesheet_gives_it(handed_out):
    with zipfile.ZipFile(handed_out / "note.epub") as archive:
        css = archive.read("EPUB/styles/book.css").decode("utf-8")
        rules = re.findall(r'@font-face \{ font-family: "([^"]+)";[^}]*url\("\.\./([^"]+)"\)', css)
        assert len(rules) >= 3
        for family, name in rules:
            names = TTFont(io.BytesIO(archive.read(f"EPUB/{name}")))["name"]
            assert names.getDebugName(1) == family, name  # what Calibre compares
            assert "Source" not in (names.getDebugName(6) or ""), name  # renamed, as the OFL asks


def test_a_caption_and_its_credit_are_two_phrases_in_plain_text(samples_built):
    x = "{http://www.w3.org/1999/xhtml}"
    credited = 0
    with zipfile.ZipFile(samples_built["figures"].epub) as archive:
        for name in archive.namelist():
            if not name.startswith("EPUB/chapitre-"):
                continue
            for caption in etree.fromstring(archive.read(name)).iter(f"{x}figcaption"):
                credit = caption.find(f"{x}span[@class='credit']")
                if credit is not None and caption.text:
                    credited += 1
                    assert "".join(caption.itertext()).endswith(" " + "".join(credit.itertext()))
    assert credited


def test_a_note_called_from_two_chapters_leads_back_to_both(samples_built):
    x = "{http://www.w3.org/1999/xhtml}"
    with zipfile.ZipFile(samples_built["notes"].epub) as archive:
        chapters = {name.removeprefix("EPUB/"): etree.fromstring(archive.read(name))
                    for name in archive.namelist() if name.startswith("EPUB/chapitre-")}
    ids = {(name, element.get("id")) for name, root in chapters.items() for element in root.iter()
           if element.get("id")}
    note = next(aside for root in chapters.values() for aside in root.iter(f"{x}aside")
                if aside.get("id") == "fn-frontaliers")
    backs = [a.get("href") for a in note.iter(f"{x}a") if a.get("role") == "doc-backlink"]
    assert len(backs) == 2
    homes = {href.partition("#")[0] for href in backs}
    assert len(homes) == 2  # one in its own chapter, one in the next
    for href in backs:
        name, _, target = href.rpartition("#")
        home = name or next(n for n, root in chapters.items() if note in root.iter())
        assert (home, target) in ids, href
    assert "↑" not in pypdf.PdfReader(samples_built["notes"].pdf).pages[0].extract_text()


LONG_ADDRESS = """---
title: Une adresse longue
date: 2021-05-06
---

# Partie

Un texte qui cite une adresse longue :
<https://www.agence-urbanisme.example.org/publications/bloc-notes/2021/atelier-mobilite-douce-et-stationnement-des-velos.pdf>
et qui continue ensuite avec quelques mots de plus.
"""


def test_a_long_address_is_one_link_annotation_per_line(tmp_path):
    """An address broken over lines is one link annotation per line it is on (its breaks
    are zero-width spaces, not boxes), and its text still reads whole in each line."""
    source = tmp_path / "adresse.md"
    source.write_text(LONG_ADDRESS, encoding="utf-8")
    settings = Settings(out=tmp_path / "out", styles=ROOT / "styles",
                        agency_fallback=ROOT / "source/agency.yaml", environ={})
    assert build([source], ("pdf",), settings)[0].error is None
    reader = pypdf.PdfReader(tmp_path / "out" / "adresse.pdf")
    rects = [(page_number, *(round(float(v)) for v in annotation.get_object()["/Rect"][:2]))
             for page_number, page in enumerate(reader.pages)
             for annotation in page.get("/Annots", [])]
    assert 2 <= len(rects) <= 6 and len(rects) == len(set(rects)), rects  # broken, one per line
    text = "".join(page.extract_text() for page in reader.pages).replace("\n", "")
    assert "stationnement-des-velos." in text and "\u200b" not in text


# --- the PDF's text, copied and searched -----------------------------------------------------

def _reading_text(page: pypdf.PageObject) -> str:
    """A page's text as pypdf extracts it, without its artifacts (what a reader that knows
    them, Acrobat's, copies): pypdf itself reads every marked content."""
    marked: list[bool] = []  # for each open marked content: inside an artifact
    parts: list[str] = []

    def operator(op: bytes, args: list, cm: list, tm: list) -> None:
        if op in (b"BDC", b"BMC"):
            marked.append(args[0] == "/Artifact" or any(marked))
        elif op == b"EMC" and marked:
            marked.pop()

    def text(piece: str, cm: list, tm: list, font: object, size: float) -> None:
        if not any(marked):
            parts.append(piece)

    page.extract_text(visitor_operand_before=operator, visitor_text=text)
    return "".join(parts)


# pdfminer knows no artifacts: it is read within the page's area (A4, print.css's margins of
# 18 mm at the top, 22 mm at the foot), where the running heads and folios are not.
PAGE_AREA = (22 * 72 / 25.4, (297 - 18) * 72 / 25.4)


@pytest.fixture(scope="module")
def seed_texts(seed_built) -> dict[str, str]:
    """The seed PDF's text as each extractor gives it."""
    reader = pypdf.PdfReader(seed_built.pdf)
    pages = [[box.get_text() for box in page if isinstance(box, LTTextContainer)
              and PAGE_AREA[0] <= box.y0 and box.y1 <= PAGE_AREA[1]]
             for page in extract_pages(seed_built.pdf)]
    return {"pypdf": "\n".join(page.extract_text() for page in reader.pages),
            "pypdf, artifacts skipped": "\n".join(_reading_text(page) for page in reader.pages),
            "pdfminer": "\n".join("".join(page) for page in pages)}


@pytest.mark.parametrize("extractor", ["pypdf, artifacts skipped", "pdfminer"])
def test_words_broken_by_the_layout_are_copied_whole(seed_texts, extractor):
    """A hyphen the layout adds reads as a soft hyphen (U+00AD: nothing, when copied or
    searched); a hyphen the author typed stays, at a line's end too."""
    text, source = seed_texts[extractor], SOURCE.read_text(encoding="utf-8")
    soft = re.findall(r"(\w+)\u00ad\n+(\w+)", text)
    typed = re.findall(r"(\w+)-\n+(\w+)", text)
    assert len(soft) >= 20  # the seed's justified columns break many words
    assert [a + b for a, b in soft if not re.search(rf"\b{a}{b}\b", source)] == []
    assert [f"{a}-{b}" for a, b in typed if not re.search(rf"\b{a}-{b}\b", source)] == []
    assert "\u00ad" not in text.replace("\u00ad\n", "")  # only at a line's end
    whole = re.sub(r"\u00ad\n+|-\n+(?=\w)", lambda m: "-" if m.group().startswith("-") else "", text)
    for word in ("franco-allemande", "Facebook-Live", "individuelles"):
        assert word in whole, word


def test_the_layouts_hyphen_is_kerned_as_the_typed_one():
    """U+2010 has a glyph of its own in the house fonts (fonts._named), kerned as "-" is."""
    import uharfbuzz as hb

    from blocnotes import style
    from blocnotes.fonts import house_faces

    def advances(face: Path, text: str) -> list[int]:
        buffer = hb.Buffer()
        buffer.add_str(text)
        buffer.guess_segment_properties()
        font = hb.Font(hb.Face(hb.Blob.from_file_path(str(face))))
        hb.shape(font, buffer)
        return [position.x_advance for position in buffer.glyph_positions]

    for face in house_faces(style.read(style.folder(ROOT / "styles", "bloc-notes"))):
        for pair in ("T{}", "{}T", "e{}"):
            assert advances(face.path, pair.format("\u2010")) == advances(face.path, pair.format("-"))
    assert advances(face.path, "T-")[0] < advances(face.path, "T")[0]  # "T-" is kerned


def test_letter_spaced_labels_are_copied_as_words(seed_built, seed_texts):
    """The labels set in spaced capitals carry /ActualText, which poppler copies (pdftotext
    read "B LO C- N OT E S"); pypdf reads them whole anyway; pdfminer ignores /ActualText
    and splits a word whose letters are spaced by more than about 0.08 em (the labels were
    at 0.12 em: "B LO C- N OT E S"), the spacing the styles now keep to."""
    pdftotext = shutil.which("pdftotext")
    assert pdftotext, "pdftotext is missing: `make test` installs poppler-utils"
    poppler = subprocess.run([pdftotext, "-enc", "UTF-8", "-l", "1", str(seed_built.pdf), "-"],
                             check=True, capture_output=True, text=True).stdout
    for label in ("BLOC-NOTES", "MOTS-CLÉS"):
        assert label in poppler.splitlines(), label
        assert label in seed_texts["pypdf"].splitlines(), label
        assert label in seed_texts["pdfminer"].splitlines(), label
    pdf = pikepdf.open(seed_built.pdf)
    said = [str(operands[1].ActualText) for operands, _ in
            pikepdf.parse_content_stream(pdf.pages[0], "BDC") if "/ActualText" in operands[1]]
    assert {"BLOC-NOTES", "MOTS-CLÉS"} <= set(said)


def test_a_hyphen_typed_as_u2010_is_a_hyphen_in_the_pdf():
    """U+2010 is the layout's hyphen, which the PDF's text reads as a soft hyphen: the author's
    is set as "-", the same glyph."""
    page = ('<html xmlns="http://www.w3.org/1999/xhtml"><head></head><body>'
            '<p>franco\u2010allemande</p></body></html>')
    assert "<p>franco-allemande</p>" in render.for_pdf(page, "")


def test_running_heads_and_folios_are_artifacts_outside_the_structure(seed_built, seed_texts):
    pdf = pikepdf.open(seed_built.pdf)
    root = pdf.Root.StructTreeRoot
    held, kids = set(), list(root.K)
    while kids:
        kid = kids.pop()
        if isinstance(kid, pikepdf.Dictionary) and kid.objgen not in held:
            held.add(kid.objgen)
            kids.extend(kid.K if isinstance(kid.get("/K"), pikepdf.Array) else [kid.get("/K")])
    nums = root.ParentTree.Nums
    for number, page in enumerate(pdf.pages):
        mapped = [ref for ref in nums[2 * number + 1] if ref is not None]
        assert all(ref.objgen in held for ref in mapped)  # no element outside the tree
        operators = pikepdf.parse_content_stream(page, "BDC")
        mcids = [operands[1].MCID for operands, _ in operators if operands[0] == "/Span"]
        assert len(mcids) == len(mapped)  # every marked text is in the tree...
        pagination = [operands for operands, _ in operators if operands[0] == "/Artifact"]
        assert len(pagination) >= 2  # ...but the running heads and folios
    for shown in ("page 2 / 3", "LE BLOC-NOTES DE L’AGENCE"):  # a folio, a running head
        assert shown in seed_texts["pypdf"]
        assert shown not in seed_texts["pypdf, artifacts skipped"]


def test_each_note_is_tagged_a_note_after_its_call(samples_built):
    """PDF 1.7's /Note, with an ID, right after its call (a /Reference) in the structure: read
    after the sentence that calls it, not at the foot of the page."""
    pdf = pikepdf.open(samples_built["notes"].pdf)
    elements = [obj for obj in pdf.objects if isinstance(obj, pikepdf.Dictionary)
                and obj.get("/Type") == "/StructElem"]
    notes = [element for element in elements if element.get("/S") == "/Note"]
    assert len(notes) >= 3
    assert len({str(note.ID) for note in notes}) == len(notes)
    assert all(str(note.ID).startswith("fn-") for note in notes)
    for note in notes:
        kids = list(note.P.K)
        before = kids[[kid.objgen for kid in kids].index(note.objgen) - 1]
        assert before.S == "/Reference"
        assert any(kid.get("/S") == "/Lbl" for kid in _descendants(note))  # its number
    assert len([element for element in elements if element.get("/S") == "/Reference"]) == len(notes)


def _descendants(element: pikepdf.Dictionary) -> list[pikepdf.Dictionary]:
    kids = element.get("/K")
    kids = [kid for kid in (kids if isinstance(kids, pikepdf.Array) else [kids])
            if isinstance(kid, pikepdf.Dictionary)]
    return kids + [grandchild for kid in kids for grandchild in _descendants(kid)]


def test_an_image_in_letter_spaced_text_is_drawn(tmp_path):
    """/ActualText is given to letter-spaced text only: an image under letter-spaced text
    (WeasyPrint marks it a 'Figure' too) is drawn, where it raised AttributeError."""
    import weasyprint
    from PIL import Image

    from blocnotes import pdf  # noqa: F401  (its overrides of WeasyPrint's tagging)

    Image.new("RGB", (4, 4), "red").save(tmp_path / "x.png")
    html = '<p style="letter-spacing: 0.1em">AB <img src="x.png" alt="x"> CD</p>'
    data = weasyprint.HTML(string=html, base_url=f"{tmp_path}/").write_pdf(pdf_tags=True)
    document = pikepdf.open(io.BytesIO(data))
    said = [str(operands[1].ActualText) for operands, _ in pikepdf.parse_content_stream(
        document.pages[0], "BDC") if "/ActualText" in operands[1]]
    assert said == ["AB ", " CD"]
