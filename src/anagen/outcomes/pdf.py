"""The patient's progress report as a real PDF (fpdf2): text is extractable, names in any Indian
script we ship a font for render correctly (Noto Sans with Noto Sans Devanagari as the fallback,
shaped with HarfBuzz through uharfbuzz), charts are the same SVG drawings as on screen.

The fonts ship with the UI kit (anagen/ui/fonts/, SIL Open Font License, OFL.txt): nothing is
needed from the system at run time.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from fpdf import FPDF
from fpdf.enums import XPos, YPos
from fpdf.fonts import FontFace
from PIL import Image

from anagen.accounts.models import Clinic
from anagen.core import display
from anagen.outcomes.charts import Chart
from anagen.outcomes.progress import Progress
from anagen.ui.pdf import FONTS, clinic_heading, restore_chosen_font

# fontTools logs every subsetting step at INFO; a report is not worth 30 log lines.
logging.getLogger("fontTools").setLevel(logging.WARNING)

# Noto Sans 2020 has no arrows: write them as words so no glyph is silently dropped.
_REPLACEMENTS = {"→": "to", "←": "from"}


@dataclass
class ReportContent:
    clinic: Clinic
    progress: Progress
    generated_on: dt.date
    generated_by: str
    charts: list[tuple[Chart, str]]
    photo_pairs: list[dict[str, Any]]
    photo_note: str
    aftercare: Any
    next_steps: list[str]


def plain(text: str) -> str:
    for old, new in _REPLACEMENTS.items():
        text = text.replace(old, new)
    return text


PHOTO_MAX_PX = 900
INK = (31, 41, 51)
MUTED = (82, 96, 109)


class ReportPDF(FPDF):
    def __init__(self, clinic_line: str, footer_line: str) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.clinic_line = clinic_line
        self.footer_line = footer_line
        self.add_font("noto", "", str(FONTS / "NotoSans-Regular.ttf"))
        self.add_font("noto", "B", str(FONTS / "NotoSans-Bold.ttf"))
        self.add_font("notodeva", "", str(FONTS / "NotoSansDevanagari-Regular.ttf"))
        self.add_font("notodeva", "B", str(FONTS / "NotoSansDevanagari-Bold.ttf"))
        self.set_fallback_fonts(["notodeva"], exact_match=False)
        self.set_auto_page_break(True, margin=18)
        self.set_margins(16, 16, 16)
        self.set_title(_("Progress report"))
        self.set_creator("Anagen")

    def header(self) -> None:
        self.set_font("noto", "B", 9)
        self.set_text_color(*MUTED)
        self.cell(0, 5, self.clinic_line, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(2)
        self.set_text_color(*INK)

    def footer(self) -> None:
        self.set_y(-13)
        self.set_font("noto", "", 8)
        self.set_text_color(*MUTED)
        page = _("page %(page)s of %(total)s") % {"page": self.page_no(), "total": "{nb}"}
        self.cell(0, 5, f"{self.footer_line} · {page}", align="C")
        self.set_text_color(*INK)

    # -- helpers ---------------------------------------------------------------------------------

    def shape_for(self, text: str) -> None:
        """HarfBuzz shaping only where a script needs it (Devanagari and other Indic scripts, from
        U+0900): shaping every Latin line costs time and changes nothing."""
        needed = any(ord(ch) >= 0x0900 for ch in text)
        if needed != bool(self.text_shaping):
            self.set_text_shaping(needed)

    def multi_cell(self, w: float, h: float | None = None, text: str = "", *args: Any, **kwargs: Any) -> Any:
        self.shape_for(text)
        font = self.current_font
        result = super().multi_cell(w, h, text, *args, **kwargs)
        restore_chosen_font(self, font)
        return result

    def cell(self, w: float | None = None, h: float | None = None, text: str = "", *args: Any, **kwargs: Any) -> Any:
        self.shape_for(text)
        font = self.current_font
        result = super().cell(w, h, text, *args, **kwargs)
        restore_chosen_font(self, font)
        return result

    def heading(self, text: str, size: float = 13) -> None:
        if self.get_y() > self.h - 40:
            self.add_page()
        self.ln(2)
        self.set_font("noto", "B", size)
        self.multi_cell(0, 7, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font("noto", "", 10)

    def para(self, text: str, size: float = 10, bold: bool = False) -> None:
        self.set_font("noto", "B" if bold else "", size)
        self.multi_cell(0, 5.2, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def bullet(self, text: str) -> None:
        self.set_font("noto", "", 10)
        self.set_x(self.l_margin + 2)
        self.multi_cell(0, 5.2, f"• {text}", new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _photo(data: bytes | None) -> io.BytesIO | None:
    if not data:
        return None
    try:
        with Image.open(io.BytesIO(data)) as img:
            # JPEG: let the decoder scale down by 1/2, 1/4 or 1/8 while decoding (much faster
            # than decoding the full 20-megapixel photo and resizing it).
            img.draft("RGB", (PHOTO_MAX_PX, PHOTO_MAX_PX))
            img = img.convert("RGB")
            img.thumbnail((PHOTO_MAX_PX, PHOTO_MAX_PX), reducing_gap=2.0)
            out = io.BytesIO()
            img.save(out, "JPEG", quality=82)
            out.seek(0)
            return out
    except Exception:  # noqa: BLE001 - an unreadable photo is shown as missing, never a failed report
        return None


def build_pdf(content: ReportContent) -> bytes:
    p = content.progress
    patient = p.patient
    clinic = content.clinic
    pdf = ReportPDF(
        clinic_heading(clinic),
        _("Progress report for %(name)s (%(mrn)s) · generated %(day)s") % {
            "name": patient.full_name, "mrn": patient.mrn, "day": display.day(content.generated_on)},
    )
    pdf.add_page()
    pdf.set_font("noto", "B", 18)
    pdf.cell(0, 10, _("Progress report"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("noto", "", 10)
    age = patient.age_on(content.generated_on)
    pdf.para(_("Patient: %(name)s") % {"name": patient.full_name}, size=12, bold=True)
    pdf.para(_("Record number %(mrn)s · %(sex)s · %(age)s years · born %(day)s") % {
        "mrn": patient.mrn, "sex": patient.get_sex_display(), "age": age, "day": display.day(patient.date_of_birth)})
    pdf.para(_("Diagnosis: %(diagnosis)s") % {"diagnosis": p.diagnosis_label})
    pdf.para(_("Generated on %(day)s by %(author)s") % {"day": display.day(content.generated_on), "author": content.generated_by})

    pdf.heading(_("Course so far"))
    if p.course is None:
        pdf.para(_("No course has been planned yet."))
    else:
        done = p.course_sessions_done
        pdf.para(_("Course started %(day)s: %(done)s of %(total)s sessions done (%(intensive)s intensive, %(maintenance)s maintenance).") % {
            "day": display.day(p.course.start_date), "done": len(done), "total": p.course.total_sessions,
            "intensive": p.course.intensive_sessions, "maintenance": p.course.maintenance_sessions})
        if done:
            pdf.para(_("Session dates: %(dates)s") % {"dates": ", ".join(f"{s.number or '-'}: {display.day(s.day)}" for s in done)})

    pdf.heading(_("Measurements"))
    pdf.para(_("Compared at the same scalp site: %(site)s.") % {"site": p.site_label})
    _measurement_table(pdf, p)

    pdf.heading(_("Your response so far"))
    if p.response is not None:
        pdf.para(_("Response: %(response)s (baseline %(baseline)s against %(follow_up)s)") % {
            "response": p.response.response_class.value, "baseline": display.day(p.baseline.measured_on),  # type: ignore[union-attr]
            "follow_up": display.day(p.response_follow_up.measured_on)}, bold=True)  # type: ignore[union-attr]
        for reason in p.response.reasons:
            pdf.bullet(plain(reason))
    else:
        pdf.para(p.response_note)
    if p.non_responder is not None:
        pdf.para(_("Likely non-responder: %(reason)s") % {"reason": p.non_responder.message}, bold=True)

    pdf.heading(_("What to expect"))
    if p.timeline is not None:
        for sentence in p.timeline.sentences:
            pdf.bullet(sentence)
        # What the forecast does not claim (issue 17): untested treatments, the trial's horizon.
        for line in p.forecast_limits:
            pdf.bullet(line)
    else:
        pdf.para(p.forecast_note or _("No forecast."))

    pdf.heading(_("Next steps"))
    for step in content.next_steps:
        pdf.bullet(step)

    pdf.add_page()
    pdf.heading(_("Charts"))
    if p.untreated is not None:
        legend = _("Triangles on the time axis mark treatment sessions; the dashed line is the baseline; the shaded band is "
                   "the range expected for this course (10-90%); the dashed outline beside it is the range expected without "
                   "treatment. Every value is also in the measurement table.")
    else:
        legend = _("Triangles on the time axis mark treatment sessions; the dashed line is the baseline; the shaded band is "
                   "the range expected for this course (10-90%). Every value is also in the measurement table.")
    pdf.para(legend, size=9)
    for index, (_chart, svg) in enumerate(content.charts):
        if pdf.get_y() > pdf.h - 90:
            pdf.add_page()
        pdf.image(io.BytesIO(svg.encode("utf-8")), x=pdf.l_margin, w=pdf.epw)
        pdf.ln(2 if index % 2 == 0 else 4)

    pdf.add_page()
    pdf.heading(_("Photographs"))
    if not content.photo_pairs:
        pdf.para(content.photo_note or _("No photographs were taken."))
    for pair in content.photo_pairs:
        _photo_pair(pdf, pair)

    sheet = content.aftercare
    pdf.heading(_("Aftercare: %(title)s") % {"title": sheet.title})
    for title, points in sheet.sections:
        pdf.para(title, bold=True)
        for point in points:
            pdf.bullet(point)
    return bytes(pdf.output())


def _measurement_table(pdf: ReportPDF, p: Any) -> None:
    if not p.measurements:
        pdf.para(_("No measurements recorded yet."))
        return
    headings = (_("Date"), _("Density /cm²"), _("Wash test"), _("Comb count"), _("Pull test"), _("Shaft µm"), _("Photo score"), _("Note"))
    pdf.set_font("noto", "", 8.5)
    with pdf.table(col_widths=(22, 22, 18, 18, 18, 18, 18, 44), text_align="LEFT", line_height=5,
                   headings_style=FontFace(emphasis="BOLD", fill_color=(238, 241, 245)), first_row_as_headings=True) as table:
        table.row(headings)
        for row in p.table:
            m = row["m"]
            density = "" if m.density_per_cm2 is None else str(m.density_per_cm2)
            note = _("baseline") if row["is_baseline"] else ("" if row["compared"] or m.density_per_cm2 is None else _("other site: not compared"))
            table.row((
                f"{display.day(m.measured_on)}", density if row["compared"] else f"({density})",
                "" if m.wash_shed_count is None else str(m.wash_shed_count), "" if m.comb_count is None else str(m.comb_count),
                row["pull"], "" if m.mean_shaft_diameter_um is None else str(m.mean_shaft_diameter_um),
                "" if m.global_photo_score is None else f"{m.global_photo_score:+d}", note,
            ))
    pdf.set_font("noto", "", 10)


def _photo_pair(pdf: ReportPDF, pair: dict[str, Any]) -> None:
    width = (pdf.epw - 6) / 2
    if pdf.get_y() > pdf.h - (width + 30):
        pdf.add_page()
    pdf.para(f"{pair['view'].capitalize()}", bold=True)
    top = pdf.get_y()
    for column, (label, key, day_key) in enumerate(((_("Baseline"), "baseline", "baseline_date"), (_("Latest"), "latest", "latest_date"))):
        x = pdf.l_margin + column * (width + 6)
        image = _photo(pair.get(key))
        day = pair.get(day_key)
        caption = f"{label}{' · ' + display.day(day) if day else ''}"
        pdf.set_xy(x, top)
        pdf.set_font("noto", "", 9)
        pdf.cell(width, 5, caption)
        if image is not None:
            pdf.image(image, x=x, y=top + 6, w=width, h=width * 0.75, keep_aspect_ratio=True)
        else:
            pdf.set_xy(x, top + 8)
            pdf.cell(width, 5, _("no photograph") if key == "latest" else _("photograph unavailable"))
    pdf.set_xy(pdf.l_margin, top + 6 + width * 0.75 + 4)
