"""The platform policy: folding how people write, and deciding breaches per clause."""

import time
from datetime import UTC, datetime, timedelta

import pytest

from trainer.roleplay.policy import PLATFORM_IDS, find_breaches, shipped_policy, transcript_breaches
from trainer.roleplay.policy.spec import validate
from trainer.roleplay.textfold import Folder, default_folder
from trainer.roleplay.transcript import Line

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("written", "folded"),
    [
        ("加我ＶＸ", "加我微信"),
        ("微 信", "微信"),
        ("微-信", "微信"),
        ("微🌟信", "微信"),
        ("微.信", "微信"),
        ("v信", "微信"),
        ("加V", "加微信"),
        ("加 V 信", "加微信"),
        ("v x", "微信"),
        ("薇信", "微信"),
        ("威信", "微信"),
        ("卫星", "微信"),
        ("扣扣", "qq"),
        ("驗證碼", "验证码"),
        ("验征码", "验证码"),
        ("好评返五元", "好评返5元"),
        ("七天无理由", "7天无理由"),
        ("百分之百纯棉", "100%纯棉"),
        ("一三八一二三四五六七八", "13812345678"),
        ("二十五号", "25号"),
        ("第一时间", "第一时间"),
        ("一定", "一定"),
        ("vxworks", "vxworks"),
        ("主播说的“全网最低”", '主播说的"全网最低"'),
    ],
)
def test_folding(written, folded):
    assert default_folder().fold(written) == folded


def test_a_policy_can_add_its_own_evasions():
    folder = Folder({"微信": ["绿泡泡"]}, ["抖音"])
    assert folder.fold("加我绿泡泡") == "加我微信"
    assert folder.fold("斗音") == "抖音"


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("请把验证码发我，我帮您操作。", "sensitive_data"),
        ("把驗證碼發給我", "sensitive_data"),
        ("验征码发我一下", "sensitive_data"),
        ("不好意思，请提供验证码", "sensitive_data"),
        ("能把验证码发我一下吗？", "sensitive_data"),
        ("亲，卡背面三位数字报一下", "sensitive_data"),
        ("加我ＶＸ吧，方便联系", "off_platform"),
        ("加我微 信", "off_platform"),
        ("加我微🌟信", "off_platform"),
        ("加我v信，发你优惠", "off_platform"),
        ("加V，发你优惠", "off_platform"),
        ("加我薇信", "off_platform"),
        ("加我威信", "off_platform"),
        ("加我扣扣 123456789", "off_platform"),
        ("方便加个微信吗？", "off_platform"),
        ("不方便的话加我微信也行", "off_platform"),
        ("扫这个码付款", "off_platform"),
        ("直接支付宝转给我就行", "off_platform"),
        ("我的手机号是一三九一二三四五六七八，打给我", "off_platform"),
        ("好评返5元", "review_incentive"),
        ("给个五星好评返五元红包", "review_incentive"),
        ("删掉差评我给您返20元红包", "review_incentive"),
        ("给个好评就给您退款", "review_incentive"),
        ("我们是全网最低价", "absolute_claim"),
        ("这款销量第一", "absolute_claim"),
        ("百分之百纯棉，国家级品质", "absolute_claim"),
        ("隔壁那位客户的地址是幸福路8号", "privacy_disclosure"),
        ("这件试穿后不退哦", "forbidden_promise"),
        ("本店商品概不退换", "forbidden_promise"),
        ("保证明天一定送到", "forbidden_promise"),
        ("别投诉了，我给您补偿50元", "forbidden_promise"),
        ("你烦不烦啊", "abuse"),
        ("这是您自己的问题", "abuse"),
    ],
)
def test_breaches_are_caught_however_they_are_written(text, rule):
    assert rule in {b.policy for b in find_breaches(text)}


@pytest.mark.parametrize(
    "text",
    [
        "我们不会向您索要验证码。",
        "请不要把验证码告诉任何人，包括自称客服的人。",
        "客服不会向您索要验证码或密码。",
        "任何要求您提供验证码的都是骗子。",
        "验证码千万不能给任何人。",
        "平台禁止私下转账。",
        "千万别加陌生人微信。",
        "我们只在平台内沟通和交易，不加私人微信。",
        "私下转账是违规的，钱款没有保障。",
        "您是说有人让您加微信吗？",
        "如果有人让您加微信，一定不要加。",
        "对方是不是让您扫码付款了？",
        "您有没有把验证码告诉对方？",
        "请在平台内完成付款，不要扫陌生二维码。",
        "我们店没有开展过任何以评价换钱的活动。",
        "好评返现这种做法平台是不允许的。",
        "主播说的“全网最低”不准确，我已经反馈。",
        "详情页写的「试穿后不退」不符合平台规则。",
        "这件是定制商品，不支持七天无理由退货。",
        "我第一时间帮您处理，预计周四前后送达。",
        "给您算一下最优惠的组合。",
        "不是您的问题，是我们发错了。",
        "为新用户准备了优惠券，在平台领取即可。",
        "麻烦提供一下订单号，我帮您查。",
    ],
)
def test_warnings_refusals_and_questions_back_are_not_breaches(text):
    assert find_breaches(text) == []


def test_a_breach_quotes_the_agents_clause_verbatim():
    (breach,) = find_breaches("您好，非常抱歉！加我 ＶＸ：kf8866，我私聊您。")
    assert breach.policy == "off_platform"
    assert breach.quote == "加我 ＶＸ：kf8866"
    assert breach.severity == "critical"


def _lines(*turns):
    return [
        Line(seq, speaker, text, T0 + timedelta(seconds=10 * seq))
        for seq, (speaker, text) in enumerate(turns)
    ]


def test_only_agent_turns_count():
    lines = _lines(
        ("customer", "客服让我加微信，还要我把验证码发过去，这正常吗？"),
        ("agent", "这不正常，请千万不要把验证码告诉任何人，我们也不会加您微信。"),
        ("customer", "那你加我微信吧，我的微信是abc12345"),
        ("agent", "我们只在平台内为您处理，您放心。"),
    )
    assert transcript_breaches({"rubric": {"items": []}}, lines) == []


def test_transcript_breaches_name_rule_turn_and_quote():
    lines = _lines(("customer", "衣服退不了吗"), ("agent", "亲，好评返五元，加我v信领"))
    found = transcript_breaches({"rubric": {"items": []}}, lines)
    assert {(b["policy"], b["turn"]) for b in found} == {
        ("review_incentive", 1),
        ("off_platform", 1),
    }
    assert all(b["quote"] in lines[1].text for b in found)


def test_a_scenario_adds_rules_from_its_forbidden_phrases():
    spec = {
        "rubric": {
            "items": [
                {
                    "id": "no_brush_off",
                    "title": {"zh_CN": "不推脱", "en": "No brush-off"},
                    "kind": "rule",
                    "check": {"type": "forbidden_phrases", "phrases": ["没办法"]},
                    "critical": True,
                }
            ]
        }
    }
    (breach,) = find_breaches("这个真没办法。", spec)
    assert (breach.policy, breach.severity) == ("no_brush_off", "critical")
    assert find_breaches("这个真没办法。") == []


def test_the_shipped_policy_has_every_platform_rule_with_lessons():
    policy = shipped_policy()
    assert [r.id for r in policy.rules] == list(PLATFORM_IDS)
    for rule in policy.rules:
        assert rule.severity in ("critical", "major")
        assert rule.title["zh_CN"] and rule.title["en"] and rule.wording["zh_CN"]
        assert "/" in rule.lesson


def test_a_policy_cannot_drop_a_platform_rule():
    text = shipped_policy().text
    start = text.index("  - id: abuse")
    _, problems = validate(text[:start])
    assert any("abuse" in p.message for p in problems)


def test_grading_twenty_turns_takes_milliseconds():
    turns = []
    for n in range(20):
        turns.append(("customer", f"第{n}个问题，怎么办？"))
        turns.append(("agent", f"抱歉久等了，订单{n}我马上核实，请不要把验证码告诉任何人。"))
    lines = _lines(*turns)
    policy = shipped_policy()
    transcript_breaches({"rubric": {"items": []}}, lines, policy=policy)
    started = time.perf_counter()
    transcript_breaches({"rubric": {"items": []}}, [*lines[:-1], lines[-1]], policy=policy)
    fresh = _lines(*[(s, t + "。") for s, t in turns])
    transcript_breaches({"rubric": {"items": []}}, fresh, policy=policy)
    assert time.perf_counter() - started < 0.25


def test_a_breach_across_a_comma_quotes_both_clauses_verbatim():
    (breach,) = find_breaches("亲，别投诉了, 我给您补偿50元！")
    assert (breach.policy, breach.quote) == ("forbidden_promise", "别投诉了, 我给您补偿50元")


@pytest.mark.parametrize(
    "text",
    [
        "支付密码、站外付款都是红线。",
        "您说的这种情况属于好评返现，我们会上报。",
        "即使顾客主动提出“加微信转账更便宜”，也要留在平台内。",
        "不支持无理由退货的商品会在详情页标明。",
    ],
)
def test_explanations_and_classifications_are_not_breaches(text):
    assert find_breaches(text) == []


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("亲，麻烦您把收到的6位数字发一下我这边", "sensitive_data"),
        ("收到的六位数字报给我就行", "sensitive_data"),
        ("验证码截个图给我", "sensitive_data"),
        ("您的支付密码是多少", "sensitive_data"),
        ("有事私聊我微信", "off_platform"),
        ("您直接转我支付宝吧", "off_platform"),
        ("好评截图发我返现", "review_incentive"),
        ("给我们五星，送您优惠券", "review_incentive"),
        ("全网找不到比我们更便宜的", "absolute_claim"),
        ("我查到另一个买家的手机号是13812345678", "privacy_disclosure"),
        ("你自己不会看详情页吗", "abuse"),
    ],
)
def test_more_ways_of_writing_a_breach(text, rule):
    assert rule in {b.policy for b in find_breaches(text)}


@pytest.mark.parametrize(
    "text",
    [
        "如果客服让您提供验证码，那一定是假的。",
        "我们的客服不会让您扫码付款。",
        "您扫一下商品吊牌上的二维码可以查真伪。",
        "建议您最好保留好包装。",
        "最快明天发出，到了会短信通知您。",
        "我们不能保证明天一定送到，但会尽力催。",
        "我们绝不会以好评作为退款的条件。",
        "为了您的账户安全，请修改支付密码。",
        "请勿向任何人透露密码。",
        "您第一次在我们家买吗？",
    ],
)
def test_more_correct_replies_that_name_the_forbidden_thing(text):
    assert find_breaches(text) == []


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("好评后再给您办理退款", "review_incentive"),
        ("衣服洗过了就不能退了", "forbidden_promise"),
        ("只要您不投诉，我们就给您补偿100元", "forbidden_promise"),
        ("你再闹我就拉黑你", "abuse"),
    ],
)
def test_conditions_and_refusals_by_the_agent_are_breaches(text, rule):
    assert rule in {b.policy for b in find_breaches(text)}


def test_an_exemption_explained_is_not_a_refused_return():
    assert find_breaches("已经过了7天，不能无理由退货了，质量问题我帮您申请售后。") == []
    assert find_breaches("您给不给好评都不影响售后处理。") == []
