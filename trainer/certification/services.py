"""Certification operations: evaluate, propose, approve or reject, lapse, revoke, endorse.

Every grant, rejection, notice, lapse and override is written to the audit log with who
(None for the scheduled sweep) and why. Services flush; the view or command commits once.
"""

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from trainer.accounts.models import User
from trainer.certification import certificates
from trainer.certification.engine import (
    LAPSE,
    NOTICE,
    OK,
    AgentEvidence,
    Evaluation,
    Retention,
    RetentionState,
    check_level,
    check_retention,
    evaluate,
)
from trainer.certification.evidence import collect_evidence
from trainer.certification.ladder import Ladder, current_ladder
from trainer.certification.models import (
    GRANTED,
    LAPSED,
    PROPOSED,
    REJECTED,
    REVOKED,
    Certification,
    Endorsement,
)
from trainer.core import audit
from trainer.core.auth import ADMIN, AGENT, MANAGER, TRAINER
from trainer.core.clock import utcnow
from trainer.core.i18n import _
from trainer.extensions import db


class CertificationError(ValueError):
    """A user-facing reason a certification action was refused."""


# ---------------------------------------------------------------- reading


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


def _end_of(day: date) -> datetime:
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=UTC)


def levels_held_on(
    user_ids: Iterable[int], day: date, ladder: Ladder | None = None
) -> dict[int, str]:
    """The level each user held at the end of `day` (from grant and end dates): one query."""
    ladder = ladder or current_ladder()
    ids = list(set(user_ids))
    if not ids:
        return {}
    end = _end_of(day)
    rows = db.session.execute(
        db.select(Certification.user_id, Certification.level).where(
            Certification.user_id.in_(ids),
            Certification.status.in_((GRANTED, LAPSED, REVOKED)),
            Certification.granted_at.is_not(None),
            Certification.granted_at < end,
            db.or_(Certification.ended_at.is_(None), Certification.ended_at >= end),
        )
    )
    best: dict[int, str] = {}
    for user_id, code in rows:
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
    out = {}
    for uid in ids:
        level = ladder.level(held.get(uid)) or ladder.base
        out[uid] = (level.label, level.multiplier)
    return out


# ---------------------------------------------------------------- proposing and deciding


def _snapshot(evaluation: Evaluation) -> dict:
    return {
        "level": evaluation.level,
        "next_level": evaluation.next_level,
        "checks": [c.as_dict() for c in evaluation.checks],
    }


def _open(user_id: int, level: str) -> Certification | None:
    return db.session.scalar(
        db.select(Certification).where(
            Certification.user_id == user_id,
            Certification.level == level,
            Certification.status.in_((PROPOSED, GRANTED)),
        )
    )


def propose(
    user: User,
    evaluation: Evaluation,
    *,
    actor: Any = None,
    source: str = "engine",
    reason: str | None = None,
    now: datetime | None = None,
) -> Certification:
    """Propose the next level for the manager's approval, with the evidence as it stands."""
    if evaluation.next_level is None:
        raise CertificationError(_("There is no higher level."))
    if _open(user.id, evaluation.next_level) is not None:
        raise CertificationError(_("This level is already proposed or granted."))
    cert = Certification(
        user=user,
        level=evaluation.next_level,
        status=PROPOSED,
        source=source,
        evidence=_snapshot(evaluation),
        proposed_at=now or utcnow(),
        proposed_by_id=getattr(actor, "id", None),
        reason=(reason or "").strip() or None,
    )
    db.session.add(cert)
    db.session.flush()
    audit.record(
        actor,
        "certification.propose",
        cert,
        after={"status": PROPOSED, "level": cert.level},
        user_id=user.id,
        source=source,
        reason=cert.reason,
        missing=[c.key for c in evaluation.missing],
    )
    return cert


def _quiz_expiry(evidence: AgentEvidence, ladder: Ladder, code: str) -> datetime | None:
    level = ladder.level(code)
    expiries = [
        p.expires_at
        for slug in (ladder.quizzes_for(level) if level else ())
        if (p := evidence.quiz_passes.get(slug)) is not None and p.expires_at is not None
    ]
    return min(expiries) if expiries else None


def _grant(
    cert: Certification,
    actor: Any,
    reason: str | None,
    evidence: AgentEvidence,
    ladder: Ladder,
    now: datetime,
    action: str,
    **data: Any,
) -> Certification:
    before = {"status": cert.status}
    cert.status = GRANTED
    cert.decided_at = cert.granted_at = now
    cert.decided_by_id = getattr(actor, "id", None)
    cert.reason = (reason or "").strip() or cert.reason
    cert.valid_until = _quiz_expiry(evidence, ladder, cert.level)
    db.session.flush()
    level = ladder.level(cert.level)
    certificate = certificates.issue_certificate(
        cert, level.name if level else {"zh_CN": cert.level, "en": cert.level}
    )
    audit.record(
        actor,
        action,
        cert,
        before=before,
        after={
            "status": GRANTED,
            "level": cert.level,
            "valid_until": str(cert.valid_until) if cert.valid_until else None,
        },
        user_id=cert.user_id,
        reason=cert.reason,
        certificate=certificate.code,
        **data,
    )
    return cert


def can_decide(actor: User, agent: User) -> bool:
    """Managers decide for their own team's agents, admins for everyone; nobody for themselves."""
    if actor.id == agent.id:
        return False
    if actor.role == ADMIN:
        return True
    return actor.role == MANAGER and actor.team_id is not None and actor.team_id == agent.team_id


def approve(
    cert: Certification,
    actor: User,
    *,
    reason: str = "",
    override: bool = False,
    now: datetime | None = None,
) -> Certification:
    """Grant a proposed level after re-checking the evidence now.

    If a requirement is missing at this moment the approval is an override: it needs the
    override flag and a reason, and the audit log records what was missing.
    """
    now, ladder = now or utcnow(), current_ladder()
    if cert.status != PROPOSED:
        raise CertificationError(_("Only a proposed level can be approved."))
    if not can_decide(actor, cert.user):
        raise CertificationError(_("You can decide only for agents of your own team."))
    evidence = collect_evidence([cert.user], ladder, now)[cert.user_id]
    evaluation = evaluate(evidence, ladder, now)
    missing = [c for c in check_level(ladder.level(cert.level), evidence, ladder, now) if not c.met]
    if missing and not override:
        raise CertificationError(
            _("Requirements are missing now; approve as an override with a reason, or reject.")
        )
    if missing and not reason.strip():
        raise CertificationError(_("An override needs a reason."))
    cert.evidence = _snapshot(evaluation) if evaluation.next_level == cert.level else cert.evidence
    action = "certification.override_grant" if missing else "certification.grant"
    return _grant(
        cert, actor, reason, evidence, ladder, now, action, missing=[c.as_dict() for c in missing]
    )


def reject(
    cert: Certification, actor: User, *, reason: str, now: datetime | None = None
) -> Certification:
    """Turn down a proposed level, saying why."""
    if cert.status != PROPOSED:
        raise CertificationError(_("Only a proposed level can be rejected."))
    if not can_decide(actor, cert.user):
        raise CertificationError(_("You can decide only for agents of your own team."))
    if not (reason or "").strip():
        raise CertificationError(_("Say why the promotion is rejected."))
    cert.status, cert.decided_at, cert.decided_by_id = REJECTED, now or utcnow(), actor.id
    cert.reason = reason.strip()
    db.session.flush()
    audit.record(
        actor,
        "certification.reject",
        cert,
        before={"status": PROPOSED},
        after={"status": REJECTED},
        user_id=cert.user_id,
        reason=cert.reason,
    )
    return cert


def grant_override(
    agent: User, code: str, actor: User, *, reason: str, now: datetime | None = None
) -> Certification:
    """Grant a level directly (no proposal), e.g. for certificates earned before the system."""
    now, ladder = now or utcnow(), current_ladder()
    level = ladder.level(code)
    if level is None or level.rank == 0:
        raise CertificationError(_("Unknown level."))
    if agent.role != AGENT:
        raise CertificationError(_("Only agents hold certification levels."))
    if not can_decide(actor, agent):
        raise CertificationError(_("You can decide only for agents of your own team."))
    if not (reason or "").strip():
        raise CertificationError(_("An override needs a reason."))
    existing = _open(agent.id, code)
    if existing is not None and existing.status == GRANTED:
        raise CertificationError(_("This level is already granted."))
    evidence = collect_evidence([agent], ladder, now)[agent.id]
    missing = [c for c in check_level(level, evidence, ladder, now) if not c.met]
    cert = existing or Certification(
        user=agent,
        level=code,
        status=PROPOSED,
        source="override",
        proposed_at=now,
        proposed_by_id=actor.id,
    )
    cert.evidence = {"checks": [c.as_dict() for c in check_level(level, evidence, ladder, now)]}
    db.session.add(cert)
    db.session.flush()
    return _grant(
        cert,
        actor,
        reason,
        evidence,
        ladder,
        now,
        "certification.override_grant",
        missing=[c.as_dict() for c in missing],
    )


def revoke(
    cert: Certification, actor: User, *, reason: str, now: datetime | None = None
) -> Certification:
    """Withdraw a granted level (an override), saying why; the certificate stops verifying."""
    if cert.status != GRANTED:
        raise CertificationError(_("Only a granted level can be revoked."))
    if not can_decide(actor, cert.user):
        raise CertificationError(_("You can decide only for agents of your own team."))
    if not (reason or "").strip():
        raise CertificationError(_("Say why the level is revoked."))
    cert.status, cert.ended_at = REVOKED, now or utcnow()
    cert.decided_by_id, cert.reason = actor.id, reason.strip()
    db.session.flush()
    audit.record(
        actor,
        "certification.revoke",
        cert,
        before={"status": GRANTED},
        after={"status": REVOKED},
        user_id=cert.user_id,
        reason=cert.reason,
    )
    return cert


# ---------------------------------------------------------------- the sweep


@dataclass
class SweepSummary:
    """What one evaluation run changed."""

    evaluated: int = 0
    proposed: int = 0
    granted: int = 0
    notices: int = 0
    cleared: int = 0
    lapsed: int = 0

    def as_dict(self) -> dict:
        return dataclasses.asdict(self)


def _apply_retention(
    cert: Certification, result: Retention, now: datetime, summary: SweepSummary
) -> None:
    problems = [c.as_dict() for c in result.problems]
    if result.status == OK:
        if cert.noticed_at is not None:
            audit.record(
                None,
                "certification.notice_cleared",
                cert,
                before={"notice": cert.notice},
                after={"notice": None},
                user_id=cert.user_id,
            )
            summary.cleared += 1
        cert.noticed_at = cert.notice = cert.kpi_below_since = None
        return
    if result.status == LAPSE:
        before = {"status": GRANTED}
        cert.status, cert.ended_at = LAPSED, now
        audit.record(
            None,
            "certification.lapse",
            cert,
            before=before,
            after={"status": LAPSED},
            user_id=cert.user_id,
            reason=problems,
            noticed_at=str(cert.noticed_at),
        )
        summary.lapsed += 1
        return
    first_notice = cert.noticed_at is None
    if first_notice:
        cert.noticed_at = now
    if result.kpi_below and cert.kpi_below_since is None:
        cert.kpi_below_since = now
    elif not result.kpi_below:
        cert.kpi_below_since = None
    cert.notice = {"problems": problems, "lapse_due": result.lapse_due.isoformat()}
    cert.valid_until = result.lapse_due
    if first_notice:
        audit.record(
            None, "certification.notice", cert, after={"notice": cert.notice}, user_id=cert.user_id
        )
        summary.notices += 1


def sweep(users: Iterable[User], *, actor: Any = None, now: datetime | None = None) -> SweepSummary:
    """Evaluate agents: notices and lapses, then propose (or auto-grant) their next level."""
    now, ladder = now or utcnow(), current_ladder()
    agents = [u for u in users if u.role == AGENT and u.active]
    evidence = collect_evidence(agents, ladder, now)
    certs = open_certifications([a.id for a in agents])
    summary = SweepSummary()
    for agent in agents:
        summary.evaluated += 1
        ev = evidence[agent.id]
        held = {c.level: c for c in certs.get(agent.id, []) if c.status == GRANTED}
        for code, cert in held.items():
            state = RetentionState(noticed_at=cert.noticed_at, kpi_below_since=cert.kpi_below_since)
            result = check_retention(ev, ladder, code, state, now)
            _apply_retention(cert, result, now, summary)
            if result.status != NOTICE and cert.status == GRANTED:
                cert.valid_until = _quiz_expiry(ev, ladder, code)
        still = {code: c.granted_at for code, c in held.items() if c.status == GRANTED}
        ev = dataclasses.replace(ev, held=still)
        evaluation = evaluate(ev, ladder, now)
        proposed = {c.level for c in certs.get(agent.id, []) if c.status == PROPOSED}
        if not evaluation.eligible or evaluation.next_level in proposed:
            continue
        cert = propose(agent, evaluation, actor=actor, now=now)
        summary.proposed += 1
        if ladder.auto_grant:
            _grant(
                cert,
                None,
                _("Granted automatically (auto-grant is on)."),
                ev,
                ladder,
                now,
                "certification.auto_grant",
            )
            summary.granted += 1
    db.session.flush()
    return summary


# ---------------------------------------------------------------- endorsements


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
