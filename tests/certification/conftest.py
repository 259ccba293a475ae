"""Builders for certification tests: crafted evidence, and fake training APIs."""

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from flask_babel import force_locale

from trainer.core.evidence import KpiSummary, QuizPass, RoleplayResult

NOW = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)


@pytest.fixture
def frozen_now(app):
    """Freeze the clock at NOW."""
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def quiz_pass(
    slug: str, days_ago: int = 10, valid_days: int | None = 180, score: float = 90
) -> QuizPass:
    """A pass taken `days_ago` days before NOW, valid `valid_days` days (None: forever)."""
    passed = NOW - timedelta(days=days_ago)
    expires = passed + timedelta(days=valid_days) if valid_days is not None else None
    return QuizPass(quiz_slug=slug, score=score, passed_at=passed, expires_at=expires)


def play(
    difficulty: int = 2,
    total: float = 85,
    critical: bool = False,
    days_ago: int = 1,
    session_id: int = 1,
) -> RoleplayResult:
    """A graded role-play session."""
    return RoleplayResult(
        session_id=session_id,
        scenario_slug="aftersales-seven-day-return-dress",
        difficulty=difficulty,
        total=total,
        passed=total >= 70 and not critical,
        critical_failed=critical,
        ended_at=NOW - timedelta(days=days_ago),
        reviewed=True,
    )


def kpis(conversations: int = 2000, **values) -> KpiSummary:
    """A 30-day KPI summary that meets every L1 and L2 threshold unless overridden."""
    base = {
        "first_response_time": 25.0,
        "csat": 4.7,
        "resolution_rate": 98.5,
        "repeat_contact_rate": 6.0,
        "qa_score": 93.0,
        "response_rate": 99.0,
    }
    base.update(values)
    return KpiSummary(values=base, conversations=conversations, days=30)


L1_COURSES = ("service-foundations", "platform-orders", "after-sales", "compliance")
L1_QUIZZES = ("platform-rules", "returns-consumer-protection", "anti-fraud-privacy")


@dataclass
class FakeTraining:
    """Stands in for the courses, quizzes and role-play contracts (per user id)."""

    courses: dict = field(default_factory=dict)
    passes: dict = field(default_factory=dict)
    plays: dict = field(default_factory=dict)

    def complete_l1(self, user, now: datetime = NOW) -> None:
        """Give a user every L1 training requirement (courses, quizzes, three good role-plays)."""
        self.courses[user.id] = {slug: now - timedelta(days=20) for slug in L1_COURSES}
        self.passes[user.id] = {slug: quiz_pass(slug) for slug in L1_QUIZZES}
        self.plays[user.id] = [play(1, 80, session_id=i) for i in range(3)]


@pytest.fixture
def fake_training(monkeypatch):
    """Replace the three training APIs (courses, quizzes, role-play) with controllable fakes."""
    from trainer.certification import evidence

    fake = FakeTraining()
    monkeypatch.setattr(
        evidence.courses_api,
        "completed_courses",
        lambda ids: {i: fake.courses.get(i, {}) for i in ids},
    )
    monkeypatch.setattr(
        evidence.quizzes_api, "quiz_passes", lambda ids: {i: fake.passes.get(i, {}) for i in ids}
    )
    monkeypatch.setattr(
        evidence.roleplay_api,
        "roleplay_results",
        lambda ids, since=None: {i: fake.plays.get(i, []) for i in ids},
    )
    return fake


GOOD_DAY = {
    "conversations": 80,
    "first_response_seconds": 25.0,
    "response_rate": 99.0,
    "resolution_rate": 98.5,
    "csat": 4.7,
    "csat_responses": 30,
    "repeat_contact_rate": 6.0,
    "qa_score": 92.0,
}


@pytest.fixture
def good_kpis(app):
    """Give an agent 30 days of figures that meet every L1 KPI threshold."""
    from trainer.extensions import db
    from trainer.scorecards.models import KpiRecord

    def build(agent, days: int = 30, **values):
        figures = {**GOOD_DAY, **values}
        for i in range(days):
            db.session.add(
                KpiRecord(agent_id=agent.id, day=(NOW - timedelta(days=i)).date(), **figures)
            )
        db.session.commit()

    return build


@pytest.fixture
def team(make_team, make_user):
    """A team with a manager and one agent: (team, manager, agent)."""
    manager = make_user("manager")
    team = make_team(None, manager)
    agent = make_user("agent", team=team, name="李小美")
    return team, manager, agent


@pytest.fixture
def english(app):
    """Messages built outside a request in English, so tests can read them."""
    with force_locale("en"):
        yield
