"""Certificates for signed-in users: the printable page and the PDF."""

from flask import Blueprint, Response, render_template, url_for
from flask_login import current_user

from trainer.certification import certificates
from trainer.certification.access import get_visible_certificate_or_404
from trainer.core.auth import signed_in

bp = Blueprint(
    "certificates", __name__, url_prefix="/certification/certificates", template_folder="templates"
)


@bp.get("/<int:certificate_id>")
@signed_in
def show(certificate_id: int):
    """A printable certificate (the holder, their manager, admins)."""
    cert = get_visible_certificate_or_404(certificate_id, current_user)
    verification = certificates.verify_code(cert.code)
    return render_template(
        "certification/certificate.html", certificate=cert, verification=verification
    )


@bp.get("/<int:certificate_id>.pdf")
@signed_in
def pdf(certificate_id: int):
    """The certificate as a PDF (Chinese and English)."""
    cert = get_visible_certificate_or_404(certificate_id, current_user)
    verify_url = url_for("verify.verify", code=cert.code, _external=True)
    body = certificates.render_pdf(cert, certificates.certificate_texts(cert), verify_url)
    headers = {"Content-Disposition": f'attachment; filename="certificate-{cert.code}.pdf"'}
    return Response(body, mimetype="application/pdf", headers=headers)
