"""Builders for the skills tests: shipped content in the database and graded role-plays."""

from datetime import timedelta

import pytest

from trainer.config import ROOT
from trainer.core.clock import utcnow
from trainer.core.content import sync_content
from trainer.extensions import db
from trainer.roleplay.models import GRADED, RoleplayGrade, RoleplaySession, Scenario
from trainer.roleplay.scenarios import scale_bounds


@pytest.fixture
def content(app):
    """Courses, banks, scenarios, the policy and the skills map loaded from the repository."""
    summary = sync_content(ROOT)
    db.session.commit()
    return summary


def grade_items(spec: dict, scores: dict[str, float]) -> list[dict]:
    """Grade items of a scenario spec: `scores` item id -> share 0-1 (others: full marks)."""
    items = []
    for item in spec["rubric"]["items"]:
        low, high = scale_bounds(item["scale"])
        share = scores.get(item["id"], 1.0)
        items.append(
            {
                "id": item["id"],
                "title": item["title"],
                "scale": item["scale"],
                "min": low,
                "max": high,
                "weight": item.get("weight", 1),
                "critical": bool(item.get("critical")),
                "score": None if share is None else round(low + share * (high - low)),
            }
        )
    return items


@pytest.fixture
def make_graded(app):
    """Store a graded (non-trial) session of a shipped scenario for `agent`."""

    def build(
        agent,
        slug: str,
        scores: dict | None = None,
        *,
        days_ago: float = 0,
        flags: list | None = None,
    ):
        scenario = db.session.scalar(db.select(Scenario).where(Scenario.slug == slug))
        ended = utcnow() - timedelta(days=days_ago)
        session = RoleplaySession(
            user_id=agent.id,
            scenario_id=scenario.id,
            version_id=scenario.current_version_id,
            engine="scripted",
            status=GRADED,
            started_at=ended - timedelta(minutes=5),
            ended_at=ended,
        )
        db.session.add(session)
        db.session.flush()
        items = grade_items(scenario.current_version.spec, scores or {})
        db.session.add(
            RoleplayGrade(
                session_id=session.id,
                items=items,
                flags=flags or [],
                judge="offline",
                auto_total=50,
                auto_passed=False,
                auto_critical_failed=False,
                total=50,
                passed=False,
                critical_failed=False,
                graded_at=ended,
            )
        )
        db.session.flush()
        return session

    return build


RETURNS_CATEGORY = "compliance/returns-consumer-protection"


@pytest.fixture
def returns_quiz(content):
    """A quiz whose three questions measure the returns_policy skill."""
    from tests.quizzes.conftest import spec_of
    from trainer.quizzes import bank
    from trainer.quizzes.quizdefs import QuizSettings, save_quiz

    for n in range(3):
        bank.save_question(spec_of("single", 900 + n, RETURNS_CATEGORY))
    quiz = save_quiz(
        QuizSettings(
            slug="returns-check",
            title={"zh_CN": "退货小测", "en": "Returns check"},
            draw_rules=[{"type": "random", "count": 3, "category": RETURNS_CATEGORY}],
        )
    )
    db.session.commit()
    return quiz
