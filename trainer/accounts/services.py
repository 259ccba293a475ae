"""Account operations: create and edit users and teams, authenticate, change passwords."""

import logging

from trainer.accounts import sessions
from trainer.accounts.models import Team, User
from trainer.accounts.passwords import (
    hash_password,
    needs_rehash,
    password_problems,
    verify_password,
)
from trainer.core import audit
from trainer.core.auth import ROLES
from trainer.core.clock import utcnow
from trainer.core.i18n import _
from trainer.extensions import db

security_log = logging.getLogger("trainer.security")

# Verifying against a throwaway hash when the email is unknown keeps response times alike,
# so timing does not tell an attacker which emails have accounts.
_DUMMY_HASH: dict[str, str] = {}


class AccountError(ValueError):
    """A user-facing reason an account operation was refused."""


def normalise_email(email: str) -> str:
    """Emails compare case-insensitively and without surrounding blanks."""
    return email.strip().lower()


def get_user_by_email(email: str) -> User | None:
    """The user with this email, if any."""
    return db.session.scalar(db.select(User).where(User.email == normalise_email(email)))


def get_team_by_name(name: str) -> Team | None:
    """The team with this name, if any."""
    return db.session.scalar(db.select(Team).where(Team.name == name.strip()))


def _check_password(password: str, email: str, name: str) -> None:
    problems = password_problems(password, email=email, name=name)
    if problems:
        raise AccountError(" ".join(problems))


def create_user(
    *,
    email: str,
    name: str,
    role: str,
    password: str,
    team: Team | None = None,
    actor: User | None = None,
) -> User:
    """Create an active user after checking email uniqueness, role and password policy."""
    email = normalise_email(email)
    if role not in ROLES:
        raise AccountError(_("Unknown role: %(role)s", role=role))
    if get_user_by_email(email) is not None:
        raise AccountError(_("A user with this email already exists."))
    _check_password(password, email, name)
    user = User(
        email=email, name=name.strip(), role=role, team=team, password_hash=hash_password(password)
    )
    db.session.add(user)
    db.session.flush()
    audit.record(actor, "user.create", user, after=_snapshot(user))
    return user


def update_user(
    user: User, *, name: str, email: str, role: str, team: Team | None, active: bool, actor: User
) -> User:
    """Change a user's profile, role, team or active flag; deactivation ends their sessions."""
    email = normalise_email(email)
    if role not in ROLES:
        raise AccountError(_("Unknown role: %(role)s", role=role))
    other = get_user_by_email(email)
    if other is not None and other.id != user.id:
        raise AccountError(_("A user with this email already exists."))
    if user.id == actor.id and (not active or role != user.role):
        raise AccountError(_("You cannot deactivate yourself or change your own role."))
    before = _snapshot(user)
    user.name, user.email, user.role, user.team, user.active = (
        name.strip(),
        email,
        role,
        team,
        active,
    )
    if not active:
        sessions.revoke_all_sessions(user)
    db.session.flush()
    audit.record(actor, "user.update", user, before=before, after=_snapshot(user))
    return user


def reset_password(user: User, new_password: str, *, actor: User) -> None:
    """An admin sets a new password; the user's sessions end."""
    _check_password(new_password, user.email, user.name)
    user.password_hash = hash_password(new_password)
    sessions.revoke_all_sessions(user)
    audit.record(actor, "user.reset_password", user)


def change_own_password(user: User, current: str, new_password: str) -> None:
    """The user changes their own password after proving the current one; every other session
    of theirs ends (a thief's stolen cookie stops working)."""
    if not verify_password(user.password_hash, current):
        raise AccountError(_("The current password is not correct."))
    _check_password(new_password, user.email, user.name)
    user.password_hash = hash_password(new_password)
    sessions.revoke_all_sessions(user, keep_current=True)
    audit.record(user, "user.change_password", user)


def authenticate(email: str, password: str) -> User | None:
    """The active user with these credentials, or None. Upgrades old hashes on the way."""
    user = get_user_by_email(email)
    if user is None:
        if "hash" not in _DUMMY_HASH:
            _DUMMY_HASH["hash"] = hash_password("not-a-real-password")
        verify_password(_DUMMY_HASH["hash"], password)
        security_log.info("login failed: unknown email")
        return None
    if not verify_password(user.password_hash, password):
        security_log.info("login failed: user=%s wrong password", user.id)
        return None
    if not user.active:
        security_log.info("login refused: user=%s deactivated", user.id)
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    security_log.info("login: user=%s", user.id)
    return user


def create_team(name: str, manager: User | None = None, *, actor: User | None = None) -> Team:
    """Create a team; its manager joins it."""
    name = name.strip()
    if not name:
        raise AccountError(_("A team needs a name."))
    if get_team_by_name(name) is not None:
        raise AccountError(_("A team with this name already exists."))
    team = Team(name=name)
    db.session.add(team)
    db.session.flush()
    set_team_manager(team, manager)
    audit.record(actor, "team.create", team, after={"name": name, "manager_id": team.manager_id})
    return team


def update_team(team: Team, *, name: str, manager: User | None, actor: User) -> Team:
    """Rename a team or change its manager."""
    name = name.strip()
    other = get_team_by_name(name)
    if not name or (other is not None and other.id != team.id):
        raise AccountError(_("A team with this name already exists."))
    before = {"name": team.name, "manager_id": team.manager_id}
    team.name = name
    set_team_manager(team, manager)
    audit.record(
        actor,
        "team.update",
        team,
        before=before,
        after={"name": team.name, "manager_id": team.manager_id},
    )
    return team


def set_team_manager(team: Team, manager: User | None) -> None:
    """Make `manager` (a manager-role user) lead `team`."""
    if manager is not None and manager.role != "manager":
        raise AccountError(_("Only a user with the manager role can lead a team."))
    team.manager = manager
    if manager is not None:
        manager.team = team
    db.session.flush()


def _snapshot(user: User) -> dict:
    return {
        "email": user.email,
        "name": user.name,
        "role": user.role,
        "team_id": user.team_id,
        "active": user.active,
    }


def account_overview() -> dict:
    """Counts for the admin home panel: active users by role, teams, deactivated users."""
    rows = db.session.execute(
        db.select(User.role, db.func.count(User.id)).where(User.active).group_by(User.role)
    ).all()
    counts = dict(rows)
    return {
        "by_role": [(role, counts.get(role, 0)) for role in ROLES],
        "teams": db.session.scalar(db.select(db.func.count(Team.id))),
        "inactive": db.session.scalar(db.select(db.func.count(User.id)).where(~User.active)),
    }
