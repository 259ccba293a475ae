"""Certificates: verification codes, public verification, and the PDF (reportlab, CJK font)."""

import io
import secrets
from dataclasses import dataclass
from datetime import datetime

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from trainer.certification.models import GRANTED, Certificate, Certification
from trainer.core import clock
from trainer.core.clock import utcnow
from trainer.extensions import db

# No 0/O, 1/I/L: codes are read aloud and typed from paper. 16 characters ≈ 80 bits.
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CJK_FONT = "STSong-Light"


def new_code() -> str:
    """A random verification code like "K7QM-2XPA-9RTE-B4WN"."""
    raw = "".join(secrets.choice(ALPHABET) for _ in range(16))
    return "-".join(raw[i : i + 4] for i in range(0, 16, 4))


def normalise_code(text: str) -> str:
    """Accept codes typed in lower case, with spaces, or without dashes."""
    raw = "".join(ch for ch in (text or "").upper() if ch.isalnum())[:16]
    return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def issue_certificate(certification: Certification, level_name: dict) -> Certificate:
    """Create the certificate of a granted certification with a fresh unique code."""
    code = new_code()
    while db.session.scalar(db.select(Certificate.id).where(Certificate.code == code)):
        code = new_code()
    certificate = Certificate(
        certification=certification,
        code=code,
        holder_name=certification.user.name,
        level=certification.level,
        level_name=dict(level_name),
        issued_at=certification.granted_at or utcnow(),
    )
    db.session.add(certificate)
    db.session.flush()
    return certificate


@dataclass(frozen=True)
class Verification:
    """What the public verification page may show: name, level, dates and validity."""

    code: str
    holder_name: str
    level: str
    level_name: dict
    issued_at: datetime
    valid_until: datetime | None
    ended_at: datetime | None
    valid: bool
    status: str


def verify_code(text: str) -> Verification | None:
    """The certificate with this code, reduced to what the public may see; None if unknown."""
    code = normalise_code(text)
    if len(code) != 19:
        return None
    certificate = db.session.scalar(db.select(Certificate).where(Certificate.code == code))
    if certificate is None:
        return None
    certification = certificate.certification
    return Verification(
        code=certificate.code,
        holder_name=certificate.holder_name,
        level=certificate.level,
        level_name=certificate.level_name,
        issued_at=certificate.issued_at,
        valid_until=certification.valid_until,
        ended_at=certification.ended_at,
        valid=certification.status == GRANTED,
        status=certification.status,
    )


def render_pdf(certificate: Certificate, texts: dict, verify_url: str) -> bytes:
    """An A4 landscape certificate; Chinese renders with reportlab's built-in CID font."""
    pdfmetrics.registerFont(UnicodeCIDFont(CJK_FONT))
    buffer = io.BytesIO()
    width, height = landscape(A4)
    pdf = canvas.Canvas(buffer, pagesize=(width, height))
    pdf.setTitle(f"{texts['title']} {certificate.code}")
    accent = colors.HexColor("#c2410c")
    pdf.setStrokeColor(accent)
    pdf.setLineWidth(4)
    pdf.rect(24, 24, width - 48, height - 48)
    pdf.setLineWidth(1)
    pdf.rect(34, 34, width - 68, height - 68)
    pdf.setFillColor(accent)
    pdf.setFont(CJK_FONT, 34)
    pdf.drawCentredString(width / 2, height - 120, texts["title"])
    pdf.setFillColor(colors.HexColor("#1f2328"))
    pdf.setFont(CJK_FONT, 15)
    pdf.drawCentredString(width / 2, height - 170, texts["intro"])
    pdf.setFont(CJK_FONT, 30)
    pdf.drawCentredString(width / 2, height - 225, certificate.holder_name)
    pdf.setFont(CJK_FONT, 15)
    pdf.drawCentredString(width / 2, height - 270, texts["achieved"])
    pdf.setFillColor(accent)
    pdf.setFont(CJK_FONT, 26)
    pdf.drawCentredString(width / 2, height - 315, texts["level"])
    pdf.setFillColor(colors.HexColor("#1f2328"))
    pdf.setFont(CJK_FONT, 12)
    y = 150
    for line in texts["dates"]:
        pdf.drawCentredString(width / 2, y, line)
        y -= 20
    pdf.setFont(CJK_FONT, 10)
    pdf.setFillColor(colors.HexColor("#5f6670"))
    pdf.drawCentredString(width / 2, 70, f"{texts['verify']} {certificate.code} · {verify_url}")
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def certificate_texts(certificate: Certificate) -> dict:
    """The certificate's wording in both languages (Chinese first: the holders read Chinese)."""
    certification = certificate.certification
    names = certificate.level_name or {}
    dates = [f"颁发日期 Issued: {clock.date_local(certificate.issued_at)}"]
    if certification.status == GRANTED and certification.valid_until:
        dates.append(f"有效期至 Valid until: {clock.date_local(certification.valid_until)}")
    return {
        "title": "认证证书 · Certificate",
        "intro": "兹证明 This certifies that",
        "achieved": "已达到以下认证等级 has achieved the certification level",
        "level": f"{certificate.level} {names.get('zh_CN', '')} · {names.get('en', '')}",
        "dates": dates,
        "verify": "验证码 Verification code:",
    }
