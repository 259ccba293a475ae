"""One problems type for checkers, importers and forms: where (file, line, field) and why.

The CLI prints `file:line: message` (or `line N: message` for a document being edited); pages
show each problem beside its field or under the editor with its line, in the UI language.
"""

from dataclasses import asdict, dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, at a line of a file (or of the text being edited)."""

    path: Path | str | None
    line: int
    message: str
    field: str | None = None  # the form field it belongs beside, when there is one

    @classmethod
    def at(cls, line: int, message: str, field: str | None = None) -> "Problem":
        """A problem in the document being edited (no file name)."""
        return cls(None, line, message, field)

    @property
    def row(self) -> int:
        """The line, named for tabular input (a CSV file's line, a JSON record's index)."""
        return self.line

    def __str__(self) -> str:
        if self.path:
            return f"{self.path}:{self.line}: {self.message}"
        return f"line {self.line}: {self.message}"

    def as_dict(self) -> dict:
        """Plain values (JSON, audit data)."""
        data = asdict(self)
        data["path"] = str(self.path) if self.path is not None else None
        return data


class ProblemsError(ValueError):
    """An input refused as a whole; `problems` say every place and reason found."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems
