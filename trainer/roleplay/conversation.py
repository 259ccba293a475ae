"""The customer's state machine: mood, hidden facts, goal, patience and endings.

Both engines share it. The state is stored with the session (`RoleplaySession.state`) and
updated once per answered agent turn, never re-derived from the transcript; the LLM only ever
chooses the *words* of a reply, never whether the customer is satisfied, gives up or learns a
hidden fact. What the agent did in a turn comes from one place, `customer.acts.read_agent_turn`.
"""

from dataclasses import asdict, dataclass, field, fields, replace

from trainer.roleplay.customer.acts import is_request, read_agent_turn
from trainer.roleplay.customer.needs import assess, goal_needs
from trainer.roleplay.text import contains_any, matches
from trainer.roleplay.transcript import AGENT, CUSTOMER, Line
from trainer.roleplay.understanding import (
    ASKS_EVIDENCE,
    BREACH,
    COMMITS,
    ESCALATES,
    HURDLE,
    INFORMS,
    MANIPULATION,
    OFFERS_SOLUTION,
    RUDE,
    VERIFIES,
)

RESOLVED, GAVE_UP, TURN_LIMIT, AGENT_ENDED = "resolved", "gave_up", "turn_limit", "agent_ended"
END_REASONS = (RESOLVED, GAVE_UP, TURN_LIMIT, AGENT_ENDED)
# After `patience` unhelpful replies in a row, each further one costs this much extra mood;
# the customer asks for a supervisor then, and walks away WALK_AWAY_AFTER turns later.
IMPATIENCE_PENALTY = 10
WALK_AWAY_AFTER = 2
# Rudeness, a compliance breach or a hurdle costs this much mood at once.
RUDE_COST, BREACH_COST, HURDLE_COST = 25, 30, 15
SUBSTANTIVE = (INFORMS, OFFERS_SOLUTION, COMMITS, ESCALATES)
STATE_VERSION = 1


@dataclass(frozen=True)
class State:
    """Where the customer stands after the turns so far (stored as JSON with the session)."""

    mood: int
    revealed: tuple[str, ...] = ()  # hidden facts told (the agent asked about them)
    used_beats: tuple[str, ...] = ()
    used_rules: tuple[int, ...] = ()  # positive mood rules already applied (once each)
    met: tuple[str, ...] = ()  # goal needs the agent has met
    open: tuple[str, ...] = ()  # goal needs still open, in order
    asked: tuple[str, ...] = ()  # open needs the customer has already asked about
    fallback_index: int = 0
    unhelpful_streak: int = 0
    agent_turns: int = 0
    supervisor_asked: bool = False
    ended: str | None = None

    def to_json(self) -> dict:
        """The state as stored in the session's JSON column."""
        values = {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()}
        return {"v": STATE_VERSION, **values}

    @classmethod
    def from_json(cls, data: dict) -> "State":
        """A stored state (unknown keys ignored, lists back to tuples)."""
        names = {f.name for f in fields(cls)}
        values = {k: tuple(v) if isinstance(v, list) else v for k, v in data.items() if k in names}
        return cls(**values)


@dataclass(frozen=True)
class Reaction:
    """How the customer reacts to the agent's latest turn(s), before any words are chosen."""

    mood_before: int
    mood_after: int
    revealed: list[dict] = field(default_factory=list)  # hidden facts revealed now
    beat: dict | None = None  # the scripted beat that matched, if any
    met: list[dict] = field(default_factory=list)  # goal needs met now
    pushback: dict | None = None  # an open need answered vaguely
    ask: dict | None = None  # the open need the customer asks about now
    rude: bool = False
    breach: bool = False
    supervisor: bool = False  # the customer asks for a supervisor now
    helpful: bool = False
    fallback: str | None = None  # a scripted fallback line, when nothing else is said
    end_reason: str | None = None
    matched_rules: list[int] = field(default_factory=list)


def initial_state(spec: dict) -> State:
    """The customer before the agent's first word."""
    return State(mood=spec["mood"]["start"], open=tuple(n["id"] for n in goal_needs(spec)))


def _clamp(mood: int) -> int:
    return max(0, min(100, mood))


def _asked_about(readings, words: list[str]) -> bool:
    """Whether the agent asked (a question or request) about one of `words`."""
    return any(
        act.kind in (VERIFIES, ASKS_EVIDENCE)
        and is_request(act.quote)
        and contains_any(act.quote, words)
        for reading in readings
        for act in reading.acts
    )


def _beat(spec: dict, state: State, readings, text: str, seconds: float | None) -> dict | None:
    for beat in spec["script"]["beats"]:
        if beat["id"] in state.used_beats or not matches(beat["when"], text, seconds):
            continue
        if beat.get("asked") and not _asked_about(readings, beat["when"].get("any", [])):
            continue
        return beat
    return None


def _mood_rules(
    spec: dict, state: State, batch: list[Line], seconds: float | None, manipulative: bool
) -> tuple[int, list[int], list[int]]:
    """(mood change, rules matched, positive rules used so far): a positive rule counts once."""
    change, matched, used = 0, [], list(state.used_rules)
    for position, line in enumerate(batch):
        for index, rule in enumerate(spec["mood"]["rules"]):
            once = rule["change"] > 0
            if once and (index in used or manipulative):
                continue
            if matches(rule["when"], line.text, seconds if position == 0 else None):
                change += rule["change"]
                matched.append(index)
                if once:
                    used.append(index)
    return change, matched, used


def react(
    spec: dict, state: State, batch: list[Line], first_reply_seconds: float | None
) -> tuple[State, Reaction]:
    """Apply the agent's consecutive turns `batch` to the state: mood, facts, goal, end."""
    readings = [read_agent_turn(spec, line.text, line.seq) for line in batch]
    kinds = {act.kind for reading in readings for act in reading.acts}
    manipulative = MANIPULATION in kinds
    change, matched_rules, used_rules = _mood_rules(
        spec, state, batch, first_reply_seconds, manipulative
    )
    text = "\n".join(line.text for line in batch)
    revealed = (
        []
        if manipulative
        else [
            fact
            for fact in spec["hidden_facts"]
            if fact["id"] not in state.revealed and _asked_about(readings, fact["ask_keywords"])
        ]
    )
    beat = None if manipulative else _beat(spec, state, readings, text, first_reply_seconds)
    needs = goal_needs(spec)
    met, vague = ([], None) if manipulative else assess(needs, state.open, text)
    rude = RUDE in kinds
    # An insult is rudeness; the policy may also call it `abuse`: it costs mood once.
    breach = any(
        act.kind == BREACH and not (rude and act.detail == "abuse")
        for reading in readings
        for act in reading.acts
    )
    mood_cfg = spec["mood"]
    change += (beat["mood"] if beat else 0) + sum(n["mood"] for n in met)
    change -= RUDE_COST if rude else 0
    change -= BREACH_COST if breach else 0
    change -= HURDLE_COST if HURDLE in kinds and not rude else 0
    # Vague words alone never help; a turn with substance (an answer, an offer, a commitment)
    # does, even when the customer still presses on one point.
    helpful = not (rude or breach or manipulative) and bool(
        met or revealed or (beat and beat["mood"] >= 0) or kinds & set(SUBSTANTIVE)
    )
    streak = 0 if helpful else state.unhelpful_streak + 1
    patience = spec["persona"]["patience"]
    if streak > patience:
        change -= IMPATIENCE_PENALTY
    mood = _clamp(state.mood + change)
    open_ids = tuple(i for i in state.open if i not in {n["id"] for n in met})
    agent_turns = state.agent_turns + len(batch)
    end_reason = None
    if mood <= mood_cfg["give_up_at"] or streak >= patience + WALK_AWAY_AFTER:
        end_reason = GAVE_UP
    elif needs and not open_ids:
        end_reason = RESOLVED
    elif agent_turns >= spec["end"]["max_turns"]:
        end_reason = TURN_LIMIT
    supervisor = (
        end_reason is None
        and not state.supervisor_asked
        and streak >= patience
        and bool(spec["script"].get("supervisor_reply"))
    )
    if ESCALATES in kinds:
        supervisor = False
    by_id = {n["id"]: n for n in needs}
    ask = None
    answered = revealed or breach or (beat is not None and beat.get("asked"))
    if end_reason not in (GAVE_UP, RESOLVED) and vague is None and open_ids and not answered:
        ask = by_id[open_ids[0]]
    fallback, fallback_index = None, state.fallback_index
    quiet = not (revealed or beat or vague or ask or supervisor or rude or breach)
    if end_reason not in (GAVE_UP, RESOLVED) and quiet:
        lines = spec["script"]["fallback"]
        fallback = lines[fallback_index % len(lines)]
        fallback_index += 1
    new_state = replace(
        state,
        mood=mood,
        revealed=state.revealed + tuple(f["id"] for f in revealed),
        used_beats=state.used_beats + ((beat["id"],) if beat else ()),
        used_rules=tuple(used_rules),
        met=state.met + tuple(n["id"] for n in met),
        open=open_ids,
        asked=tuple(i for i in state.asked if i in open_ids)
        + ((ask["id"],) if ask and ask["id"] not in state.asked else ()),
        fallback_index=fallback_index,
        unhelpful_streak=streak,
        agent_turns=agent_turns,
        supervisor_asked=state.supervisor_asked or supervisor,
        ended=end_reason,
    )
    reaction = Reaction(
        mood_before=state.mood,
        mood_after=mood,
        revealed=revealed,
        beat=beat,
        met=met,
        pushback=vague,
        ask=ask,
        rude=rude,
        breach=breach,
        supervisor=supervisor,
        helpful=helpful,
        fallback=fallback,
        end_reason=end_reason,
        matched_rules=matched_rules,
    )
    return new_state, reaction


def replay(spec: dict, lines: list[Line]) -> State:
    """The state after the answered turns of an old session stored without one (used once)."""
    state = initial_state(spec)
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
                state, _ = react(spec, state, batch, seconds)
                batch = []
            last_customer = line
    return state


def mood_label(spec: dict, mood: int) -> str:
    """A coarse mood band, used in prompts and on the chat page."""
    if mood <= spec["mood"]["give_up_at"] + 10:
        return "furious"
    if mood < 40:
        return "upset"
    if mood < spec["mood"]["satisfied_at"]:
        return "unsure"
    return "satisfied"
