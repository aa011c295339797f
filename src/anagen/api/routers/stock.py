"""Products and lots (the stock pages' viewers read: admin, trichologist, practitioner; the clinic admin
adds products, receives, recalls and adjusts lots, as on the web) and lot recipients (clinical)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest
from django.utils import timezone
from ninja import ModelSchema, Query, Router, Schema, Status

from anagen.api import auth
from anagen.api.common import MAX_ID, ModelOut, actor, clinic, page_of, schema_of
from anagen.api.problems import Problem, form_errors, invalid
from anagen.catalog import services
from anagen.catalog.forms import AdjustForm, ComponentForm, ProductForm, RecallForm, ReceiveLotForm
from anagen.catalog.models import Lot, Product
from anagen.core.errors import FieldError
from anagen.safety import services as safety

router = Router(tags=["lots"])


class LotOut(ModelSchema, ModelOut):
    id: int
    product_id: int
    product_name: str
    quantity_received_ml: Decimal
    remaining_ml: Decimal
    usable_today: bool

    class Meta:
        model = "catalog.Lot"
        fields = ["id", "lot_number", "expiry_date", "supplier", "received_on", "recalled_at", "recall_reason"]


def _out(lot: Lot, today: dt.date) -> dict[str, Any]:
    data = {name: getattr(lot, name) for name in LotOut.model_fields if name not in ("product_name", "usable_today")}
    data["product_name"] = lot.product.name
    data["usable_today"] = (lot.recalled_at is None and lot.expiry_date >= today and lot.remaining_ml > 0 and lot.product.active)
    return data


@router.get("/lots", response=page_of(LotOut), auth=auth.STOCK_VIEWERS, summary="List lots")
def list_lots(request: HttpRequest, product_id: int | None = Query(None, ge=1, le=MAX_ID), usable: bool = False,
              page: int = Query(1, ge=1, le=100_000), page_size: int = Query(25, ge=1, le=100)) -> Any:
    """``usable=true``: only the lots a session may use today (not expired, recalled or empty),
    first to expire first; otherwise every lot by expiry date, then id."""
    today = timezone.localdate()
    found = services.list_lots(clinic(request), today, product_id=product_id, usable=usable, page=page, page_size=page_size)
    return {"items": [_out(lot, today) for lot in found.items], **found.meta}


@router.get("/lots/{lot_id}", response=LotOut, auth=auth.STOCK_VIEWERS, summary="Read a lot")
def get_lot(request: HttpRequest, lot_id: int) -> Any:
    return _out(services.get_lot(clinic(request), lot_id), timezone.localdate())


ReportedEventOut = schema_of(safety.ReportedEvent, name="ReportedEventOut")
RecipientOut = schema_of(safety.Recipient, name="RecipientOut", types={"events": list[ReportedEventOut]})  # type: ignore[valid-type]


class RecipientsOut(Schema):
    lot_id: int
    patient_count: int
    recipients: list[RecipientOut]


@router.get("/lots/{lot_id}/recipients", response=RecipientsOut, auth=auth.CLINICAL, tags=["lots", "adverse events"],
            summary="Which patients received this lot (for a recall)")
def lot_recipients(request: HttpRequest, lot_id: int) -> Any:
    """Every use of the lot in a session, oldest first, with contact details and the adverse
    events those patients reported; one audit entry names every patient listed."""
    lot = services.get_lot(clinic(request), lot_id)
    rows = safety.lot_recipients(clinic(request), lot, actor=actor(request))
    return {"lot_id": lot.pk, "patient_count": len({r.patient_id for r in rows}), "recipients": rows}


# ---------------------------------------------------------------------------------- products

class ProductComponentIO(Schema):
    ingredient_code: str
    concentration: Decimal
    concentration_unit: str = ""


class ProductOut(ModelSchema, ModelOut):
    id: int
    vial_volume_ml: Decimal
    low_stock_threshold_ml: Decimal
    components: list[ProductComponentIO]

    class Meta:
        model = "catalog.Product"
        fields = ["id", "name", "manufacturer", "vial_type", "active"]


class ProductIn(Schema):
    name: str
    manufacturer: str = ""
    vial_type: Literal["single_dose", "multi_dose"]
    vial_volume_ml: Decimal
    low_stock_threshold_ml: Decimal = Decimal("0")
    active: bool = True
    components: list[ProductComponentIO]


def _product_out(product: Product) -> dict[str, Any]:
    data = {name: getattr(product, name) for name in ProductOut.model_fields if name != "components"}
    data["components"] = [{"ingredient_code": c.ingredient_code, "concentration": c.concentration,
                           "concentration_unit": c.concentration_unit} for c in product.components.all().order_by("id")]
    return data


@router.get("/products", response=page_of(ProductOut), auth=auth.STOCK_VIEWERS, tags=["products"], summary="List products")
def list_products(request: HttpRequest, active: bool | None = None, page: int = Query(1, ge=1, le=100_000),
                  page_size: int = Query(25, ge=1, le=100)) -> Any:
    """By name, then id."""
    found = services.list_products(clinic(request), active=active, page=page, page_size=page_size)
    return {"items": [_product_out(p) for p in found.items], **found.meta}


@router.get("/products/{product_id}", response=ProductOut, auth=auth.STOCK_VIEWERS, tags=["products"], summary="Read a product")
def get_product(request: HttpRequest, product_id: int) -> Any:
    return _product_out(services.get_product(clinic(request), product_id))


def _product_values(payload: ProductIn) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    data = payload.model_dump()
    form = ProductForm({k: ("on" if v else "") if isinstance(v, bool) else str(v) for k, v in data.items() if k != "components"})
    errors = [] if form.is_valid() else form_errors(form)
    rows: list[dict[str, Any]] = []
    seen: set[str] = set()
    if not payload.components:
        errors.append(FieldError("components", "A product needs at least one ingredient."))
    for index, row in enumerate(payload.components):
        component = ComponentForm({k: str(v) for k, v in row.model_dump().items()})
        if not component.is_valid():
            errors += form_errors(component, f"components.{index}.")
            continue
        code = component.cleaned_data["ingredient_code"]
        if code in seen:
            errors.append(FieldError(f"components.{index}.ingredient_code", "This ingredient is already listed."))
        seen.add(code)
        rows.append({field: component.cleaned_data.get(field) for field in services.COMPONENT_FIELDS})
    if errors:
        raise invalid(errors)
    return form.values(), rows


def _save_product(request: HttpRequest, payload: ProductIn, product: Product | None) -> Product:
    values, rows = _product_values(payload)
    return services.save_product(actor(request), clinic(request), values, rows, product=product)


@router.post("/products", response={201: ProductOut}, auth=auth.ADMIN, tags=["products"], summary="Add a product")
def create_product(request: HttpRequest, payload: ProductIn) -> Any:
    """A product and its ingredients (clinic admin). A name the clinic already uses is refused with 409."""
    return Status(201, _product_out(_save_product(request, payload, None)))


@router.put("/products/{product_id}", response=ProductOut, auth=auth.ADMIN, tags=["products"],
            summary="Replace a product's fields and ingredients")
def update_product(request: HttpRequest, product_id: int, payload: ProductIn) -> Any:
    product = services.get_product(clinic(request), product_id)
    return _product_out(_save_product(request, payload, product))


# ------------------------------------------------------------------------------- lot writes

class ReceiveIn(Schema):
    lot_number: str
    expiry_date: dt.date
    vials_received: int
    supplier: str
    received_on: dt.date


class RecallIn(Schema):
    reason: str
    confirm: bool


class AdjustIn(Schema):
    action: Literal["discard", "remove", "add"]
    quantity_ml: Decimal
    reason: str


def _form_data(data: dict[str, Any]) -> dict[str, str]:
    return {k: ("on" if v else "") if isinstance(v, bool) else (v.isoformat() if isinstance(v, dt.date) else str(v))
            for k, v in data.items()}


@router.post("/products/{product_id}/lots", response={201: LotOut}, auth=auth.ADMIN, summary="Receive a lot")
def receive(request: HttpRequest, product_id: int, payload: ReceiveIn) -> Any:
    """A delivered lot (clinic admin): ``vials_received`` times the product's vial volume. A lot
    number already recorded for the product is refused with 409."""
    product = services.get_product(clinic(request), product_id)
    form = ReceiveLotForm(_form_data(payload.model_dump()), product=product, today=timezone.localdate())
    if not form.is_valid():
        raise invalid(form_errors(form))
    if Lot.objects.filter(product=product, lot_number__iexact=form.cleaned_data["lot_number"]).exists():
        message = f"Lot {form.cleaned_data['lot_number']} of {product.name} is already recorded."
        raise Problem(409, message, kind="duplicate-lot", errors=[FieldError("lot_number", message)])
    lot = services.receive_lot(
        actor(request), product, lot_number=form.cleaned_data["lot_number"], expiry_date=form.cleaned_data["expiry_date"],
        quantity_ml=form.quantity_ml(), supplier=form.cleaned_data["supplier"], received_on=form.cleaned_data["received_on"],
    )
    return Status(201, _out(lot, timezone.localdate()))


@router.post("/lots/{lot_id}/recall", response=LotOut, auth=auth.ADMIN, summary="Recall a lot (irreversible)")
def recall(request: HttpRequest, lot_id: int, payload: RecallIn) -> Any:
    """The lot can never be selected again. ``confirm`` must be true; a lot already recalled gets 409."""
    lot = services.get_lot(clinic(request), lot_id)
    form = RecallForm(_form_data(payload.model_dump()))
    if not form.is_valid():
        raise invalid(form_errors(form))
    recalled = services.recall_lot(actor(request), lot, form.cleaned_data["reason"])
    return _out(services.get_lot(clinic(request), recalled.pk), timezone.localdate())


@router.post("/lots/{lot_id}/adjust", response=LotOut, auth=auth.ADMIN, summary="Discard stock or correct the count")
def adjust(request: HttpRequest, lot_id: int, payload: AdjustIn) -> Any:
    """``discard`` and ``remove`` take ``quantity_ml`` off, ``add`` puts it on; never below zero."""
    lot = services.get_lot(clinic(request), lot_id)
    form = AdjustForm(_form_data(payload.model_dump()))
    if not form.is_valid():
        raise invalid(form_errors(form))
    services.adjust_stock(actor(request), lot, form.signed_quantity(), form.cleaned_data["reason"], kind=form.kind())
    return _out(services.get_lot(clinic(request), lot.pk), timezone.localdate())
