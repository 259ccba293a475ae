"""Trainer endorsements: the top level needs a trainer to vouch for the agent."""

from datetime import datetime

from trainer.accounts.models import User
from trainer.certification.errors import CertificationError
from trainer.certification.ladder import current_ladder
from trainer.certification.models import Endorsement
from trainer.core import audit
from trainer.core.auth import ADMIN, AGENT, TRAINER
from trainer.core.clock import utcnow
from trainer.core.i18n import _
from trainer.extensions import db


def endorse(agent: User, code: str, trainer: User, comment: str) -> Endorsement:
    """A trainer endorses an agent for a level that requires it."""
    level = current_ladder().level(code)
    if trainer.role not in (TRAINER, ADMIN):
        raise CertificationError(_("Only trainers endorse agents."))
    if agent.role != AGENT:
        raise CertificationError(_("Only agents can be endorsed."))
    if level is None or not level.endorsement:
        raise CertificationError(_("This level does not take endorsements."))
    if not (comment or "").strip():
        raise CertificationError(_("Say briefly why you endorse this agent."))
    existing = db.session.scalar(
        db.select(Endorsement).where(
            Endorsement.user_id == agent.id,
            Endorsement.level == code,
            Endorsement.withdrawn_at.is_(None),
        )
    )
    if existing is not None:
        raise CertificationError(_("This agent is already endorsed for the level."))
    endorsement = Endorsement(
        user_id=agent.id, level=code, trainer_id=trainer.id, comment=comment.strip()[:2000]
    )
    db.session.add(endorsement)
    db.session.flush()
    audit.record(
        trainer,
        "endorsement.create",
        endorsement,
        after={"level": code},
        user_id=agent.id,
        comment=endorsement.comment,
    )
    return endorsement


def withdraw_endorsement(
    endorsement: Endorsement, trainer: User, now: datetime | None = None
) -> None:
    """Withdraw an endorsement (its author or an admin)."""
    if endorsement.withdrawn_at is not None:
        return
    if trainer.role != ADMIN and endorsement.trainer_id != trainer.id:
        raise CertificationError(_("Only the trainer who endorsed can withdraw it."))
    endorsement.withdrawn_at = now or utcnow()
    db.session.flush()
    audit.record(
        trainer,
        "endorsement.withdraw",
        endorsement,
        before={"active": True},
        after={"active": False},
        user_id=endorsement.user_id,
    )
