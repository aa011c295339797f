"""Downloads the web pages offer, as files: invoice and receipt PDFs, a drawn consent signature,
an appointment's .ics, the progress charts as SVG, the clinic outcomes tables as CSV and a recalled
lot's recipients as CSV. Same roles as the web page offering each; every patient file is audited
(by the service behind it)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from typing import Any, Literal

from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Router

from anagen.api import auth
from anagen.api.common import actor, clinic
from anagen.api.problems import invalid
from anagen.billing import pdf
from anagen.billing import services as billing
from anagen.catalog.services import get_lot
from anagen.consents import services as consents
from anagen.core.errors import FieldError
from anagen.interop import services as interop
from anagen.outcomes import clinic_outcomes
from anagen.outcomes import progress as outcomes_progress
from anagen.outcomes.charts import render_svg
from anagen.safety import services as safety
from anagen.safety.views import CSV_HEADER, recipient_csv_rows
from anagen.scheduling.services import get_appointment

router = Router(tags=["downloads"])

ChartName = Literal["density", "shedding", "pull", "shaft", "gpa"]
OutcomesTable = Literal["diagnosis", "formulation", "combination", "practitioner", "adverse_events", "attendance"]


def _file(data: bytes | str, content_type: str, filename: str, *, inline: bool = False) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'{"inline" if inline else "attachment"}; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


def _doc(content_type: str, description: str) -> dict[str, Any]:
    return {"responses": {"200": {"description": description, "content": {content_type: {}}}}}


def _csv(header: list[str], rows: list[list[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


@router.get("/invoices/{invoice_id}/pdf", auth=auth.ANY_STAFF, summary="Download an invoice (PDF)", response={200: None},
            openapi_extra=_doc("application/pdf", "The GST tax invoice as a PDF."))
def invoice_pdf(request: HttpRequest, invoice_id: int) -> Any:
    """Audited as an export of the invoice."""
    invoice = billing.get_invoice(actor(request), clinic(request), invoice_id, audit_as="export")
    return _file(pdf.invoice_pdf(invoice), "application/pdf", f"invoice-{invoice.number.replace('/', '-')}.pdf")


@router.get("/payments/{payment_id}/receipt", auth=auth.ANY_STAFF, summary="Download a payment receipt (PDF)",
            response={200: None}, openapi_extra=_doc("application/pdf", "The receipt as a PDF."))
def receipt_pdf(request: HttpRequest, payment_id: int) -> Any:
    """The payment ids are in each invoice's ``payments``. Audited by the billing service."""
    payment = billing.get_payment(actor(request), clinic(request), payment_id)
    return _file(pdf.receipt_pdf(payment), "application/pdf", f"receipt-{payment.pk:06d}.pdf")


@router.get("/consents/{consent_id}/signature", auth=auth.ANY_STAFF, summary="A drawn consent signature (PNG)",
            response={200: None}, openapi_extra=_doc("image/png", "The signature as drawn."))
def consent_signature(request: HttpRequest, consent_id: int) -> Any:
    """Every view is audited; a typed consent has no drawn signature (404)."""
    record = consents.get_record(actor(request), clinic(request), consent_id, audit_as="consent_signature")
    if not record.signature_png:
        raise Http404
    return _file(bytes(record.signature_png), "image/png", f"consent-{record.pk}-signature.png", inline=True)


@router.get("/appointments/{appointment_id}/ics", auth=auth.ANY_STAFF, summary="An appointment as an .ics file",
            response={200: None}, openapi_extra=_doc("text/calendar", "An iCalendar invitation (patient-safe wording)."))
def appointment_ics(request: HttpRequest, appointment_id: int) -> Any:
    appointment = get_appointment(clinic(request), appointment_id)
    data = interop.appointment_ics(actor(request), clinic(request), appointment)
    return _file(data, "text/calendar; charset=utf-8", f"appointment-{appointment.pk}.ics")


@router.get("/patients/{patient_id}/charts/{chart}", auth=auth.CLINICAL, summary="A progress chart (SVG)",
            response={200: None}, openapi_extra=_doc("image/svg+xml", "The chart as drawn on the progress page."))
def chart_svg(request: HttpRequest, patient_id: int, chart: ChartName) -> Any:
    """One audited read of the patient's progress; a chart with nothing to draw yet is 404."""
    result = outcomes_progress.view_progress(actor(request), clinic(request), patient_id, timezone.localdate())
    for item in result.charts:
        if item.chart_id == f"chart-{chart}":
            return _file(render_svg(item), "image/svg+xml; charset=utf-8", f"patient-{patient_id}-{chart}.svg", inline=True)
    raise Http404


@router.get("/outcomes/csv", auth=auth.OUTCOMES, summary="One clinic outcomes table (CSV)", response={200: None},
            openapi_extra=_doc("text/csv", "The table's header and rows, as on the outcomes page."))
def outcomes_csv(request: HttpRequest, table: OutcomesTable, start: dt.date | None = None, end: dt.date | None = None) -> Any:
    """Aggregates only (no patient rows, so no patient audit); the range as for ``GET /outcomes``."""
    today = timezone.localdate()
    default_start, default_end = clinic_outcomes.default_range(today)
    start, end = start or default_start, end or default_end
    if end < start:
        raise invalid([FieldError("end", "The end date must be on or after the start date.")])
    result = clinic_outcomes.clinic_outcomes(clinic(request), start, end, today)
    header, rows = clinic_outcomes.table_rows(result, table)
    return _file(_csv(header, rows), "text/csv; charset=utf-8", f"outcomes-{table}-{result.start}-{result.end}.csv")


@router.get("/lots/{lot_id}/recipients/csv", auth=auth.CLINICAL, summary="A lot's recipients (CSV)", response={200: None},
            openapi_extra=_doc("text/csv", "Every patient who received the lot, with contact details and events."))
def lot_recipients_csv(request: HttpRequest, lot_id: int) -> Any:
    """For a recall: one audit entry names the patients listed. Cells are made safe for spreadsheets."""
    lot = get_lot(clinic(request), lot_id)
    rows = safety.lot_recipients(clinic(request), lot, actor=actor(request))
    safe_number = re.sub(r"[^A-Za-z0-9_-]", "_", lot.lot_number)
    return _file(_csv(CSV_HEADER, recipient_csv_rows(rows)), "text/csv; charset=utf-8", f"lot-{safe_number}-recipients.csv")
