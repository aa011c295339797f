from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from anagen.catalog.models import Product
from anagen.core import display
from anagen.core.course import CombinationRequest, CombinationTherapy
from anagen.core.errors import InvalidInput
from anagen.core.formulation import CATALOGUE, Component
from anagen.patients.models import Patient
from anagen.scheduling import services as scheduling
from anagen.treatments.models import Formulation
from anagen.ui.forms import NoColonLabels, add_errors_from

INGREDIENT_CHOICES = [("", "—")] + [
    (code, f"{i.name} ({i.min_concentration}-{i.max_concentration} {i.concentration_unit}){' · Rx' if i.prescription_drug else ''}")
    for code, i in CATALOGUE.items()
]


class ComponentForm(NoColonLabels, forms.Form):
    ingredient = forms.ChoiceField(label=_("Ingredient"), choices=INGREDIENT_CHOICES, required=False)
    volume_ml = forms.DecimalField(label=_("Volume per session (mL)"), max_digits=4, decimal_places=2, required=False, min_value=Decimal("0.01"))
    concentration = forms.DecimalField(label=_("Concentration"), max_digits=8, decimal_places=3, required=False, min_value=Decimal("0"))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("ingredient"):
            for name in ("volume_ml", "concentration"):
                if data.get(name) is None and name not in self.errors:
                    self.add_error(name, "Enter a value for this ingredient.")
        return data

    def component(self) -> Component | None:
        data = self.cleaned_data
        if not data.get("ingredient"):
            return None
        return Component(ingredient=data["ingredient"], volume_ml=data["volume_ml"], concentration=data["concentration"])


ComponentFormSet = forms.formset_factory(ComponentForm, extra=0, max_num=20, absolute_max=20)


class FormulationForm(NoColonLabels, forms.Form):
    signoff = forms.BooleanField(
        label=_("I sign off the off-label prescription drug component(s) of this formulation"), required=False
    )
    consent_documented = forms.BooleanField(
        label=_("The patient's consent to the off-label drug component(s) is documented"), required=False
    )
    products = forms.ModelMultipleChoiceField(
        label=_("Ready-made products this formulation names"), queryset=Product.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Checked against the patient's allergies through their ingredient lists; the session must draw one of them."),
    )
    caution_reason = forms.CharField(
        label=_("Trichologist's acknowledgement of the drug cautions"), required=False, max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Needed for minoxidil with heart or blood-pressure disease, or a 5-ARI with depression, liver disease or sexual dysfunction."),
    )
    te_override_reason = forms.CharField(
        label=_("Trichologist's reason to give a 5-ARI for telogen effluvium"), required=False, max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    notes = forms.CharField(label=_("Notes for the practitioner"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, clinic: Any = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if clinic is not None:
            self.fields["products"].queryset = Product.objects.filter(clinic=clinic, active=True).order_by("name")  # type: ignore[attr-defined]

    def reasons(self) -> dict[str, str]:
        """The written reasons keyed by the issue codes they answer (core/formulation.py)."""
        data = self.cleaned_data
        caution = (data.get("caution_reason") or "").strip()
        override = (data.get("te_override_reason") or "").strip()
        reasons = {}
        if caution:
            reasons.update(minoxidil_cardiovascular_caution=caution, five_ari_condition_caution=caution)
        if override:
            reasons["five_ari_telogen_effluvium"] = override
        return reasons

    def product_ids(self) -> list[int]:
        return [p.pk for p in self.cleaned_data.get("products") or []]


def components_from(formset: Any) -> list[Component]:
    return [c for c in (f.component() for f in formset.forms if f.is_valid()) if c is not None]


def initial_rows(components: list[Component], blank_rows: int = 2) -> list[dict[str, Any]]:
    rows = [{"ingredient": c.ingredient, "volume_ml": c.volume_ml, "concentration": c.concentration} for c in components]
    return rows + [{} for _ in range(blank_rows)]


class CourseForm(NoColonLabels, forms.Form):
    formulation = forms.ModelChoiceField(label=_("Formulation"), queryset=Formulation.objects.none(), empty_label=None)
    start_date = forms.DateField(label=_("First session"), widget=forms.DateInput(attrs={"type": "date"}))
    intensive_sessions = forms.IntegerField(label=_("Intensive sessions"), min_value=1, max_value=12)
    interval_days = forms.IntegerField(label=_("Days between intensive sessions"), min_value=7, max_value=31)
    maintenance_sessions = forms.IntegerField(label=_("Maintenance sessions"), min_value=0, max_value=24)
    maintenance_interval_days = forms.IntegerField(label=_("Days between maintenance sessions"), min_value=28, max_value=120)
    practitioner = forms.ModelChoiceField(label=_("Practitioner"), queryset=None)
    room = forms.ModelChoiceField(label=_("Room"), queryset=None)
    session_time = forms.TimeField(label=_("Time of day"), widget=forms.TimeInput(attrs={"type": "time", "step": 900}, format="%H:%M"))
    duration_minutes = forms.IntegerField(label=_("Session length (minutes)"), min_value=15, max_value=240)

    def __init__(self, *args: Any, patient: Patient, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["formulation"].queryset = Formulation.objects.filter(patient=patient).order_by("-created_at")  # type: ignore[attr-defined]
        self.fields["formulation"].label_from_instance = lambda f: f"#{f.pk} of {display.day(f.created_at)}, {f.total_volume_ml} mL"  # type: ignore[attr-defined]
        self.fields["practitioner"].queryset = scheduling.bookable_practitioners(patient.clinic)  # type: ignore[attr-defined]
        self.fields["room"].queryset = scheduling.active_rooms(patient.clinic)  # type: ignore[attr-defined]


class CombinationForm(NoColonLabels, forms.Form):
    therapy = forms.ChoiceField(
        label=_("Combination therapy"),
        choices=[("", "None")] + [(t.value, {"prf": "PRF", "exosomes": "Exosomes", "peptides": "Peptide therapy"}[t.value]) for t in CombinationTherapy],
        required=False,
    )
    start_date = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    interval_days = forms.IntegerField(label=_("Every (days)"), required=False, min_value=7, max_value=120)
    sessions = forms.IntegerField(label=_("Sessions"), required=False, min_value=1, max_value=12)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("therapy"):
            for name in ("start_date", "interval_days", "sessions"):
                if data.get(name) is None and name not in self.errors:
                    self.add_error(name, "Needed for a combination therapy.")
            if not self.errors:
                try:
                    CombinationRequest(CombinationTherapy(data["therapy"]), data["start_date"], data["interval_days"], data["sessions"])
                except InvalidInput as exc:
                    add_errors_from(self, exc)
        return data

    def request(self) -> CombinationRequest | None:
        data = self.cleaned_data
        if not data.get("therapy"):
            return None
        return CombinationRequest(CombinationTherapy(data["therapy"]), data["start_date"], data["interval_days"], data["sessions"])


CombinationFormSet = forms.formset_factory(CombinationForm, extra=2, max_num=3, absolute_max=3)
