"""Trainers write drills in the browser: the YAML is checked like a file, then versioned."""

from trainer.core.i18n import _
from trainer.core.problems import Problem, ProblemsError
from trainer.drills import catalog
from trainer.drills.spec import parse_drill, scenario_line, scenario_slugs
from trainer.roleplay import catalog as scenarios

TEMPLATE = """\
slug: new-drill
title:
  zh_CN: 新演练
  en: New drill
length: 300
target_seconds: 30
patience:
  follow_up_after: 30
  leave_after: 90
scenarios:
  - scenario: live-room-lowest-price-question
arrivals:
  - at: 0
  - burst: {count: 3, within: 20, at: 30}
"""


def check_drill_text(text: str, slug: str | None = None) -> tuple[dict | None, list[Problem]]:
    """(spec, problems) of an edited drill: the file checks plus unknown or unpublished
    scenarios and, when editing, a changed slug."""
    try:
        spec = parse_drill(text, expected_slug=slug)
    except ProblemsError as error:
        return None, error.problems
    problems = []
    for name in sorted(scenario_slugs(spec)):
        scenario = scenarios.get_scenario(name)
        if scenario is None or not scenario.published:
            problems.append(
                Problem.at(
                    scenario_line(text, name), _("no published scenario %(slug)s", slug=name)
                )
            )
    return (spec if not problems else None), problems


def save_drill_text(text: str, actor, slug: str | None = None):
    """Store the edited drill as a new version; ProblemsError when it does not check."""
    spec, problems = check_drill_text(text, slug)
    if problems:
        raise ProblemsError(problems)
    if slug is None and catalog.get_drill(spec["slug"]) is not None:
        raise ProblemsError(
            [Problem.at(1, _("a drill %(slug)s exists already", slug=spec["slug"]))]
        )
    return catalog.save_version(spec, text, source=catalog.EDITOR, actor=actor)
