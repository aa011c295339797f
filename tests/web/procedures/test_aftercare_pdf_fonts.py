"""The aftercare PDF in Hindi and Marathi: every heading drawn in the bold Devanagari font, never in
a font without Devanagari glyphs (empty boxes, or nothing, where the heading should be), and the
PDF carries the 5-ARI instructions the printed sheet carries."""

from __future__ import annotations

import subprocess
from decimal import Decimal

import pytest
from django.urls import reverse
from tests.web.outcomes.pdftext import pdf_runs

from anagen.procedures import services

from .test_aftercare_documents import _signed_session

pytestmark = pytest.mark.django_db


def _devanagari(text: str) -> bool:
    return any("\u0900" <= ch <= "\u097f" for ch in text)


def _letters(text: str) -> str:
    return "".join(text.split())


def _pdftotext(data: bytes, tmp_path) -> str:
    """Read back with poppler, an extractor independent of the writer; it puts a space where a
    glyph is drawn left of its place in the text (the vowel sign ि), so letters are compared."""
    path = tmp_path / "aftercare.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], check=True, capture_output=True, text=True).stdout


def _with_finasteride(session):
    session.formulation.components.create(position=99, ingredient="finasteride", volume_ml=Decimal("0.5"),
                                          concentration=Decimal("0.05"), concentration_unit="mg/mL")


@pytest.mark.parametrize("language", ["hi", "mr"])
def test_every_heading_of_the_hindi_and_marathi_aftercare_pdf_is_drawn_in_the_bold_devanagari_font(client, practitioner, ready,
                                                                                                   language, tmp_path):
    session = _signed_session(client, practitioner, ready)
    _with_finasteride(session)
    sheet = services.session_aftercare_sheet(session, language)
    headings = [sheet.title, *(heading for heading, _points in sheet.sections)]
    assert len(headings) >= 5 and all(_devanagari(h) for h in headings)

    data = client.get(reverse("procedures:aftercare_pdf", args=[session.pk]) + f"?lang={language}").content
    read_back = _letters(_pdftotext(data, tmp_path))
    text_objects = {_letters("".join(text for _font, text in runs)): runs for runs in pdf_runs(data)}
    for heading in headings:
        assert _letters(heading) in read_back, f"heading missing when read back: {heading}"
        runs = text_objects.get(_letters(heading))
        assert runs is not None, f"heading not drawn as one line: {heading}"
        fonts = {font for font, text in runs if _devanagari(text)}
        assert fonts == {"NotoSansDevanagariBold"}, f"{heading!r} drawn in {fonts}"
        assert all("Bold" in font for font, text in runs if text.strip()), f"{heading!r} partly not bold: {runs}"


def test_the_aftercare_pdf_carries_the_5_ari_instructions_the_printed_sheet_carries(client, practitioner, ready, tmp_path):
    session = _signed_session(client, practitioner, ready)
    _with_finasteride(session)
    heading = services.session_aftercare_sheet(session, "en").sections[0][0]
    page = client.get(reverse("procedures:aftercare", args=[session.pk]) + "?lang=en").content.decode()
    assert heading in page
    data = client.get(reverse("procedures:aftercare_pdf", args=[session.pk]) + "?lang=en").content
    assert _letters(heading) in _letters(_pdftotext(data, tmp_path))
