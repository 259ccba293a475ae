"""The customer's state machine: mood, hidden facts, beats and end conditions.

Both engines share it. The state is never stored as such: it is replayed from the transcript,
so it is deterministic, survives restarts, and the LLM only ever chooses the *words* of a reply,
never whether the customer is satisfied, gives up or learns a hidden fact.
"""

from dataclasses import dataclass, field, replace

from trainer.roleplay.text import contains_any, matches
from trainer.roleplay.transcript import AGENT, CUSTOMER, Line

RESOLVED, GAVE_UP, TURN_LIMIT, AGENT_ENDED = "resolved", "gave_up", "turn_limit", "agent_ended"
END_REASONS = (RESOLVED, GAVE_UP, TURN_LIMIT, AGENT_ENDED)
# After `patience` unhelpful replies in a row, each further one costs this much extra mood.
IMPATIENCE_PENALTY = 10


@dataclass(frozen=True)
class State:
    """Where the customer stands after the turns so far."""

    mood: int
    revealed: tuple[str, ...] = ()
    used_beats: tuple[str, ...] = ()
    fallback_index: int = 0
    unhelpful_streak: int = 0
    agent_turns: int = 0
    ended: str | None = None


@dataclass(frozen=True)
class Reaction:
    """How the customer reacts to the agent's latest turn(s), before any words are chosen."""

    mood_before: int
    mood_after: int
    revealed: list[dict] = field(default_factory=list)  # hidden facts revealed now
    beat: dict | None = None  # the scripted beat that matched, if any
    fallback: str | None = None  # the scripted fallback line, when nothing matched
    end_reason: str | None = None
    matched_rules: list[int] = field(default_factory=list)


def initial_state(spec: dict) -> State:
    """The customer before the agent's first word."""
    return State(mood=spec["mood"]["start"])


def _clamp(mood: int) -> int:
    return max(0, min(100, mood))


def react(
    spec: dict, state: State, batch: list[Line], first_reply_seconds: float | None
) -> tuple[State, Reaction]:
    """Apply the agent's consecutive turns `batch` to the state: mood, facts, beat, end."""
    mood = state.mood
    change = 0
    matched_rules: list[int] = []
    for position, line in enumerate(batch):
        seconds = first_reply_seconds if position == 0 else None
        for index, rule in enumerate(spec["mood"]["rules"]):
            if matches(rule["when"], line.text, seconds):
                change += rule["change"]
                matched_rules.append(index)
    text = "\n".join(line.text for line in batch)
    revealed = [
        fact
        for fact in spec["hidden_facts"]
        if fact["id"] not in state.revealed and contains_any(text, fact["ask_keywords"])
    ]
    beat = next(
        (
            b
            for b in spec["script"]["beats"]
            if b["id"] not in state.used_beats and matches(b["when"], text, first_reply_seconds)
        ),
        None,
    )
    if beat is not None:
        change += beat["mood"]
    helpful = change > 0 or bool(revealed)
    streak = 0 if helpful else state.unhelpful_streak + 1
    if streak > spec["persona"]["patience"]:
        change -= IMPATIENCE_PENALTY
    mood = _clamp(mood + change)
    agent_turns = state.agent_turns + len(batch)
    end_reason = None
    if mood <= spec["mood"]["give_up_at"]:
        end_reason = GAVE_UP
    elif mood >= spec["mood"]["satisfied_at"] and matches(spec["end"]["resolved_when"], text):
        end_reason = RESOLVED
    elif agent_turns >= spec["end"]["max_turns"]:
        end_reason = TURN_LIMIT
    fallback = None
    fallback_index = state.fallback_index
    if end_reason not in (GAVE_UP, RESOLVED) and not revealed and beat is None:
        lines = spec["script"]["fallback"]
        fallback = lines[fallback_index % len(lines)]
        fallback_index += 1
    new_state = replace(
        state,
        mood=mood,
        revealed=state.revealed + tuple(f["id"] for f in revealed),
        used_beats=state.used_beats + ((beat["id"],) if beat else ()),
        fallback_index=fallback_index,
        unhelpful_streak=streak,
        agent_turns=agent_turns,
        ended=end_reason,
    )
    reaction = Reaction(
        mood_before=state.mood,
        mood_after=mood,
        revealed=revealed,
        beat=beat,
        fallback=fallback,
        end_reason=end_reason,
        matched_rules=matched_rules,
    )
    return new_state, reaction


def _batches(lines: list[Line]) -> list[tuple[list[Line], float | None, bool]]:
    """Split the turns after the opening into (agent batch, reply seconds, answered?)."""
    batches: list[tuple[list[Line], float | None, bool]] = []
    batch: list[Line] = []
    last_customer: Line | None = None
    seconds: float | None = None
    for line in lines:
        if line.speaker == AGENT:
            if not batch:
                seconds = (line.at - last_customer.at).total_seconds() if last_customer else 0.0
            batch.append(line)
        elif line.speaker == CUSTOMER:
            if batch:
                batches.append((batch, seconds, True))
                batch = []
            last_customer = line
    if batch:
        batches.append((batch, seconds, False))
    return batches


def replay(spec: dict, lines: list[Line]) -> tuple[State, list[Line], float | None]:
    """The state after every answered batch, plus the pending (unanswered) agent turns."""
    state = initial_state(spec)
    for batch, seconds, answered in _batches(lines):
        if not answered:
            return state, batch, seconds
        state, _ = react(spec, state, batch, seconds)
    return state, [], None


def scripted_reply(spec: dict, reaction: Reaction) -> str:
    """The scripted customer's words for a reaction (the offline engine's whole job)."""
    script = spec["script"]
    if reaction.end_reason == GAVE_UP:
        return script["gave_up_reply"]
    if reaction.end_reason == RESOLVED:
        return script["resolved_reply"]
    parts = [fact["reveal"] for fact in reaction.revealed]
    if reaction.beat is not None:
        parts.append(reaction.beat["reply"])
    if not parts and reaction.fallback:
        parts.append(reaction.fallback)
    return "\n".join(parts)


def mood_label(spec: dict, mood: int) -> str:
    """A coarse mood band, used in prompts and on the chat page."""
    if mood <= spec["mood"]["give_up_at"] + 10:
        return "furious"
    if mood < 40:
        return "upset"
    if mood < spec["mood"]["satisfied_at"]:
        return "unsure"
    return "satisfied"
