"""A signed consent as PDF: the exact text version the patient signed (title, version, language,
publication date, body), the signature (the drawn image, or the typed name and the ticked
agreement), the witness and the record's history (granted, withdrawn)."""

from __future__ import annotations

import io

from django.utils import timezone
from django.utils.translation import gettext as _

from anagen.consents.models import ConsentEvent, ConsentRecord, Method
from anagen.core import display
from anagen.core.identifiers import format_phone
from anagen.ui.pdf import UnicodePDF, clinic_heading

# The drawn signature printed at most this wide (mm); its height follows the image's proportions.
SIGNATURE_WIDTH_MM = 70


def _label_value(pdf: UnicodePDF, label: str, value: str) -> None:
    pdf.set_font("noto", "B", 10)
    pdf.cell(42, 6, label)
    pdf.set_font("noto", "", 10)
    pdf.multi_cell(0, 6, value, new_x="LMARGIN", new_y="NEXT")


def consent_pdf(record: ConsentRecord, events: list[ConsentEvent]) -> bytes:
    clinic, patient, text = record.clinic, record.patient, record.text
    pdf = UnicodePDF(format="A4")
    pdf.set_title(_("Consent: %(title)s") % {"title": text.title})
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_page()
    pdf.set_font("noto", "B", 14)
    pdf.cell(0, 8, clinic_heading(clinic), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("noto", "", 9)
    for line in (clinic.address.replace("\n", ", ") if clinic.address else "", format_phone(clinic.phone) if clinic.phone else ""):
        if line:
            pdf.cell(0, 4.5, line, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font("noto", "B", 13)
    pdf.multi_cell(0, 7, text.title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("noto", "", 9)
    pdf.cell(0, 5, _("Version %(version)s · %(language)s · published %(day)s") % {
        "version": text.version, "language": text.get_language_display(), "day": display.day(timezone.localdate(text.published_at))},
        new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font("noto", "", 10.5)
    for paragraph in text.body.replace("\r\n", "\n").split("\n\n"):
        if paragraph.strip():
            pdf.multi_cell(0, 5.5, paragraph.strip(), new_x="LMARGIN", new_y="NEXT")
            pdf.ln(2)
    pdf.ln(2)
    pdf.set_draw_color(200, 205, 212)
    pdf.line(pdf.l_margin, pdf.get_y(), pdf.l_margin + pdf.epw, pdf.get_y())
    pdf.ln(3)
    pdf.set_font("noto", "B", 11)
    pdf.cell(0, 7, _("Signed record"), new_x="LMARGIN", new_y="NEXT")
    _label_value(pdf, _("Patient"), f"{patient.full_name} · {patient.mrn}")
    _label_value(pdf, _("Purpose"), record.get_purpose_display())
    _label_value(pdf, _("Signed"), display.moment(timezone.localtime(record.signed_at)))
    _label_value(pdf, _("Method"), record.get_method_display())
    if record.method == Method.DRAWN and record.signature_png:
        pdf.set_font("noto", "B", 10)
        pdf.cell(42, 6, _("Signature"))
        top = pdf.get_y()
        info = pdf.image(io.BytesIO(bytes(record.signature_png)), x=pdf.get_x(), y=top, w=SIGNATURE_WIDTH_MM)
        pdf.set_y(top + float(info["rendered_height"]) + 2)
    else:
        _label_value(pdf, _("Name typed"), record.typed_name)
        _label_value(pdf, _("Agreement box"), _("Ticked: “I have read and agree to this consent”") if record.acknowledged else _("Not ticked"))
    witness = record.witness
    witness_name = witness.get_full_name() or witness.get_username()
    role = witness.get_role_display() if getattr(witness, "role", "") else ""
    _label_value(pdf, _("Witness"), f"{witness_name} ({role})" if role else witness_name)
    if events:
        pdf.ln(2)
        pdf.set_font("noto", "B", 11)
        pdf.cell(0, 7, _("History"), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("noto", "", 10)
        for event in events:
            who = (event.by.get_full_name() or event.by.get_username()) if event.by else event.by_name
            line = f"{event.get_kind_display()} {display.moment(timezone.localtime(event.at))}"
            line += _(" by %(who)s") % {"who": who} if who else ""
            line += f": {event.reason}" if event.reason else ""
            pdf.multi_cell(0, 5.5, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())

