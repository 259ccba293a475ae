"""Reading certification state: evaluations, open certifications, history, levels on a date."""

from collections.abc import Iterable
from datetime import date, datetime

from trainer.accounts.models import User
from trainer.certification.engine import Evaluation, evaluate
from trainer.certification.evidence import collect_evidence, user_open_certifications
from trainer.certification.ladder import Ladder, current_ladder
from trainer.certification.models import GRANTED, LAPSED, PROPOSED, REVOKED, Certification
from trainer.core import clock
from trainer.core.clock import utcnow
from trainer.core.memo import memo_active
from trainer.extensions import db


def evaluate_users(
    users: Iterable[User], now: datetime | None = None, ladder: Ladder | None = None
) -> dict[int, Evaluation]:
    """Each agent's level and next-level requirements (bounded queries for any number)."""
    now, ladder = now or utcnow(), ladder or current_ladder()
    evidence = collect_evidence(list(users), ladder, now)
    return {uid: evaluate(ev, ladder, now) for uid, ev in evidence.items()}


def evaluate_user(user: User, now: datetime | None = None) -> Evaluation:
    """One agent's level and next-level requirements."""
    return evaluate_users([user], now)[user.id]


def open_certifications(user_ids: list[int]) -> dict[int, list[Certification]]:
    """Proposed and granted certifications per user."""
    if not user_ids:
        return {}
    if len(user_ids) == 1 and memo_active():
        rows = user_open_certifications(user_ids[0])
        return {user_ids[0]: rows} if rows else {}
    rows = db.session.scalars(
        db.select(Certification)
        .where(Certification.user_id.in_(user_ids), Certification.status.in_((PROPOSED, GRANTED)))
        .options(
            db.selectinload(Certification.proposed_by), db.selectinload(Certification.certificate)
        )
        .order_by(Certification.created_at)
    )
    found: dict[int, list[Certification]] = {}
    for row in rows:
        found.setdefault(row.user_id, []).append(row)
    return found


def history(user_id: int) -> list[Certification]:
    """All of a user's certifications, newest first, with their certificates."""
    query = (
        db.select(Certification)
        .where(Certification.user_id == user_id)
        .options(
            db.selectinload(Certification.certificate), db.selectinload(Certification.decided_by)
        )
        .order_by(Certification.created_at.desc(), Certification.id.desc())
    )
    return list(db.session.scalars(query))


MANY_USERS = 500  # above this, levels_held_on reads every certification instead of an IN list


def _end_of(day: date) -> datetime:
    """End (exclusive) of the organisation's calendar day `day`."""
    return clock.day_bounds(day)[1]


def levels_held_on(
    user_ids: Iterable[int], day: date, ladder: Ladder | None = None
) -> dict[int, str]:
    """The level each user held at the end of `day` (from grant and end dates): one query."""
    ladder = ladder or current_ladder()
    ids = list(set(user_ids))
    if not ids:
        return {}
    end = _end_of(day)
    query = db.select(Certification.user_id, Certification.level).where(
        Certification.status.in_((GRANTED, LAPSED, REVOKED)),
        Certification.granted_at.is_not(None),
        Certification.granted_at < end,
        db.or_(Certification.ended_at.is_(None), Certification.ended_at >= end),
    )
    wanted = set(ids)
    if len(ids) <= MANY_USERS:
        query = query.where(Certification.user_id.in_(ids))
    # else (an organisation's ranking): every certification held that day, kept in Python,
    # rather than thousands of ids sent back to the database
    best: dict[int, str] = {}
    for user_id, code in db.session.execute(query):
        if user_id not in wanted:
            continue
        level = ladder.level(code)
        if level is None:
            continue
        current = ladder.level(best.get(user_id))
        if current is None or level.rank > current.rank:
            best[user_id] = code
    return best


def incentive_levels(user_ids: Iterable[int], day: date) -> dict[int, tuple[str, float]]:
    """(level label, incentive multiplier) per agent for the level held at the end of `day`."""
    ladder = current_ladder()
    ids = list(set(user_ids))
    held = levels_held_on(ids, day, ladder)
    # one (label, multiplier) per level, shared by its agents: a whole organisation is cheap
    by_code = {level.code: (level.label, level.multiplier) for level in ladder.levels}
    base = by_code[ladder.base.code]
    return {uid: by_code.get(held.get(uid), base) for uid in ids}
