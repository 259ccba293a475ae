"""Deterministic checks: manipulation detection and rubric rule items (lexicons via the policy).

Everything here is plain string and regex work, so a grade's rule items and flags are the same
whatever engine or judge ran, and always available offline.
"""

import base64
import binascii
import re
from typing import Any

from trainer.roleplay.policy import PLATFORM_IDS, Policy, active_policy, breaches_in
from trainer.roleplay.text import contains_any, normalise, sentence_with
from trainer.roleplay.transcript import Line, agent_lines, first_response_seconds, reply_times

# Names a `forbidden_lexicon` check may use: the platform policy's rule ids, and the names of
# the compliance lexicon the policy replaced (kept so existing scenarios keep working).
LEGACY_LEXICONS = {
    "verification_code": "sensitive_data",
    "off_platform": "off_platform",
    "review_bribe": "review_incentive",
    "absolute_claims": "absolute_claim",
    "forbidden_promises": "forbidden_promise",
}


def lexicon_names() -> list[str]:
    """Names a forbidden_lexicon check accepts (old lexicon names and platform rule ids)."""
    return list(dict.fromkeys([*LEGACY_LEXICONS, *PLATFORM_IDS]))


def policy_rule_id(name: str) -> str:
    """The platform rule a lexicon name stands for."""
    return LEGACY_LEXICONS.get(name, name)


def lexicon_hits(text: str, names: list[str], policy: Policy | None = None) -> list[dict[str, str]]:
    """Policy rules among `names` the text breaks: [{"lexicon", "match"}] (match = the clause).

    Decided per clause by the platform policy, so refusals and warnings that name the
    forbidden thing are not hits.
    """
    policy = policy or active_policy()
    wanted = {policy_rule_id(name): name for name in names}
    rules = tuple(rule for rule in policy.rules if rule.id in wanted)
    return [
        {"lexicon": wanted[b.policy], "match": b.quote}
        for b in breaches_in(text, rules, policy.folder)
    ]


# ---------------------------------------------------------------- manipulation

_MANIPULATION_PATTERNS: list[tuple[str, re.Pattern]] = [
    (
        "instruction_override",
        re.compile(
            r"(ignore|disregard|forget|override|bypass)\s+(all\s+|any\s+)?((the|your|previous|"
            r"prior|above|earlier|system)\s+)*(instructions?|prompts?|rules?|directions?|"
            r"guidelines?|messages?)",
            re.I,
        ),
    ),
    (
        "instruction_override",
        re.compile(
            r"(忽略|无视|忘记|忘掉|不要理会|别管|跳过|覆盖|抛开)(掉)?(之前|以上|上面|前面|你的|所有|"
            r"全部|系统|原来|原有|先前)?(的)?(所有|全部)?(指令|指示|提示词?|规则|设定|要求|prompt|"
            r"人设|角色|限制)"
        ),
    ),
    (
        "role_override",
        re.compile(
            r"you\s+are\s+now|act\s+as\s+(an?|the)\s|pretend\s+(to\s+be|you\s+are)|new\s+instructions?"
            r"|system\s+prompt|developer\s+mode|jailbreak|\bDAN\b",
            re.I,
        ),
    ),
    (
        "role_override",
        re.compile(
            r"你现在是|你现在扮演|从现在(开始|起)你(是|要)|你的新(身份|角色|任务)|切换(到)?[^，。]{0,4}模式"
            r"|开发者模式|系统提示|提示词|越狱"
        ),
    ),
    (
        "score_request",
        re.compile(
            r"(give|award|grant|assign)\s+(me|this(\s+agent)?|the\s+agent|us)\s+(full|max(imum)?|"
            r"perfect|top|high(est)?|100|10|5)\s*(%|marks?|scores?|points?|grades?|ratings?|stars?)"
            r"|(full|perfect|maximum)\s+(marks?|score|points)|(score|rate|grade|mark)\s+(me|this|"
            r"the\s+agent)\s+(as\s+)?(10|100|5|excellent|perfect|a\s+pass|passed)",
            re.I,
        ),
    ),
    (
        "score_request",
        re.compile(
            r"(给我|给本客服|给客服|给这位客服|请给|麻烦给|帮我打|打个|打)(个|一个)?(满分|高分|满星|100分|"
            r"一百分|最高分|优秀)|评(为|成|分为|个)?(满分|优秀|最高分)|(评分|打分|分数|评级|成绩)"
            r"(请)?(给|打|设为|设置为|改为|改成|记为)(满|最高|100|一百|优秀)|判(定)?(我|本次)?(为)?通过"
            r"|让我(通过|过关|及格)|(评委|评分员|评分系统|裁判|考官|评估员|阅卷)[^，。]{0,8}(给|打|判|评)"
        ),
    ),
    (
        "rubric_probe",
        re.compile(
            r"评分标准|评分细则|评分规则|评分项|隐藏信息|rubric|grading\s+criteria|answer\s+key"
            r"|hidden\s+facts?",
            re.I,
        ),
    ),
    (
        "role_tag",
        re.compile(
            r"(^|[\n。！？!?；;]|\s)\s*(#+\s*)?(system|assistant|user|developer|tool|human|ai|judge|"
            r"grader|customer|"
            r"系统|助手|顾客|客户|买家|评委|评分员)\s*[:：]",
            re.I,
        ),
    ),
    (
        "role_tag",
        re.compile(
            r"<\|[a-z_]+\|>|\[/?INST\]|<</?SYS>>|</?s>|</?(transcript|system|instructions?|"
            r"assistant|user)[^>]*>",
            re.I,
        ),
    ),
    (
        "encoded_text",
        re.compile(
            r"(\\u[0-9a-fA-F]{4}){3,}|(\\x[0-9a-fA-F]{2}){4,}|(&#x?[0-9a-fA-F]+;){3,}"
            r"|(%[0-9a-fA-F]{2}){4,}|\b(base64|rot13|hex)\s*(decode|encoded|解码|编码)|"
            r"(base64|rot13)\s*[:：]",
            re.I,
        ),
    ),
]
_HIDDEN_CHARACTERS = re.compile(r"[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
_BASE64_RUN = re.compile(r"[A-Za-z0-9+/_-]{24,}={0,2}")
_HEX_RUN = re.compile(r"\b(?=[0-9a-fA-F]*[a-fA-F])(?:[0-9a-fA-F]{2}){16,}\b")


def _looks_like_base64_text(run: str) -> bool:
    """True for a base64 run that decodes to readable text (not an order number or a token)."""
    if not (re.search(r"[a-z]", run) and re.search(r"[A-Z]", run) and re.search(r"\d", run)):
        return False
    padded = run + "=" * (-len(run) % 4)
    for decode in (base64.b64decode, base64.urlsafe_b64decode):
        try:
            decoded = decode(padded).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError, ValueError):
            continue
        printable = sum(ch.isprintable() or ch.isspace() for ch in decoded)
        if decoded and printable / len(decoded) > 0.9:
            return True
    return False


def detect_manipulation(text: str) -> list[dict[str, str]]:
    """Attempts to steer the customer or the judge: [{"kind", "match"}] (empty when clean)."""
    found: list[dict[str, str]] = []
    if _HIDDEN_CHARACTERS.search(text or ""):
        found.append({"kind": "hidden_characters", "match": "U+200B…"})
    import unicodedata

    folded = unicodedata.normalize("NFKC", text or "")
    for kind, pattern in _MANIPULATION_PATTERNS:
        match = pattern.search(folded)
        if match and not any(f["kind"] == kind for f in found):
            found.append({"kind": kind, "match": match.group(0).strip()[:80]})
    for run in _BASE64_RUN.findall(folded):
        if _looks_like_base64_text(run):
            found.append({"kind": "encoded_text", "match": run[:80]})
            break
    if _HEX_RUN.search(folded):
        found.append({"kind": "encoded_text", "match": _HEX_RUN.search(folded).group(0)[:80]})
    return found


def manipulation_flags(lines: list[Line]) -> list[dict[str, Any]]:
    """One flag per manipulative agent turn."""
    flags = []
    for line in agent_lines(lines):
        for hit in detect_manipulation(line.text):
            flags.append(
                {
                    "code": "manipulation",
                    "kind": hit["kind"],
                    "seq": line.seq,
                    "match": hit["match"],
                }
            )
    return flags


# ---------------------------------------------------------------- rule items


def uncovered_facts(spec: dict, lines: list[Line], excluded: set[int] = frozenset()) -> dict:
    """Hidden fact id → the agent turn that asked for it (the first one)."""
    found: dict[str, Line] = {}
    for line in agent_lines(lines):
        if line.seq in excluded:
            continue
        for fact in spec["hidden_facts"]:
            if fact["id"] not in found and contains_any(line.text, fact["ask_keywords"]):
                found[fact["id"]] = line
    return found


def evaluate_rule(
    check: dict, spec: dict, lines: list[Line], excluded: set[int]
) -> tuple[bool, str, dict]:
    """Run one rule check: (passed, evidence quote or measurement, detail for the result page).

    `excluded` are manipulative agent turns: they never count in the agent's favour, but what
    they contain still counts against the agent.
    """
    agent = agent_lines(lines)
    fair = [line for line in agent if line.seq not in excluded]
    kind = check["type"]
    if kind == "first_response_within":
        seconds = first_response_seconds(lines)
        passed = seconds is not None and seconds <= check["seconds"]
        return passed, "", {"seconds": seconds, "limit": check["seconds"], "first": True}
    if kind == "response_within":
        times = reply_times(lines)
        slow = [(line, s) for line, s in times if s > check["seconds"]]
        worst = max((s for _, s in times), default=None)
        evidence = slow[0][0].text if slow else ""
        detail = {"seconds": worst, "limit": check["seconds"], "slow": len(slow)}
        return bool(times) and not slow, evidence, detail
    if kind == "required_phrases":
        found = sorted({w for line in fair for w in contains_any(line.text, check["phrases"])})
        quote = ""
        if found:
            first = next(line for line in fair if contains_any(line.text, found[:1]))
            quote = sentence_with(first.text, found[0])
        return len(found) >= check["min"], quote, {"found": found, "min": check["min"]}
    if kind == "forbidden_phrases":
        for line in agent:
            found = contains_any(line.text, check["phrases"])
            if found:
                return False, sentence_with(line.text, found[0]), {"found": found}
        return True, "", {"found": []}
    if kind == "forbidden_lexicon":
        policy = active_policy()
        for line in agent:
            hits = lexicon_hits(line.text, check["lexicon"], policy)
            if hits:
                return False, line.text, {"hits": hits}
        return True, "", {"hits": []}
    if kind == "regex":
        pattern = re.compile(check["pattern"])
        if check["must_match"]:
            line = next((line for line in fair if pattern.search(line.text)), None)
            return line is not None, line.text if line else "", {"must_match": True}
        line = next((line for line in agent if pattern.search(line.text)), None)
        return line is None, line.text if line else "", {"must_match": False}
    if kind == "hidden_fact_uncovered":
        line = uncovered_facts(spec, lines, excluded).get(check["fact"])
        fact = next(f for f in spec["hidden_facts"] if f["id"] == check["fact"])
        return line is not None, line.text if line else "", {"fact": fact["fact"]}
    raise ValueError(f"unknown rule type {kind}")


def normalised_agent_text(lines: list[Line]) -> str:
    """All agent turns, normalised (for quote checks)."""
    return "\n".join(normalise(line.text) for line in agent_lines(lines))
