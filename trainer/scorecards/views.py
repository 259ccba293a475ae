"""Scorecard pages: an agent's own, a manager's team (sortable, filterable, CSV) and incentives."""

from collections.abc import Iterable

from flask import Blueprint, Response, jsonify, render_template, request, stream_with_context
from flask_login import current_user

from trainer.core.auth import ADMIN, AGENT, MANAGER, role_required
from trainer.core.clock import today, utcnow
from trainer.core.pages import page_after
from trainer.scorecards import figures, incentives, scorecard, teamcard
from trainer.scorecards.access import get_visible_agent_or_404, viewer_team
from trainer.scorecards.catalogue import current_catalogue
from trainer.scorecards.levels import agent_levels
from trainer.scorecards.periods import parse_period

bp = Blueprint("scorecards", __name__, url_prefix="/scorecards", template_folder="templates")


def _period():
    return parse_period(request.args.get("period"), request.args.get("on"), today())


def _levels(user_ids, on=None) -> dict:
    """Certification levels (label, multiplier) per agent, from the registered source."""
    return agent_levels(user_ids, on or today())


def _csv(lines: Iterable[str], filename: str) -> Response:
    """A streamed CSV download: lines are written as they are produced (flat memory); the
    request context stays open for the generator (database session, locale)."""
    return Response(
        stream_with_context(line.encode("utf-8") for line in lines),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.get("/")
@role_required(AGENT)
def my_scorecard():
    """The signed-in agent's own scorecard."""
    card = scorecard.build_agent_scorecard(current_user._get_current_object(), _period(), utcnow())
    return render_template("scorecards/agent.html", card=card, own=True)


@bp.get("/agents/<int:agent_id>")
@role_required(MANAGER, ADMIN)
def agent_scorecard(agent_id: int):
    """One agent's scorecard, for their manager or an admin."""
    agent = get_visible_agent_or_404(agent_id, current_user)
    card = scorecard.build_agent_scorecard(agent, _period(), utcnow())
    return render_template("scorecards/agent.html", card=card, own=False)


def _figures_response(agent):
    data = figures.figures_json(figures.figures_for(agent.id, _period()))
    return jsonify(agent={"id": agent.id, "email": agent.email, "name": agent.name}, **data)


@bp.get("/figures.json")
@role_required(AGENT)
def my_figures():
    """The signed-in agent's figures for the period as JSON (the same numbers as the pages)."""
    return _figures_response(current_user._get_current_object())


@bp.get("/agents/<int:agent_id>/figures.json")
@role_required(MANAGER, ADMIN)
def agent_figures(agent_id: int):
    """One agent's figures for the period as JSON, for their manager or an admin."""
    return _figures_response(get_visible_agent_or_404(agent_id, current_user))


def _team_card():
    team = viewer_team(current_user, request.args.get("team", type=int))
    if team is None:
        return None, []
    period = _period()
    ids = [a.id for a in teamcard.team_agents(team.id)]
    labels = {uid: label for uid, (label, _m) in _levels(ids, period.clipped_end(today())).items()}
    card = teamcard.build_team_scorecard(team, period, utcnow(), labels)
    rows = teamcard.filter_rows(
        card.rows, request.args.get("q", ""), request.args.get("status", "all")
    )
    sort = request.args.get("sort", "name")
    rows = teamcard.sort_rows(rows, sort, request.args.get("dir") == "desc", card.kpis)
    return card, rows


def _args_without_cursor() -> dict:
    """The query's arguments for the page's links: sorting, filtering or exporting starts from
    the whole list again, so they drop the page cursor (`after`)."""
    return {k: v for k, v in request.args.items() if k != "after"}


@bp.get("/team")
@role_required(MANAGER, ADMIN)
def team_scorecard():
    """The team scorecard: every agent's KPIs, composite, OKR score and training results, a page
    of agents at a time (`?after=<agent id>`: the page after that agent; the CSV has them all)."""
    card, rows = _team_card()
    teams = teamcard.all_teams() if current_user.role == ADMIN else []
    after = request.args.get("after", type=int)
    page = page_after(rows, lambda row: row.agent.id, after, teamcard.PAGE_SIZE)
    return render_template(
        "scorecards/team.html", card=card, page=page, teams=teams, args=_args_without_cursor()
    )


@bp.get("/team.csv")
@role_required(MANAGER, ADMIN)
def team_export():
    """The team scorecard as CSV, with the same filters and sort as the page."""
    card, rows = _team_card()
    if card is None:
        return _csv(["\ufeff"], "scorecard.csv")
    return _csv(
        teamcard.team_csv(card, rows), f"scorecard-{card.period.start}-{card.period.kind}.csv"
    )


def _ranking():
    """The ranking the viewer may see (a manager: their team; an admin: a team or all) and the
    agents' levels, or (None, {}) for a manager without a team."""
    team = viewer_team(current_user, request.args.get("team", type=int))
    team_id = team.id if team else None
    if current_user.role == MANAGER and team is None:
        return None, {}
    if current_user.role == ADMIN and request.args.get("team") == "all":
        team_id = None
    period = _period()
    agents = incentives.ranking_agents(team_id)
    levels = _levels([uid for uid, _name in agents], period.clipped_end(today()))
    return incentives.build_ranking(team_id, period, levels, agents), levels


@bp.get("/incentives")
@role_required(MANAGER, ADMIN)
def incentive_ranking():
    """Incentive ranking for the period, its distribution and each score's parts, a page of
    agents at a time (`?after=<agent id>`: the page after that agent)."""
    ranking, levels = _ranking()
    page = rows = None
    if ranking is not None:
        page = ranking.page(request.args.get("after", type=int))
        rows = incentives.entry_rows(page.entries, ranking.period, levels)
    teams = teamcard.all_teams() if current_user.role == ADMIN else []
    formula = current_catalogue().incentive
    args = _args_without_cursor()
    return render_template(
        "scorecards/incentives.html",
        report=ranking,
        page=page,
        rows=rows,
        teams=teams,
        args=args,
        formula=formula,
    )


@bp.get("/incentives.csv")
@role_required(MANAGER, ADMIN)
def incentive_export():
    """The incentive ranking as CSV for payroll (every agent, streamed chunk by chunk)."""
    ranking, levels = _ranking()
    if ranking is None:
        return _csv(["\ufeff"], "incentives.csv")
    name = f"incentives-{ranking.period.start}-{ranking.period.kind}.csv"
    return _csv(incentives.incentive_csv(ranking, levels), name)


def _agent_incentive(agent):
    period = _period()
    level = _levels([agent.id], period.clipped_end(today())).get(agent.id, ("", 1.0))
    detail = incentives.build_agent_incentive(agent, period, level)
    return render_template(
        "scorecards/incentive_agent.html", detail=detail, period=period, agent=agent
    )


@bp.get("/incentives/me")
@role_required(AGENT)
def my_incentive():
    """The agent's own incentive score with its parts."""
    return _agent_incentive(current_user._get_current_object())


@bp.get("/incentives/agents/<int:agent_id>")
@role_required(MANAGER, ADMIN)
def agent_incentive(agent_id: int):
    """One agent's incentive score with its parts, for their manager or an admin."""
    return _agent_incentive(get_visible_agent_or_404(agent_id, current_user))
