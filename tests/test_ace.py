"""DAISY Ace (the EPUB accessibility checker) finds no violation in the seed's EPUB."""

from __future__ import annotations

from conftest import ace_violations


def test_ace_reports_no_violation(seed_built, tmp_path):
    assert ace_violations(seed_built.epub, tmp_path / "ace") == []
