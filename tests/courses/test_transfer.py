"""Export a course as a zip in the folder format and import it back: round trip, all or nothing."""

import io
import zipfile

import pytest

from tests.courses.pictures import png_bytes
from trainer.courses.models import Course, CourseImage, Lesson, LessonVersion
from trainer.courses.transfer import export_course
from trainer.extensions import db


def course(slug: str) -> Course:
    db.session.expire_all()
    return db.session.scalar(db.select(Course).where(Course.slug == slug))


def upload(client, data: bytes, name: str = "course.zip"):
    return client.post(
        "/courses/manage/import",
        data={"archive": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def rezip(data: bytes, change=None, drop=(), add=None) -> bytes:
    """A copy of a zip with one file changed (name → fn(text)), files dropped or added."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            if info.filename in drop:
                continue
            content = source.read(info.filename)
            if change and info.filename in change:
                content = change[info.filename](content.decode()).encode()
            target.writestr(info.filename, content)
        for name, content in (add or {}).items():
            target.writestr(name, content)
    return out.getvalue()


def test_export_has_the_folder_format(app, synced, trainer_client):
    response = trainer_client.get("/courses/manage/after-sales/export.zip")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(response.data)).namelist()
    assert names[0] == "after-sales/course.yaml"
    assert "after-sales/01-seven-day-return.md" in names
    assert not any(n.endswith((".gift", "quiz.yaml")) for n in names)


def test_exported_shipped_course_matches_the_files(app, synced, tmp_path):
    """The zip unpacked into a content root passes `content check` and syncs to no change."""
    from trainer.courses.loader import load_packages

    data = export_course(course("compliance"))
    zipfile.ZipFile(io.BytesIO(data)).extractall(tmp_path / "courses")
    packages, problems = load_packages(tmp_path)
    assert problems == []
    exported = {lp.slug: lp.content_hash for lp in packages[0].lessons}
    stored = {ls.slug: ls.content_hash for ls in course("compliance").lessons}
    assert exported == stored


def test_round_trip_into_an_empty_database(app, make_course, trainer_client):
    original = make_course("round-trip", lessons=3, published=True)
    png = png_bytes()
    db.session.add(
        CourseImage(course_id=original.id, filename="a.png", content_type="image/png", data=png)
    )
    db.session.commit()
    data = export_course(original)
    hashes = [ls.content_hash for ls in original.lessons]
    db.session.delete(original)
    db.session.commit()
    response = upload(trainer_client, data)
    assert response.status_code == 302
    imported = course("round-trip")
    assert imported.published is False  # a new course arrives as a draft
    assert [ls.content_hash for ls in imported.lessons] == hashes
    assert db.session.scalar(db.select(CourseImage.data)) == png


def test_reimport_of_an_unchanged_export_changes_nothing(app, make_course, trainer_client):
    make_course("same", lessons=2)
    data = export_course(course("same"))
    before = db.session.scalar(db.select(db.func.count(LessonVersion.id)))
    assert upload(trainer_client, data).status_code == 302
    assert db.session.scalar(db.select(db.func.count(LessonVersion.id))) == before


def test_import_updates_versions_retires_and_reorders(app, make_course, trainer_client):
    make_course("update-me", lessons=3)
    data = export_course(course("update-me"))
    changed = rezip(
        data,
        change={"update-me/01-lesson-1.md": lambda t: t + "\n新增一段。\n"},
        drop={"update-me/02-lesson-2.md"},
    )
    assert upload(trainer_client, changed).status_code == 302
    updated = course("update-me")
    by_slug = {ls.slug: ls for ls in updated.lessons}
    assert by_slug["lesson-1"].version == 2 and "新增一段" in by_slug["lesson-1"].body
    assert by_slug["lesson-2"].retired_at is not None
    assert by_slug["lesson-3"].version == 1


def test_bad_zip_is_refused_and_nothing_changes(app, make_course, trainer_client):
    make_course("keep", lessons=1)
    before = db.session.scalar(db.select(db.func.count(Lesson.id)))
    response = upload(trainer_client, b"this is not a zip")
    assert response.status_code == 400
    assert 'data-testid="import-problems"' in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(Lesson.id))) == before


def test_zip_with_problems_lists_file_and_line(app, make_course, trainer_client):
    make_course("broken", lessons=2)
    data = rezip(
        export_course(course("broken")),
        change={"broken/02-lesson-2.md": lambda t: t.replace("answer: 0", "answer: 4")},
        add={"broken/03-new.md": "---\ntitle: {zh_CN: 新, en: New}\nminutes: 3\n---\n\n正文\n"},
    )
    response = upload(trainer_client, data)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "broken/02-lesson-2.md:" in page
    # Nothing landed: not the valid new lesson either.
    assert len(course("broken").lessons) == 2
    assert all(ls.version == 1 for ls in course("broken").lessons)


def test_unsafe_zip_paths_are_refused(app, trainer_client):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("../evil/course.yaml", "slug: evil\n")
    response = upload(trainer_client, out.getvalue())
    assert response.status_code == 400
    assert db.session.scalar(db.select(db.func.count(Course.id))) == 0


def test_import_without_a_file_is_a_clear_error(app, trainer_client):
    response = trainer_client.post("/courses/manage/import", data={})
    assert response.status_code == 400


BAD_YAML = [
    "&a [*a]",
    "a: &a\n  b: *a",
    "k: " + "[" * 1500 + "]" * 1500,
    "a: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: [*b,*b,*b,*b,*b,*b]",
    "title: 好\x01课\n",  # a control character (finding 4)
]


@pytest.mark.parametrize("bad", BAD_YAML)
def test_import_refuses_yaml_aliases_and_deep_nesting(app, make_course, trainer_client, bad):
    make_course("yaml-bomb", lessons=1)
    data = export_course(course("yaml-bomb"))
    for name, change in [
        ("yaml-bomb/course.yaml", lambda t: bad),
        ("yaml-bomb/01-lesson-1.md", lambda t: "---\n" + bad + "\n---\n\n正文\n"),
    ]:
        response = upload(trainer_client, rezip(data, change={name: change}))
        assert response.status_code == 400
        assert f"{name}:" in response.get_data(as_text=True)
        assert all(ls.version == 1 for ls in course("yaml-bomb").lessons)


def deflated(data: bytes) -> bytes:
    """The same zip, compressed (a small upload, as an attacker would send it)."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            target.writestr(info.filename, source.read(info))
    return out.getvalue()


def test_an_oversized_image_in_a_zip_is_a_listed_problem(app, make_course, trainer_client):
    make_course("pictures", lessons=1)
    big_png = b"\x89PNG\r\n\x1a\n" + b"\0" * (2 * 1024 * 1024 + 10)
    data = rezip(export_course(course("pictures")), add={"pictures/images/huge.png": big_png})
    response = upload(trainer_client, deflated(data))
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "pictures/images/huge.png" in page and "2048 KB" in page
    assert db.session.scalar(db.select(db.func.count(CourseImage.id))) == 0


def test_a_zip_bomb_text_is_refused_from_its_declared_size(app, make_course, trainer_client):
    make_course("bomb", lessons=1)
    inflated = "# " + "a" * (30 * 1024 * 1024) + "\n"  # 30 MB of YAML comment, tiny compressed
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("bomb/course.yaml", inflated)
    assert len(out.getvalue()) < 100 * 1024
    response = upload(trainer_client, out.getvalue())
    assert response.status_code == 400
    assert "bomb/course.yaml" in response.get_data(as_text=True)
