"""Watch mode: rebuild what changed, in one process that keeps WeasyPrint and the fonts loaded."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from . import fonts, load, style
from .errors import BlocNotesError
from .pipeline import Outcome, Settings, build, due


def _chose(source: Path, folders: set[Path], settings: Settings) -> bool:
    """Whether `source` chose the style of one of `folders`, or a style based on one (or
    cannot be read: its build will say why)."""
    try:
        agency = load.agency_file_for(source, settings.agency_fallback)
        chain = style.read(load.style_of(source, agency, settings.styles)).folders
        return any(folder.resolve() in folders for folder in chain)
    except BlocNotesError:
        return True


def affected(changed: Iterable[Path], sources: list[Path], settings: Settings) -> list[Path]:
    """Sources to rebuild after `changed` files: a source itself; the sources of a style when
    a file of its folder, or of a base's, changed; every source when an agency.yaml, a
    language's file or a file of the styles folder shared by every style (the print shop's
    profile) changed; the sources beside a file that changed (an image)."""
    resolved = {path.resolve() for path in changed}
    styles = settings.styles.resolve()
    in_styles = {path for path in resolved if path.is_relative_to(styles)}
    touched = {styles / path.relative_to(styles).parts[0] for path in in_styles
               if len(path.relative_to(styles).parts) > 1}
    own = {folder for folder in touched if (folder / style.STYLE_FILE).is_file()}
    language_files = settings.languages.resolve()
    if any(path.name == "agency.yaml" or path.is_relative_to(language_files)
           for path in resolved) or any(
            not any(path.is_relative_to(folder) for folder in own) for path in in_styles):
        return list(sources)
    hit = [source for source in sources
           if source.resolve() in resolved or (own and _chose(source, own, settings))]
    if hit:
        return hit
    folders = {path.parent for path in resolved if path.suffix != ".md"}
    return [source for source in sources if source.resolve().parent in folders]


def watch(sources: list[Path], formats: tuple[str, ...], settings: Settings,
          report: Callable[[str], None], changes: Iterator[set[tuple[object, str]]] | None = None
          ) -> None:
    """Build everything once, then rebuild on every change until interrupted."""
    from watchfiles import watch as watch_files

    failed: set[Path] = set()

    def run(targets: list[Path]) -> None:
        start = time.perf_counter()
        outcomes: list[Outcome] = build(targets, formats, settings)
        seconds = time.perf_counter() - start
        for outcome in outcomes:
            failed.discard(outcome.source)
            if outcome.error is not None:
                failed.add(outcome.source)
                for line in outcome.error.lines():
                    report(f"Error: {line}")
            else:
                names = ", ".join(str(path) for path in outcome.written)
                report(f"rebuilt {names} in {seconds:.1f} s")

    run(sources)
    folders = sorted({source.resolve().parent for source in sources} | {
        settings.styles.resolve(), *([settings.languages.resolve()]
                                     if settings.languages.is_dir() else [])})
    # An empty batch after half a second without change: the watcher is on. A file saved
    # before it was (after the first build read it) is no change to it: the build records,
    # made from the bytes the build read, tell it once.
    stream = changes if changes is not None else watch_files(
        *folders, debounce=300, rust_timeout=500, yield_on_timeout=True)
    out = settings.out.resolve()
    armed = False
    for batch in stream:
        if not batch:
            if not armed:
                armed = True
                late = [source for source in sources if source not in failed
                        and due(source, formats, settings)]
                if late:
                    run(late)
            continue
        # Our own outputs (and the folders that hold them) are not changes to rebuild for.
        changed = [Path(path) for _, path in batch
                   if not Path(path).name.startswith(".") and Path(path).suffix != ".part"
                   and not Path(path).resolve().is_relative_to(out) and not Path(path).is_dir()]
        targets = affected(changed, sources, settings)
        if any(path.resolve().is_relative_to(settings.styles.resolve()) for path in changed):
            fonts.forget()  # a style's fonts or faces may have changed
        if targets:
            run(targets)
