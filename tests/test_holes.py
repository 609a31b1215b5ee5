"""Holes in the pages (issue 21): the meter (blocnotes/holes.py) on the seed, every fixture
and every corpus document (tests/makeup_corpus.py), in both styles, and proofs that it sees a
hole where there is one."""

from __future__ import annotations

from pathlib import Path

import pytest
from makeup_corpus import STYLES, lay_out, sources, styled

from blocnotes import holes

DOCUMENTS = sources()
CASES = [(name, style) for name in DOCUMENTS for style in STYLES]

# The holes a document is still known to leave (measured; none is allowed to grow), by
# (document, style); every other one must have none.
KNOWN: dict[tuple[str, str], int] = {
    ("seed", "bloc-notes"): 2,  # page 2: the third section moved whole to page 3
    ("english", "bloc-notes"): 2,  # page 1: the second section moved whole to page 2
    ("figures", "bloc-notes"): 1,  # page 1: the wide photo's section moved to page 2
    ("figures", "observatoire"): 1,  # page 2: a photo moved to page 3
    ("german", "observatoire"): 1,  # page 1: a section moved whole to page 2
    ("kitchen-sink", "bloc-notes"): 3,  # page 1: the wide table's section moved whole; page 2
    # the portrait photo's column
    ("long", "bloc-notes"): 2,  # page 4: a section moved whole to page 5
    ("table", "observatoire"): 1,  # page 1: the commune table moved whole to page 2
    ("two-authors", "bloc-notes"): 1,  # page 1: the right column left short
    ("corpus/communes", "observatoire"): 1,  # page 1: the commune table moved whole to page 2
    ("corpus/forum-en", "bloc-notes"): 3,  # page 1: the wide table's section moved whole to
    # page 2; page 2: the portrait photo's column
    ("corpus/journee", "bloc-notes"): 4,  # pages 2, 5: a photo's column; page 6: a section
    # moved whole
    ("corpus/journee", "observatoire"): 1,  # page 5: the wide table moved to page 6
    ("corpus/photo-large", "bloc-notes"): 2,  # page 1: the wide photo moved to page 2
    ("corpus/photos-largeurs", "bloc-notes"): 1,  # page 2: the photo moved to page 3
    ("corpus/photos-largeurs", "observatoire"): 1,  # page 2: the photo moved to page 3
    ("corpus/sessions-en", "bloc-notes"): 2,  # page 2: a section moved whole to page 3
    ("corpus/tableau-large", "observatoire"): 1,  # page 1: the wide table moved to page 2
    ("corpus/tableau-long", "bloc-notes"): 2,  # page 2: the end of the long table
    ("corpus/visite-chantier", "bloc-notes"): 2,  # pages 1, 2: a photo's column
    ("corpus/visite-chantier", "observatoire"): 2,  # pages 1, 2: a photo moved to the next
    ("corpus/werkstatt", "bloc-notes"): 1,  # page 1: the photo moved to the next column
    ("corpus/werkstatt", "observatoire"): 1,  # page 1: the photo moved to page 2
}


@pytest.fixture(scope="session")
def laid_out(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], object]:
    """Each document laid out once per style, as its screen PDF is (made up)."""
    folder = tmp_path_factory.mktemp("makeup")
    return {(name, style): lay_out(styled(DOCUMENTS[name], style, folder / name))
            for name, style in CASES}


@pytest.mark.parametrize(("name", "style"), CASES, ids=[f"{n}-{s}" for n, s in CASES])
def test_no_page_but_the_last_leaves_a_hole(laid_out, name, style):
    found = holes.holes(laid_out[name, style].pages)
    assert len(found) <= KNOWN.get((name, style), 0), [str(hole) for hole in found]


def test_the_meter_finds_a_hole_where_a_section_starts_a_page(tmp_path: Path):
    """A section sent to the next page (break-before: page) leaves the rest of its page
    empty: the meter finds the hole in each column."""
    source = tmp_path / "x.md"
    paragraph = "Le projet de requalification de la place a été présenté aux habitants. " * 6
    source.write_text("---\ntitle: Essai\ndate: 2024-01-02\n---\n\n# Un\n\n"
                      + f"{paragraph}\n\n" * 3 + "# Deux\n\n" + f"{paragraph}\n\n" * 3,
                      encoding="utf-8")
    assert holes.holes(lay_out(source).pages) == []
    document = lay_out(source, css=".chapter + .chapter { break-before: page }")
    found = holes.holes(document.pages)
    assert len(document.pages) == 2
    assert [(hole.page, hole.column) for hole in found] == [(1, 0), (1, 1)]
    assert all(hole.height > 100 for hole in found)
