"""A finished run's figures, stored on the run so that the level panel and the certification
evidence read them with the run instead of summarising its conversations on every page.

The stored figures are `summarise_runs`'s output for the run, never a second computation: they
are written when the run finishes (grading pending), written again whenever a grade of one of
its conversations lands (the grading job or a trainer's review: `roleplay_graded`), and cleared
when a new platform policy is saved (breaches are counted under the policy in force). A run
without stored figures is summarised when read, so every reader sees `summarise_runs`'s numbers.
"""

from dataclasses import asdict, dataclass, fields

from trainer.core import jobs
from trainer.drills.models import FINISHED, DrillCustomer, DrillRun
from trainer.drills.results import RunSummary, summarise_runs
from trainer.extensions import db

STORE_JOB = "drills.store_figures"  # trainer/drills/jobs.py


@dataclass(frozen=True)
class RunFigures:
    """What a run contributes to an agent's evidence (a part of its RunSummary)."""

    within_target_share: float | None
    breaches: int
    served: int
    abandoned: int
    max_parallel: int
    score: int | None
    grading_pending: bool


_NAMES = frozenset(f.name for f in fields(RunFigures))


def figures_of(summary: RunSummary) -> RunFigures:
    """The figures of a summary."""
    return RunFigures(**{name: getattr(summary, name) for name in _NAMES})


def _stored(run: DrillRun) -> RunFigures | None:
    if not run.figures or set(run.figures) != _NAMES:  # never stored, cleared or older shape
        return None
    return RunFigures(**run.figures)


def run_figures(runs: list[DrillRun]) -> dict[int, RunFigures]:
    """Figures per run: the stored ones, and `summarise_runs` for runs without (no query when
    every run has them; a fixed number otherwise)."""
    found = {run.id: _stored(run) for run in runs}
    missing = [run for run in runs if found[run.id] is None]
    for run_id, summary in summarise_runs(missing).items():
        found[run_id] = figures_of(summary)
    return found


def store(runs: list[DrillRun]) -> None:
    """Summarise the finished runs among `runs` and store their figures; the caller commits."""
    finished = [run for run in runs if run.status == FINISHED]
    for run_id, summary in summarise_runs(finished).items():
        db.session.get(DrillRun, run_id).figures = asdict(figures_of(summary))
    db.session.flush()


def on_roleplay_graded(sender=None, *, session_id: int, **_kwargs) -> None:
    """A conversation's grade landed or changed: store its finished run's figures again."""
    run = db.session.scalar(
        db.select(DrillRun)
        .join(DrillCustomer, DrillCustomer.run_id == DrillRun.id)
        .where(DrillCustomer.session_id == session_id, DrillRun.status == FINISHED)
    )
    if run is not None:
        store([run])


def on_policy_saved(sender=None, **_kwargs) -> None:
    """A new policy counts breaches anew: forget every stored figure (summarised when read
    until stored again) and queue the job that stores them all again."""
    db.session.execute(
        db.update(DrillRun)
        .where(DrillRun.figures.is_not(None))
        .values(figures=None)
        .execution_options(synchronize_session="fetch")
    )
    jobs.enqueue(STORE_JOB)
