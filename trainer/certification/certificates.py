"""Certificates: verification codes, public verification, and the PDF (reportlab, CJK font).

The PDF embeds its font (a GB 2312 subset of Noto Sans CJK SC, vendored in fonts/ with its OFL
licence; see fonts/README.md), so it looks the same on every verifier's machine.
"""

import functools
import io
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from trainer.certification.models import GRANTED, Certificate, Certification
from trainer.core import clock
from trainer.core.clock import utcnow
from trainer.extensions import db

# No 0/O, 1/I/L: codes are read aloud and typed from paper. 16 characters ≈ 80 bits.
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
FONT_FILE = Path(__file__).with_name("fonts") / "certificate-sans-sc.ttf"
CJK_FONT = "TrainerCertificateSans"  # embedded (subset per PDF by reportlab)
FALLBACK_FONT = "STSong-Light"  # the viewer's own Song face: only for characters not in ours

log = logging.getLogger(__name__)


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


@functools.cache
def _font_characters() -> frozenset[int]:
    """Register the vendored font once; the code points it can draw."""
    font = TTFont(CJK_FONT, str(FONT_FILE))
    pdfmetrics.registerFont(font)
    return frozenset(font.face.charToGlyph)


def _runs(text: str) -> list[tuple[str, str]]:
    """The text cut into (font, part): ours wherever it has the glyph, else the fallback."""
    known = _font_characters()
    runs: list[tuple[str, str]] = []
    for ch in text:
        font = CJK_FONT if ord(ch) in known or ch.isspace() else FALLBACK_FONT
        if runs and runs[-1][0] == font:
            runs[-1] = (font, runs[-1][1] + ch)
        else:
            runs.append((font, ch))
    if any(font == FALLBACK_FONT for font, _part in runs):
        pdfmetrics.registerFont(UnicodeCIDFont(FALLBACK_FONT))
        log.warning("certificate text needs characters outside the embedded font: %r", text)
    return runs


def _centred(pdf: canvas.Canvas, x: float, y: float, text: str, size: float) -> None:
    """Draw one line centred on x, switching font only for characters ours lacks."""
    runs = _runs(text)
    width = sum(pdfmetrics.stringWidth(part, font, size) for font, part in runs)
    cursor = x - width / 2
    for font, part in runs:
        pdf.setFont(font, size)
        pdf.drawString(cursor, y, part)
        cursor += pdfmetrics.stringWidth(part, font, size)


def render_pdf(certificate: Certificate, texts: dict, verify_url: str) -> bytes:
    """An A4 landscape certificate; its Chinese and Latin text use the embedded font."""
    _font_characters()
    buffer = io.BytesIO()
    width, height = landscape(A4)
    # The initial font too, or reportlab lists a non-embedded Helvetica on the page.
    pdf = canvas.Canvas(buffer, pagesize=(width, height), initialFontName=CJK_FONT)
    pdf.setTitle(f"{texts['title']} {certificate.code}")
    accent = colors.HexColor("#c2410c")
    pdf.setStrokeColor(accent)
    pdf.setLineWidth(4)
    pdf.rect(24, 24, width - 48, height - 48)
    pdf.setLineWidth(1)
    pdf.rect(34, 34, width - 68, height - 68)
    middle = width / 2
    pdf.setFillColor(accent)
    _centred(pdf, middle, height - 120, texts["title"], 34)
    pdf.setFillColor(colors.HexColor("#1f2328"))
    _centred(pdf, middle, height - 170, texts["intro"], 15)
    _centred(pdf, middle, height - 225, certificate.holder_name, 30)
    _centred(pdf, middle, height - 270, texts["achieved"], 15)
    pdf.setFillColor(accent)
    _centred(pdf, middle, height - 315, texts["level"], 26)
    pdf.setFillColor(colors.HexColor("#1f2328"))
    y = 150
    for line in texts["dates"]:
        _centred(pdf, middle, y, line, 12)
        y -= 20
    pdf.setFillColor(colors.HexColor("#5f6670"))
    _centred(pdf, middle, 70, f"{texts['verify']} {certificate.code} · {verify_url}", 10)
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
