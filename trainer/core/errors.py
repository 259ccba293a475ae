"""Localised error pages; no stack trace ever reaches a user."""

import logging

from flask import Flask, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError

from trainer.core.i18n import _l
from trainer.extensions import db

log = logging.getLogger("trainer")

MESSAGES = {
    400: _l("The request could not be understood."),
    401: _l("Please sign in."),
    403: _l("You do not have access to this page."),
    404: _l("This page does not exist."),
    405: _l("This action is not allowed here."),
    413: _l("The upload is too large."),
    429: _l("Too many attempts. Please wait a minute and try again."),
    500: _l("Something went wrong on our side. Please try again."),
    503: _l(
        "The database is briefly unavailable. Nothing you saved before is lost; "
        "please try again in a moment."
    ),
}


def wants_json() -> bool:
    """API and fetch() callers get JSON errors; browsers get pages."""
    return request.path.startswith("/api/") or (request.accept_mimetypes.best == "application/json")


def render_error(code: int, message: str | None = None):
    """The error page (or JSON body) for an HTTP status code."""
    text = str(message or MESSAGES.get(code, MESSAGES[500]))
    if wants_json():
        return jsonify(error=text), code
    return render_template("errors/error.html", code=code, message=text), code


def handle_http_error(error: HTTPException):
    """Any HTTP error raised by a view or by Werkzeug."""
    code = error.code or 500
    message = MESSAGES.get(code, error.description if code < 500 else None)
    return render_error(code, message)


def handle_csrf_error(error: CSRFError):
    """A missing or stale CSRF token: say so plainly."""
    log.warning("CSRF refused: %s %s", request.method, request.path)
    return render_error(400, _l("Your form expired. Please reload the page and try again."))


def handle_database_error(error: DBAPIError):
    """The database went away mid-request (a restart, a failover, a lock held too long): a
    friendly 503; the pool checks connections before use (pool_pre_ping), so the next request
    gets a fresh one. Any other database error is a bug (500)."""
    if not (error.connection_invalidated or isinstance(error, OperationalError)):
        return handle_unexpected(error)
    try:
        db.session.rollback()
    except Exception:  # noqa: BLE001 - the connection is already gone; the pool discards it
        db.session.close()
    log.warning("database unavailable on %s %s: %s", request.method, request.path, error)
    return render_error(503, MESSAGES[503])


def handle_unexpected(error: Exception):
    """Log the exception; show the generic 500 page."""
    if isinstance(error, HTTPException):
        return handle_http_error(error)
    # A failed flush leaves the session unusable; the error page itself needs the database
    # (the signed-in user, their language), so start clean.
    db.session.rollback()
    log.exception("unhandled error on %s %s", request.method, request.path)
    return render_error(500)


def init_app(app: Flask) -> None:
    """Register the handlers."""
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(InternalServerError, handle_unexpected)
    app.register_error_handler(DBAPIError, handle_database_error)
    app.register_error_handler(Exception, handle_unexpected)
