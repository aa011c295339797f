"""Billing (every member of staff, as on the billing pages): the price list, GST invoices, payments
and refunds, course packages and their redemption. Amounts are whole paise."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Field, ModelSchema, Query, Router, Schema, Status

from anagen.api import auth
from anagen.api.common import MAX_ID, Id, ModelOut, actor, clinic, page_of
from anagen.api.problems import Problem, from_invalid_input, invalid
from anagen.billing import services
from anagen.billing.models import Invoice, ItemKind, PatientPackage, PriceItem
from anagen.core import billing as rules
from anagen.core.errors import FieldError, InvalidInput
from anagen.patients.models import Patient
from anagen.scheduling.models import Appointment

router = Router(tags=["billing"])

PaymentMethod = Literal["cash", "upi", "card", "bank_transfer"]
MAX_PAISE = 10**12


class PriceItemOut(ModelSchema, ModelOut):
    id: int
    tax_class: Literal["medical_exempt", "cosmetic", "goods"]

    class Meta:
        model = "billing.PriceItem"
        fields = ["id", "kind", "name", "price_paise", "code", "gst_rate_bp", "sessions", "active"]


class LineOut(Schema):
    position: int
    item_id: int | None
    description: str
    kind: str
    tax_class: Literal["medical_exempt", "cosmetic", "goods"]
    code: str
    gst_rate_bp: int
    quantity: int
    unit_price_paise: int
    # Off the line before GST (unit price × quantity − discount = taxable).
    discount_paise: int
    taxable_paise: int
    cgst_paise: int
    sgst_paise: int
    igst_paise: int
    total_paise: int


class PaymentOut(ModelSchema, ModelOut):
    id: int

    class Meta:
        model = "billing.Payment"
        fields = ["id", "amount_paise", "method", "reference", "received_at"]


class RefundOut(ModelSchema, ModelOut):
    id: int

    class Meta:
        model = "billing.Refund"
        fields = ["id", "amount_paise", "method", "reason", "refunded_at"]


class InvoiceOut(ModelSchema, ModelOut):
    id: int
    patient_id: int
    balance_paise: int
    lines: list[LineOut]
    payments: list[PaymentOut]
    refunds: list[RefundOut]

    class Meta:
        model = "billing.Invoice"
        fields = ["id", "number", "issued_on", "clinic_gstin", "clinic_state_code", "customer_state_code", "customer_gstin", "intra_state", "taxable_paise", "cgst_paise", "sgst_paise", "igst_paise", "total_paise", "paid_paise", "refunded_paise"]


class LineIn(Schema):
    item_id: Id
    quantity: int = 1
    # Off this line's price, before GST; at most the line's price.
    discount_paise: int = 0


class InvoiceIn(Schema):
    patient_id: Id
    lines: list[LineIn]
    customer_state_code: str = ""
    customer_gstin: str = ""


class PaymentIn(Schema):
    amount_paise: int
    method: PaymentMethod
    reference: str = ""


class RefundIn(Schema):
    amount_paise: int
    method: PaymentMethod
    reason: str


class PackageOut(Schema):
    id: int
    patient_id: int
    name: str
    sessions_total: int
    sessions_used: int
    sold_on: dt.date
    invoice_id: int


class RedeemIn(Schema):
    appointment_id: Id


class RedemptionOut(ModelSchema, ModelOut):
    id: int
    package_id: int
    appointment_id: int
    treatment_session_id: int | None

    class Meta:
        model = "billing.Redemption"
        fields = ["id", "number", "redeemed_at"]


def _invoice_out(invoice: Invoice) -> dict[str, Any]:
    data = {name: getattr(invoice, name) for name in InvoiceOut.model_fields if name not in ("lines", "payments", "refunds")}
    data["lines"] = list(invoice.lines.all().order_by("position"))
    data["payments"] = list(invoice.payments.all().order_by("received_at", "id"))
    data["refunds"] = list(invoice.refunds.all().order_by("refunded_at", "id"))
    return data


def _package_out(package: PatientPackage) -> dict[str, Any]:
    data = {name: getattr(package, name) for name in PackageOut.model_fields if name != "invoice_id"}
    data["invoice_id"] = package.invoice_line.invoice_id
    return data


def _amount(value: int) -> None:
    if not 0 < value <= MAX_PAISE:
        raise invalid([FieldError("amount_paise", "The amount must be more than zero (in paise).")])


def _money_problem(exc: InvalidInput) -> Problem:
    return from_invalid_input(InvalidInput([FieldError("amount_paise" if e.field == "amount" else e.field, e.message) for e in exc.errors]))


@router.get("/price-items", response=page_of(PriceItemOut), auth=auth.ANY_STAFF, summary="List the price list")
def list_price_items(request: HttpRequest, active: bool | None = None, page: int = Query(1, ge=1, le=100_000),
                     page_size: int = Query(25, ge=1, le=100)) -> Any:
    """By name, then id: the items an invoice may bill (``active=true``: those still sold)."""
    found = services.list_price_items(clinic(request), active=active, page=page, page_size=page_size)
    return {"items": found.items, **found.meta}


@router.get("/invoices", response=page_of(InvoiceOut), auth=auth.ANY_STAFF, summary="List invoices")
def list_invoices(request: HttpRequest, patient_id: int | None = Query(None, ge=1, le=MAX_ID), unpaid: bool = False,
                  page: int = Query(1, ge=1, le=100_000), page_size: int = Query(25, ge=1, le=100)) -> Any:
    """Newest first (issue date, number). One audit entry names the patients listed."""
    found = services.list_invoices(actor(request), clinic(request), view="invoices", patient_id=patient_id, unpaid=unpaid,
                                   page=page, page_size=page_size)
    return {"items": [_invoice_out(i) for i in found.items], **found.meta}


@router.get("/invoices/{invoice_id}", response=InvoiceOut, auth=auth.ANY_STAFF, summary="Read an invoice")
def get_invoice(request: HttpRequest, invoice_id: int) -> Any:
    return _invoice_out(services.get_invoice(actor(request), clinic(request), invoice_id))


@router.post("/invoices", response={201: InvoiceOut}, auth=auth.ANY_STAFF, summary="Issue a GST invoice")
def create_invoice(request: HttpRequest, payload: InvoiceIn) -> Any:
    """Lines of active price-list items; GST split by the customer's state (blank: the clinic's).
    Numbered in sequence per financial year; an invoice is never changed after issue. A package
    line opens the package for redemption."""
    patient = Patient.objects.filter(pk=payload.patient_id, clinic=clinic(request)).first()
    errors: list[FieldError] = []
    if patient is None:
        errors.append(FieldError("patient_id", "No such patient in your clinic."))
    if not payload.lines:
        errors.append(FieldError("lines", "Add at least one item."))
    if len(payload.lines) > 50:
        errors.append(FieldError("lines", "At most 50 lines per invoice."))
    lines = []
    items = {i.pk: i for i in PriceItem.objects.filter(clinic=clinic(request), pk__in=[line.item_id for line in payload.lines[:50]])}
    for index, line in enumerate(payload.lines[:50]):
        item = items.get(line.item_id)
        if item is None:
            errors.append(FieldError(f"lines.{index}.item_id", "No such item on your price list."))
        if not 1 <= line.quantity <= rules.MAX_QUANTITY:
            errors.append(FieldError(f"lines.{index}.quantity", f"The quantity is 1 to {rules.MAX_QUANTITY}."))
        if item is not None:
            lines.append(services.LineRequest(item, line.quantity, line.discount_paise))
    for name in ("customer_state_code", "customer_gstin"):
        if len(getattr(payload, name)) > 15:
            errors.append(FieldError(name, "Too long."))
    if errors:
        raise invalid(errors)
    invoice = services.create_invoice(actor(request), patient, lines, today=timezone.localdate(),  # type: ignore[arg-type]
                                      customer_state_code=payload.customer_state_code, customer_gstin=payload.customer_gstin)
    return Status(201, _invoice_out(invoice))


@router.post("/invoices/{invoice_id}/payments", response={201: InvoiceOut}, auth=auth.ANY_STAFF, summary="Record a payment")
def pay(request: HttpRequest, invoice_id: int, payload: PaymentIn) -> Any:
    """At most the balance due; UPI and bank transfers need the transaction ``reference``."""
    who = actor(request)
    invoice = services.get_invoice(who, clinic(request), invoice_id)
    _amount(payload.amount_paise)
    if len(payload.reference) > 100:
        raise invalid([FieldError("reference", "At most 100 characters.")])
    try:
        services.record_payment(who, invoice, amount_paise=payload.amount_paise, method=payload.method, reference=payload.reference)
    except InvalidInput as exc:
        raise _money_problem(exc) from exc
    return Status(201, _invoice_out(invoice))


@router.post("/invoices/{invoice_id}/refunds", response={201: InvoiceOut}, auth=auth.ANY_STAFF, summary="Record a refund")
def refund(request: HttpRequest, invoice_id: int, payload: RefundIn) -> Any:
    """At most what was paid and not yet refunded, with the reason."""
    who = actor(request)
    invoice = services.get_invoice(who, clinic(request), invoice_id)
    _amount(payload.amount_paise)
    try:
        services.record_refund(who, invoice, amount_paise=payload.amount_paise, method=payload.method, reason=payload.reason)
    except InvalidInput as exc:
        raise _money_problem(exc) from exc
    return Status(201, _invoice_out(invoice))


@router.get("/packages", response=page_of(PackageOut), auth=auth.ANY_STAFF, summary="List course packages")
def list_packages(request: HttpRequest, patient_id: int | None = Query(None, ge=1, le=MAX_ID), open_only: bool = False,
                  page: int = Query(1, ge=1, le=100_000), page_size: int = Query(25, ge=1, le=100)) -> Any:
    """By sale date, then id (``open_only``: those with sessions left). One audit entry names the patients."""
    found = services.list_packages(actor(request), clinic(request), view="packages", patient_id=patient_id,
                                   open_only=open_only, page=page, page_size=page_size)
    return {"items": [_package_out(p) for p in found.items], **found.meta}


@router.get("/packages/{package_id}", response=PackageOut, auth=auth.ANY_STAFF, summary="Read a package")
def get_package(request: HttpRequest, package_id: int) -> Any:
    return _package_out(services.get_package(actor(request), clinic(request), package_id))


@router.post("/packages/{package_id}/redeem", response={201: RedemptionOut}, auth=auth.ANY_STAFF,
             summary="Use a package session for an appointment")
def redeem(request: HttpRequest, package_id: int, payload: RedeemIn) -> Any:
    """For an arrived or completed appointment of the same patient, once per appointment (again: 409);
    a used-up package gets 409."""
    who = actor(request)
    package = services.get_package(who, clinic(request), package_id)
    appointment = Appointment.objects.filter(pk=payload.appointment_id, clinic=clinic(request)).first()
    if appointment is None:
        raise invalid([FieldError("appointment_id", "No such appointment in your clinic.")])
    try:
        redemption = services.redeem_session(who, package, appointment)
    except InvalidInput as exc:  # the service names the appointment; the API calls it appointment_id
        raise from_invalid_input(InvalidInput([FieldError("appointment_id" if e.field == "appointment" else e.field, e.message)
                                               for e in exc.errors])) from exc
    return Status(201, redemption)


# ------------------------------------------------------------- price list and settings (admin)


class PriceItemIn(Schema):
    kind: Literal["package", "session", "product", "service"]
    name: str
    price_paise: int
    tax_class: Literal["medical_exempt", "cosmetic", "goods"]
    code: str = ""
    gst_rate_bp: int | None = None
    sessions: int = 0
    active: bool = True


class BillingSettingsOut(Schema):
    state_code: str
    invoice_prefix: str
    gstin: str
    upi_id: str
    upi_payee_name: str


class BillingSettingsIn(Schema):
    state_code: str
    invoice_prefix: str
    gstin: str = ""
    upi_id: str | None = Field(None, description="name@bank; invoices then carry a UPI QR for the amount due. Omitted: unchanged.")
    upi_payee_name: str | None = Field(None, description="The name UPI apps show the payer. Omitted: unchanged.")


def _price_values(payload: PriceItemIn) -> dict[str, Any]:
    errors = []
    if payload.kind not in ItemKind.values:
        errors.append(FieldError("kind", f"Choose one of: {', '.join(ItemKind.values)}."))
    if payload.tax_class not in rules.TaxClass._value2member_map_:
        errors.append(FieldError("tax_class", f"Choose one of: {', '.join(t.value for t in rules.TaxClass)}."))
    if not 0 <= payload.price_paise <= MAX_PAISE:
        errors.append(FieldError("price_paise", "The price is zero or more (in paise)."))
    if len(payload.name) > 150:
        errors.append(FieldError("name", "At most 150 characters."))
    if len(payload.code) > 8:
        errors.append(FieldError("code", "A SAC or HSN code has 4 to 8 digits."))
    if not 0 <= payload.sessions <= 50:
        errors.append(FieldError("sessions", "A package has between 1 and 50 sessions."))
    if payload.gst_rate_bp is not None and not 0 <= payload.gst_rate_bp <= 10_000:
        errors.append(FieldError("gst_rate_bp", "The GST rate is in basis points, e.g. 1800 for 18%."))
    if errors:
        raise invalid(errors)
    values = payload.dict()
    if values["gst_rate_bp"] is None:
        values.pop("gst_rate_bp")
    return values


def _billing_problem(exc: InvalidInput) -> Problem:
    return from_invalid_input(InvalidInput([FieldError({"gst_rate": "gst_rate_bp", "unit_price": "price_paise"}.get(e.field, e.field), e.message)
                                            for e in exc.errors]))


@router.post("/price-items", response={201: PriceItemOut}, auth=auth.ADMIN, tags=["clinic settings"], summary="Add a price-list item")
def create_price_item(request: HttpRequest, payload: PriceItemIn) -> Any:
    """``gst_rate_bp`` defaults by tax class (exempt medical treatment: 0); a blank ``code`` gets the
    default SAC/HSN code. Names are unique in the clinic (422 naming ``name``)."""

    try:
        item = services.save_price_item(actor(request), clinic(request), _price_values(payload))
    except InvalidInput as exc:
        raise _billing_problem(exc) from exc
    return Status(201, item)


@router.put("/price-items/{item_id}", response=PriceItemOut, auth=auth.ADMIN, tags=["clinic settings"], summary="Change a price-list item")
def update_price_item(request: HttpRequest, item_id: int, payload: PriceItemIn) -> Any:
    """Issued invoices keep their own copy of each line, so a change affects new invoices only."""

    item = PriceItem.objects.filter(pk=item_id, clinic=clinic(request)).first()
    if item is None:
        raise Http404
    try:
        return services.save_price_item(actor(request), clinic(request), _price_values(payload), item)
    except InvalidInput as exc:
        raise _billing_problem(exc) from exc


def _billing_settings(request: HttpRequest) -> dict[str, str]:

    stored = services.settings_for(clinic(request))
    return {"state_code": stored.state_code or "", "invoice_prefix": stored.invoice_prefix or "", "gstin": clinic(request).gstin or "",
            "upi_id": stored.upi_id, "upi_payee_name": stored.upi_payee_name}


@router.get("/billing-settings", response=BillingSettingsOut, auth=auth.ADMIN, tags=["clinic settings"], summary="Read the billing settings")
def get_billing_settings(request: HttpRequest) -> Any:
    return _billing_settings(request)


@router.put("/billing-settings", response=BillingSettingsOut, auth=auth.ADMIN, tags=["clinic settings"], summary="Change the billing settings")
def put_billing_settings(request: HttpRequest, payload: BillingSettingsIn) -> Any:
    """The clinic's GST state (two-digit code), invoice prefix (1-6 capitals or digits) and GSTIN."""

    errors = [FieldError(name, "Too long.") for name, limit in (("state_code", 2), ("invoice_prefix", 6), ("gstin", 15))
              if len(getattr(payload, name)) > limit]
    if errors:
        raise invalid(errors)
    services.save_settings(actor(request), clinic(request), state_code=payload.state_code,
                           invoice_prefix=payload.invoice_prefix, gstin=payload.gstin, upi_id=payload.upi_id,
                           upi_payee_name=payload.upi_payee_name)
    return _billing_settings(request)
