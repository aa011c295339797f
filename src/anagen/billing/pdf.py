"""Invoices and receipts as PDF (fpdf2 with the shipped Noto fonts: the rupee sign and Devanagari
names print as written).

An invoice carries what Indian invoices carry (CGST Rules 2017, rule 46, and custom): the clinic's
name, address, GSTIN and state; the number and date; the recipient's name and address and the place
of supply; per line the description, SAC/HSN, quantity, unit price, discount, taxable value and the
tax at its rate; the totals; and the total in words."""

from __future__ import annotations

import io

from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from fpdf.fonts import FontFace

from anagen.billing import qr, services
from anagen.billing.models import Invoice, Payment
from anagen.core import display
from anagen.core.billing import STATE_CODES, amount_in_words, format_paise
from anagen.core.identifiers import format_phone
from anagen.ui.pdf import UnicodePDF, clinic_heading

HEADINGS = FontFace(emphasis="BOLD", fill_color=(238, 241, 245))


def _money(paise: int) -> str:
    return format_paise(paise, symbol="₹ ")


def _rate(basis_points: int) -> str:
    return f"{basis_points / 100:g}%"


def _header(pdf: UnicodePDF, invoice: Invoice, title: str) -> None:
    clinic = invoice.clinic
    pdf.set_font("noto", "B", 15)
    pdf.cell(0, 8, clinic_heading(clinic), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("noto", "", 9)
    address = clinic.address.replace("\n", ", ") if clinic.address else ""
    contact = " · ".join(part for part in (format_phone(clinic.phone) if clinic.phone else "", clinic.email) if part)
    state = STATE_CODES.get(invoice.clinic_state_code, "")
    gstin = invoice.clinic_gstin or _("not registered")
    for line in (address, contact, _("GSTIN %(gstin)s · State %(code)s %(state)s") % {"gstin": gstin, "code": invoice.clinic_state_code,
                                                                                       "state": state}):
        if line:
            pdf.cell(0, 4.5, line, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font("noto", "B", 13)
    pdf.cell(0, 8, title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("noto", "", 9.5)


def _parties(pdf: UnicodePDF, invoice: Invoice) -> None:
    """Billed to (left) beside the invoice's number, date and place of supply (right)."""
    patient = invoice.patient
    place = invoice.customer_state_code or invoice.clinic_state_code
    left = [patient.full_name, _("Record number %(mrn)s") % {"mrn": patient.mrn}]
    left += [line.strip() for line in (patient.address or "").splitlines() if line.strip()]
    if patient.phone:
        left.append(format_phone(patient.phone))
    right = [(_("Invoice number"), invoice.number), (_("Date"), display.day(invoice.issued_on)),
             (_("Place of supply"), f"{place} {STATE_CODES.get(place, '')}"),
             (_("Customer GSTIN"), invoice.customer_gstin or "-")]
    top = pdf.get_y()
    half = pdf.epw / 2
    pdf.set_font("noto", "B", 9.5)
    pdf.cell(half, 5, _("Billed to"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("noto", "", 9.5)
    for line in left:
        pdf.multi_cell(half - 4, 5, line, new_x="LMARGIN", new_y="NEXT")
    bottom = pdf.get_y()
    pdf.set_xy(pdf.l_margin + half, top)
    for label, value in right:
        pdf.set_x(pdf.l_margin + half)
        pdf.set_font("noto", "B", 9.5)
        pdf.cell(34, 5, label)
        pdf.set_font("noto", "", 9.5)
        pdf.cell(0, 5, value, new_x="LMARGIN", new_y="NEXT")
    pdf.set_y(max(bottom, pdf.get_y()) + 4)


def _lines(pdf: UnicodePDF, invoice: Invoice) -> None:
    lines = list(invoice.lines.all())
    if invoice.intra_state:
        heads = (_("Item"), _("SAC/HSN"), _("Qty"), _("Unit price"), _("Discount"), _("Taxable"), _("CGST"), _("SGST"), _("Total"))
        widths = (40, 15, 9, 21, 19, 21, 21, 21, 23)
    else:
        heads = (_("Item"), _("SAC/HSN"), _("Qty"), _("Unit price"), _("Discount"), _("Taxable"), _("IGST"), _("Total"))
        widths = (52, 16, 10, 24, 22, 24, 20, 22)
    pdf.set_font("noto", "", 8.5)
    align = ("LEFT", "LEFT") + ("RIGHT",) * (len(heads) - 2)
    with pdf.table(col_widths=widths, text_align=align, line_height=4.6, headings_style=HEADINGS,
                   first_row_as_headings=True) as table:
        table.row(heads)
        for line in lines:
            half = _rate(line.gst_rate_bp // 2) if line.gst_rate_bp else "0%"
            if invoice.intra_state:
                tax = (f"{_money(line.cgst_paise)}\n@ {half}", f"{_money(line.sgst_paise)}\n@ {half}")
            else:
                tax = (f"{_money(line.igst_paise)}\n@ {_rate(line.gst_rate_bp)}",)
            discount = _money(line.discount_paise) if line.discount_paise else "-"
            table.row((line.description, line.code, str(line.quantity), _money(line.unit_price_paise), discount,
                       _money(line.taxable_paise), *tax, _money(line.total_paise)))
    pdf.ln(2)


def _totals(pdf: UnicodePDF, invoice: Invoice) -> None:
    lines = list(invoice.lines.all())
    discount = sum(line.discount_paise for line in lines)
    rows: list[tuple[str, int, bool]] = []
    if discount:
        rows += [(_("Price before discount"), sum(line.unit_price_paise * line.quantity for line in lines), False),
                 (_("Discount"), -discount, False)]
    rows.append((_("Taxable value"), invoice.taxable_paise, False))
    if invoice.intra_state:
        rows += [(_("CGST"), invoice.cgst_paise, False), (_("SGST"), invoice.sgst_paise, False)]
    else:
        rows.append((_("IGST"), invoice.igst_paise, False))
    rows.append((_("Invoice total"), invoice.total_paise, True))
    rows.append((_("Paid"), invoice.paid_paise, False))
    if invoice.refunded_paise:
        rows.append((_("Refunded"), invoice.refunded_paise, False))
    rows.append((_("Balance due"), invoice.balance_paise, True))
    for label, amount, strong in rows:
        pdf.set_font("noto", "B" if strong else "", 9.5)
        pdf.set_x(pdf.l_margin + pdf.epw - 90)
        pdf.cell(60, 5.5, label, align="R")
        pdf.cell(30, 5.5, _money(amount), align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font("noto", "B", 9.5)
    pdf.cell(38, 5, _("Amount in words"))
    pdf.set_font("noto", "", 9.5)
    pdf.multi_cell(0, 5, amount_in_words(invoice.total_paise, get_language()), new_x="LMARGIN", new_y="NEXT")


def _upi(pdf: UnicodePDF, upi_request: services.UpiRequest) -> None:
    """The QR code for the balance due, 32 mm square (a phone reads it from a printed page), with
    the UPI ID beside it for payers who type it."""
    pdf.ln(3)
    if pdf.will_page_break(34):
        pdf.add_page()
    top = pdf.get_y()
    pdf.image(io.BytesIO(qr.png(upi_request.uri)), x=pdf.l_margin, y=top, w=32, h=32)
    pdf.set_xy(pdf.l_margin + 36, top + 4)
    pdf.set_font("noto", "B", 10)
    pdf.cell(0, 6, _("Pay by UPI"), new_x="LEFT", new_y="NEXT")
    pdf.set_font("noto", "", 9)
    pdf.cell(0, 5, _("Scan with any UPI app to pay the balance due, %(amount)s.") % {"amount": _money(upi_request.amount_paise)},
             new_x="LEFT", new_y="NEXT")
    pdf.cell(0, 5, f"{_('UPI ID')} {upi_request.upi_id} · {upi_request.payee_name}", new_x="LEFT", new_y="NEXT")
    pdf.set_xy(pdf.l_margin, top + 33)


def invoice_pdf(invoice: Invoice) -> bytes:
    pdf = UnicodePDF(format="A4")
    pdf.set_title(_("Invoice %(number)s") % {"number": invoice.number})
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_page()
    _header(pdf, invoice, _("Tax invoice") if invoice.taxable_paise != invoice.total_paise else _("Bill of supply"))
    _parties(pdf, invoice)
    _lines(pdf, invoice)
    _totals(pdf, invoice)
    upi_request = services.upi_request_for(invoice)
    if upi_request is not None:
        _upi(pdf, upi_request)
    pdf.ln(4)
    pdf.set_font("noto", "", 8)
    pdf.multi_cell(0, 4, _("Health care by a clinical establishment is exempt from GST (SAC 9993). Cosmetic procedures "
                           "(SAC 999722) and products carry GST as shown. A discount is taken off the price before GST; "
                           "GST is computed per line and rounded to the paisa."))
    return bytes(pdf.output())


def receipt_pdf(payment: Payment) -> bytes:
    invoice = payment.invoice
    pdf = UnicodePDF(format="A4")
    pdf.add_page()
    _header(pdf, invoice, _("Receipt R-%(number)06d") % {"number": payment.pk})
    for label, value in ((_("Received from"), f"{invoice.patient.full_name} ({invoice.patient.mrn})"),
                         (_("Amount"), _money(payment.amount_paise)),
                         (_("Amount in words"), amount_in_words(payment.amount_paise, get_language())),
                         (_("Method"), payment.get_method_display()),
                         (_("Reference"), payment.reference or "-"),
                         (_("Date"), display.moment(timezone.localtime(payment.received_at))),
                         (_("Against invoice"), invoice.number), (_("Balance due"), _money(invoice.balance_paise))):
        pdf.cell(40, 7, label)
        pdf.multi_cell(0, 7, value, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
