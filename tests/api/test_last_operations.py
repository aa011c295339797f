"""The last web-only staff actions, over the API: downloads, sharing with the patient and the portal
requests, calendar feeds, the registry CSV, clinic set-up, staff and clinic administration, the
audit trail and erasure. Roles and clinics are in test_access.py; here: they work, refuse bad
input naming the field, refuse conflicts with 409, and leave the audit trail."""

from __future__ import annotations

import base64
import csv
import io

import pytest
from django.test import Client
from PIL import Image, ImageDraw

from anagen.audit.models import AuditEntry

pytestmark = pytest.mark.django_db


def _fields(response):
    return {e["field"] for e in response.data["errors"]}


@pytest.fixture
def ids(world):
    from .conftest import billing_and_reports, portal_and_feeds

    extra = billing_and_reports(world)
    return {**extra, **portal_and_feeds(world, extra["invoice"])}


# ------------------------------------------------------------------------------- downloads


def test_an_invoice_and_its_receipt_download_as_pdfs_audited_as_an_export(world, ids, api_as):
    api = api_as(world["staff"]["reception"])
    invoice = api("get", f"/invoices/{ids['invoice']}/pdf")
    assert invoice.status_code == 200 and invoice["Content-Type"] == "application/pdf"
    assert invoice.content.startswith(b"%PDF") and "attachment" in invoice["Content-Disposition"]
    assert AuditEntry.objects.filter(action="export", object_type="invoice", object_id=str(ids["invoice"])).exists()
    receipt = api("get", f"/payments/{ids['payment']}/receipt")
    assert receipt.status_code == 200 and receipt.content.startswith(b"%PDF")


def _signature_png() -> str:
    image = Image.new("RGBA", (160, 50), (0, 0, 0, 0))
    ImageDraw.Draw(image).line([(10, 25), (150, 30)], fill=(17, 24, 39, 255), width=3)
    out = io.BytesIO()
    image.save(out, "PNG")
    return base64.b64encode(out.getvalue()).decode()


def test_a_drawn_signature_downloads_as_png_and_a_typed_consent_has_none(world, api_as):
    api = api_as(world["staff"]["practitioner"])
    signed = api("post", f"/patients/{world['patient'].pk}/consents",
                 {"text_id": world["consent"].text_id, "method": "drawn", "signature_png": _signature_png()})
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
    assert unknown.status_code == 422 and _fields(unknown) == {"chart"}


def test_an_outcomes_table_downloads_as_csv_and_bad_ranges_are_refused(world, api_as):
    api = api_as(world["staff"]["clinic_admin"])
    response = api("get", "/outcomes/csv?table=attendance")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    header = next(csv.reader(io.StringIO(response.content.decode())))
    assert header
    assert _fields(api("get", "/outcomes/csv?table=horoscope")) == {"table"}
    backwards = api("get", "/outcomes/csv?table=diagnosis&start=2026-05-01&end=2026-01-01")
    assert backwards.status_code == 422 and _fields(backwards) == {"end"}


def test_a_lots_recipients_download_as_csv_naming_the_patient_audited(world, api_as):
    response = api_as(world["staff"]["practitioner"])("get", f"/lots/{world['lot'].pk}/recipients/csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][0] == "patient_id" and rows[1][0] == str(world["patient"].pk)
    entry = AuditEntry.objects.filter(object_type="lot_recipients", object_id=str(world["lot"].pk)).get()
    assert entry.changes["patient_ids"] == [world["patient"].pk]


# ---------------------------------------------------------------- sharing and portal requests


def test_a_report_is_shared_with_the_patient_and_unshared(world, ids, api_as):
    api = api_as(world["staff"]["trichologist"])
    shared = api("post", f"/progress-reports/{ids['report']}/share", {"shared": True})
    assert shared.status_code == 200 and shared.data["shared_with_patient"] is True
    assert api("post", f"/progress-reports/{ids['report']}/share", {"shared": False}).data["shared_with_patient"] is False
    assert AuditEntry.objects.filter(object_type="progress_report", object_id=str(ids["report"]), action="update").count() == 2
    bad = api("post", f"/progress-reports/{ids['report']}/share", {"shared": "perhaps"})
    assert bad.status_code == 422 and _fields(bad) == {"shared"}


def test_revoking_portal_access_with_nothing_to_revoke_gets_409(world, api_as):
    api = api_as(world["staff"]["reception"])
    invited = api("post", f"/patients/{world['patient'].pk}/portal-invitation")
    assert invited.status_code == 201
    revoked = api("post", f"/patients/{world['patient'].pk}/portal-access/revoke")
    assert revoked.status_code == 200 and revoked.data["status"] == "Not invited"
    again = api("post", f"/patients/{world['patient'].pk}/portal-access/revoke")
    assert again.status_code == 409


def test_a_change_request_is_listed_and_handled_once(world, ids, api_as):
    api = api_as(world["staff"]["reception"])
    listed = api("get", "/portal/change-requests")
    assert [c["id"] for c in listed.data["items"]] == [ids["change_request"]]
    assert AuditEntry.objects.filter(object_type="patient_list").latest("seq").changes["patient_ids"] == [world["patient"].pk]
    handled = api("post", f"/portal/change-requests/{ids['change_request']}/handle")
    assert handled.status_code == 200 and handled.data["handled_at"]
    assert api("post", f"/portal/change-requests/{ids['change_request']}/handle").status_code == 409
    assert api("get", "/portal/change-requests").data["items"] == []


def test_an_export_request_is_fulfilled_once_and_a_long_note_is_refused(world, ids, api_as):
    api = api_as(world["staff"]["trichologist"])
    assert [e["id"] for e in api("get", "/portal/export-requests").data["items"]] == [ids["export_request"]]
    long = api("post", f"/portal/export-requests/{ids['export_request']}/fulfil", {"note": "x" * 301})
    assert long.status_code == 422 and _fields(long) == {"note"}
    done = api("post", f"/portal/export-requests/{ids['export_request']}/fulfil", {})
    assert done.status_code == 200 and done.data["fulfilled_at"] and len(done.data["sha256"]) == 64
    assert api("post", f"/portal/export-requests/{ids['export_request']}/fulfil", {}).status_code == 409


# ---------------------------------------------------------------------------- calendar feeds


def test_a_feed_address_is_shown_once_works_and_stops_when_revoked(world, api_as):
    nurse = api_as(world["staff"]["practitioner"])
    created = nurse("post", "/calendar-feeds", {})
    assert created.status_code == 201 and created.data["kind"] == "practitioner"
    url = created.data["url"]
    assert Client().get(url).status_code == 200
    listed = nurse("get", "/calendar-feeds")
    assert [f["id"] for f in listed.data["items"]] == [created.data["id"]] and "url" not in listed.data["items"][0]
    assert api_as(world["staff"]["reception"])("post", f"/calendar-feeds/{created.data['id']}/revoke").status_code == 404
    revoked = nurse("post", f"/calendar-feeds/{created.data['id']}/revoke")
    assert revoked.status_code == 200 and revoked.data["revoked_at"]
    assert Client().get(url).status_code == 404


def test_a_patient_feed_needs_a_patient_of_the_clinic(world, other_world, api_as):
    api = api_as(world["staff"]["reception"])
    refused = api("post", "/calendar-feeds", {"patient_id": other_world["patient"].pk})
    assert refused.status_code == 422 and _fields(refused) == {"patient_id"}
    created = api("post", "/calendar-feeds", {"patient_id": world["patient"].pk})
    assert created.status_code == 201 and created.data["patient_id"] == world["patient"].pk
    listed = api("get", f"/calendar-feeds?patient_id={world['patient'].pk}")
    assert created.data["id"] in [f["id"] for f in listed.data["items"]]


# ------------------------------------------------------------------------------ registry CSV

HEADER = "given_name,family_name,date_of_birth,sex,phone,email,abha_number\n"


def _upload(api, text: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return api.client.post("/api/v1/registry/import", {"file": SimpleUploadedFile("r.csv", text.encode(), "text/csv")},
                           HTTP_AUTHORIZATION=f"Bearer {api.token}")


def test_the_registry_exports_and_imports_all_or_nothing(world, api_as):
    from anagen.patients.models import Patient

    api = api_as(world["staff"]["clinic_admin"])
    exported = api("get", "/registry/csv")
    assert exported.status_code == 200 and world["patient"].mrn in exported.content.decode()
    assert AuditEntry.objects.filter(object_type="patient_registry", action="export").exists()
    before = Patient.objects.count()
    bad = _upload(api, HEADER + "Priya,Sharma,1988-02-03,F,9820011111,,\n,Iyer,2090-01-01,x,9820033333,,\n")
    assert bad.status_code == 422 and bad["Content-Type"] == "application/problem+json"
    assert {"rows.3.given_name", "rows.3.date_of_birth", "rows.3.sex"} <= {e["field"] for e in bad.json()["errors"]}
    assert Patient.objects.count() == before
    good = _upload(api, HEADER + "Priya,Sharma,1988-02-03,F,9820011111,,\nRahul,Nair,14/08/1975,male,+919820022222,,\n")
    assert good.status_code == 201 and good.json()["created"] == 2
    assert Patient.objects.count() == before + 2


# ---------------------------------------------------------------------------- clinic set-up


def test_an_admin_adds_a_room_once_and_deactivates_it(world, api_as):
    api = api_as(world["staff"]["clinic_admin"])
    created = api("post", "/rooms", {"name": "Procedure room 2"})
    assert created.status_code == 201 and created.data["active"] is True
    assert api("post", "/rooms", {"name": "procedure ROOM 2"}).status_code == 409
    blank = api("post", "/rooms", {"name": ""})
    assert blank.status_code == 422 and _fields(blank) == {"name"}
    off = api("post", f"/rooms/{created.data['id']}/active", {"active": False})
    assert off.status_code == 200 and off.data["active"] is False
    assert [r["name"] for r in api("get", "/rooms").data["items"]][-1] == "Procedure room 2"


def test_an_admin_edits_the_price_list_and_bad_items_are_refused_by_field(world, ids, api_as):
    api = api_as(world["staff"]["clinic_admin"])
    item = {"kind": "session", "name": "Single session", "price_paise": 450_000, "tax_class": "cosmetic"}
    created = api("post", "/price-items", item)
    assert created.status_code == 201 and created.data["gst_rate_bp"] == 1800 and created.data["code"]
    changed = api("put", f"/price-items/{created.data['id']}", {**item, "price_paise": 500_000, "active": False})
    assert changed.status_code == 200 and changed.data["price_paise"] == 500_000 and changed.data["active"] is False
    duplicate = api("post", "/price-items", {**item, "name": "single SESSION"})
    assert duplicate.status_code == 422 and _fields(duplicate) == {"name"}
    bad = api("post", "/price-items", {**item, "name": "Other", "code": "12", "price_paise": -1})
    assert bad.status_code == 422 and "price_paise" in _fields(bad)
    assert AuditEntry.objects.filter(object_type="price_item", object_id=str(created.data["id"]), action="update").exists()


def test_billing_settings_are_read_and_a_bad_state_is_refused(world, api_as):
    api = api_as(world["staff"]["clinic_admin"])
    saved = api("put", "/billing-settings", {"state_code": "27", "invoice_prefix": "MUM", "gstin": ""})
    assert saved.status_code == 200, saved.data
    assert api("get", "/billing-settings").data["invoice_prefix"] == "MUM"
    bad = api("put", "/billing-settings", {"state_code": "99", "invoice_prefix": "MUM"})
    assert bad.status_code == 422 and _fields(bad) == {"state_code"}


def test_reminder_settings_and_templates_are_saved_and_checked(world, api_as):
    api = api_as(world["staff"]["clinic_admin"])
    current = api("get", "/reminder-settings").data
    saved = api("put", "/reminder-settings", {**current, "before_hours": "24, 2"})
    assert saved.status_code == 200 and saved.data["before_hours"] == "24, 2"
    bad = api("put", "/reminder-settings", {**current, "before_hours": "soon"})
    assert bad.status_code == 422 and _fields(bad) == {"before_hours"}
    template = {"kind": "before", "channel": "sms", "language": "en", "body": "{clinic}: see you on {date} at {time}."}
    created = api("put", "/reminder-templates", template)
    assert created.status_code == 200, created.data
    assert [t["body"] for t in api("get", "/reminder-templates").data] == [template["body"]]
    unknown_kind = api("put", "/reminder-templates", {**template, "kind": "birthday"})
    assert unknown_kind.status_code == 422 and _fields(unknown_kind) == {"kind"}


def test_a_failed_reminder_is_retried_once(world, ids, api_as):
    api = api_as(world["staff"]["reception"])
    retried = api("post", f"/reminder-messages/{ids['message']}/retry")
    assert retried.status_code == 200 and retried.data["status"] == "pending"
    assert api("post", f"/reminder-messages/{ids['message']}/retry").status_code == 409


def test_the_aftercare_sheet_and_faq_are_edited_and_checked(world, api_as):
    api = api_as(world["staff"]["clinic_admin"])
    sheet = {"title": "After your session", "body": "## Today\n- Do not wash your hair tonight.\n"}
    saved = api("put", "/aftercare-texts/hi", sheet)
    assert saved.status_code == 200 and saved.data["title"] == "After your session"
    assert "Do not wash" in api("get", "/aftercare-texts/hi").data["body"]
    shapeless = api("put", "/aftercare-texts/en", {"title": "T", "body": "just words"})
    assert shapeless.status_code == 422 and _fields(shapeless) == {"body"}
    faq = [{"question": "Does it hurt?", "answer": "A little.", "source": "clinic protocol"}]
    assert api("put", "/education-faq", faq).status_code == 200
    assert api_as(world["staff"]["reception"])("get", "/education-faq").data == faq
    half = api("put", "/education-faq", [*faq, {"question": "How long?", "answer": ""}])
    assert half.status_code == 422 and _fields(half) == {"1.answer"}


# -------------------------------------------------------------------- staff and the clinic


def test_an_admin_adds_staff_changes_a_role_and_cannot_demote_themself(world, api_as):
    admin = world["staff"]["clinic_admin"]
    api = api_as(admin)
    weak = api("post", "/staff", {"username": "newnurse", "role": "practitioner", "password": "123"})
    assert weak.status_code == 422 and _fields(weak) == {"password"}
    created = api("post", "/staff", {"username": "newnurse", "first_name": "Meera", "role": "practitioner",
                                     "password": "a-long-Unusual-passphrase-71"})
    assert created.status_code == 201 and created.data["two_factor_on"] is False
    taken = api("post", "/staff", {"username": "newnurse", "role": "reception", "password": "a-long-Unusual-passphrase-71"})
    assert taken.status_code == 422 and _fields(taken) == {"username"}
    body = {"first_name": "Meera", "last_name": "Iyer", "role": "trichologist", "is_active": False}
    changed = api("put", f"/staff/{created.data['id']}", body)
    assert changed.status_code == 200 and (changed.data["role"], changed.data["is_active"]) == ("trichologist", False)
    myself = api("put", f"/staff/{admin.pk}", {**body, "role": "reception", "is_active": True})
    assert myself.status_code == 422 and _fields(myself) == {"role"}
    assert created.data["id"] in [m["id"] for m in api("get", "/staff?page_size=100").data["items"]]


def test_an_admin_resets_a_members_two_factor_audited(world, api_as):
    member = world["staff"]["practitioner"]
    response = api_as(world["staff"]["clinic_admin"])("post", f"/staff/{member.pk}/two-factor/reset")
    assert response.status_code == 200 and response.data["two_factor_on"] is False
    assert AuditEntry.objects.filter(object_type="user_two_factor", object_id=str(member.pk)).exists()


def test_the_clinic_details_are_saved_and_a_bad_phone_is_refused(world, api_as):
    api = api_as(world["staff"]["clinic_admin"])
    current = api("get", "/clinic").data
    saved = api("put", "/clinic", {**current, "city": "Pune"})
    assert saved.status_code == 200 and saved.data["city"] == "Pune"
    bad = api("put", "/clinic", {**current, "phone": "call me"})
    assert bad.status_code == 422 and _fields(bad) == {"phone"}


def test_the_audit_trail_is_filtered_and_paged_within_the_clinic(world, other_world, api_as):
    api = api_as(world["staff"]["clinic_admin"])
    patient = world["patient"]
    page = api("get", f"/audit-entries?patient_id={patient.pk}&action=create&page_size=2")
    assert page.status_code == 200 and page.data["count"] > 2 and len(page.data["items"]) == 2
    assert all(e["patient_id"] == patient.pk and e["action"] == "create" for e in page.data["items"])
    assert page.data["items"][0]["seq"] > page.data["items"][1]["seq"]
    outsider = api("get", f"/audit-entries?user_id={other_world['users']['clinic_admin'].pk}")
    assert outsider.status_code == 422 and _fields(outsider) == {"user_id"}
    assert _fields(api("get", "/audit-entries?action=dance")) == {"action"}


def test_an_erasure_is_requested_once_and_performed_with_the_record_number(world, api_as):
    api = api_as(world["staff"]["clinic_admin"])
    patient = world["patient"]
    blank = api("post", "/erasure-requests", {"patient_id": patient.pk, "reason": " "})
    assert blank.status_code == 422 and _fields(blank) == {"reason"}
    created = api("post", "/erasure-requests", {"patient_id": patient.pk, "reason": "Asked in person on 20 Nov"})
    assert created.status_code == 201 and created.data["status"] == "requested"
    assert api("post", "/erasure-requests", {"patient_id": patient.pk, "reason": "Again"}).status_code == 409
    assert [e["id"] for e in api("get", "/erasure-requests").data["items"]] == [created.data["id"]]
    wrong = api("post", f"/erasure-requests/{created.data['id']}/perform", {"confirm_mrn": "NOPE"})
    assert wrong.status_code == 422 and _fields(wrong) == {"confirm_mrn"}
    done = api("post", f"/erasure-requests/{created.data['id']}/perform", {"confirm_mrn": patient.mrn})
    assert done.status_code == 200 and done.data["status"] == "performed"
    assert api("post", f"/erasure-requests/{created.data['id']}/perform", {"confirm_mrn": patient.mrn}).status_code == 409


def test_an_admin_sets_a_members_password_checked_by_the_password_rules(world, api_as):
    member = world["staff"]["reception"]
    api = api_as(world["staff"]["clinic_admin"])
    weak = api("post", f"/staff/{member.pk}/password", {"password": "123"})
    assert weak.status_code == 422 and _fields(weak) == {"password"}
    assert api("post", f"/staff/{member.pk}/password", {"password": "another-Long-passphrase-93"}).status_code == 200
    member.refresh_from_db()
    assert member.check_password("another-Long-passphrase-93")


# ------------------------------------------------------------------- safety and outcomes lists


def test_infection_clusters_are_listed_once_each_and_the_read_names_the_patients(world, api_as, monkeypatch):
    from anagen.core.safety import Cluster
    from anagen.safety import services

    lot, patient = world["lot"], world["patient"]
    alert = services.ClusterAlert(lot, Cluster(lot.pk, (patient.pk,), world["today"], world["today"]))
    monkeypatch.setattr(services, "infection_clusters_for", lambda clinic, today, **kwargs: [alert])
    response = api_as(world["staff"]["practitioner"])("get", "/infection-clusters")
    assert response.status_code == 200
    assert response.data == [{"lot_id": lot.pk, "lot_number": lot.lot_number, "product_name": lot.product.name,
                              "patient_ids": [patient.pk], "first_onset": world["today"].isoformat(),
                              "last_onset": world["today"].isoformat(), "current": True}]
    entry = AuditEntry.objects.filter(object_type="infection_clusters").get()
    assert entry.changes["patient_ids"] == [patient.pk]


def test_likely_non_responders_are_listed_and_the_read_is_audited(world, api_as):
    from anagen.outcomes.models import PatientOutlook
    from anagen.outcomes.outlook import refresh_all

    refresh_all()  # the world's outlooks are built; then its patient is flagged as the rule would flag them
    message = "Density below the forecast band twice."
    PatientOutlook.objects.filter(patient=world["patient"]).update(flagged=True, flagged_days=[84, 112], message=message)
    response = api_as(world["staff"]["trichologist"])("get", "/non-responders")
    assert response.status_code == 200
    assert response.data == [{"patient_id": world["patient"].pk, "days": [84, 112], "message": message}]
    assert AuditEntry.objects.filter(object_type="non_responder_list").get().changes["patient_ids"] == [world["patient"].pk]
