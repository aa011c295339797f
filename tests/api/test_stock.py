"""The stock router (products, lots and their recipients): each operation works, refuses bad input
naming the field, refuses conflicts with 409, and leaves the audit trail. Roles and clinics are
in test_access.py."""

from __future__ import annotations

import datetime as dt

import pytest

from anagen.audit.models import AuditEntry

from .conftest import error_fields

pytestmark = pytest.mark.django_db


PRODUCT = {"name": "Peptide blend 3 mL", "vial_type": "single_dose", "vial_volume_ml": "3", "low_stock_threshold_ml": "6",
           "components": [{"ingredient_code": "ghk_cu", "concentration": "1"}]}


def test_it_lists_who_received_a_lot_in_one_call_and_audits_it(world, api_as):
    response = api_as(world["staff"]["trichologist"])("get", f"/lots/{world['lot'].pk}/recipients")
    assert response.data["patient_count"] == 1
    assert response.data["recipients"][0]["patient_id"] == world["patient"].pk
    assert response.data["recipients"][0]["events"][0]["event_type"] == "erythema"
    assert AuditEntry.objects.filter(object_type="lot_recipients", object_id=str(world["lot"].pk)).exists()


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
    assert {"vial_volume_ml", "components.0.ingredient_code"} <= error_fields(response)


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
    assert too_much.status_code == 422 and "quantity_ml" in error_fields(too_much)
    discarded = api("post", f"/lots/{lot}/adjust", {"action": "discard", "quantity_ml": "5", "reason": "vial broken"})
    assert discarded.status_code == 200 and discarded.data["remaining_ml"] == "15.00"
    unconfirmed = api("post", f"/lots/{lot}/recall", {"reason": "Manufacturer notice 12", "confirm": False})
    assert unconfirmed.status_code == 422 and error_fields(unconfirmed) == {"confirm"}
    recalled = api("post", f"/lots/{lot}/recall", {"reason": "Manufacturer notice 12", "confirm": True})
    assert recalled.status_code == 200 and recalled.data["recalled_at"] and recalled.data["usable_today"] is False
    assert api("post", f"/lots/{lot}/recall", {"reason": "again", "confirm": True}).status_code == 409


def test_it_refuses_a_lot_received_in_the_future_naming_the_field(world, api_as):
    tomorrow = world["today"] + dt.timedelta(days=1)
    response = api_as(world["staff"]["clinic_admin"])("post", f"/products/{world['product'].pk}/lots", {
        "lot_number": "X", "expiry_date": tomorrow, "vials_received": 0, "supplier": " ", "received_on": tomorrow})
    assert response.status_code == 422
    assert {"vials_received", "supplier", "received_on"} <= error_fields(response)
