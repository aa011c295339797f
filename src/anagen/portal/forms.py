from __future__ import annotations

from typing import Any

from django import forms
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from anagen.core.patient_reported import MAX_DIARY_COUNT
from anagen.core.photos import PhotoView
from anagen.outcomes.patient_reported import CHANGE_LABELS, SATISFACTION_LABELS
from anagen.photos.forms import MultipleImageField
from anagen.photos.services import max_megabytes
from anagen.ui.forms import NoColonLabels


def _formatted(message: Any, **values: Any) -> Any:
    """``message % values`` in the language of the request that shows it, not of the import."""
    return lazy(lambda: str(message) % {k: str(v) if not isinstance(v, int) else v for k, v in values.items()}, str)()


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


def _count_field(label: Any, help_text: Any, *, required: bool) -> forms.IntegerField:
    # The range (0 to 1000) is the core's rule (anagen.core.patient_reported), checked by the service.
    return forms.IntegerField(
        label=label, help_text=help_text, required=required,
        error_messages={"required": _formatted(_("%(field)s: write the number of hairs, 0 if none."), field=label),
                        "invalid": _formatted(_("%(field)s: write a whole number from 0 to %(max)d."), field=label, max=MAX_DIARY_COUNT)},
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": "0", "max": "1000", "step": "1"}),
    )


class DiaryEntryForm(NoColonLabels, forms.Form):
    """One day of the shedding diary (issue 22): the patient's own counts."""

    day = forms.DateField(
        label=_("Date"),
        error_messages={"required": _("Date: choose the day you counted."), "invalid": _("Date: write a date such as 3 Dec 2026.")},
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    hairs_shed = _count_field(_("Hairs shed"), _("The hairs you found that day: on your pillow, comb, clothes, in the shower drain."), required=True)
    comb_count = _count_field(_("60-second comb count"), _("Optional: the hairs counted after combing for 60 seconds (see how below)."), required=False)
    replace = forms.BooleanField(label=_("Replace my entry for that day"), required=False)


class QuestionnaireForm(NoColonLabels, forms.Form):
    """The patient-reported outcome of one visit: change since starting and satisfaction."""

    visit = forms.CharField(widget=forms.HiddenInput)
    change = forms.TypedChoiceField(
        label=_("Since you started treatment, how has your hair changed?"), coerce=int, widget=forms.RadioSelect,
        choices=[], error_messages={"required": _("Change in your hair: choose one of the answers."),
                                    "invalid_choice": _("Change in your hair: choose one of the answers.")},
    )
    satisfaction = forms.TypedChoiceField(
        label=_("How satisfied are you with your treatment so far?"), coerce=int, widget=forms.RadioSelect,
        choices=[], error_messages={"required": _("Satisfaction: choose one of the answers."),
                                    "invalid_choice": _("Satisfaction: choose one of the answers.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Much better first: the way the question reads down the page.
        self.fields["change"].choices = [(int(k), v) for k, v in sorted(CHANGE_LABELS.items(), reverse=True)]  # type: ignore[attr-defined]
        self.fields["satisfaction"].choices = [(k, v) for k, v in sorted(SATISFACTION_LABELS.items(), reverse=True)]  # type: ignore[attr-defined]


class MoveSessionForm(forms.Form):
    """The time chosen among those offered (radio buttons the move page draws itself)."""

    starts_at = forms.CharField(label=_("New time"), max_length=40, error_messages={"required": _("Choose one of the times offered.")})
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


class BookRecallForm(forms.Form):
    """The time chosen among those the recall's booking step offers."""

    starts_at = forms.CharField(label=_("Time"), max_length=40, error_messages={"required": _("Choose one of the times offered.")})


# The views a patient can take at home: the six standard global views (a trichoscopy close-up
# needs the clinic's dermatoscope). Worded for the patient; the values are photos' VIEW_CHOICES.
HOME_VIEW_LABELS = {
    PhotoView.VERTEX: _("Top of the head (vertex)"),
    PhotoView.MIDLINE_PART: _("Centre parting (midline)"),
    PhotoView.FRONTAL: _("Front hairline (frontal)"),
    PhotoView.TEMPORAL_LEFT: _("Left side (left temporal)"),
    PhotoView.TEMPORAL_RIGHT: _("Right side (right temporal)"),
    PhotoView.OCCIPITAL: _("Back of the head (occipital)"),
}


class HomePhotoFiles(MultipleImageField):
    """The photos app's file field, its refusal of an empty choice in the patient's language."""

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        if isinstance(data, list | tuple) and not data:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        return super().clean(data, initial)


class HomePhotoForm(NoColonLabels, forms.Form):
    """Photographs the patient took at home (issue 22, item 7): one view, the day taken."""

    view = forms.ChoiceField(
        label=_("View"), choices=[(v.value, label) for v, label in HOME_VIEW_LABELS.items()],
        error_messages={"required": _("View: choose which part of your head the photographs show."),
                        "invalid_choice": _("View: choose which part of your head the photographs show.")},
    )
    day = forms.DateField(
        label=_("Day taken"),
        error_messages={"required": _("Day taken: choose the day you took the photographs."),
                        "invalid": _("Day taken: write a date such as 3 Dec 2026.")},
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    files = HomePhotoFiles(
        label=_("Photographs"),
        help_text=lazy(lambda: gettext("JPEG, PNG or WebP, up to %(limit)s MB each; several of the same view at once. "
                                       "On a phone the camera opens.") % {"limit": max_megabytes()}, str)(),
        error_messages={"required": _("Photographs: choose at least one photograph."),
                        "invalid": _("Photographs: that was not a file; choose the photographs again."),
                        "empty": _("Photographs: one of the files is empty.")},
    )
