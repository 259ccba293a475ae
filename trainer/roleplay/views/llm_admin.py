"""The admin's AI server page: configuration and the last check of the LLM server."""

from datetime import datetime

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_login import current_user

from trainer.core import audit
from trainer.core.auth import ADMIN, role_required
from trainer.core.i18n import _
from trainer.extensions import db
from trainer.roleplay import budget, llm, llmcheck
from trainer.roleplay.engines import engine_name
from trainer.roleplay.forms import OrgBudgetForm
from trainer.roleplay.judge import judge_mode

bp = Blueprint(
    "roleplay_llm", __name__, url_prefix="/admin/ai-server", template_folder="../templates"
)


@bp.get("/")
@role_required(ADMIN)
def status(budget_form: OrgBudgetForm | None = None):
    """What is configured, today's AI budget, and what the last check found (reading only)."""
    report = llmcheck.last_report()
    checked_at = datetime.fromisoformat(report["checked_at"]) if report else None
    current = {
        "configured": llm.enabled(),
        "base_url": llm.base_url() or "https://api.openai.com/v1",
        "model": llm.model_name(),
        "engine": engine_name(),
        "judge": judge_mode(),
        "dialect": llm.dialect_in_use(),
        "timeout": current_app.config.get("ROLEPLAY_LLM_TIMEOUT"),
        "retries": current_app.config.get("ROLEPLAY_LLM_MAX_RETRIES"),
    }
    stale = bool(report) and (
        report["base_url"] != current["base_url"] or report["model"] != current["model"]
    )
    return render_template(
        "roleplay/admin/ai_server.html",
        current=current,
        report=report,
        checked_at=checked_at,
        stale=stale,
        org_budget=budget.org_today(),
        user_limit=budget.user_limit(),
        budget_form=budget_form or OrgBudgetForm(daily_tokens=budget.org_limit()),
    )


@bp.post("/budget")
@role_required(ADMIN)
def set_budget():
    """Set the organisation's daily AI token budget (audited); it applies to the next call."""
    form = OrgBudgetForm()
    if not form.validate_on_submit():
        return status(form), 400
    before = budget.set_org_limit(form.daily_tokens.data, current_user)
    row = db.session.get(budget.AIBudgetLimit, budget.ORG)
    audit.record(
        current_user,
        "ai_budget.limit",
        row,
        before={"daily_tokens": before},
        after={"daily_tokens": form.daily_tokens.data},
    )
    db.session.commit()
    flash(_("The organisation's AI budget is saved."), "success")
    return redirect(url_for("roleplay_llm.status"))


@bp.post("/check")
@role_required(ADMIN)
def check():
    """Check the server now (a few tiny calls, no database), then show the figures."""
    report = llmcheck.run_check()
    if not report.configured:
        flash(_("No AI server is configured."), "info")
    elif report.ok:
        flash(_("The AI server works."), "success")
    else:
        flash(_("The AI server cannot be used as configured; see the problems below."), "error")
    return redirect(url_for("roleplay_llm.status"))
