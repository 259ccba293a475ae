"""Translations: one import point for `_`/`_l`, the locale rule, and labels.

The rule: in a request, the user's saved choice, else the session's, else the browser's, else
the organisation default (BABEL_DEFAULT_LOCALE); outside a request (CLI, jobs), CLI_LOCALE
(TRAINER_CLI_LOCALE). Labels: `label(mapping, key)` for enum values, `pick` for bilingual
content titles. Each feature keeps its own catalogue in `trainer/<feature>/translations/`;
Flask-Babel merges them, so features never edit a shared .po file.
"""

import contextlib
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from babel.support import NullTranslations
from flask import Flask, current_app, has_request_context, request, session
from flask.globals import _cv_app
from flask_babel import LazyString, force_locale, format_datetime, get_locale, get_translations
from flask_login import current_user
from jinja2 import pass_eval_context
from markupsafe import Markup

from trainer.extensions import babel

__all__ = [
    "_",
    "_l",
    "ngettext",
    "format_datetime",
    "current_language",
    "get_locale",
    "cli_locale",
    "init_app",
    "label",
    "message_locale",
    "pick",
    "select_locale",
]

PACKAGE = Path(__file__).resolve().parent.parent


def _babel_context() -> tuple[Any, Any]:
    """Flask-Babel's namespace in the app context and the locale it holds (chosen now if not
    yet), read from the app context itself (`g` through its proxy costs more); (None, None)
    outside an app context."""
    app_ctx = _cv_app.get(None)
    if app_ctx is None:
        return None, None
    babel_ctx = getattr(app_ctx.g, "_flask_babel", None)
    locale = getattr(babel_ctx, "babel_locale", None)
    if locale is None:
        locale = get_locale()  # selects the locale and keeps it in that namespace
        babel_ctx = app_ctx.g._flask_babel  # noqa: SLF001 - Flask-Babel's per-context namespace
    return babel_ctx, locale


def translations() -> NullTranslations:
    """The current locale's catalogue: Flask-Babel's `get_translations`, kept for the request.

    Flask-Babel looks the catalogue up again on every message (its context, the locale as a
    string, a cache): ~8 µs, and a page shows a hundred messages or more. It is kept here with
    the locale and domain objects it was found for, so a `force_locale` block (a mail in the
    recipient's language) or a new domain finds its own catalogue and the request's afterwards.
    """
    babel_ctx, locale = _babel_context()
    if babel_ctx is None:  # no app context: Flask-Babel's untranslated catalogue
        return get_translations()
    domain = getattr(babel_ctx, "babel_domain", None)
    kept = getattr(babel_ctx, "trainer_translations", None)
    if kept is not None and kept[0] is locale and kept[1] is domain:
        return kept[2]
    found = get_translations()
    babel_ctx.trainer_translations = (locale, domain, found)
    return found


def _(string: str, **variables: Any) -> str:
    """The message in the current language (`%(name)s` placeholders filled from `variables`)."""
    text = translations().ugettext(string)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, num: int, **variables: Any) -> str:
    """The singular or plural message for `num` (also available as `%(num)d`)."""
    variables.setdefault("num", num)
    return translations().ungettext(singular, plural, num) % variables


@pass_eval_context
def _template_gettext(eval_ctx: Any, string: str, **variables: Any) -> str:
    """`_()`/`gettext()` in templates, as Jinja's newstyle gettext does it (the translation is
    trusted markup and always a format string, so variables are escaped into it), in one call
    instead of three, and without formatting a message that has nothing to fill in (a page
    shows a hundred messages or more)."""
    text = translations().ugettext(string)
    if eval_ctx.autoescape:
        text = Markup(text)  # noqa: S704 - our own catalogue
    # Without variables or a "%" (an escaped "%%"), formatting would return the text unchanged.
    return text % variables if variables or "%" in text else text


@pass_eval_context
def _template_ngettext(
    eval_ctx: Any, singular: str, plural: str, num: int, **variables: Any
) -> str:
    """`ngettext()` in templates, the same way."""
    variables.setdefault("num", num)
    text = translations().ungettext(singular, plural, num)
    if eval_ctx.autoescape:
        text = Markup(text)  # noqa: S704 - our own catalogue
    return text % variables


def _l(string: str, **variables: Any) -> LazyString:
    """`_` deferred until the text is used (labels defined at import time)."""
    return LazyString(_, string, **variables)


def translation_directories() -> list[str]:
    """The package's own catalogue plus every feature's."""
    return [str(PACKAGE / "translations")] + sorted(
        str(p) for p in PACKAGE.glob("*/translations") if p.is_dir()
    )


def select_locale() -> str:
    """The signed-in user's setting, else the session's choice, else Accept-Language, else zh_CN."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        # CLI commands and jobs: admins script them and grep their output, so one language
        # (English unless TRAINER_CLI_LOCALE says otherwise) whatever the features print.
        return current_app.config["CLI_LOCALE"]
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    if session.get("locale") in languages:
        return session["locale"]
    best = request.accept_languages.best_match(["zh_CN", "zh", "en"])
    if best in ("zh_CN", "zh"):
        return "zh_CN"
    return best or current_app.config["BABEL_DEFAULT_LOCALE"]


def current_language() -> str:
    """The UI language code of this request: "zh_CN" or "en".

    Catalogues live in translations/zh_Hans_CN/ because Babel expands zh_CN to zh_Hans_CN.
    """
    _babel_ctx, locale = _babel_context()
    return "zh_CN" if locale is None or locale.language == "zh" else "en"


def pick(texts: dict | str | None, locale: str | None = None) -> str:
    """Choose the current language's text from a {"zh_CN": ..., "en": ...} mapping."""
    if texts is None:
        return ""
    if isinstance(texts, str):
        return texts
    locale = locale or current_language()
    return (
        texts.get(locale) or texts.get("zh_CN") or texts.get("en") or next(iter(texts.values()), "")
    )


def label(labels: Mapping[Any, Any], key: Any) -> str:
    """The translated label of an enum value (a mapping of lazy strings), else the value."""
    return str(labels.get(key, key))


@contextlib.contextmanager
def message_locale(locale: str | None = None) -> Iterator[None]:
    """Messages in `locale` outside a request (e.g. grades stored in the organisation's
    language); inside a request, or without a locale, the rule above stands."""
    if has_request_context() or locale is None:
        yield
        return
    with force_locale(locale):
        yield


def cli_locale():
    """A context in which messages follow CLI_LOCALE, whatever request may be around."""
    return force_locale(current_app.config["CLI_LOCALE"])


def init_app(app: Flask) -> None:
    """Bind Flask-Babel with the locale selector and all feature catalogues."""
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = ";".join(translation_directories())
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.install_gettext_callables(
        gettext=lambda text: translations().ugettext(text),
        ngettext=lambda singular, plural, n: translations().ungettext(singular, plural, n),
        pgettext=lambda context, text: translations().upgettext(context, text),
        npgettext=lambda c, singular, plural, n: translations().unpgettext(c, singular, plural, n),
        newstyle=True,
    )
    app.jinja_env.globals.update(
        _=_template_gettext, gettext=_template_gettext, ngettext=_template_ngettext
    )
    app.jinja_env.filters["pick"] = pick
    app.jinja_env.globals["get_locale"] = get_locale
    app.jinja_env.globals["current_language"] = current_language
