"""The public certificate verification page: name, level, dates and validity, nothing more."""

from flask import Blueprint, current_app, redirect, render_template, request, url_for

from trainer.certification import certificates
from trainer.core.auth import public
from trainer.extensions import limiter

bp = Blueprint("verify", __name__, url_prefix="/verify", template_folder="templates")


def _limit() -> str:
    return current_app.config.get("CERT_VERIFY_RATE_LIMIT", "60 per minute")


@bp.get("/")
@public
@limiter.limit(_limit)
def lookup():
    """Type a verification code (or follow a link carrying it)."""
    code = request.args.get("code", "").strip()
    if code:
        return redirect(url_for("verify.verify", code=certificates.normalise_code(code)))
    return render_template("certification/verify.html", result=None, code="")


@bp.get("/<code>")
@public
@limiter.limit(_limit)
def verify(code: str):
    """Whether a certificate with this code exists and is valid."""
    result = certificates.verify_code(code)
    return render_template("certification/verify.html", result=result, code=code), (
        200 if result else 404
    )
