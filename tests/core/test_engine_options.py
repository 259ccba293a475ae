"""Engine options per database: a SQLite file is not pinged before each checkout."""

from trainer.core.db import engine_options


def test_sqlite_skips_the_ping_other_databases_keep_it():
    configured = {"pool_pre_ping": True, "pool_recycle": 300}
    assert engine_options("sqlite:////tmp/x.db", configured) == {
        "pool_pre_ping": False,
        "pool_recycle": 300,
    }
    url = "postgresql+psycopg://db/trainer"
    assert engine_options(url, configured) == configured
    assert configured["pool_pre_ping"] is True  # the configuration itself is left alone


def test_the_app_engine_follows_its_url(app):
    from trainer.extensions import db

    with app.app_context():
        expected = db.engine.dialect.name != "sqlite"
        assert db.engine.pool._pre_ping is expected
