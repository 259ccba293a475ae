"""Course images are real pictures within limits, stored re-encoded without metadata."""

import io
import zipfile

import pytest
from flask_babel import force_locale
from PIL import Image

from tests.courses.pictures import jpeg_with_gps, png_bytes
from tests.courses.test_content_check import GOOD_BODY, LESSON, messages, write_course
from tests.courses.test_transfer import course, rezip, upload
from trainer.courses.images import ImageError, clean_image, image_problem
from trainer.courses.models import CourseImage
from trainer.courses.transfer import export_course
from trainer.extensions import db


def test_a_jpeg_loses_its_exif_gps_and_comment(app):
    original = jpeg_with_gps()
    assert Image.open(io.BytesIO(original)).getexif()  # the fixture does carry metadata
    content_type, cleaned = clean_image("photo.jpg", original)
    assert content_type == "image/jpeg"
    image = Image.open(io.BytesIO(cleaned))
    assert image.format == "JPEG" and image.size == (16, 8)
    assert not image.getexif() and "exif" not in image.info and "comment" not in image.info
    assert b"PhoneMaker" not in cleaned and b"secret" not in cleaned


def test_a_png_text_chunk_is_dropped(app):
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Author", "someone@example.com")
    out = io.BytesIO()
    Image.new("RGBA", (5, 5), (1, 2, 3, 128)).save(out, "PNG", pnginfo=info)
    _type, cleaned = clean_image("a.png", out.getvalue())
    assert b"someone@example.com" not in cleaned
    assert Image.open(io.BytesIO(cleaned)).mode == "RGBA"


@pytest.mark.parametrize(
    ("name", "data", "says"),
    [
        ("notes.png", "这是一段文字，不是图片。\n".encode(), "not a PNG, JPEG, GIF or WebP image"),
        ("fake.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 40, "not a PNG, JPEG, GIF or WebP image"),
        ("page.gif", b"<svg onload=alert(1)>", "not a PNG, JPEG, GIF or WebP image"),
        ("photo.png", jpeg_with_gps(), "not the image its name says"),
        ("vector.svg", b"<svg/>", "PNG, JPEG, GIF or WebP files with a simple name"),
        ("empty.png", b"", "at most 2 MB"),
    ],
)
def test_what_is_not_an_acceptable_image_says_why(app, name, data, says):
    with force_locale("en"), pytest.raises(ImageError) as caught:
        clean_image(name, data)
    assert says in str(caught.value)


def test_a_decompression_bomb_is_refused_from_its_header(app):
    out = io.BytesIO()
    Image.new("1", (12_000, 12_000)).save(out, "PNG")  # ~20 KB on disk, 144 megapixels
    assert len(out.getvalue()) < 100_000
    with force_locale("en"):
        assert "too large" in image_problem("bomb.png", out.getvalue())
    out = io.BytesIO()
    Image.new("1", (6000, 6000)).save(out, "PNG")  # within a side, over the pixel total
    with force_locale("en"):
        assert "megapixels" in image_problem("wide.png", out.getvalue())


def test_upload_of_a_renamed_text_file_names_the_file_in_chinese(app, trainer_client, make_course):
    make_course("pics", lessons=1)
    response = trainer_client.post(
        "/courses/manage/pics/images",
        data={"image": (io.BytesIO(b"hello, not an image"), "chart.png")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert "chart.png：该文件不是 PNG、JPEG、GIF 或 WebP 图片" in page
    assert db.session.scalar(db.select(db.func.count(CourseImage.id))) == 0


def test_upload_stores_the_cleaned_picture(app, trainer_client, make_course):
    make_course("photos", lessons=1)
    trainer_client.post(
        "/courses/manage/photos/images",
        data={"image": (io.BytesIO(jpeg_with_gps()), "shop.jpg")},
        content_type="multipart/form-data",
    )
    stored = db.session.scalar(db.select(CourseImage))
    assert stored.content_type == "image/jpeg" and b"PhoneMaker" not in stored.data
    assert not Image.open(io.BytesIO(stored.data)).getexif()


def test_a_text_file_renamed_png_in_a_zip_is_a_listed_problem(app, make_course, trainer_client):
    make_course("zipped", lessons=1)
    data = rezip(export_course(course("zipped")), add={"zipped/images/fake.png": b"just text"})
    response = upload(trainer_client, data)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "zipped/images/fake.png" in page and "不是 PNG、JPEG、GIF 或 WebP 图片" in page
    assert db.session.scalar(db.select(db.func.count(CourseImage.id))) == 0
    assert zipfile.is_zipfile(io.BytesIO(data))


def test_content_check_opens_shipped_images(app, tmp_path):
    body = GOOD_BODY + "\n\n![流程图](images/flow.png)\n"
    folder = write_course(
        tmp_path, "pictures", lessons={"01-intro.md": LESSON.format(answer=0, body=body)}
    )
    (folder / "images").mkdir()
    (folder / "images" / "flow.png").write_text("not really a picture")
    found = messages(tmp_path)
    assert any(
        m.startswith("courses/pictures/images/flow.png:1: The file is not a PNG") for m in found
    )
    (folder / "images" / "flow.png").write_bytes(png_bytes())
    assert messages(tmp_path) == []
