"""Billing pages: price list, invoices, payments, refunds, packages, PDFs and the reception
dashboard. Reception works here; nothing clinical is shown. Every id is looked up within
``request.clinic`` (404 otherwise)."""

from __future__ import annotations

import json

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from anagen.accounts.models import document_language
from anagen.accounts.permissions import admin_only, any_staff
from anagen.audit.services import Actor, record_read
from anagen.billing import pdf, qr, razorpay, services
from anagen.billing.forms import (
    InvoiceForm,
    PaymentForm,
    PriceItemForm,
    RedeemForm,
    RefundForm,
    SettingsForm,
    form_field,
)
from anagen.billing.models import PriceItem
from anagen.core.billing import amount_in_words, format_paise
from anagen.core.errors import Conflict, InvalidInput, InvalidState
from anagen.patients.views import patient_for
from anagen.reminders import services as reminders
from anagen.scheduling import services as scheduling
from anagen.ui.forms import add_errors_from


@any_staff
def home(request: HttpRequest) -> HttpResponse:
    invoices = services.recent_invoices(request.clinic)
    services.record_list_read(Actor.from_request(request), "invoices", [i.patient_id for i in invoices])
    return render(request, "billing/home.html", {"invoices": invoices})


@any_staff
def reception(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    appointments = scheduling.appointments_for_day(request.clinic, today)
    unpaid = services.unpaid_invoices(request.clinic)
    packages = services.open_packages(request.clinic)
    failed = reminders.failed_messages(request.clinic)
    ids = [a.patient_id for a in appointments] + [i.patient_id for i in unpaid] + [p.patient_id for p in packages] + [m.patient_id for m in failed]
    services.record_list_read(Actor.from_request(request), "reception", ids)
    context = {"today": today, "appointments": appointments, "unpaid": unpaid, "packages": packages, "failed": failed}
    return render(request, "billing/reception.html", context)


@any_staff
def patient_billing(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = patient_for(request, patient_id, audit_read=False)
    record_read(Actor.from_request(request), "billing", patient.pk, patient.pk)
    context = {"patient": patient, "invoices": services.patient_invoices(patient),
               "packages": list(patient.packages.all())}
    return render(request, "billing/patient.html", context)


@any_staff
def new_invoice(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = patient_for(request, patient_id, audit_read=False)
    items = services.price_items(request.clinic, active_only=True)
    courses = services.patient_courses(patient)
    form = InvoiceForm(request.POST or None, items=items, courses=courses, active=services.active_course(patient))
    if request.method == "POST" and form.is_valid():
        try:
            invoice = services.create_invoice(
                Actor.from_request(request), patient, [services.LineRequest(i, q, d) for i, q, d in form.lines()],
                today=timezone.localdate(), customer_state_code=form.cleaned_data["customer_state_code"],
                customer_gstin=form.cleaned_data["customer_gstin"],
                course=form.course() if courses else None,
            )
        except InvalidInput as exc:
            add_errors_from(form, exc, rename=form.field_for)
        else:
            messages.success(request, _("Invoice %(number)s issued.") % {"number": invoice.number})
            return redirect("billing:invoice", invoice_id=invoice.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "billing/invoice_form.html", {"patient": patient, "form": form, "items": items}, status=status)


def _invoice_page(request: HttpRequest, invoice, payment_form=None, refund_form=None, status: int = 200) -> HttpResponse:
    lines = list(invoice.lines.all())
    context = {
        "invoice": invoice, "lines": lines, "payments": list(invoice.payments.all()),
        "gross_paise": sum(line.unit_price_paise * line.quantity for line in lines),
        "discount_paise": sum(line.discount_paise for line in lines),
        "amount_in_words": amount_in_words(invoice.total_paise, get_language()),
        # The totals sit under the line totals: every column before the last is spanned.
        "total_span": 9 if invoice.intra_state else 8,
        "refunds": list(invoice.refunds.all()), "packages": services.open_packages(invoice.clinic, invoice.patient),
        "course_covers": services.course_covers(services.invoice_packages(invoice)),
        "payment_form": payment_form or PaymentForm(initial={"amount": f"{invoice.balance_paise / 100:.2f}"}),
        "refund_form": refund_form or RefundForm(prefix="refund"),
        "payment_links": list(invoice.payment_links.all()), "links_enabled": services.payment_links_enabled(),
    }
    upi_request = services.upi_request_for(invoice)
    if upi_request is not None:
        context["upi"] = upi_request
        context["upi_qr"] = qr.svg(upi_request.uri, _("UPI QR code for the balance due"))
    return render(request, "billing/invoice.html", context, status=status)


@any_staff
def invoice_detail(request: HttpRequest, invoice_id: int) -> HttpResponse:
    invoice = services.get_invoice(Actor.from_request(request), request.clinic, invoice_id)
    return _invoice_page(request, invoice)


@any_staff
@require_POST
def pay(request: HttpRequest, invoice_id: int) -> HttpResponse:
    actor = Actor.from_request(request)
    invoice = services.get_invoice(actor, request.clinic, invoice_id)
    form = PaymentForm(request.POST)
    if form.is_valid():
        try:
            services.record_payment(actor, invoice, amount_paise=form.cleaned_data["amount"], method=form.cleaned_data["method"],
                                    reference=form.cleaned_data["reference"])
        except InvalidInput as exc:
            add_errors_from(form, exc, rename=form_field)
        else:
            messages.success(request, _("Payment recorded."))
            return redirect("billing:invoice", invoice_id=invoice.pk)
    return _invoice_page(request, invoice, payment_form=form, status=400)


@any_staff
@require_POST
def refund(request: HttpRequest, invoice_id: int) -> HttpResponse:
    actor = Actor.from_request(request)
    invoice = services.get_invoice(actor, request.clinic, invoice_id)
    form = RefundForm(request.POST, prefix="refund")
    if form.is_valid():
        try:
            services.record_refund(actor, invoice, amount_paise=form.cleaned_data["amount"], method=form.cleaned_data["method"],
                                   reason=form.cleaned_data["reason"])
        except InvalidInput as exc:
            add_errors_from(form, exc, rename=form_field)
        else:
            messages.success(request, _("Refund recorded."))
            return redirect("billing:invoice", invoice_id=invoice.pk)
    return _invoice_page(request, invoice, refund_form=form, status=400)


@any_staff
@require_POST
def payment_link(request: HttpRequest, invoice_id: int) -> HttpResponse:
    actor = Actor.from_request(request)
    invoice = services.get_invoice(actor, request.clinic, invoice_id)
    try:
        link = services.create_payment_link(actor, invoice)
    except InvalidState as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Payment link for %(amount)s sent to the patient by Razorpay.") % {"amount": format_paise(link.amount_paise)})
    return redirect("billing:invoice", invoice_id=invoice.pk)


@csrf_exempt
@require_POST
def razorpay_webhook(request: HttpRequest) -> HttpResponse:
    """Razorpay's events, signed with X-Razorpay-Signature; unsigned or wrongly signed is refused
    (403) before anything is read."""
    if not razorpay.signature_ok(request.body, request.headers.get("X-Razorpay-Signature", "")):
        return JsonResponse({"error": "bad signature"}, status=403)
    try:
        payload = json.loads(request.body)
    except ValueError:
        return JsonResponse({"error": "expected JSON"}, status=400)
    return JsonResponse({"outcome": services.record_link_event(payload)})


def _pdf_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@any_staff
def invoice_pdf(request: HttpRequest, invoice_id: int) -> HttpResponse:
    invoice = services.get_invoice(Actor.from_request(request), request.clinic, invoice_id, audit_as="export")
    # In the patient's language unless staff print another (?language=hi) for a relative.
    with translation.override(document_language(request.GET.get("language"), invoice.patient.preferred_language)):
        content = pdf.invoice_pdf(invoice)
    return _pdf_response(content, f"invoice-{invoice.number.replace('/', '-')}.pdf")


@any_staff
def receipt_pdf(request: HttpRequest, payment_id: int) -> HttpResponse:
    payment = services.get_payment(Actor.from_request(request), request.clinic, payment_id)
    with translation.override(document_language(request.GET.get("language"), payment.invoice.patient.preferred_language)):
        content = pdf.receipt_pdf(payment)
    return _pdf_response(content, f"receipt-{payment.pk:06d}.pdf")


@any_staff
def package_detail(request: HttpRequest, package_id: int) -> HttpResponse:
    actor = Actor.from_request(request)
    package = services.get_package(actor, request.clinic, package_id)
    appointments = services.redeemable_appointments(package)
    form = RedeemForm(request.POST or None, appointments=appointments)
    if request.method == "POST" and form.is_valid():
        try:
            services.redeem_session(actor, package, form.appointments[form.cleaned_data["appointment"]])
        except (InvalidInput, Conflict) as exc:
            add_errors_from(form, exc, rename=form_field)
        else:
            messages.success(request, _("Session redeemed: %(left)s left.") % {"left": package.sessions_left})
            return redirect("billing:package", package_id=package.pk)
    context = {"package": package, "form": form, "redemptions": list(package.redemptions.select_related("appointment"))}
    return render(request, "billing/package.html", context, status=400 if request.method == "POST" else 200)


@admin_only
def price_list(request: HttpRequest) -> HttpResponse:
    form = PriceItemForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_price_item(Actor.from_request(request), request.clinic, form.values())
        except InvalidInput as exc:
            add_errors_from(form, exc, rename=form_field)
        else:
            messages.success(request, _("Item added to the price list."))
            return redirect("billing:prices")
    context = {"items": services.price_items(request.clinic), "form": form}
    return render(request, "billing/prices.html", context, status=400 if request.method == "POST" else 200)


@admin_only
def price_edit(request: HttpRequest, item_id: int) -> HttpResponse:
    item = PriceItem.objects.filter(pk=item_id, clinic=request.clinic).first()
    if item is None:
        raise Http404
    form = PriceItemForm(request.POST or None, initial=PriceItemForm.initial_for(item))
    if request.method == "POST" and form.is_valid():
        try:
            services.save_price_item(Actor.from_request(request), request.clinic, form.values(), item)
        except InvalidInput as exc:
            add_errors_from(form, exc, rename=form_field)
        else:
            messages.success(request, _("Saved %(name)s.") % {"name": item.name})
            return redirect("billing:prices")
    return render(request, "billing/price_edit.html", {"item": item, "form": form}, status=400 if request.method == "POST" else 200)


@admin_only
def billing_settings(request: HttpRequest) -> HttpResponse:
    stored = services.settings_for(request.clinic)
    initial = {"state_code": stored.state_code, "invoice_prefix": stored.invoice_prefix, "gstin": request.clinic.gstin,
               "upi_id": stored.upi_id, "upi_payee_name": stored.upi_payee_name}
    form = SettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_settings(Actor.from_request(request), request.clinic, **form.cleaned_data)
        except InvalidInput as exc:
            add_errors_from(form, exc, rename=form_field)
        else:
            messages.success(request, _("Billing settings saved."))
            return redirect("billing:settings")
    return render(request, "billing/settings.html", {"form": form}, status=400 if request.method == "POST" else 200)
