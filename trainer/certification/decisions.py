"""Proposing, approving, rejecting, granting and revoking levels; each audited with who and why."""

from datetime import datetime
from typing import Any

from trainer.accounts.models import User
from trainer.certification import certificates, notices
from trainer.certification.engine import AgentEvidence, Evaluation, check_level, evaluate
from trainer.certification.errors import CertificationError
from trainer.certification.evidence import collect_evidence
from trainer.certification.ladder import Ladder, current_ladder
from trainer.certification.models import GRANTED, PROPOSED, REJECTED, REVOKED, Certification
from trainer.certification.presenting import present
from trainer.certification.review import SAME, compare, snapshot_checks
from trainer.core import audit
from trainer.core.auth import ADMIN, AGENT, MANAGER
from trainer.core.clock import utcnow
from trainer.core.i18n import _
from trainer.extensions import db


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
    notices.promotion_proposed(cert)  # the manager is told
    return cert


def earliest_quiz_expiry(evidence: AgentEvidence, ladder: Ladder, code: str) -> datetime | None:
    """When the first of the level's required quiz passes expires (None: none expires)."""
    level = ladder.level(code)
    expiries = [
        p.expires_at
        for slug in (ladder.quizzes_for(level) if level else ())
        if (p := evidence.quiz_passes.get(slug)) is not None and p.expires_at is not None
    ]
    return min(expiries) if expiries else None


def grant_certification(
    cert: Certification,
    actor: Any,
    reason: str | None,
    evidence: AgentEvidence,
    ladder: Ladder,
    now: datetime,
    action: str,
    **data: Any,
) -> Certification:
    """Mark a certification granted, issue its certificate and audit `action` with the reason."""
    before = {"status": cert.status}
    if cert.id is not None and cert.status == PROPOSED:
        # A conditional UPDATE: of two managers approving at once, only one wins.
        claimed = db.session.execute(
            db.update(Certification)
            .where(Certification.id == cert.id, Certification.status == PROPOSED)
            .values(status=GRANTED)
            .execution_options(synchronize_session=False)
        ).rowcount
        if claimed != 1:
            raise CertificationError(_("Someone else decided on this promotion a moment ago."))
    cert.status = GRANTED
    cert.decided_at = cert.granted_at = now
    cert.decided_by_id = getattr(actor, "id", None)
    cert.reason = (reason or "").strip() or cert.reason
    cert.valid_until = earliest_quiz_expiry(evidence, ladder, cert.level)
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
    notices.level_granted(cert)
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
    live = check_level(ladder.level(cert.level), evidence, ladder, now)
    missing = [c for c in live if not c.met]
    if missing and not override:
        raise CertificationError(
            _(
                "%(level)s is no longer met: %(missing)s. Approve as an override with a reason, "
                "or reject.",
                level=cert.level,
                missing="; ".join(r.label for r in present(missing)),
            )
        )
    if missing and not reason.strip():
        raise CertificationError(_("An override needs a reason."))
    changed = [
        {"kind": r.kind, "key": r.key, "change": r.change}
        for r in compare(snapshot_checks(cert), live)
        if r.change != SAME
    ]
    cert.evidence = _snapshot(evaluation) if evaluation.next_level == cert.level else cert.evidence
    action = "certification.override_grant" if missing else "certification.grant"
    return grant_certification(
        cert,
        actor,
        reason,
        evidence,
        ladder,
        now,
        action,
        missing=[c.as_dict() for c in missing],
        changed_since_proposal=changed,
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
    return grant_certification(
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
