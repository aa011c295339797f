from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from anagen.core import display
from anagen.safety.models import EVENT_TYPE_LABELS, SEVERITY_LABELS, FollowUpMethod
from anagen.ui.forms import NoColonLabels

YES_NO = [("yes", _("Yes: side effects reported")), ("no", _("No side effects"))]
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class _Form(NoColonLabels, forms.Form):
    pass


class FollowUpForm(_Form):
    method = forms.ChoiceField(label=_("How the follow-up was made"), choices=FollowUpMethod.choices, widget=forms.RadioSelect)
    side_effects = forms.ChoiceField(label=_("Side effects since the session"), choices=YES_NO, widget=forms.RadioSelect)
    outcome = forms.CharField(
        label=_("Notes"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What the patient said. Required when side effects were reported."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("side_effects") == "yes" and not (data.get("outcome") or "").strip():
            self.add_error("outcome", gettext("Note what the patient reported."))
        return data

    @property
    def side_effects_reported(self) -> bool:
        return self.cleaned_data["side_effects"] == "yes"


class ReportEventForm(_Form):
    session = forms.TypedChoiceField(label=_("Session it follows"), coerce=int, required=False, empty_value=None)
    event_type = forms.ChoiceField(
        label=_("Type"), choices=[("", _("Choose a type")), *EVENT_TYPE_LABELS],
        error_messages={"invalid_choice": _("Unknown type %(value)s: choose one from the list.")},
    )
    severity = forms.ChoiceField(label=_("Severity"), choices=SEVERITY_LABELS, widget=forms.RadioSelect,
                                 help_text=_("An unresolved moderate or severe event blocks the next session until a trichologist reviews it."))
    onset_date = forms.DateField(label=_("Onset"), widget=DATE_INPUT, help_text=_("The day it began: not in the future, not before the session."))
    lots = forms.TypedMultipleChoiceField(
        label=_("Product lots"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave all unticked to link the lots used in the chosen session."),
        error_messages={"invalid_choice": _("Lot %(value)s is not one of this clinic's lots used for this patient.")},
    )
    description = forms.CharField(label=_("What happened"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 4}))
    action_taken = forms.CharField(label=_("Action taken"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, sessions: list[Any], lots: list[Any], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["session"].choices = [("", gettext("Not linked to a session"))] + [
            (s.pk, gettext("Session %(number)s on %(day)s") % {"number": s.pk, "day": display.day(s.performed_on)})
            for s in sessions
        ]
        self.fields["lots"].choices = [
            (lot.pk, gettext("%(product)s, lot %(lot)s") % {"product": lot.product.name, "lot": lot.lot_number}) for lot in lots
        ]


class ResolveForm(_Form):
    resolved_on = forms.DateField(label=_("Resolved on"), widget=DATE_INPUT)


class ReviewForm(_Form):
    note = forms.CharField(label=_("Trichologist's review"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4}),
                           help_text=_("What was decided: e.g. safe to continue, treatment changed, referred."))
