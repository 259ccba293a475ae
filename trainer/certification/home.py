"""Home page panels: an agent's level and path to the next; a manager's decisions waiting."""

from flask import url_for
from sqlalchemy import func

from trainer.accounts.models import User
from trainer.certification.ladder import current_ladder
from trainer.certification.models import GRANTED, PROPOSED, Certification
from trainer.certification.services import evaluate_users, open_certifications
from trainer.core.clock import utcnow
from trainer.core.features import ActionItem
from trainer.core.i18n import _
from trainer.core.memo import request_memo
from trainer.extensions import db


def agent_panel(user: User) -> dict:
    """Current level, share of the next level's requirements met, proposal and notices."""
    ladder = current_ladder()
    evaluation = evaluate_users([user], utcnow(), ladder)[user.id]
    certs = open_certifications([user.id]).get(user.id, [])
    return {
        "level": ladder.level(evaluation.level) or ladder.base,
        "next_level": ladder.level(evaluation.next_level),
        "evaluation": evaluation,
        "proposed": any(c.status == PROPOSED for c in certs),
        "notices": [c for c in certs if c.status == GRANTED and c.noticed_at is not None],
    }


def manager_panel(user: User) -> dict:
    """Promotions waiting for the manager's decision and levels under a lapse notice."""
    if user.team_id is None:
        return {"team": None}
    counts = _waiting_counts(user.team_id)
    return {
        "team": user.team,
        "proposed": counts.get(PROPOSED, 0),
        "notices": counts.get(GRANTED, 0),
    }


def manager_actions(user: User) -> list[ActionItem]:
    """Promotions in the manager's team waiting for a decision."""
    if user.team_id is None:
        return []
    proposed = _waiting_counts(user.team_id).get(PROPOSED, 0)
    label = _("Promotions to approve")
    return [ActionItem(label, proposed, url_for("certification.review"), urgent=True)]


def _waiting_counts(team_id: int) -> dict[str, int]:
    """Proposed certifications and levels under a lapse notice in a team, by status (read once
    per GET request: the manager's panel and action list share it)."""
    return request_memo(("certification.waiting", team_id), lambda: _read_waiting(team_id))


def _read_waiting(team_id: int) -> dict[str, int]:
    rows = db.session.execute(
        db.select(Certification.status, func.count(Certification.id))
        .join(User, User.id == Certification.user_id)
        .where(
            User.team_id == team_id,
            db.or_(
                Certification.status == PROPOSED,
                db.and_(Certification.status == GRANTED, Certification.noticed_at.is_not(None)),
            ),
        )
        .group_by(Certification.status)
    ).all()
    return dict(rows)
