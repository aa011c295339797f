from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from anagen.ui.forms import NoColonLabels


class FaqForm(NoColonLabels, forms.Form):
    question = forms.CharField(label=_("Question"), max_length=200, required=False)
    answer = forms.CharField(label=_("Answer"), widget=forms.Textarea(attrs={"rows": 4}), required=False)
    source = forms.CharField(label=_("Source"), max_length=300, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if bool(data.get("question", "").strip()) != bool(data.get("answer", "").strip()):
            self.add_error("answer" if data.get("question") else "question", _("A question needs an answer, and an answer a question."))
        return data


FaqFormSet = forms.formset_factory(FaqForm, extra=1, max_num=30, absolute_max=30)
