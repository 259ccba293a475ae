"""`flask content check|sync` for scenarios/drills/*.yaml (ContentLoader "drills", order 35)."""

from pathlib import Path

from trainer.core.i18n import _
from trainer.core.problems import Problem, ProblemsError
from trainer.drills import catalog
from trainer.drills.spec import parse_drill, scenario_line, scenario_slugs


def drill_files(root: Path) -> list[Path]:
    """The shipped drill files below the content root."""
    folder = Path(root) / "scenarios" / "drills"
    return sorted(folder.glob("[!_]*.yaml")) if folder.is_dir() else []


def _display(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def check(root: Path) -> list[Problem]:
    """Every problem in every drill file, as `file:line: message`."""
    problems: list[Problem] = []
    shipped = {p.stem for p in (Path(root) / "scenarios").glob("[!_]*.yaml")}
    for path in drill_files(root):
        shown = _display(path, Path(root))
        try:
            text = path.read_text(encoding="utf-8")
            spec = parse_drill(text, expected_slug=path.stem)
        except UnicodeDecodeError:
            problems.append(Problem(shown, 1, _("the file is not UTF-8 text")))
            continue
        except ProblemsError as error:
            problems.extend(Problem(shown, p.line, p.message) for p in error.problems)
            continue
        for slug in sorted(scenario_slugs(spec) - shipped):
            problems.append(
                Problem(
                    shown,
                    scenario_line(text, slug),
                    _("no scenario %(slug)s in scenarios/", slug=slug),
                )
            )
    return problems


def sync(root: Path) -> dict[str, int]:
    """Load changed drill files as new versions (idempotent; runs after the scenarios)."""
    counts = {"drills": 0, "new": 0, "updated": 0, "unchanged": 0}
    for path in drill_files(root):
        text = path.read_text(encoding="utf-8")
        spec = parse_drill(text, expected_slug=path.stem)
        counts["drills"] += 1
        existing = catalog.get_drill(spec["slug"])
        if existing is not None and catalog.file_unchanged(existing, spec):
            counts["unchanged"] += 1
            continue
        _, version = catalog.save_version(spec, text, source=catalog.FILE)
        if version is None:
            counts["unchanged"] += 1
        elif existing is None:
            counts["new"] += 1
        else:
            counts["updated"] += 1
    return counts
