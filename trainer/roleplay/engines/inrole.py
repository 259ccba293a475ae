"""Is the LLM customer still the customer? Agent voice and lists of solutions break the role.

Small models drift into the shop's side ("亲，您好，我是客服…", "1. 退货退款 2. 换货"). Such a
reply is regenerated once; if that fails too, it is cut to the in-role sentences before the
break, and failing that the scripted line is used (see openai_engine).
"""

import re

STOP_MARKER = "[END]"

_AGENT_VOICE = re.compile(
    r"我是(这家店的|本店的|店铺的|官方)?(客服|小助手|智能助手|售后|店小二)|亲[，,！!~～ ]*您好"
    r"|(请问)?有什么(可以|能)(帮|为)(您|你)|很高兴为您服务|竭诚为您|感谢您的(耐心等待|理解与支持)"
    r"|给您带来的不便|(我们|我)(会|将)(尽快)?为您|为您(处理|办理|申请|安排|提供|核实|查询)"
    r"|作为(一[个名])?(ai|人工智能|语言模型|客服|助手)|\bas an ai\b|language model"
    r"|以下(是|为)?(几[个种]|三[个种]|两[个种])?(方案|解决办法|选择)",
    re.I,
)
_LIST_ITEM = re.compile(
    r"(^|\n)\s*(\d{1,2}[.、)）]|[①②③④⑤⑥]|[-*•]\s|(方案|选项)[一二三四1-4][：:])"
)
_SENTENCE = re.compile(r"[^。！？!?\n]+[。！？!?…~～]*\n?")


def role_break(text: str) -> int | None:
    """Where the reply stops sounding like the customer (None when it stays in role)."""
    found = [m.start() for m in (_AGENT_VOICE.search(text), _LIST_ITEM.search(text)) if m]
    return min(found) if found else None


def in_role_part(text: str) -> str:
    """The whole sentences before the first one that breaks the role ("" if the first does)."""
    kept = []
    for sentence in _SENTENCE.findall(text):
        if role_break(sentence) is not None or _LIST_ITEM.match("\n" + sentence):
            break
        kept.append(sentence)
    return "".join(kept).strip()


def strip_marker(text: str) -> str:
    """The reply without the stop marker (the state machine, not the model, ends the chat)."""
    return text.replace(STOP_MARKER, "").strip()
