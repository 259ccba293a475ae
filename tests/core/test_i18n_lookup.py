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
