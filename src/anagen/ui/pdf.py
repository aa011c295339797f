"""A PDF with the Noto fonts shipped in src/anagen/ui/fonts (SIL Open Font License): Latin,
the rupee sign and Devanagari, shaped with HarfBuzz only on the lines that need it, so a patient's
name prints as written. No system fonts or libraries are needed at run time."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fpdf import FPDF

FONTS = Path(__file__).resolve().parent / "fonts"


class UnicodePDF(FPDF):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.add_font("noto", "", str(FONTS / "NotoSans-Regular.ttf"))
        self.add_font("noto", "B", str(FONTS / "NotoSans-Bold.ttf"))
        self.add_font("notodeva", "", str(FONTS / "NotoSansDevanagari-Regular.ttf"))
        self.add_font("notodeva", "B", str(FONTS / "NotoSansDevanagari-Bold.ttf"))
        self.set_fallback_fonts(["notodeva"], exact_match=False)

    def _shape_for(self, text: str) -> None:
        # Indic scripts start at U+0900; shaping Latin lines costs time and changes nothing.
        needed = any(ord(ch) >= 0x0900 and ch != "\u20b9" for ch in str(text))
        if needed != bool(self.text_shaping):
            self.set_text_shaping(needed)

    def cell(self, w: float | None = None, h: float | None = None, text: str = "", *args: Any, **kwargs: Any) -> Any:
        self._shape_for(text)
        font = self.current_font
        result = super().cell(w, h, text, *args, **kwargs)
        restore_chosen_font(self, font)
        return result

    def multi_cell(self, w: float, h: float | None = None, text: str = "", *args: Any, **kwargs: Any) -> Any:
        self._shape_for(text)
        font = self.current_font
        result = super().multi_cell(w, h, text, *args, **kwargs)
        restore_chosen_font(self, font)
        return result


def restore_chosen_font(pdf: FPDF, font: Any) -> None:
    """After a cell, the next one names its font again. fpdf2 (2.8.9) sets the font of a line that
    starts in the fallback font (all-Devanagari text) inside that line's q/Q pair yet records it as
    set for the page (py-pdf/fpdf2#1772): the next cell without a set_font of its own (an amount
    after a Marathi label) was drawn with no font and came out as garbage or nothing. One more Tf
    per cell costs a few bytes."""
    if font is not None:
        pdf.current_font = font
    pdf.current_font_is_set_on_page = False


def clinic_heading(clinic: Any) -> str:
    """The clinic's name, with its city only when the name does not already say it (no
    "Anagen Demo Clinic, Mumbai · Mumbai" at the top of a document)."""
    name = str(clinic.name or "").strip()
    city = str(getattr(clinic, "city", "") or "").strip()
    if not city or city.casefold() in name.casefold():
        return name
    return f"{name} · {city}"
