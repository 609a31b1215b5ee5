#!/usr/bin/env python3
"""build.py: the command line of blocnotes, a thin Click layer over the `blocnotes` package."""

from __future__ import annotations

import contextlib
import datetime as dt
import importlib.util
import os
import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any


def _in_the_project_venv() -> None:
    """`./build.py` or `python build.py` started by a Python without the project's libraries:
    run again with the project's .venv (made by `make`), or say what to type."""
    if all(importlib.util.find_spec(name) for name in ("click", "markdown", "weasyprint")):
        return
    venv = Path(__file__).resolve().parent / ".venv"
    if (venv / "bin" / "python").is_file() and Path(sys.prefix).resolve() != venv.resolve():
        os.execv(venv / "bin" / "python", [str(venv / "bin" / "python"), __file__, *sys.argv[1:]])
    sys.exit("build.py: the project's libraries are not installed here: type 'make' once (it "
             "makes .venv), then './build.py ...' or 'make ...'")


if __name__ == "__main__":
    _in_the_project_venv()

import click

from blocnotes import __version__, scratch
from blocnotes.editions import (
    DEFAULT,
    PER_SOURCE,
    PRESS,
    SCREEN,
    SCREEN_VARIANTS,
    make_lists,
)
from blocnotes.errors import BlocNotesError
from blocnotes.freshness import FOLDER as RECORDS
from blocnotes.languages import DEFAULT as DEFAULT_LANGUAGE
from blocnotes.lint import shown
from blocnotes.pipeline import (
    OUTPUTS,
    SITE,
    Outcome,
    Settings,
    build_plan,
    check,
    dist_plan,
    lay_out,
)
from blocnotes.starter import LANGUAGES, file_name, starter
from blocnotes.style import known as known_styles

PROJECT = Path(__file__).resolve().parent
OUTPUT_SUFFIXES = tuple({Path(e.file_name).suffix: None for e in PER_SOURCE})  # clean's


def _sources(paths: tuple[Path, ...]) -> list[Path]:
    if paths:
        return list(paths)
    found = sorted(Path("source").glob("*.md"))
    if not found:
        raise click.UsageError("no source given and no source/*.md here (name a Markdown file)")
    return found


def _settings(out: Path, allow_remote: bool = False, strict: bool = False,
              pdf_variant: str = "pdf/ua-1") -> Settings:
    return Settings(out=out, styles=PROJECT / "styles",
                    agency_fallback=Path("source/agency.yaml"),
                    allow_remote=allow_remote, strict=strict, pdf_variant=pdf_variant)


def _echo_error(error: BlocNotesError) -> None:
    """Every mistake of the error on its own line, 'Error: path:line: ...'."""
    for line in error.lines():
        click.echo(f"Error: {line}", err=True)


def _reporter(ctx: click.Context, total: int) -> Callable[[Outcome], None]:
    """One line per document as it finishes, `[7/20] wrote …` (after its warnings)."""
    quiet, verbose = ctx.obj["quiet"], ctx.obj["verbose"]
    finished = 0

    def report(outcome: Outcome) -> None:
        nonlocal finished
        finished += 1
        if outcome.error is not None:
            _echo_error(outcome.error)
            return
        if not quiet:
            for line in shown([diagnostic for diagnostic in outcome.diagnostics
                               if verbose or diagnostic.severity != "note"]):
                click.echo(line, err=True)
            names = ", ".join(str(path) for path in outcome.written)
            click.echo(f"[{finished}/{total}] wrote {names}")

    return report


def _run(ctx: click.Context, plan: list[tuple[Path, tuple[str, ...]]], settings: Settings,
         jobs: int) -> list[Outcome]:
    """Build `plan` with progress lines and, for a series, the total time at the end."""
    start = time.perf_counter()
    outcomes = build_plan(plan, settings, _reporter(ctx, len(plan)), jobs)
    if len(plan) > 1 and not ctx.obj["quiet"]:
        good = sum(outcome.error is None for outcome in outcomes)
        click.echo(f"built {good} of {len(plan)} documents in "
                   f"{time.perf_counter() - start:.1f} s ({min(jobs, len(plan))} at once)")
    return outcomes


# Declarations shared by the commands.
SOURCES = click.argument("sources", nargs=-1, type=click.Path(path_type=Path))
OUT = click.option("--out", type=click.Path(file_okay=False, path_type=Path),
                   default=Path("dist"), show_default=True, help="Folder for the outputs.")
JOBS = click.option("-j", "--jobs", type=click.IntRange(1, 64), default=1, show_default=True,
                    help="Build this many sources at once (worker processes).")


PRINT = click.option(
    "--print", "press", is_flag=True,
    help="Build the print shop's edition instead: <name>-impression.pdf, PDF/X-4 "
         "(FOGRA39), A4 with 3 mm bleed and crop marks.")


def source_command(formats: tuple[str, ...], help_text: str, press_option: bool = False
                   ) -> Callable[..., Any]:
    """A command that builds `formats` from the given sources (or, with --print when
    `press_option`, the print shop's PDF)."""

    @SOURCES
    @OUT
    @click.option("--allow-remote", is_flag=True,
                  help="Let the PDF load http(s) images and styles (off: nothing is fetched).")
    @click.option("--strict", is_flag=True, help="Treat every warning as an error.")
    @click.option("--pdf-variant", type=click.Choice(SCREEN_VARIANTS),
                  default="pdf/ua-1", show_default=True,
                  help="PDF/UA-1 (accessible, tagged) or PDF/A (archival, tagged too).")
    @JOBS
    @click.option("-q", "--quiet", is_flag=True, help="Print errors only: no warnings, no progress.")
    @click.option("-v", "--verbose", is_flag=True,
                  help="Print notes too (characters set in the fallback font).")
    @click.pass_context
    def command(ctx: click.Context, sources: tuple[Path, ...], out: Path, allow_remote: bool,
                strict: bool, pdf_variant: str, jobs: int, quiet: bool, verbose: bool,
                press: bool = False) -> None:
        ctx.obj["quiet"] = ctx.obj["quiet"] or quiet
        ctx.obj["verbose"] = ctx.obj["verbose"] or verbose
        settings = _settings(out, allow_remote, strict, pdf_variant)
        kinds = (PRESS.name,) if press else formats
        outcomes = _run(ctx, [(source, kinds) for source in _sources(sources)], settings, jobs)
        if any(outcome.error for outcome in outcomes):
            ctx.exit(1)

    command.__doc__ = help_text
    return PRINT(command) if press_option else command


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="blocnotes")
@click.option("-q", "--quiet", is_flag=True, help="Print errors only: no warnings, no progress.")
@click.option("-v", "--verbose", is_flag=True,
              help="Print notes too (characters set in the fallback font).")
@click.pass_context
def cli(ctx: click.Context, quiet: bool, verbose: bool) -> None:
    """Build Le Bloc-Notes de l'Agence: Markdown sources to an A4 PDF and an EPUB 3.

    SOURCES are Markdown files (default: every source/*.md); outputs go to --out (dist/).
    """
    ctx.obj = {"quiet": quiet, "verbose": verbose}


# A command per edition that has one (editions.py), and `all` for the default ones; the
# print shop's edition is the screen PDF's `--print`.
for _edition in PER_SOURCE:
    if _edition.command:
        cli.command(_edition.name)(source_command((_edition.name,), _edition.command,
                                                  press_option=_edition is SCREEN))
_DEFAULTS = " and the ".join(e.offered or e.name for e in PER_SOURCE if e.name in DEFAULT)
cli.command("all")(source_command(DEFAULT, f"Build the {_DEFAULTS} of each source."))


def _kind(output: Path) -> tuple[str, str]:
    """An output's file name -> (the source's name, the edition's name)."""
    # the longest suffix first: -impression.pdf before .pdf
    for edition in sorted(OUTPUTS, key=lambda edition: -len(edition.path_name(""))):
        suffix = edition.path_name("")
        if output.name.endswith(suffix) and len(output.name) > len(suffix):
            return output.name[: -len(suffix)], edition.name
    raise click.BadParameter(f"'{output}' is not a .pdf, -impression.pdf or .epub file name",
                             param_hint="OUTPUTS")


@cli.command("outputs")
@click.argument("outputs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--sources", "folder", type=click.Path(file_okay=False, path_type=Path),
              default=Path("source"), show_default=True, help="Folder of the sources.")
@JOBS
@click.pass_context
def outputs_command(ctx: click.Context, outputs: tuple[Path, ...], folder: Path, jobs: int
                    ) -> None:
    """Build the named output files, each from --sources/<name>.md: OUT/<name>.pdf, .epub
    and -impression.pdf (what make runs, once for every out-of-date output). The outputs of
    one source come from one rendition and one layout; the sources are built by --jobs
    workers."""
    outs = {output.parent for output in outputs}
    if len(outs) > 1:
        raise click.UsageError("the outputs must all be in one folder")
    wanted: dict[Path, list[str]] = {}
    for output in outputs:
        name, kind = _kind(output)
        formats = wanted.setdefault(folder / f"{name}.md", [])
        if kind not in formats:
            formats.append(kind)
    plan = [(source, tuple(formats)) for source, formats in wanted.items()]
    if any(outcome.error for outcome in _run(ctx, plan, _settings(outs.pop()), jobs)):
        ctx.exit(1)


@cli.command("dist")
@SOURCES
@OUT
@JOBS
@click.pass_context
def dist_command(ctx: click.Context, sources: tuple[Path, ...], out: Path, jobs: int) -> None:
    """Build what is out of date, then lay --out/site/ out: the folder to upload.

    Dated copies <date>-<name>.pdf, .epub and -impression.pdf (the print shop's PDF/X-4),
    a thumbnail each, the series' web page index.html, and SHA256SUMS, nothing else (check
    it with: cd dist/site && sha256sum -c SHA256SUMS). An output whose inputs (source,
    images, agency.yaml, styles, package) did not change since it was built is reused.
    """
    settings = _settings(out)
    plan = dist_plan(_sources(sources), settings)
    built = _run(ctx, [item for item in plan if item[1]], settings, jobs)
    outcomes, laid_out = lay_out(plan, built, settings)
    for outcome in outcomes[len(built):]:  # sources only read (all reused): not yet reported
        if outcome.error is not None:
            _echo_error(outcome.error)
    if any(outcome.error for outcome in outcomes):
        ctx.exit(1)
    if not ctx.obj["quiet"]:
        reused = sum(not formats for _, formats in plan)
        click.echo(f"laid out {len(laid_out)} files in {out / SITE} (index.html, SHA256SUMS; "
                   f"{reused} of {len(plan)} documents reused as built)")


@cli.command("watch")
@SOURCES
@OUT
def watch_command(sources: tuple[Path, ...], out: Path) -> None:
    """Build the PDF and EPUB, then rebuild them whenever a source, agency.yaml or a style
    changes (Ctrl-C to stop). One line per rebuild; errors do not stop watching."""
    from blocnotes.watch import watch

    with contextlib.suppress(KeyboardInterrupt):
        watch(_sources(sources), DEFAULT, _settings(out),
              lambda line: click.echo(line, err=line.startswith("Error:")))


@cli.command("new")
@click.argument("title")
@click.option("--date", "date", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="The event's date, YYYY-MM-DD (default: today).")
@click.option("--lang", type=click.Choice(LANGUAGES), default=DEFAULT_LANGUAGE, show_default=True,
              help="The document's language: its comments, skeleton and typography.")
@click.option("--folder", type=click.Path(file_okay=False, path_type=Path),
              default=Path("source"), show_default=True, help="Where to write the source.")
@click.pass_context
def new_command(ctx: click.Context, title: str, date: dt.datetime | None, lang: str,
                folder: Path) -> None:
    """Start a new Bloc-Notes: write FOLDER/<name>.md from TITLE, with every field of the
    front matter commented and a skeleton to fill in. Never overwrites a file."""
    if not title.strip():
        raise click.UsageError("the title is empty (e.g. build.py new \"Smart City Tour\")")
    path = folder / file_name(title, lang)
    text = starter(title, (date or dt.datetime.now()).date(), lang)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with path.open("x", encoding="utf-8") as file:  # "x": never replace a file
            file.write(text)
    except FileExistsError:
        _echo_error(BlocNotesError(path, None, "already exists, and is left as it is (choose "
                                   "another title, or edit that file)"))
        ctx.exit(1)
    except OSError as error:
        _echo_error(BlocNotesError(path, None, f"cannot be written: {error.strerror} "
                                   "(choose another --folder)"))
        ctx.exit(1)
    if not ctx.obj["quiet"]:
        click.echo(f"wrote {path} (fill it in, then: make check, make)")


def _write_new(files: dict[Path, bytes]) -> None:
    """Write new files, all or none: an error if any exists (nothing replaced), and the ones
    written removed when another cannot be."""
    written: list[Path] = []
    try:
        for path, data in files.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("xb") as file:  # "x": never replace a file
                written.append(path)
                file.write(data)
    except FileExistsError as error:
        for path in written:
            path.unlink(missing_ok=True)
        raise BlocNotesError(Path(error.filename), None, "already exists, and is left as it is "
                             "(rename or move it, then import again); nothing was written") from None
    except OSError as error:
        for path in written:
            path.unlink(missing_ok=True)
        raise BlocNotesError(Path(error.filename or "."), None, f"cannot be written: "
                             f"{error.strerror} (choose another --folder)") from None


@cli.command("import")
@click.argument("docx", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--date", "date", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="The event's date, YYYY-MM-DD (default: the file's creation date).")
@click.option("--lang", type=click.Choice(LANGUAGES), default=DEFAULT_LANGUAGE, show_default=True,
              help="The document's language: its comments and typography.")
@click.option("--style", default=None, help="The series' style, a folder of styles/ "
              "(default: the agency's).")
@click.option("--accept-changes", is_flag=True,
              help="Take the Word file's tracked changes as they stand (else they are an error).")
@click.option("--folder", type=click.Path(file_okay=False, path_type=Path),
              default=Path("source"), show_default=True, help="Where to write the source.")
@click.pass_context
def import_command(ctx: click.Context, docx: Path, date: dt.datetime | None, lang: str,
                   style: str | None, accept_changes: bool, folder: Path) -> None:
    """Import a Word file: write FOLDER/<name>.md (named from its title) and its images
    beside it, the front matter as `new` writes it. Never overwrites a file."""
    from blocnotes import word

    try:
        if style is not None and style not in known_styles(PROJECT / "styles"):
            raise BlocNotesError(docx, None, f"unknown style '{style}' (known: "
                                 f"{', '.join(known_styles(PROJECT / 'styles'))})")
        imported = word.source(word.read(docx, accept_changes), lang,
                               date.date() if date else None, style)
        _write_new({**{folder / name: data for name, data in imported.images.items()},
                    folder / imported.name: imported.text.encode("utf-8")})
    except BlocNotesError as error:
        _echo_error(error)
        ctx.exit(1)
    for warning in imported.warnings:
        click.echo(warning.labelled(), err=True)
    if not ctx.obj["quiet"]:
        click.echo(f"wrote {folder / imported.name}"
                   + (f" and {len(imported.images)} images" if imported.images else "")
                   + " (read it through, then: make check, make)")


@cli.command("check")
@SOURCES
@click.option("--strict", is_flag=True, help="Exit 1 on warnings too.")
@click.pass_context
def check_command(ctx: click.Context, sources: tuple[Path, ...], strict: bool) -> None:
    """Validate and lint the sources without writing anything.

    Exit 1 on errors (or on warnings with --strict), 0 otherwise.
    """
    failed = False
    for outcome in check(_sources(sources), _settings(Path("dist"))):
        if outcome.error is not None:
            _echo_error(outcome.error)
            failed = True
            continue
        for line in shown(outcome.diagnostics):
            click.echo(line)
        for diagnostic in outcome.diagnostics:
            failed = failed or diagnostic.severity == "error" or (
                strict and diagnostic.severity == "warning")
        if not outcome.diagnostics and not ctx.obj["quiet"]:
            click.echo(f"{outcome.source}: ok")
    if failed:
        ctx.exit(1)


@cli.command("clean")
@OUT
def clean_command(out: Path) -> None:
    """Remove the built PDF, EPUB and HTML files, the hand-out folder (site/), the page map,
    the image cache and the build records from --out; and the temporary folders a killed
    build left."""
    scratch.sweep()
    if not out.is_dir():
        return
    for folder in (".pages", ".images", RECORDS, SITE):
        shutil.rmtree(out / folder, ignore_errors=True)
    for path in out.iterdir():
        if path.is_file() and (path.suffix in OUTPUT_SUFFIXES or path.name.endswith(".part")):
            path.unlink()
    if not any(out.iterdir()):
        out.rmdir()


@cli.command("editions", hidden=True)
def editions_command() -> None:
    """Print the editions as make's lists and rules (the Makefile includes them)."""
    click.echo(make_lists(), nl=False)


if __name__ == "__main__":
    sys.exit(cli())
