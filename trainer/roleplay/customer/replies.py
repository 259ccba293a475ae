"""The scripted customer's words for a reaction of the state machine."""

from trainer.roleplay.conversation import GAVE_UP, RESOLVED, Reaction

DEFAULT_RUDE_REPLY = "你这是什么态度？"
DEFAULT_BREACH_REPLY = "这样不对吧？平台上不是说不能这样吗？"


def scripted_reply(spec: dict, reaction: Reaction) -> str:
    """The scripted customer's words for a reaction (the offline engine's whole job)."""
    script = spec["script"]
    if reaction.end_reason == GAVE_UP:
        return script["gave_up_reply"]
    parts = []
    # A beat written for this very situation speaks for the customer instead of the default.
    if reaction.rude and reaction.beat is None:
        parts.append(script.get("rude_reply") or DEFAULT_RUDE_REPLY)
    if reaction.breach and reaction.beat is None:
        parts.append(script.get("breach_reply") or DEFAULT_BREACH_REPLY)
    if reaction.end_reason == RESOLVED:
        return "\n".join([*parts, script["resolved_reply"]])
    parts += [fact["reveal"] for fact in reaction.revealed]
    if reaction.beat is not None:
        parts.append(reaction.beat["reply"])
    if reaction.supervisor:
        parts.append(script["supervisor_reply"])
    elif reaction.pushback is not None:
        parts.append(reaction.pushback["pushback"])
    elif reaction.ask is not None:
        parts.append(reaction.ask["ask"])
    if not parts and reaction.fallback:
        parts.append(reaction.fallback)
    return "\n".join(parts)
