"""What the agent did in a turn, as the customer sees it: the one adapter to understanding.

`read_agent_turn` is the only place the customer asks what the agent did. Until the shared
offline reader (trainer.roleplay.understanding.offline) is available it uses the small
rule-based reading below, which produces the same `TurnReading`s; swapping is one line.
The helpers after it (`sentences`, `is_request`, `hedged`) read the *quotes* of acts.
"""

import re

from trainer.roleplay.rules import detect_manipulation, lexicon_hits, lexicon_names
from trainer.roleplay.text import normalise
from trainer.roleplay.understanding import (
    ASKS_EVIDENCE,
    BREACH,
    CLOSES,
    COMMITS,
    EMPATHY,
    ESCALATES,
    GREETS,
    HURDLE,
    INFORMS,
    MANIPULATION,
    OFFERS_SOLUTION,
    RUDE,
    VERIFIES,
    Act,
    TurnReading,
)

_SENTENCE = re.compile(r"[^。！？!?\n]+[。！？!?]*")
_QUESTION = re.compile(
    r"[？?]|吗|是否|有没有|是不是|能否|可否|多少|哪[个里天些]|什么时候|几[号点天]"
)
_REQUEST = re.compile(
    r"^(请|麻烦|方便|辛苦|劳烦)|(请|麻烦|方便)(您|你)|(发|拍|提供|上传|告诉|说)(一下|下|个|张|给我)"
    r"|确认(一下|下)|核实(一下|下)"
)
_EVIDENCE = re.compile(r"照片|图片|截图|视频|凭证|拍(一下|张|个)|实拍")
_HEDGE = re.compile(
    r"可能|也许|大概|应该|或许|尽量|尽快|看情况|不一定|不确定|再说|等通知|等消息|回头|稍后|很快"
    r"|过几天|过段时间|一段时间|研究一下|反馈一下|帮您问问|我问问|原则上|争取"
)
_GREET = re.compile(r"^(您好|你好|亲|hi|hello|在的)")
_EMPATHY = re.compile(r"抱歉|对不起|不好意思|理解|给您添麻烦|让您久等|辛苦|着急|放心|别担心|歉意")
_INFORM = re.compile(r"\d|规定|规则|政策|平台|工作日|小时|天内|签收|原路|到账|运费险|保价")
_OFFER = re.compile(
    r"(可以|能|给您|为您|帮您)(直接)?(退|换|补发|重发|补偿|赔|安排|申请|办理|改|取消|退款|优惠)"
    r"|方案|选择|或者"
)
_COMMIT = re.compile(
    r"(我|我们|这边)(会|马上|立即|立刻|现在|今天|稍后)|(今天|今晚|明天|\d+\s*点)(之?前|内)"
    r"|\d+\s*(个)?(小时|分钟|工作日)内|已(为您|经为您|帮您|给您)"
)
_ESCALATE = re.compile(r"主管|专员|上级|升级|转交|转接|专门的同事|投诉部门|售后部门|仓库同事")
_CLOSE = re.compile(r"还有(什么|别的|其他)|随时(找|联系)我|感谢|祝您|再见")
_RUDE = re.compile(
    r"你自己|自己看|爱买不买|无理取闹|烦不烦|听不懂|神经病|有病|闭嘴|滚|说了多少遍|关我什么事|"
    r"不关我(的)?事|你的问题|自己的原因|活该|别废话|少废话|爱退不退|怪你|怪我们咯"
)
_HURDLE = re.compile(
    r"(不能|不给|不可以|不支持|无法|不予|没法)(退|换|补发|退款|赔|处理)|不退不换|先(给)?(个)?好评|"
    r"(退|换|赔)不了|"
    r"(退货|退款)(要|需要|得)(先)?(好评|晒图)"
)
_NEGATED_HURDLE = re.compile(r"(不是|并不是|不会|绝不|并非)[^，。！？]{0,3}$")


def read_agent_turn(spec: dict, text: str, seq: int) -> TurnReading:
    """The acts of one agent turn (the single decision point for the customer)."""
    return _interim_reading(text, seq)


def sentences(text: str) -> list[str]:
    """The text's sentences, stripped (a sentence ends at 。！？ or a line break)."""
    return [part.strip() for part in _SENTENCE.findall(text or "") if part.strip()]


def is_question(quote: str) -> bool:
    """Whether a sentence asks the customer something (it answers nothing itself)."""
    return bool(_QUESTION.search(quote))


def is_request(quote: str) -> bool:
    """Whether a sentence asks the customer something or asks them to do something."""
    return is_question(quote) or bool(_REQUEST.search(normalise(quote)))


def hedged(quote: str) -> bool:
    """Whether a sentence hedges ("尽快", "可能", "看情况"): no firm answer."""
    return bool(_HEDGE.search(normalise(quote)))


def _interim_reading(text: str, seq: int) -> TurnReading:
    """A small rule-based reading, used until the shared offline reader is merged."""
    acts: list[Act] = []
    for hit in lexicon_hits(text, lexicon_names()):
        acts.append(Act(BREACH, hit["match"], hit["lexicon"]))
    for found in detect_manipulation(text):
        acts.append(Act(MANIPULATION, found["match"], found["kind"]))
    for index, sentence in enumerate(sentences(text)):
        folded = normalise(sentence)
        asking = is_request(sentence)
        if index == 0 and _GREET.search(folded):
            acts.append(Act(GREETS, sentence))
        if _EMPATHY.search(folded):
            acts.append(Act(EMPATHY, sentence))
        if asking:
            kind = ASKS_EVIDENCE if _EVIDENCE.search(folded) else VERIFIES
            acts.append(Act(kind, sentence))
        if _RUDE.search(folded):
            acts.append(Act(RUDE, sentence))
        hurdle = _HURDLE.search(folded)
        if hurdle and not _NEGATED_HURDLE.search(folded[: hurdle.start()]):
            acts.append(Act(HURDLE, sentence))
        if _CLOSE.search(folded):
            acts.append(Act(CLOSES, sentence))
        if is_question(sentence):
            continue
        if _OFFER.search(folded) and not hedged(sentence):
            acts.append(Act(OFFERS_SOLUTION, sentence))
        if _COMMIT.search(folded) and not hedged(sentence):
            acts.append(Act(COMMITS, sentence))
        if _ESCALATE.search(folded):
            acts.append(Act(ESCALATES, sentence))
        if _INFORM.search(folded):
            acts.append(Act(INFORMS, sentence))
    return TurnReading(seq=seq, acts=tuple(acts))
