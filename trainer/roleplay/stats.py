"""Figures for trainers: sessions, average score and pass rate per scenario; version history."""

from trainer.extensions import db
from trainer.roleplay.models import RoleplayGrade, RoleplaySession, Scenario, ScenarioVersion


def scenario_figures(scenario_ids: list[int]) -> dict[int, dict]:
    """Scenario id → graded non-trial sessions, average final total, pass rate (one query)."""
    if not scenario_ids:
        return {}
    rows = db.session.execute(
        db.select(
            RoleplaySession.scenario_id,
            db.func.count(RoleplayGrade.id),
            db.func.avg(RoleplayGrade.total),
            db.func.count(RoleplayGrade.id).filter(RoleplayGrade.passed),
        )
        .join(RoleplayGrade, RoleplayGrade.session_id == RoleplaySession.id)
        .where(RoleplaySession.scenario_id.in_(scenario_ids), RoleplaySession.trial.is_(False))
        .group_by(RoleplaySession.scenario_id)
    )
    return {
        sid: {"sessions": n, "average": float(avg or 0), "pass_rate": passed / n if n else 0}
        for sid, n, avg, passed in rows
    }


def versions_with_authors(scenario: Scenario) -> list[ScenarioVersion]:
    """All versions, newest first, with their authors loaded."""
    return list(
        db.session.scalars(
            db.select(ScenarioVersion)
            .where(ScenarioVersion.scenario_id == scenario.id, ScenarioVersion.draft.is_(False))
            .options(db.joinedload(ScenarioVersion.created_by))
            .order_by(ScenarioVersion.number.desc())
        )
    )
