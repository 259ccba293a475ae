"""A trainer adds a phrase to the platform policy in the browser; grades of a scenario whose
rubric has no such rule then report the breach, while a correct refusal stays clean."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from tests.roleplay.conftest import tiny_spec
from trainer.extensions import db

PHRASE = "私人群"  # "my private group": one more way off the platform


@pytest.fixture
def plain_scenario(app):
    """The tiny scenario without any compliance item in its rubric."""
    from trainer.roleplay import catalog
    from trainer.roleplay.scenarios import normalise

    raw = tiny_spec()
    raw["rubric"]["items"] = [
        item
        for item in raw["rubric"]["items"]
        if (item.get("check") or {}).get("type") != "forbidden_lexicon"
    ]
    spec, problems = normalise(raw)
    assert problems == []
    saved, _ = catalog.save_version(spec, None, source="file", publish=True)
    db.session.commit()
    return saved


def _grade(runner, tmp_path, agent_text):
    start = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    turns = [("customer", "杯子碎了！怎么办？"), ("agent", agent_text)]
    rows = [
        {"speaker": s, "text": t, "at": (start + timedelta(seconds=5 * n)).isoformat()}
        for n, (s, t) in enumerate(turns)
    ]
    path = tmp_path / "t.json"
    path.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    args = ["roleplay", "grade", "--scenario", "tiny-parcel", "--transcript", str(path)]
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_trainer_adds_a_phrase_and_grades_apply_it(
    app, page, server_url, make_user, sign_in, plain_scenario, runner, tmp_path
):
    breach = f"进我的{PHRASE}，群里优惠多"
    refusal = f"我们不会拉您进任何{PHRASE}，请在平台内下单"
    assert _grade(runner, tmp_path, breach)["breaches"] == []  # not a rule yet

    trainer = make_user("trainer", name="李老师")
    sign_in(trainer)
    page.goto(f"{server_url}/roleplay/manage/")
    page.click("[data-testid=rp-policy]")
    expect(page.locator("[data-testid=policy-rules]")).to_contain_text("引导站外联系或私下交易")
    page.click("[data-testid=policy-edit]")
    box = page.locator("[data-testid=policy-yaml-input]")
    text = box.input_value()
    anchor = "    lesson: compliance/anti-fraud\n    patterns:\n      - '加(一下"
    assert text.count(anchor) == 1
    added = anchor.replace("    patterns:", f"    phrases: [{PHRASE}]\n    patterns:")
    box.fill(text.replace(anchor, added))

    page.fill("[data-testid=policy-samples]", f"{breach}\n{refusal}")
    page.click("[data-testid=policy-preview-button]")
    preview = page.locator("[data-testid=policy-preview] li")
    expect(preview.nth(0).locator("[data-policy=off_platform]")).to_have_count(1)
    expect(preview.nth(1)).to_contain_text("未违规")

    page.fill("input[name=note]", f"站外：{PHRASE}")
    page.click("[data-testid=policy-save]")
    expect(page.locator("[data-testid=policy-versions]")).to_contain_text(f"站外：{PHRASE}")
    expect(page.locator("[data-testid=policy-versions]")).to_contain_text("李老师")

    graded = _grade(runner, tmp_path, breach)
    assert [(b["policy"], b["turn"]) for b in graded["breaches"]] == [("off_platform", 1)]
    assert graded["critical_failed"] is True and graded["total"] == 0
    clean = _grade(runner, tmp_path, refusal)
    assert clean["breaches"] == [] and clean["critical_failed"] is False
