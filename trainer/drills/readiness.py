"""Peak readiness of a team: per agent the most customers handled at once at target, the trend
of drill scores and who is not ready yet (docs/drills.md). Figures from `summarise_runs`, as
stored on the runs (drills.figures)."""

import csv
import io
from dataclasses import dataclass

from trainer.accounts.models import User
from trainer.core.clock import iso_local
from trainer.core.csvcells import text_cell
from trainer.core.i18n import _
from trainer.drills.figures import RunFigures, run_figures
from trainer.drills.history import finished_runs
from trainer.extensions import db

# A run is "at target" when at least this share of first replies came in time, with no breach.
AT_TARGET_SHARE = 0.9
# Ready for the peak: a run at target with at least this many customers at once.
READY_PARALLEL = 3
TREND_RUNS = 5


@dataclass(frozen=True)
class AgentReadiness:
    """One agent's line of the readiness view and its CSV."""

    user: User
    runs: int
    peak_at_target: int  # most customers at once in a run at target (0: none yet)
    trend: list[int]  # the last scores, oldest first
    last_score: int | None
    best_score: int | None
    last_run_at: object

    @property
    def ready(self) -> bool:
        return self.peak_at_target >= READY_PARALLEL

    @property
    def change(self) -> int | None:
        """The last score against the one before it."""
        return self.trend[-1] - self.trend[-2] if len(self.trend) >= 2 else None


def at_target(summary: RunFigures) -> bool:
    """A graded run with enough first replies in time and no breach."""
    return (
        summary.score is not None
        and summary.within_target_share is not None
        and summary.within_target_share >= AT_TARGET_SHARE
        and summary.breaches == 0
    )


def team_agents(actor) -> list[User]:
    """The active agents a manager leads (every agent for an admin), by name."""
    query = db.select(User).where(User.role == "agent", User.active).order_by(User.name, User.id)
    if actor.role == "manager":
        query = query.where(User.team_id == (actor.team_id if actor.team_id is not None else -1))
    return list(db.session.scalars(query))


def team_readiness(actor) -> list[AgentReadiness]:
    """One line per agent in the actor's scope (a fixed number of queries)."""
    agents = team_agents(actor)
    runs = finished_runs([a.id for a in agents])
    figures = run_figures(runs)
    per_user: dict[int, list[tuple[object, RunFigures]]] = {a.id: [] for a in agents}
    for run in runs:  # oldest first
        per_user[run.user_id].append((run.finished_at, figures[run.id]))
    lines = []
    for agent in agents:
        own = [f for _finished, f in per_user[agent.id]]
        scores = [s.score for s in own if s.score is not None]
        lines.append(
            AgentReadiness(
                user=agent,
                runs=len(own),
                peak_at_target=max((s.max_parallel for s in own if at_target(s)), default=0),
                trend=scores[-TREND_RUNS:],
                last_score=scores[-1] if scores else None,
                best_score=max(scores, default=None),
                last_run_at=per_user[agent.id][-1][0] if own else None,
            )
        )
    return lines


def readiness_csv(lines: list[AgentReadiness]) -> str:
    """The readiness view as CSV (spreadsheet-safe cells)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            _("Agent"),
            _("Email"),
            _("Drills"),
            _("Last drill"),
            _("Last score"),
            _("Best score"),
            _("Most customers at once at target"),
            _("Ready for the peak"),
        ]
    )
    for line in lines:
        writer.writerow(
            [
                text_cell(line.user.name),
                text_cell(line.user.email),
                line.runs,
                iso_local(line.last_run_at) if line.last_run_at else "",
                "" if line.last_score is None else line.last_score,
                "" if line.best_score is None else line.best_score,
                line.peak_at_target,
                _("yes") if line.ready else _("no"),
            ]
        )
    return out.getvalue()
