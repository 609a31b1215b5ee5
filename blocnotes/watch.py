"""Watch mode: rebuild what changed, in one process that keeps WeasyPrint and the fonts loaded."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from .pipeline import Outcome, Settings, build


def affected(changed: Iterable[Path], sources: list[Path], settings: Settings) -> list[Path]:
    """Sources to rebuild after `changed` files: a source itself, or every source when an
    agency.yaml, a stylesheet or a file beside a source (an image) changed."""
    resolved = {path.resolve() for path in changed}
    styles = settings.styles.resolve()
    if any(path.is_relative_to(styles) or path.name == "agency.yaml" for path in resolved):
        return list(sources)
    hit = [source for source in sources if source.resolve() in resolved]
    if hit:
        return hit
    folders = {path.parent for path in resolved if path.suffix != ".md"}
    return [source for source in sources if source.resolve().parent in folders]


def watch(sources: list[Path], formats: tuple[str, ...], settings: Settings,
          report: Callable[[str], None], changes: Iterator[set[tuple[object, str]]] | None = None
          ) -> None:
    """Build everything once, then rebuild on every change until interrupted."""
    from watchfiles import watch as watch_files

    def run(targets: list[Path]) -> None:
        start = time.perf_counter()
        outcomes: list[Outcome] = build(targets, formats, settings)
        seconds = time.perf_counter() - start
        for outcome in outcomes:
            if outcome.error is not None:
                for line in outcome.error.lines():
                    report(f"Error: {line}")
            else:
                names = ", ".join(str(path) for path in outcome.written)
                report(f"rebuilt {names} in {seconds:.1f} s")

    run(sources)
    folders = sorted({source.resolve().parent for source in sources} | {settings.styles.resolve()})
    stream = changes if changes is not None else watch_files(*folders, debounce=300)
    out = settings.out.resolve()
    for batch in stream:
        # Our own outputs (and the folders that hold them) are not changes to rebuild for.
        changed = [Path(path) for _, path in batch
                   if not Path(path).name.startswith(".") and Path(path).suffix != ".part"
                   and not Path(path).resolve().is_relative_to(out) and not Path(path).is_dir()]
        targets = affected(changed, sources, settings)
        if targets:
            run(targets)
