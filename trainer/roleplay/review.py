"""Trainer review: the queue (flagged first), item overrides with comments, the final grade."""

from dataclasses import dataclass

from trainer.core import audit, events
from trainer.core.clock import utcnow
from trainer.core.i18n import _
from trainer.core.inputs import page_number
from trainer.core.memo import request_memo
from trainer.extensions import db
from trainer.notifications import hooks as notification_hooks
from trainer.roleplay.grading import compute_total
from trainer.roleplay.judge import allowed_scores
from trainer.roleplay.models import (
    GRADED,
    RoleplayGrade,
    RoleplayItemOverride,
    RoleplaySession,
    Scenario,
)

PENDING, REVIEWED, ALL = "pending", "reviewed", "all"
PAGE_SIZE = 50


class ReviewError(ValueError):
    """A review that cannot be saved; `item_errors` maps item ids to messages."""

    def __init__(self, item_errors: dict[str, str]) -> None:
        super().__init__("; ".join(item_errors.values()))
        self.item_errors = item_errors


def effective_items(grade: RoleplayGrade) -> list[dict]:
    """The grade's items with trainers' overrides applied (the original score kept)."""
    overrides = {o.item_id: o for o in grade.overrides}
    items = []
    for item in grade.items:
        entry = dict(item)
        override = overrides.get(item["id"])
        if override is not None:
            entry["auto_score"] = item["score"]
            entry["score"] = override.score
            entry["override"] = {
                "comment": override.comment,
                "reviewer": override.reviewer.name if override.reviewer else "",
                "at": override.updated_at,
            }
        items.append(entry)
    return items


def review_queue(
    status: str = PENDING, scenario_slug: str = "", team_id: int | None = None, page: int = 1
) -> tuple[list[RoleplaySession], int]:
    """Graded, non-trial sessions: flagged ones first, then oldest first; (page, total count)."""
    from trainer.accounts.models import User

    query = (
        db.select(RoleplaySession)
        .join(RoleplayGrade, RoleplayGrade.session_id == RoleplaySession.id)
        .join(Scenario, Scenario.id == RoleplaySession.scenario_id)
        .join(User, User.id == RoleplaySession.user_id)
        .where(RoleplaySession.status == GRADED, RoleplaySession.trial.is_(False))
    )
    if status == PENDING:
        query = query.where(RoleplayGrade.reviewed_at.is_(None))
    elif status == REVIEWED:
        query = query.where(RoleplayGrade.reviewed_at.is_not(None))
    if scenario_slug:
        query = query.where(Scenario.slug == scenario_slug)
    if team_id is not None:
        query = query.where(User.team_id == team_id)
    total = db.session.scalar(db.select(db.func.count()).select_from(query.subquery()))
    order = (
        [RoleplayGrade.flagged.desc(), RoleplaySession.ended_at.asc()]
        if status == PENDING
        else [RoleplaySession.ended_at.desc()]
    )
    rows = db.session.scalars(
        query.options(
            db.contains_eager(RoleplaySession.grade),
            db.contains_eager(RoleplaySession.scenario),
            db.contains_eager(RoleplaySession.user),
        )
        .order_by(*order, RoleplaySession.id)
        .limit(PAGE_SIZE)
        .offset((page_number(page) - 1) * PAGE_SIZE)
    )
    return list(rows.unique()), total


def pending_counts() -> tuple[int, int]:
    """(sessions waiting for review, of which flagged); read once per GET request."""
    return request_memo("roleplay.pending_counts", _read_pending_counts)


def _read_pending_counts() -> tuple[int, int]:
    row = db.session.execute(
        db.select(
            db.func.count(RoleplayGrade.id),
            db.func.count(RoleplayGrade.id).filter(RoleplayGrade.flagged),
        )
        .join(RoleplaySession, RoleplaySession.id == RoleplayGrade.session_id)
        .where(RoleplayGrade.reviewed_at.is_(None), RoleplaySession.trial.is_(False))
    ).one()
    return int(row[0]), int(row[1])


@dataclass(frozen=True)
class ItemDecision:
    """A trainer's decision on one item: the score (None = N/A) and a comment."""

    score: int | None
    comment: str


def save_review(
    grade: RoleplayGrade,
    reviewer,
    decisions: dict[str, ItemDecision],
    comment: str = "",
    *,
    notify: bool = True,
) -> RoleplayGrade:
    """Apply a trainer's review: overrides where the score changes (each needs a comment),
    recompute the final grade in code, and log every change."""
    spec_items = {item["id"]: item for item in grade.session.version.spec["rubric"]["items"]}
    current = {item["id"]: item for item in effective_items(grade)}
    overrides = {o.item_id: o for o in grade.overrides}
    errors: dict[str, str] = {}
    for item_id, decision in decisions.items():
        if item_id not in current:
            continue
        if decision.score not in allowed_scores(spec_items[item_id]):
            errors[item_id] = _("Choose a score on the item's scale.")
        elif decision.score != current[item_id]["score"] and not decision.comment.strip():
            errors[item_id] = _("Say why you change this score.")
    if errors:
        raise ReviewError(errors)
    before_total = grade.total
    now = utcnow()
    for item_id, decision in decisions.items():
        if item_id not in current:
            continue
        auto_score = next(i["score"] for i in grade.items if i["id"] == item_id)
        override = overrides.get(item_id)
        changed = decision.score != current[item_id]["score"]
        if override is None and decision.score == auto_score and not decision.comment.strip():
            continue
        if (
            override is not None
            and not changed
            and decision.comment.strip() in ("", override.comment)
        ):
            continue
        if override is None:
            override = RoleplayItemOverride(
                grade=grade, item_id=item_id, auto_score=auto_score, created_at=now
            )
            db.session.add(override)
        audit.record(
            reviewer,
            "roleplay.override",
            grade,
            before={"item": item_id, "score": current[item_id]["score"]},
            after={"item": item_id, "score": decision.score},
            comment=decision.comment.strip(),
            session_id=grade.session_id,
        )
        override.score = decision.score
        override.comment = decision.comment.strip() or override.comment or ""
        override.reviewer_id = reviewer.id
        override.updated_at = now
    db.session.flush()
    db.session.expire(grade, ["overrides"])
    items = effective_items(grade)
    pass_mark = grade.session.version.spec["rubric"]["pass_mark"]
    grade.total, grade.passed, grade.critical_failed = compute_total(items, pass_mark)
    grade.reviewed_at, grade.reviewer_id = now, reviewer.id
    grade.review_comment = comment.strip() or None
    audit.record(
        reviewer,
        "roleplay.review",
        grade,
        before={"total": before_total},
        after={"total": grade.total, "passed": grade.passed},
        session_id=grade.session_id,
    )
    db.session.flush()
    if notify:  # an appeal decision tells the agent itself (issue 13)
        notification_hooks.grade_reviewed(grade, before_total)
    events.roleplay_graded.send(grade=grade, session_id=grade.session_id)
    return grade


def na_allowed(session: RoleplaySession) -> dict[str, bool]:
    """Item id → whether N/A is allowed, from the version the session ran."""
    return {i["id"]: i["na_allowed"] for i in session.version.spec["rubric"]["items"]}


def form_data(session: RoleplaySession) -> dict:
    """Initial review form values: the current (effective) scores and trainer notes."""
    data: dict = {"comment": session.grade.review_comment or ""}
    for item in effective_items(session.grade):
        data[f"score_{item['id']}"] = "na" if item["score"] is None else str(item["score"])
        data[f"note_{item['id']}"] = item.get("override", {}).get("comment", "")
    return data


def decisions_from(form, items: list[dict]) -> dict[str, ItemDecision]:
    """The trainer's decision per item from a submitted review form."""
    decisions = {}
    for item in items:
        raw = getattr(form, f"score_{item['id']}").data
        note = getattr(form, f"note_{item['id']}").data or ""
        score = None if raw == "na" else int(raw)
        decisions[item["id"]] = ItemDecision(score, note)
    return decisions
