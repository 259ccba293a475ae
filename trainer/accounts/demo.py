"""Demo team and users for `flask seed-demo` (idempotent)."""

from trainer.accounts import services
from trainer.accounts.models import User
from trainer.extensions import db

DEMO_TEAM = "演示团队"
DEMO_USERS = [
    {
        "role": "agent",
        "email": "agent@demo.trainer",
        "name": "李小美",
        "password": "Learn-2-Serve-2026",
    },
    {
        "role": "trainer",
        "email": "trainer@demo.trainer",
        "name": "王老师",
        "password": "Teach-Well-2026",
    },
    {
        "role": "manager",
        "email": "manager@demo.trainer",
        "name": "张主管",
        "password": "Lead-Team-2026",
    },
    {
        "role": "admin",
        "email": "admin@demo.trainer",
        "name": "系统管理员",
        "password": "Keep-Safe-2026",
    },
]


def seed_demo_users() -> dict[str, User]:
    """Create the demo team and one user per role if missing; returns users by role."""
    users: dict[str, User] = {}
    for spec in DEMO_USERS:
        user = services.get_user_by_email(spec["email"])
        if user is None:
            user = services.create_user(
                email=spec["email"], name=spec["name"], role=spec["role"], password=spec["password"]
            )
        users[spec["role"]] = user
    team = services.get_team_by_name(DEMO_TEAM)
    if team is None:
        team = services.create_team(DEMO_TEAM, users["manager"])
    for role in ("agent", "trainer"):
        if users[role].team_id is None:
            users[role].team = team
    db.session.flush()
    return users


def demo_users() -> list[User]:
    """The demo users that exist."""
    emails = [spec["email"] for spec in DEMO_USERS]
    return list(db.session.scalars(db.select(User).where(User.email.in_(emails))))
