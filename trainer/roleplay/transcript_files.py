"""Exported conversations as files: transcript JSON read turn by turn with line numbers
(`flask roleplay grade` and the grader's validation sets)."""

import json
from datetime import UTC, datetime

from trainer.roleplay.transcript import AGENT, CUSTOMER, Line

MAX_TURNS = 2000


class TranscriptError(ValueError):
    """A problem in a transcript file, with its line number."""


def _items_with_lines(text: str) -> list[tuple[int, object]]:
    """Decode a JSON array item by item, remembering the line each item starts on."""
    decoder = json.JSONDecoder()
    position = len(text) - len(text.lstrip())
    if not text[position:].startswith("["):
        raise TranscriptError("line 1: the transcript must be a JSON list of turns")
    position += 1
    items: list[tuple[int, object]] = []
    while True:
        while position < len(text) and text[position] in " \t\r\n":
            position += 1
        if position < len(text) and text[position] == "]":
            rest = text[position + 1 :].strip()
            if rest:
                line = text.count("\n", 0, position) + 1
                raise TranscriptError(f"line {line}: unexpected text after the list")
            return items
        line = text.count("\n", 0, position) + 1
        try:
            value, position = decoder.raw_decode(text, position)
        except json.JSONDecodeError as error:
            raise TranscriptError(f"line {error.lineno}: not valid JSON: {error.msg}") from error
        items.append((line, value))
        while position < len(text) and text[position] in " \t\r\n":
            position += 1
        if position < len(text) and text[position] == ",":
            position += 1
        elif position >= len(text) or text[position] != "]":
            line = text.count("\n", 0, position) + 1
            raise TranscriptError(f"line {line}: expected ',' or ']' between turns")


def _timestamp(value: object, where: str) -> datetime:
    if not isinstance(value, str):
        raise TranscriptError(f"{where}: 'at' must be an ISO-8601 date-time string")
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as error:
        raise TranscriptError(f"{where}: 'at' is not an ISO-8601 date-time: {value!r}") from error
    # Exported times without a zone are taken as UTC; only differences between turns matter.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def parse_transcript(text: str) -> list[Line]:
    """Turns from transcript JSON: [{speaker: agent|customer, text, at}], in time order."""
    items = _items_with_lines(text)
    if not items:
        raise TranscriptError("line 1: the transcript has no turns")
    if len(items) > MAX_TURNS:
        raise TranscriptError(f"line 1: too many turns (at most {MAX_TURNS})")
    lines: list[Line] = []
    for index, (line_no, item) in enumerate(items, start=1):
        where = f"line {line_no} (turn {index})"
        if not isinstance(item, dict):
            raise TranscriptError(f"{where}: each turn must be an object")
        unknown = set(item) - {"speaker", "text", "at"}
        if unknown:
            raise TranscriptError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
        speaker = item.get("speaker")
        if speaker not in (AGENT, CUSTOMER):
            raise TranscriptError(f"{where}: 'speaker' must be 'agent' or 'customer'")
        body = item.get("text")
        if not isinstance(body, str) or not body.strip():
            raise TranscriptError(f"{where}: 'text' must be non-empty text")
        moment = _timestamp(item.get("at"), where)
        if lines and moment < lines[-1].at:
            raise TranscriptError(f"{where}: 'at' is earlier than the turn before")
        lines.append(Line(index - 1, speaker, body, moment))
    return lines
