from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import PasswordResetForm, SetPasswordForm, UserCreationForm
from django.utils.translation import gettext_lazy as _

from anagen.accounts.models import ALL_STAFF_ROLES, Clinic, Language, Role, User
from anagen.core.identifiers import IdentifierError, normalise_phone
from anagen.ui.forms import NoColonLabels

# Patients (the portal's role) are never created or edited on the staff pages.
STAFF_ROLE_CHOICES = [(value, label) for value, label in Role.choices if value in ALL_STAFF_ROLES]


# A member's own language, blank for the clinic's; a form posted without it (the API's PUT) keeps it.
def _staff_language_field() -> forms.ChoiceField:
    return forms.ChoiceField(
        label=_("Language of their pages"), required=False,
        choices=[("", _("The clinic's language")), *Language.choices],
        help_text=_("Staff may also change it themselves from the language menu on every page."),
    )


class StaffCreateForm(UserCreationForm):
    role = forms.ChoiceField(label=_("Role"), choices=STAFF_ROLE_CHOICES)
    language = _staff_language_field()

    class Meta:
        model = User
        fields = ("username", "first_name", "last_name", "email", "role", "language")


class StaffEditForm(forms.ModelForm):
    role = forms.ChoiceField(label=_("Role"), choices=STAFF_ROLE_CHOICES)
    language = _staff_language_field()

    class Meta:
        model = User
        fields = ("first_name", "last_name", "email", "role", "is_active", "language")
        labels = {"is_active": _("Account active (untick to stop this person signing in)")}

    def clean_language(self) -> str:
        if "language" not in self.data:
            return self.instance.language
        return str(self.cleaned_data.get("language") or "")


class StaffPasswordForm(SetPasswordForm):
    pass


class ClinicForm(forms.ModelForm):
    class Meta:
        model = Clinic
        fields = ("name", "city", "address", "phone", "email", "gstin", "mrn_prefix", "language")
        widgets = {"address": forms.Textarea(attrs={"rows": 3})}
        # The form's own words (the model's verbose names are the schema's, in English).
        labels = {"name": _("Clinic name"), "city": _("City"), "address": _("Address"), "phone": _("Phone"), "email": _("Email"),
                  "mrn_prefix": _("Record number prefix"), "language": _("Language of staff pages")}
        help_texts = {"phone": _("E.164, e.g. +912212345678"), "mrn_prefix": _("Medical record numbers look like AN-000123."),
                      "language": _("For staff who have not chosen their own. Patients read their own preferred language.")}

    def clean_language(self) -> str:
        # A form posted without it (the API's PUT, the provisioning command) keeps the clinic's.
        if "language" not in self.data:
            return self.instance.language if self.instance.pk else Language.ENGLISH
        return str(self.cleaned_data.get("language") or "")

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
            raise forms.ValidationError(_("Use letters and digits only, e.g. AN or MUM1."))
        return prefix

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["gstin"].help_text = _("15 characters, printed on invoices.")
        self.fields["language"].required = False


# --- two-factor sign-in and password reset -------------------------------------------------


class CodeForm(NoColonLabels, forms.Form):
    code = forms.CharField(
        label=_("Code"), max_length=20, strip=True,
        help_text=_("The 6-digit code from your authenticator app, or one of your recovery codes."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True, "spellcheck": "false"}),
    )


class ConfirmAuthenticatorForm(NoColonLabels, forms.Form):
    code = forms.CharField(
        label=_("6-digit code from the app"), max_length=10, strip=True,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"}),
    )


class ResetOwnTwoFactorForm(NoColonLabels, forms.Form):
    password = forms.CharField(label=_("Your password"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))
    code = forms.CharField(
        label=_("Current code or a recovery code"), max_length=20, strip=True,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "spellcheck": "false"}),
    )


class OwnPasswordForm(NoColonLabels, forms.Form):
    """One's own new password: the current password and, with two-factor on, a current code."""

    current_password = forms.CharField(label=_("Your current password"), strip=False,
                                       widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))
    code = forms.CharField(
        label=_("Current code or a recovery code"), max_length=20, strip=True, required=False,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "spellcheck": "false"}),
    )
    new_password1 = forms.CharField(label=_("New password"), strip=False,
                                    widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    new_password2 = forms.CharField(label=_("New password again"), strip=False,
                                    widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def __init__(self, *args: Any, needs_code: bool, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if needs_code:
            self.fields["code"].required = True
        else:
            self.fields.pop("code")

    def clean_new_password2(self) -> str:
        first, second = self.cleaned_data.get("new_password1"), self.cleaned_data.get("new_password2")
        if first and second and first != second:
            raise forms.ValidationError(_("The two new passwords differ."))
        return second or ""


class ResetPasswordRequestForm(NoColonLabels, PasswordResetForm):
    pass


class ResetPasswordSetForm(NoColonLabels, SetPasswordForm):
    pass


WEEKDAY_CHOICES = [("mon", _("Monday")), ("tue", _("Tuesday")), ("wed", _("Wednesday")), ("thu", _("Thursday")),
                   ("fri", _("Friday")), ("sat", _("Saturday")), ("sun", _("Sunday"))]
TIME_INPUT = forms.TimeInput(attrs={"type": "time", "step": 900}, format="%H:%M")


class OpeningHoursForm(NoColonLabels, forms.Form):
    open_weekdays = forms.MultipleChoiceField(label=_("Open on"), choices=WEEKDAY_CHOICES, widget=forms.CheckboxSelectMultiple,
                                              error_messages={"required": _("Tick at least one day the clinic is open.")})
    opens_at = forms.TimeField(label=_("Opens at"), widget=TIME_INPUT, help_text=_("24-hour clock, e.g. 09:00"))
    closes_at = forms.TimeField(label=_("Closes at"), widget=TIME_INPUT, help_text=_("24-hour clock, e.g. 19:00"))
    self_service_notice_hours = forms.IntegerField(
        label=_("Notice for changes in the portal (hours)"), min_value=0, max_value=336, required=False,
        help_text=_("Patients move or cancel a course session themselves in the portal only this many hours or more before it "
                    "(24 by default); closer to it, they ask reception."))


class ClosureForm(NoColonLabels, forms.Form):
    date = forms.DateField(label=_("Closed on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False, help_text=_("e.g. Diwali"))
