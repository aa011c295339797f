"""Lots (the stock pages' viewers: admin, trichologist, practitioner) and lot recipients (clinical)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema

from anagen.api import auth
from anagen.api.common import MAX_ID, actor, clinic, page_of, paginate
from anagen.catalog import services
from anagen.catalog.models import Lot
from anagen.safety import services as safety

router = Router(tags=["lots"])


class LotOut(Schema):
    id: int
    product_id: int
    product_name: str
    lot_number: str
    expiry_date: dt.date
    quantity_received_ml: Decimal
    remaining_ml: Decimal
    supplier: str
    received_on: dt.date
    recalled_at: dt.datetime | None
    recall_reason: str
    usable_today: bool


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
    if usable:
        qs = services.selectable_lots(clinic(request), today)
    else:
        qs = Lot.objects.filter(product__clinic=clinic(request)).select_related("product").order_by("expiry_date", "received_on", "id")
    if product_id is not None:
        qs = qs.filter(product_id=product_id)
    items, meta = paginate(qs, page, page_size)
    return {"items": [_out(lot, today) for lot in items], **meta}


@router.get("/lots/{lot_id}", response=LotOut, auth=auth.STOCK_VIEWERS, summary="Read a lot")
def get_lot(request: HttpRequest, lot_id: int) -> Any:
    return _out(services.get_lot(clinic(request), lot_id), timezone.localdate())


class ReportedEventOut(Schema):
    event_id: int
    event_type: str
    severity: str
    onset_date: dt.date


class RecipientOut(Schema):
    patient_id: int
    mrn: str
    name: str
    phone: str
    email: str
    session_id: int
    performed_on: dt.date
    volume_ml: Decimal
    events: list[ReportedEventOut]


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
