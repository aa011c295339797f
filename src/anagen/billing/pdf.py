"""Invoices and receipts as PDF (fpdf2 with the shipped Noto fonts: the rupee sign and Devanagari
names print as written)."""

from __future__ import annotations

from django.utils import timezone
from fpdf import FPDF

from anagen.billing.models import Invoice, Payment
from anagen.core import display
from anagen.core.billing import STATE_CODES, format_paise
from anagen.core.identifiers import format_phone
from anagen.ui.pdf import UnicodePDF


def _t(text: object) -> str:
    return str(text)


def _money(paise: int) -> str:
    return format_paise(paise, symbol="₹ ")


def _header(pdf: FPDF, invoice: Invoice, title: str) -> None:
    clinic = invoice.clinic
    pdf.set_font("noto", "B", 16)
    pdf.cell(0, 8, _t(clinic.name), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("noto", "", 9)
    for line in (clinic.address.replace("\n", ", ") if clinic.address else clinic.city, f"Phone {format_phone(clinic.phone)}" if clinic.phone else ""):
        if line:
            pdf.cell(0, 5, _t(line), new_x="LMARGIN", new_y="NEXT")
    state = STATE_CODES.get(invoice.clinic_state_code, "")
    pdf.cell(0, 5, _t(f"GSTIN {invoice.clinic_gstin or 'not registered'}  ·  State {invoice.clinic_state_code} {state}"),
             new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font("noto", "B", 13)
    pdf.cell(0, 8, _t(title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("noto", "", 10)


def invoice_pdf(invoice: Invoice) -> bytes:
    pdf = UnicodePDF(format="A4")
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_page()
    _header(pdf, invoice, "Tax invoice" if invoice.taxable_paise != invoice.total_paise else "Bill of supply / invoice")
    patient = invoice.patient
    place = invoice.customer_state_code or invoice.clinic_state_code
    for label, value in (("Invoice number", invoice.number), ("Date", display.day(invoice.issued_on)),
                         ("Billed to", f"{patient.full_name} ({patient.mrn})"),
                         ("Place of supply", f"{place} {STATE_CODES.get(place, '')}"),
                         ("Customer GSTIN", invoice.customer_gstin or "-")):
        pdf.cell(40, 6, _t(label))
        pdf.cell(0, 6, _t(value), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    widths = (62, 18, 12, 26, 24, 24, 24) if invoice.intra_state else (70, 20, 12, 30, 28, 30)
    heads = ("Item", "SAC/HSN", "Qty", "Taxable", "CGST", "SGST", "Total") if invoice.intra_state else ("Item", "SAC/HSN", "Qty", "Taxable", "IGST", "Total")
    pdf.set_font("noto", "B", 9)
    for width, head in zip(widths, heads, strict=True):
        pdf.cell(width, 7, head, border=1)
    pdf.ln()
    pdf.set_font("noto", "", 9)
    for line in invoice.lines.all():
        rate = f"{line.gst_rate_bp / 100:g}%"
        if invoice.intra_state:
            half = f"{line.gst_rate_bp / 200:g}%"
            cells = (line.description, line.code, str(line.quantity), _money(line.taxable_paise),
                     f"{_money(line.cgst_paise)} @{half}", f"{_money(line.sgst_paise)} @{half}", _money(line.total_paise))
        else:
            cells = (line.description, line.code, str(line.quantity), _money(line.taxable_paise),
                     f"{_money(line.igst_paise)} @{rate}", _money(line.total_paise))
        for width, cell in zip(widths, cells, strict=True):
            pdf.cell(width, 7, _t(cell)[:40], border=1)
        pdf.ln()
    pdf.ln(2)
    rows = [("Taxable value", invoice.taxable_paise)]
    rows += [("CGST", invoice.cgst_paise), ("SGST", invoice.sgst_paise)] if invoice.intra_state else [("IGST", invoice.igst_paise)]
    rows += [("Invoice total", invoice.total_paise), ("Paid", invoice.paid_paise)]
    if invoice.refunded_paise:
        rows.append(("Refunded", invoice.refunded_paise))
    rows.append(("Balance due", invoice.balance_paise))
    for label, amount in rows:
        pdf.cell(150, 6, label, align="R")
        pdf.cell(0, 6, _money(amount), align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font("noto", "", 8)
    pdf.multi_cell(0, 4, "Health care by a clinical establishment is exempt from GST (SAC 9993). "
                         "Cosmetic procedures (SAC 999722) and products carry GST as shown. GST is computed per line "
                         "and rounded to the paisa.")
    return bytes(pdf.output())


def receipt_pdf(payment: Payment) -> bytes:
    invoice = payment.invoice
    pdf = UnicodePDF(format="A4")
    pdf.add_page()
    _header(pdf, invoice, f"Receipt R-{payment.pk:06d}")
    for label, value in (("Received from", f"{invoice.patient.full_name} ({invoice.patient.mrn})"),
                         ("Amount", _money(payment.amount_paise)), ("Method", payment.get_method_display()),
                         ("Reference", payment.reference or "-"),
                         ("Date", display.moment(timezone.localtime(payment.received_at))),
                         ("Against invoice", invoice.number), ("Balance due", _money(invoice.balance_paise))):
        pdf.cell(40, 7, _t(label))
        pdf.cell(0, 7, _t(value), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
