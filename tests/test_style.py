"""The house style is the designer's: styles/<name>/style.yaml holds its colours and geometry, and the
package (blocnotes/) holds no colour value of its own."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from blocnotes import labels, languages, style, typorules
from blocnotes.errors import BlocNotesError
from helpers import ROOT

PACKAGE = ROOT / "blocnotes"
# A colour written out: #rgb / #rrggbb, rgb()/hsl()/device-cmyk(), or an RGB tuple (three
# numbers of 0-255, one at least 16 or all alike: (0, 91, 112), (255, 255, 255), not the
# counts (5, 3, 1)).
COLOUR_RE = re.compile(r"(?<![\w&])#(?:[0-9a-fA-F]{3}){1,2}\b|\b(?:rgba?|hsla?|device-cmyk)\(")
TUPLE_RE = re.compile(r"\(\s*(\d{1,3})\s*,\s*(\d{1,3})\s*,\s*(\d{1,3})\s*\)")


def _is_colour(text: str) -> bool:
    if COLOUR_RE.search(text):
        return True
    return any(max(values) <= 255 and (max(values) >= 16 or len(set(values)) == 1)
               for match in TUPLE_RE.finditer(text)
               for values in [[int(group) for group in match.groups()]])


def _code(path: Path, tuples: bool) -> list[str]:
    """The string constants of a module, without its docstrings (and with `tuples`, its tuples
    as written)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef)
                  and node.body and isinstance(node.body[0], ast.Expr)
                  and isinstance(node.body[0].value, ast.Constant)}
    return [ast.unparse(node) if not isinstance(node, ast.Constant) else str(node.value)
            for node in ast.walk(tree)
            if (isinstance(node, ast.Constant) and isinstance(node.value, str)
                and id(node) not in docstrings) or (tuples and isinstance(node, ast.Tuple))]


def _package_texts(tuples: bool = False) -> dict[Path, list[str]]:
    texts = {path: _code(path, tuples) for path in sorted(PACKAGE.glob("*.py"))}
    texts.update({path: [path.read_text(encoding="utf-8")]
                  for path in sorted((PACKAGE / "templates").glob("*.j2"))})
    return texts


STYLES = [ROOT / "styles" / name for name in style.known(ROOT / "styles")]


def test_every_style_is_a_folder():
    assert [folder.name for folder in STYLES] == ["bloc-notes", "observatoire"]


def test_the_package_holds_no_colour_value():
    values = {value for folder in STYLES for house in [style.read(folder)]
              for value in (*house.colours.values(), *house.inks.values())}
    found = [(path.name, text[:60]) for path, texts in _package_texts(tuples=True).items()
             for text in texts if _is_colour(text) or any(value in text for value in values)]
    assert found == []


def test_the_colour_pattern_catches_what_it_should():
    """The check above can fail: each way of writing a colour in Python is caught."""
    for sample in ('ACCENT = "#005b70"', "fill=(0, 91, 112)", "color: rgb(0 91 112)",
                   "--ink: device-cmyk(0 0 0 1)", "background: #fff", "WHITE = (255, 255, 255)",
                   "BLACK = (0, 0, 0)"):
        assert _is_colour(sample), sample
    for sample in ("issue #13, &#160; (1, 2)", "for count in (5, 3, 1):", "(2026, 11, 29)"):
        assert not _is_colour(sample), sample


def test_the_stylesheets_take_their_colours_from_the_style():
    """No colour is written out in the stylesheets (a style's own and its base's): each is a
    var() of style.yaml's."""
    for folder in STYLES:
        for name in ("print.css", "print-shop.css", "epub.css", "web.css"):
            css = "".join(re.sub(r"/\*.*?\*/", "", path.read_text(encoding="utf-8"), flags=re.S)
                          for path in style.read(folder).sheets(name))
            assert not COLOUR_RE.search(css), (folder.name, name)
            assert "var(--" in css


def test_a_stylesheet_naming_an_unknown_colour_says_where(tmp_path):
    house = style.read(ROOT / "styles" / "bloc-notes")
    assert house.resolve("a { color: var(--accent); }", tmp_path) == "a { color: #005b70; }"
    with pytest.raises(BlocNotesError) as caught:
        house.resolve("a {}\nh2 { color: var(--acent); }", tmp_path / "epub.css")
    assert caught.value.line == 2 and "--acent" in caught.value.message


def test_a_style_without_geometry_is_refused(tmp_path):
    (tmp_path / "style.yaml").write_text("colours:\n  ink: '#000'\ninks: {}\ngeometry:\n  column: wide\n",
                                         encoding="utf-8")
    with pytest.raises(BlocNotesError, match="geometry 'column' must be a number"):
        style.read(tmp_path)


# Not layout words: the months are also the vocabulary of the dates an editor writes (lint
# reads them, typography keeps a number with its month), the units are typography's too.
NOT_LAYOUT = {"months", "date-format", "kilobytes", "megabytes", "colon"}


def _label_words() -> set[str]:
    found = set()
    for words in [*(words for folder in STYLES
                    for words in labels.read_chain(style.read(folder).files[labels.TABLE_FILE])
                    .values()),
                  *(languages.get(code).labels for code in languages.codes())]:
        for key, text in words.items():
            if key in NOT_LAYOUT:
                continue
            pieces = labels.speakers({"speakers": text}) if key == "speakers" else (text,)
            found.update(piece.strip() for piece in pieces if re.search(r"[^\W\d_]", piece))
    return found


def _has_word(text: str, word: str) -> bool:
    return re.search(rf"(?<![\w.-]){re.escape(word)}(?![\w-])", text) is not None


def test_the_package_holds_no_label_text():
    """The layout's words are the languages' and labels.yaml's: none is written in the
    package's code or its templates (the starter's templates, a writer's first draft, are not
    the layout's)."""
    words = _label_words()
    assert {"Mots-clés", "Rédaction", "Bloc-Notes", "Intervenants", "Keywords", "Thèmes",
            "Note de l’Observatoire"} <= words
    texts = _package_texts()
    for path in texts:
        if path.suffix == ".j2":  # the template's words, without its expressions
            texts[path] = [re.sub(r"{{.*?}}|{%.*?%}|{#.*?#}", " ", text, flags=re.S)
                           for text in texts[path]]
    found = [(path.name, word) for path, strings in texts.items() for text in strings
             for word in words if _has_word(text, word)
             and text not in languages.LABELS]  # a label's name ('page'), not its words
    assert found == []


def test_the_package_holds_no_month_or_day():
    """The months and days are the languages' files' (typography, `check`, the starter's
    dateline read them there): none is written in the package's code or templates."""
    words = {word for code in languages.codes() for language in [languages.get(code)]
             for word in (*language.months, *language.days)}
    assert {"janvier", "März", "December", "Montag"} <= words
    texts = _package_texts()
    texts.update({path: [path.read_text(encoding="utf-8")]
                  for path in sorted((PACKAGE / "templates" / "new").glob("*.j2"))})
    examples = {text for rule in typorules.RULES for text in rule.example}  # the rules' own
    found = [(path.name, word) for path, strings in texts.items() for text in strings
             for word in words if _has_word(text, word)
             and not any(text in example for example in examples)]
    assert found == []


def test_the_label_check_can_fail():
    assert _has_word('series or "Bloc-Notes"', "Bloc-Notes")
    assert _has_word("<h2>Mots-clés</h2>", "Mots-clés")
    assert not _has_word("labels.page", "page") and not _has_word("data-page-label", "page")


def test_the_package_holds_no_font_name():
    """The fonts (families, names, packages, files) are style.yaml's: none is named in the
    package's code."""
    fonts = {f"{folder.name} {role}": font for folder in STYLES
             for role, font in style.read(folder).fonts.items()}
    names = {text for font in fonts.values()
             for text in (font.family, font.name, font.package,
                          *(Path(file).stem for _, _, file in font.faces))}
    assert {"BN Sans", "Source Sans 3", "fontpkg_source_sans_3", "NotoEmoji[wght]"} <= names
    found = [(path.name, name) for path, texts in _package_texts().items() for text in texts
             for name in names if name in text]
    assert found == []
    # ...and the package imports no font package: they are loaded by the name style.yaml gives
    imported = {alias.name.split(".")[0] for path in PACKAGE.glob("*.py")
                for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
                if isinstance(node, ast.Import | ast.ImportFrom)
                for alias in (node.names if isinstance(node, ast.Import)
                              else [ast.alias(node.module or "")])}
    assert not imported & {font.package for font in fonts.values()}
