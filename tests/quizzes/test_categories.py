"""Question-bank category paths and difficulties read as names."""

from flask_babel import force_locale

from trainer.quizzes.categories import category_name, difficulty_name


def test_category_paths_read_as_names(app):
    with app.test_request_context(), force_locale("zh_CN"):
        assert category_name("compliance/anti-fraud-privacy") == "合规 / 防诈骗与隐私"
        assert category_name("compliance/new-topic") == "合规 / new-topic"  # typed, not named yet
        assert category_name("") == ""
        assert difficulty_name("hard") == "困难"
    with app.test_request_context(), force_locale("en"):
        assert category_name("compliance/platform-rules") == "Compliance / Platform rules"
