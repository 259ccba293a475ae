"""The evaluation run: notices and lapses for held levels, then proposals (or auto-grants).

Run daily by `flask cert sweep`, for a team by its manager, or for oneself by an agent.
"""

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from trainer.accounts.models import User
from trainer.certification import notices
from trainer.certification.decisions import earliest_quiz_expiry, grant_certification, propose
from trainer.certification.engine import (
    LAPSE,
    NOTICE,
    OK,
    Retention,
    RetentionState,
    check_retention,
    evaluate,
)
from trainer.certification.evidence import collect_evidence
from trainer.certification.ladder import current_ladder
from trainer.certification.models import GRANTED, LAPSED, PROPOSED, Certification
from trainer.certification.reading import open_certifications
from trainer.core import audit, clock
from trainer.core.auth import AGENT
from trainer.core.clock import utcnow
from trainer.core.i18n import _
from trainer.extensions import db


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
        notices.level_lapsed(cert)
        return
    first_notice = cert.noticed_at is None
    if first_notice:
        cert.noticed_at = now
    if result.kpi_below and cert.kpi_below_since is None:
        cert.kpi_below_since = now
    elif not result.kpi_below:
        cert.kpi_below_since = None
    cert.notice = {"problems": problems, "lapse_due": clock.iso_local(result.lapse_due)}
    cert.valid_until = result.lapse_due
    if first_notice:
        audit.record(
            None, "certification.notice", cert, after={"notice": cert.notice}, user_id=cert.user_id
        )
        summary.notices += 1
        notices.level_lapsing(cert, result.lapse_due)


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
                cert.valid_until = earliest_quiz_expiry(ev, ladder, code)
        still = {code: c.granted_at for code, c in held.items() if c.status == GRANTED}
        ev = dataclasses.replace(ev, held=still)
        evaluation = evaluate(ev, ladder, now)
        proposed = {c.level for c in certs.get(agent.id, []) if c.status == PROPOSED}
        if not evaluation.eligible or evaluation.next_level in proposed:
            continue
        cert = propose(agent, evaluation, actor=actor, now=now)
        summary.proposed += 1
        if ladder.auto_grant:
            grant_certification(
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
