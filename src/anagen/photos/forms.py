from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from anagen.consultations.models import ZONE_CHOICES
from anagen.core import display
from anagen.core.photos import IN_STANDARD_ORDER, STANDARD_VIEWS, PhotoView
from anagen.photos.models import VIEW_LABELS
from anagen.photos.services import max_megabytes
from anagen.ui.forms import NoColonLabels

VIEW_OPTIONS = [(view.value, VIEW_LABELS[view]) for view in PhotoView]
UPLOAD_VIEW_OPTIONS = [
    (IN_STANDARD_ORDER, lazy(lambda: gettext("The standard views, in order: %(views)s") % {
        "views": ", ".join(str(VIEW_LABELS[v]).lower() for v in STANDARD_VIEWS)}, str)()),
    *VIEW_OPTIONS,
]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleImageField(forms.FileField):
    """Several files in one field; Pillow decides later whether each is an image."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault(
            "widget",
            MultipleFileInput(attrs={"accept": "image/*", "capture": "environment", "class": "photo-files"}),
        )
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if isinstance(data, list | tuple):
            if not data and self.required:
                raise forms.ValidationError(_("Choose at least one photograph."), code="required")
            return [single(item, initial) for item in data]
        return [single(data, initial)]


class UploadForm(NoColonLabels, forms.Form):
    visit_date = forms.DateField(label=_("Visit date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    view = forms.ChoiceField(label=_("View"), choices=UPLOAD_VIEW_OPTIONS, initial=IN_STANDARD_ORDER)
    files = MultipleImageField(
        label=_("Photographs"),
        help_text=lazy(lambda: gettext("JPEG, PNG or WebP, up to %(limit)s MB each. Choose several at once; on a phone "
                                       "the camera opens.") % {"limit": max_megabytes()}, str)(),
        error_messages={"required": _("Choose at least one photograph.")},
    )
    site_zone = forms.ChoiceField(label=_("Trichoscopy site: zone"), choices=[("", "—"), *ZONE_CHOICES], required=False,
                                  help_text=_("Trichoscopy only: where the dermatoscope was placed."))
    site_offset_cm = forms.DecimalField(label=_("Site: cm behind the hairline"), required=False, min_value=Decimal("0"),
                                        max_value=Decimal("40"), decimal_places=1)
    site_note = forms.CharField(label=_("Site description"), required=False, max_length=200)


class CompareForm(NoColonLabels, forms.Form):
    view = forms.ChoiceField(label=_("View"), choices=VIEW_OPTIONS, initial=PhotoView.VERTEX.value)
    before = forms.TypedChoiceField(label=_("Earlier visit"), required=False, choices=[], coerce=str)
    after = forms.TypedChoiceField(label=_("Later visit"), required=False, choices=[], coerce=str)

    def __init__(self, *args: Any, visit_dates: list[Any] = (), **kwargs: Any) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kwargs)
        choices = [("", _("Default"))] + [(d.isoformat(), f"{display.day(d)}") for d in visit_dates]
        self.fields["before"].choices = choices
        self.fields["after"].choices = choices
