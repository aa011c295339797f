"""Stock pages: clinic admins manage products and lots; trichologists and practitioners look.

Reception has no access. Every id is looked up within ``request.clinic`` (404 otherwise).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy

from anagen.accounts.permissions import admin_only, clinical
from anagen.audit.services import Actor
from anagen.catalog import services
from anagen.catalog.forms import (
    AdjustForm,
    ProductForm,
    RecallForm,
    ReceiveLotForm,
    component_formset,
)
from anagen.core.errors import InvalidInput

# A lot's status on the product page: the code the template compares, the words the reader sees.
LOT_STATUS_LABELS = {
    "recalled": pgettext_lazy("lot status", "recalled"),
    "expired": pgettext_lazy("lot status", "expired"),
    "used up": pgettext_lazy("lot status", "used up"),
    "expiring soon": pgettext_lazy("lot status", "expiring soon"),
    "usable": pgettext_lazy("lot status", "usable"),
}


def _add_stock_error(form: Any, exc: services.StockError) -> None:
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, exc.message)


@clinical
def home(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    products = list(services.products(request.clinic).order_by("-active", "name", "id"))
    usable = services.usable_ml(request.clinic, today)
    zero = Decimal("0.00")
    rows = [
        {"product": p, "usable_ml": usable.get(p.pk, zero), "usable_vials": p.vials(usable.get(p.pk, zero))}
        for p in products
    ]
    context = {
        "rows": rows,
        "alerts": services.stock_alerts(request.clinic, today),
        "recalled": services.recalled_lots(request.clinic)[:20],
        "today": today,
        "alert_days": services.expiry_alert_days(),
    }
    return render(request, "catalog/home.html", context)


def _product_form_page(request: HttpRequest, product: Any = None) -> HttpResponse:
    data = request.POST if request.method == "POST" else None
    form = ProductForm(data, instance=product)
    formset = component_formset(data, product)
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            saved = services.save_product(
                Actor.from_request(request), request.clinic, form.values(), formset.rows(), product=product
            )
        except services.StockError as exc:
            _add_stock_error(form, exc)
        except InvalidInput as exc:  # the form checks the same rules; this is the service's guard
            for error in exc.errors:
                form.add_error(None, error.message)
        else:
            messages.success(request, gettext("Saved %(product)s.") % {"product": saved.name})
            return redirect("catalog:product_detail", product_id=saved.pk)
    failed = request.method == "POST"
    context = {"form": form, "formset": formset, "product": product, "creating": product is None}
    return render(request, "catalog/product_form.html", context, status=400 if failed else 200)


@admin_only
def product_create(request: HttpRequest) -> HttpResponse:
    return _product_form_page(request)


@admin_only
def product_edit(request: HttpRequest, product_id: int) -> HttpResponse:
    return _product_form_page(request, services.get_product(request.clinic, product_id))


@clinical
def product_detail(request: HttpRequest, product_id: int) -> HttpResponse:
    product = services.get_product(request.clinic, product_id)
    today = timezone.localdate()
    horizon = services.expiry_alert_days()
    lots = []
    for lot in services.lots_of(product):
        if lot.is_recalled:
            status = "recalled"
        elif lot.expiry_date < today:
            status = "expired"
        elif lot.remaining_ml <= 0:
            status = "used up"
        elif (lot.expiry_date - today).days <= horizon:
            status = "expiring soon"
        else:
            status = "usable"
        lots.append({"lot": lot, "status": status, "label": LOT_STATUS_LABELS[status]})
    context = {"product": product, "lots": lots, "today": today}
    return render(request, "catalog/product_detail.html", context)


@admin_only
def lot_receive(request: HttpRequest, product_id: int) -> HttpResponse:
    product = services.get_product(request.clinic, product_id)
    form = ReceiveLotForm(request.POST or None, product=product)
    if request.method == "POST" and form.is_valid():
        try:
            lot = services.receive_lot(
                Actor.from_request(request), product,
                lot_number=form.cleaned_data["lot_number"], expiry_date=form.cleaned_data["expiry_date"],
                quantity_ml=form.quantity_ml(), supplier=form.cleaned_data["supplier"],
                received_on=form.cleaned_data["received_on"],
            )
        except services.StockError as exc:
            _add_stock_error(form, exc)
        else:
            messages.success(request, gettext("Received lot %(lot)s: %(ml)s mL.") % {"lot": lot.lot_number, "ml": lot.quantity_received_ml})
            return redirect("catalog:lot_detail", lot_id=lot.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "catalog/lot_receive.html", {"form": form, "product": product}, status=status)


@clinical
def lot_detail(request: HttpRequest, lot_id: int) -> HttpResponse:
    lot = services.get_lot(request.clinic, lot_id)
    today = timezone.localdate()
    context = {
        "lot": lot,
        "product": lot.product,
        "movements": lot.movements.select_related("by").order_by("-at", "-id"),
        "patient_movement_count": services.lot_recipients_movements(lot).count(),
        "expired": lot.expiry_date < today,
        "today": today,
    }
    return render(request, "catalog/lot_detail.html", context)


@admin_only
def lot_recall(request: HttpRequest, lot_id: int) -> HttpResponse:
    lot = services.get_lot(request.clinic, lot_id)
    form = RecallForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.recall_lot(Actor.from_request(request), lot, form.cleaned_data["reason"])
        except services.StockError as exc:
            _add_stock_error(form, exc)
        else:
            messages.warning(request, gettext("Lot %(lot)s is recalled: it can no longer be selected for a session.") % {"lot": lot.lot_number})
            return redirect("catalog:lot_detail", lot_id=lot.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "catalog/lot_recall.html", {"form": form, "lot": lot, "product": lot.product}, status=status)


@admin_only
def lot_adjust(request: HttpRequest, lot_id: int) -> HttpResponse:
    lot = services.get_lot(request.clinic, lot_id)
    form = AdjustForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.adjust_stock(
                Actor.from_request(request), lot, form.signed_quantity(), form.cleaned_data["reason"], kind=form.kind()
            )
        except services.StockError as exc:
            _add_stock_error(form, exc)
        else:
            messages.success(request, gettext("Recorded the change to lot %(lot)s.") % {"lot": lot.lot_number})
            return redirect("catalog:lot_detail", lot_id=lot.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "catalog/lot_adjust.html", {"form": form, "lot": lot, "product": lot.product}, status=status)
