from __future__ import annotations

from typing import Any

from django import forms

from anagen.interop.registry import MAX_BYTES
from anagen.ui.forms import NoColonLabels


class RegistryImportForm(NoColonLabels, forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text=f"UTF-8 CSV, at most {MAX_BYTES // (1024 * 1024)} MB and 5,000 patients. The first line names the columns.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB; split it into smaller files.")
        return upload
