"""Benchmarks: blocnotes against Pandoc's pipeline and bare WeasyPrint, measured side by side.

Run with `make bench`. Every workload runs as a fresh process, several rounds, in an order
shuffled anew each round (seeded: BENCH_SEED), so no workload is always first or always
after another; the tables give medians, the fastest runs and the spread, and are written to
bench/results.md with every figure the README quotes. Timings are measured here, never
asserted in tests.

Workloads are plain functions in two lists, SINGLE (the seed, ROUNDS rounds) and SERIES
(SERIES documents, SERIES_ROUNDS rounds), and ratios are rows of RATIOS: a new row is one
function and one line.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pypdf

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
WEASYPRINT = str(Path(PY).parent / "weasyprint")
SEED = ROOT / "source" / "smart-city-tour-mulhouse.md"
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "7"))
SERIES_ROUNDS = max(1, ROUNDS // 2)
SERIES = int(os.environ.get("BENCH_SERIES", "20"))
CORES = len(os.sched_getaffinity(0))
ENV = {**os.environ, "PYTHONWARNINGS": "ignore"}


def timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


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
    stem = out / source.stem
    subprocess.run(["pandoc", str(source), "-o", f"{stem}.epub"], check=True, env=ENV)
    subprocess.run(["pandoc", str(source), "-s", "-o", f"{stem}.html"], check=True, env=ENV,
                   stderr=subprocess.DEVNULL)
    subprocess.run([WEASYPRINT, f"{stem}.html", f"{stem}.pdf"], check=True, env=ENV,
                   stderr=subprocess.DEVNULL)


@dataclass(frozen=True)
class Bench:
    """The folders a run works in."""

    work: Path  # scratch
    html: Path  # the seed's print HTML (the floor's input)
    series: Path  # SERIES copies of the seed and agency.yaml
    project: Path  # a copy of the project whose source/ is the series, for make
    handout: Path  # another, for make dist (its own dist/, whatever ran before)
    pandoc: Path  # Pandoc's outputs

    def make(self, *arguments: str, project: Path | None = None) -> float:
        """`make ARGUMENTS` in a project copy, as a user types it (its own Python: this one)."""
        folder = project or self.project
        return run("make", f"PY={PY}", f"VENV={folder / 'venv-stamp'}", *arguments, cwd=folder)

    def sources(self) -> list[str]:
        return [str(path) for path in sorted(self.series.glob("*.md"))]


def setup(work: Path) -> Bench:
    subprocess.run([PY, "build.py", "-q", "html", "--out", str(work), str(SEED)], cwd=ROOT,
                   env=ENV, check=True)
    series = work / "series"
    series.mkdir()
    shutil.copy(SEED.parent / "agency.yaml", series / "agency.yaml")
    for index in range(1, SERIES + 1):
        shutil.copy(SEED, series / f"bloc-notes-{index:02d}.md")
    copies = []
    for name in ("project", "handout"):
        project = work / name
        project.mkdir()
        for file in ("Makefile", "build.py", "pyproject.toml"):
            shutil.copy(ROOT / file, project / file)
        for folder in ("blocnotes", "styles", "languages"):
            shutil.copytree(ROOT / folder, project / folder,
                            ignore=shutil.ignore_patterns("__pycache__"))
        shutil.copytree(series, project / "source")
        stamp = project / "venv-stamp" / ".installed"  # this Python is installed: make skips it
        stamp.parent.mkdir()
        stamp.touch()
        copies.append(project)
    (work / "pandoc").mkdir()
    return Bench(work, work / f"{SEED.stem}.html", series, *copies, work / "pandoc")


# The seed, one document: ROUNDS rounds.

def floor_pdf(bench: Bench) -> float:
    return run(WEASYPRINT, str(bench.html), str(bench.work / "floor.pdf"))


def blocnotes_pdf(bench: Bench) -> float:
    return run(PY, "build.py", "-q", "pdf", "--out", str(bench.work / "out"), str(SEED))


def blocnotes_epub_after_pdf(bench: Bench) -> float:
    if not (bench.work / "out" / ".pages" / f"{SEED.stem}.json").is_file():
        blocnotes_pdf(bench)  # not timed: the EPUB takes the page map of this PDF
    return run(PY, "build.py", "-q", "epub", "--out", str(bench.work / "out"), str(SEED))


def blocnotes_all(bench: Bench) -> float:
    shutil.rmtree(bench.work / "o2", ignore_errors=True)
    return run(PY, "build.py", "-q", "all", "--out", str(bench.work / "o2"), str(SEED))


def pandoc_one(bench: Bench) -> float:
    return timed(lambda: pandoc_pipeline(SEED, bench.pandoc))


SINGLE: dict[str, Callable[[Bench], float]] = {
    "weasyprint floor (PDF)": floor_pdf,
    "blocnotes pdf": blocnotes_pdf,
    "blocnotes epub (after pdf)": blocnotes_epub_after_pdf,
    "blocnotes all": blocnotes_all,
    "pandoc pipeline (PDF + EPUB)": pandoc_one,
}


# The series: SERIES copies of the seed, SERIES_ROUNDS rounds; every run starts cold.

def _cold(project: Path) -> None:
    shutil.rmtree(project / "dist", ignore_errors=True)


def make_pdf_epub(bench: Bench) -> float:
    _cold(bench.project)
    return bench.make("pdf", "epub")


def make_j2_pdf_epub(bench: Bench) -> float:
    _cold(bench.project)
    return bench.make("-j2", "pdf", "epub")


def build_all_jobs(bench: Bench) -> float:
    out = bench.work / "series-out"
    shutil.rmtree(out, ignore_errors=True)
    return run(PY, "build.py", "-q", "all", "--jobs", str(CORES), "--out", str(out),
               *bench.sources())


def make_pdf_after_style_edit(bench: Bench) -> float:
    bench.make("pdf")  # not timed: up to date first
    time.sleep(0.01)
    (bench.project / "styles" / "bloc-notes" / "print.css").touch()
    return bench.make("pdf")


def make_dist_cold(bench: Bench) -> float:
    _cold(bench.handout)
    return bench.make("dist", project=bench.handout)


def make_dist_warm(bench: Bench) -> float:
    bench.make("dist", project=bench.handout)  # not timed: laid out first
    return bench.make("dist", project=bench.handout)


def make_dist_layout(bench: Bench) -> float:
    """The hand-out folder laid out from nothing, every build reused: its thumbnails, web
    fonts, web editions (articles) and search index made again; what `dist` adds to the
    builds."""
    bench.make("dist", project=bench.handout)  # not timed: every output built
    shutil.rmtree(bench.handout / "dist" / "site", ignore_errors=True)
    shutil.rmtree(bench.handout / "dist" / ".build" / "memo", ignore_errors=True)
    return bench.make("dist", project=bench.handout)


def pandoc_loop(bench: Bench) -> float:
    """Pandoc as a user runs it on a series: a loop, one file after another."""
    return timed(lambda: [pandoc_pipeline(Path(path), bench.pandoc) for path in bench.sources()])


def pandoc_parallel(bench: Bench) -> float:
    """Pandoc like for like with our pool: as many files at once as the machine has cores."""
    folder = bench.work / "pandoc-parallel"
    folder.mkdir(exist_ok=True)

    def all_files() -> None:
        with ThreadPoolExecutor(CORES) as pool:
            list(pool.map(lambda path: pandoc_pipeline(Path(path), folder), bench.sources()))

    return timed(all_files)


SERIES_MAKE = f"make pdf epub, {SERIES} documents (cold)"
SERIES_POOL = f"build.py all --jobs {CORES}, {SERIES} documents (cold)"
SERIES_LOOP = f"pandoc pipeline, {SERIES} documents one after another"
SERIES_PARALLEL = f"pandoc pipeline, {SERIES} documents, {CORES} at once"
DIST_WARM = f"make dist, {SERIES} documents, nothing changed"
SERIES_WORKLOADS: dict[str, Callable[[Bench], float]] = {
    SERIES_MAKE: make_pdf_epub,
    f"make -j2 pdf epub, {SERIES} documents (cold)": make_j2_pdf_epub,
    SERIES_POOL: build_all_jobs,
    f"make pdf after an edit of styles/bloc-notes/print.css, {SERIES} documents": make_pdf_after_style_edit,
    f"make dist, {SERIES} documents (cold)": make_dist_cold,
    DIST_WARM: make_dist_warm,
    f"make dist, {SERIES} documents, the hand-out folder laid out from nothing (builds reused)":
        make_dist_layout,
    SERIES_LOOP: pandoc_loop,
    SERIES_PARALLEL: pandoc_parallel,
}


# Ratios: (label, numerator, denominator, goal or None).
RATIOS: list[tuple[str, str, str, float | None]] = [
    ("PDF of the seed / bare weasyprint", "blocnotes pdf", "weasyprint floor (PDF)", 1.15),
    ("PDF + EPUB of the seed / Pandoc's pipeline", "blocnotes all",
     "pandoc pipeline (PDF + EPUB)", 0.95),
    (f"`make pdf epub`, {SERIES} documents / `build.py all --jobs {CORES}`", SERIES_MAKE,
     SERIES_POOL, 1.15),
    (f"as users run them: `make pdf epub` / Pandoc's pipeline in a loop, {SERIES} documents",
     SERIES_MAKE, SERIES_LOOP, 0.30),
    (f"like for like: `build.py all --jobs {CORES}` / Pandoc's pipeline {CORES} at once, "
     f"{SERIES} documents", SERIES_POOL, SERIES_PARALLEL, None),
]


def measure(bench: Bench, workloads: dict[str, Callable[[Bench], float]], rounds: int,
            rng: random.Random, samples: dict[str, list[float]], label: str) -> None:
    """`rounds` rounds of every workload, each round in a new shuffled order."""
    for round_ in range(rounds):
        order = list(workloads)
        rng.shuffle(order)
        print(f"{label} round {round_ + 1}/{rounds}: {'; '.join(order)}", file=sys.stderr)
        for name in order:
            samples.setdefault(name, []).append(workloads[name](bench))


def make_noop(bench: Bench, rounds: int) -> float:
    """`make pdf epub` with nothing to do: its own rules, no Python start-up of the build."""
    bench.make("pdf", "epub")
    return statistics.median(bench.make("pdf", "epub") for _ in range(rounds))


def imports_weasyprint(bench: Bench) -> dict[str, bool]:
    imports = {}
    out = bench.work / "out"
    for label, command in [
        ("--help", ["--help"]), ("check", ["check", str(SEED)]),
        ("clean", ["clean", "--out", str(bench.work / "nothing")]),
        ("epub (after pdf)", ["epub", "--out", str(out), str(SEED)]),
        ("epub (no earlier pdf)", ["epub", "--out", str(bench.work / "fresh"), str(SEED)]),
    ]:
        result = subprocess.run([PY, "-X", "importtime", "build.py", "-q", *command], cwd=ROOT,
                                env=ENV, capture_output=True, text=True, check=False)
        imports[label] = "weasyprint" in result.stderr
    return imports


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


def reportage_rows(work: Path, rounds: int = 5) -> list[str]:
    """A photo reportage: three camera photos (6000 x 4000 JPEGs of about 14 MB, one turned by
    its EXIF), PDF + EPUB and the print shop's PDF, cold (no prepared image) and warm (a
    rebuild after a text edit), beside the same text with three small photos (1800 x 1200,
    as turned: the same layout, so the difference with the camera photos is what their size
    costs) and without photos (what laying out three figures costs too); as Markdown lines."""
    sys.path.insert(0, str(ROOT / "tests"))
    import photos

    names = ("tram.jpg", "place.jpg", "ateliers.jpg")
    folder, small_folder = work / "reportage", work / "reportage-small"
    for place, size, grain in ((folder, (6000, 4000), 1), (small_folder, (1800, 1200), 8)):
        place.mkdir()
        for index, name in enumerate(names):
            photos.camera_jpeg(place / name, size, 6 if index == 0 else 1, index, grain=grain)
    source, small = folder / "reportage.md", small_folder / "reportage.md"
    bare = folder / "texte.md"
    bare.write_text("\n".join(line for line in REPORTAGE.splitlines() if "](" not in line),
                    encoding="utf-8")

    def both(path: Path, out: Path) -> float:
        return (run(PY, "build.py", "-q", "all", "--out", str(out), str(path))
                + run(PY, "build.py", "-q", "pdf", "--print", "--out", str(out), str(path)))

    def edited(path: Path, round_: int) -> Path:
        path.write_text(REPORTAGE.replace("Fin du", f"Fin ({round_}) du"), encoding="utf-8")
        return path

    cold, warm, smaller, plain = [], [], [], []
    small_out = work / "reportage-small-out"
    small.write_text(REPORTAGE, encoding="utf-8")
    both(small, small_out)  # not timed: its photos prepared once
    for round_ in range(rounds):
        out = work / f"reportage-out-{round_}"
        source.write_text(REPORTAGE, encoding="utf-8")
        cold.append(both(source, out))
        warm.append(both(edited(source, round_), out))
        smaller.append(both(edited(small, round_), small_out))
        plain.append(both(bare, out))
    sizes = {name: (out / name).stat().st_size / 1e6
             for name in ("reportage.pdf", "reportage-impression.pdf", "reportage.epub")}
    photo_mb = sum((folder / name).stat().st_size for name in names) / 1e6
    small_mb = sum((small_folder / name).stat().st_size for name in names) / 1e6
    median = statistics.median
    return [
        f"Reportage: three camera photos ({photo_mb:.0f} MB of JPEG, 6000 x 4000 px), PDF + EPUB "
        f"+ the print shop's PDF, medians of {rounds}:",
        "",
        "| build | seconds | fastest | screen PDF (MB) | print PDF (MB) | EPUB (MB) |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
        f"| cold (no prepared image) | {median(cold):.2f} | {min(cold):.2f} | "
        f"{sizes['reportage.pdf']:.2f} | {sizes['reportage-impression.pdf']:.2f} | "
        f"{sizes['reportage.epub']:.2f} |",
        f"| warm (after a text edit) | {median(warm):.2f} | {min(warm):.2f} | | | |",
        f"| the same, three small photos ({small_mb:.1f} MB, 1800 x 1200 px), warm | "
        f"{median(smaller):.2f} | {min(smaller):.2f} | | | |",
        f"| the same text without photos | {median(plain):.2f} | {min(plain):.2f} | | | |",
        "",
    ]


# Documents of the make-up corpus whose floats move (tests/corpus): photos of each width, a
# wide table, a long day; the seed beside them (laid out once).
MAKEUP_DOCS = ("seed", "corpus/photo-large", "corpus/tableau-large", "corpus/visite-chantier",
               "corpus/journee")
# Lays a document out as its screen PDF is, counting WeasyPrint's layouts: [layouts, pages,
# holes] as JSON.
COUNT_LAYOUTS = """
import json, sys
from pathlib import Path
from blocnotes import holes, pdf
import makeup_corpus
calls, once = [], pdf._lay_out
def counted(*args, **kwargs):
    calls.append(1)
    return once(*args, **kwargs)
pdf._lay_out = counted
document = makeup_corpus.lay_out(Path(sys.argv[1]))
print(json.dumps([len(calls), len(document.pages), len(holes.holes(document.pages))]))
"""


def makeup_rows(work: Path, rounds: int = 3) -> list[str]:
    """The make-up's cost (issue 21): for documents with floats, in both styles, the PDF's
    build time (medians of `rounds`), the layouts it took, its pages and holes."""
    sys.path.insert(0, str(ROOT / "tests"))
    import makeup_corpus

    documents = makeup_corpus.sources()
    rows = ["Make-up (documents whose floats move; `build.py pdf`, medians of "
            f"{rounds}; layouts: WeasyPrint's, three at most):", "",
            "| document | style | seconds | layouts | pages | holes |",
            "| --- | --- | ---: | ---: | ---: | ---: |"]
    for name in MAKEUP_DOCS:
        for style in makeup_corpus.STYLES:
            source = makeup_corpus.styled(documents[name], style,
                                          work / "makeup" / name.replace("/", "-"))
            out = source.parent / "out"
            seconds = statistics.median(
                run(PY, "build.py", "-q", "pdf", "--out", str(out), str(source))
                for _ in range(rounds))
            counted = subprocess.run([PY, "-c", COUNT_LAYOUTS, str(source)], cwd=ROOT / "tests",
                                     capture_output=True, text=True, env=ENV, check=True)
            layouts, pages, found = json.loads(counted.stdout.strip().splitlines()[-1])
            rows.append(f"| {name} | {style} | {seconds:.2f} | {layouts} | {pages} | {found} |")
    return [*rows, ""]


def scaling(work: Path) -> list[tuple[int, float, float]]:
    """(pages, seconds, peak MB) of the seed's body repeated, PDF only."""
    rows = []
    text = SEED.read_text(encoding="utf-8")
    front, body = text.split("\n---\n", 1)
    for copies in (1, 5, 15, 40, 86):  # 86 copies: about 200 pages
        source = work / f"long-{copies}.md"
        source.write_text(front + "\n---\n" + body * copies, encoding="utf-8")
        seconds, rss = peak_rss(PY, "build.py", "-q", "pdf", "--out", str(work / "long"),
                                str(source))
        pages = len(pypdf.PdfReader(work / "long" / f"long-{copies}.pdf").pages)
        rows.append((pages, seconds, rss))
    return rows


def _met(value: float, goal: float | None) -> str:
    if goal is None:
        return "| |"
    return f"≤ {goal:g} | {'met' if value <= goal else 'NOT met'} |"


def main() -> int:
    seed = int(os.environ.get("BENCH_SEED", "15"))
    rng = random.Random(seed)
    work = Path(tempfile.mkdtemp(prefix="blocnotes-bench-"))
    bench = setup(work)
    samples: dict[str, list[float]] = {}
    measure(bench, SINGLE, ROUNDS, rng, samples, "seed")
    measure(bench, SERIES_WORKLOADS, SERIES_ROUNDS, rng, samples, "series")
    noop = make_noop(bench, ROUNDS)
    imports = imports_weasyprint(bench)
    first_watch, rebuilds = watch_rebuilds(work)
    reportage = reportage_rows(work)
    makeup = makeup_rows(work)
    long = scaling(work)
    epub_size = (work / "out" / f"{SEED.stem}.epub").stat().st_size
    pandoc_version = subprocess.run(["pandoc", "--version"], capture_output=True, text=True,
                                    check=True).stdout.splitlines()[0]

    medians = {name: statistics.median(values) for name, values in samples.items()}
    # The fastest run of each: what a workload costs when the machine does not interfere
    # (this one's timings move by 10 % and more from run to run).
    bests = {name: min(values) for name, values in samples.items()}
    floor = samples["weasyprint floor (PDF)"]
    per_round = [pdf / bare for pdf, bare in zip(samples["blocnotes pdf"], floor, strict=True)]
    peak_pages, _, peak = long[-1]
    warm = medians[DIST_WARM]

    lines = [
        f"# Benchmarks, {dt.date.today().isoformat()}",
        "",
        f"Machine: {platform.processor() or platform.machine()}, {CORES} cores, "
        f"Python {platform.python_version()}, {pandoc_version}. "
        f"{ROUNDS} rounds for the seed, {SERIES_ROUNDS} for the {SERIES}-document series; each "
        f"run a fresh process; workloads in a new random order each round (seed {seed}).",
        "",
        "| workload | median (s) | fastest (s) | slowest (s) |",
        "| --- | ---: | ---: | ---: |",
        *[f"| {name} | {value:.2f} | {bests[name]:.2f} | {max(samples[name]):.2f} |"
          for name, value in medians.items()],
        "",
        "| ratio | of medians | of fastest runs | goal | |",
        "| --- | ---: | ---: | ---: | --- |",
        *[f"| {label} | {medians[a] / medians[b]:.2f} | {bests[a] / bests[b]:.2f} | "
          f"{_met(medians[a] / medians[b], goal)}" for label, a, b, goal in RATIOS],
        f"| `make dist` with nothing changed, {SERIES} documents (s) | {warm:.2f} | "
        f"{bests[DIST_WARM]:.2f} | {_met(warm, 2.0)}",
        f"| `make pdf epub` with nothing changed (s) | {noop:.3f} | | {_met(noop, 0.3)}",
        f"| EPUB of the seed (KB) | {epub_size / 1024:.0f} | | {_met(epub_size / 1024, 150)}",
        f"| peak memory, {peak_pages}-page PDF (MB) | {peak:.0f} | | {_met(peak, 400)}",
        "",
        f"PDF of the seed / bare weasyprint, round by round: {min(per_round):.2f} to "
        f"{max(per_round):.2f}; the floor itself took {min(floor):.2f} to {max(floor):.2f} s.",
        "",
        "Does the command import WeasyPrint?",
        "",
        "| command | imports WeasyPrint |",
        "| --- | --- |",
        *[f"| `build.py {label}` | {'yes' if value else 'no'} |" for label, value in imports.items()],
        "",
        f"`build.py watch` (PDF + EPUB of the seed, timed by watch itself): first build "
        f"{first_watch:.1f} s, then {min(rebuilds):.2f} to {max(rebuilds):.2f} s a rebuild after "
        f"an edit ({len(rebuilds)} edits; WeasyPrint and the fonts stay loaded).",
        "",
        *reportage,
        *makeup,
        "Scaling (the seed repeated), PDF only:",
        "",
        "| pages | seconds | seconds per page | peak memory (MB) |",
        "| ---: | ---: | ---: | ---: |",
        *[f"| {pages} | {seconds:.1f} | {seconds / pages:.3f} | {rss:.0f} |"
          for pages, seconds, rss in long],
        "",
    ]
    report = "\n".join(lines)
    (ROOT / "bench" / "results.md").write_text(report, encoding="utf-8")
    print(report)
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
