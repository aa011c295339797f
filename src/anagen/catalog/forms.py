from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anagen.catalog import services
from anagen.catalog.models import MovementKind, Product, VialType
from anagen.core.formulation import CATALOGUE
from anagen.ui.forms import NoColonLabels

MAX_VIAL_VOLUME_ML = Decimal("100")
MAX_VIALS_PER_LOT = 100_000
# A date far enough ahead to be a typing error for an expiry date (stable products last ~3 years).
MAX_SHELF_LIFE_YEARS = 10

INGREDIENT_CHOICES = [("", _("Choose an ingredient"))] + sorted(
    ((code, f"{ingredient.name} ({ingredient.concentration_unit}, {ingredient.min_concentration}-{ingredient.max_concentration})")
     for code, ingredient in CATALOGUE.items()),
    key=lambda choice: choice[1],
)
UNIT_CHOICES = [("", _("The ingredient's unit"))] + [(unit, unit) for unit in sorted({i.concentration_unit for i in CATALOGUE.values()})]


class ProductForm(NoColonLabels, forms.ModelForm):
    vial_type = forms.ChoiceField(
        label=_("Vial type"), choices=VialType.choices, widget=forms.RadioSelect,
        help_text=_("Multi-dose vials have been linked to infection outbreaks: record every use by lot."),
    )

    class Meta:
        model = Product
        fields = ["name", "manufacturer", "vial_type", "vial_volume_ml", "low_stock_threshold_ml", "active"]
        # The form's own words (the model's verbose names are the schema's, in English).
        labels = {
            "name": _("Product name"), "manufacturer": _("Manufacturer"), "vial_volume_ml": _("Vial volume (mL)"),
            "low_stock_threshold_ml": _("Low-stock threshold (mL)"), "active": _("Active"),
        }
        help_texts = {
            "vial_volume_ml": _("The volume of one vial, e.g. 5 for a 5 mL vial."),
            "low_stock_threshold_ml": _("Warn when the usable stock of this product falls below this many mL. 0 turns the warning off."),
            "active": _("Inactive products are kept for the record but their lots cannot be selected."),
        }

    def clean_name(self) -> str:
        name = (self.cleaned_data.get("name") or "").strip()
        if not name:
            raise forms.ValidationError(_("This field is required."))
        return name

    def clean_vial_volume_ml(self) -> Decimal:
        volume: Decimal = self.cleaned_data["vial_volume_ml"]
        if volume <= 0:
            raise forms.ValidationError(_("The vial volume must be more than 0 mL."))
        if volume > MAX_VIAL_VOLUME_ML:
            raise forms.ValidationError(_("The vial volume must be at most %(most)s mL.") % {"most": MAX_VIAL_VOLUME_ML})
        return volume

    def clean_low_stock_threshold_ml(self) -> Decimal:
        threshold: Decimal = self.cleaned_data["low_stock_threshold_ml"]
        if threshold < 0:
            raise forms.ValidationError(_("The threshold cannot be negative; 0 turns the warning off."))
        return threshold

    def values(self) -> dict[str, Any]:
        return {field: self.cleaned_data[field] for field in self.Meta.fields}


class ComponentForm(NoColonLabels, forms.Form):
    ingredient_code = forms.ChoiceField(
        label=_("Ingredient"), choices=INGREDIENT_CHOICES,
        error_messages={"invalid_choice": _("Unknown ingredient %(value)s: choose one from the ingredient catalogue.")},
    )
    concentration = forms.DecimalField(label=_("Concentration"), max_digits=9, decimal_places=3, min_value=Decimal("0.001"))
    concentration_unit = forms.ChoiceField(
        label=_("Unit"), choices=UNIT_CHOICES, required=False,
        help_text=_("Leave blank to use the ingredient catalogue's unit."),
        error_messages={"invalid_choice": _("Unknown unit %(value)s: use the ingredient catalogue's unit.")},
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if "ingredient_code" in data and "concentration" in data and not self.has_error("concentration_unit"):
            for error in services.component_errors(data["ingredient_code"], data["concentration"], data.get("concentration_unit")):
                self.add_error(error.field, error.message)
        return data


class BaseComponentFormSet(forms.BaseFormSet):
    """Rows of ingredients. An existing row counts unless ticked for removal; a new row counts
    once something is typed in it."""

    def _live_forms(self) -> list[forms.Form]:
        return [
            form for index, form in enumerate(self.forms)
            if (index < self.initial_form_count() or form.has_changed())
            and not (getattr(form, "cleaned_data", None) or {}).get("DELETE")
        ]

    def clean(self) -> None:
        live = self._live_forms()
        if any(form.errors for form in live):
            return
        seen: dict[str, int] = {}
        for index, form in enumerate(live):
            code = form.cleaned_data.get("ingredient_code")
            if code in seen:
                form.add_error("ingredient_code", _("%(ingredient)s is already listed as ingredient %(number)s.") % {"ingredient": CATALOGUE[code].name, "number": seen[code] + 1})
            else:
                seen[code] = index
        if not seen:
            raise forms.ValidationError(_("A product needs at least one ingredient."))

    def rows(self) -> list[dict[str, Any]]:
        return [{field: form.cleaned_data.get(field) for field in services.COMPONENT_FIELDS} for form in self._live_forms()]


ComponentFormSet = forms.formset_factory(
    ComponentForm, formset=BaseComponentFormSet, extra=2, max_num=12, validate_max=True, can_delete=True, can_delete_extra=False,
)


def component_formset(data: Any = None, product: Product | None = None) -> Any:
    initial = [
        {"ingredient_code": c.ingredient_code, "concentration": c.concentration, "concentration_unit": c.concentration_unit}
        for c in (product.components.all() if product is not None else [])
    ]
    formset = ComponentFormSet(data, initial=initial, prefix="components", form_kwargs={"label_suffix": ""})
    for form in formset.forms:
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = _("Remove this ingredient")
    return formset


class ReceiveLotForm(NoColonLabels, forms.Form):
    lot_number = forms.CharField(label=_("Lot number"), max_length=64, help_text=_("As printed on the vials and the box."))
    expiry_date = forms.DateField(label=_("Expiry date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    vials_received = forms.IntegerField(label=_("Vials received"), min_value=1, max_value=MAX_VIALS_PER_LOT)
    supplier = forms.CharField(label=_("Supplier"), max_length=200)
    received_on = forms.DateField(label=_("Received on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def __init__(self, *args: Any, product: Product, today: date | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.product = product
        self.today = today or timezone.localdate()
        self.fields["received_on"].initial = self.today
        self.fields["vials_received"].help_text = _("Each vial holds %(ml)s mL.") % {"ml": product.vial_volume_ml}

    def clean_lot_number(self) -> str:
        number = (self.cleaned_data.get("lot_number") or "").strip()
        if not number:
            raise forms.ValidationError(_("This field is required."))
        return number

    def clean_supplier(self) -> str:
        supplier = (self.cleaned_data.get("supplier") or "").strip()
        if not supplier:
            raise forms.ValidationError(_("This field is required."))
        return supplier

    def clean_received_on(self) -> date:
        received: date = self.cleaned_data["received_on"]
        if received > self.today:
            raise forms.ValidationError(_("The date received cannot be in the future."))
        return received

    def clean_expiry_date(self) -> date:
        expiry: date = self.cleaned_data["expiry_date"]
        if expiry > self.today + timedelta(days=365 * MAX_SHELF_LIFE_YEARS):
            raise forms.ValidationError(_("The expiry date is more than %(years)s years away: check it.") % {"years": MAX_SHELF_LIFE_YEARS})
        return expiry

    def quantity_ml(self) -> Decimal:
        return self.cleaned_data["vials_received"] * self.product.vial_volume_ml


class RecallForm(NoColonLabels, forms.Form):
    reason = forms.CharField(
        label=_("Reason for the recall"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("E.g. the manufacturer's recall notice and its reference, or the suspected problem."),
    )
    confirm = forms.BooleanField(label=_("I understand that a recall cannot be undone"), required=True)

    def clean_reason(self) -> str:
        reason = (self.cleaned_data.get("reason") or "").strip()
        if not reason:
            raise forms.ValidationError(_("This field is required."))
        return reason


ADJUST_CHOICES = [
    ("discard", _("Discard (broken, contaminated, expired or recalled stock)")),
    ("remove", _("Count correction: less stock than recorded")),
    ("add", _("Count correction: more stock than recorded")),
]


class AdjustForm(NoColonLabels, forms.Form):
    action = forms.ChoiceField(label=_("What happened"), choices=ADJUST_CHOICES, widget=forms.RadioSelect)
    quantity_ml = forms.DecimalField(
        label=_("Quantity (mL)"), max_digits=9, decimal_places=2, min_value=Decimal("0.01"),
        help_text=_("How much to take off or add, in mL."),
    )
    reason = forms.CharField(label=_("Reason"), max_length=500)

    def clean_reason(self) -> str:
        reason = (self.cleaned_data.get("reason") or "").strip()
        if not reason:
            raise forms.ValidationError(_("This field is required."))
        return reason

    def kind(self) -> str:
        return MovementKind.DISCARDED if self.cleaned_data["action"] == "discard" else MovementKind.ADJUSTED

    def signed_quantity(self) -> Decimal:
        quantity: Decimal = self.cleaned_data["quantity_ml"]
        return quantity if self.cleaned_data["action"] == "add" else -quantity
