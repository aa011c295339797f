"""Catalogue fixtures: a product with a lot in the shared ``clinic``, and actors for the services."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

TODAY = date(2026, 3, 2)


@pytest.fixture
def today() -> date:
    return TODAY


@pytest.fixture
def actor(admin_user: Any) -> Any:
    from anagen.audit.services import Actor

    return Actor(user_id=admin_user.pk, username=admin_user.username, clinic_id=admin_user.clinic_id, ip_address="127.0.0.1")


@pytest.fixture
def make_product() -> Any:
    def make(clinic: Any, name: str = "Vital Cocktail 5 mL", *, vial_type: str = "multi_dose", vial_volume_ml: str = "5",
             threshold_ml: str = "0", components: list[tuple[str, str]] | None = None, active: bool = True) -> Any:
        from anagen.audit.services import Actor
        from anagen.catalog import services

        values = {
            "name": name, "manufacturer": "Dermaviva Labs", "vial_type": vial_type,
            "vial_volume_ml": Decimal(vial_volume_ml), "low_stock_threshold_ml": Decimal(threshold_ml), "active": active,
        }
        rows = [{"ingredient_code": code, "concentration": Decimal(value)} for code, value in (components or [("biotin", "0.5")])]
        return services.save_product(Actor.system("test", clinic.pk), clinic, values, rows)

    return make


@pytest.fixture
def make_lot() -> Any:
    def make(product: Any, number: str = "L-001", *, quantity_ml: str = "50", expiry_date: date | None = None,
             received_on: date | None = None) -> Any:
        from anagen.audit.services import Actor
        from anagen.catalog import services

        return services.receive_lot(
            Actor.system("test", product.clinic_id), product, lot_number=number,
            expiry_date=expiry_date or TODAY + timedelta(days=365), quantity_ml=Decimal(quantity_ml),
            supplier="Medisource Pharma", received_on=received_on or TODAY - timedelta(days=10),
        )

    return make


@pytest.fixture
def product(clinic: Any, make_product: Any) -> Any:
    return make_product(clinic)


@pytest.fixture
def lot(product: Any, make_lot: Any) -> Any:
    return make_lot(product)
