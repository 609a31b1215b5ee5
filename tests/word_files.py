"""Word files as the agency's staff write them, made by the tests: with python-docx (Word's own
styles: Title, Heading n, Caption, Quote, List Bullet, core properties), and, for notes, with
Pandoc's docx writer (python-docx cannot write footnotes)."""

from __future__ import annotations

import io
import subprocess
import zipfile
from pathlib import Path

import docx
import pypandoc
from docx.enum.text import WD_COLOR_INDEX
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, RGBColor
from PIL import Image

W_NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def photo(colour: str, size: tuple[int, int] = (1600, 1200)) -> io.BytesIO:
    """A camera-like JPEG (large enough for the print shop's 300 dpi in a column)."""
    data = io.BytesIO()
    picture = Image.new("RGB", size, colour)
    for x in range(0, size[0], 40):  # some detail, as a photo has
        picture.paste((x % 255, 80, 120), (x, 0, x + 8, size[1]))
    picture.save(data, "JPEG", quality=80)
    data.seek(0)
    return data


def _describe(document: docx.document.Document, description: str) -> None:
    """The last picture's alternative text (Word's 'Description')."""
    properties = document.element.body.findall(".//" + qn("wp:docPr"))
    properties[-1].set("descr", description)


def _hyperlink(paragraph, url: str, text: str) -> None:
    part = paragraph.part
    rid = part.relate_to(url, "http://schemas.openxmlformats.org/officeDocument/2006/"
                              "relationships/hyperlink", is_external=True)
    paragraph._p.append(parse_xml(
        f'<w:hyperlink {nsdecls("w", "r")} r:id="{rid}"><w:r><w:rPr><w:rStyle '
        f'w:val="Hyperlink"/></w:rPr><w:t xml:space="preserve">{text}</w:t></w:r></w:hyperlink>'))


BULLETS = 90  # the numbering of the bulleted lists below: two levels, as Word writes them


def _bullets(document: docx.document.Document) -> None:
    """A bulleted list of two levels in the numbering part (python-docx's template has only
    single-level lists)."""
    numbering = document.part.numbering_part.element
    levels = "".join(
        f'<w:lvl w:ilvl="{level}"><w:start w:val="1"/><w:numFmt w:val="bullet"/>'
        f'<w:lvlText w:val="{mark}"/><w:lvlJc w:val="left"/><w:pPr><w:ind '
        f'w:left="{720 * (level + 1)}" w:hanging="360"/></w:pPr></w:lvl>'
        for level, mark in ((0, "•"), (1, "–")))
    numbering.insert(0, parse_xml(f'<w:abstractNum {nsdecls("w")} w:abstractNumId="{BULLETS}">'
                                  f'<w:multiLevelType w:val="multilevel"/>{levels}'
                                  '</w:abstractNum>'))
    numbering.append(parse_xml(f'<w:num {nsdecls("w")} w:numId="{BULLETS}"><w:abstractNumId '
                               f'w:val="{BULLETS}"/></w:num>'))


def _item(document: docx.document.Document, text: str, level: int = 0):
    """A bulleted list item at `level` (Word's numbering)."""
    paragraph = document.add_paragraph(text, style="List Paragraph")
    paragraph._p.get_or_add_pPr().append(parse_xml(
        f'<w:numPr {nsdecls("w")}><w:ilvl w:val="{level}"/><w:numId w:val="{BULLETS}"/>'
        '</w:numPr>'))
    return paragraph


def site_visit(path: Path) -> Path:
    """A French site visit: title, italic dateline, an abstract under 'Bloc-Notes', two
    sections with speakers, three photos with captions (Word's Caption style, and a
    'Photo :' paragraph), alt texts and credits, two levels of lists, a quote, a link, bold
    and italics, a line break, a table of figures with its caption and source."""
    document = docx.Document()
    core = document.core_properties
    core.title, core.author = "Visite du quartier Fonderie", "Anne Martin; Paul Weber"
    core.keywords = "Friche industrielle; Patrimoine; Université"
    document.add_paragraph("Visite du quartier Fonderie", style="Title")
    document.add_paragraph().add_run("Jeudi 12 mars 2026 – Mulhouse, site de la Fonderie").italic = True
    document.add_heading("Bloc-Notes", level=2)
    lead = document.add_paragraph("L'agence a organisé une visite de la ")
    lead.add_run("friche de la Fonderie").bold = True
    lead.add_run(" pour les élus et les habitants du quartier.")
    document.add_heading("La friche et ses projets", level=1)
    speakers = document.add_paragraph("Intervenants : ")
    speakers.add_run("Marie DUPONT").bold = True
    speakers.add_run(", architecte ; ")
    speakers.add_run("Karim BENALI").bold = True
    speakers.add_run(", chargé d'études")
    text = document.add_paragraph("Le site de la Fonderie accueille ")
    text.add_run("aujourd'hui").italic = True
    text.add_run(" une partie de l'université. La halle de coulée sera rénovée en 2027.")
    text.add_run().add_break()
    text.add_run("Les travaux commencent par la toiture.")
    document.add_picture(photo("teal"), width=Cm(12))
    _describe(document, "Une grande halle industrielle en briques, vue de la cour")
    document.add_paragraph("La halle de coulée, côté cour", style="Caption")
    document.add_paragraph("© AURM – J. Muller")
    document.add_heading("Ce que les habitants demandent", level=2)
    _bullets(document)
    _item(document, "Des cheminements piétons vers la gare")
    _item(document, "un passage sous les voies", 1)
    _item(document, "un éclairage de la rue", 1)
    _item(document, "Des jardins partagés dans la cour")
    document.add_paragraph("Un lieu pour les associations", style="List Number")
    document.add_paragraph("Un calendrier des travaux", style="List Number")
    document.add_paragraph("La ville se fait avec ceux qui l'habitent.", style="Quote")
    document.add_heading("Le quartier en chiffres", level=1)
    document.add_paragraph("Intervenant : ").add_run("Paul WEBER").bold = True
    document.add_paragraph("Le quartier a gagné des habitants depuis dix ans.")
    document.add_paragraph("Tableau 1 : Population et logements du quartier", style="Caption")
    table = document.add_table(rows=4, cols=4)
    table.style = "Table Grid"
    for row, values in enumerate([("Îlot", "Habitants", "Logements", "Évolution"),
                                  ("Fonderie", "1 240", "610", "+4,2 %"),
                                  ("Cité", "2 315", "1 102", "-1,5 %"),
                                  ("Gare", "880", "455", "+0,8 %")]):
        for column, value in enumerate(values):
            table.cell(row, column).text = value
    document.add_paragraph("Source : INSEE, recensement 2021, traitement AURM")
    document.add_picture(photo("olive"), width=Cm(12))
    _describe(document, "La cour de l'ancienne fonderie, plantée d'arbres")
    document.add_paragraph("Photo : la cour, future place du quartier")
    document.add_paragraph("© Ville de Mulhouse")
    document.add_picture(photo("navy", (1200, 1600)), width=Cm(6))
    _describe(document, "Une cheminée d'usine conservée")
    document.add_paragraph("La cheminée conservée", style="Caption")
    more = document.add_paragraph("Le dossier complet est sur ")
    _hyperlink(more, "https://www.aurm.org/fonderie", "le site de l'agence")
    more.add_run(".")
    document.save(path)
    return path


def foreign(path: Path, lang: str) -> Path:
    """An English or a German report: title, sections, a photo with its caption, a table."""
    words = {
        "en": ("Cross-border forum on transport", "Tuesday 3 February 2026 – Basel",
               "Speakers: ", "Morning session", "The trams now cross the border every ten minutes.",
               "Figure 1: The new tram stop at the border", "Table 2: Passengers a day",
               ("Line", "Passengers"), "Source: Basel transport authority"),
        "de": ("Grenzüberschreitendes Forum Verkehr", "Dienstag, 3. Februar 2026 – Basel",
               "Referenten: ", "Vormittag", "Die Straßenbahn fährt alle zehn Minuten über die Grenze.",
               "Abbildung 1: Die neue Haltestelle an der Grenze", "Tabelle 2: Fahrgäste pro Tag",
               ("Linie", "Fahrgäste"), "Quelle: Basler Verkehrsbetriebe"),
    }[lang]
    title, dateline, speakers, section, text, caption, table_caption, head, source = words
    document = docx.Document()
    document.core_properties.author = "Jane Smith"
    document.core_properties.keywords = "Transport; Border"
    document.add_paragraph(title, style="Title")
    document.add_paragraph().add_run(dateline).italic = True
    document.add_heading(section, level=1)
    document.add_paragraph(speakers).add_run("Anna MEIER").bold = True
    document.add_paragraph(text)
    document.add_picture(photo("maroon"), width=Cm(12))
    _describe(document, "A tram at a stop" if lang == "en" else "Eine Straßenbahn an der Haltestelle")
    document.add_paragraph(caption)
    document.add_paragraph(table_caption)
    table = document.add_table(rows=3, cols=2)
    for row, values in enumerate([head, ("8", "12 400"), ("11", "9 350")]):
        for column, value in enumerate(values):
            table.cell(row, column).text = value
    document.add_paragraph(source)
    document.save(path)
    return path


NOTES = """\
---
title: Atelier sur les mobilités
author: Claire Roth
---

# Les échanges

Intervenants : **Luc HAAS**, urbaniste

Le plan de mobilité[^1] prévoit des pistes cyclables continues[^2]. Voir
[le plan](https://www.example.org/plan).

1. Première étape
    1. une sous-étape
2. Deuxième étape

> Une citation des participants.

[^1]: Adopté en 2024 par l'agglomération.
[^2]: Sur les axes principaux d'abord.
"""


def notes(path: Path) -> Path:
    """A report with footnotes, a link, a numbered list of two levels and a quote (Pandoc's
    docx writer: python-docx cannot write notes)."""
    subprocess.run([pypandoc.get_pandoc_path(), "--from", "markdown", "--to", "docx",
                    "--output", str(path)], input=NOTES.encode(), check=True, timeout=60)
    return path


def endnotes(path: Path) -> Path:
    """The notes report with its notes at the end of the document (Word's endnotes): Pandoc's
    footnotes part renamed, as Word names an endnotes part."""
    notes(path)
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    note = parts.pop("word/footnotes.xml").replace(b"w:footnotes", b"w:endnotes")
    parts["word/endnotes.xml"] = note.replace(b"w:footnote ", b"w:endnote ").replace(
        b"</w:footnote>", b"</w:endnote>").replace(
        b"w:footnoteRef", b"w:endnoteRef").replace(b"FootnoteText", b"EndnoteText")
    parts["word/_rels/endnotes.xml.rels"] = parts.pop("word/_rels/footnotes.xml.rels")
    parts["word/document.xml"] = parts["word/document.xml"].replace(
        b"w:footnoteReference", b"w:endnoteReference")
    parts["word/_rels/document.xml.rels"] = parts["word/_rels/document.xml.rels"].replace(
        b"relationships/footnotes\" Id=\"rId2\" Target=\"footnotes.xml",
        b"relationships/endnotes\" Id=\"rId2\" Target=\"endnotes.xml")
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        b"/word/footnotes.xml", b"/word/endnotes.xml").replace(b"footnotes+xml", b"endnotes+xml")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return path


def untranslated(path: Path, kind: str) -> Path:
    """A short report holding one thing a Bloc-Notes does not (in its second paragraph)."""
    document = docx.Document()
    document.core_properties.author = ""  # (python-docx's template names itself)
    document.add_paragraph("Réunion du club", style="Title")
    document.add_heading("Les échanges", level=1)
    paragraph = document.add_paragraph("Le club a discuté du calendrier. ")
    if kind == "changes":
        paragraph._p.append(parse_xml(
            f'<w:ins {nsdecls("w")} w:id="1" w:author="A" w:date="2026-01-01T00:00:00Z">'
            '<w:r><w:t xml:space="preserve">Texte ajouté. </w:t></w:r></w:ins>'))
        paragraph._p.append(parse_xml(
            f'<w:del {nsdecls("w")} w:id="2" w:author="A" w:date="2026-01-01T00:00:00Z">'
            '<w:r><w:delText xml:space="preserve">Texte retiré. </w:delText></w:r></w:del>'))
    elif kind == "comments":
        run = paragraph.add_run("Un point à vérifier.")
        document.add_comment(run, text="Vérifier la date", author="Paul")
    elif kind == "text boxes":
        paragraph._p.append(parse_xml(
            f'<w:r {nsdecls("w")} xmlns:v="urn:schemas-microsoft-com:vml"><w:pict>'
            '<v:shape style="width:100pt;height:50pt">'
            '<v:textbox><w:txbxContent><w:p><w:r><w:t>Dans un cadre</w:t></w:r></w:p>'
            '</w:txbxContent></v:textbox></v:shape></w:pict></w:r>'))
    elif kind == "equations":
        paragraph._p.append(parse_xml(
            '<m:oMath xmlns:m="http://schemas.openxmlformats.org/officeDocument/2006/math">'
            '<m:r><m:t>x=2</m:t></m:r></m:oMath>'))
    elif kind == "colours":
        paragraph.add_run("En rouge.").font.color.rgb = RGBColor(0xC0, 0, 0)
        paragraph.add_run(" Surligné.").font.highlight_color = WD_COLOR_INDEX.YELLOW
    elif kind == "fonts":
        paragraph.add_run("En Comic Sans.").font.name = "Comic Sans MS"
    elif kind == "SmartArt":
        paragraph._p.append(parse_xml(
            f'<w:r {nsdecls("w")}><w:drawing><wp:inline xmlns:wp="http://schemas.openxmlformats'
            '.org/drawingml/2006/wordprocessingDrawing"><wp:extent cx="100" cy="100"/>'
            '<wp:docPr id="9" name="Diagram"/><a:graphic xmlns:a="http://schemas.openxmlformats'
            '.org/drawingml/2006/main"><a:graphicData uri="http://schemas.openxmlformats.org/'
            'drawingml/2006/diagram"><dgm:relIds xmlns:dgm="http://schemas.openxmlformats.org/'
            'drawingml/2006/diagram" xmlns:r="http://schemas.openxmlformats.org/officeDocument/'
            '2006/relationships" r:dm="rId90" r:lo="rId91" r:qs="rId92" r:cs="rId93"/>'
            '</a:graphicData></a:graphic></wp:inline></w:drawing></w:r>'))
    document.add_paragraph("La prochaine réunion aura lieu en juin.")
    document.save(path)
    return path


def damaged(path: Path, kind: str) -> Path:
    """A file that is not a readable .docx: cut in half, protected by a password (an OLE
    container, as Word writes it), a text file renamed."""
    if kind == "corrupt":
        site_visit(path)
        data = path.read_bytes()
        path.write_bytes(data[: len(data) // 2])
    elif kind == "encrypted":
        path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504)
    else:
        path.write_text("Compte rendu de la réunion\n", encoding="utf-8")
    return path
