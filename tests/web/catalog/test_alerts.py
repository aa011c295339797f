"""The alerts panel: low stock, lots expiring within 30 days (inclusive), expired or recalled stock."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import override_settings
from django.urls import reverse

from anagen.catalog import services

pytestmark = pytest.mark.django_db


def kinds(alerts):
    return [(a.kind, a.lot.lot_number if a.lot else a.product.name) for a in alerts]


def test_thirty_days_is_the_documented_default_expiry_window():
    assert services.DEFAULT_EXPIRY_ALERT_DAYS == 30
    assert services.expiry_alert_days() == 30


def test_a_lot_expiring_in_exactly_thirty_days_is_flagged_and_thirty_one_is_not(product, make_lot, today):
    make_lot(product, "D30", expiry_date=today + timedelta(days=30))
    make_lot(product, "D31", expiry_date=today + timedelta(days=31))
    make_lot(product, "D0", expiry_date=today)
    alerts = services.stock_alerts(product.clinic, today)
    assert kinds(alerts) == [("expiring", "D0"), ("expiring", "D30")]
    assert [a.days_left for a in alerts] == [0, 30]
    assert "expires today" in alerts[0].message


def test_the_expiry_window_follows_the_setting(product, make_lot, today):
    make_lot(product, "D45", expiry_date=today + timedelta(days=45))
    assert services.stock_alerts(product.clinic, today) == []
    with override_settings(ANAGEN_STOCK_EXPIRY_ALERT_DAYS=60):
        assert kinds(services.stock_alerts(product.clinic, today)) == [("expiring", "D45")]


def test_low_stock_counts_only_usable_lots_and_warns_strictly_below_the_threshold(clinic, make_product, make_lot, actor, today):
    product = make_product(clinic, "GHK-Cu 2 mL", vial_type="single_dose", vial_volume_ml="2", threshold_ml="10", components=[("ghk_cu", "2")])
    usable = make_lot(product, "USABLE", quantity_ml="10")
    assert services.stock_alerts(clinic, today) == []  # 10 mL is not below 10 mL
    make_lot(product, "EXPIRED", quantity_ml="20", expiry_date=today - timedelta(days=1), received_on=today - timedelta(days=90))
    recalled = make_lot(product, "RECALLED", quantity_ml="20")
    services.recall_lot(actor, recalled, "notice")
    services.draw_stock(actor, usable, Decimal("2"), on=today)
    alerts = services.stock_alerts(clinic, today)
    assert kinds(alerts) == [("recalled_in_stock", "RECALLED"), ("expired_in_stock", "EXPIRED"), ("low_stock", "GHK-Cu 2 mL")]
    assert "8.00 mL usable (4 vials), below the threshold of 10.00 mL" in alerts[2].message
    assert all(a.urgent for a in alerts[:2]) and not alerts[2].urgent


def test_a_threshold_of_zero_and_inactive_products_never_warn(clinic, make_product, today):
    make_product(clinic, "No threshold", threshold_ml="0")
    make_product(clinic, "Retired", threshold_ml="50", active=False)
    assert services.stock_alerts(clinic, today) == []
    make_product(clinic, "Out of stock", threshold_ml="5")
    assert kinds(services.stock_alerts(clinic, today)) == [("low_stock", "Out of stock")]


def test_empty_lots_raise_no_alerts_and_other_clinics_lots_are_not_mine(clinic, other_clinic, make_product, make_lot, actor, today):
    lot = make_lot(make_product(clinic, "Mine"), "EMPTY", quantity_ml="1", expiry_date=today + timedelta(days=3))
    services.draw_stock(actor, lot, Decimal("1"), on=today)
    make_lot(make_product(other_clinic, "Theirs", threshold_ml="100"), "THEIRS", expiry_date=today + timedelta(days=3))
    assert services.stock_alerts(clinic, today) == []


def test_the_stock_home_shows_the_alerts_panel(client, trichologist, product, make_lot):
    from django.utils import timezone

    today = timezone.localdate()
    make_lot(product, "SOON-1", expiry_date=today + timedelta(days=12))
    client.force_login(trichologist)
    response = client.get(reverse("catalog:home"))
    assert response.status_code == 200
    assert b'id="stock-alerts"' in response.content
    assert b"Lot SOON-1 of Vital Cocktail 5 mL expires in 12 days" in response.content


def test_the_stock_home_says_so_when_nothing_needs_attention(client, admin_user, lot):
    client.force_login(admin_user)
    response = client.get(reverse("catalog:home"))
    assert b"No alerts" in response.content
