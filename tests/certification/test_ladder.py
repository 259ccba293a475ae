"""The ladder config: shipped levels, validation with line numbers, the admin page."""

import pytest

from trainer.certification import ladder as ladders
from trainer.core.problems import ProblemsError


def test_shipped_ladder(app):
    ladder = ladders.parse_ladder(ladders.SHIPPED.read_text(encoding="utf-8"))
    assert [(lv.code, lv.name["zh_CN"]) for lv in ladder.levels] == [
        ("L0", "见习客服"),
        ("L1", "认证客服"),
        ("L2", "高级客服"),
        ("L3", "金牌客服"),
    ]
    l1, l2, l3 = ladder.levels[1:]
    assert l1.courses == ("service-foundations", "platform-orders", "after-sales", "compliance")
    assert l2.courses == ("live-peak", "complaints")
    assert ladder.courses_for(l2) == l1.courses + l2.courses
    assert l3.endorsement and not l2.endorsement
    assert l1.kpis.min_conversations == 200
    frt = next(t for t in l1.kpis.thresholds if t.kpi == "first_response_time")
    assert (frt.value, frt.higher_is_better) == (45, False)
    assert ladder.auto_grant is False


def test_shipped_slugs_exist_in_the_content(app):
    """Every course and quiz the shipped ladder names is defined in courses/."""
    from trainer.certification.checkconfig import unknown_slugs

    ladder = ladders.parse_ladder(ladders.SHIPPED.read_text(encoding="utf-8"))
    assert unknown_slugs(ladder) == []


@pytest.mark.parametrize(
    ("replace", "line_of"),
    [
        (("min_score: 70", "min_score: 170"), "min_score: 170"),
        (("csat: 4.3, resolution_rate: 92}", "happiness: 4.3}"), "happiness: 4.3"),
        (("okr_score: 0.6", "okr_score: 6"), "okr_score: 6"),
        (("code: L2", "code: L1"), "code: L1\n    name: {zh_CN: 高级客服"),
    ],
)
def test_problems_point_at_their_line(app, replace, line_of):
    text = ladders.SHIPPED.read_text(encoding="utf-8").replace(*replace)
    with pytest.raises(ProblemsError) as caught:
        ladders.parse_ladder(text)
    expected = text[: text.index(line_of)].count("\n") + 1
    assert expected in {p.line for p in caught.value.problems}


def test_admin_edits_levels(app, login_as):
    client, _admin = login_as("admin")
    text = ladders.SHIPPED.read_text(encoding="utf-8").replace(
        "auto_grant: false", "auto_grant: true"
    )
    assert client.post("/admin/certification/levels", data={"content": text}).status_code == 302
    ladders.forget_cached_ladder()
    assert ladders.current_ladder().auto_grant is True
    response = client.post("/admin/certification/levels", data={"content": "levels: 3"})
    assert response.status_code == 200 and "levels-errors" in response.get_data(as_text=True)
    client.post("/admin/certification/levels/reset")
    ladders.forget_cached_ladder()
    assert ladders.current_ladder().auto_grant is False


@pytest.mark.parametrize(
    "text",
    [
        "levels: &a [*a]",
        "levels:\n  - &a\n    code: L0\n  - *a",
        "levels: " + "[" * 1500 + "]" * 1500,
        "a: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: [*b,*b,*b,*b,*b]",
        "levels:\n  - code: L\x01\n",  # a control character (finding 4)
    ],
)
def test_levels_editor_refuses_yaml_aliases_and_deep_nesting(app, login_as, text):
    from trainer.core.configdocs import ConfigDocument
    from trainer.extensions import db

    client, _admin = login_as("admin")
    response = client.post("/admin/certification/levels", data={"content": text})
    assert response.status_code == 200 and "levels-errors" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(ConfigDocument.id))) == 0
    with pytest.raises(ProblemsError):
        ladders.parse_ladder(text)
