"""A proposal under review: the evidence frozen when it was proposed next to the live evaluation.

The snapshot (`Certification.evidence`) says why the promotion was proposed; the live checks
say whether the agent still meets the level now. Each requirement is shown in both columns
with what changed, so the manager decides on today's facts knowing what they were.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from trainer.certification.engine import Check, check_level
from trainer.certification.evidence import collect_evidence
from trainer.certification.ladder import Ladder, current_ladder
from trainer.certification.models import Certification
from trainer.certification.presenting import Requirement, check_from_dict, present

SAME, LOST, GAINED, CHANGED, NEW, GONE = "same", "lost", "gained", "changed", "new", "gone"


@dataclass(frozen=True)
class ComparedRequirement:
    """One requirement as it stood when proposed and as it stands now."""

    then: Requirement | None
    now: Requirement | None

    @property
    def label(self) -> str:
        return (self.now or self.then).label

    @property
    def kind(self) -> str:
        return (self.now or self.then).kind

    @property
    def key(self) -> str:
        return (self.now or self.then).key

    @property
    def change(self) -> str:
        """same, lost (was met, is not), gained, changed (other value), new or gone."""
        if self.then is None:
            return NEW
        if self.now is None:
            return GONE
        if self.then.met and not self.now.met:
            return LOST
        if self.now.met and not self.then.met:
            return GAINED
        return SAME if self.then.actual == self.now.actual else CHANGED


@dataclass(frozen=True)
class ProposalReview:
    """A proposal with its snapshot and live requirements side by side."""

    cert: Certification
    rows: tuple[ComparedRequirement, ...]
    live_checks: tuple[Check, ...]

    @property
    def live_missing(self) -> list[Requirement]:
        return [r.now for r in self.rows if r.now is not None and not r.now.met]

    @property
    def still_meets(self) -> bool:
        return not self.live_missing

    @property
    def changed(self) -> list[ComparedRequirement]:
        return [r for r in self.rows if r.change != SAME]


def _key(item: Check | Requirement) -> tuple[str, str]:
    return item.kind, item.key


def compare(snapshot: Sequence[Check], live: Sequence[Check]) -> tuple[ComparedRequirement, ...]:
    """Pair snapshot and live requirements by kind and key, in the live order (then gone ones)."""
    then = {_key(r): r for r in present(snapshot)}
    now = [*present(live)]
    rows = [ComparedRequirement(then.pop(_key(r), None), r) for r in now]
    rows += [ComparedRequirement(r, None) for r in then.values()]
    return tuple(rows)


def snapshot_checks(cert: Certification) -> list[Check]:
    """The checks frozen in the certification's evidence when it was proposed."""
    return [check_from_dict(c) for c in (cert.evidence or {}).get("checks", [])]


def live_checks(
    certs: Sequence[Certification], now: datetime, ladder: Ladder | None = None
) -> dict[int, list[Check]]:
    """The proposed level's requirements checked now, per certification (one evidence read)."""
    ladder = ladder or current_ladder()
    evidence = collect_evidence({c.user_id: c.user for c in certs}.values(), ladder, now)
    out = {}
    for cert in certs:
        level = ladder.level(cert.level)
        out[cert.id] = check_level(level, evidence[cert.user_id], ladder, now) if level else []
    return out


def review_proposals(certs: Sequence[Certification], now: datetime) -> dict[int, ProposalReview]:
    """Snapshot against live requirements for each proposal, by certification id."""
    if not certs:
        return {}
    live = live_checks(certs, now)
    return {
        cert.id: ProposalReview(
            cert, compare(snapshot_checks(cert), live[cert.id]), tuple(live[cert.id])
        )
        for cert in certs
    }
