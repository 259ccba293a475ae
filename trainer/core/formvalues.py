"""What the form builders share: problems to show beside fields, and numbers typed in fields.

A builder turns form values into the document its one validator reads (as if from YAML); the
validator's problems come back by field (scenario builder, KPI catalogue form, level form)."""

from typing import Any


class FieldProblems(ValueError):
    """Problems to show beside a form's fields: field name → messages."""

    def __init__(self, problems: dict[str, list[str]]) -> None:
        super().__init__("; ".join(m for ms in problems.values() for m in ms))
        self.problems = problems


def typed_number(value: Any) -> Any:
    """A number typed in a field (int, else float), None when empty; text that is not a number
    is passed on unchanged for the validator to refuse with its own message."""
    text = "" if value is None else str(value).strip()
    if not text:
        return None
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            continue
    return text
