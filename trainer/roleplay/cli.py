"""`flask roleplay grade|export`: grade exported conversations with a scenario's rubric."""

import json
from datetime import UTC, datetime
from pathlib import Path

import click
from flask import current_app

from trainer.core.i18n import message_locale
from trainer.extensions import db
from trainer.roleplay import catalog
from trainer.roleplay.grading import grade_transcript
from trainer.roleplay.scenarios import ScenarioError, parse_scenario
from trainer.roleplay.transcript import AGENT, CUSTOMER, Line

MAX_TURNS = 2000


@click.group("roleplay")
def roleplay_group() -> None:
    """Role-play scenarios and transcripts."""


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


def _scenario_spec(slug: str) -> tuple[dict, str]:
    """The scenario's current version from the database, else its file in the content root."""
    scenario = catalog.get_scenario(slug)
    if scenario is not None and scenario.current_version is not None:
        return scenario.current_version.spec, f"database v{scenario.current_version.number}"
    path = Path(current_app.config["CONTENT_ROOT"]) / "scenarios" / f"{slug}.yaml"
    if not path.is_file():
        raise click.ClickException(f"no scenario {slug!r} in the database or in {path.parent}")
    return _scenario_spec_file(path, slug), str(path)


def _scenario_spec_file(path: Path, slug: str) -> dict:
    """Parse a scenario file; ClickException with line-numbered problems."""
    try:
        return parse_scenario(path.read_text(encoding="utf-8"), expected_slug=slug)
    except ScenarioError as error:
        problems = "; ".join(f"{path}:{p.line}: {p.message}" for p in error.problems)
        raise click.ClickException(problems) from error


@roleplay_group.command("grade")
@click.option("--scenario", "slug", required=True, help="Scenario slug.")
@click.option(
    "--transcript",
    "path",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Transcript JSON file.",
)
@click.option(
    "--judge",
    type=click.Choice(["auto", "offline", "llm"]),
    default="auto",
    show_default=True,
    help="Judge for judged items (auto: LLM when configured).",
)
@click.option(
    "--strict",
    is_flag=True,
    help="Exit non-zero when the LLM judge failed and the offline judge graded instead.",
)
def grade(slug: str, path: Path, judge: str, strict: bool) -> None:
    """Grade a transcript with a scenario's rubric; print the grade as JSON."""
    spec, source = _scenario_spec(slug)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as error:
        raise click.ClickException(f"{path}: no such file") from error
    except UnicodeDecodeError as error:
        raise click.ClickException(f"{path}: not UTF-8 text") from error
    try:
        lines = parse_transcript(text)
    except TranscriptError as error:
        raise click.ClickException(f"{path}: {error}") from error
    result = grade_transcript(spec, lines, judge=None if judge == "auto" else judge)
    output = {"scenario": slug, "source": source, **result.as_dict()}
    click.echo(json.dumps(output, ensure_ascii=False, indent=2, default=str))
    if result.judge == "offline_fallback":
        kinds = ", ".join(f["kind"] for f in result.flags if f["code"] == "judge_unavailable")
        click.echo(
            f"warning: the LLM judge failed ({kinds}); the offline judge graded the judged "
            "items. Run `flask llm check` to see what the server supports.",
            err=True,
        )
        if strict:
            raise SystemExit(1)


@roleplay_group.command("export")
@click.option("--session", "session_id", required=True, type=int, help="Session id.")
def export(session_id: int) -> None:
    """Print a session's transcript in the format `roleplay grade` reads."""
    from trainer.roleplay.models import RoleplaySession
    from trainer.roleplay.sessions import session_turns

    session = db.session.get(RoleplaySession, session_id)
    if session is None:
        raise click.ClickException(f"no session {session_id}")
    turns = [
        {"speaker": t.speaker, "text": t.text, "at": t.created_at.isoformat()}
        for t in session_turns(session)
    ]
    click.echo(json.dumps(turns, ensure_ascii=False, indent=2))


def _file_first_spec(slug: str) -> dict:
    """The scenario file in the content root, else the database's current version."""
    from sqlalchemy.exc import SQLAlchemyError

    path = Path(current_app.config["CONTENT_ROOT"]) / "scenarios" / f"{slug}.yaml"
    if path.is_file():
        return _scenario_spec_file(path, slug)
    try:
        return _scenario_spec(slug)[0]
    except SQLAlchemyError as error:
        raise click.ClickException(f"unknown scenario {slug!r} (no file {path})") from error


@roleplay_group.command("validate")
@click.argument("directory", type=click.Path(path_type=Path))
@click.option(
    "--judge",
    type=click.Choice(["offline", "llm"]),
    default="offline",
    show_default=True,
    help="Judge for judged items.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def validate(directory: Path, judge: str, as_json: bool) -> None:
    """Grade a banded validation set; exit 1 when a breach is missed or a correct reply fails."""
    from trainer.roleplay.validation import (
        ValidationInputError,
        format_text,
        load_cases,
    )
    from trainer.roleplay.validation import (
        validate as run,
    )

    with message_locale():
        try:
            cases = load_cases(directory)
        except ValidationInputError as error:
            raise click.ClickException(str(error)) from error
        specs = {}
        for case in cases:
            if case.scenario not in specs:
                try:
                    specs[case.scenario] = _file_first_spec(case.scenario)
                except click.ClickException as error:
                    raise click.ClickException(f"{case.name}.json: {error.message}") from error
        report = run(cases, specs.__getitem__, judge=judge)
    if as_json:
        click.echo(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        click.echo(format_text(report))
    if not report["ok"]:
        raise SystemExit(1)
