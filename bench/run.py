"""Benchmarks: blocnotes against Pandoc's pipeline and bare WeasyPrint, measured side by side.

Run with `make bench`. Every workload runs as a fresh process, alternately, several rounds;
the table gives medians and the ratios the project aims at, and is written to
bench/results.md. Timings are measured here, never asserted in tests.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pypdf

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
WEASYPRINT = str(Path(PY).parent / "weasyprint")
SEED = ROOT / "source" / "smart-city-tour-mulhouse.md"
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "7"))
SERIES = 20
ENV = {**os.environ, "PYTHONWARNINGS": "ignore"}


def run(*command: str, cwd: Path = ROOT) -> float:
    return timed(lambda: subprocess.run(command, cwd=cwd, env=ENV, check=True,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))


def peak_rss(*command: str, cwd: Path = ROOT) -> tuple[float, float]:
    """(seconds, peak resident memory in MB) of a command, from GNU time."""
    out = Path(tempfile.mktemp())
    start = time.perf_counter()
    subprocess.run(["/usr/bin/time", "-f", "%M", "-o", str(out), *command], cwd=cwd, env=ENV,
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    seconds = time.perf_counter() - start
    return seconds, int(out.read_text().split()[-1]) / 1024


def pandoc_pipeline(source: Path, out: Path) -> None:
    """What a user would do with Pandoc: Markdown -> EPUB, and Markdown -> HTML -> WeasyPrint."""
    subprocess.run(["pandoc", str(source), "-o", str(out / "p.epub")], check=True, env=ENV)
    subprocess.run(["pandoc", str(source), "-s", "-o", str(out / "p.html")], check=True, env=ENV,
                   stderr=subprocess.DEVNULL)
    subprocess.run([WEASYPRINT, str(out / "p.html"), str(out / "p.pdf")], check=True, env=ENV,
                   stderr=subprocess.DEVNULL)


def watch_rebuilds(work: Path, changes: int = 3) -> tuple[float, list[float]]:
    """Seconds `build.py watch` reports for its first build and for each rebuild after an
    edit of the source (WeasyPrint and the fonts stay loaded between them)."""
    folder = work / "watch"
    folder.mkdir()
    source = folder / SEED.name
    shutil.copy(SEED, source)
    shutil.copy(SEED.parent / "agency.yaml", folder / "agency.yaml")
    process = subprocess.Popen([PY, "build.py", "watch", "--out", str(folder / "out"), str(source)],
                               cwd=ROOT, env=ENV, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    assert process.stdout is not None
    seconds = []
    try:
        for change in range(changes + 1):
            line = process.stdout.readline()
            while " in " not in line:
                assert line, "watch stopped"
                line = process.stdout.readline()
            seconds.append(float(line.rsplit(" in ", 1)[1].split()[0]))
            if change < changes:
                time.sleep(0.5)
                source.write_text(SEED.read_text(encoding="utf-8") + "\n" * (change + 1),
                                  encoding="utf-8")
    finally:
        process.terminate()
        process.wait(timeout=30)
    return seconds[0], seconds[1:]


REPORTAGE = """---
title: Reportage
date: 2024-05-17
---

# La visite

Le tramway, la gare et les ateliers, photographiés par la rédaction.

![Le tramway devant la gare](tram.jpg)

![La place de la Réunion](place.jpg)

![Les ateliers](ateliers.jpg)

Fin du reportage.
"""


def reportage_rows(work: Path, rounds: int = 3) -> list[str]:
    """A photo reportage: three camera photos (6000 x 4000 JPEGs of about 14 MB, one turned by
    its EXIF), PDF + EPUB and the print shop's PDF, cold (no prepared image) and warm (a
    rebuild after a text edit), beside the same text without photos; as Markdown lines."""
    sys.path.insert(0, str(ROOT / "tests"))
    import photos

    folder = work / "reportage"
    folder.mkdir()
    for index, name in enumerate(("tram.jpg", "place.jpg", "ateliers.jpg")):
        photos.camera_jpeg(folder / name, (6000, 4000), 6 if index == 0 else 1, index, grain=1)
    source = folder / "reportage.md"
    bare = folder / "texte.md"
    bare.write_text("\n".join(line for line in REPORTAGE.splitlines() if "](" not in line),
                    encoding="utf-8")

    def both(path: Path, out: Path) -> float:
        return (run(PY, "build.py", "-q", "all", "--out", str(out), str(path))
                + run(PY, "build.py", "-q", "pdf", "--print", "--out", str(out), str(path)))

    cold, warm, plain = [], [], []
    for round_ in range(rounds):
        out = work / f"reportage-out-{round_}"
        source.write_text(REPORTAGE, encoding="utf-8")
        cold.append(both(source, out))
        source.write_text(REPORTAGE.replace("Fin du", f"Fin ({round_}) du"), encoding="utf-8")
        warm.append(both(source, out))
        plain.append(both(bare, out))
    sizes = {name: (out / name).stat().st_size / 1e6
             for name in ("reportage.pdf", "reportage-impression.pdf", "reportage.epub")}
    photo_mb = sum((folder / name).stat().st_size for name in
                   ("tram.jpg", "place.jpg", "ateliers.jpg")) / 1e6
    median = statistics.median
    return [
        f"Reportage: three camera photos ({photo_mb:.0f} MB of JPEG, 6000 x 4000 px), PDF + EPUB "
        f"+ the print shop's PDF, medians of {rounds}:",
        "",
        "| build | seconds | screen PDF (MB) | print PDF (MB) | EPUB (MB) |",
        "| --- | ---: | ---: | ---: | ---: |",
        f"| cold (no prepared image) | {median(cold):.2f} | {sizes['reportage.pdf']:.2f} | "
        f"{sizes['reportage-impression.pdf']:.2f} | {sizes['reportage.epub']:.2f} |",
        f"| warm (after a text edit) | {median(warm):.2f} | | | |",
        f"| the same text without photos | {median(plain):.2f} | | | |",
        "",
    ]


def timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def main() -> int:
    work = Path(tempfile.mkdtemp(prefix="blocnotes-bench-"))
    out = work / "out"
    subprocess.run([PY, "build.py", "-q", "html", "--out", str(work), str(SEED)], cwd=ROOT,
                   env=ENV, check=True)
    html = work / f"{SEED.stem}.html"
    series = work / "series"
    series.mkdir()
    shutil.copy(SEED.parent / "agency.yaml", series / "agency.yaml")
    for index in range(1, SERIES + 1):
        shutil.copy(SEED, series / f"bloc-notes-{index:02d}.md")

    samples: dict[str, list[float]] = {}

    def sample(name: str, seconds: float) -> None:
        samples.setdefault(name, []).append(seconds)

    for round_ in range(ROUNDS):
        print(f"round {round_ + 1}/{ROUNDS}", file=sys.stderr)
        sample("weasyprint floor (PDF)", run(WEASYPRINT, str(html), str(work / "floor.pdf")))
        sample("blocnotes pdf", run(PY, "build.py", "-q", "pdf", "--out", str(out), str(SEED)))
        sample("blocnotes epub (after pdf)",
               run(PY, "build.py", "-q", "epub", "--out", str(out), str(SEED)))
        sample("blocnotes all", run(PY, "build.py", "-q", "all", "--out", str(work / "o2"),
                                    str(SEED)))
        sample("pandoc pipeline (PDF + EPUB)", timed(lambda: pandoc_pipeline(SEED, work)))
    for _ in range(max(1, ROUNDS // 2)):
        shutil.rmtree(work / "series-out", ignore_errors=True)
        sample(f"blocnotes all, {SERIES} documents, --jobs 2",
               run(PY, "build.py", "-q", "all", "--jobs", "2", "--out", str(work / "series-out"),
                   *map(str, sorted(series.glob("*.md")))))
        sample(f"pandoc pipeline, {SERIES} documents",
               timed(lambda: [pandoc_pipeline(path, work) for path in sorted(series.glob("*.md"))]))

    # make with nothing to do: its own dependency tracking, no Python start-up of the build
    subprocess.run(["make", "-s", "pdf", "epub"], cwd=ROOT, env=ENV, check=True,
                   stdout=subprocess.DEVNULL)
    for _ in range(ROUNDS):
        sample("make pdf epub, nothing changed", run("make", "-s", "pdf", "epub"))

    medians = {name: statistics.median(values) for name, values in samples.items()}
    # The fastest run of each: what a workload costs when the machine does not interfere
    # (this one's timings move by 10 % and more from run to run).
    bests = {name: min(values) for name, values in samples.items()}

    def ratios_of(times: dict[str, float]) -> list[float]:
        return [times["blocnotes pdf"] / times["weasyprint floor (PDF)"],
                times["blocnotes all"] / times["pandoc pipeline (PDF + EPUB)"],
                times[f"blocnotes all, {SERIES} documents, --jobs 2"]
                / times[f"pandoc pipeline, {SERIES} documents"]]

    ratios = list(zip(
        ["PDF of the seed / bare weasyprint", "PDF + EPUB of the seed / Pandoc's pipeline",
         f"{SERIES} documents, --jobs 2 / Pandoc's pipeline x {SERIES}"],
        ratios_of(medians), ratios_of(bests), [1.15, 0.95, 0.30], strict=True))

    imports = {}
    for label, command in [
        ("--help", ["--help"]), ("check", ["check", str(SEED)]),
        ("clean", ["clean", "--out", str(work / "nothing")]),
        ("epub (after pdf)", ["epub", "--out", str(out), str(SEED)]),
        ("epub (no earlier pdf)", ["epub", "--out", str(work / "fresh"), str(SEED)]),
    ]:
        result = subprocess.run([PY, "-X", "importtime", "build.py", "-q", *command], cwd=ROOT,
                                env=ENV, capture_output=True, text=True, check=False)
        imports[label] = "weasyprint" in result.stderr

    first_watch, rebuilds = watch_rebuilds(work)
    reportage = reportage_rows(work)

    scaling = []
    text = SEED.read_text(encoding="utf-8")
    front, body = text.split("\n---\n", 1)
    for copies in (1, 5, 15, 40, 86):  # 86 copies: about 200 pages
        source = work / f"long-{copies}.md"
        source.write_text(front + "\n---\n" + body * copies, encoding="utf-8")
        seconds, rss = peak_rss(PY, "build.py", "-q", "pdf", "--out", str(work / "long"),
                                str(source))
        pages = len(pypdf.PdfReader(work / "long" / f"long-{copies}.pdf").pages)
        scaling.append((pages, seconds, rss))
    epub_size = (out / f"{SEED.stem}.epub").stat().st_size
    pandoc_version = subprocess.run(["pandoc", "--version"], capture_output=True, text=True,
                                    check=True).stdout.splitlines()[0]
    noop = medians["make pdf epub, nothing changed"]

    lines = [
        f"# Benchmarks, {dt.date.today().isoformat()}",
        "",
        f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, {pandoc_version}. "
        f"Medians of {ROUNDS} rounds ({max(1, ROUNDS // 2)} for the {SERIES}-document series), "
        "each a fresh process, workloads alternated.",
        "",
        "| workload | median (s) | fastest (s) |",
        "| --- | ---: | ---: |",
        *[f"| {name} | {value:.2f} | {bests[name]:.2f} |" for name, value in medians.items()],
        "",
        "| ratio | of medians | of fastest runs | goal | |",
        "| --- | ---: | ---: | ---: | --- |",
        *[f"| {name} | {value:.2f} | {best:.2f} | ≤ {goal:.2f} | "
          f"{'met' if value <= goal else 'NOT met'} |" for name, value, best, goal in ratios],
        f"| `make pdf epub` with nothing changed (s) | {noop:.3f} | | ≤ 0.30 | "
        f"{'met' if noop <= 0.3 else 'NOT met'} |",
        f"| EPUB of the seed (KB) | {epub_size / 1024:.0f} | | ≤ 150 | "
        f"{'met' if epub_size <= 150 * 1024 else 'NOT met'} |",
        "",
        "Does the command import WeasyPrint?",
        "",
        "| command | imports WeasyPrint |",
        "| --- | --- |",
        *[f"| `build.py {label}` | {'yes' if value else 'no'} |" for label, value in imports.items()],
        "",
        f"`build.py watch` (PDF + EPUB of the seed, timed by watch itself): first build "
        f"{first_watch:.1f} s, then {statistics.median(rebuilds):.2f} s a rebuild after an edit "
        f"(median of {len(rebuilds)}; WeasyPrint and the fonts stay loaded).",
        "",
        *reportage,
        "Scaling (the seed repeated), PDF only:",
        "",
        "| pages | seconds | seconds per page | peak memory (MB) |",
        "| ---: | ---: | ---: | ---: |",
        *[f"| {pages} | {seconds:.1f} | {seconds / pages:.3f} | {rss:.0f} |"
          for pages, seconds, rss in scaling],
        "",
    ]
    report = "\n".join(lines)
    (ROOT / "bench" / "results.md").write_text(report, encoding="utf-8")
    print(report)
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
