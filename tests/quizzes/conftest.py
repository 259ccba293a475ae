"""Builders for quiz tests: questions of every type, quizzes, attempts."""

import pytest

from trainer.extensions import db
from trainer.quizzes import bank
from trainer.quizzes.quizdefs import QuizSettings, save_quiz
from trainer.quizzes.spec import Choice, MatchPair, NumericAnswer, QuestionSpec, TextAnswer


def spec_of(qtype: str, n: int = 1, category: str = "compliance/test") -> QuestionSpec:
    """A well-formed question of each type (right answers are easy to tell in tests)."""
    common = dict(title=f"{qtype} {n}", stem=f"题干 {qtype} {n}", category=category)
    if qtype == "single":
        return QuestionSpec(
            qtype="single",
            choices=[
                Choice("正确选项", 100, "对"),
                Choice("错误选项一", 0, "错"),
                Choice("部分选项", 50, "半对"),
            ],
            general_feedback="规则说明",
            **common,
        )
    if qtype == "multi":
        return QuestionSpec(
            qtype="multi",
            choices=[
                Choice("对一", 50, "是"),
                Choice("对二", 50, "是"),
                Choice("错一", -50, "否"),
                Choice("错二", -50, "否"),
            ],
            **common,
        )
    if qtype == "truefalse":
        return QuestionSpec(
            qtype="truefalse", correct=True, feedback_true="答对", feedback_false="答错", **common
        )
    if qtype == "matching":
        return QuestionSpec(
            qtype="matching",
            pairs=[MatchPair("物流", "快递"), MatchPair("退款", "财务"), MatchPair("", "法务")],
            **common,
        )
    if qtype == "shortanswer":
        return QuestionSpec(
            qtype="shortanswer",
            answers=[TextAnswer("提货码", 100, "对"), TextAnswer("取货*", 50, "接近")],
            **common,
        )
    return QuestionSpec(
        qtype="numerical",
        numbers=[NumericAnswer(30, 0, feedback="对"), NumericAnswer(25, 5, weight=50)],
        wrong_feedback="不对",
        **common,
    )


QTYPES = ["single", "multi", "truefalse", "matching", "shortanswer", "numerical"]


@pytest.fixture
def make_question(app):
    """Save a question of a type into the bank."""
    counter = iter(range(1, 100_000))

    def build(qtype: str = "single", category: str = "compliance/test", **changes):
        spec = spec_of(qtype, next(counter), category)
        for key, value in changes.items():
            setattr(spec, key, value)
        question, _changed = bank.save_question(spec)
        db.session.commit()
        return question

    return build


@pytest.fixture
def make_quiz(app, make_question):
    """A quiz drawing from a category; fills the bank with `bank_size` mixed questions first."""
    counter = iter(range(1, 10_000))

    def build(
        count: int = 3, bank_size: int | None = None, category: str = "compliance/test", **settings
    ):
        n = next(counter)
        for i in range(bank_size if bank_size is not None else count):
            make_question(QTYPES[i % len(QTYPES)], category=category)
        values = dict(
            slug=f"quiz-{n}",
            title={"zh_CN": f"测验 {n}", "en": f"Quiz {n}"},
            draw_rules=[{"type": "random", "count": count, "category": category}],
        )
        values.update(settings)
        quiz = save_quiz(QuizSettings(**values))
        db.session.commit()
        return quiz

    return build


def right_fields(answer) -> dict[str, list[str]]:
    """The page fields that answer an attempt slot fully right (via its layout)."""
    spec = answer.version.spec()
    name, layout = f"q{answer.slot}", answer.layout
    if spec.qtype == "single":
        best = max(range(len(spec.choices)), key=lambda i: spec.choices[i].weight)
        return {name: [str(layout["order"].index(best))]}
    if spec.qtype == "multi":
        return {
            name: [
                str(layout["order"].index(i)) for i, c in enumerate(spec.choices) if c.weight > 0
            ]
        }
    if spec.qtype == "truefalse":
        return {name: ["true" if spec.correct else "false"]}
    if spec.qtype == "matching":
        texts = spec.choice_texts()
        return {
            f"{name}_r{row}": [str(layout["order"].index(texts.index(spec.pairs[i].right)))]
            for row, i in enumerate(layout["rows"])
        }
    if spec.qtype == "shortanswer":
        return {name: [spec.answers[0].text]}
    return {name: [str(spec.numbers[0].value)]}
