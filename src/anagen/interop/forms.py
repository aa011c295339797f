from __future__ import annotations

from typing import Any

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from anagen.interop.registry import MAX_BYTES
from anagen.ui.forms import NoColonLabels


class RegistryImportForm(NoColonLabels, forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=format_lazy(_("UTF-8 CSV, at most {megabytes} MB and 5,000 patients. The first line names the columns."), megabytes=MAX_BYTES // (1024 * 1024)),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than %(megabytes)s MB; split it into smaller files.") % {"megabytes": MAX_BYTES // (1024 * 1024)})
        return upload
