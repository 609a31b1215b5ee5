"""The one exception type for user errors, and diagnostics (warnings are data)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


def where(path: Path, line: int | None) -> str:
    """'path:line', or 'path' when the line is unknown."""
    return f"{path}:{line}" if line else f"{path}"


@dataclass(frozen=True)
class Diagnostic:
    """One finding about a source: where it is, what is wrong and what to do."""

    path: Path
    line: int | None
    message: str
    severity: str = "warning"  # "warning" or "error"

    def __str__(self) -> str:
        return f"{where(self.path, self.line)}: {self.message}"


class BlocNotesError(Exception):
    """A user error: bad input, with the file and line where it is and what to do."""

    def __init__(self, path: Path | str, line: int | None, message: str) -> None:
        self.path = Path(path)
        self.line = line
        self.message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        return f"{where(self.path, self.line)}: {self.message}"

    def __reduce__(self) -> tuple[type, tuple[Path, int | None, str]]:
        # raised in a --jobs worker, re-raised in the build's process: pickled by its fields
        return (type(self), (self.path, self.line, self.message))

    @classmethod
    def from_diagnostic(cls, diagnostic: Diagnostic) -> BlocNotesError:
        return cls(diagnostic.path, diagnostic.line, diagnostic.message)
