"""Trainer: training and certification for social e-commerce customer-service agents."""

from flask import Flask

from trainer.config import INSTANCE, ROOT, Config

FEATURES = (
    "accounts",
    "courses",
    "quizzes",
    "roleplay",
    "drills",
    "scorecards",
    "certification",
    "notifications",
    "appeals",
    "skills",
)


def create_app(config: object | None = None, **overrides: object) -> Flask:
    """Build the app: configure, bind extensions, then register each feature."""
    app = Flask(__name__, instance_path=str(INSTANCE), instance_relative_config=False)
    app.config.from_object(config or Config())
    app.config.update(overrides)
    from trainer.core.db import engine_options

    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(
        str(app.config["SQLALCHEMY_DATABASE_URI"]), app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {})
    )

    from trainer.core import clock, errors, i18n, inputs, logs, markdown, memo, security
    from trainer.core.db import tune_sqlite
    from trainer.extensions import csrf, db, limiter, migrate

    logs.configure_logging(app)
    inputs.init_app(app)
    db.init_app(app)
    with app.app_context():
        tune_sqlite(db.engine, app.config["SQLITE_PRAGMAS"])
    # Batch mode lets Alembic alter SQLite tables (copy and move) with the same scripts as
    # PostgreSQL.
    migrate.init_app(
        app, db, directory=str(ROOT / "migrations"), render_as_batch=True, compare_type=True
    )
    csrf.init_app(app)
    limiter.init_app(app)
    clock.init_app(app)
    markdown.init_app(app)
    memo.init_app(app)
    i18n.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    register_features(app, FEATURES)
    from trainer.core import worker

    worker.init_app(app, FEATURES)
    return app


def register_features(app: Flask, names: tuple[str, ...]) -> None:
    """Let each feature package register its blueprints, CLI and panels, then the shell's own."""
    import importlib

    # audit and configdocs register their tables with the metadata.
    from trainer.core import audit, cli, configdocs, home, import_views  # noqa: F401

    app.extensions.setdefault("trainer_nav", [])
    app.extensions.setdefault("trainer_home", [])
    for name in names:
        importlib.import_module(f"trainer.{name}").init_app(app)
    cli.init_app(app)
    home.init_app(app)
    import_views.init_app(app)
