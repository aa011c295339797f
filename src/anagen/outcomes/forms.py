from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms

from anagen.web.forms import NoColonLabels


class DateRangeForm(NoColonLabels, forms.Form):
    """The outcomes filter: clinic-local dates, both inclusive."""

    start = forms.DateField(label="From", widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label="To", widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if isinstance(start, dt.date) and isinstance(end, dt.date) and end < start:
            self.add_error("end", "The end date must be on or after the start date.")
        return data
