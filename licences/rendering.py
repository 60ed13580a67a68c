"""Renderings of a licence: the JSON document (what a holder keeps and pastes back) and the PDF with a QR code."""

from __future__ import annotations

import io
import json
from functools import cache
from pathlib import Path

import segno
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from . import signing
from .models import Licence

DOCUMENT_FORMAT = "binglian.licence.signed/1"
# The PDF is the official document, in Chinese only and the same for every reader, whatever the
# language of the page it was downloaded from (docs/licences.md): so its words are not translated.
ISSUING_AUTHORITY = "并联 Binglian 政务服务"
# A TrueType-outline CJK font: reportlab embeds TrueType only, so Noto CJK (CFF outlines, .otf/.ttc) will not do.
# Debian: fonts-wqy-zenhei. Override with LICENCE_PDF_FONT (a .ttf or .ttc path).
DEFAULT_CJK_FONT = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"
FONT_NAME = "BinglianCJK"


def verification_url(licence: Licence) -> str:
    path = reverse("licences:verify_page", args=[licence.number])
    return f"{settings.SITE_ROOT.rstrip('/')}{path}?s={signing.short_signature(licence.signature)}"


def licence_document(licence: Licence) -> dict:
    """The signed payload (as an object), the signature, the key id and where to verify it."""
    return {
        "format": DOCUMENT_FORMAT,
        "licence": json.loads(bytes(licence.payload).decode("utf-8")),
        "signature": licence.signature,
        "alg": "Ed25519",
        "kid": licence.key_id,
        "verify_url": verification_url(licence),
    }


def licence_json(licence: Licence) -> bytes:
    return json.dumps(licence_document(licence), ensure_ascii=False, indent=2).encode("utf-8")


@cache
def _register_font(path: str) -> str:
    if not Path(path).is_file():
        raise FileNotFoundError(
            f"CJK font {path} is missing: apt-get install fonts-wqy-zenhei (make install does), or set LICENCE_PDF_FONT"
        )
    pdfmetrics.registerFont(TTFont(FONT_NAME, path, subfontIndex=0))
    return FONT_NAME


def _draw_qr(pdf: canvas.Canvas, text: str, x: float, y: float, size: float) -> None:
    """The QR code as filled squares: vector, sharp at any print size, no image library needed."""
    qr = segno.make(text, error="m", micro=False)
    matrix = list(qr.matrix)
    border = 4
    cells = len(matrix) + 2 * border
    cell = size / cells
    pdf.setFillColorRGB(1, 1, 1)
    pdf.rect(x, y, size, size, stroke=0, fill=1)
    pdf.setFillColorRGB(0, 0, 0)
    for row_index, row in enumerate(matrix):
        for col_index, dark in enumerate(row):
            if dark:
                pdf.rect(
                    x + (col_index + border) * cell,
                    y + size - (row_index + border + 1) * cell,
                    cell,
                    cell,
                    stroke=0,
                    fill=1,
                )


def licence_pdf(licence: Licence) -> bytes:
    font = _register_font(getattr(settings, "LICENCE_PDF_FONT", DEFAULT_CJK_FONT))
    url = verification_url(licence)
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, invariant=True)
    pdf.setTitle(f"{licence.kind_name} {licence.number}")
    width, height = A4
    pdf.setStrokeColorRGB(0.7, 0.1, 0.1)
    pdf.setLineWidth(2)
    pdf.rect(15 * mm, 15 * mm, width - 30 * mm, height - 30 * mm)
    pdf.setFillColorRGB(0.55, 0.05, 0.05)
    pdf.setFont(font, 30)
    pdf.drawCentredString(width / 2, height - 50 * mm, licence.kind_name)
    pdf.setFont(font, 11)
    pdf.drawCentredString(width / 2, height - 60 * mm, "电子证照")
    pdf.setFillColorRGB(0, 0, 0)
    issued = timezone.localtime(licence.issued_at)
    lines = [
        ("证照编号", licence.number),
        ("名称", licence.enterprise_name),
        ("统一社会信用代码", licence.enterprise_uscc),
        ("发证日期", f"{issued:%Y年%m月%d日}"),
        ("发证机关", ISSUING_AUTHORITY),
        ("签名密钥", licence.key_id),
    ]
    y = height - 85 * mm
    for label, value in lines:
        pdf.setFont(font, 13)
        pdf.drawString(30 * mm, y, label)
        pdf.drawString(75 * mm, y, value)
        y -= 11 * mm
    if licence.status == Licence.Status.REVOKED:
        pdf.setFillColorRGB(0.8, 0, 0)
        pdf.setFont(font, 20)
        pdf.drawString(30 * mm, y - 5 * mm, "已撤销")
        pdf.setFillColorRGB(0, 0, 0)
    qr_size = 45 * mm
    _draw_qr(pdf, url, width - 30 * mm - qr_size, 30 * mm, qr_size)
    pdf.setFont(font, 9)
    pdf.drawString(30 * mm, 26 * mm, "扫描二维码或访问以下地址核验本证照：")
    pdf.drawString(30 * mm, 21 * mm, url)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
