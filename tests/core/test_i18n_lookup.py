"""The catalogue kept per request (core.i18n.translations) follows every change of language."""

from flask import render_template_string

from trainer.core.i18n import _, _l, current_language, force_locale, ngettext


def test_messages_follow_the_request_and_a_forced_language(app):
    with app.test_request_context("/", headers={"Accept-Language": "zh-CN"}):
        assert _("Home") == "首页" and current_language() == "zh_CN"
        with force_locale("en"):  # a mail in the recipient's language, inside a request
            assert _("Home") == "Home" and current_language() == "en"
            assert ngettext("%(num)d agent", "%(num)d agents", 2) == "2 agents"
            assert render_template_string("{{ _('Home') }}") == "Home"
        assert _("Home") == "首页"  # the request's language again afterwards
        assert current_language() == "zh_CN"
        assert str(_l("Home")) == "首页"
        assert render_template_string("{{ _('Home') }}") == "首页"
    # A new request (its own app context, as under a server) chooses its language afresh.
    with app.app_context(), app.test_request_context("/", headers={"Accept-Language": "en"}):
        assert _("Home") == "Home" and current_language() == "en"
        assert render_template_string("{{ ngettext('%(num)d agent', '%(num)d agents', 1) }}") == (
            "1 agent"
        )


def test_messages_outside_a_request_use_the_cli_language(app):
    app.config["CLI_LOCALE"] = "zh_CN"
    assert _("Home") == "首页"
    with force_locale("en"):
        assert _("Home") == "Home"


def test_template_messages_escape_what_they_fill_in_and_keep_their_own_markup(app):
    """Templates' `_` works as Jinja's newstyle gettext: the message is trusted, the values put
    into it are escaped, "%%" is a percent sign, and a message is a format string even without
    values; without autoescape nothing is escaped."""
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        page = render_template_string(
            "{{ _('%(count)s unread', count='<b>') }}|{{ _('100%% sure') }}|"
            "{{ ngettext('%(num)d agent', '%(num)d agents', 2) }}"
        )
        assert page == "&lt;b&gt; unread|100% sure|2 agents"
        plain = app.jinja_env.overlay(autoescape=False).from_string(
            "{{ _('%(count)s unread', count='<b>') }}"
        )
        assert plain.render() == "<b> unread"
