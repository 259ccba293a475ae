"""Scenario files: validation with line numbers, round trips, `content check` and `content sync`."""

import shutil

import pytest
from flask_babel import force_locale

from tests.roleplay.conftest import tiny_yaml
from trainer.config import ROOT
from trainer.extensions import db
from trainer.roleplay import catalog, content
from trainer.roleplay.models import Scenario, ScenarioVersion
from trainer.roleplay.scenarios import ScenarioError, dump_spec, parse_scenario

SHIPPED = sorted((ROOT / "scenarios").glob("[!_]*.yaml"))


@pytest.fixture(autouse=True)
def english(app):
    """Messages in English (pytest-flask's test request would pick Chinese)."""
    with force_locale("en"):
        yield


def _problems(text: str, **kwargs) -> list[tuple[int, str]]:
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(text, **kwargs)
    return [(p.line, p.message) for p in caught.value.problems]


def _line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_shipped_scenario_is_valid_and_round_trips(app, path):
    spec = parse_scenario(path.read_text(encoding="utf-8"), expected_slug=path.stem)
    assert parse_scenario(dump_spec(spec)) == spec
    assert spec["title"]["zh_CN"] and spec["title"]["en"]


def test_shipped_library_covers_every_category_and_difficulty(app):
    from trainer.roleplay.scenarios import CATEGORIES

    specs = [parse_scenario(p.read_text(encoding="utf-8")) for p in SHIPPED]
    assert len(specs) >= 12
    assert {s["category"] for s in specs} == set(CATEGORIES)
    assert {s["difficulty"] for s in specs} == {1, 2, 3}
    for spec in specs:
        checks = [i.get("check", {}).get("type") for i in spec["rubric"]["items"]]
        assert "first_response_within" in checks, spec["slug"]
        assert any(i["critical"] for i in spec["rubric"]["items"]), spec["slug"]


@pytest.mark.parametrize(
    ("old", "new", "needle", "message"),
    [
        ("category: after_sales", "category: returns", "category:", "must be one of"),
        ("difficulty: 1", "difficulty: 7", "difficulty:", "between 1 and 3"),
        ("scale: 5", "scale: 10", "scale: 10", "pass_fail, 3, 4 or 5"),
        ("fact: has_photos", "fact: no_such_fact", "fact: no_such_fact", "hidden_facts ids"),
        ("lexicon: [off_platform]", "lexicon: [wechat]", "lexicon:", "unknown lexicon"),
        (
            "lesson: complaints/calming-angry-customers",
            "lesson: Calming Customers",
            "lesson:",
            "course-slug/lesson-slug",
        ),
        ("  patience: 2", "  patience: 2\n  mood: grumpy", "mood: grumpy", "unknown key"),
        ("opening: 杯子碎了！怎么办？", "opening: ''", "opening:", "is required"),
        ("kind: judged", "kind: vibes", "kind: vibes", "rule or judged"),
    ],
)
def test_problems_name_the_line(app, old, new, needle, message):
    text = tiny_yaml()
    assert old in text, old
    broken = text.replace(old, new, 1)
    problems = _problems(broken)
    assert any(line == _line_of(broken, needle) and message in text for line, text in problems), (
        problems
    )


def test_yaml_syntax_error_has_a_line(app):
    broken = tiny_yaml().replace("opening: 杯子碎了！怎么办？", "opening: [unclosed")
    (line, message), *_ = _problems(broken)
    assert "not valid YAML" in message and line >= _line_of(broken, "opening:")


def test_duplicate_keys_are_reported(app):
    text = tiny_yaml()
    broken = text.replace("difficulty: 1", "difficulty: 1\ndifficulty: 2")
    assert any("duplicate key" in m for _, m in _problems(broken))


def test_slug_must_match_the_file_name(app):
    problems = _problems(tiny_yaml(), expected_slug="other-name")
    assert problems == [(1, "slug: must equal the file name (other-name)")]


def test_mood_thresholds_must_be_ordered(app):
    broken = tiny_yaml().replace("give_up_at: 10", "give_up_at: 60")
    assert any("give_up_at < start < satisfied_at" in m for _, m in _problems(broken))


def test_defaults_are_filled_in(app):
    text = tiny_yaml().replace("\n      weight: 1\n", "\n", 1).replace("  patience: 2\n", "")
    spec = parse_scenario(text)
    assert spec["persona"]["patience"] == 3
    assert spec["rubric"]["items"][0]["weight"] == 1
    assert spec["rubric"]["items"][0]["critical"] is False


def test_content_check_reports_file_and_line(app, tmp_path):
    folder = tmp_path / "scenarios"
    folder.mkdir()
    (folder / "tiny-parcel.yaml").write_text(
        tiny_yaml().replace("difficulty: 1", "difficulty: 9"), encoding="utf-8"
    )
    (folder / "wrong-name.yaml").write_text(tiny_yaml(), encoding="utf-8")
    problems = content.check(tmp_path)
    rendered = [str(p) for p in problems]
    assert any(r.startswith("scenarios/tiny-parcel.yaml:") and "difficulty" in r for r in rendered)
    assert any(r.startswith("scenarios/wrong-name.yaml:1:") for r in rendered)


def test_content_check_finds_missing_coaching_lessons(app, tmp_path):
    (tmp_path / "scenarios").mkdir()
    (tmp_path / "courses" / "complaints").mkdir(parents=True)
    (tmp_path / "scenarios" / "tiny-parcel.yaml").write_text(tiny_yaml(), encoding="utf-8")
    problems = [str(p) for p in content.check(tmp_path)]
    assert problems and "complaints/calming-angry-customers" in problems[0]
    (tmp_path / "courses" / "complaints" / "02-calming-angry-customers.md").write_text("x")
    assert content.check(tmp_path) == []


def test_shipped_content_passes_the_cli_check(app, runner):
    result = runner.invoke(args=["content", "check"])
    assert result.exit_code == 0, result.output
    assert "scenarios/" not in result.output


def test_sync_is_idempotent_and_versions_changes(app, tmp_path):
    folder = tmp_path / "scenarios"
    folder.mkdir()
    path = folder / "tiny-parcel.yaml"
    path.write_text(tiny_yaml(), encoding="utf-8")
    assert content.sync(tmp_path) == {"scenarios": 1, "new": 1, "updated": 0, "unchanged": 0}
    db.session.commit()
    assert content.sync(tmp_path)["unchanged"] == 1
    db.session.commit()
    scenario = catalog.get_scenario("tiny-parcel")
    assert scenario.published and scenario.current_version.number == 1
    path.write_text(tiny_yaml().replace("杯子碎了！怎么办？", "杯子碎了两个！"), encoding="utf-8")
    assert content.sync(tmp_path)["updated"] == 1
    db.session.commit()
    db.session.expire_all()
    scenario = catalog.get_scenario("tiny-parcel")
    assert scenario.current_version.number == 2
    assert scenario.current_version.spec["opening"] == "杯子碎了两个！"
    assert db.session.scalar(db.select(db.func.count(ScenarioVersion.id))) == 2


def test_sync_keeps_browser_edits_until_the_file_changes(app, tmp_path, make_user):
    (tmp_path / "scenarios").mkdir()
    path = tmp_path / "scenarios" / "tiny-parcel.yaml"
    path.write_text(tiny_yaml(), encoding="utf-8")
    content.sync(tmp_path)
    db.session.commit()
    trainer = make_user("trainer")
    spec = parse_scenario(tiny_yaml().replace("杯子碎了！怎么办？", "编辑过的开场白"))
    catalog.save_version(spec, None, source=catalog.EDITOR, actor=trainer)
    db.session.commit()
    content.sync(tmp_path)
    db.session.commit()
    assert catalog.get_scenario("tiny-parcel").current_version.spec["opening"] == "编辑过的开场白"


def test_sync_refuses_invalid_files_and_changes_nothing(app, runner, tmp_path):
    shutil.copytree(ROOT / "scenarios", tmp_path / "scenarios")
    bad = tmp_path / "scenarios" / "aftersales-seven-day-return-dress.yaml"
    bad.write_text(bad.read_text(encoding="utf-8").replace("difficulty: 1", "difficulty: x"))
    result = runner.invoke(args=["content", "sync", "--root", str(tmp_path)])
    assert result.exit_code != 0
    assert "aftersales-seven-day-return-dress.yaml:" in result.output
    assert db.session.scalar(db.select(db.func.count(Scenario.id))) == 0


def test_content_sync_cli_loads_the_shipped_library(app, runner):
    result = runner.invoke(args=["content", "sync"])
    assert result.exit_code == 0, result.output
    assert "roleplay: scenarios=13, new=13" in result.output
    again = runner.invoke(args=["content", "sync"])
    assert "roleplay: scenarios=13, new=0, updated=0, unchanged=13" in again.output


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ("loop: &a [*a]", "anchors and aliases (&name, *name) are not supported"),
        ("tree: &a\n  b: *a", "anchors and aliases (&name, *name) are not supported"),
        ("deep: " + "[" * 1500 + "]" * 1500, "nested more than 50 levels deep"),
        ("a: &a [x, x, x]\nb: [*a, *a, *a]", "anchors and aliases"),
    ],
)
def test_yaml_anchors_aliases_and_deep_nesting_are_refused(app, extra, message):
    text = tiny_yaml()
    line = len(text.splitlines()) + 1
    problems = _problems(text + extra + "\n")
    assert problems[0][0] == line and "not valid YAML" in problems[0][1]
    assert message in problems[0][1]
