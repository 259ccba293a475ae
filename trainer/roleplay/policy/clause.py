"""Clauses of an agent turn, and whether a match in a clause is the agent's own act.

A match is a breach only when the clause requests, offers, instructs or claims it. It is not
when the clause negates it (我们不会…, 请不要…, 平台禁止…), warns about it (…都是骗子), corrects a
quoted claim (主播说的"全网最低"不准确), reports or asks back about what someone else did
(您是说有人让您加微信吗？, 如果有人让您…), or states it is not allowed (私下转账是违规的).
"""

import re

from trainer.roleplay.textfold import QUOTE

# Expressions that start with a negation character but negate nothing.
_NOT_NEGATION = re.compile(
    r"不好意思|不客气|不过|没问题|没事|没关系|不用担心|不用着急|别着急|别担心|别急|不错|不少|不久"
    r"|不断|不仅|不管|不论|不然|不便|不一定|不同|没错|不见不散|不知道|不清楚|不确定|不太清楚"
    r"|要不|不如"
)
_NEGATION = re.compile(
    r"不|没|别|勿|未|莫|禁止|严禁|拒绝|谨防|警惕|防止|并非|而非|切忌|never|dont|donot|cannot|cant"
)
# A new predicate starts here: a negation before it does not reach what follows.
_SCOPE_BREAK = re.compile(r"的话|否则|但是|可是|只是|而是|所以|因此|然后|不过|那就|只要")
# Someone other than the agent acts, or the clause classifies: it reports, it does not request.
_OTHER_ACTOR = re.compile(
    r"有人|别人|对方|骗子|陌生人|他人|第三方|主播|任何人|任何要求|自称|冒充|假冒|不法分子|这些人"
    r"|那些人|那个人|这个人|对面|您是说|您说的|您提到|您是指|您的意思|您遇到|您收到|您看到"
    r"|他们|她们|网上|短信里说|电话里说|商家说|广告|属于|涉及|叫做|称为|典型的|所谓"
    r"|(顾客|客户|买家)(主动)?(提出|要求|说|问)"
)
# A question back about what happened, not a request (能加我微信吗？ is still a request).
_QUESTION_BACK = re.compile(r"有没有|是不是|是否|有无|了吗|过吗|了没|过没有|了么|没有吗")
# Strong warning words anywhere in the clause make it a warning.
_WARNING = re.compile(r"骗子|诈骗|骗局|谨防|防骗|警惕|上当|受骗|切勿|千万不要|千万别|务必不要")
# After a match: it is called wrong, unsafe or forbidden (私下转账是违规的, 加微信没有保障) …
_CORRECTION = re.compile(
    r"违规|违法|不合规|不符合|不准确|不实|虚假|假的|不被允许|有风险|风险|没有保障|没保障|不受保护"
    r"|不受保障|不可信|不靠谱|无效|不存在|不正确|是错的|骗|不允许|红线|不一致|不符|对不上|有出入"
    r"|夸大|说错|写错|出了问题|出问题|无法介入|没法介入|没有售后|维权难|追不回|要不回"
)
# … or refused right after it (加微信是不行的, 验证码千万不能给); later negations belong to
# another predicate (把验证码发我不然不能退).
_REFUSED_AFTER = re.compile(
    r"^((和|或者?|跟|以及|还有|与)?[^，。]{0,8}?(?=这块|这个|这些|这种|这类|这事|这边|我这边|我们|的事|都|也|是))?"
    r"(的|这种|这样|这些|这个|这类)?(事|事情|做法|行为|要求|情况)?"
    r"(是|都是|也是|都|也|就|我|我们|平台|一律|这边|我这边|我们这边|咱们|咱|店里|这里|这块)*"
    r"(绝对|千万|坚决|一定|永远|真的|真|确实|实在)?"
    r"((?P<neg>不|没|别|勿|禁止|严禁|拒绝|无法)|(做|办|接|弄|处理|支持|帮您弄|开|给)不(了|到))"
)


# A clause that starts by pointing back at what came before (…，这个我们不能做).
_POINTER = re.compile(r"(这个|这种|这些|这块|这事|这样|这|那|都|一律|我们一律|我们都)")


def _refused_after(suffix: str) -> bool:
    match = _REFUSED_AFTER.search(suffix)
    if not match:
        return False
    return match.start("neg") < 0 or not _NOT_NEGATION.match(suffix, match.start("neg"))


def _negated_before(prefix: str) -> bool:
    scoped = _SCOPE_BREAK.split(prefix)[-1]
    return bool(_NEGATION.search(_NOT_NEGATION.sub("", scoped)))


def _inside_quotes(folded: str, start: int) -> bool:
    return folded.count(QUOTE, 0, start) % 2 == 1


def is_own_act(
    folded: str,
    start: int,
    end: int,
    *,
    own_negation: bool,
    quoted_ok: bool,
    question: bool,
    following: str = "",
) -> bool:
    """Whether the match folded[start:end] is the agent's own request, offer or claim.

    `following` (the next clause of the same sentence) counts only when it calls the thing
    risky or wrong (…，出了问题平台没法介入) or refuses it with a pointer (…，这个我们不能做)."""
    prefix, span, suffix = folded[:start], folded[start:end], folded[end:]
    quoted = _inside_quotes(folded, start)
    if quoted and quoted_ok:
        return False
    if _WARNING.search(_NOT_NEGATION.sub("", folded)):
        return False
    if _negated_before(prefix):
        return False
    if not own_negation and _NEGATION.search(_NOT_NEGATION.sub("", span)):
        return False
    if _OTHER_ACTOR.search(prefix):
        return False
    if _CORRECTION.search(suffix) or _refused_after(suffix):
        return False
    if following and (
        _CORRECTION.search(following[:16])
        or (_POINTER.match(following) and _refused_after(following))
    ):
        return False
    if question and _QUESTION_BACK.search(folded):
        return False
    return not (quoted and _OTHER_ACTOR.search(folded))


_SENTENCE_END = re.compile(r"([。！？!?；;\n]|…+|\.{3,}|(?<=[a-zA-Z0-9])\.(?=\s))+")
_COMMA = re.compile(r"[，,]+")


def sentences(text: str) -> list[list[tuple[str, bool, int, int]]]:
    """The turn's sentences: each a list of (clause, is a question, start, end) in `text`."""
    out: list[list[tuple[str, bool, int, int]]] = []
    text = text or ""
    position = 0
    for end in [*_SENTENCE_END.finditer(text), None]:
        stop = end.start() if end else len(text)
        asks = bool(end) and ("?" in end.group(0) or "？" in end.group(0))
        parts = []
        cursor = position
        for piece in [*_COMMA.finditer(text, position, stop), None]:
            piece_stop = piece.start() if piece else stop
            raw = text[cursor:piece_stop]
            if raw.strip():
                left = cursor + len(raw) - len(raw.lstrip())
                parts.append((raw.strip(), left, left + len(raw.strip())))
            cursor = piece.end() if piece else stop
        if parts:
            out.append(
                [
                    (
                        part,
                        bool(re.search(r"(吗|呢|么)$", part)) or (asks and i == len(parts) - 1),
                        a,
                        b,
                    )
                    for i, (part, a, b) in enumerate(parts)
                ]
            )
        position = end.end() if end else len(text)
    return out
