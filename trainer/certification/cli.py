"""`flask cert evaluate --email E`, `flask cert sweep`, `flask cert check-config`."""

import json

import click
from flask import current_app

from trainer.accounts.models import Team, User
from trainer.accounts.services import get_user_by_email
from trainer.certification import services
from trainer.certification.checkconfig import unknown_slugs
from trainer.certification.ladder import SHIPPED, current_ladder, parse_ladder
from trainer.certification.presenting import next_step_url
from trainer.core.problems import ProblemsError
from trainer.extensions import db


@click.group("cert")
def cert_group() -> None:
    """Certification levels: evaluate agents, run promotions and lapses, check the ladder."""


def _check_json(check) -> dict:
    return {**check.as_dict(), "link": next_step_url(check)}


@cert_group.command("evaluate")
@click.option("--email", required=True, help="The agent's email.")
def evaluate_command(email: str) -> None:
    """Print an agent's level, next level and each requirement met or missing, as JSON."""
    user = get_user_by_email(email)
    if user is None:
        raise click.ClickException(f"no user with email {email}")
    if user.role != "agent":
        raise click.ClickException(f"{email} is a {user.role}, not an agent")
    evaluation = services.evaluate_user(user)
    result = {
        "email": user.email,
        "level": evaluation.level,
        "next_level": evaluation.next_level,
        "eligible": evaluation.eligible,
        "met": [_check_json(c) for c in evaluation.met],
        "missing": [_check_json(c) for c in evaluation.missing],
    }
    click.echo(json.dumps(result, ensure_ascii=False, indent=2))


@cert_group.command("sweep")
@click.option("--team", "team_name", help="Only this team (default: every agent).")
def sweep_command(team_name: str | None) -> None:
    """Evaluate agents: lapse notices, lapses, and promotion proposals (run it daily)."""
    query = db.select(User).where(User.role == "agent", User.active)
    if team_name:
        team = db.session.scalar(db.select(Team).where(Team.name == team_name))
        if team is None:
            raise click.ClickException(f"no team named {team_name!r}")
        query = query.where(User.team_id == team.id)
    summary = services.sweep(list(db.session.scalars(query)))
    db.session.commit()
    click.echo(json.dumps(summary.as_dict()))


@cert_group.command("check-config")
@click.option(
    "--file",
    "path",
    type=click.Path(exists=True, dir_okay=False),
    help="Check this file instead of the levels in force.",
)
def check_config(path: str | None) -> None:
    """Validate the certification levels; list slugs that name no course or quiz (yet)."""
    try:
        if path:
            with open(path, encoding="utf-8") as fh:
                ladder = parse_ladder(fh.read())
        else:
            ladder = current_ladder()
    except ProblemsError as error:
        for problem in error.problems:
            click.echo(f"{path or SHIPPED}:{problem.line}: {problem.message}", err=True)
        raise click.ClickException(f"{len(error.problems)} problem(s)") from error
    for code, kind, slug in unknown_slugs(ladder, current_app.config["CONTENT_ROOT"]):
        click.echo(
            f"warning: {code} requires {kind} {slug!r}, which no content file defines yet", err=True
        )
    click.echo(f"levels ok: {', '.join(lv.code for lv in ladder.levels)}")
