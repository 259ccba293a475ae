"""The policy stored and edited: content check/sync, the admin page, and grades applying it."""

import json
import shutil
from datetime import UTC, datetime, timedelta, timezone

import pytest
import yaml

from trainer.config import ROOT
from trainer.core.audit import AuditEvent
from trainer.extensions import db
from trainer.roleplay.policy import active_policy, find_breaches, store
from trainer.roleplay.policy.models import PolicyVersion

SHIPPED = (ROOT / "scenarios" / "_policy.yaml").read_text(encoding="utf-8")
# Where the shipped off_platform rule's '收款码' pattern is (the tests break it on purpose).
BROKEN_AT = f"rules.1.patterns.{yaml.safe_load(SHIPPED)['rules'][1]['patterns'].index('收款码')}"
# A general rule a trainer might add: no pressuring the customer into a quick payment.
EXTRA_RULE = """
  - id: payment_pressure
    title: {zh_CN: 催促付款, en: Pressuring payment}
    wording: {zh_CN: 不催促顾客立即付款。, en: Never pressure the customer to pay at once.}
    severity: critical
    lesson: compliance/consumer-protection
    phrases: [赶紧付款]
"""


def _transcript(tmp_path, *turns):
    start = datetime(2026, 3, 2, 9, 0, tzinfo=timezone(timedelta(hours=8)))
    rows = [
        {"speaker": s, "text": t, "at": (start + timedelta(seconds=10 * n)).isoformat()}
        for n, (s, t) in enumerate(turns, start=1)
    ]
    path = tmp_path / "t.json"
    path.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    return path


def test_grade_cli_reports_breaches_in_a_scenario_without_a_lexicon_item(app, runner, tmp_path):
    # The logistics scenario's rubric has no off_platform or sensitive_data item.
    path = _transcript(
        tmp_path,
        ("customer", "我的快递三天没动了，明天是生日！"),
        ("agent", "非常抱歉！我马上帮您查，您加我 ＶＸ 详细说，再把验证码发我核实一下。"),
        ("customer", "好吧。"),
    )
    args = ["roleplay", "grade", "--scenario", "logistics-stuck-birthday-gift"]
    result = runner.invoke(args=[*args, "--transcript", str(path)])
    assert result.exit_code == 0, result.output
    grade = json.loads(result.output)
    assert {b["policy"] for b in grade["breaches"]} == {"off_platform", "sensitive_data"}
    assert all(set(b) == {"policy", "turn", "quote"} and b["turn"] == 1 for b in grade["breaches"])
    assert grade["critical_failed"] is True and grade["total"] == 0 and grade["passed"] is False
    assert any(f["code"] == "policy_breach" for f in grade["flags"])


def test_grade_cli_a_correct_warning_is_not_a_breach(app, runner, tmp_path):
    path = _transcript(
        tmp_path,
        ("customer", "有人说是客服，让我把验证码发给他，还让我加微信。"),
        ("agent", "非常抱歉让您担心！我们不会向您索要验证码，也不会加您微信，请千万别告诉任何人。"),
    )
    args = ["roleplay", "grade", "--scenario", "fraud-cashback-card-code-scam"]
    grade = json.loads(runner.invoke(args=[*args, "--transcript", str(path)]).output)
    assert grade["breaches"] == []
    assert not any(f["code"] == "policy_breach" for f in grade["flags"])


def test_content_check_reports_a_bad_pattern_with_its_line(app, runner, tmp_path):
    shutil.copytree(ROOT / "scenarios", tmp_path / "scenarios")
    shutil.copytree(ROOT / "courses", tmp_path / "courses")
    text = SHIPPED.replace("      - '收款码'", "      - '收款码(('")
    line = text.splitlines().index("      - '收款码(('") + 1
    (tmp_path / "scenarios" / "_policy.yaml").write_text(text, encoding="utf-8")
    result = runner.invoke(args=["content", "check", "--root", str(tmp_path)])
    assert result.exit_code != 0
    assert f"scenarios/_policy.yaml:{line}: {BROKEN_AT}: " in result.output
    assert "missing )" in result.output
    # sync refuses too, and nothing is stored.
    result = runner.invoke(args=["content", "sync", "--root", str(tmp_path)])
    assert result.exit_code != 0
    assert db.session.scalar(db.select(db.func.count(PolicyVersion.id))) == 0


def test_content_check_reports_an_unknown_lesson_and_missing_titles(app, tmp_path):
    from trainer.roleplay.policy import content

    shutil.copytree(ROOT / "courses", tmp_path / "courses")
    (tmp_path / "scenarios").mkdir()
    text = SHIPPED.replace("compliance/privacy", "compliance/no-such-lesson").replace(
        "title: {zh_CN: 绝对化或无法证明的宣传用语, en: Absolute or unprovable claims}",
        "title: {en: Absolute or unprovable claims}\n    colour: red",
    )
    (tmp_path / "scenarios" / "_policy.yaml").write_text(text, encoding="utf-8")
    messages = [str(p) for p in content.check(tmp_path)]
    title = text.splitlines().index("    title: {en: Absolute or unprovable claims}") + 1
    assert any(f":{title}: rules.3.title.zh_CN" in m for m in messages), messages
    assert any(f":{title + 1}: rules.3.colour" in m for m in messages), messages
    text = SHIPPED.replace("compliance/privacy", "compliance/no-such-lesson")
    (tmp_path / "scenarios" / "_policy.yaml").write_text(text, encoding="utf-8")
    (message,) = [str(p) for p in content.check(tmp_path)]
    assert "no-such-lesson" in message


def test_content_sync_loads_the_policy_once_and_again_when_it_changes(app, runner, tmp_path):
    from trainer.roleplay.policy import content

    (tmp_path / "scenarios").mkdir()
    path = tmp_path / "scenarios" / "_policy.yaml"
    path.write_text(SHIPPED, encoding="utf-8")
    assert content.sync(tmp_path) == {"policy": 1, "new": 1, "unchanged": 0}
    db.session.commit()
    assert content.sync(tmp_path)["unchanged"] == 1
    path.write_text(SHIPPED + EXTRA_RULE, encoding="utf-8")
    assert content.sync(tmp_path)["new"] == 1
    db.session.commit()
    assert active_policy().version == 2
    assert find_breaches("亲，赶紧付款吧")[0].policy == "payment_pressure"


@pytest.mark.parametrize("role", ["agent", "manager"])
def test_only_trainers_and_admins_see_the_policy(login_as, role):
    client, _ = login_as(role)
    assert client.get("/roleplay/manage/policy").status_code == 403
    assert client.get("/roleplay/manage/policy/edit").status_code == 403


def test_policy_page_shows_rules_lessons_and_history(login_as):
    client, _ = login_as("admin")
    page = client.get("/roleplay/manage/policy").get_data(as_text=True)
    assert 'data-rule="off_platform"' in page and "/compliance/" in page
    assert "/roleplay/manage/policy/edit" in page


def test_preview_runs_samples_against_the_unsaved_edit(app, login_as):
    client, _ = login_as("trainer")
    response = client.post(
        "/roleplay/manage/policy/edit",
        data={
            "yaml_text": SHIPPED + EXTRA_RULE,
            "samples": "亲，赶紧付款吧\n我们不会向您索要验证码\n加我vx",
            "action": "preview",
        },
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'data-policy="payment_pressure"' in page and 'data-policy="off_platform"' in page
    assert page.count('class="badge ok"') == 1  # the refusal: no breach
    assert db.session.scalar(db.select(db.func.count(PolicyVersion.id))) == 0


def test_save_makes_an_audited_version_and_grades_use_it(app, login_as):
    client, trainer = login_as("trainer")
    response = client.post(
        "/roleplay/manage/policy/edit",
        data={"yaml_text": SHIPPED + EXTRA_RULE, "note": "催促付款", "action": "save"},
    )
    assert response.status_code == 302
    version = store.latest_version()
    assert (version.number, version.note, version.created_by_id) == (1, "催促付款", trainer.id)
    event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "policy.version"))
    assert event.actor_id == trainer.id and "payment_pressure" in event.data["rules"]
    assert active_policy().version == 1
    assert find_breaches("赶紧付款吧")[0].policy == "payment_pressure"
    history = client.get("/roleplay/manage/policy").get_data(as_text=True)
    assert "催促付款" in history and trainer.name in history


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (SHIPPED.replace("rules:", "rules: [", 1), "YAML"),
        (SHIPPED.replace("      - '收款码'", "      - '收款码(('"), BROKEN_AT),
        (SHIPPED.replace("severity: critical", "severity: minor", 1), "rules.0.severity"),
    ],
)
def test_bad_yaml_keeps_the_old_version(app, login_as, text, message):
    client, _ = login_as("admin")
    client.post("/roleplay/manage/policy/edit", data={"yaml_text": SHIPPED, "action": "save"})
    response = client.post(
        "/roleplay/manage/policy/edit", data={"yaml_text": text, "action": "save"}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'data-testid="policy-problems"' in page and message in page
    assert store.latest_version().number == 1


def test_edit_needs_the_csrf_token(app, login_as):
    client, _ = login_as("admin")
    app.config["WTF_CSRF_ENABLED"] = True
    response = client.post(
        "/roleplay/manage/policy/edit", data={"yaml_text": SHIPPED, "action": "save"}
    )
    assert response.status_code == 400 and store.latest_version() is None


def test_messages_are_in_the_users_language(app, login_as):
    client, _ = login_as("trainer")
    text = SHIPPED.replace("severity: critical", "severity: minor", 1)
    edit = "/roleplay/manage/policy/edit"
    page = client.post(edit, data={"yaml_text": text, "action": "preview"}).get_data(as_text=True)
    assert "必须是 critical 或 major" in page
    client.post("/locale", data={"locale": "en", "next": "/"})
    page = client.post(edit, data={"yaml_text": text, "action": "preview"}).get_data(as_text=True)
    assert "must be critical or major" in page


def test_an_after_sales_grade_without_compliance_items_fails_on_a_breach(app):
    from tests.roleplay.conftest import tiny_spec
    from trainer.roleplay.grading import grade_transcript
    from trainer.roleplay.scenarios import normalise
    from trainer.roleplay.transcript import Line

    raw = tiny_spec()  # an after-sales scenario: a broken cup
    raw["rubric"]["items"] = [
        i
        for i in raw["rubric"]["items"]
        if (i.get("check") or {}).get("type") != "forbidden_lexicon"
    ]
    spec, problems = normalise(raw)
    assert problems == [] and spec["category"] == "after_sales"
    start = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    lines = [
        Line(0, "customer", "杯子碎了！怎么办？", start),
        Line(1, "agent", "抱歉！订单号发我，好评返现5元，您看行吗", start + timedelta(seconds=5)),
    ]
    grade = grade_transcript(spec, lines, judge="offline")
    assert grade.critical_failed and grade.total == 0 and not grade.passed
    assert grade.as_dict()["breaches"] == [
        {"policy": "review_incentive", "turn": 1, "quote": "好评返现5元"}
    ]


def test_a_broken_policy_file_is_shown_not_a_500(app, login_as, tmp_path):
    (tmp_path / "scenarios").mkdir()
    broken = SHIPPED.replace("severity: critical", "severity: minor", 1)
    (tmp_path / "scenarios" / "_policy.yaml").write_text(broken, encoding="utf-8")
    app.config["CONTENT_ROOT"] = tmp_path
    client, _ = login_as("admin")
    page = client.get("/roleplay/manage/policy")
    assert page.status_code == 200 and "rules.0.severity" in page.get_data(as_text=True)
    edit = client.get("/roleplay/manage/policy/edit").get_data(as_text=True)
    assert "severity: minor" in edit
