"""The operations that complete the API (issue 8 item 1): stock, consents, consultation and session
addenda, re-planning, follow-ups, photographs, outcomes, FHIR and export, billing, reminders and
the portal invitation. Roles and clinics are in test_access.py; here: they work, refuse bad input
naming the field, refuse conflicts with 409, and leave the audit trail."""

from __future__ import annotations

import base64
import datetime as dt
import io
import zipfile

import pytest
from django.test import Client
from django.utils import timezone
from PIL import Image, ImageDraw

from anagen.audit.models import AuditEntry

pytestmark = pytest.mark.django_db

PRODUCT = {"name": "Peptide blend 3 mL", "vial_type": "single_dose", "vial_volume_ml": "3", "low_stock_threshold_ml": "6",
           "components": [{"ingredient_code": "ghk_cu", "concentration": "1"}]}


def _fields(response):
    return {e["field"] for e in response.data["errors"]}


# ------------------------------------------------------------------------------------ stock


def test_an_admin_adds_a_product_and_a_second_of_the_same_name_gets_409(world, api_as):
    api = api_as(world["staff"]["clinic_admin"])
    created = api("post", "/products", PRODUCT)
    assert created.status_code == 201, created.data
    assert created.data["components"][0]["ingredient_code"] == "ghk_cu"
    again = api("post", "/products", {**PRODUCT, "name": "peptide BLEND 3 ml"})
    assert again.status_code == 409 and again.data["type"].endswith("duplicate-name")
    renamed = api("put", f"/products/{created.data['id']}", {**PRODUCT, "name": "Peptide blend 3 mL v2", "active": False})
    assert renamed.status_code == 200 and renamed.data["active"] is False


def test_it_refuses_a_product_with_an_unknown_ingredient_naming_the_row(world, api_as):
    response = api_as(world["staff"]["clinic_admin"])("post", "/products", {
        **PRODUCT, "vial_volume_ml": "0", "components": [{"ingredient_code": "snake_oil", "concentration": "1"}]})
    assert response.status_code == 422
    assert {"vial_volume_ml", "components.0.ingredient_code"} <= _fields(response)


def test_an_admin_receives_adjusts_and_recalls_a_lot(world, api_as):
    api = api_as(world["staff"]["clinic_admin"])
    today = world["today"]
    body = {"lot_number": "PB-1", "expiry_date": today + dt.timedelta(days=300), "vials_received": 4,
            "supplier": "Derma Supplies", "received_on": today}
    received = api("post", f"/products/{world['product'].pk}/lots", body)
    assert received.status_code == 201 and received.data["remaining_ml"] == "20.00"
    assert api("post", f"/products/{world['product'].pk}/lots", {**body, "lot_number": "pb-1"}).status_code == 409
    lot = received.data["id"]
    too_much = api("post", f"/lots/{lot}/adjust", {"action": "discard", "quantity_ml": "25", "reason": "broken"})
    assert too_much.status_code == 422 and "quantity_ml" in _fields(too_much)
    discarded = api("post", f"/lots/{lot}/adjust", {"action": "discard", "quantity_ml": "5", "reason": "vial broken"})
    assert discarded.status_code == 200 and discarded.data["remaining_ml"] == "15.00"
    unconfirmed = api("post", f"/lots/{lot}/recall", {"reason": "Manufacturer notice 12", "confirm": False})
    assert unconfirmed.status_code == 422 and _fields(unconfirmed) == {"confirm"}
    recalled = api("post", f"/lots/{lot}/recall", {"reason": "Manufacturer notice 12", "confirm": True})
    assert recalled.status_code == 200 and recalled.data["recalled_at"] and recalled.data["usable_today"] is False
    assert api("post", f"/lots/{lot}/recall", {"reason": "again", "confirm": True}).status_code == 409


def test_it_refuses_a_lot_received_in_the_future_naming_the_field(world, api_as):
    tomorrow = world["today"] + dt.timedelta(days=1)
    response = api_as(world["staff"]["clinic_admin"])("post", f"/products/{world['product'].pk}/lots", {
        "lot_number": "X", "expiry_date": tomorrow, "vials_received": 0, "supplier": " ", "received_on": tomorrow})
    assert response.status_code == 422
    assert {"vials_received", "supplier", "received_on"} <= _fields(response)


# --------------------------------------------------------------------------------- consents


def _signature_png() -> str:
    image = Image.new("RGBA", (160, 50), (0, 0, 0, 0))
    ImageDraw.Draw(image).line([(10, 25), (150, 30)], fill=(17, 24, 39, 255), width=3)
    out = io.BytesIO()
    image.save(out, "PNG")
    return base64.b64encode(out.getvalue()).decode()


def test_reception_records_a_typed_consent_and_withdraws_it_once(world, api_as):
    api = api_as(world["staff"]["reception"])
    admin = api_as(world["staff"]["clinic_admin"])
    text = admin("post", "/consent-texts", {"purpose": "reminders", "title": "Reminders", "body": "You may message me."})
    assert text.status_code == 201 and text.data["version"] == 1
    patient = world["patient"]
    signed = api("post", f"/patients/{patient.pk}/consents", {"text_id": text.data["id"], "method": "typed",
                                                               "typed_name": patient.full_name, "acknowledged": True})
    assert signed.status_code == 201, signed.data
    assert signed.data["purpose"] == "reminders" and signed.data["withdrawn_at"] is None
    withdrawn = api("post", f"/consents/{signed.data['id']}/withdraw", {"reason": "Too many messages"})
    assert withdrawn.status_code == 200 and withdrawn.data["withdrawn_at"]
    again = api("post", f"/consents/{signed.data['id']}/withdraw", {"reason": "Again"})
    assert again.status_code == 409
    ledger = api("get", f"/patients/{patient.pk}/consent-ledger")
    kinds = [(e["purpose"], e["kind"]) for e in ledger.data["entries"] if e["purpose"] == "reminders"]
    assert kinds == [("reminders", "granted"), ("reminders", "withdrawn")]
    assert AuditEntry.objects.filter(object_type="patient_consent_ledger", patient_id=patient.pk, action="read").exists()
    assert AuditEntry.objects.filter(object_type="consent", object_id=str(signed.data["id"]), action="update").exists()


def test_a_typed_consent_needs_the_acknowledgement(world, api_as):
    text = world["consent"].text
    response = api_as(world["staff"]["reception"])("post", f"/patients/{world['patient'].pk}/consents", {
        "text_id": text.pk, "method": "typed", "typed_name": "Asha Patil", "acknowledged": False})
    assert response.status_code == 422 and _fields(response) == {"acknowledged"}


def test_a_drawn_signature_is_checked_and_stored(world, api_as):
    api = api_as(world["staff"]["practitioner"])
    path = f"/patients/{world['patient'].pk}/consents"
    body = {"text_id": world["consent"].text_id, "method": "drawn"}
    bad = api("post", path, {**body, "signature_png": base64.b64encode(b"not a png").decode()})
    assert bad.status_code == 422 and _fields(bad) == {"signature_png"}
    good = api("post", path, {**body, "signature_png": "data:image/png;base64," + _signature_png()})
    assert good.status_code == 201, good.data
    assert good.data["has_drawn_signature"] is True and good.data["method"] == "drawn"


def test_signing_a_text_replaced_meanwhile_gets_409(world, api_as):
    old = world["consent"].text
    admin = api_as(world["staff"]["clinic_admin"])
    newer = admin("post", "/consent-texts", {"purpose": old.purpose, "language": "en", "title": "New", "body": "New words."})
    assert newer.data["version"] == old.version + 1
    listed = admin("get", f"/consent-texts?purpose={old.purpose}")
    assert [t["version"] for t in listed.data["items"]] == [old.version + 1, old.version]
    response = api_as(world["staff"]["reception"])("post", f"/patients/{world['patient'].pk}/consents", {
        "text_id": old.pk, "method": "typed", "typed_name": "Asha", "acknowledged": True})
    assert response.status_code == 409 and response.data["type"].endswith("stale-text")


def test_it_refuses_to_publish_an_empty_text_naming_the_field(world, api_as):
    response = api_as(world["staff"]["clinic_admin"])("post", "/consent-texts", {"purpose": "treatment", "title": "T", "body": "  "})
    assert response.status_code == 422 and _fields(response) == {"body"}


# ---------------------------------------------------------------------------- consultations


def _signed_with_caution_and_deferral(world, api_as):
    api = api_as(world["staff"]["trichologist"])
    started = api("post", "/consultations", {"patient_id": world["patient"].pk})
    path = f"/consultations/{started.data['id']}"
    saved = api("patch", path, {"presenting_complaint": "Thinning", "diagnosis_primary": "androgenetic_alopecia",
                                "condition_codes": ["keloid_tendency"], "breastfeeding": True}, if_match=started["ETag"])
    assert saved.status_code == 200, saved.data
    signed = api("post", f"{path}/sign")
    assert signed.status_code == 200, signed.data
    return api, path


def test_a_trichologist_acknowledges_a_caution_once(world, api_as):
    api, path = _signed_with_caution_and_deferral(world, api_as)
    unknown = api("post", f"{path}/acknowledgements", {"code": "not_a_finding", "reason": "x"})
    assert unknown.status_code == 422 and _fields(unknown) == {"code"}
    done = api("post", f"{path}/acknowledgements", {"code": "keloid_tendency", "reason": "No keloids in 10 years."})
    assert done.status_code == 201 and done.data["code"] == "keloid_tendency"
    assert api("post", f"{path}/acknowledgements", {"code": "keloid_tendency", "reason": "again"}).status_code == 409
    assert AuditEntry.objects.filter(object_type="screening_acknowledgement", action="create").count() == 1


def test_a_trichologist_sets_a_deferral_review_date_after_today(world, api_as):
    api, path = _signed_with_caution_and_deferral(world, api_as)
    today = timezone.localdate()
    past = api("put", f"{path}/deferral", {"review_on": today, "reason": "After breastfeeding"})
    assert past.status_code == 422 and _fields(past) == {"review_on"}
    later = today + dt.timedelta(days=120)
    done = api("put", f"{path}/deferral", {"review_on": later, "reason": "After breastfeeding"})
    assert done.status_code == 200 and done.data["review_on"] == later.isoformat()


def test_addenda_go_on_signed_consultations_only(world, api_as):
    api = api_as(world["staff"]["trichologist"])
    signed = f"/consultations/{world['consultation'].pk}"
    missing = api("post", f"{signed}/addenda", {"reason": "", "text": "x"})
    assert missing.status_code == 422 and _fields(missing) == {"reason"}
    added = api("post", f"{signed}/addenda", {"reason": "Lab typo", "text": "Ferritin was 52, not 25."})
    assert added.status_code == 201
    listed = api_as(world["staff"]["practitioner"])("get", f"{signed}/addenda")
    assert [a["reason"] for a in listed.data] == ["Lab typo"]
    draft = api("post", "/consultations", {"patient_id": world["patient"].pk})
    assert api("post", f"/consultations/{draft.data['id']}/addenda", {"reason": "r", "text": "t"}).status_code == 409


# --------------------------------------------------------------------------------- sessions


def test_a_session_takes_an_addendum_and_gives_its_aftercare_sheet(world, api_as):
    api = api_as(world["staff"]["practitioner"])
    path = f"/sessions/{world['session'].pk}"
    assert api("post", f"{path}/addenda", {"reason": "Late note", "text": ""}).status_code == 422
    added = api("post", f"{path}/addenda", {"reason": "Late note", "text": "Mild redness at the vertex."})
    assert added.status_code == 201 and added.data["session_id"] == world["session"].pk
    assert AuditEntry.objects.filter(object_type="session_addendum", patient_id=world["patient"].pk).exists()
    sheet = api_as(world["staff"]["reception"])("get", f"{path}/aftercare?language=hi")
    assert sheet.status_code == 200 and sheet.data["language"] == "hi" and sheet.data["sections"]
    assert api("get", f"{path}/aftercare?language=fr").status_code == 422


# ----------------------------------------------------------------------------------- replan


def test_moving_a_course_session_replans_the_rest_with_if_match(world, api_as):
    api = api_as(world["staff"]["reception"])
    course = world["course"]
    from anagen.treatments.services import course_appointments

    sessions = [a for a in course_appointments(course) if a.kind == "mesotherapy_session"]
    first, second = sorted(sessions, key=lambda a: a.course_session_number)[:2]
    moved = api("patch", f"/appointments/{first.pk}", {"starts_at": first.starts_at + dt.timedelta(days=7)}, if_match=f'"{first.version}"')
    assert moved.status_code == 200, moved.data
    preview = api("post", f"/courses/{course.pk}/replan-preview", {"appointment_id": first.pk})
    assert preview.status_code == 200 and preview["ETag"] == moved["ETag"]
    assert [c["appointment_id"] for c in preview.data["changes"]] == [second.pk]
    stale = api("post", f"/courses/{course.pk}/replan", {"appointment_id": first.pk}, if_match=f'"{first.version}"')
    assert stale.status_code == 409
    applied = api("post", f"/courses/{course.pk}/replan", {"appointment_id": first.pk}, if_match=preview["ETag"])
    assert applied.status_code == 200 and applied.data["applied"] == 1
    second.refresh_from_db()
    assert timezone.localtime(second.starts_at).date() == dt.date.fromisoformat(preview.data["changes"][0]["new_date"])
    assert AuditEntry.objects.filter(object_type="course", object_id=str(course.pk), action="update").exists()


def test_replanning_with_an_appointment_of_another_course_names_the_field(world, api_as):
    response = api_as(world["staff"]["reception"])("post", f"/courses/{world['course'].pk}/replan-preview",
                                                   {"appointment_id": world["appointment"].pk})
    assert response.status_code == 422 and _fields(response) == {"appointment_id"}


# ------------------------------------------------------------------------------- follow-ups


def test_reception_records_a_follow_up_once(world, api_as):
    api = api_as(world["staff"]["reception"])
    listed = api("get", "/follow-ups")
    task = next(t for t in listed.data["items"] if t["session_id"] == world["session"].pk)
    assert task["state"] == "upcoming"
    path = f"/follow-ups/{task['id']}/record"
    unexplained = api("post", path, {"method": "call", "side_effects_reported": True})
    assert unexplained.status_code == 422 and _fields(unexplained) == {"outcome"}
    done = api("post", path, {"method": "call", "side_effects_reported": True, "outcome": "Redness for a day"})
    assert done.status_code == 200 and done.data["state"] == "done"
    assert api("post", path, {"method": "call", "side_effects_reported": False}).status_code == 409
    assert AuditEntry.objects.filter(object_type="follow_up_list", action="read").exists()


# ---------------------------------------------------------------------------------- photos


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (120, 90), (190, 140, 110)).save(out, "JPEG")
    return out.getvalue()


def _upload(user, patient_id, files, **fields):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from anagen.api.tokens import create_token
    from anagen.audit.services import Actor

    secret = create_token(Actor.system("t"), user, "t", expires_at=None, by=user).secret
    data = {**fields, "files": [SimpleUploadedFile(name, content, content_type="image/jpeg") for name, content in files]}
    response = Client().post(f"/api/v1/patients/{patient_id}/photos", data=data, HTTP_AUTHORIZATION=f"Bearer {secret}")
    response.data = response.json()
    return response


def test_clinical_staff_upload_photographs_and_compare_two_visits(world, api_as):
    doctor = world["staff"]["trichologist"]
    patient = world["patient"]
    earlier = world["today"] - dt.timedelta(days=90)
    first = _upload(doctor, patient.pk, [("v.jpg", _jpeg())], visit_date=earlier.isoformat(), view="vertex")
    assert first.status_code == 201, first.data
    second = _upload(doctor, patient.pk, [("v2.jpg", _jpeg())], visit_date=world["today"].isoformat(), view="vertex")
    assert second.status_code == 201 and second.data[0]["view"] == "vertex"
    assert AuditEntry.objects.filter(object_type="photo", action="create", patient_id=patient.pk).count() == 2
    compared = api_as(doctor)("get", f"/patients/{patient.pk}/photo-comparison?view=vertex")
    assert compared.status_code == 200
    assert compared.data["before"]["photo"]["id"] == first.data[0]["id"]
    assert compared.data["after"]["photo"]["id"] == second.data[0]["id"]


def test_an_upload_is_refused_naming_the_field_and_without_consent_with_409(world, api_as, make_patient):
    doctor = world["staff"]["trichologist"]
    bad = _upload(doctor, world["patient"].pk, [("x.jpg", b"not an image")], visit_date=world["today"].isoformat(), view="vertex")
    assert bad.status_code == 422 and bad.data["errors"][0]["field"] == "files"
    future = _upload(doctor, world["patient"].pk, [("v.jpg", _jpeg())],
                     visit_date=(world["today"] + dt.timedelta(days=2)).isoformat(), view="vertex")
    assert future.status_code == 422 and "visit_date" in {e["field"] for e in future.data["errors"]}
    stranger = make_patient(world["clinic"], phone="+919811100000")
    refused = _upload(doctor, stranger.pk, [("v.jpg", _jpeg())], visit_date=world["today"].isoformat(), view="vertex")
    assert refused.status_code == 409 and refused.data["type"].endswith("consent-missing")


# --------------------------------------------------------------------------------- outcomes


def test_progress_data_is_audited_and_a_report_can_be_generated_and_downloaded(world, api_as):
    api = api_as(world["staff"]["trichologist"])
    patient = world["patient"]
    progress = api("get", f"/patients/{patient.pk}/progress")
    assert progress.status_code == 200
    assert float(progress.data["measurements"][0]["density_per_cm2"]) == 150
    assert progress.data["consultation_id"] == world["consultation"].pk
    assert AuditEntry.objects.filter(object_type="progress", patient_id=patient.pk, action="read").exists()
    report = api("post", f"/patients/{patient.pk}/progress-reports")
    assert report.status_code == 201
    pdf = api("get", f"/progress-reports/{report.data['id']}/file")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and pdf.body.startswith(b"%PDF")
    assert AuditEntry.objects.filter(object_type="progress_report_download", action="export").exists()


def test_clinic_outcomes_are_tables_and_refuse_a_reversed_range(world, api_as):
    api = api_as(world["staff"]["trichologist"])
    result = api("get", "/outcomes")
    assert result.status_code == 200
    assert [t["key"] for t in result.data["tables"]] == ["diagnosis", "formulation", "combination", "practitioner",
                                                          "adverse_events", "attendance"]
    reversed_range = api("get", "/outcomes?start=2026-05-01&end=2026-01-01")
    assert reversed_range.status_code == 422 and _fields(reversed_range) == {"end"}


# --------------------------------------------------------------------------- FHIR and export


def test_fhir_bundle_document_and_export_are_downloads_audited_as_exports(world, api_as):
    api = api_as(world["staff"]["practitioner"])
    patient = world["patient"]
    bundle = api("get", f"/patients/{patient.pk}/fhir")
    assert bundle.status_code == 200 and bundle["Content-Type"].startswith("application/fhir+json")
    assert bundle.data["resourceType"] == "Bundle"
    document = api("get", f"/consultations/{world['consultation'].pk}/fhir-document")
    assert document.status_code == 200 and document.data["type"] == "document"
    export = api("get", f"/patients/{patient.pk}/export")
    assert export.status_code == 200 and export["Content-Type"] == "application/zip"
    assert zipfile.ZipFile(io.BytesIO(export.content)).namelist()
    exported = set(AuditEntry.objects.filter(action="export", patient_id=patient.pk).values_list("object_type", flat=True))
    assert {"fhir_bundle", "fhir_document", "patient_export"} <= exported


def test_a_draft_consultation_is_not_a_fhir_document(world, api_as):
    draft = api_as(world["staff"]["trichologist"])("post", "/consultations", {"patient_id": world["patient"].pk})
    response = api_as(world["staff"]["trichologist"])("get", f"/consultations/{draft.data['id']}/fhir-document")
    assert response.status_code == 409 and response.data["type"].endswith("not-signed")


# ---------------------------------------------------------------------------------- billing


def _price_item(world, **values):
    from anagen.audit.services import Actor
    from anagen.billing.services import save_price_item

    base = {"kind": "session", "name": "Mesotherapy session", "price_paise": 250_000, "tax_class": "medical_exempt"}
    return save_price_item(Actor.system("test", world["clinic"].pk), world["clinic"], {**base, **values})


def test_reception_invoices_takes_payment_and_refunds(world, api_as):
    item = _price_item(world)
    api = api_as(world["staff"]["reception"])
    assert [i["name"] for i in api("get", "/price-items").data["items"]] == ["Mesotherapy session"]
    invoice = api("post", "/invoices", {"patient_id": world["patient"].pk, "lines": [{"item_id": item.pk, "quantity": 2}]})
    assert invoice.status_code == 201, invoice.data
    assert invoice.data["total_paise"] == 500_000 and invoice.data["balance_paise"] == 500_000
    path = f"/invoices/{invoice.data['id']}"
    over = api("post", f"{path}/payments", {"amount_paise": 600_000, "method": "cash"})
    assert over.status_code == 422 and _fields(over) == {"amount_paise"}
    no_reference = api("post", f"{path}/payments", {"amount_paise": 500_000, "method": "upi"})
    assert no_reference.status_code == 422 and _fields(no_reference) == {"reference"}
    paid = api("post", f"{path}/payments", {"amount_paise": 500_000, "method": "upi", "reference": "UPI123"})
    assert paid.status_code == 201 and paid.data["balance_paise"] == 0
    refunded = api("post", f"{path}/refunds", {"amount_paise": 100_000, "method": "cash", "reason": "Session cancelled"})
    assert refunded.status_code == 201 and refunded.data["refunded_paise"] == 100_000
    assert api("get", f"/invoices?patient_id={world['patient'].pk}").data["count"] == 1
    created = set(AuditEntry.objects.filter(action="create", patient_id=world["patient"].pk).values_list("object_type", flat=True))
    assert {"invoice", "payment", "refund"} <= created


def test_an_invoice_with_an_unknown_item_names_the_line(world, api_as):
    response = api_as(world["staff"]["reception"])("post", "/invoices", {
        "patient_id": world["patient"].pk, "lines": [{"item_id": 999999, "quantity": 1}]})
    assert response.status_code == 422 and _fields(response) == {"lines.0.item_id"}


def test_a_package_session_is_redeemed_once_per_appointment(world, api_as):
    item = _price_item(world, kind="package", name="Six sessions", sessions=6)
    api = api_as(world["staff"]["reception"])
    invoice = api("post", "/invoices", {"patient_id": world["patient"].pk, "lines": [{"item_id": item.pk}]})
    package = api("get", f"/packages?patient_id={world['patient'].pk}").data["items"][0]
    assert package["invoice_id"] == invoice.data["id"] and package["sessions_total"] == 6
    path = f"/packages/{package['id']}/redeem"
    booked = api("post", path, {"appointment_id": world["appointment"].pk})
    assert booked.status_code == 422 and _fields(booked) == {"appointment_id"}
    assert api("post", f"/appointments/{world['appointment'].pk}/arrived").status_code == 200
    redeemed = api("post", path, {"appointment_id": world["appointment"].pk})
    assert redeemed.status_code == 201 and redeemed.data["number"] == 1
    assert api("post", path, {"appointment_id": world["appointment"].pk}).status_code == 409
    assert api("get", f"/packages/{package['id']}").data["sessions_used"] == 1


# -------------------------------------------------------------------------------- reminders


def test_reminders_need_consent_and_an_opt_out_of_a_channel_that_is_off_gets_409(world, api_as):
    api = api_as(world["staff"]["reception"])
    path = f"/patients/{world['patient'].pk}/reminders"
    read = api("get", path)
    assert {c["channel"] for c in read.data["channels"]} == {"email", "sms", "whatsapp"}
    assert AuditEntry.objects.filter(object_type="reminder_opt_in", action="read").exists()
    refused = api("post", f"{path}/opt-in", {"channel": "sms"})
    assert refused.status_code == 422 and _fields(refused) == {"channel"}
    assert api("post", f"{path}/opt-out", {"channel": "sms"}).status_code == 409


def test_reminders_are_turned_on_and_off_with_consent(world, api_as):
    from anagen.audit.services import Actor
    from anagen.consents.services import publish_text, sign_consent

    actor = Actor.system("test", world["clinic"].pk)
    text = publish_text(actor, world["clinic"], "reminders", "en", "Reminders", "You may message me.")
    sign_consent(actor, world["patient"], text, method="typed", typed_name="Asha", acknowledged=True,
                 witness=world["staff"]["reception"])
    api = api_as(world["staff"]["reception"])
    path = f"/patients/{world['patient'].pk}/reminders"
    on = api("post", f"{path}/opt-in", {"channel": "sms", "language": "hi"})
    assert on.status_code == 200
    sms = next(c for c in on.data["channels"] if c["channel"] == "sms")
    assert sms["active"] is True and sms["language"] == "hi"
    off = api("post", f"{path}/opt-out", {"channel": "sms"})
    assert next(c for c in off.data["channels"] if c["channel"] == "sms")["active"] is False


# ----------------------------------------------------------------------------------- portal


def test_reception_invites_a_patient_and_sees_the_link_once(world, api_as):
    from anagen.portal.models import PortalInvitation

    response = api_as(world["staff"]["reception"])("post", f"/patients/{world['patient'].pk}/portal-invitation")
    assert response.status_code == 201
    token = response.data["link"].rstrip("/").rsplit("/", 1)[-1]
    invitation = PortalInvitation.objects.get(pk=response.data["invitation_id"])
    assert token not in invitation.token_hash and len(token) > 20
    assert AuditEntry.objects.filter(object_type="portal_invitation", patient_id=world["patient"].pk, action="create").exists()
