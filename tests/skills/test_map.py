"""The skills map as content: `content check` (problems by line, warnings) and `content sync`."""

import shutil

from trainer.config import ROOT
from trainer.core.content import sync_content
from trainer.core.i18n import cli_locale
from trainer.extensions import db
from trainer.skills import content
from trainer.skills.models import SkillMapVersion
from trainer.skills.skillmap import coverage_warnings, load, read_map

SHIPPED = (ROOT / "courses" / "skills.yaml").read_text(encoding="utf-8")


def _line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_the_shipped_map_is_clean_complete_and_covers_ten_skills(app):
    assert content.check(ROOT) == [] and content.warn(ROOT) == []
    skill_map, problems = read_map(load(SHIPPED))
    assert problems == [] and len(skill_map.skills) == 10
    assert all(s.lessons and s.scenarios and s.measured for s in skill_map.skills)


def test_unknown_references_are_reported_with_their_lines(app):
    text = (
        SHIPPED.replace("platform-orders/order-lifecycle", "platform-orders/nope", 1)
        .replace(
            "aftersales-seven-day-return-dress/checked_condition",
            "aftersales-seven-day-return-dress/no_such_item",
            1,
        )
        .replace("policies: [abuse]", "policies: [no_such_rule]", 1)
        .replace("kpis: [csat]", "kpis: [happiness]", 1)
        .replace(
            "quiz_categories: [compliance/platform-rules]",
            "quiz_categories: [compliance/nowhere]",
            1,
        )
    )
    found = {(p.line, p.message.split(": ", 1)[0]) for p in content.lint(text, ROOT)}
    assert found == {
        (_line_of(text, "platform-orders/nope"), "verify_facts"),
        (_line_of(text, "no_such_item"), "verify_facts"),
        (_line_of(text, "no_such_rule"), "empathy_apology"),
        (_line_of(text, "happiness"), "empathy_apology"),
        (_line_of(text, "compliance/nowhere"), "logistics_handoff"),
    }


def test_shape_problems_and_duplicates(app):
    text = SHIPPED.replace("key: follow_up", "key: first_response", 1).replace(
        "  - key: escalation\n", "  - key: escalation\n    colour: red\n", 1
    )
    with cli_locale():
        messages = [p.message for p in content.lint(text, ROOT)]
    assert any("first_response" in m and "twice" in m for m in messages)
    assert any("colour" in m for m in messages)


def test_warnings_for_measured_not_taught_and_taught_not_measured(app):
    text = SHIPPED.replace(
        "      lessons: [compliance/anti-fraud, compliance/privacy]\n"
        "      scenarios: [fraud-cashback-card-code-scam, fraud-wechat-private-transfer]\n",
        "      lessons: []\n",
        1,
    )
    text += (
        "  - key: live_etiquette\n"
        "    name: {zh_CN: 直播间礼仪, en: Live-room etiquette}\n"
        "    description: {zh_CN: 直播间礼仪, en: Live-room etiquette}\n"
        "    taught_by:\n      lessons: [live-peak/live-room-etiquette]\n"
    )
    document = load(text)
    skill_map, problems = read_map(document)
    assert problems == []
    with cli_locale():
        warnings = [w.message for w in coverage_warnings(document, skill_map)]
    assert warnings == [
        "skill anti_fraud is measured but taught nowhere",
        "skill live_etiquette is taught but never measured",
    ]


def test_content_check_cli_prints_lines_and_warnings(app, runner, tmp_path):
    for folder in ("courses", "scenarios"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    bad = SHIPPED.replace("platform-orders/order-lifecycle", "platform-orders/nope", 1)
    (tmp_path / "courses" / "skills.yaml").write_text(bad, encoding="utf-8")
    result = runner.invoke(args=["content", "check", "--root", str(tmp_path)])
    assert result.exit_code != 0
    line = _line_of(bad, "platform-orders/nope")
    assert f"courses/skills.yaml:{line}: verify_facts: no lesson platform-orders/nope" in (
        result.output
    )


def test_sync_stores_a_version_once_per_change(app):
    sync_content(ROOT)
    sync_content(ROOT)
    db.session.commit()
    assert db.session.scalar(db.select(db.func.count(SkillMapVersion.id))) == 1
