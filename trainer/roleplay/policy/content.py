"""`flask content check|sync` for scenarios/_policy.yaml (ContentLoader "policy")."""

from pathlib import Path

from trainer.core.i18n import _, message_locale
from trainer.core.problems import Problem
from trainer.roleplay import yamltext
from trainer.roleplay.content import _display, _lesson_exists
from trainer.roleplay.policy import store
from trainer.roleplay.policy.models import SYNC_NOTE
from trainer.roleplay.policy.spec import validate
from trainer.roleplay.schema import spec_problem


def lint(text: str, root: Path | None) -> tuple[dict, list[Problem]]:
    """Validate policy YAML, and that each rule's lesson exists below `root` (when given)."""
    data, problems = validate(text)
    if problems or root is None:
        return data, problems
    lines = yamltext.load_with_lines(text)[1]
    with message_locale():
        for index, rule in enumerate(data["rules"]):
            if _lesson_exists(root, rule["lesson"]) is False:
                path = ("rules", index, "lesson")
                problems.append(
                    spec_problem(
                        yamltext.line_of(lines, path),
                        f"rules.{index}.lesson",
                        _(
                            "rules.%(i)d.lesson: no lesson %(key)s in courses/",
                            i=index,
                            key=rule["lesson"],
                        ),
                    )
                )
    return data, problems


def check(root: Path) -> list[Problem]:
    """Problems in the policy file, as `file:line: message` (none when there is no file)."""
    path = Path(root) / store.POLICY_FILE
    if not path.is_file():
        return []
    shown = _display(path, Path(root))
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        with message_locale():
            return [Problem(shown, 1, _("the file is not UTF-8 text"))]
    problems = lint(text, Path(root))[1]
    return [Problem(shown, p.line, p.message) for p in problems]


def sync(root: Path) -> dict[str, int]:
    """Load the policy file as a new version when it changed since it was last loaded."""
    path = Path(root) / store.POLICY_FILE
    if not path.is_file():
        return {"policy": 0, "new": 0, "unchanged": 0}
    text = path.read_text(encoding="utf-8")
    with message_locale():
        version = store.save_version(
            text,
            source=store.FILE,
            note=SYNC_NOTE,
            only_if_source_changed=True,
        )
    return {"policy": 1, "new": int(version is not None), "unchanged": int(version is None)}
