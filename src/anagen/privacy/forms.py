from __future__ import annotations

from typing import Any

from django import forms

from anagen.ui.forms import NoColonLabels


class ErasureRequestForm(NoColonLabels, forms.Form):
    reason = forms.CharField(
        label="The patient's request",
        help_text="Who asked, how (in person, email, letter) and when. It is kept with the request.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class PerformErasureForm(NoColonLabels, forms.Form):
    confirm_mrn = forms.CharField(label="Type the record number to confirm", max_length=20)

    def __init__(self, *args: Any, mrn: str = "", **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.mrn = mrn

    def clean_confirm_mrn(self) -> str:
        value: str = self.cleaned_data["confirm_mrn"].strip()
        if value.upper() != self.mrn.upper():
            raise forms.ValidationError(f"Type the record number exactly ({self.mrn}).")
        return value
