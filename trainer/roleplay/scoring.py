"""Rubric scoring from what the agent did (acts) and what it stated (topics), not keyword share.

Each judged item gets a level (met / partly / not met) mapped onto its scale, the quoted
evidence, a one-line reason and, when not met, what was missing — as guidance in words, never as
the list of words that would have scored. Repeating an act or a fact adds nothing; manipulative
turns earn nothing, while acts that count against an item count from every turn.
"""

from trainer.roleplay.rules import lexicon_hits
from trainer.roleplay.scenarios import scale_bounds
from trainer.roleplay.text import normalise
from trainer.roleplay.transcript import Line, agent_lines
from trainer.roleplay.understanding import (
    ASKS_EVIDENCE,
    BREACH,
    HURDLE,
    INFORMS,
    MANIPULATION,
    OFFERS_SOLUTION,
    RUDE,
    VERIFIES,
    TurnReading,
)
from trainer.roleplay.understanding.clauses import lexicons, split_clauses

MET, PARTLY, NOT_MET = "met", "partly", "not_met"
# Share for an item whose act was performed without any of the content it needs ("会尽快处理的").
VAGUE_SHARE = 0.25
NEGATIVE = (RUDE, HURDLE, BREACH, MANIPULATION)

# What a short count of acts means, as guidance (count, needed).
ACT_MISSING = {
    "greets": ("没有问候顾客", "Did not greet the customer"),
    "empathy": ("没有对顾客的困扰表示理解或歉意", "Did not acknowledge the customer's trouble"),
    "verifies": ("没有核实订单或关键情况", "Did not verify the order or the key facts"),
    "asks_evidence": ("没有请顾客提供照片、视频等凭证", "Did not ask for photos or other proof"),
    "informs": ("没有讲清具体的规则、时间或金额", "Did not state the rules, times or amounts"),
    "offers_solution": (
        "具体方案不够：给出了 {count} 个，需要 {need} 个",
        "Not enough concrete options: {count} given, {need} needed",
    ),
    "commits": ("没有承诺具体的处理动作和时间", "Did not commit to an action with a time"),
    "escalates": ("没有转交给负责的部门或主管", "Did not hand off to the right department"),
    "closes": ("没有确认是否还有其他问题或礼貌结束", "Did not close or offer further help"),
}
AGAINST_MISSING = (
    "有推诿、设置障碍或不礼貌的表达",
    "Blamed, obstructed or was rude to the customer",
)
WRONG_FIGURE = (
    "说出了规则里没有的数字，请核对金额、时间和规格",
    "Stated figures the policy does not give",
)
WRONG_TIME_MISSING = ("说错了时效：规则里没有这个时间", "Gave a time frame the policy does not")
DEFAULT_REASONS = {
    MET: ("做到了", "Met"),
    PARTLY: ("只做到一部分", "Partly met"),
    NOT_MET: ("没有做到", "Not met"),
}


def _pair(zh: str, en: str) -> dict[str, str]:
    return {"zh_CN": zh, "en": en}


def _topic_hit(topic_words: list[str], text: str) -> bool:
    norm = normalise(text)
    return any(
        all(normalise(part) in norm for part in word.split("+") if normalise(part))
        for word in topic_words
    )


def _quote_of(topic_words: list[str], text: str) -> str:
    """The clause of `text` (one per line) that holds the first part of the matching word."""
    for word in topic_words:
        first = normalise(word.split("+")[0])
        for clause in text.split("\n"):
            if first and first in normalise(clause):
                return clause
    return text.split("\n")[0]


def _legacy_topics(item: dict) -> list[dict]:
    guidance = item.get("guidance", "")
    missing = _pair("要点没有讲全：" + guidance, "Not every point was covered: " + guidance)
    return [{"words": [word], "missing": missing} for word in item.get("offline_keywords", [])]


def level_score(item: dict, share: float) -> tuple[str, int]:
    """(level, score on the item's scale) for a share of the item achieved (0-1)."""
    low, high = scale_bounds(item["scale"])
    if share >= 0.999:
        return MET, high
    if share <= 0:
        return NOT_MET, low
    if high - low < 2:
        return PARTLY, low
    return PARTLY, low + min(high - low - 1, max(1, round(share * (high - low))))


def score_judged(item: dict, readings: list[TurnReading], excluded: set[int]) -> dict:
    """Score one judged item from the readings of the agent's turns."""
    fair = [act for r in readings if r.seq not in excluded for act in r.acts]
    positive = [act for act in fair if act.kind not in NEGATIVE]
    wanted = item.get("acts") or []
    topics = item.get("topics") or ([] if wanted else _legacy_topics(item))
    parts, missing, evidence, acts = [], [], "", []
    if wanted:
        acts = [act for act in positive if act.kind in wanted]
        # Options count one by one; any other act counts once, however often it is repeated.
        distinct = {(act.kind, act.detail if act.kind == OFFERS_SOLUTION else "") for act in acts}
        need = item.get("min_count", 1)
        parts.append(min(len(distinct), need) / need)
        evidence = acts[0].quote if acts else ""
        if len(distinct) < need:
            kind = next((k for k in wanted if k not in {a.kind for a in acts}), wanted[0])
            zh, en = ACT_MISSING.get(kind, ACT_MISSING["informs"])
            missing.append(
                _pair(
                    zh.format(count=len(distinct), need=need),
                    en.format(count=len(distinct), need=need),
                )
            )
    if topics:
        # A fact counts wherever the agent stated it; "a+b" within one turn's acts.
        turns = [
            "\n".join(dict.fromkeys(a.quote for a in r.acts if a.kind not in NEGATIVE))
            for r in readings
            if r.seq not in excluded
        ]
        covered = 0
        for topic in topics:
            said = next((text for text in turns if _topic_hit(topic["words"], text)), None)
            if said is not None:
                covered += 1
                evidence = evidence or _quote_of(topic["words"], said)
            else:
                missing.append(topic["missing"])
        need = item.get("min_topics") or len(topics)
        parts.append(min(covered, need) / need)
    # Topics say what the acts must contain; with both, the weaker of the two counts.
    share = min(parts) if parts else 0.0
    if share == 0 and topics and any(act.kind == wanted[0] for act in acts):
        share = VAGUE_SHARE  # the item's main act, but nothing concrete in it
    against = [act for r in readings for act in r.acts if act.kind in (item.get("against") or [])]
    wrong = [act for act in positive if act.detail == "wrong_time"] if topics else []
    if against:
        share /= 2
        missing.append(_pair(*AGAINST_MISSING))
        evidence = evidence or against[0].quote
    if wrong and INFORMS in wanted:
        # A time span the policy never gives is a wrong fact the customer will rely on.
        share /= 2
        missing.append(_pair(*WRONG_TIME_MISSING))
        evidence = evidence or wrong[0].quote
    level, score = level_score(item, share)
    zh, en = DEFAULT_REASONS[level]
    reason = (item.get("levels") or {}).get(level) or _pair(zh, en)
    return {
        "score": score,
        "level": level,
        "evidence": evidence if level != NOT_MET or against or wrong else "",
        "reason": reason,
        "missing": [] if level == MET else _dedupe(missing),
        "justification": reason["zh_CN"],
        "detail": {},
        "source": "offline",
    }


def _dedupe(texts: list[dict]) -> list[dict]:
    seen, result = set(), []
    for text in texts:
        key = text.get("zh_CN", "")
        if key not in seen:
            seen.add(key)
            result.append(text)
    return result


def fact_uncovered(fact_id: str, readings: list[TurnReading], excluded: set[int]) -> str | None:
    """The agent's question that asked for a hidden fact, else None."""
    for reading in readings:
        if reading.seq in excluded:
            continue
        for act in reading.acts:
            if act.kind in (VERIFIES, ASKS_EVIDENCE) and act.detail == fact_id:
                return act.quote
    return None


def _refused(clause_norm: str, match: str) -> bool:
    """The clause warns against or refuses the matched words ("我们不会劝您别投诉")."""
    rest = clause_norm.replace(normalise(match), "，", 1)
    return bool(lexicons()["warning"].search(rest))


def lexicon_breach(names: list[str], lines: list[Line]) -> tuple[str, list[dict]]:
    """A scenario's own forbidden lexicons, decided by the policy per clause of each whole turn:
    a warning or refusal is not a breach."""
    for line in agent_lines(lines):
        hits = lexicon_hits(line.text, names)
        if hits:
            return hits[0]["match"], hits
    return "", []


def phrase_breach(phrases: list[str], lines: list[Line]) -> tuple[str, list[str]]:
    """A scenario's forbidden phrases, said by the agent outside a warning or refusal."""
    for line in agent_lines(lines):
        for clause in split_clauses(line.text):
            found = [
                p for p in phrases if normalise(p) in clause.norm and not _refused(clause.norm, p)
            ]
            if found:
                return clause.raw, found
    return "", []
