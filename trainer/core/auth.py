"""The one access guard every view uses: anonymous → login, wrong role → 403."""

import functools
import logging
from collections.abc import Callable

from flask import abort, request
from flask_login import current_user

from trainer.extensions import login_manager

AGENT, TRAINER, MANAGER, ADMIN = "agent", "trainer", "manager", "admin"
ROLES = (AGENT, TRAINER, MANAGER, ADMIN)
STAFF = (TRAINER, MANAGER, ADMIN)

security_log = logging.getLogger("trainer.security")


def role_required(*roles: str) -> Callable:
    """Allow only signed-in users whose role is listed.

    The allowed roles are kept on the view (`_access`) so the permission test can walk every
    registered route and check each role against them.
    """
    unknown = set(roles) - set(ROLES)
    if unknown or not roles:
        raise ValueError(f"unknown or missing roles: {unknown or roles}")

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role not in roles:
                security_log.warning(
                    "authorisation refused: user=%s role=%s path=%s",
                    current_user.id,
                    current_user.role,
                    request.path,
                )
                abort(403)
            return view(*args, **kwargs)

        wrapped._access = frozenset(roles)
        return wrapped

    return decorator


def signed_in(view: Callable) -> Callable:
    """Any signed-in user, whatever the role."""
    return role_required(*ROLES)(view)


def public(view: Callable) -> Callable:
    """Mark a view as open to everyone (login, certificate verification, health)."""
    view._access = "public"
    return view


def token_access(view: Callable) -> Callable:
    """Mark a view that authenticates with an API token instead of a session."""
    view._access = "token"
    return view


def role_label(role: str) -> str:
    """The role's name in the current language."""
    from trainer.core.i18n import _, label

    labels = {AGENT: _("Agent"), TRAINER: _("Trainer"), MANAGER: _("Manager"), ADMIN: _("Admin")}
    return label(labels, role)
