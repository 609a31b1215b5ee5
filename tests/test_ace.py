"""DAISY Ace (the EPUB accessibility checker) finds no violation in the seed's EPUB."""

from __future__ import annotations

import json
import os
import shutil
import subprocess


def test_ace_reports_no_violation(seed_built, tmp_path):
    ace = shutil.which("ace-puppeteer")
    chromium = shutil.which("chromium")
    assert ace and chromium, "DAISY Ace and Chromium are missing: `make test` installs them"
    env = {**os.environ, "PUPPETEER_EXECUTABLE_PATH": chromium}
    subprocess.run([ace, "--silent", "--outdir", str(tmp_path / "ace"), "--force",
                    str(seed_built.epub)], env=env, check=True, timeout=300,
                   capture_output=True)
    report = json.loads((tmp_path / "ace" / "report.json").read_text(encoding="utf-8"))
    violations = [
        f"{group['earl:testSubject']['url']}: {item['earl:test']['dct:title']}"
        for group in report["assertions"] for item in group.get("assertions", [])
    ]
    assert violations == []
    assert report["earl:result"]["earl:outcome"] == "pass"
