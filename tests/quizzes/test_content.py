"""`content check|sync` for the shipped banks and quiz.yaml files."""

import shutil
from pathlib import Path

import pytest

from trainer.extensions import db
from trainer.quizzes.content import check_quizzes, sync_quizzes
from trainer.quizzes.models import Question, Quiz

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def content_root(tmp_path):
    """A copy of the shipped banks and quiz files only (lessons are not ours to read)."""
    for path in ROOT.glob("courses/*/questions.gift"):
        target = tmp_path / path.relative_to(ROOT)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, target)
    for path in ROOT.glob("courses/*/quiz.yaml"):
        shutil.copy(path, tmp_path / path.relative_to(ROOT))
    return tmp_path


def test_shipped_content_is_clean(app):
    assert check_quizzes(ROOT) == []


def test_sync_loads_banks_and_quizzes_idempotently(app, content_root):
    counts = sync_quizzes(content_root)
    db.session.commit()
    assert counts["questions"] >= 80 and counts["new_versions"] == counts["questions"]
    assert counts["quizzes"] == 5
    again = sync_quizzes(content_root)
    db.session.commit()
    assert again["new_versions"] == 0 and again["quizzes_changed"] == 0
    question = db.session.scalar(
        db.select(Question).where(Question.idnumber == "compliance/CP-01 验证码")
    )
    assert (
        question.category == "compliance/anti-fraud-privacy"
        and question.source == "content:compliance"
    )


def test_a_changed_question_gets_a_new_version_and_a_removed_one_retires(app, content_root):
    sync_quizzes(content_root)
    db.session.commit()
    bank_file = content_root / "courses/compliance/questions.gift"
    text = bank_file.read_text(encoding="utf-8")
    text = text.replace("客服应该怎么回复？", "客服应该如何回复？", 1)
    start = text.index("// 冒充客服的退款诈骗")
    end = text.index("// 客服个人微信")
    bank_file.write_text(text[:start] + text[end:], encoding="utf-8")
    counts = sync_quizzes(content_root)
    db.session.commit()
    assert counts["new_versions"] == 1 and counts["retired"] == 1
    first = db.session.scalar(
        db.select(Question).where(Question.idnumber == "compliance/CP-01 验证码")
    )
    assert first.current_version.number == 2
    gone = db.session.scalar(db.select(Question).where(Question.idnumber.like("compliance/CP-02%")))
    assert gone.retired


def test_a_trainer_edit_survives_an_unchanged_file(app, content_root):
    from trainer.quizzes import bank

    sync_quizzes(content_root)
    question = db.session.scalar(
        db.select(Question).where(Question.idnumber == "compliance/CP-01 验证码")
    )
    spec = bank.question_spec(question)
    spec.stem = "培训师修改过"
    bank.save_question(spec, question=question)
    sync_quizzes(content_root)
    db.session.commit()
    assert question.current_version.stem == "培训师修改过"


def test_broken_bank_is_reported_with_file_and_line(app, content_root):
    bank_file = content_root / "courses/after-sales/questions.gift"
    bank_file.write_text("$CATEGORY: x\n\n::A::{=a ~b\n", encoding="utf-8")
    problems = [str(p) for p in check_quizzes(content_root)]
    assert any(p.startswith("courses/after-sales/questions.gift:3:") for p in problems), problems


HEAD = "quizzes:\n  - slug: a\n    title: {zh_CN: x}\n"


@pytest.mark.parametrize(
    ("yaml_text", "words"),
    [
        ("quizzes: [", "YAML"),
        ("nothing: here", "quizzes"),
        ("quizzes:\n  - slug: Bad Slug\n    title: {zh_CN: x}\n    draw: [{random: 1}]", "slug"),
        (
            HEAD + "    draw: [{random: 999, category: compliance}]",
            "999",
        ),
        (
            "quizzes:\n  - slug: a\n    title: {zh_CN: x}\n    draw: [{fixed: [NOPE]}]",
            "unknown question",
        ),
        (
            HEAD + "    draw: [{random: 1}]\n    colour: red",
            "unknown keys",
        ),
        (
            HEAD + "    draw: [{random: 1}]\n    pass_mark: lots",
            "bad value",
        ),
        (
            HEAD.replace("slug: a", "slug: anti-fraud-privacy") + "    draw: [{random: 1}]",
            "slug also used",
        ),
    ],
)
def test_bad_quiz_files_are_reported(app, content_root, yaml_text, words):
    (content_root / "courses/live-peak/quiz.yaml").write_text(yaml_text, encoding="utf-8")
    problems = [str(p) for p in check_quizzes(content_root)]
    assert any("live-peak/quiz.yaml" in p and words in p for p in problems), problems


def test_fixed_questions_by_title(app, content_root):
    (content_root / "courses/live-peak/quiz.yaml").write_text(
        "quizzes:\n  - slug: fixed-one\n    title: {zh_CN: 固定}\n"
        "    draw: [{fixed: [compliance/CP-01 验证码]}]\n",
        encoding="utf-8",
    )
    assert check_quizzes(content_root) == []
    sync_quizzes(content_root)
    quiz = db.session.scalar(db.select(Quiz).where(Quiz.slug == "fixed-one"))
    assert quiz.draw_rules[0]["type"] == "fixed"


def test_loader_is_registered_after_courses(app):
    from trainer.core.content import content_loaders

    loader = next(item for item in content_loaders() if item.name == "quizzes")
    assert loader.order == 20 and loader.check is check_quizzes and loader.sync is sync_quizzes
