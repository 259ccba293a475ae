"""`users create` and `seed-demo`."""

from trainer.accounts.models import Team, User
from trainer.core.audit import AuditEvent
from trainer.extensions import db


def test_users_create(runner):
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "Li@Example.org",
            "--name",
            "李",
            "--role",
            "manager",
            "--password",
            "Quiet-River-Stone-42",
            "--team",
            "华东组",
        ]
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(db.select(User).where(User.email == "li@example.org"))
    assert user.role == "manager" and user.team.name == "华东组"
    assert user.team.manager_id == user.id


def test_users_create_refuses_bad_input_and_changes_nothing(runner):
    weak = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "a@example.org",
            "--name",
            "A",
            "--role",
            "agent",
            "--password",
            "123456",
            "--team",
            "新组",
        ]
    )
    assert weak.exit_code != 0 and "at least 10 characters" in weak.output
    assert db.session.scalar(db.select(db.func.count(User.id))) == 0
    assert db.session.scalar(db.select(db.func.count(Team.id))) == 0
    role = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "a@example.org",
            "--name",
            "A",
            "--role",
            "boss",
            "--password",
            "Quiet-River-Stone-42",
        ]
    )
    assert role.exit_code != 0


def test_users_create_rejects_duplicates(runner, make_user):
    user = make_user("agent")
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            user.email.upper(),
            "--name",
            "B",
            "--role",
            "agent",
            "--password",
            "Quiet-River-Stone-42",
        ]
    )
    assert result.exit_code != 0 and "already exists" in result.output


def test_seed_demo_is_idempotent(runner):
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    assert "agent@demo.trainer" in first.output
    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code == 0, second.output
    assert (
        db.session.scalar(
            db.select(db.func.count(User.id)).where(User.email.like("%@demo.trainer"))
        )
        == 4
    )
    team = db.session.scalar(db.select(Team))
    assert team.manager.role == "manager"
    assert {u.role for u in team.members} >= {"agent", "manager"}
    assert db.session.scalar(db.select(db.func.count(AuditEvent.id))) >= 4
