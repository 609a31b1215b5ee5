"""Figures, tables, lists, links, notes and code, in both outputs, on the fixtures of
tests/fixtures/<name>/ (built once, images made by tests/samples.py)."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from pathlib import Path

import pypdf
import pytest

from blocnotes import fonts, style
from helpers import ROOT, epub_names, epub_spine, words
from samples import NAMES

X = "{http://www.w3.org/1999/xhtml}"
EPUB_TYPE = "{http://www.idpf.org/2007/ops}type"


def _chapters(sample) -> list[tuple[str, object]]:
    return [(name, root) for name, root in epub_spine(sample.epub)]


def _all(sample, tag: str) -> list:
    return [el for _, root in _chapters(sample) for el in root.iter(f"{X}{tag}")]


def _text(element) -> str:
    return " ".join("".join(element.itertext()).split())


def _pdf_text(path: Path) -> str:
    pdftotext = shutil.which("pdftotext")
    assert pdftotext, "pdftotext is missing: `make test` installs poppler-utils"
    return subprocess.run([pdftotext, "-enc", "UTF-8", str(path), "-"], check=True,
                          capture_output=True, text=True).stdout


# --- figures ---------------------------------------------------------------------------

def test_figures_in_the_epub(samples_built):
    figures = _all(samples_built["figures"], "figure")
    assert len(figures) == 4
    first, portrait, wide, half = figures
    image = first.find(f"{X}img")
    assert image.get("alt") == "Une place bordée de façades anciennes, un arbre au premier plan"
    caption = first.find(f"{X}figcaption")
    assert caption.text.startswith("La place de Dornach")
    credit = caption.find(f"{X}span[@class='credit']")
    assert credit is not None and _text(credit) == "© AURM – J. Muller"
    # no fig-alt: the caption is the alternative text
    assert portrait.find(f"{X}img").get("alt").startswith("Le clocher de l'église")
    assert "wide" in wide.get("class").split()
    assert half.get("style") == "width: 50%" and half.find(f"{X}figcaption") is None
    assert half.find(f"{X}img").get("alt").startswith("Le plan de l'allée")
    for figure in figures:  # nothing of the Markdown attributes leaks into the XHTML
        assert not set(figure.find(f"{X}img").attrib) & {"credit", "fig-alt", "width"}


def test_inline_image_stays_in_its_sentence(samples_built):
    logos = [img for img in _all(samples_built["figures"], "img")
             if "inline" in (img.get("class") or "").split()]
    assert len(logos) == 1 and logos[0].get("alt") == "AURM"


def test_credits_gathered_in_the_colophon(samples_built):
    colophon = next(root for name, root in _chapters(samples_built["figures"])
                    if name.endswith("colophon.xhtml"))
    line = [p for p in colophon.iter(f"{X}p") if p.get("class") == "colophon-credits"]
    assert _text(line[0]) == ("Crédits photos : © AURM – J. Muller, © Ville de Mulhouse, "
                              "© AURM – P. Klein")


def _image_widths(pdf: Path) -> list[float]:
    """The width, in CSS pixels, at which each image is drawn on the PDF's pages."""
    widths = []
    for page in pypdf.PdfReader(pdf).pages:
        content = page.get_contents().get_data().decode("latin-1")
        widths += [float(w) for w in re.findall(r"([\d.]+) 0 0 -[\d.]+ 0 [\d.]+ cm\s*/\w+ Do",
                                                content)]
    return widths


def test_wide_photo_spans_both_columns_and_others_fit_one(samples_built):
    column = style.read(ROOT / "styles" / "bloc-notes").geometry.column / 25.4 * 96
    widths = _image_widths(samples_built["figures"].pdf)
    assert len(widths) == 5  # four figures and the inline logo
    assert max(widths) > 1.9 * column  # the .wide photo
    assert sorted(widths)[-2] <= column + 0.5  # every other photo within its column
    assert min(widths) < 20  # the logo, at the text's size


# --- tables ----------------------------------------------------------------------------

def test_table_caption_source_and_alignment_in_the_epub(samples_built):
    tables = _all(samples_built["table"], "table")
    # in the EPUB, the caption is the figure's, outside the box that scrolls (test_readers.py)
    wrappers = [d for d in _all(samples_built["table"], "figure")
                if "table-wrap" in (d.get("class") or "")]
    assert [_text(w.find(f"{X}figcaption")) for w in wrappers] == [
        "Logements autorisés et commencés dans les communes de plus de 10 000 habitants.",
        "Ventes de logements anciens à Mulhouse."]
    assert "wide" in wrappers[0].get("class").split()  # five columns
    assert "wide" not in wrappers[1].get("class").split()
    scroller = wrappers[0].find(f"{X}div")
    assert scroller.get("tabindex") == "0" and scroller.get("role") == "region"
    assert _text(wrappers[0].find(f"{X}p")).startswith("Source")
    first_row = tables[0].find(f"{X}tbody/{X}tr")
    classes = [(cell.get("class") or "").split() for cell in first_row]
    assert "align-right" in classes[1] and "num" in classes[1]  # `---:` kept
    assert "num" in classes[4] and "num" not in classes[0] and "num" not in classes[3]


def test_every_table_word_whole_in_the_pdf(samples_built):
    text = _pdf_text(samples_built["table"].pdf)
    for word in ("Commune", "Kingersheim", "Wittenheim", "Riedisheim", "2022–2023",
                 "2021–2023", "autorisés", "commencés", "Période", "sociale", "Total"):
        assert re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", text), word


# --- lists -----------------------------------------------------------------------------

def _depth(element, parents: dict) -> int:
    depth = 0
    while element is not None:
        if element.tag in (f"{X}ul", f"{X}ol"):
            depth += 1
        element = parents.get(element)
    return depth


def test_lists_nested_as_typed(samples_built):
    chapters = _chapters(samples_built["lists"])
    first = next(root for name, root in chapters if "chapitre" in name)
    parents = {child: parent for parent in first.iter() for child in parent}
    items = {_text(li).split(" ")[0]: li for li in first.iter(f"{X}li")}
    # two-space nesting, right under a paragraph's line, three levels deep
    assert _depth(items["des"], parents) == 1
    assert _depth(items["devant"], parents) == 2
    assert _depth(items["Mulhouse"], parents) == 3
    # four-space nesting
    assert _depth(items["trottoirs"], parents) == 2
    second = [root for name, root in chapters if "chapitre" in name][1]
    ordered = second.find(f".//{X}ol")
    assert len(ordered.findall(f"{X}li")) == 10
    fifth = ordered.findall(f"{X}li")[4]
    assert [_text(li) for li in fifth.iterfind(f"{X}ul/{X}li")] == [
        "relevés de terrain", "estimation des coûts"]


def test_check_warns_of_an_ambiguous_nesting(tmp_path):
    from blocnotes.markup import parse_body

    body = parse_body("- un\n - un espace\n- deux\n", 5)
    assert [(w.line, "1 space" in w.message) for w in body.list_warnings] == [(6, True)]
    assert parse_body("- un\n  - deux\n", 5).list_warnings == ()


def _covered(char: str) -> bool:
    """Whether the text faces (the house fonts, then the declared fallback) draw `char`."""
    house = style.read(ROOT / "styles" / "bloc-notes")
    faces = fonts.house_faces(house) + fonts.fallback_faces(house)
    return any(ord(char) in fonts._cmap(face.path) for face in faces)


def test_no_character_without_a_glyph(samples_built):
    for sample in samples_built.values():
        text = _pdf_text(sample.pdf)
        lacking = {c for c in text if not c.isspace() and c not in "\u200b\f" and not _covered(c)}
        assert lacking == set(), sample.name
    # the test would see a character no font of the style has (a CJK ideograph)
    assert not _covered("\u6f22")


def test_list_markers_drawn_from_the_house_font(samples_built):
    text = _pdf_text(samples_built["lists"].pdf)
    assert "– devant les écoles" in text and "• Mulhouse Ville" in text
    assert "\u25e6" not in text and "\u25aa" not in text


# --- links -----------------------------------------------------------------------------

URLS = (
    "https://www.aurm.org/uploads/tx_aurmpublications/2023_ville_des_proximites_rapport_final.pdf",
    "www.aurm.org/publications/ville-des-proximites",
    "https://www.insee.fr/fr/statistiques/zones/6793172?debut=0&geo=COM-68224",
    "https://observatoire.aurm.org/habitat/logements-autorises-et-commences",
    "www.grandest.fr/politiques-publiques/amenagement-du-territoire",
)


def test_bare_addresses_become_links(samples_built):
    for sample, wanted in ((samples_built["links"], URLS),):
        hrefs = {a.get("href") for a in _all(sample, "a")}
        for url in wanted:
            assert (url if url.startswith("https") else f"http://{url}") in hrefs, url
    assert _all(samples_built["links"], "wbr")  # break opportunities in the EPUB too


def test_urls_break_without_an_added_hyphen(samples_built):
    # pypdf's text, not pdftotext's: pdftotext removes a hyphen at a line's end
    raw = "\n".join(page.extract_text()
                    for page in pypdf.PdfReader(samples_built["links"].pdf).pages)
    joined = raw.replace("\u200b", "").replace("\n", "")
    for url in URLS:
        assert url in joined, url
    assert sum(url not in raw for url in URLS) >= 3, "addresses unbroken: the test proves nothing"


# --- notes -----------------------------------------------------------------------------

def test_notes_in_the_chapter_that_calls_them(samples_built):
    chapters = _chapters(samples_built["notes"])
    seen: list[str] = []
    for name, root in chapters:
        calls = [a for a in root.iter(f"{X}a") if a.get("role") == "doc-noteref"]
        asides = {a.get("id"): a for a in root.iter(f"{X}aside")}
        parents = {child: parent for parent in root.iter() for child in parent}
        for call in calls:
            assert call.get(EPUB_TYPE) == "noteref"
            target = call.get("href").split("#")[1]
            if target in seen:
                continue
            seen.append(target)
            assert target in asides, f"note {target} is not in {name}"
            aside = asides[target]
            assert aside.get(EPUB_TYPE) == "footnote" and aside.get("role") == "doc-footnote"
            back = [a for a in aside.iter(f"{X}a") if a.get("role") == "doc-backlink"]
            assert back and back[0].get("href") == f"#{parents[call].get('id')}"
            assert _text(back[0]) == call.text == str(len(seen))
    assert seen == ["fn-frontaliers", "fn-voiture", "fn-bus"]


def test_notes_at_the_foot_of_the_pdf_page(samples_built):
    text = _pdf_text(samples_built["notes"].pdf)
    foot = text[text.index("Toute reproduction"):]
    assert "1 Insee, recensement" in foot
    assert "2 Enquête mobilité" in foot and "3 Le tracé" in foot


# --- code ------------------------------------------------------------------------------

def test_code_in_source_code_pro_in_both_outputs(samples_built):
    sample = samples_built["code"]
    fonts_used = subprocess.run(["pdffonts", str(sample.pdf)], capture_output=True, text=True,
                                check=True).stdout
    assert "BN-Mono" in fonts_used  # the family name blocnotes gives Source Code Pro
    assert any("SourceCodePro" in name for name in epub_names(sample.epub))
    assert not any("SourceCodePro" in name for name in epub_names(samples_built["lists"].epub))


# --- every fixture ---------------------------------------------------------------------

def _source_words(source: Path) -> set[str]:
    text = source.read_text(encoding="utf-8").split("---", 2)[2]
    text = re.sub(r"\{[^}]*\}", " ", text)  # attributes
    text = re.sub(r"\]\([^)]*\)", "] ", text)  # targets
    text = re.sub(r"\[\^[\w-]+\]:?", " ", text)  # note calls and labels
    text = re.sub(r"https?://\S+|www\.\S+", " ", text)  # addresses, checked on their own
    text = re.sub(r"^Table:", " ", text, flags=re.MULTILINE)  # a caption's mark
    return {w for w in words(text) if len(w) > 2}


@pytest.mark.parametrize("name", NAMES)
def test_every_word_of_the_source_is_printed(samples_built, name):
    sample = samples_built[name]
    text = _pdf_text(sample.pdf).replace("\u200b", "")
    text = re.sub(r"(?<=[^\W\d])\d+\b", " ", text)  # a note call glued to its word
    # a word broken at its own hyphen (2022-|2023) counts as well as one hyphenated
    printed = set(words(text)) | set(words(re.sub(r"-\n", "-", text)))
    assert sorted(_source_words(sample.source) - printed) == []


@pytest.mark.parametrize("name", NAMES)
def test_epubcheck_and_ace_pass(samples_built, name, tmp_path):
    from conftest import run_epubcheck

    report = run_epubcheck(samples_built[name].epub, tmp_path / "report.json")
    messages = [f"{m['ID']} {m['severity']}: {m['message']}" for m in report["messages"]]
    assert messages == []
    violations = _ace(samples_built[name].epub, tmp_path)
    assert violations == []


def _ace(epub: Path, folder: Path) -> list[str]:
    import json
    import os

    ace, chromium = shutil.which("ace-puppeteer"), shutil.which("chromium")
    assert ace and chromium, "DAISY Ace and Chromium are missing: `make test` installs them"
    env = {**os.environ, "PUPPETEER_EXECUTABLE_PATH": chromium}
    subprocess.run([ace, "--silent", "--outdir", str(folder / "ace"), "--force", str(epub)],
                   env=env, check=True, timeout=300, capture_output=True)
    report = json.loads((folder / "ace" / "report.json").read_text(encoding="utf-8"))
    return [f"{group['earl:testSubject']['url']}: {item['earl:test']['dct:title']}"
            for group in report["assertions"] for item in group.get("assertions", [])]


# --- check -----------------------------------------------------------------------------

def test_check_names_the_line_of_a_guessed_nesting_and_a_figure_without_text(tmp_path):
    from click.testing import CliRunner

    from build import cli
    from samples import make_images

    make_images(tmp_path)
    source = tmp_path / "essai.md"
    source.write_text("---\ntitle: Essai\ndate: 2024-05-06\n---\n\n# Partie\n\n- un\n - deux\n\n"
                      "![](paysage.jpg){credit=\"© AURM\"}\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["check", str(source)])
    lines = result.output.strip().splitlines()
    assert f"{source}:9: warning: list item indented by 1 space(s)" in result.output, lines
    assert any(line.startswith(f"{source}:11: error: image 'paysage.jpg' has no alternative")
               for line in lines), lines
    assert result.exit_code == 1


def test_dpi_measured_at_the_size_the_figure_prints(tmp_path):
    """A 1800-pixel photo is 547 dpi at half a column, 547/2 in a column, 263 across both."""
    from PIL import Image

    from blocnotes.pipeline import Settings, check

    Image.new("RGB", (1800, 1200), (120, 160, 200)).save(tmp_path / "photo.png")
    body = ("![Dans la colonne.](photo.png)\n\n![Sur deux colonnes.](photo.png){.wide}\n\n"
            "![Une moitié.](photo.png){width=50%}\n\nUn logo ![logo](photo.png) en ligne.\n")
    (tmp_path / "photo.md").write_text(
        f"---\ntitle: Photo\ndate: 2021-01-01\n---\n\n# Une partie\n\n{body}", encoding="utf-8")
    [outcome] = check([tmp_path / "photo.md"], Settings(out=tmp_path / "out",
                                                         styles=ROOT / "styles", environ={}))
    found = [(d.line, d.message) for d in outcome.diagnostics if "dpi" in d.message]
    assert len(found) == 1 and found[0][0] == 10
    assert "prints 174 mm wide at 263 dpi" in found[0][1]


@pytest.mark.parametrize("text", [
    "Un texte écrit en\n2020. Les chiffres suivent.\n",  # a year at a line's start
    "Il a dit\n1) que non.\n",  # not a marker Python-Markdown reads
    "```\n- pas une liste\n  - ni un niveau\n```\n",  # code
    "Un paragraphe.\n\n    - du code indenté\n",
    "*important* et **gras**\n",
])
def test_the_list_pass_leaves_what_is_not_a_list(text):
    from blocnotes.constructs import normalize_lists

    assert normalize_lists(text, 1) == (text, ())


def test_the_list_pass_nests_by_the_typed_indentation():
    from blocnotes.constructs import normalize_lists

    text = "Texte :\n- a\n  - b\n    suite de b\n- c\n"
    assert normalize_lists(text, 1)[0] == "Texte :\n\n- a\n    - b\n        suite de b\n- c\n"


@pytest.mark.parametrize("line", ["Table: Une *légende*.", ": Une *légende*.",
                                  "Tableau : Une *légende*."])
def test_pandoc_table_captions(line):
    from blocnotes.markup import to_html

    html = to_html(f"| a | b |\n| --- | --- |\n| x | 2 |\n\n{line}\n")
    assert "<caption>Une <em>légende</em>.</caption>" in html and "<dl>" not in html


TABLE = ("---\ntitle: T\ndate: 2024-01-01\nlang: {lang}\n---\n\n# A\n\n"
         "| a | b |\n| --- | ---: |\n| x | 2 |\n\n{line}\n")


@pytest.mark.parametrize(("lang", "line"), [
    ("fr", "Source : Insee, 2021"), ("fr", "Sources : Insee ; AURM"), ("en", "Source: ONS, 2021"),
    ("en", "Sources: ONS; AURM"), ("de", "Quelle: Destatis, 2021"), ("de", "Quellen: Destatis"),
])
def test_a_table_s_source_line_in_the_document_s_language(lang, line):
    from blocnotes.load import parse

    html = parse(TABLE.format(lang=lang, line=line), Path("x.md")).sections[0].html
    assert '<p class="table-source">' in html
    assert html.index("</table>") < html.index("table-source") < html.index("</div>")


def test_a_source_line_in_another_language_s_words_is_a_paragraph():
    from blocnotes.load import parse

    html = parse(TABLE.format(lang="fr", line="Quelle: Destatis"), Path("x.md")).sections[0].html
    assert "table-source" not in html


CREDITED = "---\ntitle: T\ndate: 2024-01-01\nlang: {lang}\n---\n\n# A\n\n{figures}\n"


@pytest.mark.parametrize(("lang", "files", "label"), [
    ("fr", ["vue.jpg", "salle.JPEG"], "Crédits photos"),
    ("fr", ["vue.jpg", "loyers.svg"], "Crédits"),
    ("en", ["plan.png"], "Credits"),
    ("de", ["vue.heic"], "Bildnachweis"),
    ("de", ["loyers.svg"], "Abbildungsnachweis"),
])
def test_the_credits_label_fits_the_kind_of_figures(lang, files, label):
    from blocnotes.load import parse
    from blocnotes.render import render_html
    from blocnotes.typeset import typeset

    figures = "\n\n".join(f'![Figure {n}.]({name}){{credit="Auteur {n}"}}'
                          for n, name in enumerate(files))
    document = typeset(parse(CREDITED.format(lang=lang, figures=figures), Path("x.md")))
    html = render_html(document, dt.datetime(2024, 1, 1, tzinfo=dt.UTC))
    assert re.search(f'<p class="colophon-credits"[^>]*><strong>{label}</strong>', html)


@pytest.mark.parametrize(("quote", "attribution"), [
    ("> Une ville pour tous.\n>\n> — Michèle Lutz\n", "— Michèle Lutz"),
    ("> Une ville pour tous.\n>\n> -- Jane Jacobs\n", "-- Jane Jacobs"),
    ("> Une ville pour tous.\n>\n> – Michèle Lutz\n", "– Michèle Lutz"),
    ("> — Une citation qui commence par un tiret\n", None),
    ("> Une ville pour tous.\n>\n> Et pour chacun.\n", None),
])
def test_a_quotation_s_attribution_is_marked(quote, attribution):
    from blocnotes.markup import to_html

    html = to_html(quote)
    marked = re.findall(r'<p class="attribution">([^<]*)</p>', html)
    assert marked == ([attribution] if attribution else [])
