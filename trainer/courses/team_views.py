"""Trainers' and managers' pages: assign courses, team progress (agents × courses), CSV."""

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_login import current_user

from trainer.core.auth import ADMIN, MANAGER, TRAINER, role_required
from trainer.core.forms import choices
from trainer.core.i18n import _, pick
from trainer.courses import assignments
from trainer.courses.forms import AssignForm
from trainer.courses.lookups import get_enrollment_in_scope_or_404
from trainer.courses.models import Course
from trainer.courses.services import published_courses
from trainer.courses.teamprogress import STATUSES, report_csv, team_report
from trainer.extensions import db

bp = Blueprint("course_team", __name__, url_prefix="/courses/team")
STAFF = (TRAINER, MANAGER, ADMIN)
PAGE_SIZE = 50  # agents per page; the summaries and the CSV cover every page


def _assign_form() -> AssignForm:
    """The assignment form with the courses, agents and teams the user may choose."""
    form = AssignForm()
    form.course_id.choices = choices((c.id, pick(c.title)) for c in published_courses())
    agents = assignments.assignable_agents(current_user)
    form.agent_id.choices = choices(
        [(0, _("— choose —"))] + [(a.id, f"{a.name} <{a.email}>") for a in agents]
    )
    teams = assignments.assignable_teams(current_user)
    form.team_id.choices = choices([(0, _("— choose —"))] + [(t.id, t.name) for t in teams])
    if request.method == "GET" and request.args.get("course", type=int):
        form.course_id.data = request.args.get("course", type=int)
    return form


def _targets(form: AssignForm) -> list:
    """The agents the form names (one agent, or a team's agents)."""
    if form.target.data == "team":
        team = next(
            t for t in assignments.assignable_teams(current_user) if t.id == form.team_id.data
        )
        return assignments.agents_of_team(team, current_user)
    return [a for a in assignments.assignable_agents(current_user) if a.id == form.agent_id.data]


def _assigned_message(result: assignments.AssignResult) -> str:
    return _(
        "Assigned to %(new)d agents; %(updated)d due dates updated; "
        "%(done)d had completed it already.",
        new=result.assigned,
        updated=result.updated,
        done=result.already_completed,
    )


def _current_assignments(form: AssignForm):
    """Who has the chosen (else the first) course assigned, for the list beside the form."""
    choices_ = form.course_id.choices
    course_id = form.course_id.data or (choices_[0].value if choices_ else None)
    if not course_id:
        return None
    return team_report(current_user, status="assigned", course_id=course_id)


@bp.route("/assign", methods=["GET", "POST"])
@role_required(*STAFF)
def assign():
    """Assign a course to an agent or a team with a due date; list the course's assignments."""
    form = _assign_form()
    if form.validate_on_submit():
        course = db.get_or_404(Course, form.course_id.data)
        due = assignments.due_at_end_of(form.due_date.data) if form.due_date.data else None
        try:
            result = assignments.assign_course(course, _targets(form), due, current_user)
        except assignments.AssignmentError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            db.session.commit()
            flash(_assigned_message(result), "success")
            return redirect(url_for("course_team.assign", course=course.id))
    report = _current_assignments(form)
    return render_template("courses/team/assign.html", form=form, report=report)


@bp.post("/assignments/<int:enrollment_id>/unassign")
@role_required(*STAFF)
def unassign(enrollment_id: int):
    """Withdraw an assignment (the agent's progress stays)."""
    enrollment = get_enrollment_in_scope_or_404(enrollment_id, current_user)
    course_id = enrollment.course_id
    assignments.unassign_course(enrollment, current_user)
    db.session.commit()
    flash(_("Assignment withdrawn."), "success")
    return redirect(url_for("course_team.assign", course=course_id))


def _filters() -> dict:
    """Team, status and course filters from the query string (unknown values ignored)."""
    status = request.args.get("status", "")
    return {
        "team_id": request.args.get("team", type=int),
        "status": status if status in STATUSES else "",
        "course_id": request.args.get("course", type=int),
    }


@bp.get("/progress")
@role_required(*STAFF)
def progress():
    """Agents × courses: percentages, due and completion dates; managers see their team."""
    filters = _filters()
    report = team_report(current_user, **filters)
    pages = max(1, -(-len(report.rows) // PAGE_SIZE))
    page = min(max(1, request.args.get("page", 1, type=int)), pages)
    return render_template(
        "courses/team/progress.html",
        report=report,
        page_rows=report.rows[(page - 1) * PAGE_SIZE : page * PAGE_SIZE],
        page=page,
        pages=pages,
        teams=assignments.assignable_teams(current_user),
        filters=filters,
        statuses=STATUSES,
        all_courses=published_courses(),
    )


@bp.get("/progress.csv")
@role_required(*STAFF)
def progress_csv():
    """The progress report as CSV (one line per agent and course), with the same filters."""
    filters = _filters()
    report = team_report(current_user, **filters)
    headers = {"Content-Disposition": 'attachment; filename="course-progress.csv"'}
    body = report_csv(report, filters["status"])
    return Response(body, mimetype="text/csv; charset=utf-8", headers=headers)
