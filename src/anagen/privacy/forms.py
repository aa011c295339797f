from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from anagen.accounts.models import Role, User
from anagen.audit.models import Action
from anagen.audit.words import action_words
from anagen.patients.models import Patient
from anagen.ui.forms import NoColonLabels


class ErasureRequestForm(NoColonLabels, forms.Form):
    reason = forms.CharField(
        label=_("The patient's request"),
        help_text=_("Who asked, how (in person, email, letter) and when. It is kept with the request."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class PerformErasureForm(NoColonLabels, forms.Form):
    confirm_mrn = forms.CharField(label=_("Type the record number to confirm"), max_length=20)

    def __init__(self, *args: Any, mrn: str = "", **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.mrn = mrn

    def clean_confirm_mrn(self) -> str:
        value: str = self.cleaned_data["confirm_mrn"].strip()
        if value.upper() != self.mrn.upper():
            raise forms.ValidationError(_("Type the record number exactly (%(mrn)s).") % {"mrn": self.mrn})
        return value


class TrailFilterForm(NoColonLabels, forms.Form):
    """Filters of the audit trail: dates (clinic time), a person, a patient, an action."""

    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    person = forms.ModelChoiceField(label=_("Person"), queryset=User.objects.none(), required=False, empty_label=_("Anyone"))
    patient = forms.CharField(label=_("Patient (record number)"), required=False, max_length=30,
                              help_text=_("e.g. LOT-000123; lists and exports that showed the patient are included."))
    action = forms.ChoiceField(label=_("Action"), required=False)

    def __init__(self, *args: Any, clinic: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.clinic = clinic
        person = self.fields["person"]
        person.queryset = User.objects.filter(clinic=clinic).order_by("first_name", "last_name", "username")  # type: ignore[attr-defined]
        roles = dict(Role.choices)
        person.label_from_instance = lambda u: f"{u.get_full_name() or u.username} ({roles.get(u.role, '')})"  # type: ignore[attr-defined]
        self.fields["action"].choices = [("", _("Any")), *((value, action_words(value)) for value in Action.values)]  # type: ignore[attr-defined]

    def clean_patient(self) -> Patient | None:
        text = (self.cleaned_data.get("patient") or "").strip()
        if not text:
            return None
        found = Patient.objects.filter(clinic=self.clinic).filter(mrn__iexact=text).first()
        if found is None and text.isdigit():
            found = Patient.objects.filter(clinic=self.clinic, pk=int(text)).first()
        if found is None:
            raise forms.ValidationError(_("No patient of this clinic has this record number."))
        return found

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", _("The end date is before the start date."))
        return data
