"""A style is a folder: the seed's Markdown, with `style: observatoire`, becomes the Note de
l'Observatoire (styles/observatoire/: one column, deep green, its own labels) in every
edition, and a source is rebuilt exactly when the files of its own style change."""

from __future__ import annotations

import io
import re
import shutil
import zipfile
from pathlib import Path

import pypdf
import pytest
from PIL import Image

from blocnotes import fonts, frontmatter, load, style
from blocnotes.errors import BlocNotesError
from blocnotes.pipeline import Settings, build, distribute, due
from blocnotes.watch import affected
from conftest import ace_violations, run_epubcheck
from helpers import ROOT, SOURCE, pdf_text

STYLES = ROOT / "styles"
OBSERVATOIRE = style.read(STYLES / "observatoire")
BLOC_NOTES = style.read(STYLES / "bloc-notes")


def _rg(colour: str) -> str:
    """A CSS #rrggbb as WeasyPrint writes it in a content stream (fill colour)."""
    return " ".join(f"{int(colour[i:i + 2], 16) / 255:.6f}".rstrip("0").rstrip(".")
                    for i in (1, 3, 5)) + " rg"


def _styled(text: str, name: str) -> str:
    return text.replace("\ntitle:", f"\nstyle: {name}\ntitle:", 1)


@pytest.fixture(scope="module")
def observatoire(tmp_path_factory) -> Path:
    """The seed's source with `style: observatoire`, distributed: PDF, print shop's PDF,
    EPUB and the web page (out/site/)."""
    folder = tmp_path_factory.mktemp("observatoire")
    source = folder / "note.md"
    source.write_text(_styled(SOURCE.read_text(encoding="utf-8"), "observatoire"), encoding="utf-8")
    settings = Settings(out=folder / "out", styles=STYLES,
                        agency_fallback=ROOT / "source/agency.yaml", environ={})
    outcomes, site = distribute([source], settings)
    assert [outcome.error for outcome in outcomes] == [None]
    assert site
    return folder / "out"


def test_the_pdf_is_in_the_observatoire_colours_and_words(observatoire, seed_built):
    pdf, seed = (pypdf.PdfReader(path) for path in (observatoire / "note.pdf", seed_built.pdf))
    first, seed_first = (reader.pages[0].get_contents().get_data().decode("latin-1")
                         for reader in (pdf, seed))
    green, blue = _rg(OBSERVATOIRE.colours["accent"]), _rg(BLOC_NOTES.colours["accent"])
    assert green in first and blue not in first
    assert blue in seed_first and green not in seed_first
    text, seed_text = pdf_text(pdf), pdf_text(seed)
    # the series its style names (the agency's is the Bloc-Notes'), and its labels
    assert "Note de l’Observatoire, une publication de" in text
    assert "Le Bloc-Notes de l’Agence" not in text and "Le Bloc-Notes de l’Agence" in seed_text
    assert "THÈMES" in text and "MOTS-CLÉS" in seed_text


def test_bold_in_the_italic_abstract_prints_bold(observatoire):
    """The author's **Smart City Mag** inside the Observatoire's italic abstract is set in the
    serif's semibold italic (Source Serif Pro had none: it printed as plain italic)."""
    drawn: dict[str, str] = {}

    def note(text, cm, tm, font, size):  # pypdf's visitor of each text shown
        if font and text.strip():
            name = str(font.get("/BaseFont", "")).split("+")[-1]
            drawn[name] = drawn.get(name, "") + text

    pypdf.PdfReader(observatoire / "note.pdf").pages[0].extract_text(visitor_text=note)
    assert "Smart City Mag" in drawn.get("BN-Serif-Semi-Bold-Italic", ""), drawn.keys()
    assert "magazine" in drawn.get("BN-Serif-Italic", "")


def test_the_print_shop_pdf_has_the_observatoire_inks(observatoire):
    page = pypdf.PdfReader(observatoire / "note-impression.pdf").pages[0]
    content = page.get_contents().get_data().decode("latin-1")
    ink = re.sub(r"device-cmyk\((.*)\)", r"\1", OBSERVATOIRE.inks["accent"])
    assert f"{ink} scn" in content  # the deep green in its four inks, as the print shop asks
    assert _rg(OBSERVATOIRE.colours["accent"]) not in content


def test_the_epub_passes_epubcheck_and_ace(observatoire, tmp_path):
    epub = observatoire / "note.epub"
    report = run_epubcheck(epub, tmp_path / "report.json")
    assert report["checker"]["nError"] == 0 and report["checker"]["nWarning"] == 0, report["messages"]
    assert ace_violations(epub, tmp_path / "ace") == []
    with zipfile.ZipFile(epub) as book:
        css = book.read("EPUB/styles/book.css").decode("utf-8")
        carried = [name for name in book.namelist() if name.endswith(".ttf")]
    assert OBSERVATOIRE.colours["accent"] in css and BLOC_NOTES.colours["accent"] not in css
    # the serif sets its text: the EPUB carries the serif's regular and italic, and its
    # semibold italic (bold in the italic abstract)
    serif = {face.stem for face in fonts.house_faces(OBSERVATOIRE)
             if face.family == OBSERVATOIRE.fonts["serif"].family and face.weight in (400, 600)
             and (face.weight, face.style) != (600, "normal")}
    assert len(serif) == 3 and serif <= {Path(name).stem for name in carried}


def test_the_cover_is_drawn_as_the_style_s_page_1(observatoire, seed_built):
    """style.yaml's `cover:` places the band: down the left edge for the Observatoire (as its
    page 1), across the top for the Bloc-Notes."""
    def rgb(colour: str) -> tuple[int, ...]:
        return tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))

    covers = {}
    for name, epub in (("observatoire", observatoire / "note.epub"), ("bloc-notes", seed_built.epub)):
        with zipfile.ZipFile(epub) as book:
            covers[name] = Image.open(io.BytesIO(book.read("EPUB/images/couverture.png"))).convert("RGB")
    green, blue = rgb(OBSERVATOIRE.colours["accent"]), rgb(BLOC_NOTES.colours["accent"])
    width, height = covers["observatoire"].size
    assert covers["observatoire"].getpixel((10, height - 10)) == green  # the band, at the foot
    assert covers["observatoire"].getpixel((width - 10, 10)) != green
    assert covers["bloc-notes"].getpixel((width - 10, 10)) == blue  # across the top
    assert covers["bloc-notes"].getpixel((10, height - 10)) != blue


def test_the_web_page_is_the_observatoire_page(observatoire):
    page = (observatoire / "site" / "index.html").read_text(encoding="utf-8")
    assert OBSERVATOIRE.colours["accent"] in page and BLOC_NOTES.colours["accent"] not in page
    assert "<h1>Note de l’Observatoire</h1>" in page or ">Note de l’Observatoire<" in page
    serif = fonts.edition_faces("web", OBSERVATOIRE)
    assert all((observatoire / "site" / "fonts" / f"{face.stem}.woff2").is_file() for face in serif)
    assert OBSERVATOIRE.fonts["serif"].family in {face.family for face in serif}


def test_a_photo_prints_across_the_one_column(tmp_path):
    """The observatoire's geometry (the column lint's dpi check uses) is the one its PDF lays
    out: a wide photo fills its one column (116 mm), the Bloc-Notes' one of its two (83.5 mm)."""
    Image.new("RGB", (3000, 1500), (120, 140, 130)).save(tmp_path / "photo.png")
    widths = {}
    for name in ("observatoire", "bloc-notes"):
        source = tmp_path / f"{name}.md"
        source.write_text(f"---\nstyle: {name}\ntitle: Photo\ndate: 2021-01-01\n---\n\n# Le quartier\n\n"
                          "Texte.\n\n![Une photo du quartier](photo.png)\n", encoding="utf-8")
        settings = Settings(out=tmp_path / "out", styles=STYLES, environ={})
        [outcome] = build([source], ("pdf",), settings)
        assert outcome.error is None, outcome.error
        content = pypdf.PdfReader(settings.out / f"{name}.pdf").pages[0].get_contents().get_data()
        widths[name] = [float(m.group(1)) * 25.4 / 96 for m in re.finditer(
            r"([\d.]+) 0 0 -?[\d.]+ -?[\d.]+ -?[\d.]+ cm\s*/\w+ Do", content.decode("latin-1"))]
    assert widths["observatoire"][0] == pytest.approx(OBSERVATOIRE.geometry.column, abs=0.2)
    assert widths["bloc-notes"][0] == pytest.approx(BLOC_NOTES.geometry.column, abs=0.2)


# --- choosing a style ------------------------------------------------------------------

TEXT = "---\ntitle: T\n{style}date: 2024-01-02\n{more}---\n\nTexte.\n"


def _parse(tmp_path: Path, style_line: str = "", more: str = "", agency: str = ""
           ) -> load.Document:
    defaults = frontmatter.read_defaults(agency, tmp_path / "agency.yaml")
    return load.parse(TEXT.format(style=style_line, more=more), tmp_path / "x.md", defaults,
                      tmp_path / "agency.yaml", STYLES)


def test_what_makes_a_table_wide_is_the_style_s_geometry(tmp_path):
    """A table of three columns and 55 characters a row overflows the Bloc-Notes' column (48
    characters at its size: it spans both) and sits in the Observatoire's (65): style.yaml's
    geometry decides, not a number in the package."""
    table = ("\n| Commune du territoire | Logements | Période de référence |\n| --- | ---: | --- |\n"
             "| Mulhouse agglomération | 1 245 | 2022 à 2023 inclus |\n")
    wide = {}
    for name in ("bloc-notes", "observatoire"):
        document = load.parse(TEXT.format(style=f"style: {name}\n", more="") + table,
                              tmp_path / "x.md", styles=STYLES)
        html = "".join(section.html for section in document.sections) + document.intro_html
        wide[name] = 'class="table-wrap wide' in html
    assert wide == {"bloc-notes": True, "observatoire": False}
    assert (BLOC_NOTES.geometry.column_chars, OBSERVATOIRE.geometry.column_chars) == (48, 65)


def test_the_style_chooses_labels_and_series(tmp_path):
    default = _parse(tmp_path, agency="series: Le Bloc-Notes\n")
    assert default.meta.style is None and default.labels["keywords"] == "Mots-clés"
    assert default.meta.series == "Le Bloc-Notes"
    chosen = _parse(tmp_path, "style: observatoire\n", agency="series: Le Bloc-Notes\n")
    assert chosen.meta.style == "observatoire" and chosen.labels["keywords"] == "Thèmes"
    assert chosen.meta.series == "Note de l’Observatoire"  # its style's, not the agency's
    english = _parse(tmp_path, "style: observatoire\n", "lang: en\n")
    assert english.meta.series == "Observatory Note" and english.labels["abstract"] == "Key points"
    named = _parse(tmp_path, "style: observatoire\n", "series: Cahier\n")
    assert named.meta.series == "Cahier"  # a document's own series wins
    # an agency of the Observatoire: its style and its series for every document
    agency = _parse(tmp_path, agency="style: observatoire\nseries: Les Notes\n")
    assert agency.labels["keywords"] == "Thèmes" and agency.meta.series == "Les Notes"
    assert _parse(tmp_path, "style: bloc-notes\n", agency="style: observatoire\n"
                  ).labels["keywords"] == "Mots-clés"
    # an agency.yaml's labels still override the chosen style's
    reworded = _parse(tmp_path, "style: observatoire\n",
                      agency="labels:\n  fr:\n    keywords: Sujets\n")
    assert reworded.labels["keywords"] == "Sujets" and reworded.labels["abstract"] == "L’essentiel"
    # the default style, named: the agency's series still
    assert _parse(tmp_path, "style: bloc-notes\n", agency="series: Le Bloc-Notes\n"
                  ).meta.series == "Le Bloc-Notes"


def test_an_unknown_style_is_an_error_at_its_line(tmp_path):
    with pytest.raises(BlocNotesError) as caught:
        _parse(tmp_path, "style: observatoir\n")
    assert caught.value.line == 3 and caught.value.path == tmp_path / "x.md"
    assert "unknown style 'observatoir'" in caught.value.message
    assert "known: bloc-notes, observatoire" in caught.value.message
    with pytest.raises(BlocNotesError) as caught:
        _parse(tmp_path, agency="# the agency\nstyle: gazette\n")
    assert caught.value.line == 2 and caught.value.path == tmp_path / "agency.yaml"
    with pytest.raises(BlocNotesError, match="not a style's name"):  # no way out of styles/
        _parse(tmp_path, "style: ../bloc-notes\n")
    with pytest.raises(BlocNotesError, match="did you mean 'style'"):
        _parse(tmp_path, "gabarit: observatoire\n")


def test_a_style_whose_font_package_is_missing_says_so(tmp_path):
    """A font's key overridden alone (its package), over the base's: the error at the file
    that names it."""
    folder = _gazette(tmp_path, "style.yaml", "\neditions:",
                      "\nfonts:\n  serif:\n    package: font_gazette_serif\neditions:")
    assert style.read(folder).fonts["serif"].family == BLOC_NOTES.fonts["serif"].family
    with pytest.raises(BlocNotesError) as caught:
        fonts.house_faces(style.read(folder))
    assert caught.value.path == folder / "style.yaml"
    assert "'font_gazette_serif' of 'serif' is not installed" in caught.value.message
    # the style's own fonts are found where their package put them
    assert all(face.path.is_file() for face in fonts.all_faces(OBSERVATOIRE))


def _gazette(tmp_path: Path, file: str, old: str, new: str, like: str = "observatoire") -> Path:
    """A copy of the Observatoire (or of `like`) as styles/gazette/, beside a copy of its base,
    with `old` replaced by `new` in `file`."""
    folder = tmp_path / "styles" / "gazette"
    shutil.copytree(STYLES / like, folder)
    if not (tmp_path / "styles" / style.DEFAULT).exists():
        shutil.copytree(STYLES / style.DEFAULT, tmp_path / "styles" / style.DEFAULT)
    text = (folder / file).read_text(encoding="utf-8")
    assert old in text
    (folder / file).write_text(text.replace(old, new, 1), encoding="utf-8")
    return folder


def test_a_half_written_style_is_one_clean_error_at_its_file(tmp_path, monkeypatch):
    """A style being written fails at its own file, with a line a designer can act on, not
    with a traceback (and, at start-up, without stopping the builds of the other styles)."""
    folder = _gazette(tmp_path / "a", "style.yaml", "\n  emoji:", "\n  emojix:", "bloc-notes")
    with pytest.raises(BlocNotesError, match="'fonts:' group has no emoji") as caught:
        style.read(folder)
    assert caught.value.path == folder / "style.yaml"
    monkeypatch.setattr(style, "ROOT", tmp_path / "a" / "styles")  # fontconfig at start-up:
    assert fonts.font_dirs(BLOC_NOTES)[0] in fonts._all_font_dirs()  # the others load
    folder = _gazette(tmp_path / "b", "style.yaml", "SourceSerif4[opsz,wght]", "SourceSerif4[opsz,wgt]",
                      "bloc-notes")
    with pytest.raises(BlocNotesError, match=r"has no file .SourceSerif4\[opsz,wgt\]"):
        fonts.house_faces(style.read(folder))
    folder = _gazette(tmp_path / "c", "labels.yaml", "\n  series:", "\n  serie:")
    with pytest.raises(BlocNotesError,
                       match=r"unknown label 'serie' in 'fr' \(did you mean 'series'") as caught:
        load.load(_source(tmp_path / "c", "gazette"), None, tmp_path / "c" / "styles")
    assert caught.value.path == folder / "labels.yaml"


@pytest.mark.parametrize(("base", "message"), [
    ("gazetta", "unknown base 'gazetta' (known: bloc-notes, gazette, observatoire"),
    ("gazette", "'base: gazette' makes a cycle (gazette -> gazette)"),
    ("observatoire", "'base: gazette' makes a cycle (gazette -> observatoire -> gazette)"),
    ("../bloc-notes", "'base' must name a style"),
])
def test_an_unknown_or_circular_base_is_one_line_at_its_line(tmp_path, base, message):
    """`base:` naming no style beside it, or leading back to the style, is an error at the
    line of the `base:` that does (the Observatoire based on the gazette, in the cycle)."""
    _gazette(tmp_path, "style.yaml", "base: bloc-notes", f"base: {base}")
    shutil.copytree(STYLES / "observatoire", tmp_path / "styles" / "observatoire")
    if base == "observatoire":
        theirs = tmp_path / "styles" / "observatoire" / "style.yaml"
        theirs.write_text(theirs.read_text(encoding="utf-8").replace(
            "base: bloc-notes", "base: gazette"), encoding="utf-8")
    with pytest.raises(BlocNotesError) as caught:
        load.load(_source(tmp_path, "gazette"), None, tmp_path / "styles")
    line = next(number for number, row in enumerate(
        caught.value.path.read_text(encoding="utf-8").split("\n"), 1) if row.startswith("base:"))
    assert caught.value.line == line and message in caught.value.message
    assert caught.value.path.parent.name == ("observatoire" if base == "observatoire" else "gazette")


def _source(folder: Path, name: str) -> Path:
    source = folder / "note.md"
    source.write_text(f"---\ntitle: Note\ndate: 2024-05-02\nstyle: {name}\n---\n\nTexte.\n",
                      encoding="utf-8")
    return source


def test_a_style_whose_web_page_fails_fails_dist_cleanly(tmp_path):
    """dist: a web.css the style cannot resolve is one error at its line, nothing laid out."""
    styles = tmp_path / "styles"
    shutil.copytree(STYLES / "bloc-notes", styles / "bloc-notes")
    shutil.copytree(STYLES / "icc", styles / "icc")
    folder = _gazette(tmp_path, "web.css", "var(--accent)", "var(--nope)")
    settings = Settings(out=tmp_path / "out", styles=styles, agency_fallback=None, environ={})
    outcomes, site = distribute([_source(tmp_path, "gazette")], settings)
    assert site == []
    errors = [outcome.error for outcome in outcomes if outcome.error]
    assert len(errors) == 1 and errors[0].path == folder / "web.css"
    assert "unknown colour '--nope'" in errors[0].message


def test_a_style_s_fonts_follow_its_file_when_it_changes(tmp_path):
    """The fonts are the Style's, read once by each build: a build after the style.yaml
    changed (watch mode) carries the faces it now lists."""
    folder = _gazette(tmp_path, "style.yaml", "editions:", "editions:")
    before = fonts.edition_faces("epub", style.read(folder))
    text = (folder / "style.yaml").read_text(encoding="utf-8")
    epub = re.search(r"\n  epub:((?:\n    - .*)+)", text)
    assert epub and len(before) > 1
    first = epub.group(1).split("\n")[1]
    (folder / "style.yaml").write_text(text.replace(epub.group(1), "\n" + first, 1),
                                       encoding="utf-8")
    assert len(fonts.edition_faces("epub", style.read(folder))) == 1


# --- rebuilding exactly what a style's change concerns ----------------------------------

def test_a_style_change_makes_due_only_its_own_documents(tmp_path):
    styles = tmp_path / "styles"
    shutil.copytree(STYLES, styles)
    sources = {}
    for name in ("observatoire", "bloc-notes"):
        sources[name] = tmp_path / f"{name}.md"
        sources[name].write_text(_styled(TEXT.format(style="", more=""), name), encoding="utf-8")
    settings = Settings(out=tmp_path / "out", styles=styles, environ={})
    assert all(outcome.error is None for outcome in build(sources.values(), ("pdf", "epub"), settings))
    assert [due(source, ("pdf", "epub"), settings) for source in sources.values()] == [(), ()]

    with (styles / "observatoire" / "epub.css").open("a", encoding="utf-8") as css:
        css.write("\n/* edited */\n")
    assert due(sources["observatoire"], ("pdf", "epub"), settings) == ("epub",)
    assert due(sources["bloc-notes"], ("pdf", "epub"), settings) == ()
    with (styles / "observatoire" / "labels.yaml").open("a", encoding="utf-8") as table:
        table.write("\n# edited\n")
    assert due(sources["observatoire"], ("pdf", "epub"), settings) == ("pdf", "epub")
    assert due(sources["bloc-notes"], ("pdf", "epub"), settings) == ()
    watched = settings  # watch mode: the sources of the style whose file changed, only
    assert affected([styles / "observatoire" / "print.css"], list(sources.values()), watched) == [
        sources["observatoire"]]
    assert affected([styles / "icc" / "FOGRA39L.icc"], list(sources.values()), watched) == list(
        sources.values())
    # a file of the base (bloc-notes) is a file of the Observatoire too: both are due
    assert affected([styles / "bloc-notes" / "epub.css"], list(sources.values()), watched) == list(
        sources.values())
    with (styles / "bloc-notes" / "print.css").open("a", encoding="utf-8") as css:
        css.write("\n/* edited */\n")
    assert [due(source, ("pdf",), settings) for source in sources.values()] == [("pdf",), ("pdf",)]
    depfile = (settings.out / ".build" / "observatoire.d").read_text(encoding="utf-8")
    assert str(styles / "bloc-notes" / "print.css") in depfile
    assert str(styles / "observatoire" / "print.css") in depfile

    # a source that chooses another style is due, and built in it
    sources["bloc-notes"].write_text(TEXT.format(style="style: observatoire\n", more=""),
                                     encoding="utf-8")
    assert due(sources["bloc-notes"], ("pdf",), settings) == ("pdf",)
