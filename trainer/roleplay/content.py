"""`flask content check|sync` for scenarios/*.yaml (ContentLoader "roleplay", order 30)."""

from pathlib import Path

from trainer.core.i18n import _
from trainer.core.problems import Problem
from trainer.roleplay import catalog
from trainer.roleplay.scenarios import ScenarioError, parse_scenario


def scenario_files(root: Path) -> list[Path]:
    """The shipped scenario files below the content root (`_*.yaml`, e.g. the policy, are not)."""
    folder = Path(root) / "scenarios"
    return sorted(folder.glob("[!_]*.yaml")) if folder.is_dir() else []


def _display(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def _lesson_exists(root: Path, key: str) -> bool | None:
    """Whether `course/lesson` names a shipped lesson file; None if courses are not shipped."""
    courses = Path(root) / "courses"
    if not courses.is_dir():
        return None
    course, lesson = key.split("/", 1)
    folder = courses / course
    return folder.is_dir() and any(folder.glob(f"[0-9]*-{lesson}.md"))


def check(root: Path) -> list[Problem]:
    """Every problem in every scenario file, as `file:line: message`."""
    problems: list[Problem] = []
    for path in scenario_files(root):
        shown = _display(path, Path(root))
        try:
            text = path.read_text(encoding="utf-8")
            spec = parse_scenario(text, expected_slug=path.stem)
        except UnicodeDecodeError:
            problems.append(Problem(shown, 1, _("the file is not UTF-8 text")))
            continue
        except ScenarioError as error:
            problems.extend(Problem(shown, p.line, p.message) for p in error.problems)
            continue
        for index, link in enumerate(spec["coaching"]):
            if _lesson_exists(root, link["lesson"]) is False:
                line = _line_of_text(text, link["lesson"])
                problems.append(
                    Problem(
                        shown,
                        line,
                        _(
                            "coaching.%(i)d.lesson: no lesson %(key)s in courses/",
                            i=index,
                            key=link["lesson"],
                        ),
                    )
                )
    return problems


def _line_of_text(text: str, needle: str) -> int:
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            return number
    return 1


def sync(root: Path) -> dict[str, int]:
    """Load changed files as new versions (idempotent). New scenarios are published.

    A file that did not change since it was last loaded is skipped, so edits a trainer made in
    the browser stay until the file itself changes.
    """
    counts = {"scenarios": 0, "new": 0, "updated": 0, "unchanged": 0}
    for path in scenario_files(root):
        text = path.read_text(encoding="utf-8")
        spec = parse_scenario(text, expected_slug=path.stem)
        counts["scenarios"] += 1
        existing = catalog.get_scenario(spec["slug"])
        if existing is not None and _file_unchanged(existing, spec):
            counts["unchanged"] += 1
            continue
        scenario, version = catalog.save_version(
            spec, text, source=catalog.FILE, publish=True if existing is None else None
        )
        if version is None:
            counts["unchanged"] += 1
        elif existing is None:
            counts["new"] += 1
        else:
            counts["updated"] += 1
    return counts


def _file_unchanged(scenario, spec: dict) -> bool:
    """True when the newest version loaded from a file has this content."""
    from trainer.extensions import db
    from trainer.roleplay.models import ScenarioVersion
    from trainer.roleplay.scenarios import spec_digest

    digest = db.session.scalar(
        db.select(ScenarioVersion.digest)
        .where(ScenarioVersion.scenario_id == scenario.id, ScenarioVersion.source == catalog.FILE)
        .order_by(ScenarioVersion.number.desc())
        .limit(1)
    )
    return digest == spec_digest(spec)
