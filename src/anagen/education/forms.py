from __future__ import annotations

from typing import Any

from django import forms

from anagen.ui.forms import NoColonLabels


class FaqForm(NoColonLabels, forms.Form):
    question = forms.CharField(label="Question", max_length=200, required=False)
    answer = forms.CharField(label="Answer", widget=forms.Textarea(attrs={"rows": 4}), required=False)
    source = forms.CharField(label="Source", max_length=300, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if bool(data.get("question", "").strip()) != bool(data.get("answer", "").strip()):
            self.add_error("answer" if data.get("question") else "question", "A question needs an answer, and an answer a question.")
        return data


FaqFormSet = forms.formset_factory(FaqForm, extra=1, max_num=30, absolute_max=30)
