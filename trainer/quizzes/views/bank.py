"""Trainers manage the question bank: browse, search, create, edit, preview, retire, GIFT."""

import random
from urllib.parse import quote

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_login import current_user

from trainer.core.auth import ADMIN, TRAINER, role_required
from trainer.core.i18n import _
from trainer.extensions import db
from trainer.quizzes import bank, bankimport
from trainer.quizzes.editing import fill_question_form, spec_from_question_form
from trainer.quizzes.forms import QTYPE_LABELS, ImportForm, QuestionForm
from trainer.quizzes.gift import GiftError
from trainer.quizzes.lookups import get_question_or_404
from trainer.quizzes.responses import ResponseError, make_layout, slot_view
from trainer.quizzes.review import preview_item
from trainer.quizzes.texts import render_text

bp = Blueprint("quiz_bank", __name__, url_prefix="/quizzes/bank", template_folder="../templates")
STAFF = (TRAINER, ADMIN)


@bp.get("/")
@role_required(*STAFF)
def index():
    """Search and filter the bank; categories with their question counts."""
    args = request.args
    result = bank.search_questions(
        text=args.get("q", ""),
        category=args.get("category", ""),
        qtype=args.get("type", ""),
        tag=args.get("tag", ""),
        difficulty=args.get("difficulty", ""),
        status=args.get("status", "active"),
        page=args.get("page", 1, type=int),
    )
    return render_template(
        "quizzes/bank/index.html",
        result=result,
        categories=bank.category_counts(),
        tags=bank.all_tags(),
        qtypes=QTYPE_LABELS,
        args=args,
    )


@bp.route("/new", methods=["GET", "POST"])
@role_required(*STAFF)
def create():
    """Write a new question of any type."""
    form = QuestionForm()
    if request.method == "GET":
        form.qtype.data = request.args.get("type", "single")
        form.category.data = request.args.get("category", "")
    if form.validate_on_submit():
        try:
            question, _changed = bank.save_question(
                spec_from_question_form(form), actor=current_user
            )
        except bank.BankError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            db.session.commit()
            flash(_("Question saved."), "success")
            return redirect(url_for(".detail", question_id=question.id))
    return render_template("quizzes/bank/question_form.html", form=form, question=None)


@bp.route("/<int:question_id>/edit", methods=["GET", "POST"])
@role_required(*STAFF)
def edit(question_id: int):
    """Edit a question: a changed text makes a new version; attempts keep the old one."""
    question = get_question_or_404(question_id)
    form = QuestionForm()
    if request.method == "GET":
        fill_question_form(form, bank.question_spec(question))
    if form.validate_on_submit():
        try:
            _q, changed = bank.save_question(
                spec_from_question_form(form), question=question, actor=current_user
            )
        except bank.BankError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            db.session.commit()
            flash(_("New version saved.") if changed else _("Changes saved."), "success")
            return redirect(url_for(".detail", question_id=question.id))
    return render_template("quizzes/bank/question_form.html", form=form, question=question)


@bp.route("/<int:question_id>", methods=["GET", "POST"])
@role_required(*STAFF)
def detail(question_id: int):
    """A question as agents see it, with its key and feedback; POST checks a preview answer."""
    question = get_question_or_404(question_id)
    version = question.current_version
    spec = version.spec()
    # The same layout on GET and POST: matching choices are shuffled, seeded by the question.
    layout = make_layout(spec, False, random.Random(question.id))  # noqa: S311
    checked = None
    if request.method == "POST":  # a preview answer is graded, nothing is stored
        try:
            checked = preview_item(spec, layout, request.form.to_dict(flat=False))
        except ResponseError as error:
            flash(str(error), "error")
    return render_template(
        "quizzes/bank/question.html",
        question=question,
        version=version,
        spec=spec,
        view=checked.view if checked else slot_view(spec, layout, 0, None),
        checked=checked,
        qtypes=QTYPE_LABELS,
        render_text=render_text,
    )


@bp.post("/<int:question_id>/retire")
@role_required(*STAFF)
def retire(question_id: int):
    """Take a question out of future draws."""
    question = get_question_or_404(question_id)
    bank.retire_question(question, actor=current_user)
    db.session.commit()
    flash(_("Question retired: it will not be drawn any more."), "success")
    return redirect(url_for(".detail", question_id=question.id))


@bp.post("/<int:question_id>/restore")
@role_required(*STAFF)
def restore(question_id: int):
    """Put a retired question back into draws."""
    question = get_question_or_404(question_id)
    bank.restore_question(question, actor=current_user)
    db.session.commit()
    flash(_("Question restored."), "success")
    return redirect(url_for(".detail", question_id=question.id))


@bp.route("/import", methods=["GET", "POST"])
@role_required(*STAFF)
def import_gift():
    """Upload a GIFT file: all questions are imported, or none with line-numbered errors."""
    form = ImportForm()
    report, problems = None, []
    if form.validate_on_submit():
        try:
            text = bankimport.read_upload(form.file.data.stream)
            checked = bankimport.check(text, form.category.data)
            if bankimport.is_large(checked):
                filename = form.file.data.filename or ""
                run = bankimport.queue(text, checked, form.category.data, current_user, filename)
                db.session.commit()
                return redirect(url_for("imports.progress", run_id=run.id))
            report = bank.import_gift(text, category=form.category.data, actor=current_user)
        except GiftError as error:
            db.session.rollback()
            problems = error.problems
        else:
            db.session.commit()
    return render_template(
        "quizzes/bank/import.html", form=form, report=report, problems=problems, qtypes=QTYPE_LABELS
    )


@bp.get("/export")
@role_required(*STAFF)
def export_gift():
    """Download the active questions of a category (all by default) as GIFT."""
    category = request.args.get("category", "").strip()
    name = (category.replace("/", "-") or "question-bank") + ".gift.txt"
    disposition = f"attachment; filename=\"question-bank.gift.txt\"; filename*=UTF-8''{quote(name)}"
    return Response(
        bank.export_gift(category),
        mimetype="text/plain; charset=utf-8",
        headers={"Content-Disposition": disposition},
    )
