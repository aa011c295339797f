"""The downloads router (files: invoice and receipt PDFs, signatures, .ics, chart SVGs, outcome and
recipient CSVs): each operation works, refuses bad input naming the field, refuses conflicts with
409, and leaves the audit trail. Roles and clinics are in test_access.py."""

from __future__ import annotations

import csv
import io

import pytest

from anagen.audit.models import AuditEntry

from .conftest import error_fields, signature_png

pytestmark = pytest.mark.django_db


@pytest.fixture
def ids(world):
    from .conftest import billing_and_reports, portal_and_feeds

    extra = billing_and_reports(world)
    return {**extra, **portal_and_feeds(world, extra["invoice"])}


def test_an_invoice_and_its_receipt_download_as_pdfs_audited_as_an_export(world, ids, api_as):
    api = api_as(world["staff"]["reception"])
    invoice = api("get", f"/invoices/{ids['invoice']}/pdf")
    assert invoice.status_code == 200 and invoice["Content-Type"] == "application/pdf"
    assert invoice.content.startswith(b"%PDF") and "attachment" in invoice["Content-Disposition"]
    assert AuditEntry.objects.filter(action="export", object_type="invoice", object_id=str(ids["invoice"])).exists()
    receipt = api("get", f"/payments/{ids['payment']}/receipt")
    assert receipt.status_code == 200 and receipt.content.startswith(b"%PDF")


def test_a_drawn_signature_downloads_as_png_and_a_typed_consent_has_none(world, api_as):
    api = api_as(world["staff"]["practitioner"])
    # A text the patient has not signed: signing the one in force again is refused as a duplicate.
    text = api_as(world["staff"]["clinic_admin"])("post", "/consent-texts", {"purpose": "photographs", "title": "Photographs",
                                                                              "body": "You may photograph my scalp."})
    signed = api("post", f"/patients/{world['patient'].pk}/consents",
                 {"text_id": text.data["id"], "method": "drawn", "signature_png": signature_png()})
    assert signed.status_code == 201, signed.data
    image = api("get", f"/consents/{signed.data['id']}/signature")
    assert image.status_code == 200 and image["Content-Type"] == "image/png" and image.content.startswith(b"\x89PNG")
    assert AuditEntry.objects.filter(action="read", object_type="consent_signature", object_id=str(signed.data["id"])).exists()
    assert api("get", f"/consents/{world['consent'].pk}/signature").status_code == 404


def test_an_appointment_downloads_as_an_ics_file(world, api_as):
    response = api_as(world["staff"]["reception"])("get", f"/appointments/{world['appointment'].pk}/ics")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    assert b"BEGIN:VCALENDAR" in response.content
    assert AuditEntry.objects.filter(object_type="appointment_ics", object_id=str(world["appointment"].pk)).exists()


def test_a_progress_chart_downloads_as_svg_and_an_unknown_chart_is_refused_by_name(world, api_as):
    api = api_as(world["staff"]["trichologist"])
    chart = api("get", f"/patients/{world['patient'].pk}/charts/density")
    assert chart.status_code == 200 and chart["Content-Type"].startswith("image/svg+xml")
    assert b"<svg" in chart.content
    unknown = api("get", f"/patients/{world['patient'].pk}/charts/mood")
    assert unknown.status_code == 422 and error_fields(unknown) == {"chart"}


def test_an_outcomes_table_downloads_as_csv_and_bad_ranges_are_refused(world, api_as):
    api = api_as(world["staff"]["clinic_admin"])
    response = api("get", "/outcomes/csv?table=attendance")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    header = next(csv.reader(io.StringIO(response.content.decode())))
    assert header
    assert error_fields(api("get", "/outcomes/csv?table=horoscope")) == {"table"}
    backwards = api("get", "/outcomes/csv?table=diagnosis&start=2026-05-01&end=2026-01-01")
    assert backwards.status_code == 422 and error_fields(backwards) == {"end"}


def test_a_lots_recipients_download_as_csv_naming_the_patient_audited(world, api_as):
    response = api_as(world["staff"]["practitioner"])("get", f"/lots/{world['lot'].pk}/recipients/csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][0] == "patient_id" and rows[1][0] == str(world["patient"].pk)
    entry = AuditEntry.objects.filter(object_type="lot_recipients", object_id=str(world["lot"].pk)).get()
    assert entry.changes["patient_ids"] == [world["patient"].pk]
