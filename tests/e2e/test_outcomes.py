"""Browser: open a patient's progress charts and download the PDF progress report."""

from __future__ import annotations

import pytest
from django.utils import timezone
from tests.web.outcomes.conftest import build_programme

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_trichologist_opens_the_progress_chart_and_downloads_the_report(page, sign_in, trichologist, practitioner, patient):
    build_programme(patient, trichologist, practitioner, timezone.localdate(), (2.0, 6.0))
    sign_in(trichologist.username)
    page.goto(f"/patients/{patient.pk}/")
    page.get_by_role("link", name="Progress charts and report").click()
    page.wait_for_selector("svg#chart-density .session-marker")
    assert page.locator("svg#chart-density g.baseline").count() == 1
    assert page.get_by_role("img", name="Hair density (vertex, 10.0 cm)").is_visible()
    with page.expect_download() as info:
        page.get_by_role("button", name="Download progress report (PDF)").click()
    download = info.value
    with open(download.path(), "rb") as handle:
        assert handle.read(5) == b"%PDF-"
    assert download.suggested_filename.endswith(".pdf")
