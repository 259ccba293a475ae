"""`flask seed-demo` adds two finished sessions for the demo agent (one flagged) and an
assignment, once."""

from trainer.drills.models import DrillCustomer
from trainer.extensions import db
from trainer.roleplay.models import RoleplayAssignment, RoleplaySession


def test_seed_demo_is_idempotent(app, runner):
    assert runner.invoke(args=["content", "sync"]).exit_code == 0
    for _ in range(2):
        result = runner.invoke(args=["seed-demo"])
        assert result.exit_code == 0, result.output
    drill_sessions = db.select(DrillCustomer.session_id).where(
        DrillCustomer.session_id.is_not(None)
    )
    sessions = db.session.scalars(
        db.select(RoleplaySession).where(RoleplaySession.id.not_in(drill_sessions))
    ).all()
    assert len(sessions) == 2  # besides the conversations of the demo drill runs
    assert all(s.grade is not None and s.user.email == "agent@demo.trainer" for s in sessions)
    flagged = [s for s in sessions if s.grade.flagged]
    assert len(flagged) == 1
    assert any(f["code"] == "manipulation" for f in flagged[0].grade.flags)
    passed = [s for s in sessions if s.grade.passed]
    assert len(passed) == 1 and passed[0].end_reason == "resolved"
    assert db.session.scalar(db.select(db.func.count(RoleplayAssignment.id))) == 1


def test_demo_pages_render_for_every_role(app, runner):
    from trainer.accounts.demo import DEMO_USERS

    runner.invoke(args=["content", "sync"])
    runner.invoke(args=["seed-demo"])
    session = db.session.scalars(db.select(RoleplaySession)).first()
    for spec in DEMO_USERS:
        client = app.test_client()
        client.post("/login", data={"email": spec["email"], "password": spec["password"]})
        assert client.get("/").status_code == 200
        status = client.get(f"/roleplay/sessions/{session.id}/result").status_code
        assert status == 200, spec["role"]
