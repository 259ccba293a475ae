"""`content check` for courses: the shipped content is clean; broken files are reported by line."""

import textwrap
from pathlib import Path

import pytest
from flask_babel import force_locale

from tests.courses.pictures import png_bytes
from trainer.config import ROOT
from trainer.courses.loader import check_courses, load_packages

COURSE_YAML = """\
slug: {slug}
title:
  zh_CN: 测试课程
  en: Test course
summary:
  zh_CN: 简介。
  en: Summary.
category: foundations
estimated_minutes: 30
prerequisites: {prereqs}
level: L1
"""

LESSON = """\
---
title:
  zh_CN: 第一课
  en: Lesson one
minutes: 5
checks:
  - question: 问题？
    options: [甲, 乙, 丙]
    answer: {answer}
    explanation: 因为甲。
---

{body}
"""

GOOD_BODY = "顾客问到发货时间时，先查订单再回答，给出具体日期。" * 15


def write_course(root: Path, slug: str, *, prereqs: str = "[]", lessons: dict | None = None):
    """Write courses/<slug>/ with course.yaml and the given lesson files (name → text)."""
    folder = root / "courses" / slug
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "course.yaml").write_text(COURSE_YAML.format(slug=slug, prereqs=prereqs))
    if lessons is None:
        lessons = {"01-intro.md": LESSON.format(answer=0, body=GOOD_BODY)}
    for name, text in lessons.items():
        (folder / name).write_text(text)
    return folder


def messages(root: Path) -> list[str]:
    """The problems as printed, in English (tests run inside pytest-flask's request context)."""
    with force_locale("en"):
        return [str(p) for p in check_courses(root)]


def test_shipped_courses_pass_the_check(app):
    packages, problems = load_packages(ROOT)
    assert [str(p) for p in problems] == []
    assert len(packages) >= 6
    assert sum(len(p.lessons) for p in packages) >= 30
    for package in packages:
        assert package.title["zh_CN"] and package.title["en"]
        for lesson in package.lessons:
            assert 1 <= len(lesson.checks) <= 3


def test_cli_reports_ok_for_a_clean_root(app, runner, tmp_path):
    write_course(tmp_path, "clean-course")
    result = runner.invoke(args=["content", "check", "--root", str(tmp_path)])
    assert "courses/clean-course" not in result.output


def test_cli_prints_file_and_line_and_fails(app, runner, tmp_path):
    write_course(
        tmp_path, "broken", lessons={"01-intro.md": LESSON.format(answer=7, body=GOOD_BODY)}
    )
    with force_locale("en"):
        result = runner.invoke(args=["content", "check", "--root", str(tmp_path)])
    assert result.exit_code != 0
    assert "courses/broken/01-intro.md:9: answer is the 0-based index" in result.output


def test_course_yaml_problems_have_line_numbers(app, tmp_path):
    folder = write_course(tmp_path, "yaml-problems")
    (folder / "course.yaml").write_text(
        textwrap.dedent(
            """\
            slug: other-name
            title:
              zh_CN: 标题
            summary:
              zh_CN: 简介
              en: Summary
            category: cooking
            estimated_minutes: many
            prerequisites: []
            level: L9
            colour: blue
            """
        )
    )
    found = messages(tmp_path)
    base = "courses/yaml-problems/course.yaml"
    assert f"{base}:1: The slug other-name differs from the folder name yaml-problems." in found
    assert f"{base}:2: title has no en text." in found
    assert any(m.startswith(f"{base}:7: Category must be one of") for m in found)
    assert f"{base}:8: estimated_minutes must be a whole number from 1 to 1000." in found
    assert f"{base}:10: Level must be one of: L1, L2, L3." in found
    assert any(m.startswith(f"{base}:11: Unknown field colour") for m in found)


def test_invalid_yaml_names_the_line(app, tmp_path):
    folder = write_course(tmp_path, "bad-yaml")
    (folder / "course.yaml").write_text("slug: bad-yaml\ntitle:\n  zh_CN: [unclosed\n  en: x\n")
    found = messages(tmp_path)
    assert any(m.startswith("courses/bad-yaml/course.yaml:") and "Invalid YAML" in m for m in found)
    line = int(next(m for m in found if "Invalid YAML" in m).split(":")[1])
    assert 3 <= line <= 5


def test_missing_prerequisite_and_cycle(app, tmp_path):
    write_course(tmp_path, "alpha", prereqs="[beta]")
    write_course(tmp_path, "beta", prereqs="[alpha]")
    write_course(tmp_path, "gamma", prereqs="[nowhere]")
    found = messages(tmp_path)
    assert "courses/gamma/course.yaml:10: Prerequisite nowhere is not a course." in found
    cycles = [m for m in found if "cycle" in m]
    assert (
        "courses/alpha/course.yaml:10: Prerequisites form a cycle: alpha → beta → alpha." in cycles
    )
    assert len(cycles) == 2


def test_lesson_file_problems(app, tmp_path):
    unclosed = LESSON.format(answer=0, body=GOOD_BODY + "\n\n::: good\n客服：好的\n")
    stray = LESSON.format(answer=0, body=GOOD_BODY + "\n\n:::\n")
    unknown = LESSON.format(answer=0, body="::: warning\n注意\n:::\n\n" + GOOD_BODY)
    html_and_image = LESSON.format(
        answer=0, body=GOOD_BODY + "\n\n<script>alert(1)</script>\n\n![图](images/missing.png)\n"
    )
    write_course(
        tmp_path,
        "lessons",
        lessons={
            "01-unclosed.md": unclosed,
            "02-stray.md": stray,
            "03-unknown.md": unknown,
            "04-html.md": html_and_image,
            "05-short.md": LESSON.format(answer=0, body="太短了。"),
            "6-badname.md": LESSON.format(answer=0, body=GOOD_BODY),
            "07-no-front-matter.md": GOOD_BODY,
            "08-unknown-key.md": LESSON.format(answer=0, body=GOOD_BODY).replace(
                "minutes: 5", "minutes: 5\nauthor: 王老师"
            ),
            "09-unclosed.md": "dup number",
        },
    )
    found = messages(tmp_path)
    base = "courses/lessons"
    assert (
        f"{base}/01-unclosed.md:15: The ::: good callout is never closed (add a line :::)." in found
    )
    assert f"{base}/02-stray.md:15: This ::: closes no open callout." in found
    assert any(m.startswith(f"{base}/03-unknown.md:13: Unknown callout warning") for m in found)
    assert f"{base}/04-html.md:15: Raw HTML <script> is not allowed; use Markdown." in found
    assert f"{base}/04-html.md:17: Image images/missing.png does not exist in the course." in found
    assert any(
        m.startswith(f"{base}/05-short.md:13: The lesson text has 4 characters") for m in found
    )
    assert any(m.startswith(f"{base}/6-badname.md:1: Lesson files are named") for m in found)
    no_front = f"{base}/07-no-front-matter.md:1: The lesson must start with front matter"
    assert any(m.startswith(no_front) for m in found)
    assert any(m.startswith(f"{base}/08-unknown-key.md:6: Unknown field author") for m in found)
    assert any(
        m.startswith(f"{base}/09-unclosed.md:1: Lesson key unclosed is also used") for m in found
    )


def test_checks_are_validated(app, tmp_path):
    no_checks = LESSON.format(answer=0, body=GOOD_BODY).split("checks:")[0] + "---\n\n" + GOOD_BODY
    two_options = LESSON.format(answer=0, body=GOOD_BODY).replace("[甲, 乙, 丙]", "[甲]")
    write_course(
        tmp_path, "checks", lessons={"01-none.md": no_checks, "02-one-option.md": two_options}
    )
    found = messages(tmp_path)
    assert "courses/checks/01-none.md:2: A lesson has 1 to 3 knowledge checks." in found
    assert "courses/checks/02-one-option.md:8: A check has 2 to 6 options." in found


def test_images_that_exist_pass_and_foreign_files_are_ignored(app, tmp_path):
    body = GOOD_BODY + "\n\n![流程图](images/flow.png)\n"
    folder = write_course(
        tmp_path, "pictures", lessons={"01-intro.md": LESSON.format(answer=0, body=body)}
    )
    (folder / "images").mkdir()
    (folder / "images" / "flow.png").write_bytes(png_bytes())
    (folder / "questions.gift").write_text("not a course file {")
    (folder / "quiz.yaml").write_text(": not yaml for us [")
    assert messages(tmp_path) == []


@pytest.mark.parametrize("src", ["https://example.org/x.png", "/etc/passwd.png", "../x.png"])
def test_images_must_live_in_the_course(app, tmp_path, src):
    body = GOOD_BODY + f"\n\n![x]({src})\n"
    write_course(tmp_path, "remote", lessons={"01-intro.md": LESSON.format(answer=0, body=body)})
    found = messages(tmp_path)
    assert any("Images must be files of the course" in m for m in found)


def test_reserved_slug_is_refused(app, tmp_path):
    write_course(tmp_path, "manage")
    assert any("reserved" in m for m in messages(tmp_path))


@pytest.mark.parametrize(
    ("extra", "line", "message"),
    [
        ("loop: &a [*a]", 12, "anchors and aliases (&name, *name) are not supported"),
        ("tree: &a\n  b: *a", 12, "anchors and aliases (&name, *name) are not supported"),
        ("deep: " + "[" * 1500 + "]" * 1500, 12, "nested more than 50 levels deep"),
        ("a: &a [x, x, x]\nb: [*a, *a, *a]", 12, "anchors and aliases"),
    ],
)
def test_yaml_anchors_aliases_and_deep_nesting_are_refused(app, tmp_path, extra, line, message):
    folder = write_course(tmp_path, "tricky")
    course_yaml = folder / "course.yaml"
    course_yaml.write_text(course_yaml.read_text() + extra + "\n")
    found = messages(tmp_path)
    prefix = f"courses/tricky/course.yaml:{line}: Invalid YAML: "
    assert any(m.startswith(prefix) and message in m for m in found), found


def test_lesson_front_matter_anchors_are_refused_with_the_file_line(app, tmp_path):
    lesson = LESSON.format(answer=0, body=GOOD_BODY).replace("  en: Lesson one", "  en: &t x")
    lesson = lesson.replace("minutes: 5", "minutes: 5\nagain: *t")
    write_course(tmp_path, "front", lessons={"01-intro.md": lesson})
    found = messages(tmp_path)
    expected = "courses/front/01-intro.md:4: Invalid YAML: anchors and aliases"
    assert any(m.startswith(expected) for m in found), found
