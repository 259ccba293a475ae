"""The bank: versioning, retiring, search, GIFT import (CLI and upload) and export."""

import io

from tests.quizzes.conftest import QTYPES, spec_of
from trainer.extensions import db
from trainer.quizzes import bank
from trainer.quizzes.gift import parse_gift
from trainer.quizzes.models import Question, QuestionVersion

GOOD = """$CATEGORY: compliance/imported

// [id:IMP-1] [tag:反诈]
::IMP-1 验证码::客服可以索要验证码吗？{F#答错了#答对了####绝不索要}

::IMP-2::选择{=对#好 ~错#不好}

::E::essay{}
"""


def test_editing_makes_a_new_version_and_metadata_does_not(make_question):
    question = make_question("single")
    first = question.current_version
    spec = bank.question_spec(question)
    spec.tags = ["新标签"]
    _q, changed = bank.save_question(spec, question=question)
    assert not changed and question.tags == ["新标签"]
    spec.stem = "新题干"
    _q, changed = bank.save_question(spec, question=question)
    db.session.commit()
    assert changed and question.current_version.number == 2
    assert db.session.get(QuestionVersion, first.id).stem == "题干 single 1"


def test_versions_are_immutable(make_question):
    import pytest

    version = make_question("truefalse").current_version
    version.stem = "changed"
    with pytest.raises(RuntimeError):
        db.session.flush()
    db.session.rollback()


def test_invalid_question_is_refused(app):
    import pytest

    spec = spec_of("single")
    spec.choices[0].weight = 10
    with pytest.raises(bank.BankError, match="100%"):
        bank.save_question(spec)


def test_search_filters_and_pagination(make_question):
    for i in range(30):
        make_question(QTYPES[i % 6], category="a/b" if i % 2 else "c")
    assert bank.search_questions(category="a").total == 15
    assert bank.search_questions(qtype="matching").total == 5
    assert bank.search_questions(text="题干 numerical").total == 5
    page = bank.search_questions(per_page=25, page=2)
    assert page.total == 30 and len(page.items) == 5 and page.pages == 2
    question = page.items[0]
    bank.retire_question(question, actor=None)
    assert bank.search_questions().total == 29
    assert bank.search_questions(status="retired").items == [question]
    assert (
        dict(bank.category_counts()) == {"a/b": 15, "c": 14}
        or sum(n for _c, n in bank.category_counts()) == 29
    )


def test_cli_import_counts_types_and_reimport_updates(app, runner, tmp_path):
    path = tmp_path / "bank.gift"
    path.write_text(GOOD, encoding="utf-8")
    result = runner.invoke(args=["quiz", "import-gift", str(path)])
    assert result.exit_code == 0, result.output
    assert "imported 2 question(s): single=1, truefalse=1" in result.output
    assert "line 8" in result.output and "skipped" in result.output
    question = bank.get_by_idnumber("IMP-1")
    assert question.category == "compliance/imported" and question.tags == ["反诈"]
    path.write_text(GOOD.replace("绝不索要", "任何时候都绝不索要"), encoding="utf-8")
    result = runner.invoke(args=["quiz", "import-gift", str(path), "--category", "x"])
    assert "new=1 updated=1 unchanged=0" in result.output
    db.session.expire_all()
    assert bank.get_by_idnumber("IMP-1").current_version.number == 2
    assert bank.get_by_idnumber("IMP-1").category == "x"


def test_cli_import_of_a_malformed_file_imports_nothing(app, runner, tmp_path):
    path = tmp_path / "bad.gift"
    path.write_text("Q1{T}\n\nQ2{=a ~b\n\nQ3{~%50%a ~%20%b}", encoding="utf-8")
    result = runner.invoke(args=["quiz", "import-gift", str(path)])
    assert result.exit_code != 0
    assert "line 3:" in result.output and "line 5:" in result.output
    assert "nothing was imported" in result.output
    assert db.session.scalar(db.select(db.func.count(Question.id))) == 0


def test_cli_import_refuses_non_utf8(app, runner, tmp_path):
    path = tmp_path / "gbk.gift"
    path.write_bytes("题目{T}".encode("gbk"))
    result = runner.invoke(args=["quiz", "import-gift", str(path)])
    assert result.exit_code != 0 and "UTF-8" in result.output


def test_export_reads_back_to_the_same_questions(app, runner, make_question, tmp_path):
    originals = [bank.question_spec(make_question(t, category="exp/one")) for t in QTYPES]
    make_question("single", category="other")
    out = tmp_path / "out.gift"
    result = runner.invoke(args=["quiz", "export-gift", "--category", "exp", "--output", str(out)])
    assert result.exit_code == 0, result.output
    back = parse_gift(out.read_text(encoding="utf-8")).questions
    for spec in back:
        spec.line = 0
    key = lambda s: s.title  # noqa: E731
    assert sorted(back, key=key) == sorted(originals, key=key)


def test_upload_page_imports_whole_or_reports_lines(trainer_client):
    page = trainer_client.get("/quizzes/bank/import")
    assert page.status_code == 200
    bad = trainer_client.post(
        "/quizzes/bank/import",
        data={"file": (io.BytesIO(b"Q{=a ~b}\n\nQ2{=x"), "bad.gift"), "category": ""},
        content_type="multipart/form-data",
    )
    body = bad.get_data(as_text=True)
    assert 'data-testid="import-problems"' in body and "3" in body
    assert db.session.scalar(db.select(db.func.count(Question.id))) == 0
    good = trainer_client.post(
        "/quizzes/bank/import",
        data={"file": (io.BytesIO(GOOD.encode()), "good.gift"), "category": ""},
        content_type="multipart/form-data",
    )
    assert 'data-testid="import-report"' in good.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(Question.id))) == 2


def test_upload_of_a_binary_file_is_refused(trainer_client):
    response = trainer_client.post(
        "/quizzes/bank/import",
        data={"file": (io.BytesIO(b"\xff\xfe\x00bad"), "x.gift"), "category": ""},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200 and "UTF-8" in response.get_data(as_text=True)


def test_export_download(trainer_client, make_question):
    make_question("truefalse", category="合规/反诈")
    response = trainer_client.get("/quizzes/bank/export?category=合规")
    assert response.status_code == 200
    assert "$CATEGORY: 合规/反诈" in response.get_data(as_text=True)
    assert "filename*=UTF-8''" in response.headers["Content-Disposition"]


def test_a_huge_gift_upload_is_refused_before_anything_is_written(trainer_client):
    from trainer.quizzes.gift.parser import MAX_QUESTIONS

    tiny = "\n\n".join(f"::q{i}:: 第 {i} 题对吗？ {{T}}" for i in range(5_000))
    response = trainer_client.post(
        "/quizzes/bank/import",
        data={"file": (io.BytesIO(tiny.encode()), "huge.gift"), "category": ""},
        content_type="multipart/form-data",
    )
    body = response.get_data(as_text=True)
    assert 'data-testid="import-problems"' in body and str(MAX_QUESTIONS) in body
    assert db.session.scalar(db.select(db.func.count(Question.id))) == 0


def test_the_question_limit_counts_questions_not_comments(trainer_client):
    from trainer.quizzes.gift.parser import MAX_QUESTIONS

    over = "\n\n".join(f"::q{i}:: 第 {i} 题对吗？ {{T}}" for i in range(MAX_QUESTIONS + 1))
    response = trainer_client.post(
        "/quizzes/bank/import",
        data={"file": (io.BytesIO(over.encode()), "over.gift"), "category": ""},
        content_type="multipart/form-data",
    )
    assert 'data-testid="import-problems"' in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(Question.id))) == 0
