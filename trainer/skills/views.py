"""Skills pages: my skills, an agent's evidence, the team heatmap (+ CSV), did-it-work, the
per-skill next-step settings and the skills map editor."""

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from trainer.accounts.models import Team, User
from trainer.core.auth import ADMIN, AGENT, MANAGER, TRAINER, role_required
from trainer.core.clock import today
from trainer.core.i18n import _
from trainer.extensions import db
from trainer.skills import content, settings, store, team
from trainer.skills.evidence import collect, map_names
from trainer.skills.forms import SkillMapForm, SkillSettingForm
from trainer.skills.models import SUGGEST
from trainer.skills.nextsteps import next_steps
from trainer.skills.profile import LEVEL_LABELS, LEVELS, profile

bp = Blueprint("skills", __name__, url_prefix="/skills", template_folder="templates")

STAFF = (TRAINER, MANAGER, ADMIN)


def get_agent_or_404(agent_id: int, actor) -> User:
    """An agent the actor may look at (managers: their own team only)."""
    agent = db.session.get(User, agent_id)
    if agent is None or agent.role != AGENT:
        abort(404)
    if actor.role == MANAGER and agent.team_id != actor.team_id:
        abort(404)
    return agent


def _agent_page(agent: User, template: str):
    skill_map = store.active_map()
    evidence = collect(skill_map, [agent.id])[agent.id]
    return render_template(
        template,
        agent=agent,
        skill_map=skill_map,
        levels=profile(skill_map, evidence.items),
        steps=next_steps(skill_map, evidence, map_names(skill_map)),
        level_labels=LEVEL_LABELS,
    )


@bp.get("/")
@role_required(AGENT)
def mine():
    """The agent's own skills, next steps and the evidence behind each level."""
    return _agent_page(current_user, "skills/mine.html")


@bp.get("/agents/<int:agent_id>")
@role_required(*STAFF)
def agent(agent_id: int):
    """Drill-down: one agent's skills and evidence."""
    return _agent_page(get_agent_or_404(agent_id, current_user), "skills/agent.html")


def _heatmap_rows():
    skill_map = store.active_map()
    team_id = team.team_scope(current_user, request.args.get("team", type=int))
    agents = team.agents_in(team_id)
    skill = request.args.get("skill") or None
    level = request.args.get("level") or None
    return skill_map, team_id, team.heatmap(skill_map, agents, skill=skill, level=level)


@bp.get("/team")
@role_required(*STAFF)
def heatmap():
    """Agents × skills, coloured by level with the level in words, with filters."""
    skill_map, team_id, rows = _heatmap_rows()
    return render_template(
        "skills/heatmap.html",
        skill_map=skill_map,
        rows=rows,
        teams=team.teams_for(current_user),
        team_id=team_id,
        chosen_skill=request.args.get("skill") or "",
        chosen_level=request.args.get("level") or "",
        levels=LEVELS,
        level_labels=LEVEL_LABELS,
    )


@bp.get("/team.csv")
@role_required(*STAFF)
def heatmap_csv():
    """The heatmap as a CSV file."""
    skill_map, _team_id, rows = _heatmap_rows()
    names = {t.id: t.name for t in db.session.scalars(db.select(Team))}
    body = team.heatmap_csv(skill_map, rows, names)
    filename = f"skills-{today().isoformat()}.csv"
    return Response(
        "\ufeff" + body,
        mimetype="text/csv",
        headers={"Content-Disposition": f"attachment; filename={filename}"},
    )


@bp.get("/effects")
@role_required(*STAFF)
def effects():
    """Did it work: each remediation's before/after, per team, per lesson and scenario."""
    skill_map = store.active_map()
    agents = team.agents_in(team.team_scope(current_user, request.args.get("team", type=int)))
    found = team.effects(skill_map, agents)
    teams = {t.id: t.name for t in team.teams_for(current_user)}
    return render_template(
        "skills/effects.html",
        skill_map=skill_map,
        effects=found,
        by_team=team.summarise(found, lambda e: teams.get(e.agent.team_id)),
        by_lesson=team.summarise(found, lambda e: e.remediation.lesson),
        by_scenario=team.summarise(found, lambda e: e.remediation.scenario),
        teams=team.teams_for(current_user),
    )


@bp.route("/settings", methods=["GET", "POST"])
@role_required(TRAINER, ADMIN)
def settings_page():
    """Per skill: suggest next steps only, or auto-assign them with a due date."""
    skill_map = store.active_map()
    form = SkillSettingForm()
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                settings.save_setting(
                    skill_map, form.skill.data, form.mode.data, form.due_days.data, current_user
                )
            except settings.SettingError as error:
                db.session.rollback()
                flash(str(error), "error")
            else:
                db.session.commit()
                flash(_("Saved."), "success")
                return redirect(url_for("skills.settings_page"))
        else:
            flash(_("Check the values: due in days must be a whole number of days."), "error")
    chosen = settings.current_settings()
    forms = {
        s.key: SkillSettingForm(
            formdata=None,
            skill=s.key,
            mode=chosen[s.key].mode if s.key in chosen else SUGGEST,
            due_days=chosen[s.key].due_days if s.key in chosen else 7,
        )
        for s in skill_map.skills
    }
    return render_template("skills/settings.html", skill_map=skill_map, forms=forms)


@bp.route("/map", methods=["GET", "POST"])
@role_required(TRAINER, ADMIN)
def edit_map():
    """Edit the skills map (checked like `content check`; saved as a new version)."""
    text, version = store.active_text()
    form = SkillMapForm(content=text)
    problems = []
    if form.validate_on_submit():
        problems = content.lint(form.content.data, store.content_root(), in_force=True)
        if not problems:
            store.save_version(form.content.data, source=store.EDITOR, actor=current_user)
            db.session.commit()
            flash(_("The skills map was saved as a new version."), "success")
            return redirect(url_for("skills.edit_map"))
    return render_template("skills/map.html", form=form, problems=problems, version=version)
