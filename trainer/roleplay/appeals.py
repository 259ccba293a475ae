"""Role-play appeals: an agent disputes one rubric item; a trainer keeps or changes its score.

A change goes through the review override path (`review.save_review`), so the total, pass and
critical failure are recomputed in code exactly as for a trainer's review.
"""

from dataclasses import dataclass
from typing import Any

from trainer.appeals import common
from trainer.appeals.common import AppealError
from trainer.appeals.models import CHANGED, KEPT, OPEN, ROLEPLAY, Appeal
from trainer.extensions import db
from trainer.roleplay.judge import allowed_scores
from trainer.roleplay.models import RoleplayGrade, RoleplaySession, Scenario
from trainer.roleplay.review import ItemDecision, effective_items, save_review


def appeal_item(session: RoleplaySession, item_id: str) -> dict | None:
    """The graded item `item_id` of the session, overrides applied (None if no such item)."""
    if session.grade is None:
        return None
    return next((i for i in effective_items(session.grade) if i["id"] == item_id), None)


def check_appealable(session: RoleplaySession, user: Any, item_id: str) -> dict:
    """The item the agent may appeal, or AppealError saying why not."""
    if session.user_id != user.id or session.trial or session.grade is None:
        raise AppealError(str(common.NOT_OWN_ROLEPLAY))
    item = appeal_item(session, item_id)
    if item is None:
        raise AppealError(str(common.NO_SUCH_ITEM))
    return item


def file_roleplay_appeal(session: RoleplaySession, user: Any, item_id: str, reason: str) -> Appeal:
    """File the agent's one appeal on a rubric item."""
    item = check_appealable(session, user, item_id)
    return common.file_appeal(user, ROLEPLAY, session.grade.id, item_id, reason, item["score"])


def grade_of(appeal: Appeal) -> RoleplayGrade:
    """The grade the appeal is about."""
    return db.session.get(RoleplayGrade, appeal.subject_id)


def scores_for(appeal: Appeal) -> list[int | None]:
    """The scores the trainer may give the item (its scale; None = N/A where allowed)."""
    grade = grade_of(appeal)
    spec = next(i for i in grade.session.version.spec["rubric"]["items"] if i["id"] == appeal.item)
    return sorted(allowed_scores(spec), key=lambda s: (s is None, s))


def decide_roleplay_appeal(
    appeal: Appeal, trainer: Any, comment: str, new_score: int | None = None, *, change: bool
) -> Appeal:
    """Keep the score, or change it through the review override; the agent is notified."""
    grade = grade_of(appeal)
    if change:
        if new_score not in scores_for(appeal):
            raise AppealError(str(common.OFF_SCALE))
        common.close_appeal(appeal, trainer, comment, changed=True, after=new_score)
        save_review(
            grade,
            trainer,
            {appeal.item: ItemDecision(new_score, comment.strip())},
            comment=grade.review_comment or "",
            notify=False,
        )
    else:
        common.close_appeal(appeal, trainer, comment, changed=False)
    link = f"/roleplay/sessions/{grade.session_id}/result"
    common.tell_agent(appeal, grade.session.scenario.title, link)
    return appeal


@dataclass(frozen=True)
class ItemAppeals:
    """Appeals on one rubric item of one scenario, by outcome."""

    open: int = 0
    kept: int = 0
    changed: int = 0

    @property
    def decided(self) -> int:
        """Appeals a trainer has answered."""
        return self.kept + self.changed


def appeals_by_item() -> dict[tuple[int, str], ItemAppeals]:
    """(scenario id, rubric item) → its appeals open, kept (the grader upheld) and changed;
    one query, for the calibration page."""
    rows = db.session.execute(
        db.select(RoleplaySession.scenario_id, Appeal.item, Appeal.status, db.func.count(Appeal.id))
        .join(RoleplayGrade, RoleplayGrade.id == Appeal.subject_id)
        .join(RoleplaySession, RoleplaySession.id == RoleplayGrade.session_id)
        .where(Appeal.kind == ROLEPLAY)
        .group_by(RoleplaySession.scenario_id, Appeal.item, Appeal.status)
    )
    counts: dict[tuple[int, str], dict[str, int]] = {}
    for scenario_id, item, status, count in rows:
        counts.setdefault((scenario_id, item), {})[status] = count
    return {
        key: ItemAppeals(by.get(OPEN, 0), by.get(KEPT, 0), by.get(CHANGED, 0))
        for key, by in counts.items()
    }


def changed_by_item() -> dict[tuple[int, str], int]:
    """(scenario id, rubric item) → appeals that changed the grader's score, for calibration."""
    return {key: c.changed for key, c in appeals_by_item().items() if c.changed}


def item_appeals(scenario_slug: str, item: str, status: str | None = None) -> list[Appeal]:
    """The appeals on one rubric item of a scenario (one outcome, or all), oldest first."""
    query = (
        db.select(Appeal)
        .join(RoleplayGrade, RoleplayGrade.id == Appeal.subject_id)
        .join(RoleplaySession, RoleplaySession.id == RoleplayGrade.session_id)
        .join(Scenario, Scenario.id == RoleplaySession.scenario_id)
        .where(Appeal.kind == ROLEPLAY, Appeal.item == item, Scenario.slug == scenario_slug)
        .order_by(Appeal.created_at, Appeal.id)
        .options(db.joinedload(Appeal.user))
    )
    if status:
        query = query.where(Appeal.status == status)
    return list(db.session.scalars(query))
