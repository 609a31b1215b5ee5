"""The one exception type for user errors, and diagnostics (warnings are data)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


def where(path: Path, line: int | None) -> str:
    """'path:line', or 'path' when the line is unknown."""
    return f"{path}:{line}" if line else f"{path}"


def spans(numbers: list[int]) -> str:
    """Line or paragraph numbers as an editor reads them: [12, 58, 59, 60] -> '12, 58–60'."""
    runs: list[list[int]] = []
    for number in sorted(set(numbers)):
        if runs and number == runs[-1][-1] + 1:
            runs[-1].append(number)
        else:
            runs.append([number])
    return ", ".join(f"{run[0]}–{run[-1]}" if len(run) > 1 else f"{run[0]}" for run in runs)


@dataclass(frozen=True)
class Diagnostic:
    """One finding about a source: where it is, what is wrong and what to do."""

    path: Path
    line: int | None
    message: str
    # "error" stops the build; "warning" means visible damage or a broken promise, printed
    # by every build; "note" is for the curious (-v), e.g. a character set in the fallback font
    severity: str = "warning"

    def __str__(self) -> str:
        return f"{where(self.path, self.line)}: {self.message}"

    def labelled(self) -> str:
        """'path:line: severity: message', as `check` and every build print it."""
        return f"{where(self.path, self.line)}: {self.severity}: {self.message}"


class BlocNotesError(Exception):
    """A user error: bad input, with the file and line where it is and what to do.

    One error may carry the others found in the same pass (`more`), so that an editor hears
    every mistake of a source at once; `lines()` gives one line per mistake.
    """

    def __init__(self, path: Path | str, line: int | None, message: str,
                 more: tuple[Diagnostic, ...] = ()) -> None:
        self.path = Path(path)
        self.line = line
        self.message = message
        self.more = more
        super().__init__(str(self))

    def __str__(self) -> str:
        return "\n".join(self.lines())

    def lines(self) -> list[str]:
        """'path:line: message' for this mistake and each of the others."""
        return [f"{where(self.path, self.line)}: {self.message}", *(str(d) for d in self.more)]

    def __reduce__(self) -> tuple[type, tuple[Path, int | None, str, tuple[Diagnostic, ...]]]:
        # raised in a --jobs worker, re-raised in the build's process: pickled by its fields
        return (type(self), (self.path, self.line, self.message, self.more))

    @classmethod
    def from_diagnostic(cls, diagnostic: Diagnostic) -> BlocNotesError:
        return cls(diagnostic.path, diagnostic.line, diagnostic.message)

    @classmethod
    def of(cls, diagnostics: list[Diagnostic]) -> BlocNotesError:
        """One error for several findings, in the order of their lines."""
        first, *rest = sorted(diagnostics, key=lambda d: d.line or 0)
        return cls(first.path, first.line, first.message, tuple(rest))

    def diagnostics(self) -> list[Diagnostic]:
        """Every mistake this error carries, as error diagnostics."""
        return [Diagnostic(self.path, self.line, self.message, "error"), *self.more]
