"""Home page per role, the language switch and a health check."""

from flask import (
    Blueprint,
    Flask,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    session,
)
from flask_login import current_user
from sqlalchemy import text

from trainer.core.auth import public, signed_in
from trainer.core.features import actions_for, home_widgets_for, inject_nav
from trainer.core.urls import safe_next_url
from trainer.extensions import db

bp = Blueprint("core", __name__)


@bp.get("/")
@signed_in
def home():
    """The signed-in user's home page: what waits for their action, then their role's panels."""
    panels = [(w.template, w.context(current_user)) for w in home_widgets_for(current_user)]
    return render_template("home.html", actions=actions_for(current_user), panels=panels)


@bp.post("/locale")
@public
def set_locale():
    """Switch the interface language (kept on the user, or in the session when signed out)."""
    locale = request.form.get("locale", "")
    if locale in current_app.config["LANGUAGES"]:
        session["locale"] = locale
        if current_user.is_authenticated:
            current_user.locale = locale  # the signed-in user's saved choice
            db.session.commit()
    return redirect(safe_next_url(request.form.get("next")))


@bp.get("/healthz")
@public
def healthz():
    """Liveness and database reachability, for load balancers."""
    db.session.execute(text("SELECT 1"))
    return jsonify(status="ok")


def init_app(app: Flask) -> None:
    """Register the core pages and the navigation context."""
    from trainer.core.auth import role_label

    app.register_blueprint(bp)
    app.context_processor(inject_nav)
    app.jinja_env.globals["role_label"] = role_label
