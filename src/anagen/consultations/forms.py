from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anagen.consultations.models import LAB_TEST_CHOICES, Addendum, Consultation, MeasurementSet
from anagen.core import display
from anagen.core.errors import InvalidInput
from anagen.core.formulation import CATALOGUE
from anagen.core.labs import UNIT_FACTORS, LabResult, LabTest
from anagen.core.measurements import (
    CombCount,
    GlobalPhotographicAssessment,
    PullTest,
    Trichoscopy,
    WashTest,
)
from anagen.core.scales import SCALES
from anagen.core.screening import CONDITION_CODES, MEDICATION_CODES
from anagen.ui import labels
from anagen.ui.forms import NoColonLabels

PATTERN_CHOICES: list[Any] = [("", "Not graded")] + [
    (
        definition.name,
        [(f"{scale.value}:{stage}", f"{definition.name} {stage}: {description}") for stage, description in definition.stages.items()],
    )
    for scale, definition in SCALES.items()
]

CONSULTATION_FIELDS = (
    "consulted_on",
    "presenting_complaint",
    "complaint_duration_months",
    "history_illness",
    "history_stress",
    "history_childbirth_months_ago",
    "history_menopause",
    "history_diet",
    "family_history",
    "medicines",
    "allergies_other",
    "no_known_allergies",
    "pregnant",
    "breastfeeding",
    "planning_conception",
    "able_to_become_pregnant",
    "contraception_documented_on",
    "negative_pregnancy_test_on",
    "te_trigger_on",
    "scalp_active_infection",
    "scalp_active_inflammation",
    "scarring_alopecia",
    "diagnosis_primary",
    "diagnosis_secondary",
    "notes",
)


def _add_core_errors(form: forms.Form, exc: InvalidInput, field_map: dict[str, str]) -> None:
    for error in exc.errors:
        target = field_map.get(error.field.split(".")[0])
        if target is not None and target in form.fields:
            form.add_error(target, error.message)
        else:
            form.add_error(None, error.message)


class ConsultationForm(NoColonLabels, forms.ModelForm):
    pattern = forms.ChoiceField(label=_("Pattern scale and stage"), choices=PATTERN_CHOICES, required=False)
    medication_codes = forms.MultipleChoiceField(
        label=_("Medicines that matter for screening"),
        choices=labels.choices("finding", MEDICATION_CODES),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    condition_codes = forms.MultipleChoiceField(
        label=_("Conditions"),
        choices=labels.choices("finding", CONDITION_CODES),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    allergy_ingredients = forms.MultipleChoiceField(
        label=_("Allergies to formulation ingredients and materials"),
        choices=[(code, ingredient.name) for code, ingredient in CATALOGUE.items()] + [
            ("lidocaine", _("Lidocaine (local anaesthetic, numbing spray)")),
            ("chlorhexidine", _("Chlorhexidine (antiseptic)")),
            ("latex", _("Latex")),
        ],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    abnormal_labs_reviewed = forms.BooleanField(
        label=_("I have reviewed the blood results flagged low or high"), required=False,
        help_text=_("Until a clinician has reviewed them, abnormal results defer telogen effluvium and diffuse thinning."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Consultation
        fields = CONSULTATION_FIELDS
        widgets = {
            "consulted_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            **{name: forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d") for name in (
                "contraception_documented_on", "negative_pregnancy_test_on", "te_trigger_on",
            )},
            **{name: forms.Textarea(attrs={"rows": 2}) for name in (
                "presenting_complaint", "history_illness", "history_stress", "history_diet",
                "family_history", "medicines", "allergies_other", "notes",
            )},
        }

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        # The browser's date picker offers no day after today.
        self.fields["consulted_on"].widget.attrs["max"] = timezone.localdate().isoformat()
        instance: Consultation = self.instance
        if instance.pk:
            self.initial.setdefault("version", instance.version)
            self.initial.setdefault("medication_codes", instance.medication_codes)
            self.initial.setdefault("condition_codes", instance.condition_codes)
            self.initial.setdefault("allergy_ingredients", instance.allergy_ingredients)
            if instance.pattern_scale:
                self.initial.setdefault("pattern", f"{instance.pattern_scale}:{instance.pattern_stage}")

    def clean_consulted_on(self) -> Any:
        visit = self.cleaned_data.get("consulted_on")
        today = timezone.localdate()
        if visit is not None and visit > today:
            raise forms.ValidationError(_("The visit date cannot be in the future (today is %(today)s).") % {"today": display.day(today)})
        return visit

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("breastfeeding") and data.get("pregnant") is None:
            data["pregnant"] = False
        if data.get("no_known_allergies") and (data.get("allergy_ingredients") or (data.get("allergies_other") or "").strip()):
            self.add_error("no_known_allergies", _("Allergies are listed above: untick “No known allergies”, or clear the list."))
        on = data.get("consulted_on")
        for name in ("contraception_documented_on", "negative_pregnancy_test_on", "te_trigger_on"):
            if data.get(name) and on and data[name] > on:
                self.add_error(name, _("Cannot be after the consultation date."))
        patient = getattr(self.instance, "patient", None)
        if patient is not None and patient.sex == "male" and data.get("able_to_become_pregnant"):
            self.add_error("able_to_become_pregnant", _("Not for a patient recorded as male."))
        if data.get("te_trigger_on") and data.get("diagnosis_primary") != "telogen_effluvium":
            self.add_error("te_trigger_on", _("Only for a telogen effluvium diagnosis."))
        return data

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        values = {name: data[name] for name in CONSULTATION_FIELDS if name in data}
        scale, _, stage = (data.get("pattern") or "").partition(":")
        values.update(
            pattern_scale=scale,
            pattern_stage=stage,
            medication_codes=sorted(data.get("medication_codes", [])),
            condition_codes=sorted(data.get("condition_codes", [])),
            allergy_ingredients=sorted(data.get("allergy_ingredients", [])),
        )
        return values


MEASUREMENT_FIELDS = (
    "pull_grasped", "pull_extracted", "wash_shed_count", "wash_short_count", "comb_count",
    "site_zone", "site_offset_cm", "site_note", "density_per_cm2", "thin_hairs_pct",
    "mean_shaft_diameter_um", "terminal_to_vellus_ratio", "anagen_pct", "telogen_pct",
    "yellow_dots_count", "global_photo_score",
)

_TRICHOSCOPY_FIELDS = {
    "zone": "site_zone", "site_offset_cm": "site_offset_cm", "density_per_cm2": "density_per_cm2",
    "thin_hairs_pct": "thin_hairs_pct", "mean_shaft_diameter_um": "mean_shaft_diameter_um",
    "terminal_to_vellus_ratio": "terminal_to_vellus_ratio", "anagen_pct": "anagen_pct",
    "telogen_pct": "telogen_pct", "yellow_dots_count": "yellow_dots_count",
}


class MeasurementForm(NoColonLabels, forms.ModelForm):
    """Scalp measurements; every value is range-checked by the clinical core (anagen.core.measurements)."""

    class Meta:
        model = MeasurementSet
        fields = MEASUREMENT_FIELDS

    def __init__(self, *args: Any, **kwargs: Any):
        kwargs.setdefault("prefix", "m")
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.errors:
            return data
        pairs = [
            (("pull_grasped", "pull_extracted"), lambda: PullTest(grasped=data["pull_grasped"], extracted=data["pull_extracted"]),
             {"grasped": "pull_grasped", "extracted": "pull_extracted"}),
            (("wash_shed_count", "wash_short_count"), lambda: WashTest(shed_count=data["wash_shed_count"], short_hairs_count=data["wash_short_count"]),
             {"shed_count": "wash_shed_count", "short_hairs_count": "wash_short_count"}),
        ]
        for names, build, field_map in pairs:
            present = [data.get(n) is not None for n in names]
            if any(present) and not all(present):
                missing = names[present.index(False)]
                self.add_error(missing, _("Enter both values of this test, or neither."))
            elif all(present):
                try:
                    build()
                except InvalidInput as exc:
                    _add_core_errors(self, exc, field_map)
        if data.get("comb_count") is not None:
            try:
                CombCount(count=data["comb_count"])
            except InvalidInput as exc:
                _add_core_errors(self, exc, {"count": "comb_count"})
        if data.get("global_photo_score") is not None:
            try:
                GlobalPhotographicAssessment(score=data["global_photo_score"])
            except InvalidInput as exc:
                _add_core_errors(self, exc, {"score": "global_photo_score"})
        trichoscopy_values = [data.get(f) for f in _TRICHOSCOPY_FIELDS.values() if f not in ("site_zone", "site_offset_cm")]
        if any(v is not None for v in trichoscopy_values):
            for required in ("site_zone", "site_offset_cm", "density_per_cm2"):
                if data.get(required) in (None, ""):
                    self.add_error(required, _("Needed with trichoscopy values, so follow-ups measure the same site."))
            if not self.errors:
                try:
                    Trichoscopy(**{core: data.get(model) for core, model in _TRICHOSCOPY_FIELDS.items()})
                except InvalidInput as exc:
                    _add_core_errors(self, exc, _TRICHOSCOPY_FIELDS)
        return data

    def has_values(self) -> bool:
        return any(self.cleaned_data.get(f) not in (None, "") for f in MEASUREMENT_FIELDS)

    def values(self) -> dict[str, Any]:
        return {f: self.cleaned_data.get(f) for f in MEASUREMENT_FIELDS}


unit_label = labels.readable_unit


class LabForm(NoColonLabels, forms.Form):
    """One blood test as the lab reported it; checked by anagen.core.labs (units, plausibility)."""

    value = forms.DecimalField(label=_("Value"), required=False, max_digits=9, decimal_places=3)
    unit = forms.ChoiceField(label=_("Unit"))
    reference_low = forms.DecimalField(label=_("Lab range low"), required=False, max_digits=9, decimal_places=3)
    reference_high = forms.DecimalField(label=_("Lab range high"), required=False, max_digits=9, decimal_places=3)

    def __init__(self, *args: Any, test: str, **kwargs: Any):
        kwargs.setdefault("prefix", f"lab-{test}")
        super().__init__(*args, **kwargs)
        self.test = test
        self.test_label = dict(LAB_TEST_CHOICES)[test]
        self.fields["unit"].choices = [(unit, unit_label(unit)) for unit in UNIT_FACTORS[LabTest(test)]]
        self.fields["value"].label = f"{self.test_label}: value"

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.errors or data.get("value") is None:
            if data.get("value") is None and (data.get("reference_low") is not None or data.get("reference_high") is not None):
                self.add_error("value", _("Enter the result, or leave the lab range empty."))
            return data
        try:
            LabResult(
                test=LabTest(self.test), value=Decimal(data["value"]), unit=data["unit"],
                reference_low=data.get("reference_low"), reference_high=data.get("reference_high"),
            )
        except InvalidInput as exc:
            _add_core_errors(self, exc, {"value": "value", "unit": "unit", "reference_low": "reference_low", "reference_high": "reference_high"})
        return data


def lab_forms(data: Any = None, initial: dict[str, dict[str, Any]] | None = None) -> list[LabForm]:
    initial = initial or {}
    return [LabForm(data, test=code, initial=initial.get(code)) for code, _ in LAB_TEST_CHOICES]


class AcknowledgeForm(forms.Form):
    code = forms.CharField(widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Reason for going ahead"), widget=forms.Textarea(attrs={"rows": 2}), max_length=1000)


class DeferralForm(forms.Form):
    review_on = forms.DateField(label=_("Review date"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=1000)


class AddendumForm(NoColonLabels, forms.ModelForm):
    class Meta:
        model = Addendum
        fields = ("reason", "text")
        widgets = {"text": forms.Textarea(attrs={"rows": 3})}
