"""The demo clinic's stock: realistic products, lots around today, one about to expire, one expired."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest

from anagen.catalog import services
from anagen.catalog.models import Lot, Product
from anagen.demo.catalog import seed_stock

pytestmark = pytest.mark.django_db


def test_the_stock_seeder_is_registered_with_the_demo_seed():
    from anagen.demo.seed import SEEDERS

    assert SEEDERS.count(seed_stock) == 1


def test_the_demo_stock_has_products_lots_and_something_for_every_alert(clinic, other_clinic, admin_user, today):
    ctx = SimpleNamespace(clinic=clinic, branch=other_clinic, staff={"admin": admin_user}, patients=[], today=today)
    seed_stock(ctx)
    names = set(Product.objects.filter(clinic=clinic).values_list("name", flat=True))
    assert "Anagen Vital Hair Cocktail 5 mL multi-dose" in names
    assert "GHK-Cu 2 mg/mL 2 mL single-dose" in names
    assert len(names) == 4
    cocktail = Product.objects.get(name__startswith="Anagen Vital")
    assert {c.ingredient_code for c in cocktail.components.all()} == {"biotin", "dexpanthenol", "niacinamide", "zinc", "amino_acid_complex"}
    lots = Lot.objects.filter(product__clinic=clinic)
    assert all(lot.product.lots.count() >= 2 for lot in lots)
    assert not lots.filter(recalled_at__isnull=False).exists()
    assert lots.filter(expiry_date__lt=today).count() == 1
    assert lots.filter(expiry_date__gte=today, expiry_date__lte=today + timedelta(days=30)).count() == 1
    assert all(services.movements_total(lot) == lot.remaining_ml for lot in lots)
    alert_kinds = {a.kind for a in services.stock_alerts(clinic, today)}
    assert {"expiring", "expired_in_stock"} <= alert_kinds
