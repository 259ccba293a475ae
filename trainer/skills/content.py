"""`flask content check|sync` for courses/skills.yaml (ContentLoader "skills").

References are checked against the files below the content root (lessons, scenarios and their
rubric items, bank categories, the platform policy) and the KPI catalogue in force.
"""

import re
from pathlib import Path

from trainer.core.i18n import _, message_locale
from trainer.core.problems import Problem, ProblemsError
from trainer.core.yamlsafe import DocumentError, load_document
from trainer.roleplay.content import scenario_files
from trainer.roleplay.policy.store import POLICY_FILE
from trainer.scorecards.catalogue import current_catalogue, shipped_catalogue
from trainer.skills import store
from trainer.skills.skillmap import (
    Known,
    coverage_warnings,
    load,
    read_map,
    reference_problems,
)

CATEGORY = re.compile(r"^\$CATEGORY:\s*(\S+)", re.M)
LESSON_FILE = re.compile(r"^\d+-(.+)\.md$")


def _yaml_data(path: Path):
    try:
        return load_document(path.read_text(encoding="utf-8")).data
    except (DocumentError, UnicodeDecodeError):
        return None  # that file's own checker reports it


def known_references(root: Path, *, in_force: bool = False) -> Known:
    """What exists below `root` for the map to refer to, and the KPI catalogue (the shipped
    file for `content check`; the one in force, `in_force`, for the trainers' editor)."""
    root = Path(root)
    courses = root / "courses"
    lessons = categories = None
    if courses.is_dir():
        lessons = {
            f"{folder.name}/{m.group(1)}"
            for folder in courses.iterdir()
            if folder.is_dir()
            for path in folder.glob("*.md")
            if (m := LESSON_FILE.match(path.name))
        }
        categories = {
            c
            for bank in courses.glob("*/*.gift")
            for c in CATEGORY.findall(bank.read_text(encoding="utf-8", errors="replace"))
        }
    rubric: dict[str, set[str]] | None = None
    if (root / "scenarios").is_dir():
        rubric = {}
        for path in scenario_files(root):
            data = _yaml_data(path)
            if isinstance(data, dict) and isinstance(data.get("slug"), str):
                items = (data.get("rubric") or {}).get("items") or []
                rubric[data["slug"]] = {i.get("id") for i in items if isinstance(i, dict)}
    policies = None
    if (root / POLICY_FILE).is_file():
        data = _yaml_data(root / POLICY_FILE) or {}
        policies = {r.get("id") for r in data.get("rules") or [] if isinstance(r, dict)}
    catalogue = current_catalogue() if in_force else shipped_catalogue()
    kpis = {k.key for k in catalogue.agent_kpis}
    return Known(lessons, rubric, categories, policies, kpis)


def lint(text: str, root: Path, *, in_force: bool = False) -> list[Problem]:
    """Shape and reference problems of a map's text (line numbers in that text)."""
    try:
        document = load(text)
    except ProblemsError as error:
        return error.problems
    skill_map, problems = read_map(document)
    if problems:
        return problems
    return reference_problems(document, skill_map, known_references(root, in_force=in_force))


def _file(root: Path) -> Path:
    return Path(root) / store.MAP_FILE


def check(root: Path) -> list[Problem]:
    """Problems in the skills map as `file:line: message` (none when there is no file)."""
    path = _file(root)
    if not path.is_file():
        return []
    with message_locale():
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            return [Problem(str(store.MAP_FILE), 1, _("the file is not UTF-8 text"))]
        return [Problem(str(store.MAP_FILE), p.line, p.message) for p in lint(text, root)]


def warn(root: Path) -> list[Problem]:
    """Skills measured but taught nowhere, or taught but never measured."""
    path = _file(root)
    if not path.is_file():
        return []
    with message_locale():
        try:
            document = load(path.read_text(encoding="utf-8"))
        except (ProblemsError, UnicodeDecodeError):
            return []
        skill_map, problems = read_map(document)
        if problems:
            return []
        return [
            Problem(str(store.MAP_FILE), w.line, w.message)
            for w in coverage_warnings(document, skill_map)
        ]


def sync(root: Path) -> dict[str, int]:
    """Load the map as a new version when the file changed since it was last loaded."""
    path = _file(root)
    if not path.is_file():
        return {"maps": 0, "new": 0, "unchanged": 0}
    version = store.save_version(
        path.read_text(encoding="utf-8"), source=store.FILE, only_if_changed=True
    )
    return {"maps": 1, "new": int(version is not None), "unchanged": int(version is None)}
