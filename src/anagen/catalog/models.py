"""Products, their lots and every movement of stock in and out of a lot.

Units: every quantity of stock is in millilitres with two decimal places (``*_ml``,
``DecimalField(decimal_places=2)``): mesotherapy doses are fractions of a millilitre (0.1-0.2 mL per
point, about 2 mL per session; domain.md §7). Vials are derived (``remaining_ml / vial_volume_ml``)
and only shown, never stored. The low-stock threshold is in mL as well, so one comparison serves
single- and multi-dose products alike; the pages show its vial equivalent.

Lot tracing matters clinically: outbreaks of non-tuberculous mycobacterial infection after
mesotherapy were traced to multi-dose vials (domain.md §2), so every use of a lot is a movement
row that can name the patient and the session it went to.
"""

from __future__ import annotations

from decimal import ROUND_FLOOR, Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _

from anagen.accounts.models import Clinic
from anagen.core.formulation import CATALOGUE

ML_PLACES = Decimal("0.01")


class VialType(models.TextChoices):
    SINGLE_DOSE = "single_dose", _("Single-dose vial")
    MULTI_DOSE = "multi_dose", _("Multi-dose vial")


class Product(models.Model):
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="products")
    name = models.CharField("product name", max_length=200)
    manufacturer = models.CharField(max_length=200, blank=True)
    vial_type = models.CharField("vial type", max_length=20, choices=VialType.choices)
    vial_volume_ml = models.DecimalField("vial volume (mL)", max_digits=6, decimal_places=2)
    low_stock_threshold_ml = models.DecimalField(
        "low-stock threshold (mL)", max_digits=9, decimal_places=2, default=Decimal("0"),
        help_text="Warn when the usable stock of this product falls below this many mL. 0 turns the warning off.",
    )
    active = models.BooleanField(
        default=True, help_text="Inactive products are kept for the record but their lots cannot be selected.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(Upper("name"), "clinic", name="catalog_product_unique_name_per_clinic"),
            models.CheckConstraint(
                condition=Q(vial_volume_ml__gt=0), name="catalog_product_vial_volume_positive",
                violation_error_message="The vial volume must be more than 0 mL.",
            ),
            models.CheckConstraint(
                condition=Q(low_stock_threshold_ml__gte=0), name="catalog_product_threshold_not_negative",
                violation_error_message="The low-stock threshold cannot be negative.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_single_dose(self) -> bool:
        return self.vial_type == VialType.SINGLE_DOSE

    def vials(self, quantity_ml: Decimal) -> Decimal:
        """How many vials a quantity is: whole vials (rounded down) for single-dose products."""
        vials = quantity_ml / self.vial_volume_ml
        if self.is_single_dose:
            return vials.to_integral_value(rounding=ROUND_FLOOR)
        return vials.quantize(Decimal("0.1"), rounding=ROUND_FLOOR)


class ProductComponent(models.Model):
    """One ingredient of a product, in the core catalogue's unit and within its range."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="components")
    ingredient_code = models.CharField("ingredient", max_length=50)
    concentration = models.DecimalField(max_digits=9, decimal_places=3)
    concentration_unit = models.CharField("unit", max_length=20)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["product", "ingredient_code"], name="catalog_component_once_per_product"),
            models.CheckConstraint(condition=Q(concentration__gt=0), name="catalog_component_concentration_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.ingredient_name} {self.concentration.normalize():f} {self.concentration_unit}"

    @property
    def ingredient_name(self) -> str:
        ingredient = CATALOGUE.get(self.ingredient_code)
        return ingredient.name if ingredient else self.ingredient_code


class Lot(models.Model):
    """A manufacturer's lot of one product as received by the clinic.

    ``remaining_ml`` is the sum of the lot's movements, kept on the row and changed only by
    anagen.catalog.services under SELECT ... FOR UPDATE; the check constraint is the last guard
    against negative stock.
    """

    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="lots")
    lot_number = models.CharField("lot number", max_length=64)
    expiry_date = models.DateField("expiry date", help_text="The lot may be used up to and including this date.")
    quantity_received_ml = models.DecimalField("quantity received (mL)", max_digits=9, decimal_places=2)
    remaining_ml = models.DecimalField("remaining (mL)", max_digits=9, decimal_places=2)
    supplier = models.CharField(max_length=200)
    received_on = models.DateField("received on")
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # A recall is recorded once and never undone.
    recalled_at = models.DateTimeField("recalled at", null=True, blank=True)
    recall_reason = models.TextField("recall reason", blank=True)
    recalled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["expiry_date", "received_on", "id"]
        constraints = [
            models.UniqueConstraint(Upper("lot_number"), "product", name="catalog_lot_unique_number_per_product"),
            models.CheckConstraint(condition=Q(remaining_ml__gte=0), name="catalog_lot_remaining_not_negative"),
            models.CheckConstraint(condition=Q(quantity_received_ml__gt=0), name="catalog_lot_received_positive"),
            models.CheckConstraint(
                condition=Q(recalled_at__isnull=True) | ~Q(recall_reason=""), name="catalog_lot_recall_has_reason"
            ),
        ]
        indexes = [models.Index(fields=["product", "expiry_date"], name="catalog_lot_product_expiry")]

    def __str__(self) -> str:
        return f"{self.product.name} lot {self.lot_number}"

    @property
    def is_recalled(self) -> bool:
        return self.recalled_at is not None

    def is_expired_on(self, day: object) -> bool:
        return self.expiry_date < day  # type: ignore[operator]

    @property
    def remaining_vials(self) -> Decimal:
        return self.product.vials(self.remaining_ml)


class MovementKind(models.TextChoices):
    RECEIVED = "received", _("Received")
    USED = "used", _("Used")
    ADJUSTED = "adjusted", _("Count correction")
    DISCARDED = "discarded", _("Discarded")


class StockMovement(models.Model):
    """One change to a lot's stock, signed: positive in, negative out. Appended, never edited."""

    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="movements")
    kind = models.CharField(max_length=20, choices=MovementKind.choices)
    quantity_ml = models.DecimalField("quantity (mL)", max_digits=9, decimal_places=2)
    # The clinic-local date the stock moved (the session date for uses); ``at`` is when it was recorded.
    occurred_on = models.DateField("date")
    at = models.DateTimeField("recorded at")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    by_username = models.CharField(max_length=150, blank=True)
    reason = models.CharField(max_length=500, blank=True)
    # Plain ids: the sessions app links its rows here later; the trail must outlive them.
    session_ref = models.BigIntegerField(null=True, blank=True, db_index=True)
    patient_id = models.BigIntegerField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    (Q(kind="received") & Q(quantity_ml__gt=0))
                    | (Q(kind__in=["used", "discarded"]) & Q(quantity_ml__lt=0))
                    | (Q(kind="adjusted") & ~Q(quantity_ml=0))
                ),
                name="catalog_movement_sign_matches_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.quantity_ml} mL of {self.lot_id}"
