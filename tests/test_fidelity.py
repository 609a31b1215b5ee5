"""Every word of the seed, in order, in both outputs; the colophon and notice word for word."""

from __future__ import annotations

from helpers import COLOPHON, epub_text, missing_in_order, pdf_text, seed_text, words


def test_every_seed_word_in_order_in_pdf(seed_pdf):
    missing = missing_in_order(words(seed_text()), words(pdf_text(seed_pdf)))
    assert missing == []


def test_every_seed_word_in_order_in_epub(seed_built):
    missing = missing_in_order(words(seed_text()), words(epub_text(seed_built.epub)))
    assert missing == []


def test_the_word_check_catches_a_dropped_word(seed_pdf):
    text = pdf_text(seed_pdf).replace("rançonnage", "", 1)
    assert missing_in_order(words(seed_text()), words(text)) == ["rançonnage"]


def test_colophon_lines_in_both_outputs(seed_pdf, seed_built):
    pdf_words = " ".join(words(pdf_text(seed_pdf)))
    epub_words = " ".join(words(epub_text(seed_built.epub)))
    for line in COLOPHON:
        assert " ".join(words(line)) in pdf_words, line
        assert " ".join(words(line)) in epub_words, line


def test_colophon_is_last_in_pdf(seed_pdf):
    text = " ".join(words(pdf_text(seed_pdf)))
    notice = " ".join(words(COLOPHON[-1]))
    assert text.endswith(notice)
    assert notice in " ".join(words(seed_pdf.pages[-1].extract_text()))
