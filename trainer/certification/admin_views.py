"""Admins edit the certification ladder (YAML, validated with line numbers)."""

from flask import Blueprint

from trainer.certification import ladder as ladders
from trainer.certification.checkconfig import unknown_slugs
from trainer.core.auth import ADMIN, role_required
from trainer.core.config_views import EditableConfig, edit_config_page, reset_config
from trainer.core.i18n import _

bp = Blueprint(
    "cert_admin", __name__, url_prefix="/admin/certification", template_folder="templates"
)

LEVELS = EditableConfig(ladders.SOURCE, edit_endpoint="cert_admin.edit_levels")


def _ladder_context() -> dict:
    """The ladder in force and the slugs it names that no content file defines."""
    ladder = ladders.current_ladder()
    return {"ladder": ladder, "unknown": unknown_slugs(ladder)}


@bp.route("/levels", methods=["GET", "POST"])
@role_required(ADMIN)
def edit_levels():
    """Edit levels, requirements, multipliers and the auto-grant setting."""
    return edit_config_page(
        LEVELS,
        template="certification/levels.html",
        saved_message=_("Certification levels saved; evaluations use them from now on."),
        context=_ladder_context,
    )


@bp.post("/levels/reset")
@role_required(ADMIN)
def reset_levels():
    """Go back to the shipped levels.yaml."""
    return reset_config(LEVELS, reset_message=_("The shipped certification levels apply again."))
