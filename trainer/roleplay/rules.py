"""Deterministic checks: the compliance lexicon, manipulation detection and rubric rule items.

Everything here is plain string and regex work, so a grade's rule items and flags are the same
whatever engine or judge ran, and always available offline.
"""

import base64
import binascii
import functools
import re
from pathlib import Path
from typing import Any

import yaml

from trainer.roleplay.text import clauses, contains_any, normalise, sentence_with
from trainer.roleplay.transcript import Line, agent_lines, first_response_seconds, reply_times

LEXICON_FILE = Path(__file__).resolve().parent / "data" / "lexicon.yaml"

# A negation shortly before a match in the same clause turns "asking for the code" into
# "never share the code". Phrases that start with 不/没 but do not negate are removed first.
_NEGATION = re.compile(r"不|没|别|勿|未|禁止|严禁|拒绝|谨防|警惕|小心|防止|并非|而非|切忌")
_NOT_NEGATION = re.compile(
    r"不好意思|不客气|不过|没问题|没事|没关系|不用担心|不错|不少|不久|不断|不仅|不管"
)
_NEGATION_WINDOW = 12
_QUOTED = re.compile(r"“[^”]*”|「[^」]*」|『[^』]*』|\"[^\"]*\"|‘[^’]*’|'[^']*'")


@functools.cache
def load_lexicon() -> dict[str, dict[str, Any]]:
    """The shipped compliance lexicon, with compiled patterns."""
    raw = yaml.safe_load(LEXICON_FILE.read_text(encoding="utf-8"))
    return {
        name: {
            "title": entry["title"],
            "ignore_quoted": bool(entry.get("ignore_quoted")),
            "patterns": [re.compile(p) for p in entry["patterns"]],
        }
        for name, entry in raw.items()
    }


def lexicon_names() -> list[str]:
    """Names of the shipped lexicons."""
    return list(load_lexicon())


def _negated(clause: str, start: int) -> bool:
    prefix = _NOT_NEGATION.sub("", clause[max(0, start - _NEGATION_WINDOW) : start])
    return bool(_NEGATION.search(prefix))


def lexicon_hits(text: str, names: list[str]) -> list[dict[str, str]]:
    """Lexicon entries the text breaks: [{"lexicon", "match"}], negated mentions excluded."""
    hits = []
    lexicon = load_lexicon()
    for name in names:
        entry = lexicon[name]
        source = _QUOTED.sub("，", text) if entry["ignore_quoted"] else text
        for clause in clauses(source):
            for pattern in entry["patterns"]:
                for match in pattern.finditer(clause):
                    if not _negated(clause, match.start()):
                        hits.append({"lexicon": name, "match": match.group(0)})
                        break
    return hits


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
        for line in agent:
            hits = lexicon_hits(line.text, check["lexicon"])
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
