"""Public API of drills for the features above it: finished drills per agent, titles."""

from pathlib import Path

from trainer.core.evidence import DrillResult
from trainer.core.problems import ProblemsError
from trainer.drills import catalog, history
from trainer.drills.content import drill_files
from trainer.drills.figures import run_figures
from trainer.drills.spec import parse_drill


def drill_results(user_ids: list[int]) -> dict[int, list[DrillResult]]:
    """Every finished run per user with its figures, newest first (every id is a key).

    The figures stored on the runs (drills.figures), read with the runs."""
    results: dict[int, list[DrillResult]] = {uid: [] for uid in user_ids}
    runs = history.finished_runs(list(user_ids))
    figures = run_figures(runs)
    for run in reversed(runs):
        s = figures[run.id]
        results[run.user_id].append(
            DrillResult(
                run_id=run.id,
                drill_slug=run.drill.slug,
                finished_at=run.finished_at,
                within_target_share=s.within_target_share,
                breaches=s.breaches,
                served=s.served,
                abandoned=s.abandoned,
                max_parallel=s.max_parallel,
                score=s.score,
            )
        )
    return results


def drill_titles(slugs: list[str]) -> dict[str, dict]:
    """Slug → bilingual title of the stored drills among `slugs`."""
    return {d.slug: d.title for d in catalog.all_drills() if d.slug in set(slugs)}


def drill_choices(root: Path) -> list[tuple[str, dict]]:
    """(slug, bilingual title) of every drill an admin can require: the stored drills and the
    drill files below `root` not synced yet (titled from the file, or by the slug when the
    file does not parse), by slug."""
    found: dict[str, dict] = {d.slug: d.title or {} for d in catalog.all_drills()}
    for path in drill_files(Path(root)):
        if path.stem not in found:
            try:
                found[path.stem] = parse_drill(path.read_text(encoding="utf-8"))["title"]
            except (ProblemsError, UnicodeDecodeError):
                found[path.stem] = {}
    return sorted(found.items())


def shipped_drill_slugs(root: Path) -> set[str]:
    """The drill files below a content root."""
    return {p.stem for p in drill_files(Path(root))}
