"""The scenario builder's form: every part of a scenario as fields and rows, no YAML.

Rows (hidden facts, mood rules, needs, beats, rubric items, topics, coaching links) are
`FieldList`s of small sub-forms; the builder adds, removes and reorders them on the server, so
the page works without JavaScript. Values stay text here: the scenario schema
(scenarios.normalise) is the one validator, and builder.py maps its problems back to fields.
"""

from flask import g
from flask_babel import LazyString
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Length, Optional, Regexp
from wtforms.widgets import CheckboxInput, ListWidget

from trainer.core.forms import choices
from trainer.core.i18n import _, _l, pick
from trainer.roleplay.labels import CATEGORY_LABELS, DIFFICULTY_LABELS
from trainer.roleplay.scenarios import SLUG_RE
from trainer.roleplay.schema import RULE_TYPES

MAX_ROWS = 100  # rows per list a form accepts (more are dropped, never processed)
SLUG_MESSAGE = _l("Use lowercase letters, digits and hyphens.")
LINES_HINT = _l("One phrase per line.")
ACT_LABELS = {
    "greets": _l("greets the customer"),
    "empathy": _l("shows empathy"),
    "verifies": _l("verifies the order or identity"),
    "asks_evidence": _l("asks for evidence"),
    "informs": _l("informs"),
    "offers_solution": _l("offers a solution"),
    "commits": _l("commits to an action"),
    "escalates": _l("escalates"),
    "closes": _l("closes the conversation"),
    "rude": _l("is rude"),
    "hurdle": _l("puts up a hurdle"),
    "breach": _l("breaks a compliance rule"),
    "manipulation": _l("tries to manipulate"),
}
MEASURED_ACTS = (
    "greets",
    "empathy",
    "verifies",
    "asks_evidence",
    "informs",
    "offers_solution",
    "commits",
    "escalates",
    "closes",
)
AGAINST_ACTS = ("rude", "hurdle", "breach", "manipulation")
RULE_TYPE_LABELS = {
    "first_response_within": _l("First reply within N seconds"),
    "response_within": _l("Every reply within N seconds"),
    "required_phrases": _l("Says required phrases"),
    "forbidden_phrases": _l("Never says forbidden phrases"),
    "forbidden_lexicon": _l("Keeps platform compliance rules"),
    "regex": _l("Matches a pattern (regular expression)"),
    "hidden_fact_uncovered": _l("Uncovers a hidden fact"),
}
NEED_KIND_LABELS = {
    "decision": _l("a decision"),
    "time": _l("a concrete time"),
    "info": _l("information"),
}
SCALE_LABELS = {
    "pass_fail": _l("pass/fail"),
    "3": _l("3 points"),
    "4": _l("4 points"),
    "5": _l("5 points"),
}
ITEM_KIND_LABELS = {"rule": _l("Rule (checked automatically)"), "judged": _l("Judged")}


def _rule_title(name: str) -> str:
    """A lexicon name's title from the policy in force (looked up once per request)."""
    titles = g.get("rb_rule_titles")
    if titles is None:
        from trainer.roleplay.policy import active_policy

        titles = g.rb_rule_titles = {rule.id: pick(rule.title) for rule in active_policy().rules}
    from trainer.roleplay.rules import policy_rule_id

    rule_id = policy_rule_id(name)
    title = titles.get(rule_id, name)
    return title if rule_id == name else _("%(title)s (older name)", title=title)


def lexicon_choices() -> list:
    """Platform compliance rules a check can name, titled from the policy in force."""
    from trainer.roleplay.rules import lexicon_names

    return choices((name, LazyString(_rule_title, name)) for name in lexicon_names())


def _lines(label, **kwargs) -> TextAreaField:
    return TextAreaField(
        label,
        validators=[Optional(), Length(max=4000)],
        description=kwargs.pop("description", LINES_HINT),
        render_kw={"rows": 2, **kwargs},
    )


def _text(label, limit: int = 4000, **kwargs) -> StringField:
    return StringField(label, validators=[Optional(), Length(max=limit)], **kwargs)


def _checkboxes(label, options) -> SelectMultipleField:
    return SelectMultipleField(
        label,
        choices=options,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        validate_choice=False,
    )


class FactRow(Form):
    """A hidden fact and how the agent uncovers it."""

    id = _text(_l("Id"), 60, description=_l("Lowercase letters, digits and underscores."))
    fact = _text(_l("Fact"))
    ask_keywords = _lines(_l("Uncovered when the agent asks about"))
    reveal = _text(_l("What the customer then says"))


class ConditionMixin:
    """`when:` a mood rule's or a beat's condition."""

    any = _lines(_l("Any of these phrases"))
    all = _lines(_l("All of these phrases"))
    slow_reply_seconds = _text(
        _l("Or a reply slower than (seconds)"), 10, render_kw={"inputmode": "decimal"}
    )


class MoodRuleRow(ConditionMixin, Form):
    """A mood rule: a condition and the mood change."""

    change = _text(_l("Mood change"), 10, render_kw={"inputmode": "numeric"})


class NeedRow(Form):
    """What the customer needs to hear before it is satisfied."""

    id = _text(_l("Id"), 60)
    need = _text(_l("What the customer needs"))
    kind = SelectField(_l("Answered by"), choices=choices(NEED_KIND_LABELS.items()))
    words = _lines(_l("Topic words"))
    ask = _text(_l("The customer's question"))
    pushback = _text(_l("Pushback on a vague answer"))
    mood = _text(_l("Mood gained when met"), 10, render_kw={"inputmode": "numeric"})


class BeatRow(ConditionMixin, Form):
    """A scripted reaction of the offline customer."""

    id = _text(_l("Id"), 60)
    asked = BooleanField(_l("Only when the agent asks about it"))
    reply = _text(_l("Reply"))
    mood = _text(_l("Mood change"), 10, render_kw={"inputmode": "numeric"})


class TopicRow(Form):
    """A fact a judged item wants the agent to state."""

    words = _lines(
        _l("Words (alternatives)"), description=_l("One per line; a+b means both in one clause.")
    )
    missing_zh = _text(_l("Guidance when missing (Chinese)"))
    missing_en = _text(_l("Guidance when missing (English)"))


class RubricItemRow(Form):
    """One rubric item: a rule check or a judged item."""

    id = _text(_l("Id"), 60)
    title_zh = _text(_l("Title (Chinese)"), 200)
    title_en = _text(_l("Title (English)"), 200)
    kind = SelectField(_l("Kind"), choices=choices(ITEM_KIND_LABELS.items()))
    scale = SelectField(_l("Scale"), choices=choices(SCALE_LABELS.items()))
    weight = _text(_l("Weight"), 10, render_kw={"inputmode": "decimal"})
    critical = BooleanField(_l("Critical (failing it fails the grade)"))
    na_allowed = BooleanField(_l("May be not applicable"))
    check_type = SelectField(
        _l("Check"), choices=choices((t, RULE_TYPE_LABELS[t]) for t in RULE_TYPES)
    )
    check_seconds = _text(_l("Seconds"), 10, render_kw={"inputmode": "decimal"})
    check_phrases = _lines(_l("Phrases"))
    check_min = _text(_l("At least this many phrases"), 10, render_kw={"inputmode": "numeric"})
    check_lexicon = _checkboxes(_l("Platform rules it teaches"), lexicon_choices())
    check_pattern = _text(_l("Pattern"), 1000)
    check_must_match = BooleanField(_l("A reply must match (else: must never match)"))
    check_fact = _text(_l("Hidden fact id"), 60)
    guidance = TextAreaField(
        _l("Guidance for the judge and the trainer"),
        validators=[Optional(), Length(max=4000)],
        render_kw={"rows": 2},
    )
    acts = _checkboxes(
        _l("Measures these acts"), choices((a, ACT_LABELS[a]) for a in MEASURED_ACTS)
    )
    min_count = _text(_l("Distinct acts needed"), 10, render_kw={"inputmode": "numeric"})
    against = _checkboxes(
        _l("Halved by these acts"), choices((a, ACT_LABELS[a]) for a in AGAINST_ACTS)
    )
    topics = FieldList(FormField(TopicRow), min_entries=0, max_entries=MAX_ROWS)
    min_topics = _text(_l("Topics needed"), 10, render_kw={"inputmode": "numeric"})
    met_zh = _text(_l("Met (Chinese)"))
    met_en = _text(_l("Met (English)"))
    partly_zh = _text(_l("Partly met (Chinese)"))
    partly_en = _text(_l("Partly met (English)"))
    not_met_zh = _text(_l("Not met (Chinese)"))
    not_met_en = _text(_l("Not met (English)"))
    offline_keywords = _lines(_l("Offline keywords (older items)"))


class CoachingRow(Form):
    """The lesson behind a rubric item."""

    item = _text(_l("Rubric item id"), 60)
    lesson = _text(_l("Lesson (course-slug/lesson-slug)"), 200)


class ScenarioBuilderForm(FlaskForm):
    """The whole scenario as a form; its rows are edited through the `op` button."""

    op = StringField()  # which row button was pressed ("add:hidden_facts", "up:rubric_items/2")
    slug = StringField(
        _l("Slug"),
        validators=[Optional(), Length(max=80), Regexp(SLUG_RE, message=SLUG_MESSAGE)],
    )
    title_zh = _text(_l("Title (Chinese)"), 200)
    title_en = _text(_l("Title (English)"), 200)
    summary_zh = TextAreaField(_l("Summary (Chinese)"), validators=[Length(max=1000)])
    summary_en = TextAreaField(_l("Summary (English)"), validators=[Length(max=1000)])
    category = SelectField(_l("Category"), choices=choices(CATEGORY_LABELS.items()))
    difficulty = SelectField(
        _l("Difficulty"), choices=choices((str(k), v) for k, v in DIFFICULTY_LABELS.items())
    )
    persona_name = _text(_l("Customer's name"), 60)
    persona_temperament = _text(_l("Temperament"), 300)
    persona_patience = SelectField(
        _l("Patience"),
        choices=choices((str(n), str(n)) for n in range(1, 6)),
        default="3",
        description=_l("How many unhelpful replies before the mood drops faster (1-5)."),
    )
    persona_style = _text(_l("Way of writing"), 300)
    situation = TextAreaField(
        _l("Situation"),
        validators=[Length(max=4000)],
        description=_l("What the customer knows and wants, from their point of view."),
    )
    opening = TextAreaField(_l("Opening message"), validators=[Length(max=1000)])
    policy = TextAreaField(
        _l("Shop policy"),
        validators=[Length(max=4000)],
        description=_l(
            "What the agent may and may not offer; the judge grades accuracy against it."
        ),
    )
    hidden_facts = FieldList(FormField(FactRow), min_entries=0, max_entries=MAX_ROWS)
    mood_start = _text(_l("Starting mood (0-100)"), 10, render_kw={"inputmode": "numeric"})
    mood_give_up_at = _text(_l("Gives up at or below"), 10, render_kw={"inputmode": "numeric"})
    mood_satisfied_at = _text(_l("Satisfied band from"), 10, render_kw={"inputmode": "numeric"})
    mood_rules = FieldList(FormField(MoodRuleRow), min_entries=0, max_entries=MAX_ROWS)
    max_turns = _text(
        _l("Agent turns before the chat ends"), 10, render_kw={"inputmode": "numeric"}
    )
    needs = FieldList(FormField(NeedRow), min_entries=0, max_entries=MAX_ROWS)
    beats = FieldList(FormField(BeatRow), min_entries=0, max_entries=MAX_ROWS)
    fallback = _lines(_l("Fallback lines"), description=_l("One line per row, said in turn."))
    resolved_reply = _text(_l("Said when satisfied"))
    gave_up_reply = _text(_l("Said when giving up"))
    supervisor_reply = _text(_l("Asks for a supervisor (optional)"))
    rude_reply = _text(_l("Reaction to rudeness (optional)"))
    breach_reply = _text(_l("Reaction to a rule breach (optional)"))
    pass_mark = _text(_l("Pass mark (0-100)"), 10, render_kw={"inputmode": "numeric"})
    rubric_items = FieldList(FormField(RubricItemRow), min_entries=0, max_entries=MAX_ROWS)
    coaching = FieldList(FormField(CoachingRow), min_entries=0, max_entries=MAX_ROWS)
    examples = _lines(_l("Model replies"), description=_l("One reply per line."), rows=3)


def _fields_by_name(form) -> dict:
    found = {}
    for field in form:
        if field.type == "FieldList":
            for entry in field.entries:
                found.update(_fields_by_name(entry.form))
        elif field.type == "FormField":
            found.update(_fields_by_name(field.form))
        else:
            found[field.name] = field
    return found


def attach_problems(form: ScenarioBuilderForm, problems: dict[str, list[str]]) -> list[str]:
    """Put each problem beside its field; return those that belong to no single field."""
    fields = _fields_by_name(form)
    general = []
    for name, messages in problems.items():
        field = fields.get(name)
        if field is None:
            general.extend(messages)
        else:
            field.errors = list(field.errors or []) + messages
    return general
