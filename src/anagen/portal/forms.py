from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from anagen.ui.forms import NoColonLabels


class AcceptInvitationForm(NoColonLabels, forms.Form):
    username = forms.CharField(
        max_length=150,
        label=_("Username"),
        help_text=_("You will sign in with this. We suggest your record number; change it if you like."),
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}),
    )
    password1 = forms.CharField(
        label=_("Choose a password"),
        strip=False,
        help_text=_("At least 10 characters; not a common password, not only digits, not like your name."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Type the password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password1") and data.get("password2") and data["password1"] != data["password2"]:
            self.add_error("password2", _("The two passwords are not the same."))
        return data


class ChangeRequestForm(NoColonLabels, forms.Form):
    message = forms.CharField(
        label=_("What would you like to change?"),
        max_length=1000,
        help_text=_("For example: a day or time that suits you better, or that you need to cancel."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class WithdrawConsentForm(NoColonLabels, forms.Form):
    reason = forms.CharField(
        label=_("Why are you withdrawing? (your own words)"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class FulfilExportForm(NoColonLabels, forms.Form):
    note = forms.CharField(
        label=_("How was the copy given? (needed when no file is generated)"),
        max_length=300,
        required=False,
    )
