"""The certificate of a harmonious-enterprise title, as a PDF (A4 landscape).

A certificate is an official paper handed to the enterprise, so its wording is Chinese whatever the
reader's interface language. The issuing body is the county federation of the enterprise's county
(``<county name>总工会``), taken from the region tree, never written into the code. The PDF uses the
STSong-Light CID font that ReportLab ships (as the mediation documents do), so no font file is needed.
"""
from __future__ import annotations

import io
from xml.sax.saxutils import escape

from concord.disputes.documents import PDF_FONT, _pdf_font, chinese_date

from .selectors import county_region

TITLE = "劳动关系和谐企业证书"


def issuer(cert) -> str:
    return f"{county_region(cert.region).name}总工会"


def filename(cert) -> str:
    return f"{cert.number}-{cert.enterprise.name}.pdf"


def wording(cert) -> dict:
    """The certificate's text, in one place (the PDF and its tests read it from here)."""
    body = issuer(cert)
    return {
        "issuer": body,
        "title": TITLE,
        "addressee": f"{cert.enterprise.name}：",
        "text": (f"经企业自评申报、镇（街道）审核、{body}审定并公示，"
                 f"你单位被评为“{cert.tier.name}”。特发此证，以资鼓励。"),
        "tier": cert.tier.name,
        "lines": [
            ("证书编号", cert.number),
            ("发证日期", chinese_date(cert.certified_on)),
            ("有效期至", chinese_date(cert.valid_until)),
            ("下次复核", chinese_date(cert.next_recheck_on)),
        ],
        "signature": body,
        "dated": chinese_date(cert.certified_on),
        "note": "本证书在有效期内如发生一票否决事项，将暂停或撤销称号。",
    }


def certificate_pdf(cert) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER, TA_RIGHT
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfgen import canvas as pdfcanvas
    from reportlab.platypus import Paragraph

    _pdf_font()
    w = wording(cert)
    width, height = landscape(A4)
    out = io.BytesIO()
    c = pdfcanvas.Canvas(out, pagesize=(width, height))
    c.setTitle(f"{w['title']} {cert.number}")
    c.setAuthor(w["issuer"])
    c.setSubject(cert.number)

    # A double red border, as certificates are framed.
    red = colors.HexColor("#b22222")
    c.setStrokeColor(red)
    c.setLineWidth(3)
    c.rect(12 * mm, 12 * mm, width - 24 * mm, height - 24 * mm)
    c.setLineWidth(0.8)
    c.rect(16 * mm, 16 * mm, width - 32 * mm, height - 32 * mm)

    c.setFillColor(red)
    c.setFont(PDF_FONT, 34)
    c.drawCentredString(width / 2, height - 48 * mm, w["title"])
    c.setFillColor(colors.black)
    c.setFont(PDF_FONT, 20)
    c.drawCentredString(width / 2, height - 64 * mm, w["tier"])

    def para(text, style, x, top, frame_width):
        p = Paragraph(escape(text), style)
        _w, h = p.wrap(frame_width, height)
        p.drawOn(c, x, top - h)
        return top - h

    left, text_width = 40 * mm, width - 80 * mm
    plain = ParagraphStyle("plain", fontName=PDF_FONT, fontSize=16, leading=28, wordWrap="CJK")
    body = ParagraphStyle("body", parent=plain, firstLineIndent=32)
    top = para(w["addressee"], plain, left, height - 78 * mm, text_width)
    top = para(w["text"], body, left, top - 2 * mm, text_width)

    c.setFont(PDF_FONT, 12)
    y = top - 12 * mm
    for label, value in w["lines"]:
        c.drawString(left, y, f"{label}：{value}")
        y -= 7 * mm

    right = ParagraphStyle("right", parent=plain, alignment=TA_RIGHT, fontSize=16)
    para(w["signature"], right, left, 52 * mm, text_width - 10 * mm)
    para(w["dated"], right, left, 42 * mm, text_width - 10 * mm)
    small = ParagraphStyle("small", parent=plain, fontSize=9, leading=12, alignment=TA_CENTER, textColor=colors.grey)
    para(w["note"], small, left, 24 * mm, text_width)
    c.showPage()
    c.save()
    return out.getvalue()
