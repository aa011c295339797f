"""The public booking forms and the clinic admin's settings form: they parse, the services decide."""

from __future__ import annotations

from datetime import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anagen.booking.models import CodeChannel
from anagen.core.identifiers import IdentifierError, normalise_indian_mobile
from anagen.patients.models import Sex
from anagen.ui.forms import NoColonLabels

SEX_CHOICES = [(Sex.FEMALE, _("Female")), (Sex.MALE, _("Male")), (Sex.OTHER, _("Other / intersex"))]


class StartField(forms.CharField):
    """A chosen start time, posted as an ISO date-time with its offset."""

    def to_python(self, value: object) -> datetime | None:  # type: ignore[override]
        text = str(value or "").strip()
        if not text:
            return None
        try:
            moment = datetime.fromisoformat(text)
        except ValueError as exc:
            raise forms.ValidationError(_("Choose one of the times offered.")) from exc
        if timezone.is_naive(moment):
            raise forms.ValidationError(_("Choose one of the times offered."))
        return moment


class SlotForm(NoColonLabels, forms.Form):
    starts_at = StartField(label=_("Time"), error_messages={"required": _("Choose a time.")})


class BookingForm(SlotForm):
    given_name = forms.CharField(label=_("Given name"), max_length=100, error_messages={"required": _("Enter your name.")})
    family_name = forms.CharField(label=_("Family name"), max_length=100, required=False)
    date_of_birth = forms.DateField(label=_("Date of birth"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                                    error_messages={"required": _("Enter your date of birth."),
                                                    "invalid": _("Enter your date of birth, e.g. 24/05/1990.")})
    sex = forms.ChoiceField(label=_("Sex"), choices=SEX_CHOICES, widget=forms.RadioSelect,
                            error_messages={"required": _("Choose one."), "invalid_choice": _("Choose one.")})
    phone = forms.CharField(label=_("Mobile number"), max_length=20,
                            help_text=_("We send a code to this number to confirm the booking."),
                            widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
                            error_messages={"required": _("Enter your mobile number.")})
    email = forms.EmailField(label=_("Email (optional)"), required=False,
                             help_text=_("If the code cannot reach your mobile, we send it here."),
                             error_messages={"invalid": _("Enter an email address like name@example.com, or leave it empty.")})
    # The honeypot: hidden from people (the hidden attribute), filled in by form-filling robots.
    website = forms.CharField(label=_("Leave this empty"), required=False,
                              widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}))

    def clean_phone(self) -> str:
        # As the registry's form does (patients.forms): the number is parsed where it is typed,
        # so its error shows with the others on the first submit.
        try:
            return normalise_indian_mobile(self.cleaned_data.get("phone") or "")
        except IdentifierError as exc:
            raise forms.ValidationError(_("Enter an Indian mobile number, e.g. 98200 12345.")) from exc


class CodeForm(NoColonLabels, forms.Form):
    code = forms.CharField(label=_("Code"), max_length=12,
                           widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
                           error_messages={"required": _("Enter the code we sent.")})


class SettingsForm(NoColonLabels, forms.Form):
    enabled = forms.BooleanField(label=_("Take first consultations booked online"), required=False)
    code_channel = forms.ChoiceField(label=_("Send the confirmation code by"), choices=CodeChannel.choices)
    whatsapp_template = forms.CharField(label=_("WhatsApp authentication template name"), max_length=512, required=False)
    whatsapp_language_code = forms.CharField(label=_("Template language code"), max_length=15, required=False)
    dlt_template_id = forms.CharField(label=_("DLT template ID of the code SMS"), max_length=19, required=False)
