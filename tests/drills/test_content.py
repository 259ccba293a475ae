"""Drill files: the schema, line-numbered problems, seeded arrivals, check and sync."""

import shutil

import pytest

from tests.drills.conftest import RUSH_YAML
from trainer.config import ROOT
from trainer.core.problems import ProblemsError
from trainer.drills.spec import expand_arrivals, parse_drill
from trainer.extensions import db


def _problems(text: str, locale: str = "en") -> list:
    from flask_babel import force_locale

    with force_locale(locale), pytest.raises(ProblemsError) as caught:
        parse_drill(text)
    return caught.value.problems


def test_the_tiny_rush_parses_with_defaults(app):
    spec = parse_drill(RUSH_YAML)
    assert spec["patience"]["leave_after"] == 40 and spec["seed"] == 1
    assert [(a.at, a.scenario) for a in expand_arrivals(spec)] == [
        (0, "tiny-parcel"),
        (5, "tiny-parcel"),
        (10, "tiny-parcel"),
    ]


def test_bursts_and_random_arrivals_are_reproducible(app):
    text = RUSH_YAML.replace(
        "  - at: 10\n",
        "  - burst: {count: 5, within: 20, at: 30}\n"
        "  - random: {per_minute: 6, from: 60, until: 110}\n",
    )
    first, second = expand_arrivals(parse_drill(text)), expand_arrivals(parse_drill(text))
    assert first == second
    assert [a.at for a in first[2:7]] == [30, 35, 40, 45, 50]
    assert all(60 <= a.at < 110 for a in first[7:])
    other_seed = expand_arrivals(parse_drill(text.replace("length: 120", "length: 120\nseed: 9")))
    assert [a.at for a in other_seed[7:]] != [a.at for a in first[7:]]


def test_bad_schedules_get_line_numbered_problems(app):
    text = RUSH_YAML.replace("  leave_after: 40", "  leave_after: 10").replace(
        "  - at: 10", "  - at: 500\n  - burst: {count: 3, within: 200, at: 10}\n  - every: 5"
    )
    problems = _problems(text)
    lines = {p.line: p.message for p in problems}
    assert "leave_after" in lines[9]  # must be later than follow_up_after
    assert "from 0 to 119" in lines[18]  # at: 500 beyond the drill
    assert "before the drill's length" in lines[19]
    assert "exactly one of" in lines[20]


def test_problems_speak_the_cli_language(app):
    problems = _problems(RUSH_YAML.replace("length: 120", "length: nine"), "zh_CN")
    assert problems[0].line == 5 and "整数" in problems[0].message


def test_content_check_passes_the_shipped_drills(app, runner):
    result = runner.invoke(args=["content", "check"])
    assert result.exit_code == 0, result.output


def test_content_check_names_file_line_and_unknown_scenario(app, runner, tmp_path):
    shutil.copytree(ROOT / "scenarios", tmp_path / "scenarios")
    (tmp_path / "scenarios" / "drills" / "broken.yaml").write_text(
        RUSH_YAML.replace("tiny-rush", "broken").replace("tiny-parcel", "no-such-scenario"),
        encoding="utf-8",
    )
    (tmp_path / "scenarios" / "drills" / "bad-length.yaml").write_text(
        RUSH_YAML.replace("tiny-rush", "bad-length").replace("length: 120", "length: 5"),
        encoding="utf-8",
    )
    result = runner.invoke(args=["content", "check", "--root", str(tmp_path)])
    assert result.exit_code != 0
    assert "scenarios/drills/broken.yaml:14: no scenario no-such-scenario" in result.output
    assert "scenarios/drills/bad-length.yaml:5: length" in result.output


def test_sync_loads_versions_once(app, runner):
    from trainer.drills.models import Drill, DrillVersion

    result = runner.invoke(args=["content", "sync"])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(db.select(db.func.count(Drill.id))) == 3
    runner.invoke(args=["content", "sync"])
    assert db.session.scalar(db.select(db.func.count(DrillVersion.id))) == 3
