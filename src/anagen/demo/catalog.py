"""Demo data: four products with a few lots each, received through the stock services.

Runs first in ``anagen.demo.seed.SEEDERS``, inside the demo seed's transaction. Dates are relative
to ``ctx.today``: one lot expires within 30 days, one has expired (and still holds stock, so the
alerts panel has something to say), none is recalled. Product names, suppliers and concentrations
are illustrative, within the core catalogue's ranges.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from anagen.audit.services import Actor
from anagen.catalog import services
from anagen.catalog.models import MovementKind, VialType

_D = Decimal

PRODUCTS: list[dict[str, Any]] = [
    {
        "values": {
            "name": "Anagen Vital Hair Cocktail 5 mL multi-dose", "manufacturer": "Dermaviva Labs, Ahmedabad",
            "vial_type": VialType.MULTI_DOSE, "vial_volume_ml": _D("5.00"), "low_stock_threshold_ml": _D("40.00"), "active": True,
        },
        "components": [
            ("biotin", "0.5"), ("dexpanthenol", "50"), ("niacinamide", "20"), ("zinc", "0.1"), ("amino_acid_complex", "10"),
        ],
        # (lot number, days from today to expiry, vials, days ago received, supplier)
        "lots": [
            ("DV24-118", -6, 10, 300, "Medisource Pharma Distributors, Mumbai"),
            ("DV25-031", 24, 8, 120, "Medisource Pharma Distributors, Mumbai"),
            ("DV25-207", 420, 20, 12, "Medisource Pharma Distributors, Mumbai"),
        ],
    },
    {
        "values": {
            "name": "GHK-Cu 2 mg/mL 2 mL single-dose", "manufacturer": "Peptigen Biosciences, Hyderabad",
            "vial_type": VialType.SINGLE_DOSE, "vial_volume_ml": _D("2.00"), "low_stock_threshold_ml": _D("20.00"), "active": True,
        },
        "components": [("ghk_cu", "2")],
        "lots": [
            ("PG-2503-A", 190, 6, 60, "Peptigen Biosciences (direct)"),
            ("PG-2508-C", 510, 4, 5, "Peptigen Biosciences (direct)"),
        ],
    },
    {
        "values": {
            "name": "Growth factor complex 3 mL", "manufacturer": "Regenix Aesthetics, Bengaluru",
            "vial_type": VialType.SINGLE_DOSE, "vial_volume_ml": _D("3.00"), "low_stock_threshold_ml": _D("15.00"), "active": True,
        },
        "components": [("growth_factor_complex", "20")],
        "lots": [
            ("RGX-4471", 75, 10, 90, "Aesthetic Supplies India, Pune"),
            ("RGX-4590", 300, 10, 20, "Aesthetic Supplies India, Pune"),
        ],
    },
    {
        "values": {
            "name": "Hyaluronic acid non-cross-linked 2 mL", "manufacturer": "HydraDerm Pharma, Vadodara",
            "vial_type": VialType.SINGLE_DOSE, "vial_volume_ml": _D("2.00"), "low_stock_threshold_ml": _D("10.00"), "active": True,
        },
        "components": [("hyaluronic_acid", "10")],
        "lots": [
            ("HD-0925", 140, 15, 45, "Aesthetic Supplies India, Pune"),
            ("HD-1125", 400, 15, 3, "Aesthetic Supplies India, Pune"),
        ],
    },
]


def seed_stock(ctx: Any) -> None:
    clinic, today = ctx.clinic, ctx.today
    admin = ctx.staff.get("admin")
    actor = Actor(
        user_id=admin.pk if admin else None, username=admin.username if admin else "demo-seed",
        clinic_id=clinic.pk, ip_address=None,
    )
    for spec in PRODUCTS:
        components = [{"ingredient_code": code, "concentration": _D(value)} for code, value in spec["components"]]
        product = services.save_product(actor, clinic, spec["values"], components)
        for number, expires_in, vials, received_ago, supplier in spec["lots"]:
            lot = services.receive_lot(
                actor, product, lot_number=number, expiry_date=today + timedelta(days=expires_in),
                quantity_ml=vials * product.vial_volume_ml, supplier=supplier,
                received_on=today - timedelta(days=received_ago),
            )
            if number == "PG-2503-A":
                # One vial dropped while unpacking: a discard with its reason.
                services.adjust_stock(
                    actor, lot, -product.vial_volume_ml, "vial cracked on delivery",
                    kind=MovementKind.DISCARDED, on=lot.received_on,
                )
