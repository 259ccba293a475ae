"""Between forms and specs/settings: fill a form from a question or quiz, and read it back."""

import re
from datetime import UTC, datetime

from flask_babel import get_timezone

from trainer.quizzes.forms import QuestionForm, QuizForm
from trainer.quizzes.models import Quiz
from trainer.quizzes.quizdefs import PLAIN_SETTINGS, QuizSettings
from trainer.quizzes.spec import (
    DIFFICULTIES,
    Choice,
    MatchPair,
    NumericAnswer,
    QuestionSpec,
    TextAnswer,
)


def _rows(field_list, count: int) -> None:
    while len(field_list.entries) < count:
        field_list.append_entry()


def fill_question_form(form: QuestionForm, spec: QuestionSpec) -> None:
    """Put a question's content into the form (GET of the edit page)."""
    form.qtype.data = spec.qtype
    form.title.data = spec.title
    form.category.data = spec.category
    form.idnumber.data = spec.idnumber
    form.tags.data = ", ".join(spec.tags)
    form.difficulty.data = spec.difficulty
    form.text_format.data = spec.text_format
    form.stem.data = spec.stem
    form.general_feedback.data = spec.general_feedback
    _rows(form.choices_, len(spec.choices))
    for entry, choice in zip(form.choices_.entries, spec.choices, strict=False):
        entry.form.text.data, entry.form.weight.data = choice.text, choice.weight
        entry.form.feedback.data = choice.feedback
    _rows(form.pairs, len(spec.pairs))
    for entry, pair in zip(form.pairs.entries, spec.pairs, strict=False):
        entry.form.left.data, entry.form.right.data = pair.left, pair.right
    _rows(form.answers, len(spec.answers))
    for entry, answer in zip(form.answers.entries, spec.answers, strict=False):
        entry.form.text.data, entry.form.weight.data = answer.text, answer.weight
        entry.form.feedback.data = answer.feedback
    form.case_sensitive.data = spec.case_sensitive
    _rows(form.numbers, len(spec.numbers))
    for entry, number in zip(form.numbers.entries, spec.numbers, strict=False):
        row = entry.form
        if number.is_range:
            row.low.data, row.high.data, row.value.data, row.tolerance.data = (
                number.low,
                number.high,
                None,
                None,
            )
        else:
            row.value.data, row.tolerance.data = number.value, number.tolerance
        row.weight.data, row.feedback.data = number.weight, number.feedback
    form.wrong_feedback.data = spec.wrong_feedback
    form.correct.data = "false" if spec.correct is False else "true"
    form.feedback_true.data = spec.feedback_true
    form.feedback_false.data = spec.feedback_false


def _text(value) -> str:
    return (value or "").strip()


def _difficulty(value) -> str:
    return value if value in DIFFICULTIES else ""


def spec_from_question_form(form: QuestionForm) -> QuestionSpec:
    """The question the form describes (only the chosen type's rows are read)."""
    qtype = form.qtype.data
    spec = QuestionSpec(
        qtype=qtype,
        title=_text(form.title.data),
        stem=_text(form.stem.data),
        text_format=form.text_format.data,
        general_feedback=_text(form.general_feedback.data),
        category=_text(form.category.data),
        idnumber=_text(form.idnumber.data),
        tags=[t for t in re.split(r"[,，]", form.tags.data or "") if t.strip()],
        difficulty=_difficulty(form.difficulty.data),
    )
    if qtype in ("single", "multi"):
        spec.choices = [
            Choice(_text(r.text.data), r.weight.data or 0.0, _text(r.feedback.data))
            for r in (e.form for e in form.choices_.entries)
            if _text(r.text.data)
        ]
    elif qtype == "matching":
        spec.pairs = [
            MatchPair(_text(r.left.data), _text(r.right.data))
            for r in (e.form for e in form.pairs.entries)
            if _text(r.left.data) or _text(r.right.data)
        ]
    elif qtype == "shortanswer":
        spec.answers = [
            TextAnswer(
                _text(r.text.data),
                100.0 if r.weight.data is None else r.weight.data,
                _text(r.feedback.data),
            )
            for r in (e.form for e in form.answers.entries)
            if _text(r.text.data)
        ]
        spec.case_sensitive = bool(form.case_sensitive.data)
    elif qtype == "numerical":
        for row in (e.form for e in form.numbers.entries):
            weight = 100.0 if row.weight.data is None else row.weight.data
            feedback = _text(row.feedback.data)
            if row.low.data is not None and row.high.data is not None:
                spec.numbers.append(
                    NumericAnswer(
                        value=(row.low.data + row.high.data) / 2,
                        low=row.low.data,
                        high=row.high.data,
                        weight=weight,
                        feedback=feedback,
                    )
                )
            elif row.value.data is not None:
                spec.numbers.append(
                    NumericAnswer(
                        value=row.value.data,
                        tolerance=row.tolerance.data or 0.0,
                        weight=weight,
                        feedback=feedback,
                    )
                )
        spec.wrong_feedback = _text(form.wrong_feedback.data)
    elif qtype == "truefalse":
        spec.correct = form.correct.data == "true"
        spec.feedback_true = _text(form.feedback_true.data)
        spec.feedback_false = _text(form.feedback_false.data)
    return spec


def _to_local(value: datetime | None) -> datetime | None:
    """A stored UTC time as the naive local time a datetime-local input shows."""
    if value is None:
        return None
    return value.astimezone(get_timezone()).replace(tzinfo=None)


def _to_utc(value: datetime | None) -> datetime | None:
    """A datetime-local value (the site's time zone) as aware UTC."""
    if value is None:
        return None
    zone = get_timezone()
    # pytz zones must localize (replace() would pick the zone's historic LMT offset).
    local = zone.localize(value) if hasattr(zone, "localize") else value.replace(tzinfo=zone)
    return local.astimezone(UTC)


def fill_quiz_form(form: QuizForm, quiz: Quiz) -> None:
    """Put a quiz's settings into the form."""
    form.slug.data = quiz.slug
    form.title_zh.data = quiz.title.get("zh_CN", "")
    form.title_en.data = quiz.title.get("en", "")
    form.description_zh.data = (quiz.description or {}).get("zh_CN", "")
    form.description_en.data = (quiz.description or {}).get("en", "")
    form.course_slug.data = quiz.course_slug or ""
    random_rules = [r for r in quiz.draw_rules if r.get("type") == "random"]
    for entry, rule in zip(form.rules.entries, random_rules, strict=False):
        entry.form.count.data = rule["count"]
        entry.form.category.data = rule.get("category", "")
        entry.form.tag.data = rule.get("tag", "")
        entry.form.difficulty.data = rule.get("difficulty", "")
    fixed = [q for r in quiz.draw_rules if r.get("type") == "fixed" for q in r["questions"]]
    form.fixed_questions.data = "\n".join(str(q) for q in fixed)
    for name in PLAIN_SETTINGS:
        getattr(form, name).data = getattr(quiz, name)
    form.opens_at.data = _to_local(quiz.opens_at)
    form.closes_at.data = _to_local(quiz.closes_at)


def settings_from_quiz_form(form: QuizForm, resolve) -> tuple[QuizSettings, list[str]]:
    """Settings from the form; `resolve(ref) -> id | None` maps fixed question references.

    Returns the settings and the references that matched no question.
    """
    rules: list[dict] = []
    refs = [r.strip() for r in re.split(r"[\n,，]", form.fixed_questions.data or "") if r.strip()]
    ids, unknown = [], []
    for ref in refs:
        found = resolve(ref)
        if found is None:
            unknown.append(ref)
        elif found not in ids:
            ids.append(found)
    if ids:
        rules.append({"type": "fixed", "questions": ids})
    for row in (e.form for e in form.rules.entries):
        if row.count.data:
            rules.append(
                {
                    "type": "random",
                    "count": row.count.data,
                    "category": _text(row.category.data),
                    "tag": _text(row.tag.data),
                    "difficulty": _difficulty(row.difficulty.data),
                }
            )
    settings = QuizSettings(
        slug=_text(form.slug.data),
        title={"zh_CN": _text(form.title_zh.data), "en": _text(form.title_en.data)},
        description={
            "zh_CN": _text(form.description_zh.data),
            "en": _text(form.description_en.data),
        },
        course_slug=_text(form.course_slug.data) or None,
        draw_rules=rules,
        shuffle_questions=bool(form.shuffle_questions.data),
        shuffle_options=bool(form.shuffle_options.data),
        time_limit_minutes=form.time_limit_minutes.data,
        attempts_allowed=form.attempts_allowed.data or 0,
        wait_minutes=form.wait_minutes.data or 0,
        pass_mark=float(form.pass_mark.data),
        grading_method=form.grading_method.data,
        validity_days=form.validity_days.data,
        review_policy=form.review_policy.data,
        opens_at=_to_utc(form.opens_at.data),
        closes_at=_to_utc(form.closes_at.data),
        published=bool(form.published.data),
    )
    return settings, unknown
