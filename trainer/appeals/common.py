"""What both kinds of appeal share: filing once, the queue, deciding, telling the agent."""

from typing import Any

from sqlalchemy.exc import IntegrityError

from trainer.appeals.models import CHANGED, KEPT, OPEN, Appeal
from trainer.core import audit
from trainer.core.clock import utcnow
from trainer.core.i18n import _, _l
from trainer.extensions import db

MAX_REASON = 2000
MAX_COMMENT = 2000

# Refusals of the role-play and quiz appeal services (kept here, in the appeals catalogue).
NOT_OWN_ROLEPLAY = _l("Only your own graded role-plays can be appealed.")
NO_SUCH_ITEM = _l("There is no such rubric item.")
OFF_SCALE = _l("Choose a score on the item's scale.")
NOT_OWN_ATTEMPT = _l("Only your own finished quiz attempts can be appealed.")
NO_SUCH_QUESTION = _l("There is no such question in this attempt.")
BAD_MARK = _l("Choose a mark between 0 and 1.")


class AppealError(ValueError):
    """A refused appeal or decision, with a message for the user."""


def existing(kind: str, subject_id: int, item: str) -> Appeal | None:
    """The appeal already filed on this item, if any."""
    return db.session.scalar(
        db.select(Appeal).where(
            Appeal.kind == kind, Appeal.subject_id == subject_id, Appeal.item == str(item)
        )
    )


def file_appeal(user: Any, kind: str, subject_id: int, item: str, reason: str, score: float):
    """Record an appeal (once per item) with the agent's reason and the score disputed."""
    reason = (reason or "").strip()
    if not reason:
        raise AppealError(_("Say why you think the marking is wrong."))
    if len(reason) > MAX_REASON:
        raise AppealError(_("Keep the reason under %(n)d characters.", n=MAX_REASON))
    if existing(kind, subject_id, item) is not None:
        raise AppealError(_("You have already appealed this item."))
    appeal = Appeal(
        user_id=user.id,
        kind=kind,
        subject_id=subject_id,
        item=str(item),
        reason=reason,
        before_score=score,
        created_at=utcnow(),
    )
    db.session.add(appeal)
    try:
        db.session.flush()
    except IntegrityError as error:  # a double submit: the other request filed it first
        db.session.rollback()  # filing is the request's only change
        raise AppealError(_("You have already appealed this item.")) from error
    audit.record(user, "appeal.file", appeal, kind=kind, subject_id=subject_id, item=str(item))
    return appeal


def open_queue() -> list[Appeal]:
    """Open appeals, oldest first."""
    return list(
        db.session.scalars(
            db.select(Appeal)
            .where(Appeal.status == OPEN)
            .order_by(Appeal.created_at, Appeal.id)
            .options(db.joinedload(Appeal.user))
        )
    )


def open_count() -> int:
    """How many appeals wait for a trainer's decision."""
    return db.session.scalar(db.select(db.func.count(Appeal.id)).where(Appeal.status == OPEN))


def own_appeals(user: Any) -> list[Appeal]:
    """The agent's appeals, newest first."""
    return list(
        db.session.scalars(
            db.select(Appeal)
            .where(Appeal.user_id == user.id)
            .order_by(Appeal.created_at.desc(), Appeal.id.desc())
        )
    )


def close_appeal(
    appeal: Appeal, trainer: Any, comment: str, *, changed: bool, after: float | None = None
) -> None:
    """Mark the appeal decided (kept, or changed to `after`), audit it; one trainer wins."""
    comment = (comment or "").strip()
    if not comment:
        raise AppealError(_("Explain your decision to the agent."))
    if len(comment) > MAX_COMMENT:
        raise AppealError(_("Keep the comment under %(n)d characters.", n=MAX_COMMENT))
    claimed = db.session.execute(
        db.update(Appeal)
        .where(Appeal.id == appeal.id, Appeal.status == OPEN)
        .values(status=CHANGED if changed else KEPT)
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        raise AppealError(_("This appeal has already been answered."))
    db.session.refresh(appeal)
    appeal.after_score = after if changed else appeal.before_score
    appeal.decided_at, appeal.decided_by_id = utcnow(), trainer.id
    appeal.decision_comment = comment
    audit.record(
        trainer,
        "appeal.decide",
        appeal,
        before={"score": appeal.before_score, "status": OPEN},
        after={"score": appeal.after_score, "status": appeal.status},
        comment=comment,
        kind=appeal.kind,
        subject_id=appeal.subject_id,
        item=appeal.item,
    )


def tell_agent(appeal: Appeal, subject: Any, link: str) -> None:
    """Notify the agent of the decision and re-evaluate their certification in the background."""
    from trainer.core.jobs import enqueue
    from trainer.notifications.services import notify

    decision = (
        {"zh_CN": "已改分", "en": "marking changed"}
        if appeal.status == CHANGED
        else {"zh_CN": "维持原评分", "en": "marking kept"}
    )
    notify(
        appeal.user,
        "appeal_answered",
        link=link,
        subject=subject,
        decision=decision,
        comment=appeal.decision_comment,
    )
    enqueue("certification.evaluate_agent", appeal.user_id)
