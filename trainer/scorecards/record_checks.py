"""Checking KPI rows before anything is written: values, dates, agents, teams, duplicates.

Every problem is collected with its row number, so one pass reports them all.
"""

import math
from datetime import date
from typing import Any

from sqlalchemy import select

from trainer.accounts.models import Team, User
from trainer.core import clock
from trainer.core.i18n import _
from trainer.core.problems import Problem
from trainer.extensions import db
from trainer.scorecards.kpi_files import (
    AGENT_COLUMNS,
    AGENT_VALUE_FIELDS,
    TEAM_COLUMNS,
    TEAM_VALUE_FIELDS,
    Column,
    ImportRejected,
    ParsedBatch,
    chunks,
)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        raise ValueError
    return str(value).strip()


def _convert(column: Column, value: Any) -> Any:
    """The checked value, None when empty; raises ValueError with a user-facing message."""
    try:
        text = _text(value)
    except ValueError:
        raise ValueError(_("%(column)s: not a number.", column=column.name)) from None
    if not text:
        if column.required:
            raise ValueError(_("%(column)s is required.", column=column.name))
        return None
    if column.kind == "date":
        try:
            # A day in the organisation's zone; a timestamp counts on its local day.
            day = clock.parse_local_day(text)
        except ValueError:
            raise ValueError(
                _("date: %(value)s is not a date like 2026-11-20.", value=text[:40])
            ) from None
        if day > clock.today():
            raise ValueError(_("date: %(value)s is in the future.", value=text))
        if day.year < 2000:
            raise ValueError(_("date: %(value)s is too far in the past.", value=text))
        return day
    if column.kind in ("email", "team"):
        return text.lower() if column.kind == "email" else text
    number_text = text.removesuffix("%").strip()
    try:
        number = float(number_text)
    except ValueError:
        raise ValueError(
            _("%(column)s: %(value)s is not a number.", column=column.name, value=text[:40])
        ) from None
    if not math.isfinite(number):
        raise ValueError(
            _("%(column)s: %(value)s is not a number.", column=column.name, value=text[:40])
        )
    if column.kind == "int":
        if number != int(number):
            raise ValueError(_("%(column)s must be a whole number.", column=column.name))
        number = int(number)
    if (column.low is not None and number < column.low) or (
        column.high is not None and number > column.high
    ):
        raise ValueError(
            _(
                "%(column)s: %(value)s is outside %(low)s-%(high)s.",
                column=column.name,
                value=text[:40],
                low=_fmt(column.low),
                high=_fmt(column.high),
            )
        )
    return number


def _fmt(number: float | None) -> str:
    return f"{number:g}" if number is not None else ""


def _check_rows(
    rows: list[tuple[int, dict]], columns: tuple[Column, ...], errors: list[Problem]
) -> list[tuple[int, dict]]:
    known = {c.name for c in columns}
    clean = []
    for row, raw in rows:
        values, ok = {}, True
        for name in sorted(set(raw) - known):
            errors.append(Problem.at(row, _("Unknown field %(name)s.", name=name)))
            ok = False
        for column in columns:
            try:
                values[column.name] = _convert(column, raw.get(column.name))
            except ValueError as error:
                errors.append(Problem.at(row, str(error)))
                ok = False
        if ok:
            clean.append((row, values))
    return clean


def _resolve_agents(rows, errors, allowed_team_id) -> tuple[list[dict], set[str]]:
    # Only agent accounts are looked up: a staff email or a missing account are both an
    # "unknown agent", so the API and the import never reveal who has an account.
    emails = {values["agent_email"] for _row, values in rows}
    users = {}
    for chunk in chunks(sorted(emails), 900):
        query = select(User.id, User.email, User.team_id).where(
            User.email.in_(chunk), User.role == "agent"
        )
        users.update({u.email: u for u in db.session.execute(query)})
    unknown: set[str] = set()
    seen: dict[tuple[int, date], int] = {}
    out = []
    for row, values in rows:
        user = users.get(values["agent_email"])
        if user is None:
            unknown.add(values["agent_email"])
            errors.append(
                Problem.at(row, _("Unknown agent %(email)s.", email=values["agent_email"]))
            )
            continue
        if allowed_team_id is not None and user.team_id != allowed_team_id:
            errors.append(Problem.at(row, _("%(email)s is not in your team.", email=user.email)))
            continue
        key = (user.id, values["date"])
        if key in seen:
            errors.append(
                Problem.at(
                    row,
                    _(
                        "Duplicate: %(email)s on %(day)s is also in row %(other)d.",
                        email=user.email,
                        day=values["date"].isoformat(),
                        other=seen[key],
                    ),
                )
            )
            continue
        seen[key] = row
        out.append(
            {
                "agent_id": user.id,
                "day": values["date"],
                **{f: values[f] for f in AGENT_VALUE_FIELDS},
            }
        )
    return out, unknown


def _resolve_teams(rows, errors, allowed_team_id) -> list[dict]:
    names = {values["team"] for _row, values in rows}
    teams = (
        {
            t.name: t.id
            for t in db.session.execute(select(Team.id, Team.name).where(Team.name.in_(names)))
        }
        if names
        else {}
    )
    seen: dict[tuple[int, date], int] = {}
    out = []
    for row, values in rows:
        team_id = teams.get(values["team"])
        if team_id is None:
            errors.append(Problem.at(row, _("Unknown team %(name)s.", name=values["team"])))
            continue
        if allowed_team_id is not None and team_id != allowed_team_id:
            errors.append(Problem.at(row, _("%(name)s is not your team.", name=values["team"])))
            continue
        key = (team_id, values["date"])
        if key in seen:
            errors.append(
                Problem.at(
                    row,
                    _(
                        "Duplicate: team %(name)s on %(day)s is also in row %(other)d.",
                        name=values["team"],
                        day=values["date"].isoformat(),
                        other=seen[key],
                    ),
                )
            )
            continue
        seen[key] = row
        out.append(
            {"team_id": team_id, "day": values["date"], **{f: values[f] for f in TEAM_VALUE_FIELDS}}
        )
    return out


def check_batch(
    parsed: ParsedBatch, allowed_team_id: int | None = None
) -> tuple[list[dict], list[dict]]:
    """Clean agent and team rows ready to write; raises ImportRejected listing every problem."""
    errors: list[Problem] = list(parsed.errors)
    agent_rows = _check_rows(parsed.agent_rows, AGENT_COLUMNS, errors)
    team_rows = _check_rows(parsed.team_rows, TEAM_COLUMNS, errors)
    agents, unknown = _resolve_agents(agent_rows, errors, allowed_team_id)
    teams = _resolve_teams(team_rows, errors, allowed_team_id)
    if errors:
        errors.sort(key=lambda e: e.row)
        raise ImportRejected(errors, unknown)
    return agents, teams
