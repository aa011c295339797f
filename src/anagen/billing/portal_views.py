"""The patient's bills in the portal (``portal:bills``, ``portal:bill``, ``portal:bill_pdf``): pages
of the portal's namespace that billing adds, as it sits above the portal (``anagen.urls`` puts them
in the namespace). Only a signed-in patient with portal access reaches them
(``portal.permissions.patient_required``); each looks up the patient's own invoices only."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from anagen.audit.services import Actor
from anagen.billing import portal, qr
from anagen.billing.views import _pdf_response
from anagen.portal.permissions import patient_required
from anagen.portal.views import portal_page


@patient_required
def bills(request: HttpRequest) -> HttpResponse:
    rows = portal.own_bills(Actor.from_request(request), request.portal_account)  # type: ignore[attr-defined]
    return portal_page(request, "portal/bills.html", {"rows": rows})


@patient_required
def bill(request: HttpRequest, invoice_id: int) -> HttpResponse:
    found = portal.own_bill(Actor.from_request(request), request.portal_account, invoice_id)  # type: ignore[attr-defined]
    # The same QR code as the staff page and the printed invoice, for the amount due.
    upi_qr = qr.svg(found.upi.uri, _("UPI QR code for the amount due")) if found.upi is not None else ""
    return portal_page(request, "portal/bill.html", {"bill": found, "invoice": found.invoice, "upi_qr": upi_qr})


@patient_required
def bill_pdf(request: HttpRequest, invoice_id: int) -> HttpResponse:
    invoice, content = portal.own_bill_pdf(Actor.from_request(request), request.portal_account, invoice_id)  # type: ignore[attr-defined]
    return _pdf_response(content, f"invoice-{invoice.number.replace('/', '-')}.pdf")
