"""The patient's own bills in the portal (issue 22): the invoices the clinic issued to the
signed-in patient, what was paid, and how to pay what is still due.

Billing sits above the portal (docs/architecture.md), so these use cases live here and take the
patient's ``PatientAccount`` that ``portal.permissions.patient_required`` loaded. Every lookup is
filtered by that account's patient and clinic: another patient's invoice id is ``NotFound`` (404),
never a refusal that would tell the id exists. Each read is audited as the patient, like the
portal's other reads; the PDF as an export, as the staff download is.

Every invoice is shown: an invoice is issued when it is made (there are no drafts) and is never
cancelled (a refund, with its reason, is recorded against it instead).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import translation
from django.utils.translation import pgettext_lazy

from anagen.accounts.models import document_language
from anagen.audit import services as audit
from anagen.audit.models import Action
from anagen.audit.services import Actor
from anagen.billing import pdf, services
from anagen.billing.models import Invoice, InvoiceLine, LinkStatus, Payment, PaymentLink, Refund
from anagen.core.errors import NotFound
from anagen.portal.models import PatientAccount

# A bill's state, as the list of bills shows it (the context keeps "Paid" apart from the column
# heading of the amount paid, which some languages word differently).
PAID = pgettext_lazy("bill status", "Paid")
PART_PAID = pgettext_lazy("bill status", "Partly paid")
NOT_PAID = pgettext_lazy("bill status", "Not paid yet")


def bill_status(invoice: Invoice) -> str:
    """Paid (nothing due), partly paid, or not paid yet: from the same balance staff see."""
    balance = invoice.balance_paise
    if balance <= 0:
        return str(PAID)
    return str(NOT_PAID if balance >= invoice.total_paise else PART_PAID)


@dataclass(frozen=True)
class BillRow:
    """One line of the patient's list of bills."""

    invoice: Invoice
    paid_paise: int  # net of refunds: total = paid + still to pay, until nothing is due
    due_paise: int
    status: str


@dataclass(frozen=True)
class Bill:
    """One bill as the patient reads it, and how to pay what is still due."""

    invoice: Invoice
    lines: list[InvoiceLine]
    payments: list[Payment]
    refunds: list[Refund]
    status: str
    upi: services.UpiRequest | None  # the clinic's UPI request for the amount due (None: nothing due or no UPI ID)
    payment_link: PaymentLink | None  # an unpaid payment link for exactly the amount due


def _own_invoices(account: PatientAccount) -> QuerySet[Invoice]:
    return Invoice.objects.filter(patient_id=account.patient_id, clinic_id=account.patient.clinic_id)


def _own_invoice(account: PatientAccount, invoice_id: int) -> Invoice:
    invoice = _own_invoices(account).select_related("clinic", "patient").filter(pk=invoice_id).first()
    if invoice is None:
        raise NotFound
    return invoice


def own_bills(actor: Actor, account: PatientAccount) -> list[BillRow]:
    """The patient's invoices, newest first; the read is audited once, as the patient."""
    invoices = _own_invoices(account).order_by("-issued_on", "-fy_start_year", "-sequence", "-id")
    rows = [BillRow(i, i.paid_paise - i.refunded_paise, i.balance_paise, bill_status(i)) for i in invoices]
    audit.record_read(actor, "portal_bills", account.patient_id, account.patient_id)
    return rows


def active_payment_link(invoice: Invoice) -> PaymentLink | None:
    """The newest payment link still open for exactly the amount due: a link made for an older
    balance would take more (or less) than is owed, so it is not offered."""
    balance = invoice.balance_paise
    if balance <= 0:
        return None
    return invoice.payment_links.filter(status=LinkStatus.CREATED, amount_paise=balance).order_by("-created_at", "-id").first()


def own_bill(actor: Actor, account: PatientAccount, invoice_id: int) -> Bill:
    """One of the patient's invoices with its lines, payments and refunds, and the UPI request
    and payment link for what is due; the read is audited as the patient."""
    invoice = _own_invoice(account, invoice_id)
    bill = Bill(
        invoice=invoice, lines=list(invoice.lines.all()), payments=list(invoice.payments.all()), refunds=list(invoice.refunds.all()),
        status=bill_status(invoice), upi=services.upi_request_for(invoice), payment_link=active_payment_link(invoice),
    )
    audit.record_read(actor, "invoice", invoice.pk, account.patient_id)
    return bill


def own_bill_pdf(actor: Actor, account: PatientAccount, invoice_id: int) -> tuple[Invoice, bytes]:
    """The invoice as the clinic prints it, in the patient's language (as staff print it unless
    they choose another); the download is audited as an export, as the staff one is."""
    invoice = _own_invoice(account, invoice_id)
    with translation.override(document_language(None, account.patient.preferred_language)):
        content = pdf.invoice_pdf(invoice)
    audit.append(actor, Action.EXPORT, object_type="invoice", object_id=invoice.pk, patient_id=account.patient_id)
    return invoice, content
