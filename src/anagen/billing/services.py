"""Use cases of billing. Each write is one transaction with its audit entry.

- ``create_invoice``: lines from the price list, GST per line from anagen.core.billing, the next
  number of the clinic's financial year from a locked counter row, and a package per package line.
- ``record_payment`` / ``record_refund``: partial payments, refunds with a reason; the invoice
  row is locked so two cashiers cannot overpay or over-refund it.
- ``redeem_session``: one session of a package for one arrived or completed appointment (and its
  treatment session, if recorded); the package row is locked and a database check keeps the count
  from going below zero.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from anagen.accounts.models import Clinic, User
from anagen.audit import services as audit
from anagen.audit.pages import Page, page_of_query
from anagen.audit.services import Actor
from anagen.billing import razorpay
from anagen.billing.models import (
    BillingSettings,
    Invoice,
    InvoiceCounter,
    InvoiceLine,
    ItemKind,
    LinkStatus,
    Method,
    PatientPackage,
    Payment,
    PaymentLink,
    PriceItem,
    Redemption,
    Refund,
)
from anagen.core import billing as rules
from anagen.core import upi
from anagen.core.errors import Duplicate, InvalidInput, InvalidState, NotFound
from anagen.patients.models import Patient
from anagen.procedures.models import TreatmentSession
from anagen.scheduling.models import Appointment, Status
from anagen.treatments.models import Course, CourseStatus

# --- settings and price list -------------------------------------------------------------------


def settings_for(clinic: Clinic) -> BillingSettings:
    return BillingSettings.objects.filter(clinic=clinic).first() or BillingSettings(clinic=clinic)


def save_settings(actor: Actor, clinic: Clinic, *, state_code: str, invoice_prefix: str, gstin: str,
                  upi_id: str | None = None, upi_payee_name: str | None = None) -> BillingSettings:
    """``upi_id`` / ``upi_payee_name`` None: left as they are (callers that do not show them)."""
    state_code = rules.check_state_code(state_code)
    if not state_code:
        raise InvalidInput.single("state_code", _("Choose the clinic's state."))
    prefix = rules.check_prefix(invoice_prefix)
    gstin = rules.check_gstin(gstin, state_code)
    upi_id = upi.check_upi_id(upi_id) if upi_id is not None else None
    upi_payee_name = upi.check_payee_name(upi_payee_name) if upi_payee_name is not None else None
    with transaction.atomic():
        stored = settings_for(clinic)
        before = {"state_code": stored.state_code, "invoice_prefix": stored.invoice_prefix, "gstin": clinic.gstin,
                  "upi_id": stored.upi_id, "upi_payee_name": stored.upi_payee_name}
        stored.state_code, stored.invoice_prefix = state_code, prefix
        if upi_id is not None:
            stored.upi_id = upi_id
        if upi_payee_name is not None:
            stored.upi_payee_name = upi_payee_name
        stored.save()
        Clinic.objects.filter(pk=clinic.pk).update(gstin=gstin)
        clinic.gstin = gstin
        after = {"state_code": state_code, "invoice_prefix": prefix, "gstin": gstin, "upi_id": stored.upi_id,
                 "upi_payee_name": stored.upi_payee_name}
        audit.append(actor, "update", object_type="billing_settings", object_id=clinic.pk, patient_id=None,
                     changes=audit.diff(before, after))
    return stored


@dataclass(frozen=True)
class UpiRequest:
    """What an invoice's UPI QR code asks for: the balance due, paid to the clinic's UPI ID."""

    uri: str
    amount_paise: int
    upi_id: str
    payee_name: str


def upi_request_for(invoice: Invoice) -> UpiRequest | None:
    """None when the clinic has no UPI ID or nothing is due."""
    stored = settings_for(invoice.clinic)
    if not stored.upi_id or invoice.balance_paise <= 0:
        return None
    payee = stored.upi_payee_name or invoice.clinic.name
    uri = upi.payment_uri(upi_id=stored.upi_id, payee_name=payee, amount_paise=invoice.balance_paise,
                          reference=invoice.number, note=f"Invoice {invoice.number}")
    return UpiRequest(uri, invoice.balance_paise, stored.upi_id, payee[:upi.PAYEE_NAME_MAX_CHARS])


def price_items(clinic: Clinic, *, active_only: bool = False) -> list[PriceItem]:
    items = PriceItem.objects.filter(clinic=clinic)
    return list(items.filter(active=True) if active_only else items)


def save_price_item(actor: Actor, clinic: Clinic, values: dict, item: PriceItem | None = None) -> PriceItem:
    """Create or change a price-list item. ``values``: kind, name, price_paise, tax_class, code,
    gst_rate_bp, sessions, active."""
    name = values["name"].strip()
    if not name:
        raise InvalidInput.single("name", _("The name is required."))
    tax_class = rules.TaxClass(values["tax_class"])
    rate = 0 if tax_class == rules.TaxClass.MEDICAL_EXEMPT else values.get("gst_rate_bp", rules.DEFAULT_RATE_BP[tax_class])
    rules.check_rate(tax_class, rate, "gst_rate")
    code = (values.get("code") or "").strip() or rules.DEFAULT_CODE[tax_class]
    if not code.isdigit() or not 4 <= len(code) <= 8:
        raise InvalidInput.single("code", _("A SAC or HSN code has 4 to 8 digits."))
    sessions = values.get("sessions") or 0
    if values["kind"] == ItemKind.PACKAGE and not 1 <= sessions <= 50:
        raise InvalidInput.single("sessions", _("A package has between 1 and 50 sessions."))
    if values["kind"] != ItemKind.PACKAGE:
        sessions = 0
    if PriceItem.objects.filter(clinic=clinic, name__iexact=name).exclude(pk=item.pk if item else None).exists():
        raise InvalidInput.single("name", _("Another item already has this name."))
    fields = {"kind": values["kind"], "name": name, "price_paise": values["price_paise"], "tax_class": tax_class.value,
              "code": code, "gst_rate_bp": rate, "sessions": sessions, "active": values.get("active", True)}
    with transaction.atomic():
        before = {f: getattr(item, f) for f in fields} if item else {}
        item = item or PriceItem(clinic=clinic)
        for key, value in fields.items():
            setattr(item, key, value)
        item.save()
        audit.append(actor, "update" if before else "create", object_type="price_item", object_id=item.pk, patient_id=None,
                     changes=audit.diff(before, fields))
    return item


# --- invoices ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class LineRequest:
    item: PriceItem
    quantity: int = 1
    discount_paise: int = 0


def _next_number(clinic: Clinic, prefix: str, day: date) -> tuple[rules.FinancialYear, int, str]:
    """Lock (create) the clinic's counter for the financial year of ``day`` and take the next number."""
    fy = rules.financial_year(day)
    InvoiceCounter.objects.get_or_create(clinic=clinic, fy_start_year=fy.start_year)
    counter = InvoiceCounter.objects.select_for_update().get(clinic=clinic, fy_start_year=fy.start_year)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return fy, counter.last_number, rules.invoice_number(prefix, fy, counter.last_number)


def create_invoice(
    actor: Actor,
    patient: Patient,
    lines: Sequence[LineRequest],
    *,
    today: date,
    customer_state_code: str = "",
    customer_gstin: str = "",
    user: User | None = None,
    course: Course | None | str = "active",
) -> Invoice:
    """``course``: the treatment course the invoice's packages pay for; "active" (the default):
    the patient's active course, if any; None: no course (the packages are redeemed by hand)."""
    clinic = patient.clinic
    if course == "active":
        course = active_course(patient)
    if isinstance(course, Course) and (course.patient_id != patient.pk or course.clinic_id != clinic.pk):
        raise InvalidInput.single("course", _("This course is another patient's."))
    package_course = course if isinstance(course, Course) else None
    customer_state_code = rules.check_state_code(customer_state_code, "customer_state_code")
    customer_gstin = rules.check_gstin(customer_gstin, customer_state_code, "customer_gstin")
    for index, line in enumerate(lines):
        if line.item.clinic_id != clinic.pk:
            raise InvalidInput.single(f"lines.{index}.item", _("This item belongs to another clinic."))
        if not line.item.active:
            raise InvalidInput.single(f"lines.{index}.item", _("%(item)s is no longer sold.") % {"item": line.item.name})
        if line.item.kind == ItemKind.PACKAGE and line.quantity != 1:
            raise InvalidInput.single(f"lines.{index}.quantity", _("Sell one package per line."))
    stored = settings_for(clinic)
    intra = rules.is_intra_state(stored.state_code, customer_state_code)
    inputs = [rules.LineInput(r.item.name, rules.TaxClass(r.item.tax_class), r.item.gst_rate_bp, r.item.price_paise, r.quantity, r.item.code,
                              r.discount_paise)
              for r in lines]
    totals = rules.invoice_totals(inputs, intra)
    with transaction.atomic():
        fy, sequence, number = _next_number(clinic, stored.invoice_prefix, today)
        invoice = Invoice.objects.create(
            clinic=clinic, patient=patient, number=number, fy_start_year=fy.start_year, sequence=sequence, issued_on=today,
            clinic_gstin=clinic.gstin, clinic_state_code=stored.state_code, customer_state_code=customer_state_code,
            customer_gstin=customer_gstin, intra_state=intra, taxable_paise=totals.taxable_paise, cgst_paise=totals.cgst_paise,
            sgst_paise=totals.sgst_paise, igst_paise=totals.igst_paise, total_paise=totals.total_paise,
            created_by_id=actor.user_id,
        )
        for position, (line, tax) in enumerate(zip(lines, totals.lines, strict=True), start=1):
            row = InvoiceLine.objects.create(
                invoice=invoice, position=position, item=line.item, description=line.item.name, kind=line.item.kind,
                tax_class=line.item.tax_class, code=line.item.code, gst_rate_bp=line.item.gst_rate_bp, quantity=line.quantity,
                unit_price_paise=line.item.price_paise, discount_paise=line.discount_paise, taxable_paise=tax.taxable_paise, cgst_paise=tax.cgst_paise,
                sgst_paise=tax.sgst_paise, igst_paise=tax.igst_paise, total_paise=tax.total_paise,
            )
            if line.item.kind == ItemKind.PACKAGE:
                PatientPackage.objects.create(clinic=clinic, patient=patient, invoice_line=row, name=line.item.name,
                                              sessions_total=line.item.sessions, sold_on=today, course=package_course)
        audit.append(actor, "create", object_type="invoice", object_id=invoice.pk, patient_id=patient.pk,
                     changes=audit.snapshot_created({"number": number, "total_paise": totals.total_paise,
                                                     "lines": ", ".join(f"{r.quantity} x {r.item.name}" + (f" less {r.discount_paise} paise" if r.discount_paise else "")
                                                                        for r in lines),
                                                     "intra_state": intra}
                                                    | ({"course": package_course.pk} if package_course is not None
                                                       and any(r.item.kind == ItemKind.PACKAGE for r in lines) else {})))
    return invoice


def invoice_packages(invoice: Invoice) -> list[PatientPackage]:
    return list(PatientPackage.objects.filter(invoice_line__invoice=invoice).select_related("course").order_by("id"))


def patient_courses(patient: Patient) -> list[Course]:
    """The courses a package may be sold for: the patient's not stopped, newest first."""
    return list(Course.objects.filter(patient=patient).exclude(status=CourseStatus.STOPPED).order_by("-start_date", "-id"))


def active_course(patient: Patient) -> Course | None:
    """The patient's active course (the latest started), the default course of a package sold."""
    return Course.objects.filter(patient=patient, status=CourseStatus.ACTIVE).order_by("-start_date", "-id").first()


@dataclass(frozen=True)
class CourseCover:
    """A course longer than the packages sold for it: shown at invoicing as a notice."""

    package: PatientPackage
    planned: int
    covered: int
    not_covered: int


def course_covers(packages: Sequence[PatientPackage]) -> list[CourseCover]:
    """For each package with a course: the course's planned sessions against the sessions of every
    package sold for it (anagen.core.billing.sessions_not_covered); only those leaving some out."""
    out = []
    for package in packages:
        if package.course_id is None:
            continue
        planned = package.course.total_sessions
        covered = sum(PatientPackage.objects.filter(course_id=package.course_id).values_list("sessions_total", flat=True))
        missing = rules.sessions_not_covered(planned, covered)
        if missing:
            out.append(CourseCover(package, planned, covered, missing))
    return out


def _locked_invoice(invoice: Invoice) -> Invoice:
    return Invoice.objects.select_for_update().get(pk=invoice.pk)


def record_payment(actor: Actor, invoice: Invoice, *, amount_paise: int, method: str, reference: str = "",
                   now: datetime | None = None, user: User | None = None) -> Payment:
    if method not in Method.values:
        raise InvalidInput.single("method", _("Choose cash, UPI, card or bank transfer."))
    reference = reference.strip()
    if method in (Method.UPI, Method.BANK_TRANSFER) and not reference:
        raise InvalidInput.single("reference", _("Give the UPI or bank transaction reference."))
    with transaction.atomic():
        locked = _locked_invoice(invoice)
        rules.check_payment(amount_paise, locked.total_paise, locked.paid_paise, locked.refunded_paise)
        payment = Payment.objects.create(invoice=locked, amount_paise=amount_paise, method=method, reference=reference,
                                         received_at=now or timezone.now(), received_by_id=actor.user_id)
        Invoice.objects.filter(pk=locked.pk).update(paid_paise=F("paid_paise") + amount_paise)
        audit.append(actor, "create", object_type="payment", object_id=payment.pk, patient_id=locked.patient_id,
                     changes=audit.snapshot_created({"invoice": locked.number, "amount_paise": amount_paise, "method": method}))
    invoice.refresh_from_db()
    return payment


# --- payment links (Razorpay) -----------------------------------------------------------------

# Razorpay's payment.method values and how the desk would have recorded them; anything else
# (wallet, EMI, pay-later) is an online payment reception does not take itself.
RAZORPAY_METHODS = {"upi": Method.UPI, "card": Method.CARD, "netbanking": Method.BANK_TRANSFER}
LINK_EVENT_STATUS = {"payment_link.cancelled": LinkStatus.CANCELLED, "payment_link.expired": LinkStatus.EXPIRED}


def payment_links_enabled() -> bool:
    return razorpay.configured()


def create_payment_link(actor: Actor, invoice: Invoice, now: datetime | None = None) -> PaymentLink:
    """A Razorpay link for the balance due, texted to the patient by Razorpay. An unpaid link for
    the same amount is returned again instead of sending the patient a second one."""
    if not razorpay.configured():
        raise InvalidState(_("Payment links are not set up for this clinic."))
    invoice.refresh_from_db()
    balance = invoice.balance_paise
    if balance <= 0:
        raise InvalidState(_("Nothing is due on this invoice."))
    unpaid = invoice.payment_links.filter(status=LinkStatus.CREATED, amount_paise=balance).first()
    if unpaid is not None:
        return unpaid
    sequence = invoice.payment_links.count() + 1
    # The request goes out before the transaction: no row stays locked while Razorpay answers.
    try:
        created = razorpay.create_link(
            amount_paise=balance, reference_id=f"{invoice.number}-{sequence}",
            description=f"Invoice {invoice.number}, {invoice.clinic.name}",
            customer_name=invoice.patient.full_name, customer_phone=invoice.patient.phone)
    except razorpay.LinkRefused as exc:
        raise InvalidState(exc.reason) from exc
    with transaction.atomic():
        link = PaymentLink.objects.create(invoice=invoice, provider_link_id=created.link_id, short_url=created.short_url,
                                          amount_paise=balance, created_at=now or timezone.now(), created_by_id=actor.user_id)
        audit.append(actor, "create", object_type="payment_link", object_id=link.pk, patient_id=invoice.patient_id,
                     changes=audit.snapshot_created({"invoice": invoice.number, "amount_paise": balance}))
    return link


def _entity(payload: dict, name: str) -> dict:
    part = payload.get("payload")
    found = part.get(name) if isinstance(part, dict) else None
    entity = found.get("entity") if isinstance(found, dict) else None
    return entity if isinstance(entity, dict) else {}


def record_link_event(payload: object, now: datetime | None = None) -> str:
    """One webhook event from Razorpay (signature already checked). Returns what happened:
    ``recorded``, ``already recorded``, ``not recorded`` (the payment exceeds the balance: the link
    shows it for reception to refund), ``status``, ``unknown link`` or ``ignored``. Razorpay
    retries an event until it gets a 2xx, so every outcome is idempotent."""
    if not isinstance(payload, dict):
        return "ignored"
    event = payload.get("event")
    link_id = _entity(payload, "payment_link").get("id")
    if event not in ("payment_link.paid", *LINK_EVENT_STATUS) or not isinstance(link_id, str):
        return "ignored"
    now = now or timezone.now()
    with transaction.atomic():
        link = PaymentLink.objects.select_for_update().select_related("invoice").filter(provider_link_id=link_id).first()
        if link is None:
            return "unknown link"
        actor = Actor.system("razorpay", link.invoice.clinic_id)
        if event in LINK_EVENT_STATUS:
            if link.status != LinkStatus.CREATED:
                return "already recorded"
            link.status = LINK_EVENT_STATUS[event]
            link.save(update_fields=["status"])
            audit.append(actor, "update", object_type="payment_link", object_id=link.pk, patient_id=link.invoice.patient_id,
                         changes=audit.diff({"status": LinkStatus.CREATED}, {"status": link.status}))
            return "status"
        if link.status == LinkStatus.PAID:
            return "already recorded"
        payment = _entity(payload, "payment")
        amount_paise, payment_id = payment.get("amount"), payment.get("id")
        if not (isinstance(amount_paise, int) and amount_paise > 0 and isinstance(payment_id, str) and payment_id
                and payment.get("currency", "INR") == "INR"):
            return "ignored"
        method = RAZORPAY_METHODS.get(str(payment.get("method", "")), Method.ONLINE)
        try:
            recorded = record_payment(actor, link.invoice, amount_paise=amount_paise, method=method,
                                      reference=payment_id[:100], now=now)
        except InvalidInput:
            # Paid after reception settled the balance another way: money came in that is not
            # owed. Nothing is recorded against the invoice; the link says so for a refund.
            link.status, link.problem = LinkStatus.PAID, f"{rules.format_paise(amount_paise)} paid online ({payment_id}) after the balance was settled: refund it."
            link.save(update_fields=["status", "problem"])
            audit.append(actor, "update", object_type="payment_link", object_id=link.pk, patient_id=link.invoice.patient_id,
                         changes=audit.diff({"status": LinkStatus.CREATED}, {"status": LinkStatus.PAID, "problem": "paid after settled"}))
            return "not recorded"
        link.status, link.payment = LinkStatus.PAID, recorded
        link.save(update_fields=["status", "payment"])
        audit.append(actor, "update", object_type="payment_link", object_id=link.pk, patient_id=link.invoice.patient_id,
                     changes=audit.diff({"status": LinkStatus.CREATED}, {"status": LinkStatus.PAID}))
    return "recorded"


def record_refund(actor: Actor, invoice: Invoice, *, amount_paise: int, method: str, reason: str,
                  now: datetime | None = None, user: User | None = None) -> Refund:
    reason = reason.strip()
    if not reason:
        raise InvalidInput.single("reason", _("Give the reason for the refund."))
    if method not in Method.values:
        raise InvalidInput.single("method", _("Choose cash, UPI, card or bank transfer."))
    with transaction.atomic():
        locked = _locked_invoice(invoice)
        rules.check_refund(amount_paise, locked.paid_paise, locked.refunded_paise)
        refund = Refund.objects.create(invoice=locked, amount_paise=amount_paise, method=method, reason=reason[:300],
                                       refunded_at=now or timezone.now(), refunded_by_id=actor.user_id)
        Invoice.objects.filter(pk=locked.pk).update(refunded_paise=F("refunded_paise") + amount_paise)
        audit.append(actor, "create", object_type="refund", object_id=refund.pk, patient_id=locked.patient_id,
                     changes=audit.snapshot_created({"invoice": locked.number, "amount_paise": amount_paise, "reason": reason}))
    invoice.refresh_from_db()
    return refund


# --- packages --------------------------------------------------------------------------------


def redeemable_appointments(package: PatientPackage) -> list[Appointment]:
    """The patient's arrived or completed appointments not yet paid for by a package."""
    return list(
        Appointment.objects.filter(clinic_id=package.clinic_id, patient_id=package.patient_id,
                                   status__in=(Status.ARRIVED, Status.IN_CHAIR, Status.COMPLETED), redemption__isnull=True)
        .order_by("-starts_at")[:30]
    )


def redeem_session(actor: Actor, package: PatientPackage, appointment: Appointment, *, now: datetime | None = None) -> Redemption:
    """Use one session of the package for an arrived or completed appointment of the same patient."""
    if appointment.patient_id != package.patient_id or appointment.clinic_id != package.clinic_id:
        raise InvalidInput.single("appointment", _("This appointment belongs to another patient."))
    if appointment.status not in (Status.ARRIVED, Status.IN_CHAIR, Status.COMPLETED):
        raise InvalidInput.single("appointment", _("Only an appointment the patient came to can use a package session."))

    session = TreatmentSession.objects.filter(appointment=appointment).first()
    try:
        with transaction.atomic():
            locked = PatientPackage.objects.select_for_update().get(pk=package.pk)
            rules.check_redemption(locked.sessions_total, locked.sessions_used)
            if Redemption.objects.filter(appointment=appointment).exists():
                raise Duplicate(_("This appointment already used a package session."), field="appointment")
            # The conditional update is the last guard: it changes nothing once the package is used up.
            changed = PatientPackage.objects.filter(pk=locked.pk, sessions_used__lt=F("sessions_total")).update(
                sessions_used=F("sessions_used") + 1)
            if changed != 1:
                raise InvalidState(_("This package has no sessions left."), field="package")
            redemption = Redemption.objects.create(package=locked, appointment=appointment, treatment_session=session,
                                                   number=locked.sessions_used + 1, redeemed_at=now or timezone.now(),
                                                   redeemed_by_id=actor.user_id)
            audit.append(actor, "update", object_type="package", object_id=locked.pk, patient_id=locked.patient_id,
                         changes={"sessions_used": {"old": str(locked.sessions_used), "new": str(locked.sessions_used + 1)},
                                  "appointment": {"old": None, "new": str(appointment.pk)}})
    except IntegrityError as exc:
        raise Duplicate(_("This appointment already used a package session."), field="appointment") from exc
    package.refresh_from_db()
    return redemption


def redeem_for_signed_session(actor: Actor, session: TreatmentSession, *, now: datetime | None = None) -> Redemption | None:
    """One session of a package sold for the session's course, for the session's appointment;
    called inside ``record_session``'s transaction (billing.receivers), so the session and its
    redemption commit together or not at all. None, and the session stays unredeemed for
    reception to see, when the session has no course, its appointment already used a package
    session, or every package of the course is used up: a package never blocks a signing.
    The oldest package of the course with sessions left is used; its row is locked and the
    conditional update keeps the count from going below zero, as in ``redeem_session``."""
    if session.course_id is None or Redemption.objects.filter(appointment_id=session.appointment_id).exists():
        return None
    candidates = PatientPackage.objects.filter(clinic_id=session.clinic_id, patient_id=session.patient_id, course_id=session.course_id,
                                               sessions_used__lt=F("sessions_total")).order_by("sold_on", "id")
    for package_id in candidates.values_list("pk", flat=True):
        try:
            with transaction.atomic():  # a savepoint: a refused redemption leaves the session's transaction usable
                locked = PatientPackage.objects.select_for_update().get(pk=package_id)
                changed = PatientPackage.objects.filter(pk=locked.pk, sessions_used__lt=F("sessions_total")).update(
                    sessions_used=F("sessions_used") + 1)
                if changed != 1:
                    continue
                redemption = Redemption.objects.create(package=locked, appointment_id=session.appointment_id, treatment_session=session,
                                                       number=locked.sessions_used + 1, redeemed_at=now or timezone.now(),
                                                       redeemed_by_id=actor.user_id)
                audit.append(actor, "update", object_type="package", object_id=locked.pk, patient_id=locked.patient_id,
                             changes={"sessions_used": {"old": str(locked.sessions_used), "new": str(locked.sessions_used + 1)},
                                      "appointment": {"old": None, "new": str(session.appointment_id)},
                                      "treatment_session": {"old": None, "new": str(session.pk)}})
                return redemption
        except IntegrityError:
            return None  # the appointment was redeemed at the desk meanwhile: never twice
    return None


# --- reading -----------------------------------------------------------------------------------


def get_invoice(actor: Actor, clinic: Clinic | None, invoice_id: int, *, audit_as: str = "read") -> Invoice:
    if clinic is None:
        raise NotFound
    invoice = Invoice.objects.select_related("patient", "clinic").filter(pk=invoice_id, clinic=clinic).first()
    if invoice is None:
        raise NotFound
    audit.append(actor, audit_as, object_type="invoice", object_id=invoice.pk, patient_id=invoice.patient_id)
    return invoice


def get_package(actor: Actor, clinic: Clinic | None, package_id: int) -> PatientPackage:
    if clinic is None:
        raise NotFound
    package = PatientPackage.objects.select_related("patient", "invoice_line__invoice").filter(pk=package_id, clinic=clinic).first()
    if package is None:
        raise NotFound
    audit.record_read(actor, "package", package.pk, package.patient_id)
    return package


def get_payment(actor: Actor, clinic: Clinic | None, payment_id: int) -> Payment:
    if clinic is None:
        raise NotFound
    payment = Payment.objects.select_related("invoice__patient", "invoice__clinic").filter(pk=payment_id, invoice__clinic=clinic).first()
    if payment is None:
        raise NotFound
    audit.append(actor, "export", object_type="receipt", object_id=payment.pk, patient_id=payment.invoice.patient_id)
    return payment


def unpaid_invoices(clinic: Clinic, patient: Patient | None = None) -> list[Invoice]:
    query = Invoice.objects.filter(clinic=clinic).filter(Q(paid_paise__lt=F("total_paise") + F("refunded_paise")))
    return _with_patient(query, patient, ("issued_on", "sequence"))


def open_packages(clinic: Clinic, patient: Patient | None = None) -> list[PatientPackage]:
    query = PatientPackage.objects.filter(clinic=clinic, sessions_used__lt=F("sessions_total"))
    return _with_patient(query, patient, ("sold_on", "id"))


def _with_patient(query: Any, patient: Patient | None, order: tuple[str, ...]) -> list[Any]:
    """The first 100 rows, each with its patient: joined for a clinic's list, and for one
    patient's panel set from the patient already loaded (a join of the patient's wide row
    costs more than the query itself)."""
    if patient is None:
        return list(query.select_related("patient").order_by(*order)[:100])
    rows = list(query.filter(patient=patient).order_by(*order)[:100])
    for row in rows:
        row.patient = patient
    return rows


def recent_invoices(clinic: Clinic, limit: int = 50) -> list[Invoice]:
    return list(Invoice.objects.filter(clinic=clinic).select_related("patient")[:limit])


def patient_invoices(patient: Patient) -> list[Invoice]:
    # select_related: the invoice table names each invoice's patient.
    return list(Invoice.objects.filter(patient=patient).select_related("patient"))


def list_price_items(clinic: Clinic, *, active: bool | None = None, page: int = 1, page_size: int = 25) -> Page[PriceItem]:
    """By name, then id (``active``: only the items still sold, or only those withdrawn). The price
    list names no patient, so it is not audited."""
    records = PriceItem.objects.filter(clinic=clinic)
    if active is not None:
        records = records.filter(active=active)
    return page_of_query(records.order_by("name", "id"), page, page_size)


def list_invoices(actor: Actor, clinic: Clinic, *, view: str, patient_id: int | None = None, unpaid: bool = False,
                  page: int = 1, page_size: int = 25) -> Page[Invoice]:
    """Newest first (issue date, number); one audit entry (``view`` names the list) names the
    patients on the page."""
    records = Invoice.objects.filter(clinic=clinic)
    if patient_id is not None:
        records = records.filter(patient_id=patient_id)
    if unpaid:
        records = records.filter(paid_paise__lt=F("total_paise") + F("refunded_paise"))
    found = page_of_query(records.order_by("-issued_on", "-fy_start_year", "-sequence", "-id"), page, page_size)
    record_list_read(actor, view, [i.patient_id for i in found.items])
    return found


def list_packages(actor: Actor, clinic: Clinic, *, view: str, patient_id: int | None = None, open_only: bool = False,
                  page: int = 1, page_size: int = 25) -> Page[PatientPackage]:
    """By sale date, then id (``open_only``: those with sessions left); one audit entry (``view``
    names the list) names the patients on the page."""
    records = PatientPackage.objects.filter(clinic=clinic).select_related("invoice_line")
    if patient_id is not None:
        records = records.filter(patient_id=patient_id)
    if open_only:
        records = records.filter(sessions_used__lt=F("sessions_total"))
    found = page_of_query(records.order_by("sold_on", "id"), page, page_size)
    record_list_read(actor, view, [p.patient_id for p in found.items])
    return found


def record_list_read(actor: Actor, view: str, patient_ids: Sequence[int]) -> None:
    """A list naming several patients: one audit entry naming them all."""
    ids = sorted(set(patient_ids))
    if ids:
        audit.append(actor, "read", object_type="billing_list", object_id=view, patient_id=None, changes={"patient_ids": ids})


