"""The billing router (price list, invoices, payments, refunds, packages and billing settings): each
operation works, refuses bad input naming the field, refuses conflicts with 409, and leaves the
audit trail. Roles and clinics are in test_access.py."""

from __future__ import annotations

import pytest

from anagen.audit.models import AuditEntry

from .conftest import error_fields

pytestmark = pytest.mark.django_db


@pytest.fixture
def ids(world):
    from .conftest import billing_and_reports, portal_and_feeds

    extra = billing_and_reports(world)
    return {**extra, **portal_and_feeds(world, extra["invoice"])}


def _price_item(world, **values):
    from anagen.audit.services import Actor
    from anagen.billing.services import save_price_item

    base = {"kind": "session", "name": "Mesotherapy session", "price_paise": 250_000, "tax_class": "medical_exempt"}
    return save_price_item(Actor.system("test", world["clinic"].pk), world["clinic"], {**base, **values})


def test_an_admin_edits_the_price_list_and_bad_items_are_refused_by_field(world, ids, api_as):
    api = api_as(world["staff"]["clinic_admin"])
    item = {"kind": "session", "name": "Single session", "price_paise": 450_000, "tax_class": "cosmetic"}
    created = api("post", "/price-items", item)
    assert created.status_code == 201 and created.data["gst_rate_bp"] == 1800 and created.data["code"]
    changed = api("put", f"/price-items/{created.data['id']}", {**item, "price_paise": 500_000, "active": False})
    assert changed.status_code == 200 and changed.data["price_paise"] == 500_000 and changed.data["active"] is False
    duplicate = api("post", "/price-items", {**item, "name": "single SESSION"})
    assert duplicate.status_code == 422 and error_fields(duplicate) == {"name"}
    bad = api("post", "/price-items", {**item, "name": "Other", "code": "12", "price_paise": -1})
    assert bad.status_code == 422 and "price_paise" in error_fields(bad)
    assert AuditEntry.objects.filter(object_type="price_item", object_id=str(created.data["id"]), action="update").exists()


def test_billing_settings_are_read_and_a_bad_state_is_refused(world, api_as):
    api = api_as(world["staff"]["clinic_admin"])
    saved = api("put", "/billing-settings", {"state_code": "27", "invoice_prefix": "MUM", "gstin": ""})
    assert saved.status_code == 200, saved.data
    assert api("get", "/billing-settings").data["invoice_prefix"] == "MUM"
    bad = api("put", "/billing-settings", {"state_code": "99", "invoice_prefix": "MUM"})
    assert bad.status_code == 422 and error_fields(bad) == {"state_code"}


def test_the_upi_id_is_set_through_the_api_left_alone_when_omitted_and_refused_when_malformed(world, api_as):
    api = api_as(world["staff"]["clinic_admin"])
    saved = api("put", "/billing-settings", {"state_code": "27", "invoice_prefix": "MUM", "upi_id": "Lotus@OKHDFCBANK",
                                             "upi_payee_name": "Lotus Hair Clinic"})
    assert saved.status_code == 200 and saved.data["upi_id"] == "lotus@okhdfcbank"
    assert api("put", "/billing-settings", {"state_code": "27", "invoice_prefix": "MUM"}).data["upi_id"] == "lotus@okhdfcbank"
    bad = api("put", "/billing-settings", {"state_code": "27", "invoice_prefix": "MUM", "upi_id": "lotus"})
    assert bad.status_code == 422 and error_fields(bad) == {"upi_id"}


def test_reception_invoices_takes_payment_and_refunds(world, api_as):
    item = _price_item(world)
    api = api_as(world["staff"]["reception"])
    assert [i["name"] for i in api("get", "/price-items").data["items"]] == ["Mesotherapy session"]
    invoice = api("post", "/invoices", {"patient_id": world["patient"].pk, "lines": [{"item_id": item.pk, "quantity": 2}]})
    assert invoice.status_code == 201, invoice.data
    assert invoice.data["total_paise"] == 500_000 and invoice.data["balance_paise"] == 500_000
    path = f"/invoices/{invoice.data['id']}"
    over = api("post", f"{path}/payments", {"amount_paise": 600_000, "method": "cash"})
    assert over.status_code == 422 and error_fields(over) == {"amount_paise"}
    no_reference = api("post", f"{path}/payments", {"amount_paise": 500_000, "method": "upi"})
    assert no_reference.status_code == 422 and error_fields(no_reference) == {"reference"}
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
    assert response.status_code == 422 and error_fields(response) == {"lines.0.item_id"}


def test_a_package_session_is_redeemed_once_per_appointment(world, api_as):
    item = _price_item(world, kind="package", name="Six sessions", sessions=6)
    api = api_as(world["staff"]["reception"])
    invoice = api("post", "/invoices", {"patient_id": world["patient"].pk, "lines": [{"item_id": item.pk}]})
    package = api("get", f"/packages?patient_id={world['patient'].pk}").data["items"][0]
    assert package["invoice_id"] == invoice.data["id"] and package["sessions_total"] == 6
    path = f"/packages/{package['id']}/redeem"
    booked = api("post", path, {"appointment_id": world["appointment"].pk})
    assert booked.status_code == 422 and error_fields(booked) == {"appointment_id"}
    assert api("post", f"/appointments/{world['appointment'].pk}/arrived").status_code == 200
    redeemed = api("post", path, {"appointment_id": world["appointment"].pk})
    assert redeemed.status_code == 201 and redeemed.data["number"] == 1
    assert api("post", path, {"appointment_id": world["appointment"].pk}).status_code == 409
    assert api("get", f"/packages/{package['id']}").data["sessions_used"] == 1


def test_listing_invoices_and_packages_names_their_patients_in_one_audit_entry_each(world, ids, api_as):
    api = api_as(world["staff"]["reception"])
    invoices = api("get", "/invoices")
    packages = api("get", "/packages?open_only=true")
    assert [i["id"] for i in invoices.data["items"]] == [ids["invoice"]]
    assert [p["id"] for p in packages.data["items"]] == [ids["package"]]
    for view in ("invoices", "packages"):
        entry = AuditEntry.objects.filter(object_type="billing_list", object_id=view).get()
        assert entry.action == "read" and entry.changes["patient_ids"] == [world["patient"].pk]
