"""The consents router (consent texts, typed and drawn consents, withdrawal): each operation works,
refuses bad input naming the field, refuses conflicts with 409, and leaves the audit trail. Roles
and clinics are in test_access.py."""

from __future__ import annotations

import base64

import pytest

from anagen.audit.models import AuditEntry

from .conftest import error_fields, signature_png

pytestmark = pytest.mark.django_db


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
    assert response.status_code == 422 and error_fields(response) == {"acknowledged"}


def test_a_drawn_signature_is_checked_and_stored(world, api_as):
    api = api_as(world["staff"]["practitioner"])
    path = f"/patients/{world['patient'].pk}/consents"
    # A text the patient has not signed yet: signing the one in force again is refused as a duplicate.
    text = api_as(world["staff"]["clinic_admin"])("post", "/consent-texts", {"purpose": "photographs", "title": "Photographs",
                                                                              "body": "You may photograph my scalp."})
    assert text.status_code == 201, text.data
    body = {"text_id": text.data["id"], "method": "drawn"}
    bad = api("post", path, {**body, "signature_png": base64.b64encode(b"not a png").decode()})
    assert bad.status_code == 422 and error_fields(bad) == {"signature_png"}
    good = api("post", path, {**body, "signature_png": "data:image/png;base64," + signature_png()})
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
    assert response.status_code == 422 and error_fields(response) == {"body"}
