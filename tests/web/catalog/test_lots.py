"""Receiving, drawing, recalling and adjusting lots: stock never goes below zero, and an expired
or recalled lot can never be used."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from django.urls import reverse

from anagen.audit.models import AuditEntry
from anagen.catalog import services
from anagen.catalog.models import Lot, StockMovement

pytestmark = pytest.mark.django_db


def receive_post(**overrides):
    data = {
        "lot_number": "DV25-031", "expiry_date": "2027-06-30", "vials_received": "8",
        "supplier": "Medisource Pharma Distributors", "received_on": "2026-01-15",
    }
    data.update(overrides)
    return data


def sums_match(lot):
    lot.refresh_from_db()
    return services.movements_total(lot) == lot.remaining_ml


# ------------------------------------------------------------------------------- receiving


def test_receiving_a_lot_counts_vials_in_millilitres_and_records_the_movement(client, admin_user, product):
    client.force_login(admin_user)
    response = client.post(reverse("catalog:lot_receive", args=[product.pk]), receive_post())
    lot = Lot.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("catalog:lot_detail", args=[lot.pk])
    assert lot.quantity_received_ml == lot.remaining_ml == Decimal("40.00")
    assert lot.received_by == admin_user
    movement = lot.movements.get()
    assert (movement.kind, movement.quantity_ml, movement.by) == ("received", Decimal("40.00"), admin_user)
    page = client.get(reverse("catalog:product_detail", args=[product.pk]))
    assert b"DV25-031" in page.content and b"40.00 mL (8.0 vials)" in page.content


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("lot_number", "  ", "required"),
        ("expiry_date", "2025-12-31", "before it was received"),
        ("expiry_date", "30/30/2027", "valid date"),
        ("expiry_date", "2099-01-01", "more than 10 years away"),
        ("vials_received", "0", "greater than or equal to 1"),
        ("vials_received", "1.5", "whole number"),
        ("supplier", "", "required"),
        ("received_on", "2099-01-01", "cannot be in the future"),
    ],
)
def test_a_bad_lot_is_refused_naming_the_field_and_nothing_is_written(client, admin_user, product, field, value, message):
    client.force_login(admin_user)
    response = client.post(reverse("catalog:lot_receive", args=[product.pk]), receive_post(**{field: value}))
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    assert message.encode() in response.content
    assert Lot.objects.count() == 0
    assert StockMovement.objects.count() == 0


def test_a_lot_number_is_recorded_once_per_product_ignoring_case(client, admin_user, product, make_product, make_lot):
    make_lot(product, "DV25-031")
    client.force_login(admin_user)
    response = client.post(reverse("catalog:lot_receive", args=[product.pk]), receive_post(lot_number="dv25-031"))
    assert response.status_code == 400
    assert "already recorded" in " ".join(response.context["form"].errors["lot_number"])
    # The same number on another product is another lot.
    ghk = make_product(admin_user.clinic, "GHK-Cu 2 mL", vial_type="single_dose", vial_volume_ml="2", components=[("ghk_cu", "2")])
    assert client.post(reverse("catalog:lot_receive", args=[ghk.pk]), receive_post()).status_code == 302
    assert Lot.objects.count() == 2


# ---------------------------------------------------------------------------- selectability


def test_only_usable_lots_are_selectable(clinic, other_clinic, product, make_product, make_lot, actor, today):
    usable = make_lot(product, "OK-1", expiry_date=today + timedelta(days=200))
    last_day = make_lot(product, "LAST-DAY", expiry_date=today)
    make_lot(product, "EXPIRED", expiry_date=today - timedelta(days=1), received_on=today - timedelta(days=300))
    recalled = make_lot(product, "RECALLED")
    services.recall_lot(actor, recalled, "manufacturer notice RC-12")
    empty = make_lot(product, "EMPTY", quantity_ml="1")
    services.adjust_stock(actor, empty, Decimal("-1"), "used up before go-live")
    inactive = make_product(clinic, "Retired cocktail", active=False)
    make_lot(inactive, "RETIRED-1")
    make_lot(make_product(other_clinic, "Theirs"), "THEIRS-1")

    lots = list(services.selectable_lots(clinic, today))
    # First to expire first; the expiry date itself is still a usable day.
    assert [lot.lot_number for lot in lots] == [last_day.lot_number, usable.lot_number]
    assert [lot.lot_number for lot in services.selectable_lots(clinic, today + timedelta(days=1))] == ["OK-1"]
    assert list(services.selectable_lots(clinic, today, product=inactive)) == []


def test_draw_stock_refuses_an_expired_lot_with_a_clear_message(product, make_lot, actor, today):
    lot = make_lot(product, "OLD-7", expiry_date=today - timedelta(days=1), received_on=today - timedelta(days=400))
    with pytest.raises(services.LotUnavailable) as caught:
        services.draw_stock(actor, lot, Decimal("1"), on=today)
    assert caught.value.field == "lot"
    assert "Lot OLD-7" in caught.value.message and "expired on" in caught.value.message
    # On its expiry date it was still usable.
    services.draw_stock(actor, lot, Decimal("1"), on=today - timedelta(days=1))
    assert sums_match(lot) and lot.remaining_ml == Decimal("49.00")


def test_draw_stock_refuses_a_recalled_lot_with_its_reason(product, lot, actor, today):
    services.recall_lot(actor, lot, "Mycobacterium abscessus found in lot samples")
    with pytest.raises(services.LotUnavailable) as caught:
        services.draw_stock(actor, lot, Decimal("1"), on=today, patient_id=5)
    assert caught.value.field == "lot"
    assert "was recalled" in caught.value.message and "Mycobacterium abscessus" in caught.value.message
    assert lot.movements.count() == 1
    assert not AuditEntry.objects.filter(object_type="stock_movement").exists()


def test_draw_stock_refuses_another_clinics_lot(other_clinic, make_product, make_lot, actor, today):
    theirs = make_lot(make_product(other_clinic, "Theirs"), "THEIRS-1")
    with pytest.raises(services.LotUnavailable) as caught:
        services.draw_stock(actor, theirs, Decimal("1"), on=today)
    assert caught.value.field == "lot"
    assert "another clinic" in caught.value.message


def test_draw_stock_refuses_an_inactive_products_lot(clinic, make_product, make_lot, actor, today):
    lot = make_lot(make_product(clinic, "Retired", active=False), "R-1")
    with pytest.raises(services.LotUnavailable, match="inactive"):
        services.draw_stock(actor, lot, Decimal("1"), on=today)


# -------------------------------------------------------------------------------- drawing


def test_drawing_takes_stock_down_and_never_below_zero(product, make_lot, actor, today):
    lot = make_lot(product, quantity_ml="2.50")
    used = services.draw_stock(actor, lot, Decimal("2.00"), on=today, session_ref=901)
    assert (used.kind, used.quantity_ml, used.session_ref, used.occurred_on) == ("used", Decimal("-2.00"), 901, today)
    with pytest.raises(services.InsufficientStock) as caught:
        services.draw_stock(actor, lot, Decimal("0.51"), on=today)
    assert caught.value.field == "quantity_ml"
    assert "only 0.50 mL left" in caught.value.message
    services.draw_stock(actor, lot, Decimal("0.50"), on=today)
    assert sums_match(lot) and lot.remaining_ml == Decimal("0.00")
    assert services.selectable_lots(product.clinic, today).count() == 0


@pytest.mark.parametrize("quantity", ["0", "-1", "0.005", "NaN", "Infinity", "a little"])
def test_draw_stock_refuses_a_quantity_that_is_not_a_positive_amount_of_millilitres(lot, actor, today, quantity):
    with pytest.raises(services.StockError) as caught:
        services.draw_stock(actor, lot, quantity, on=today)
    assert caught.value.field == "quantity_ml"
    assert sums_match(lot) and lot.remaining_ml == Decimal("50.00")


def test_the_database_itself_refuses_a_negative_remainder(lot):
    from django.db import IntegrityError

    with pytest.raises(IntegrityError), transaction.atomic():
        Lot.objects.filter(pk=lot.pk).update(remaining_ml=Decimal("-0.01"))


def test_a_refused_draw_inside_an_outer_transaction_leaves_that_transaction_usable(product, make_lot, actor, today):
    lot = make_lot(product, quantity_ml="1.00")
    with transaction.atomic():
        services.draw_stock(actor, lot, Decimal("0.60"), on=today, session_ref=1)
        with pytest.raises(services.InsufficientStock):
            services.draw_stock(actor, lot, Decimal("0.60"), on=today, session_ref=1)
        services.draw_stock(actor, lot, Decimal("0.40"), on=today, session_ref=1)
    assert sums_match(lot) and lot.remaining_ml == Decimal("0.00")


def test_a_draw_rolled_back_with_its_session_returns_the_stock(product, make_lot, actor, today):
    lot = make_lot(product, quantity_ml="1.00")
    with pytest.raises(RuntimeError), transaction.atomic():
        services.draw_stock(actor, lot, Decimal("1.00"), on=today, session_ref=2, patient_id=3)
        raise RuntimeError("the session failed to save")
    assert sums_match(lot) and lot.remaining_ml == Decimal("1.00")
    assert not AuditEntry.objects.filter(object_type="stock_movement").exists()


def test_a_single_dose_vial_opened_for_a_patient_is_discarded_in_full(clinic, make_product, make_lot, actor, today):
    ghk = make_product(clinic, "GHK-Cu 2 mL", vial_type="single_dose", vial_volume_ml="2", components=[("ghk_cu", "2")])
    lot = make_lot(ghk, quantity_ml="4.00")
    services.draw_stock(actor, lot, Decimal("1.50"), on=today, session_ref=10, patient_id=42)
    assert sums_match(lot) and lot.remaining_ml == Decimal("2.00")
    kinds = [(m.kind, m.quantity_ml, m.patient_id) for m in lot.movements.order_by("id")][1:]
    assert kinds == [("used", Decimal("-1.50"), 42), ("discarded", Decimal("-0.50"), 42)]
    # 2.10 mL opens two vials (4.00 mL) but only one is left, counting what the opened vial wastes.
    with pytest.raises(services.InsufficientStock, match="opened single-dose vial"):
        services.draw_stock(actor, lot, Decimal("2.10"), on=today, patient_id=43)
    services.draw_stock(actor, lot, Decimal("2.00"), on=today, patient_id=43)
    assert sums_match(lot) and lot.remaining_ml == Decimal("0.00")
    assert AuditEntry.objects.filter(object_type="stock_movement").count() == 3


def test_a_use_for_a_patient_is_audited_and_traceable_from_the_lot(product, lot, actor, today, patient):
    movement = services.draw_stock(actor, lot, Decimal("2.00"), on=today, session_ref=77, patient_id=patient.pk)
    services.draw_stock(actor, lot, Decimal("1.00"), on=today)  # no patient: not audited
    entry = AuditEntry.objects.get(object_type="stock_movement")
    assert (entry.action, entry.object_id, entry.patient_id, entry.user_id) == ("create", str(movement.pk), patient.pk, actor.user_id)
    assert entry.changes["lot_number"]["new"] == lot.lot_number
    assert entry.changes["quantity_ml"]["new"] == "-2.00"
    assert [m.pk for m in services.lot_recipients_movements(lot)] == [movement.pk]


# ------------------------------------------------------------------------- recall and adjust


def test_a_recall_is_recorded_with_its_reason_shown_prominently_and_cannot_be_undone(client, admin_user, lot):
    client.force_login(admin_user)
    url = reverse("catalog:lot_recall", args=[lot.pk])
    response = client.post(url, {"reason": "Manufacturer notice RC-2026-04: sterility failure", "confirm": "on"})
    assert response.status_code == 302
    lot.refresh_from_db()
    assert lot.is_recalled and lot.recalled_by == admin_user
    assert lot.recall_reason == "Manufacturer notice RC-2026-04: sterility failure"
    page = client.get(reverse("catalog:lot_detail", args=[lot.pk]))
    assert b'role="alert"' in page.content and b"RECALLED on" in page.content
    assert b"sterility failure" in page.content
    home = client.get(reverse("catalog:home"))
    assert b"Recalled lots" in home.content and b"sterility failure" in home.content
    # A second recall is refused and the first is kept.
    first_recall = lot.recalled_at
    again = client.post(url, {"reason": "changed my mind", "confirm": "on"})
    assert again.status_code == 400
    assert "already recalled" in " ".join(again.context["form"].non_field_errors())
    lot.refresh_from_db()
    assert lot.recalled_at == first_recall and "sterility" in lot.recall_reason


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [({"reason": "  ", "confirm": "on"}, "reason", "required"), ({"reason": "notice"}, "confirm", "required")],
)
def test_a_recall_needs_a_reason_and_a_confirmation(client, admin_user, lot, data, field, message):
    client.force_login(admin_user)
    response = client.post(reverse("catalog:lot_recall", args=[lot.pk]), data)
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    lot.refresh_from_db()
    assert not lot.is_recalled


def test_the_recall_service_refuses_an_empty_reason(lot, actor):
    with pytest.raises(services.StockError) as caught:
        services.recall_lot(actor, lot, "   ")
    assert caught.value.field == "reason"


def test_discarding_and_correcting_stock_record_a_reason(client, admin_user, lot):
    client.force_login(admin_user)
    url = reverse("catalog:lot_adjust", args=[lot.pk])
    assert client.post(url, {"action": "discard", "quantity_ml": "5", "reason": "vial dropped"}).status_code == 302
    assert client.post(url, {"action": "add", "quantity_ml": "1.25", "reason": "stock count found an extra vial"}).status_code == 302
    assert client.post(url, {"action": "remove", "quantity_ml": "0.25", "reason": "count correction"}).status_code == 302
    movements = [(m.kind, m.quantity_ml, m.reason) for m in lot.movements.order_by("id")][1:]
    assert movements == [
        ("discarded", Decimal("-5.00"), "vial dropped"),
        ("adjusted", Decimal("1.25"), "stock count found an extra vial"),
        ("adjusted", Decimal("-0.25"), "count correction"),
    ]
    assert sums_match(lot) and lot.remaining_ml == Decimal("46.00")


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"action": "discard", "quantity_ml": "50.01", "reason": "x"}, "quantity_ml", "has 50.00 mL left"),
        ({"action": "remove", "quantity_ml": "60", "reason": "x"}, "quantity_ml", "has 50.00 mL left"),
        ({"action": "discard", "quantity_ml": "0", "reason": "x"}, "quantity_ml", "greater than or equal to 0.01"),
        ({"action": "discard", "quantity_ml": "1.234", "reason": "x"}, "quantity_ml", "2 decimal places"),
        ({"action": "discard", "quantity_ml": "1", "reason": " "}, "reason", "required"),
        ({"action": "steal", "quantity_ml": "1", "reason": "x"}, "action", "valid choice"),
    ],
)
def test_an_adjustment_that_would_go_below_zero_or_is_malformed_is_refused(client, admin_user, lot, data, field, message):
    client.force_login(admin_user)
    response = client.post(reverse("catalog:lot_adjust", args=[lot.pk]), data)
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    assert message.encode() in response.content
    assert lot.movements.count() == 1
    assert sums_match(lot) and lot.remaining_ml == Decimal("50.00")


def test_expired_and_recalled_stock_can_still_be_discarded(product, make_lot, actor, today):
    lot = make_lot(product, "OLD", expiry_date=today - timedelta(days=3), received_on=today - timedelta(days=200))
    services.recall_lot(actor, lot, "supplier notice")
    services.adjust_stock(actor, lot, Decimal("-50"), "returned to the supplier", kind="discarded")
    assert sums_match(lot) and lot.remaining_ml == Decimal("0.00")


def test_the_lot_page_lists_movements_without_naming_patients(client, practitioner, lot, actor, today, patient):
    services.draw_stock(actor, lot, Decimal("1.5"), on=today, session_ref=314, patient_id=patient.pk)
    client.force_login(practitioner)
    page = client.get(reverse("catalog:lot_detail", args=[lot.pk]))
    assert page.status_code == 200
    assert b"-1.50 mL" in page.content and b"#314" in page.content
    assert patient.given_name.encode() not in page.content
    assert page.context["patient_movement_count"] == 1
