"""Use cases of the product catalogue and stock: a stable API for the pages and the sessions code.

Stock is counted in mL (two decimal places). A lot's ``remaining_ml`` always equals the sum of its
movements: every change locks the lot row (SELECT ... FOR UPDATE on PostgreSQL; on SQLite the
IMMEDIATE transaction mode in settings serialises writers), checks, appends one movement and
updates the row in the same transaction, and a database check constraint refuses a negative
remainder should anything slip past. Each function opens ``transaction.atomic()``, so it is safe
inside an outer transaction (it becomes a savepoint: a refusal leaves the outer work usable).

Lock order: when a movement names a patient it is audited, and the audit append locks the chain
head. ``draw_stock`` then takes the chain head *before* the lot, so every transaction takes the
two locks in the order audit head -> lot, and a sessions transaction that appended its own audit
entries first cannot deadlock against another draw.

Expiry: a lot may be used up to and including its expiry date; it is expired when
``expiry_date < on``. Lots expiring within ``expiry_alert_days()`` (30 by default, overridable
with ``settings.ANAGEN_STOCK_EXPIRY_ALERT_DAYS``) raise an alert; exactly 30 days away counts.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext

from anagen.accounts.models import Clinic
from anagen.audit import services as audit
from anagen.audit.models import Action
from anagen.audit.pages import Page, page_of_query
from anagen.audit.services import Actor
from anagen.catalog.models import (
    ML_PLACES,
    Lot,
    MovementKind,
    Product,
    ProductComponent,
    StockMovement,
)
from anagen.core import display
from anagen.core.errors import FieldError, InvalidInput, NotFound, Refused
from anagen.core.formulation import CATALOGUE

DEFAULT_EXPIRY_ALERT_DAYS = 30
"""Lots expiring within this many days (inclusive) are flagged on the stock page."""

MAX_QUANTITY_ML = Decimal("1000000")


def expiry_alert_days() -> int:
    """``settings.ANAGEN_STOCK_EXPIRY_ALERT_DAYS`` if set, else DEFAULT_EXPIRY_ALERT_DAYS (30)."""
    return int(getattr(settings, "ANAGEN_STOCK_EXPIRY_ALERT_DAYS", DEFAULT_EXPIRY_ALERT_DAYS))


# ------------------------------------------------------------------------------------- errors


class StockError(Refused):
    """A stock operation that cannot be made; ``field`` names the input to correct."""

    def __init__(self, field: str | None, message: str, *, kind: str | None = None):
        super().__init__(message, field, kind=kind)


class LotUnavailable(StockError):
    """The lot is expired on the date of use, recalled, of an inactive product, or another clinic's."""

    field_is_input = False  # "lot" names the lot the state of which refuses the use


class InsufficientStock(StockError):
    """The lot holds less than the quantity asked for: stock never goes below zero."""


# ------------------------------------------------------------------------------------ helpers


def _quantity(value: Any, field: str = "quantity_ml") -> Decimal:
    """A positive quantity in mL with at most two decimal places."""
    try:
        quantity = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        raise StockError(field, gettext("Enter a quantity in mL, e.g. 1.5.")) from None
    if not quantity.is_finite():
        raise StockError(field, gettext("Enter a quantity in mL, e.g. 1.5."))
    if quantity <= 0:
        raise StockError(field, gettext("The quantity must be more than 0 mL."))
    if quantity >= MAX_QUANTITY_ML:
        raise StockError(field, gettext("The quantity must be less than %(most)s mL.") % {"most": MAX_QUANTITY_ML})
    if quantity != quantity.quantize(ML_PLACES):
        raise StockError(field, gettext("Give the quantity to at most two decimal places (0.01 mL)."))
    return quantity.quantize(ML_PLACES)


def _user_id(actor: Actor) -> int | None:
    return actor.user_id


def _same_clinic(actor: Actor, product: Product) -> bool:
    return actor.clinic_id is not None and product.clinic_id == actor.clinic_id


def _lock_lot(lot: Lot | int) -> Lot:
    pk = lot.pk if isinstance(lot, Lot) else lot
    return Lot.objects.select_for_update(of=("self",)).select_related("product").get(pk=pk)


def _append_movement(
    actor: Actor,
    lot: Lot,
    kind: str,
    signed_ml: Decimal,
    *,
    on: date,
    reason: str = "",
    session_ref: int | None = None,
    patient_id: int | None = None,
) -> StockMovement:
    """Append one movement to a lot the caller has locked and move ``remaining_ml`` with it."""
    new_remaining = lot.remaining_ml + signed_ml
    if new_remaining < 0:
        raise InsufficientStock(
            "quantity_ml",
            gettext("Lot %(lot)s has %(left)s mL left; %(asked)s mL cannot be taken from it.") % {
                "lot": lot.lot_number, "left": lot.remaining_ml, "asked": -signed_ml},
        )
    movement = StockMovement.objects.create(
        lot=lot, kind=kind, quantity_ml=signed_ml, occurred_on=on, at=timezone.now(),
        by_id=_user_id(actor), by_username=actor.username, reason=reason,
        session_ref=session_ref, patient_id=patient_id,
    )
    lot.remaining_ml = new_remaining
    lot.save(update_fields=["remaining_ml"])
    if patient_id is not None:
        audit.append(
            actor, Action.CREATE, object_type="stock_movement", object_id=movement.pk, patient_id=patient_id,
            changes=audit.snapshot_created({
                "kind": kind, "quantity_ml": signed_ml, "lot_id": lot.pk, "lot_number": lot.lot_number,
                "product": lot.product.name, "occurred_on": on, "session_ref": session_ref, "reason": reason,
            }),
        )
    return movement


# ------------------------------------------------------------------------------ look-ups


def products(clinic: Clinic) -> QuerySet[Product]:
    return Product.objects.filter(clinic=clinic).prefetch_related("components")


def get_product(clinic: Clinic, product_id: int) -> Product:
    """One of the clinic's products; 404 for any other clinic's id."""
    try:
        return products(clinic).get(pk=product_id)
    except Product.DoesNotExist:
        raise NotFound("No such product") from None


def get_lot(clinic: Clinic, lot_id: int) -> Lot:
    """One of the clinic's lots; 404 for any other clinic's id."""
    try:
        return Lot.objects.select_related("product", "recalled_by", "received_by").get(pk=lot_id, product__clinic=clinic)
    except Lot.DoesNotExist:
        raise NotFound("No such lot") from None


def selectable_lots(clinic: Clinic, on: date, product: Product | None = None) -> QuerySet[Lot]:
    """Lots that may be used on ``on``: the clinic's, of an active product, not expired on that
    date (``expiry_date >= on``), not recalled and not empty; first to expire first."""
    qs = Lot.objects.filter(
        product__clinic=clinic, product__active=True, recalled_at__isnull=True,
        expiry_date__gte=on, remaining_ml__gt=0,
    )
    if product is not None:
        qs = qs.filter(product=product)
    return qs.select_related("product").order_by("expiry_date", "received_on", "id")


def list_lots(clinic: Clinic, today: date, *, product_id: int | None = None, usable: bool = False, page: int = 1,
              page_size: int = 25) -> Page[Lot]:
    """``usable``: only the lots a session may use ``today`` (``selectable_lots``); otherwise every
    lot by expiry date, then id. Stock names no patient, so the list is not audited."""
    if usable:
        records = selectable_lots(clinic, today)
    else:
        records = Lot.objects.filter(product__clinic=clinic).select_related("product").order_by("expiry_date", "received_on", "id")
    if product_id is not None:
        records = records.filter(product_id=product_id)
    return page_of_query(records, page, page_size)


def list_products(clinic: Clinic, *, active: bool | None = None, page: int = 1, page_size: int = 25) -> Page[Product]:
    """By name, then id (``active``: only those in use, or only those withdrawn)."""
    records = products(clinic)
    if active is not None:
        records = records.filter(active=active)
    return page_of_query(records.order_by("name", "id"), page, page_size)


def lot_recipients_movements(lot: Lot) -> QuerySet[StockMovement]:
    """Movements of a lot that name a patient (uses, and the discarded rest of a single-dose vial),
    oldest first: the lot side of "which patients received lot X"."""
    return StockMovement.objects.filter(lot=lot, patient_id__isnull=False).order_by("occurred_on", "at", "id")


def usable_ml(clinic: Clinic, on: date) -> dict[int, Decimal]:
    """Usable stock per product id on a date (what ``selectable_lots`` would offer)."""
    rows = (
        Lot.objects.filter(
            product__clinic=clinic, recalled_at__isnull=True, expiry_date__gte=on, remaining_ml__gt=0
        )
        .values("product_id")
        .annotate(total=Sum("remaining_ml"))
    )
    # SQLite's SUM drops the scale (8 rather than 8.00): quantize back to 2 places.
    return {row["product_id"]: Decimal(row["total"]).quantize(ML_PLACES) for row in rows}


# ---------------------------------------------------------------------------- products


COMPONENT_FIELDS = ("ingredient_code", "concentration", "concentration_unit")


def component_errors(ingredient_code: Any, concentration: Any, unit: Any) -> list[FieldError]:
    """Check one component against the core catalogue (anagen.core.formulation.CATALOGUE): a known
    ingredient, in the ingredient's own unit, within its min-max range (clinic protocol)."""
    ingredient = CATALOGUE.get(ingredient_code) if isinstance(ingredient_code, str) else None
    if ingredient is None:
        return [FieldError("ingredient_code", gettext("Unknown ingredient %(value)s: choose one from the ingredient catalogue.") % {"value": repr(ingredient_code)})]
    errors = []
    if unit not in (None, "") and unit != ingredient.concentration_unit:
        errors.append(FieldError(
            "concentration_unit",
            gettext("%(ingredient)s is measured in %(unit)s, not %(given)s.") % {
                "ingredient": ingredient.name, "unit": ingredient.concentration_unit, "given": unit},
        ))
    try:
        value = concentration if isinstance(concentration, Decimal) else Decimal(str(concentration))
        valid = value.is_finite()
    except (InvalidOperation, ValueError, TypeError):
        valid = False
    if not valid:
        errors.append(FieldError("concentration", gettext("Enter the concentration as a number.")))
    elif not ingredient.min_concentration <= value <= ingredient.max_concentration:
        errors.append(FieldError(
            "concentration",
            gettext("%(ingredient)s must be between %(low)s and %(high)s %(unit)s (ingredient catalogue); got %(value)s.") % {
                "ingredient": ingredient.name, "low": ingredient.min_concentration, "high": ingredient.max_concentration,
                "unit": ingredient.concentration_unit, "value": f"{value.normalize():f}"},
        ))
    return errors


def _checked_components(components: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    rows = list(components)
    errors: list[FieldError] = []
    if not rows:
        errors.append(FieldError("components", gettext("A product needs at least one ingredient.")))
    seen: dict[str, int] = {}
    cleaned = []
    for index, row in enumerate(rows):
        code = row.get("ingredient_code")
        unit = row.get("concentration_unit") or ""
        found = component_errors(code, row.get("concentration"), unit)
        errors.extend(FieldError(f"components[{index}].{e.field}", e.message) for e in found)
        if found:
            continue
        if code in seen:
            errors.append(FieldError(
                f"components[{index}].ingredient_code",
                f"{CATALOGUE[code].name} is already listed as ingredient {seen[code] + 1}.",
            ))
            continue
        seen[code] = index
        concentration = Decimal(str(row["concentration"]))
        cleaned.append({
            "ingredient_code": code, "concentration": concentration,
            "concentration_unit": CATALOGUE[code].concentration_unit,
        })
    if errors:
        raise InvalidInput(errors)
    return cleaned


PRODUCT_FIELDS = ("name", "manufacturer", "vial_type", "vial_volume_ml", "low_stock_threshold_ml", "active")


def save_product(
    actor: Actor,
    clinic: Clinic,
    values: Mapping[str, Any],
    components: Iterable[Mapping[str, Any]],
    *,
    product: Product | None = None,
) -> Product:
    """Create a product (``product=None``) or replace an existing one's fields and components.

    ``components`` are mappings with ``ingredient_code``, ``concentration`` and an optional
    ``concentration_unit`` (the catalogue's unit when blank). Raises InvalidInput naming
    ``components[i].<field>`` for a bad component, StockError("name") for a duplicate name.
    """
    if product is not None and product.clinic_id != clinic.pk:
        raise NotFound("No such product")
    rows = _checked_components(components)
    name = str(values.get("name", "")).strip()
    if not name:
        raise StockError("name", gettext("Give the product a name."))
    duplicate = Product.objects.filter(clinic=clinic, name__iexact=name)
    if product is not None:
        duplicate = duplicate.exclude(pk=product.pk)
    if duplicate.exists():
        raise StockError("name", gettext("This clinic already has a product with this name."), kind="duplicate-name")
    try:
        with transaction.atomic():
            target = product or Product(clinic=clinic)
            for field in PRODUCT_FIELDS:
                if field in values:
                    setattr(target, field, values[field])
            target.name = name
            target.save()
            if product is not None:
                target.components.all().delete()
            ProductComponent.objects.bulk_create(ProductComponent(product=target, **row) for row in rows)
    except IntegrityError:
        # Two admins saving the same name at once: the unique constraint decides.
        raise StockError("name", gettext("This clinic already has a product with this name."), kind="duplicate-name") from None
    return target


# -------------------------------------------------------------------------------- lots


def receive_lot(
    actor: Actor,
    product: Product,
    *,
    lot_number: str,
    expiry_date: date,
    quantity_ml: Decimal,
    supplier: str,
    received_on: date,
) -> Lot:
    """Record a delivered lot and its ``received`` movement. Lot numbers are unique per product
    (ignoring case). Raises StockError naming the field: product (another clinic's), lot_number,
    expiry_date (already expired when received), quantity_ml, supplier."""
    if not _same_clinic(actor, product):
        raise StockError("product", gettext("This product belongs to another clinic."))
    number = (lot_number or "").strip()
    if not number:
        raise StockError("lot_number", gettext("Enter the lot number printed on the vials."))
    if expiry_date < received_on:
        raise StockError("expiry_date", gettext("The lot expired on %(day)s, before it was received.") % {"day": display.day(expiry_date)})
    quantity = _quantity(quantity_ml)
    supplier = (supplier or "").strip()
    if not supplier:
        raise StockError("supplier", gettext("Name the supplier the lot came from."))
    if Lot.objects.filter(product=product, lot_number__iexact=number).exists():
        raise StockError("lot_number", gettext("Lot %(lot)s of %(product)s is already recorded.") % {"lot": number, "product": product.name})
    try:
        with transaction.atomic():
            lot = Lot.objects.create(
                product=product, lot_number=number, expiry_date=expiry_date, quantity_received_ml=quantity,
                remaining_ml=Decimal("0.00"), supplier=supplier, received_on=received_on, received_by_id=_user_id(actor),
            )
            _append_movement(actor, lot, MovementKind.RECEIVED, quantity, on=received_on, reason=f"received from {supplier}")
    except IntegrityError:
        raise StockError("lot_number", gettext("Lot %(lot)s of %(product)s is already recorded.") % {"lot": number, "product": product.name}) from None
    return lot


def recall_lot(actor: Actor, lot: Lot, reason: str) -> Lot:
    """Record a recall: the lot can never be selected again. Irreversible; the reason is required.
    Raises StockError("reason") without a reason, LotUnavailable("lot") for another clinic's lot
    or a lot already recalled."""
    reason = (reason or "").strip()
    if not reason:
        raise StockError("reason", gettext("Give the reason for the recall (e.g. the manufacturer's notice)."))
    with transaction.atomic():
        locked = _lock_lot(lot)
        if not _same_clinic(actor, locked.product):
            raise LotUnavailable("lot", gettext("This lot belongs to another clinic."))
        if locked.is_recalled:
            raise LotUnavailable("lot", gettext("Lot %(lot)s was already recalled on %(day)s.") % {
                "lot": locked.lot_number, "day": display.day(timezone.localtime(locked.recalled_at))})
        locked.recalled_at = timezone.now()
        locked.recall_reason = reason
        locked.recalled_by_id = _user_id(actor)
        locked.save(update_fields=["recalled_at", "recall_reason", "recalled_by"])
    return locked


def adjust_stock(
    actor: Actor,
    lot: Lot,
    quantity_ml: Decimal,
    reason: str,
    *,
    kind: str = MovementKind.ADJUSTED,
    on: date | None = None,
) -> StockMovement:
    """A count correction (``kind="adjusted"``, ``quantity_ml`` signed: negative removes) or a
    discard (``kind="discarded"``, ``quantity_ml`` negative), with a reason. Works on expired and
    recalled lots (to empty them). Never takes a lot below zero: InsufficientStock("quantity_ml")."""
    if kind not in (MovementKind.ADJUSTED, MovementKind.DISCARDED):
        raise StockError("kind", gettext("Choose a discard or a count correction."))
    try:
        signed = quantity_ml if isinstance(quantity_ml, Decimal) else Decimal(str(quantity_ml))
    except (InvalidOperation, ValueError, TypeError):
        raise StockError("quantity_ml", gettext("Enter a quantity in mL, e.g. -1.5.")) from None
    if not signed.is_finite():
        raise StockError("quantity_ml", gettext("Enter a quantity in mL, e.g. -1.5."))
    if signed == 0:
        raise StockError("quantity_ml", gettext("The quantity must not be 0 mL."))
    if kind == MovementKind.DISCARDED and signed > 0:
        raise StockError("quantity_ml", gettext("A discard removes stock: give a negative quantity."))
    signed = _quantity(abs(signed)).copy_sign(signed)
    reason = (reason or "").strip()
    if not reason:
        raise StockError("reason", gettext("Give the reason for the change (e.g. vial broken, count corrected)."))
    day = on or timezone.localdate()
    with transaction.atomic():
        locked = _lock_lot(lot)
        if not _same_clinic(actor, locked.product):
            raise LotUnavailable("lot", gettext("This lot belongs to another clinic."))
        return _append_movement(actor, locked, kind, signed, on=day, reason=reason)


def draw_stock(
    actor: Actor,
    lot: Lot,
    quantity_ml: Decimal,
    *,
    on: date,
    session_ref: int | None = None,
    patient_id: int | None = None,
) -> StockMovement:
    """Take ``quantity_ml`` from a lot for use on ``on`` (the session date); returns the ``used``
    movement.

    Raises LotUnavailable(field="lot") when the lot is another clinic's (``actor.clinic_id``),
    expired on ``on`` (``expiry_date < on``), recalled, or of an inactive product; and
    InsufficientStock(field="quantity_ml") when the lot holds less than needed; StockError
    ("quantity_ml") for a quantity that is not a positive number of mL with two decimals.

    Single-dose vials: an opened single-dose vial cannot serve anyone else, so drawing from a
    single-dose product also discards the rest of every vial it opens (a ``discarded`` movement
    with the same session and patient); both must fit in the lot.

    A movement with a ``patient_id`` is audited (object_type "stock_movement"). Safe inside an
    outer ``transaction.atomic()``: the lot row is locked until the outer transaction ends, and a
    refusal rolls back only this call's savepoint.
    """
    quantity = _quantity(quantity_ml)
    with transaction.atomic():
        if patient_id is not None:
            audit.lock_chain()
        locked = _lock_lot(lot)
        product = locked.product
        if not _same_clinic(actor, product):
            raise LotUnavailable("lot", gettext("This lot belongs to another clinic."))
        if locked.is_recalled:
            raise LotUnavailable(
                "lot",
                gettext("Lot %(lot)s of %(product)s was recalled on %(day)s (%(reason)s): do not use it.") % {
                    "lot": locked.lot_number, "product": product.name,
                    "day": display.day(timezone.localtime(locked.recalled_at)), "reason": locked.recall_reason},
            )
        if locked.expiry_date < on:
            raise LotUnavailable("lot", gettext("Lot %(lot)s of %(product)s expired on %(day)s: do not use it.") % {
                "lot": locked.lot_number, "product": product.name, "day": display.day(locked.expiry_date)})
        if not product.active:
            raise LotUnavailable("lot", gettext("%(product)s is marked inactive: its lots cannot be used.") % {"product": product.name})
        rest = Decimal("0.00")
        if product.is_single_dose:
            vials_opened = math.ceil(quantity / product.vial_volume_ml)
            rest = (vials_opened * product.vial_volume_ml - quantity).quantize(ML_PLACES)
        if locked.remaining_ml < quantity + rest:
            if rest:
                message = gettext("Lot %(lot)s has only %(left)s mL left; %(needed)s mL (plus %(rest)s mL left in the opened "
                                  "single-dose vial) needed.")
            else:
                message = gettext("Lot %(lot)s has only %(left)s mL left; %(needed)s mL needed.")
            raise InsufficientStock("quantity_ml", message % {
                "lot": locked.lot_number, "left": locked.remaining_ml, "needed": quantity, "rest": rest})
        used = _append_movement(
            actor, locked, MovementKind.USED, -quantity, on=on, session_ref=session_ref, patient_id=patient_id,
            reason="used in a session" if session_ref is not None else "",
        )
        if rest:
            _append_movement(
                actor, locked, MovementKind.DISCARDED, -rest, on=on, session_ref=session_ref, patient_id=patient_id,
                reason="rest of an opened single-dose vial",
            )
    return used


# ------------------------------------------------------------------------------ alerts


class AlertKind:
    LOW_STOCK = "low_stock"
    EXPIRING = "expiring"
    EXPIRED_IN_STOCK = "expired_in_stock"
    RECALLED_IN_STOCK = "recalled_in_stock"


@dataclass(frozen=True)
class StockAlert:
    kind: str
    message: str
    product: Product
    lot: Lot | None = None
    days_left: int | None = None

    @property
    def urgent(self) -> bool:
        return self.kind in (AlertKind.RECALLED_IN_STOCK, AlertKind.EXPIRED_IN_STOCK)


def stock_alerts(clinic: Clinic, today: date, *, within_days: int | None = None) -> list[StockAlert]:
    """What needs the clinic admin's attention on ``today``, most urgent first:

    - recalled_in_stock: a recalled lot still holds stock (quarantine it, return or discard);
    - expired_in_stock: an expired lot still holds stock (discard it);
    - low_stock: an active product's usable stock (``selectable_lots`` on ``today``) is below its
      threshold (strictly below; a threshold of 0 never warns);
    - expiring: a usable lot expires within ``within_days`` (default ``expiry_alert_days()``, 30)
      days, inclusive: a lot expiring exactly 30 days from today is flagged.
    """
    days = expiry_alert_days() if within_days is None else within_days
    alerts: list[StockAlert] = []
    lots = Lot.objects.filter(product__clinic=clinic, remaining_ml__gt=0).select_related("product")
    for lot in lots.filter(recalled_at__isnull=False).order_by("recalled_at", "id"):
        alerts.append(StockAlert(
            AlertKind.RECALLED_IN_STOCK,
            gettext("Recalled lot %(lot)s of %(product)s still holds %(left)s mL: keep it apart and return or discard it.") % {
                "lot": lot.lot_number, "product": lot.product.name, "left": lot.remaining_ml},
            lot.product, lot,
        ))
    for lot in lots.filter(recalled_at__isnull=True, expiry_date__lt=today).order_by("expiry_date", "id"):
        alerts.append(StockAlert(
            AlertKind.EXPIRED_IN_STOCK,
            gettext("Lot %(lot)s of %(product)s expired on %(day)s and still holds %(left)s mL: discard it.") % {
                "lot": lot.lot_number, "product": lot.product.name, "day": display.day(lot.expiry_date), "left": lot.remaining_ml},
            lot.product, lot, (lot.expiry_date - today).days,
        ))
    usable = usable_ml(clinic, today)
    for product in Product.objects.filter(clinic=clinic, active=True, low_stock_threshold_ml__gt=0).order_by("name", "id"):
        have = usable.get(product.pk, Decimal("0.00"))
        if have < product.low_stock_threshold_ml:
            alerts.append(StockAlert(
                AlertKind.LOW_STOCK,
                gettext("%(product)s: %(have)s mL usable (%(vials)s vials), below the threshold of %(threshold)s mL.") % {
                    "product": product.name, "have": have, "vials": product.vials(have), "threshold": product.low_stock_threshold_ml},
                product,
            ))
    horizon = today + timedelta(days=days)
    expiring = lots.filter(
        recalled_at__isnull=True, product__active=True, expiry_date__gte=today, expiry_date__lte=horizon
    ).order_by("expiry_date", "id")
    for lot in expiring:
        left = (lot.expiry_date - today).days
        if left == 0:
            message = gettext("Lot %(lot)s of %(product)s expires today (%(day)s); %(left)s mL left.")
        elif left == 1:
            message = gettext("Lot %(lot)s of %(product)s expires tomorrow (%(day)s); %(left)s mL left.")
        else:
            message = gettext("Lot %(lot)s of %(product)s expires in %(days)s days (%(day)s); %(left)s mL left.")
        alerts.append(StockAlert(
            AlertKind.EXPIRING,
            message % {"lot": lot.lot_number, "product": lot.product.name, "days": left, "day": display.day(lot.expiry_date),
                       "left": lot.remaining_ml},
            lot.product, lot, left,
        ))
    return alerts


def recalled_lots(clinic: Clinic) -> QuerySet[Lot]:
    return Lot.objects.filter(product__clinic=clinic, recalled_at__isnull=False).select_related("product").order_by("-recalled_at")


def movements_total(lot: Lot) -> Decimal:
    """The sum of a lot's movements: always equal to ``lot.remaining_ml``."""
    total = StockMovement.objects.filter(lot=lot).aggregate(total=Sum("quantity_ml"))["total"]
    return Decimal(total or 0).quantize(ML_PLACES)


def lots_of(product: Product) -> QuerySet[Lot]:
    return product.lots.select_related("product").order_by("expiry_date", "received_on", "id")
