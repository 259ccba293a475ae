"""The bench role-play histories: each distinct conversation is played by the app once, the
other agents get copies that match a played one except for who and when."""

from datetime import timedelta

import pytest

from bench.flows import roleplay as roleplay_flow
from trainer.config import ROOT
from trainer.core.content import sync_content
from trainer.extensions import db
from trainer.roleplay.models import (
    GRADED,
    RoleplayAssignment,
    RoleplayGrade,
    RoleplaySession,
    RoleplayTurn,
)


@pytest.fixture
def content(app):
    sync_content(ROOT)
    db.session.commit()


def _conversation(session: RoleplaySession) -> dict:
    """What an agent and a reviewer see of a session, times relative to its start."""
    turns = db.session.scalars(
        db.select(RoleplayTurn).where(RoleplayTurn.session_id == session.id).order_by("seq")
    ).all()
    grade = db.session.scalar(
        db.select(RoleplayGrade).where(RoleplayGrade.session_id == session.id)
    )
    return {
        "session": (
            session.scenario_id,
            session.version_id,
            session.status,
            session.end_reason,
            session.mood,
            session.state,
            session.first_response_seconds,
            session.ended_at - session.started_at,
        ),
        "turns": [
            (
                t.seq,
                t.speaker,
                t.text,
                t.created_at - session.started_at,
                t.mood,
                t.response_seconds,
            )
            for t in turns
        ],
        "grade": (grade.items, grade.flags, grade.total, grade.passed, grade.flagged, grade.judge),
    }


def test_copied_sessions_match_the_played_ones(content, make_user):
    agents = [make_user("agent") for _ in range(3)]
    make_user("trainer")
    roleplay_flow.prepare(15)  # a fifth: the three agents
    sessions = db.session.scalars(db.select(RoleplaySession).order_by(RoleplaySession.id)).all()
    assert len(sessions) == 6 and {s.status for s in sessions} == {GRADED}
    by_agent = {(s.user_id, s.scenario.slug): s for s in sessions}
    first, second, third = (agent.id for agent in agents)
    passed, other = "aftersales-seven-day-return-dress", "logistics-stuck-birthday-gift"
    # Played by the app: every first of a kind (agent 1 on `other` is the flagged one).
    played = [by_agent[first, passed], by_agent[first, other], by_agent[second, other]]
    copied = {(second, passed): by_agent[first, passed], (third, passed): by_agent[first, passed]}
    copied[third, other] = by_agent[second, other]
    for key, original in copied.items():
        assert _conversation(by_agent[key]) == _conversation(original)
        assert by_agent[key].id not in {s.id for s in played}
    grades = {key: _conversation(s)["grade"] for key, s in by_agent.items()}
    assert grades[first, other][4] is True and grades[second, other][4] is False
    assert grades[first, passed][3] is True
    # One minute apart, as the agents' order says; the "other" scenario a day later.
    for index, agent in enumerate(agents):
        start = by_agent[agent.id, passed].started_at
        assert start == by_agent[first, passed].started_at - timedelta(minutes=index)
        assert by_agent[agent.id, other].started_at - start == timedelta(days=1)
    assert db.session.scalar(db.select(db.func.count(RoleplayAssignment.id))) == 3
