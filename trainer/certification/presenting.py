"""Turning engine checks into readable lines: label, actual against required, next-step link."""

from collections.abc import Iterable
from dataclasses import dataclass

from flask import current_app
from werkzeug.routing import BuildError

from trainer.certification.engine import (
    COURSE,
    DRILL,
    ENDORSEMENT,
    KPI,
    KPI_CONVERSATIONS,
    OKR,
    QUIZ,
    ROLEPLAY_CRITICAL,
    ROLEPLAY_SESSIONS,
    Check,
)
from trainer.core import clock
from trainer.core.i18n import _, pick
from trainer.courses.achievements import course_titles
from trainer.drills.achievements import drill_titles
from trainer.quizzes.achievements import quiz_titles
from trainer.scorecards.catalogue import current_catalogue

# Where an agent meets each kind of requirement: other features' pages, by endpoint name and the
# URL argument that takes the check's key. A feature that is not installed has no endpoint, so
# its requirements simply get no link.
NEXT_STEP_ENDPOINTS = {
    COURSE: [("courses.course", "slug")],
    QUIZ: [("quiz_attempts.quiz", "slug"), ("quizzes.quiz", "slug")],
    ROLEPLAY_SESSIONS: [("roleplay.catalogue", None)],
    ROLEPLAY_CRITICAL: [("roleplay.catalogue", None)],
    KPI: [("scorecards.my_scorecard", None)],
    KPI_CONVERSATIONS: [("scorecards.my_scorecard", None)],
    OKR: [("okrs.my_okrs", None)],
    DRILL: [("drills.index", None)],
    ENDORSEMENT: [],
}


def _build(endpoint: str, values: dict) -> str | None:
    adapter = current_app.url_map.bind("localhost")
    try:
        return adapter.build(endpoint, values)
    except BuildError:
        return None


def next_step_url(check: Check) -> str | None:
    """Where the agent goes to meet this requirement (None when there is no such page)."""
    for endpoint, argument in NEXT_STEP_ENDPOINTS.get(check.kind, []):
        url = _build(endpoint, {argument: check.key} if argument else {})
        if url:
            return url
    return None


@dataclass(frozen=True)
class Requirement:
    """One requirement as the agent and the manager read it."""

    kind: str
    key: str
    label: str
    actual: str
    required: str
    met: bool
    url: str | None


def _number(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "seconds":
        return _("%(n)s s", n=f"{value:.0f}")
    if unit == "percent":
        return f"{value:.1f}%"
    if unit == "score5":
        return f"{value:.2f}"
    return f"{value:.1f}"


def _date(text: str | None) -> str:
    """The organisation's calendar day of a stored ISO timestamp."""
    return clock.date_of_iso(text)


def _describe(check: Check, titles: dict, quizzes: dict) -> tuple[str, str, str]:
    detail = check.detail
    if check.kind == COURSE:
        title = pick(titles.get(check.key)) or check.key
        done = (
            _("completed %(date)s", date=_date(check.actual)) if check.met else _("not completed")
        )
        return _("Course: %(title)s", title=title), done, _("completed")
    if check.kind == QUIZ:
        if check.actual is None:
            actual = _("not passed")
        elif detail.get("expired"):
            actual = _("pass expired on %(date)s", date=_date(check.actual["expires_at"]))
        elif check.actual.get("expires_at"):
            actual = _("passed, valid until %(date)s", date=_date(check.actual["expires_at"]))
        else:
            actual = _("passed")
        title = pick(quizzes.get(check.key)) or check.key
        return _("Quiz: %(slug)s", slug=title), actual, _("a valid pass")
    if check.kind == ROLEPLAY_SESSIONS:
        label = _(
            "Role-play sessions at difficulty %(d)d or harder scoring %(s)s or more",
            d=detail["min_difficulty"],
            s=f"{detail['min_score']:g}",
        )
        return label, str(check.actual), str(check.required)
    if check.kind == ROLEPLAY_CRITICAL:
        return (
            _("No critical failure in the last %(n)d role-plays", n=detail["last"]),
            str(check.actual),
            "0",
        )
    if check.kind == DRILL:
        label = _(
            "Drill %(drill)s: first replies in time, at most %(n)d breaches",
            drill=pick(drill_titles([check.key]).get(check.key)) or check.key,
            n=detail["max_breaches"],
        )
        actual = _number(check.actual, "percent") if check.actual is not None else _("no run yet")
        return label, actual, f"≥ {_number(check.required, 'percent')}"
    if check.kind == KPI_CONVERSATIONS:
        label = _("Conversations in the last %(days)d days", days=detail["window_days"])
        return label, str(check.actual), _("at least %(n)d", n=check.required)
    if check.kind == KPI:
        kpi = current_catalogue().get(check.key)
        unit = kpi.unit if kpi else "points"
        name = kpi.label if kpi else check.key
        sign = "≥" if detail.get("direction") == "higher" else "≤"
        label = _("%(kpi)s over the last %(days)d days", kpi=name, days=detail["window_days"])
        return label, _number(check.actual, unit), f"{sign} {_number(check.required, unit)}"
    if check.kind == OKR:
        actual = f"{check.actual:.2f}" if check.actual is not None else _("no approved OKRs")
        return _("OKR score"), actual, f"≥ {check.required:.2f}"
    if check.kind == ENDORSEMENT:
        return (
            _("A trainer's endorsement"),
            _("endorsed") if check.met else _("not yet"),
            _("endorsed"),
        )
    return check.kind, str(check.actual), str(check.required)


def quiz_title(slug: str) -> str:
    """A quiz's title in the reader's language (the slug only if no quiz has it)."""
    return pick(quiz_titles([slug]).get(slug)) or slug


def present(checks: Iterable[Check]) -> list[Requirement]:
    """Readable requirements, with links to the next step for the missing ones."""
    checks = list(checks)
    titles = course_titles([c.key for c in checks if c.kind == COURSE])
    quizzes = quiz_titles([c.key for c in checks if c.kind == QUIZ])
    out = []
    for check in checks:
        label, actual, required = _describe(check, titles, quizzes)
        url = None if check.met else next_step_url(check)
        out.append(Requirement(check.kind, check.key, label, actual, required, check.met, url))
    return out


def check_from_dict(data: dict) -> Check:
    """A check stored in a certification's evidence snapshot."""
    return Check(
        kind=data["kind"],
        key=data["key"],
        met=data["met"],
        actual=data.get("actual"),
        required=data.get("required"),
        detail=data.get("detail", {}),
    )
