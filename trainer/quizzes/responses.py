"""Between the page and the stored response: option layouts, form fields, display values.

The page only ever sees display positions (0, 1, 2… in the shuffled order) and texts; the
stored response names options by their index in the version. So neither the HTML nor the
autosave JSON reveals which option is right, or even the order the author wrote them in.

Field names: `q<slot>` for choices, true/false and typed answers; `q<slot>_r<row>` for each
row of a matching question.
"""

import random
from dataclasses import dataclass, field

from markupsafe import Markup

from trainer.core.i18n import _
from trainer.quizzes.spec import (
    MATCHING,
    MULTI,
    NUMERICAL,
    SHORTANSWER,
    SINGLE,
    TRUEFALSE,
    QuestionSpec,
)
from trainer.quizzes.texts import render_inline, render_text

MAX_TEXT = 500


class ResponseError(ValueError):
    """The submitted fields do not fit the question."""


def make_layout(spec: QuestionSpec, shuffle: bool, rng: random.Random) -> dict:
    """The display order of a version's options for one attempt."""
    if spec.qtype in (SINGLE, MULTI):
        order = list(range(len(spec.choices)))
        if shuffle:
            rng.shuffle(order)
        return {"order": order}
    if spec.qtype == MATCHING:
        rows = [i for i, p in enumerate(spec.pairs) if p.left]
        order = list(range(len(spec.choice_texts())))
        # The right-hand choices are always shuffled: in author order they would line up.
        rng.shuffle(order)
        if shuffle:
            rng.shuffle(rows)
        return {"rows": rows, "order": order}
    return {}


def _position(value: str, size: int) -> int:
    try:
        pos = int(value)
    except (TypeError, ValueError):
        raise ResponseError(_("This answer is not valid.")) from None
    if not 0 <= pos < size:
        raise ResponseError(_("This answer is not valid."))
    return pos


def fields_to_response(
    spec: QuestionSpec, layout: dict, slot: int, fields: dict[str, list[str]]
) -> dict | None:
    """The stored response for the submitted fields of one question; None when blank."""
    name = f"q{slot}"
    values = [v for v in fields.get(name, []) if isinstance(v, str)]
    if spec.qtype == SINGLE:
        if not values or values[0] == "":
            return None
        return {"choice": layout["order"][_position(values[0], len(layout["order"]))]}
    if spec.qtype == MULTI:
        chosen = sorted({layout["order"][_position(v, len(layout["order"]))] for v in values if v})
        return {"choices": chosen} if chosen else None
    if spec.qtype == TRUEFALSE:
        if not values or values[0] == "":
            return None
        if values[0] not in ("true", "false"):
            raise ResponseError(_("This answer is not valid."))
        return {"value": values[0] == "true"}
    if spec.qtype == MATCHING:
        matches = {}
        for row, pair_index in enumerate(layout["rows"]):
            picked = [v for v in fields.get(f"{name}_r{row}", []) if isinstance(v, str) and v]
            if picked:
                matches[str(pair_index)] = layout["order"][
                    _position(picked[0], len(layout["order"]))
                ]
        return {"matches": matches} if matches else None
    text = values[0] if values else ""
    if len(text) > MAX_TEXT:
        raise ResponseError(_("The answer is too long."))
    return {"text": text} if text.strip() else None


@dataclass
class SlotView:
    """What the attempt page shows for one question: texts and display positions only."""

    slot: int
    number: int
    qtype: str
    stem: Markup
    options: list[tuple[int, Markup]] = field(default_factory=list)  # (position, label)
    rows: list[tuple[int, Markup]] = field(default_factory=list)  # matching: (row, left)
    selected: set[int] = field(default_factory=set)
    value: str = ""  # true/false "true"/"false", or the typed text
    matches: dict[int, int] = field(default_factory=dict)  # row → chosen position
    answered: bool = False
    flagged: bool = False  # marked "for review" by the agent while answering


def slot_view(spec: QuestionSpec, layout: dict, slot: int, response: dict | None) -> SlotView:
    """The display of one question with the saved response filled in."""
    fmt = spec.text_format
    view = SlotView(slot=slot, number=slot + 1, qtype=spec.qtype, stem=render_text(spec.stem, fmt))
    response = response or {}
    view.answered = bool(response)
    if spec.qtype in (SINGLE, MULTI):
        order = layout["order"]
        view.options = [
            (pos, render_inline(spec.choices[i].text, fmt)) for pos, i in enumerate(order)
        ]
        chosen = [response["choice"]] if "choice" in response else response.get("choices", [])
        view.selected = {order.index(i) for i in chosen if i in order}
    elif spec.qtype == MATCHING:
        texts = spec.choice_texts()
        order = layout["order"]
        view.options = [(pos, render_inline(texts[i], "plain")) for pos, i in enumerate(order)]
        view.rows = [
            (row, render_inline(spec.pairs[i].left, fmt)) for row, i in enumerate(layout["rows"])
        ]
        for row, pair_index in enumerate(layout["rows"]):
            chosen = response.get("matches", {}).get(str(pair_index))
            if chosen in order:
                view.matches[row] = order.index(chosen)
    elif spec.qtype == TRUEFALSE:
        if "value" in response:
            view.value = "true" if response["value"] else "false"
    elif spec.qtype in (SHORTANSWER, NUMERICAL):
        view.value = str(response.get("text", ""))
    return view
