"""The PDF certificate embeds its CJK font (vendored OFL subset), so it looks the same anywhere."""

import logging

import pytest
from fontTools.ttLib import TTFont

from tests.certification.pdffonts import pdf_fonts, pdf_text
from trainer.certification import certificates, services
from trainer.certification.models import Certificate
from trainer.extensions import db

FONT_DIR = certificates.FONT_FILE.parent


def _certificate(agent, manager) -> Certificate:
    services.grant_override(agent, "L1", manager, reason="x")
    db.session.commit()
    return db.session.scalar(db.select(Certificate).where(Certificate.holder_name == agent.name))


def _pdf(certificate: Certificate) -> bytes:
    texts = certificates.certificate_texts(certificate)
    return certificates.render_pdf(certificate, texts, "https://trainer.example/verify")


@pytest.mark.parametrize("name", ["李小美", "欧阳喆", "司马珺玥", "Anna Müller"])
def test_every_font_is_embedded_and_the_text_reads_back(app, team, make_user, name):
    _team, manager, agent = team
    agent.name = name
    certificate = _certificate(agent, manager)
    data = _pdf(certificate)
    fonts = pdf_fonts(data)
    assert list(fonts.values()) == [True], fonts  # one font, embedded (a per-PDF subset)
    assert next(iter(fonts)).endswith("+TrainerCertificateSans-Regular")
    text = pdf_text(data)
    assert name in text and certificate.code in text and "认证证书" in text
    assert len(data) < 150_000  # only the glyphs the page prints travel with it


def test_a_character_outside_the_font_is_drawn_by_the_fallback_and_logged(app, team, caplog):
    _team, manager, agent = team
    agent.name = "王𠀾"  # an extension-B character: in no GB set
    certificate = _certificate(agent, manager)
    with caplog.at_level(logging.WARNING, logger="trainer.certification.certificates"):
        fonts = pdf_fonts(_pdf(certificate))
    assert fonts.get("/STSong-Light") is False  # the documented exception, not silent tofu
    assert "outside the embedded font" in caplog.text


def test_the_vendored_font_is_small_licensed_renamed_and_covers_gb2312():
    font_file = FONT_DIR / "certificate-sans-sc.ttf"
    assert font_file.stat().st_size < 3 * 1024 * 1024
    licence = (FONT_DIR / "OFL.txt").read_text()
    assert "SIL OPEN FONT LICENSE Version 1.1" in licence and "Adobe" in licence
    with TTFont(str(font_file), lazy=True) as font:
        family = font["name"].getDebugName(1)
        truetype = "glyf" in font and "CFF " not in font
        cmap = font.getBestCmap()
    assert family == "Trainer Certificate Sans"  # no Reserved Font Name in a modified font
    assert truetype  # TrueType outlines: reportlab embeds those, not CFF ones
    missing = []
    for high in range(0xB0, 0xF8):  # GB 2312 hanzi: rows 16-87
        for low in range(0xA1, 0xFF):
            try:
                ch = bytes([high, low]).decode("gb2312")
            except UnicodeDecodeError:
                continue
            if ord(ch) not in cmap:
                missing.append(ch)
    assert missing == []
    wording = "".join(
        "认证证书 · Certificate 兹证明 This certifies that 已达到以下认证等级 颁发日期 Issued: "
        "有效期至 Valid until: 验证码 Verification code: 0123456789-/"
    )
    assert [ch for ch in wording if ord(ch) not in cmap and not ch.isspace()] == []
