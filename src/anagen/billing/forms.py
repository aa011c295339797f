from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from anagen.billing.models import DESK_METHODS, STATE_CHOICES, ItemKind, PriceItem, TaxClass
from anagen.core import billing as rules
from anagen.core import display
from anagen.core.errors import InvalidInput
from anagen.ui.forms import NoColonLabels

LINE_ROWS = 4
RATE_CHOICES = [(str(bp), f"{bp / 100:g}%") for bp in sorted(rules.ALLOWED_RATES_BP)]


SERVICE_TO_FORM = {"unit_price": "price", "gst_rate": "gst_rate_bp"}


def form_field(service_field: str) -> str:
    """The form's field for a service's (dotted) field name."""
    last = service_field.split(".")[-1]
    return SERVICE_TO_FORM.get(last, last)


class _Form(NoColonLabels, forms.Form):
    pass


def _rupees(form: forms.Form, name: str) -> int:
    try:
        return rules.parse_rupees(form.cleaned_data.get(name) or "", name)
    except InvalidInput as exc:
        raise forms.ValidationError(exc.errors[0].message) from exc


class SettingsForm(_Form):
    state_code = forms.ChoiceField(label=_("Clinic's state (GST)"), choices=STATE_CHOICES)
    invoice_prefix = forms.CharField(label=_("Invoice number prefix"), max_length=6,
                                     help_text=_("1-6 capital letters or digits, e.g. MUM: invoices read MUM/2026-27/0001."))
    gstin = forms.CharField(label=_("Clinic GSTIN"), max_length=15, required=False, help_text=_("15 characters, e.g. 27ABCDE1234F1Z5."))
    upi_id = forms.CharField(label=_("UPI ID for payments"), max_length=320, required=False,
                             help_text=_("e.g. anagenclinic@okhdfcbank. Invoices then carry a QR code for the amount due."))
    upi_payee_name = forms.CharField(label=_("Name shown to the payer"), max_length=50, required=False,
                                     help_text=_("As the bank account holder's name reads; blank: the clinic's name."))


class PriceItemForm(_Form):
    kind = forms.ChoiceField(label=_("Type"), choices=ItemKind.choices)
    name = forms.CharField(label=_("Name"), max_length=150, help_text=_("e.g. 6-session intensive course"))
    price = forms.CharField(label=_("Price in rupees, before GST"), max_length=20, help_text=_("e.g. 24000 or 1499.50"))
    tax_class = forms.ChoiceField(label=_("Tax class"), choices=TaxClass.choices,
                                  help_text=_("Medical treatment is exempt; cosmetic procedures and products carry GST."))
    gst_rate_bp = forms.ChoiceField(label=_("GST rate"), choices=RATE_CHOICES, initial="1800",
                                    help_text=_("Ignored for exempt medical treatment."))
    code = forms.CharField(label=_("SAC/HSN code"), max_length=8, required=False, help_text=_("Blank: 9993, 999722 or 3305 by tax class."))
    sessions = forms.IntegerField(label=_("Sessions in the package"), min_value=0, max_value=50, required=False,
                                  help_text=_("Only for course packages."))
    active = forms.BooleanField(label=_("On sale"), required=False, initial=True)

    def clean_price(self) -> int:
        try:
            return rules.parse_rupees(self.cleaned_data.get("price") or "", "price", allow_zero=True)
        except InvalidInput as exc:
            raise forms.ValidationError(exc.errors[0].message) from exc

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {"kind": data["kind"], "name": data["name"], "price_paise": data["price"], "tax_class": data["tax_class"],
                "gst_rate_bp": int(data["gst_rate_bp"]), "code": data["code"], "sessions": data["sessions"] or 0,
                "active": data["active"]}

    @classmethod
    def initial_for(cls, item: PriceItem) -> dict[str, Any]:
        return {"kind": item.kind, "name": item.name, "price": rules.rupees_text(item.price_paise), "tax_class": item.tax_class,
                "gst_rate_bp": str(item.gst_rate_bp or 1800), "code": item.code, "sessions": item.sessions or None, "active": item.active}


def _course_label(course: Any) -> str:
    """A course as staff know it: when it started and how many sessions it plans (never its id)."""
    return str(_("Course from %(day)s (%(sessions)d sessions)") % {"day": display.day(course.start_date), "sessions": course.total_sessions})


class InvoiceForm(_Form):
    customer_state_code = forms.ChoiceField(label=_("Customer's state"), required=False,
                                            choices=[("", _("Same as the clinic (or not known)")), *STATE_CHOICES],
                                            help_text=_("Another state makes GST inter-state (IGST)."))
    customer_gstin = forms.CharField(label=_("Customer GSTIN (if registered)"), max_length=15, required=False)

    def __init__(self, *args: Any, items: list[PriceItem], courses: list[Any] | None = None, active: Any = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.items = {str(i.pk): i for i in items}
        self.courses = {str(c.pk): c for c in courses or []}
        if courses:
            self.fields["course"] = forms.ChoiceField(
                label=_("Course the package pays for"), required=False, initial=str(active.pk) if active else "",
                choices=[("", _("No course (sessions redeemed by hand)"))] + [(str(c.pk), _course_label(c)) for c in courses],
                help_text=_("Each signed session of this course then uses one session of the package."))
        self.line_rows: list[int] = []
        choices = [("", _("None"))] + [(str(i.pk), f"{i.name} ({rules.format_paise(i.price_paise)}, {i.get_kind_display()})") for i in items]
        for row in range(1, LINE_ROWS + 1):
            self.fields[f"item_{row}"] = forms.ChoiceField(label=_("Item %(row)s") % {"row": row}, choices=choices, required=row == 1)
            self.fields[f"quantity_{row}"] = forms.IntegerField(label=_("Quantity %(row)s") % {"row": row}, min_value=1,
                                                                max_value=rules.MAX_QUANTITY, initial=1, required=False)
            self.fields[f"discount_{row}"] = forms.CharField(label=_("Discount %(row)s in rupees") % {"row": row}, max_length=20,
                                                             required=False, help_text=_("Off this line's price, before GST.") if row == 1 else "")

    def _discount(self, row: int) -> int:
        text = (self.cleaned_data.get(f"discount_{row}") or "").strip()
        if not text:
            return 0
        try:
            return rules.parse_rupees(text, f"discount_{row}", allow_zero=True)
        except InvalidInput as exc:
            self.add_error(f"discount_{row}", exc.errors[0].message)
            return 0

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        for row in range(1, LINE_ROWS + 1):
            if (cleaned.get(f"discount_{row}") or "").strip() and not cleaned.get(f"item_{row}"):
                self.add_error(f"discount_{row}", _("Choose the item this discount is for."))
            else:
                self._discount(row)
        return cleaned

    def course(self) -> Any:
        """The course chosen, or None (no course field: the patient has no course)."""
        return self.courses.get(self.cleaned_data.get("course") or "")

    def lines(self) -> list[tuple[PriceItem, int, int]]:
        """(item, quantity, discount in paise) of each filled row; ``line_rows`` keeps their row numbers."""
        out = []
        self.line_rows = []
        for row in range(1, LINE_ROWS + 1):
            item_id = self.cleaned_data.get(f"item_{row}")
            if item_id:
                out.append((self.items[item_id], self.cleaned_data.get(f"quantity_{row}") or 1, self._discount(row)))
                self.line_rows.append(row)
        return out

    def field_for(self, service_field: str) -> str:
        """``lines.1.discount`` (the second filled line) → ``discount_<its row>``."""
        parts = service_field.split(".")
        if len(parts) == 3 and parts[0] == "lines" and parts[1].isdigit() and int(parts[1]) < len(self.line_rows):
            name = {"unit_price": "item", "rate_bp": "item", "item": "item"}.get(parts[2], parts[2])
            return f"{name}_{self.line_rows[int(parts[1])]}"
        return form_field(service_field)


class PaymentForm(_Form):
    amount = forms.CharField(label=_("Amount in rupees"), max_length=20)
    method = forms.ChoiceField(label=_("Method"), choices=DESK_METHODS)
    reference = forms.CharField(label=_("Reference (UPI, card or bank)"), max_length=100, required=False)

    def clean_amount(self) -> int:
        return _rupees(self, "amount")


class RefundForm(_Form):
    amount = forms.CharField(label=_("Refund amount in rupees"), max_length=20)
    method = forms.ChoiceField(label=_("Refunded by"), choices=DESK_METHODS)
    reason = forms.CharField(label=_("Reason for the refund"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}))

    def clean_amount(self) -> int:
        return _rupees(self, "amount")


class RedeemForm(_Form):
    appointment = forms.ChoiceField(label=_("Appointment the session was used at"))

    def __init__(self, *args: Any, appointments: list[Any], **kwargs: Any):
        super().__init__(*args, **kwargs)
        from django.utils import timezone

        self.appointments = {str(a.pk): a for a in appointments}
        self.fields["appointment"].choices = [("", _("Choose an appointment"))] + [
            (str(a.pk), f"{display.moment(timezone.localtime(a.starts_at))} · {a.get_kind_display()} · {a.get_status_display()}")
            for a in appointments
        ]
