"""The agents × courses progress report for trainers and managers, and its CSV export."""

import csv
import io
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from trainer.accounts.models import User
from trainer.core import clock
from trainer.core.clock import utcnow
from trainer.core.i18n import pick
from trainer.courses.assignments import scope_team_id
from trainer.courses.models import Course, Enrollment
from trainer.courses.progress import EnrollmentFigures, active_lesson_counts, done_counts
from trainer.courses.services import published_courses
from trainer.extensions import db

STATUSES = ("assigned", "not_started", "in_progress", "completed", "overdue")


@dataclass
class Cell(EnrollmentFigures):
    """One agent in one course."""

    total: int
    done: int
    enrollment: Enrollment | None
    now: datetime

    @property
    def overdue(self) -> bool:
        return bool(self.assigned and self.enrollment.is_overdue(self.now))

    def matches(self, status: str) -> bool:
        """True when the cell fits the status filter ("" matches everything)."""
        if status == "assigned":
            return self.assigned
        if status == "overdue":
            return self.overdue
        return not status or self.state == status


@dataclass
class Row:
    """An agent and their cells, course id → Cell."""

    agent: User
    cells: dict[int, Cell]

    @property
    def overall(self) -> int:
        """Lessons done over lessons in all the report's courses, in percent."""
        total = sum(c.total for c in self.cells.values())
        done = sum(c.total if c.completed_at else min(c.done, c.total) for c in self.cells.values())
        return round(100 * done / total) if total else 0


@dataclass
class CourseSummary:
    """Per course over the report's agents: assigned, completed, overdue."""

    assigned: int = 0
    completed: int = 0
    overdue: int = 0
    agents: int = 0

    @property
    def completion_rate(self) -> int:
        return round(100 * self.completed / self.agents) if self.agents else 0


@dataclass
class Report:
    """What the team progress page and the CSV show."""

    courses: list[Course]
    rows: list[Row]
    summaries: dict[int, CourseSummary] = field(default_factory=dict)


def agents_in_scope(actor: Any, team_id: int | None) -> list[User]:
    """Active agents the actor may report on, optionally of one team."""
    query = (
        db.select(User)
        .where(User.role == "agent", User.active)
        .options(db.joinedload(User.team))
        .order_by(User.name, User.id)
    )
    scope = scope_team_id(actor)
    if scope is not None:
        query = query.where(User.team_id == scope)
    if team_id:
        query = query.where(User.team_id == team_id)
    return list(db.session.scalars(query))


def team_report(
    actor: Any, *, team_id: int | None = None, status: str = "", course_id: int | None = None
) -> Report:
    """Agents × courses with percentages, due and completion dates, in a fixed number of queries."""
    courses = published_courses()
    if course_id:
        courses = [c for c in courses if c.id == course_id]
    agents = agents_in_scope(actor, team_id)
    course_ids, user_ids = [c.id for c in courses], [a.id for a in agents]
    totals = active_lesson_counts(course_ids)
    done = done_counts(user_ids, course_ids)
    enrollments = _enrollments(user_ids, course_ids)
    now = utcnow()
    report = Report(courses=courses, rows=[], summaries={c.id: CourseSummary() for c in courses})
    for agent in agents:
        cells = {
            c.id: Cell(
                totals.get(c.id, 0),
                done.get((agent.id, c.id), 0),
                enrollments.get((agent.id, c.id)),
                now,
            )
            for c in courses
        }
        if status and not any(cell.matches(status) for cell in cells.values()):
            continue
        report.rows.append(Row(agent, cells))
        for cid, cell in cells.items():
            summary = report.summaries[cid]
            summary.agents += 1
            summary.assigned += cell.assigned
            summary.completed += cell.completed_at is not None
            summary.overdue += cell.overdue
    return report


def _enrollments(user_ids: list[int], course_ids: list[int]) -> dict[tuple, Enrollment]:
    if not user_ids or not course_ids:
        return {}
    rows = db.session.scalars(
        db.select(Enrollment).where(
            Enrollment.user_id.in_(user_ids), Enrollment.course_id.in_(course_ids)
        )
    )
    return {(e.user_id, e.course_id): e for e in rows}


def _local(moment: datetime | None) -> str:
    """ISO 8601 in the organisation's zone, with its offset (unambiguous in a spreadsheet)."""
    return clock.iso_local(moment)


def _cell_text(value: Any) -> str:
    """Spreadsheet-safe text: a leading = + - @ would run as a formula in Excel."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def report_csv(report: Report, status: str = "") -> str:
    """One line per agent and course (the filters applied), with a BOM so Excel reads UTF-8."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(
        ["agent", "email", "team", "course", "course_title", "assigned", "due_at", "percent"]
        + ["status", "overdue", "completed_at"]
    )
    for row in report.rows:
        for course in report.courses:
            cell = row.cells[course.id]
            if status and not cell.matches(status):
                continue
            writer.writerow(
                [
                    _cell_text(row.agent.name),
                    _cell_text(row.agent.email),
                    _cell_text(row.agent.team.name if row.agent.team else ""),
                    course.slug,
                    _cell_text(pick(course.title)),
                    "yes" if cell.assigned else "no",
                    _local(cell.due_at),
                    cell.percent,
                    cell.state,
                    "yes" if cell.overdue else "no",
                    _local(cell.completed_at),
                ]
            )
    return out.getvalue()
