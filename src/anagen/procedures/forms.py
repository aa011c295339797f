from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from anagen.core.formulation import CATALOGUE
from anagen.core.measurements import ScalpZone
from anagen.core.safety import AdverseEventType, InjectionPoint
from anagen.core.screening import CONDITION_CODES, MEDICATION_CODES
from anagen.procedures.models import InjectionStyle, Technique
from anagen.procedures.services import LANGUAGES, LotUse, SessionInput
from anagen.ui import labels
from anagen.ui.forms import NoColonLabels

IMMEDIATE_REACTIONS = [
    (AdverseEventType.ERYTHEMA.value, "Redness"),
    (AdverseEventType.BRUISING.value, "Pinpoint bruising / bleeding"),
    (AdverseEventType.SWELLING.value, "Swelling"),
    (AdverseEventType.PAIN.value, "Pain beyond the expected"),
    (AdverseEventType.FAINTING.value, "Fainting / vasovagal"),
    (AdverseEventType.ALLERGIC_REACTION.value, "Allergic reaction"),
]


class SessionForm(NoColonLabels, forms.Form):
    identity_confirmed = forms.BooleanField(label=_("Identity confirmed (name and date of birth)"), required=False)
    fever_today = forms.BooleanField(label=_("Fever or feeling unwell today"), required=False)
    scalp_infection_today = forms.BooleanField(label=_("Scalp infection, open sores or pustules today"), required=False)
    pregnant_today = forms.BooleanField(label=_("Pregnant or possibly pregnant"), required=False)
    new_medication_codes = forms.MultipleChoiceField(
        label=_("New medicines that matter"), required=False, widget=forms.CheckboxSelectMultiple,
        choices=labels.choices("finding", MEDICATION_CODES),
    )
    new_medicines = forms.CharField(label=_("New medicines since the last visit"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    # The extended re-screen (issue 17).
    breastfeeding_today = forms.BooleanField(label=_("Breastfeeding"), required=False)
    planning_conception_today = forms.BooleanField(label=_("Newly planning a pregnancy (either partner)"), required=False)
    new_condition_codes = forms.MultipleChoiceField(
        label=_("New diagnoses since the last visit"), required=False, widget=forms.CheckboxSelectMultiple,
        choices=sorted((c.value, c.value.replace("_", " ").capitalize()) for c in CONDITION_CODES),
    )
    new_allergy_codes = forms.MultipleChoiceField(
        label=_("New allergies since the last visit"), required=False, widget=forms.CheckboxSelectMultiple,
        choices=[(code, i.name) for code, i in CATALOGUE.items()]
        + [("lidocaine", _("Lidocaine (numbing spray)")), ("chlorhexidine", _("Chlorhexidine")), ("latex", _("Latex"))],
    )
    reaction_last_session = forms.BooleanField(label=_("A reaction after the last session"), required=False)
    new_bald_patch = forms.BooleanField(label=_("A new bald patch"), required=False)
    scalp_inflammation_today = forms.BooleanField(label=_("Scalp inflammation today"), required=False)
    scalp_cleansed = forms.BooleanField(label=_("Scalp cleansed with antiseptic"), required=False)
    numbing_spray = forms.BooleanField(label=_("Numbing spray used"), required=False)
    technique = forms.ChoiceField(label=_("Technique"), choices=Technique.choices)
    needle_gauge = forms.IntegerField(label=_("Needle gauge (G)"), required=False, min_value=27, max_value=34)
    needle_length_mm = forms.DecimalField(label=_("Needle length (mm)"), required=False, min_value=Decimal("1"), max_value=Decimal("13"), decimal_places=1)
    mesogun_settings = forms.CharField(label=_("Mesogun settings"), required=False, max_length=200)
    depth_mm = forms.DecimalField(label=_("Depth (mm)"), min_value=Decimal("0.5"), max_value=Decimal("6"), decimal_places=1,
                                  help_text=_("Protocol: about 1.5-4 mm into the dermis."))
    injection_style = forms.ChoiceField(label=_("Injection style"), choices=InjectionStyle.choices)
    injection_map = forms.CharField(widget=forms.HiddenInput, required=False)
    pain_score = forms.IntegerField(label=_("Pain (0 none – 10 worst)"), min_value=0, max_value=10)
    immediate_reactions = forms.MultipleChoiceField(label=_("Immediate reactions"), required=False, widget=forms.CheckboxSelectMultiple, choices=IMMEDIATE_REACTIONS)
    reaction_notes = forms.CharField(label=_("Notes on reactions"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    aftercare_language = forms.ChoiceField(label=_("Aftercare sheet language"), choices=list(LANGUAGES.items()))
    product_substitution_reason = forms.CharField(
        label=_("Reason for using a product other than the prescribed one"), required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Only when the product drawn is not the one the formulation names; a trichologist reviews it."),
    )
    volume_discrepancy_reason = forms.CharField(
        label=_("Reason the volumes drawn, prescribed and injected differ"), required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Only when they differ by more than the clinic's tolerance."),
    )

    def clean_injection_map(self) -> list[InjectionPoint]:
        raw = self.cleaned_data.get("injection_map") or "[]"
        try:
            rows = json.loads(raw)
            if not isinstance(rows, list):
                raise ValueError
            zones = {z.value for z in ScalpZone}
            points = []
            for row in rows:
                if row.get("zone") not in zones:
                    raise ValueError
                points.append(InjectionPoint(ScalpZone(row["zone"]), Decimal(str(row["x"])), Decimal(str(row["y"])), Decimal(str(row["volume_ml"]))))
        except (ValueError, TypeError, KeyError, AttributeError, InvalidOperation, json.JSONDecodeError) as exc:
            raise forms.ValidationError(_("The injection map could not be read; record the points again.")) from exc
        return points

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("technique") == Technique.NEEDLE and not self.errors:
            for name in ("needle_gauge", "needle_length_mm"):
                if data.get(name) is None:
                    self.add_error(name, _("Needed for the needle technique."))
        if data.get("technique") == Technique.MESOGUN and not (data.get("mesogun_settings") or "").strip():
            self.add_error("mesogun_settings", _("Record the mesogun settings."))
        return data


class LotRowForm(NoColonLabels, forms.Form):
    lot = forms.TypedChoiceField(label=_("Lot"), coerce=int, required=False, empty_value=None)
    volume_ml = forms.DecimalField(label=_("Volume drawn (mL)"), required=False, min_value=Decimal("0.01"), max_value=Decimal("20"), decimal_places=2)

    def __init__(self, *args: Any, lot_choices: list[tuple[Any, str]] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["lot"].choices = [("", "—")] + (lot_choices or [])

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("lot") and data.get("volume_ml") is None and "volume_ml" not in self.errors:
            self.add_error("volume_ml", _("Enter the volume drawn from this lot."))
        return data


LotFormSet = forms.formset_factory(LotRowForm, extra=3, max_num=6, absolute_max=6)


def session_input(form: SessionForm, lot_forms: Any) -> SessionInput:
    data = form.cleaned_data
    lots = tuple(
        LotUse(f.cleaned_data["lot"], f.cleaned_data["volume_ml"])
        for f in lot_forms.forms if f.cleaned_data.get("lot")
    )
    return SessionInput(
        identity_confirmed=data["identity_confirmed"], fever_today=data["fever_today"],
        scalp_infection_today=data["scalp_infection_today"], pregnant_today=data["pregnant_today"],
        new_medicines=data.get("new_medicines", ""), new_medication_codes=tuple(data.get("new_medication_codes", [])),
        scalp_cleansed=data["scalp_cleansed"], numbing_spray=data["numbing_spray"], technique=data["technique"],
        needle_gauge=data.get("needle_gauge"), needle_length_mm=data.get("needle_length_mm"),
        mesogun_settings=data.get("mesogun_settings", ""), depth_mm=data["depth_mm"], injection_style=data["injection_style"],
        injection_map=tuple(data["injection_map"]), lots=lots, pain_score=data["pain_score"],
        immediate_reactions=tuple(data.get("immediate_reactions", [])), reaction_notes=data.get("reaction_notes", ""),
        aftercare_language=data["aftercare_language"],
        product_substitution_reason=data.get("product_substitution_reason", ""),
        volume_discrepancy_reason=data.get("volume_discrepancy_reason", ""),
        breastfeeding_today=data.get("breastfeeding_today", False),
        planning_conception_today=data.get("planning_conception_today", False),
        scalp_inflammation_today=data.get("scalp_inflammation_today", False),
        new_condition_codes=tuple(data.get("new_condition_codes", [])),
        new_allergy_codes=tuple(data.get("new_allergy_codes", [])),
        reaction_last_session=data.get("reaction_last_session", False),
        new_bald_patch=data.get("new_bald_patch", False),
    )


class AddendumForm(NoColonLabels, forms.Form):
    reason = forms.CharField(label=_("Reason for the addendum"), max_length=300)
    text = forms.CharField(label=_("Addendum"), widget=forms.Textarea(attrs={"rows": 3}))


class AftercareForm(NoColonLabels, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(label=_("Sheet"), widget=forms.Textarea(attrs={"rows": 24}),
                           help_text=_("'## Heading' lines, then one '- point' per line."))
