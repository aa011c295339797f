"""What every Anagen form shares: labels without colons, and a service's refusal shown on the form."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django import forms

from anagen.core.errors import Conflict, FieldError, InvalidInput


class NoColonLabels:
    """Labels without Django's trailing colon: the house style of every visible label. Put it first
    among a form's bases (``class PatientForm(NoColonLabels, forms.ModelForm)``)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


def add_errors_from(
    form: forms.BaseForm,
    errors: InvalidInput | Conflict | Iterable[FieldError],
    *,
    rename: Mapping[str, str] | Callable[[str], str] | None = None,
) -> None:
    """Show a service's refusal on the form: each error beside the field it names, the rest above
    the form. ``rename`` maps the service's field names to the form's where they differ."""
    for error in errors.errors if isinstance(errors, InvalidInput | Conflict) else errors:
        if rename is None:
            name = error.field
        elif callable(rename):
            name = rename(error.field)
        else:
            name = rename.get(error.field, error.field)
        form.add_error(name if name in form.fields else None, error.message)
