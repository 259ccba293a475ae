"""Words for codes: categories, end reasons, flags and item details, in the user's language."""

from trainer.core.i18n import _, _l, label, pick

CATEGORY_LABELS = {
    "pre_sale": _l("Pre-sale"),
    "order": _l("Orders"),
    "logistics": _l("Logistics"),
    "after_sales": _l("Returns and after-sales"),
    "payment_dispute": _l("Payment disputes"),
    "live_flash_sale": _l("Live-room flash sales"),
    "promotion_peak": _l("Promotion peaks"),
    "fraud_compliance": _l("Fraud and compliance"),
    "complaint_escalation": _l("Complaint escalation"),
}
DIFFICULTY_LABELS = {1: _l("Easy"), 2: _l("Medium"), 3: _l("Hard")}
END_REASONS = {
    "resolved": _l("The customer was satisfied"),
    "gave_up": _l("The customer gave up"),
    "turn_limit": _l("Turn limit reached"),
    "agent_ended": _l("The agent ended the chat"),
}
MOOD_LABELS = {
    "furious": _l("Furious"),
    "upset": _l("Upset"),
    "unsure": _l("Not convinced yet"),
    "satisfied": _l("Satisfied"),
}
JUDGE_LABELS = {
    "llm": _l("AI judge"),
    "offline": _l("Offline judge"),
    "offline_fallback": _l("Offline judge (AI judge unavailable)"),
}
MANIPULATION_KINDS = {
    "instruction_override": _l("tried to override the instructions"),
    "role_override": _l("tried to change the customer's role"),
    "score_request": _l("asked for a score"),
    "rubric_probe": _l("asked for the rubric or hidden facts"),
    "role_tag": _l("wrote role tags"),
    "encoded_text": _l("sent encoded text"),
    "hidden_characters": _l("sent hidden characters"),
}


def category_label(code: str) -> str:
    """A scenario category in the user's language."""
    return label(CATEGORY_LABELS, code)


def difficulty_label(level: int) -> str:
    """Easy / Medium / Hard."""
    return label(DIFFICULTY_LABELS, level)


def end_reason_label(code: str | None) -> str:
    """Why a conversation ended."""
    return str(END_REASONS.get(code, code or ""))


def mood_label(band: str) -> str:
    """A mood band (furious, upset, unsure, satisfied) in words."""
    return label(MOOD_LABELS, band)


def judge_label(code: str) -> str:
    """Which judge graded the judged items."""
    return label(JUDGE_LABELS, code)


def scale_label(scale) -> str:
    """Pass/fail or N-point."""
    return _("pass/fail") if scale == "pass_fail" else _("%(n)s-point", n=scale)


def score_label(item: dict, score=None) -> str:
    """A score on an item's scale: "pass", "fail", "3 / 5" or "N/A"."""
    score = item["score"] if score is None and "score" in item else score
    if score is None:
        return _("N/A")
    if item["scale"] == "pass_fail":
        return _("pass") if score else _("fail")
    return f"{score} / {item['max']}"


def flag_label(flag: dict) -> str:
    """A grade flag explained."""
    code = flag.get("code")
    if code == "manipulation":
        kind = str(MANIPULATION_KINDS.get(flag.get("kind"), flag.get("kind")))
        return _(
            "Turn %(seq)s: the agent %(what)s (“%(match)s”); that turn earns nothing.",
            seq=flag.get("seq"),
            what=kind,
            match=flag.get("match", ""),
        )
    if code == "breach":
        return _(
            "Turn %(seq)s: the agent broke the platform policy %(policy)s (“%(match)s”).",
            seq=flag.get("seq"),
            policy=flag.get("policy"),
            match=flag.get("match", ""),
        )
    if code == "quote_not_found":
        return _(
            "Item %(item)s: the judge's quote is not in the agent's turns; scored 0.",
            item=flag.get("item"),
        )
    if code == "quote_not_agent":
        return _(
            "Item %(item)s: the judge quoted the customer, not the agent; scored 0.",
            item=flag.get("item"),
        )
    if code == "quote_from_manipulation":
        return _(
            "Item %(item)s: the judge's quote comes from a manipulative turn; scored 0.",
            item=flag.get("item"),
        )
    if code == "invalid_score":
        return _("Item %(item)s: the judge gave no valid score; scored 0.", item=flag.get("item"))
    if code == "policy_breach":
        return _(
            "Turn %(seq)s breaks the platform policy (%(rule)s): “%(quote)s”.",
            seq=flag.get("seq"),
            rule=lexicon_title(str(flag.get("policy"))),
            quote=flag.get("quote", ""),
        )
    if code == "judge_unavailable" and flag.get("kind") == "budget":
        return _("Today's AI budget was spent; the offline judge graded instead.")
    if code == "judge_unavailable":
        return _(
            "The AI judge was unavailable (%(kind)s); the offline judge graded instead.",
            kind=flag.get("kind"),
        )
    return str(code)


def item_detail(item: dict) -> str:
    """What the rule or the offline judge found, in words."""
    detail = item.get("detail") or {}
    check = detail
    if item["kind"] == "judged":
        return ""  # judged items show their level, reason and missing guidance instead
    if "limit" in check:
        seconds = check.get("seconds")
        if seconds is None:
            return _("No reply from the agent (limit %(limit)s s).", limit=_num(check["limit"]))
        if check.get("first"):
            return _(
                "First reply after %(s)s s (limit %(limit)s s).",
                s=_num(seconds),
                limit=_num(check["limit"]),
            )
        return _(
            "Slowest counted reply: %(s)s s (limit %(limit)s s).",
            s=_num(seconds),
            limit=_num(check["limit"]),
        )
    if "hits" in check:
        if not check["hits"]:
            return _("No forbidden wording found.")
        hit = check["hits"][0]
        return _(
            "Forbidden wording (%(lexicon)s): “%(match)s”.",
            lexicon=lexicon_title(hit["lexicon"]),
            match=hit["match"],
        )
    if "fact" in check:
        return _("Hidden fact: %(fact)s", fact=check["fact"])
    if "min" in check:
        return _(
            "%(found)d of the expected phrases used (at least %(min)d needed).",
            found=len(check.get("found", [])),
            min=check["min"],
        )
    if "found" in check:
        return _("Forbidden phrases used: %(found)s.", found="、".join(check["found"]) or "—")
    return ""


LEVEL_LABELS = {"met": _l("Met"), "partly": _l("Partly met"), "not_met": _l("Not met")}


def level_label(level: str | None) -> str:
    """Met / partly met / not met."""
    return str(LEVEL_LABELS.get(level, "")) if level else ""


def lexicon_title(name: str) -> str:
    """The title of the policy rule a compliance lexicon name stands for."""
    from trainer.roleplay.policy import active_policy
    from trainer.roleplay.rules import policy_rule_id

    rule = active_policy().rule(policy_rule_id(name))
    return pick(rule.title) if rule else name


def _num(value) -> str:
    return f"{value:.0f}" if value is not None else "—"
