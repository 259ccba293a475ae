"""Lookups that enforce ownership for certification pages and actions."""

from flask import abort

from trainer.accounts.models import User
from trainer.certification.models import Certificate, Certification, Endorsement
from trainer.core.auth import ADMIN, MANAGER
from trainer.extensions import db
from trainer.scorecards.access import can_see_agent


def get_decidable_certification_or_404(cert_id: int, viewer: User) -> Certification:
    """A certification of an agent the viewer manages (admins: any)."""
    cert = db.session.get(Certification, cert_id)
    if cert is None or viewer.role not in (MANAGER, ADMIN) or not can_see_agent(viewer, cert.user):
        abort(404)
    return cert


def get_visible_certificate_or_404(certificate_id: int, viewer: User) -> Certificate:
    """A certificate the viewer may open: their own, their team's (managers), any (admins)."""
    certificate = db.session.get(Certificate, certificate_id)
    if certificate is None or not can_see_agent(viewer, certificate.certification.user):
        abort(404)
    return certificate


def get_withdrawable_endorsement_or_404(endorsement_id: int, viewer: User) -> Endorsement:
    """An endorsement the viewer wrote (admins: any)."""
    endorsement = db.session.get(Endorsement, endorsement_id)
    if endorsement is None or (viewer.role != ADMIN and endorsement.trainer_id != viewer.id):
        abort(404)
    return endorsement
