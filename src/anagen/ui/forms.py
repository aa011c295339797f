"""What every Anagen form shares."""

from __future__ import annotations

from typing import Any


class NoColonLabels:
    """Labels without Django's trailing colon: the house style of every visible label. Put it first
    among a form's bases (``class PatientForm(NoColonLabels, forms.ModelForm)``)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
