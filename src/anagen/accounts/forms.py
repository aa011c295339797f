from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import SetPasswordForm, UserCreationForm

from anagen.accounts.models import Clinic, Role, User
from anagen.patients.identifiers import IdentifierError, normalise_phone


class StaffCreateForm(UserCreationForm):
    role = forms.ChoiceField(choices=Role.choices)

    class Meta:
        model = User
        fields = ("username", "first_name", "last_name", "email", "role")


class StaffEditForm(forms.ModelForm):
    role = forms.ChoiceField(choices=Role.choices)

    class Meta:
        model = User
        fields = ("first_name", "last_name", "email", "role", "is_active")
        labels = {"is_active": "Account active (untick to stop this person signing in)"}


class StaffPasswordForm(SetPasswordForm):
    pass


class ClinicForm(forms.ModelForm):
    class Meta:
        model = Clinic
        fields = ("name", "city", "address", "phone", "email", "gstin", "mrn_prefix")
        widgets = {"address": forms.Textarea(attrs={"rows": 3})}

    def clean_phone(self) -> str:
        raw = self.cleaned_data.get("phone") or ""
        if not raw.strip():
            return ""
        try:
            return normalise_phone(raw)
        except IdentifierError as exc:
            raise forms.ValidationError(str(exc)) from exc

    def clean_mrn_prefix(self) -> str:
        prefix: str = self.cleaned_data["mrn_prefix"].strip().upper()
        if not prefix.isalnum():
            raise forms.ValidationError("Use letters and digits only, e.g. AN or MUM1.")
        return prefix

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["gstin"].help_text = "15 characters, printed on invoices."
