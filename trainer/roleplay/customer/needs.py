"""The customer's goal: which of its needs an agent turn meets, and which it only touches vaguely.

A need is met by a sentence that speaks about its topic (one of its `words`) as an answer: not a
question back, not hedged ("尽快", "可能", "看情况"), not negated for a decision ("不能退"), and
for a `time` need with a concrete time in that clause or next to it ("1-3 个工作日",
"今天 18 点前").
A sentence on the topic that fails these is *vague*: the customer pushes back instead.
"""

import re

from trainer.roleplay.customer.acts import hedged, is_question, sentences
from trainer.roleplay.text import normalise

DECISION, TIME, INFO = "decision", "time", "info"
NEED_KINDS = (DECISION, TIME, INFO)

_CLAUSE = re.compile(r"[，,；;：:]")
_NEGATION = re.compile(r"(不|没|无法|别|未|拒绝)$")
_TIME = re.compile(
    r"\d+(\.\d+)?([-~到至]\d+)?(个)?(工作日|天|日|小时|分钟|周|月|号|点)"
    r"|[一二两三四五六七八九十半]+(个)?(工作日|天|小时|分钟|周)"
    r"|今天|明天|后天|今晚|今日|明早|当天|本周|这周|下周|周[一二三四五六日天]|星期[一二三四五六日天]"
    r"|马上|立即|立刻|\d{1,2}:\d{2}"
)


def goal_needs(spec: dict) -> list[dict]:
    """The scenario's needs in order (none for versions written before goals existed)."""
    return (spec.get("goal") or {}).get("needs", [])


def _topic_clauses(need: dict, sentence: str) -> list[tuple[str, int, str]]:
    """(clause, position of the topic word, the clause with its neighbours) per topic clause."""
    found = []
    parts = _CLAUSE.split(normalise(sentence))
    for index, clause in enumerate(parts):
        for word in need["words"]:
            at = clause.find(normalise(word))
            if word and at >= 0:
                found.append((clause, at, "，".join(parts[max(0, index - 1) : index + 2])))
                break
    return found


def _meets(need: dict, sentence: str) -> bool:
    if is_question(sentence):
        return False
    for clause, at, around in _topic_clauses(need, sentence):
        if hedged(clause):
            continue
        if need["kind"] == DECISION and _NEGATION.search(clause[max(0, at - 2) : at]):
            continue
        if need["kind"] == TIME and not _TIME.search(around):
            continue
        return True
    return False


def assess(
    needs: list[dict], open_ids: tuple[str, ...], text: str
) -> tuple[list[dict], dict | None]:
    """(needs met by `text`, the first open need it touched without meeting it)."""
    met: list[dict] = []
    vague: dict | None = None
    for need in needs:
        if need["id"] not in open_ids:
            continue
        topical = [s for s in sentences(text) if _topic_clauses(need, s)]
        if not topical:
            continue
        if any(_meets(need, s) for s in topical):
            met.append(need)
        elif vague is None and not all(is_question(s) for s in topical):
            vague = need
    return met, vague
