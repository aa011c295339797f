from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from anagen.consultations.forms import MEASUREMENT_FIELDS, MeasurementForm
from anagen.ui.forms import NoColonLabels


class DateRangeForm(NoColonLabels, forms.Form):
    """The outcomes filter: clinic-local dates, both inclusive."""

    start = forms.DateField(label="From", widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label="To", widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if isinstance(start, dt.date) and isinstance(end, dt.date) and end < start:
            self.add_error("end", _("The end date must be on or after the start date."))
        return data


class FollowUpMeasurementForm(MeasurementForm):
    """A follow-up measurement visit: the date, then the same measurements, checked the same way,
    as a consultation's (anagen.core.measurements through MeasurementForm)."""

    measured_on = forms.DateField(label="Visit date", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.order_fields(["measured_on", *MEASUREMENT_FIELDS])
