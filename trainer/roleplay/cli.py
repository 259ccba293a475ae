"""`flask roleplay grade|export`: grade exported conversations with a scenario's rubric."""

import json
from pathlib import Path

import click
from flask import current_app

from trainer.core.i18n import message_locale
from trainer.extensions import db
from trainer.roleplay import catalog
from trainer.roleplay.grading import grade_transcript
from trainer.roleplay.scenarios import ScenarioError, parse_scenario
from trainer.roleplay.transcript_files import TranscriptError, parse_transcript


@click.group("roleplay")
def roleplay_group() -> None:
    """Role-play scenarios and transcripts."""


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
