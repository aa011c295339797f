from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anagen.accounts.models import Language
from anagen.core.identifiers import (
    IdentifierError,
    format_abha_number,
    normalise_abha_address,
    normalise_abha_number,
    normalise_phone,
)
from anagen.patients.models import DEMOGRAPHIC_FIELDS, Patient
from anagen.patients.names import InvalidName, clean_name, search_text
from anagen.ui.forms import NoColonLabels

# The oldest living people are under 120; an older date of birth is a typing error.
MAX_AGE_YEARS = 120


class PatientForm(NoColonLabels, forms.ModelForm):
    confirm_duplicate = forms.BooleanField(
        required=False,
        label=_("This is a different person: create the record anyway"),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    # Wider than the stored 14 digits: people type the dashes of XX-XXXX-XXXX-XXXX.
    abha_number = forms.CharField(
        label=_("ABHA number"), max_length=20, required=False,
        help_text=_("Optional. 14 digits, e.g. 91-1234-5678-9012."),
    )

    # What the clinic gives the patient (consent texts, aftercare sheets, reminders, report,
    # invoices) and their portal follow it; left out of a post, it stays as it was.
    preferred_language = forms.ChoiceField(
        label=_("Language the patient reads"), choices=Language.choices, required=False,
        help_text=_("Consent texts, aftercare sheets, reminders, the progress report, invoices and the portal are in this language."),
    )

    class Meta:
        model = Patient
        fields = (*DEMOGRAPHIC_FIELDS, "preferred_language")
        widgets = {
            "date_of_birth": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "address": forms.Textarea(attrs={"rows": 3}),
            "phone": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
            "emergency_contact_phone": forms.TextInput(attrs={"inputmode": "tel"}),
        }
        # The fields without a verbose name of their own.
        labels = {"sex": _("Sex"), "email": _("Email"), "address": _("Address")}
        help_texts = {
            "phone": _("Indian numbers may be written without +91."),
            "abha_number": _("Optional. 14 digits, e.g. 91-1234-5678-9012."),
            "abha_address": _("Optional, e.g. asha.patil@abdm."),
            "name_devanagari": _("Optional: the name as the patient writes it, e.g. प्रिया देशमुख."),
        }

    def __init__(self, *args: Any, today: date | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.today = today or timezone.localdate()
        if self.instance.pk:
            self.fields.pop("confirm_duplicate")
            self.initial.setdefault("version", self.instance.version)
            self.initial["abha_number"] = format_abha_number(self.instance.abha_number)
        else:
            self.fields.pop("version")

    def _identifier(self, field: str, normalise: Any, required: bool = False) -> str:
        raw = self.cleaned_data.get(field, "") or ""
        if not raw.strip():
            if required:
                raise forms.ValidationError(_("This field is required."))
            return ""
        try:
            return normalise(raw)
        except IdentifierError as exc:
            raise forms.ValidationError(str(exc)) from exc

    def clean_phone(self) -> str:
        return self._identifier("phone", normalise_phone, required=True)

    def clean_emergency_contact_phone(self) -> str:
        return self._identifier("emergency_contact_phone", normalise_phone)

    def clean_abha_number(self) -> str:
        return self._identifier("abha_number", normalise_abha_number)

    def clean_abha_address(self) -> str:
        return self._identifier("abha_address", normalise_abha_address)

    def _name(self, field: str, *, required: bool) -> str:
        try:
            return clean_name(self.cleaned_data.get(field) or "", required=required)
        except InvalidName as exc:
            raise forms.ValidationError(str(exc)) from exc

    def clean_given_name(self) -> str:
        return self._name("given_name", required=True)

    def clean_family_name(self) -> str:
        return self._name("family_name", required=False)

    def clean_emergency_contact_name(self) -> str:
        return self._name("emergency_contact_name", required=False)

    def clean_name_devanagari(self) -> str:
        name = " ".join((self.cleaned_data.get("name_devanagari") or "").split())
        # Devanagari letters and signs (U+0900-U+097F), spaces and the dot of initials only.
        if name and not all("\u0900" <= ch <= "\u097f" or ch in " ." for ch in name):
            raise forms.ValidationError(_("Write the name in Devanagari letters only, e.g. प्रिया देशमुख."))
        return name

    def clean_date_of_birth(self) -> date:
        born: date = self.cleaned_data["date_of_birth"]
        if born > self.today:
            raise forms.ValidationError(_("The date of birth cannot be in the future."))
        if self.today.year - born.year > MAX_AGE_YEARS:
            raise forms.ValidationError(_("The date of birth is more than %(years)d years ago.") % {"years": MAX_AGE_YEARS})
        return born

    def clean_preferred_language(self) -> str:
        chosen: str = self.cleaned_data.get("preferred_language") or ""
        return chosen or (self.instance.preferred_language if self.instance.pk else Language.ENGLISH)

    def registry_values(self) -> dict[str, Any]:
        return {field: self.cleaned_data[field] for field in (*DEMOGRAPHIC_FIELDS, "preferred_language")}


class PatientSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search patients"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Name, phone or record number")}),
    )

    def clean_q(self) -> str:
        return search_text(self.cleaned_data.get("q") or "")
