"""The aftercare sheet of a session as PDF, in the session's language (English, Hindi or Marathi: the
shipped Noto Devanagari font, shaped with HarfBuzz)."""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext as _

from anagen.core import display
from anagen.core.aftercare import AftercareSheet
from anagen.core.identifiers import format_phone
from anagen.procedures.models import TreatmentSession
from anagen.ui.pdf import UnicodePDF, clinic_heading


def aftercare_pdf(session: TreatmentSession, sheet: AftercareSheet) -> bytes:
    clinic, patient = session.clinic, session.patient
    pdf = UnicodePDF(format="A4")
    pdf.set_title(sheet.title)
    pdf.set_auto_page_break(True, margin=15)
    pdf.set_margins(18, 16, 18)
    pdf.add_page()
    pdf.set_font("noto", "B", 12)
    pdf.cell(0, 6, clinic_heading(clinic), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("noto", "", 9)
    contact = " · ".join(part for part in (clinic.address.replace("\n", ", ") if clinic.address else "",
                                           format_phone(clinic.phone) if clinic.phone else "") if part)
    if contact:
        pdf.multi_cell(0, 4.5, contact, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font("noto", "B", 16)
    pdf.multi_cell(0, 8, sheet.title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("noto", "", 10)
    pdf.cell(0, 6, f"{patient.full_name} · {display.day(session.performed_on)}", new_x="LMARGIN", new_y="NEXT")
    for heading, points in sheet.sections:
        pdf.ln(3)
        pdf.set_font("noto", "B", 12)
        pdf.multi_cell(0, 6.5, heading, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("noto", "", 11)
        for point in points:
            pdf.set_x(pdf.l_margin + 4)
            pdf.multi_cell(0, 6, f"•  {point}", new_x="LMARGIN", new_y="NEXT")
    if clinic.phone:
        pdf.ln(5)
        pdf.set_font("noto", "B", 11)
        with translation.override(sheet.language):
            line = _("Questions or worries: call %(phone)s") % {"phone": format_phone(clinic.phone)}
        pdf.multi_cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
