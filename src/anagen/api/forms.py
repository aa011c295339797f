from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anagen.accounts.models import Role, User
from anagen.ui.forms import NoColonLabels


class TokenForm(NoColonLabels, forms.Form):
    name = forms.CharField(label=_("Token name"), max_length=100, help_text=_('What it is for, e.g. "lab results import".'))
    expires_on = forms.DateField(
        label=_("Expires on (optional)"), required=False, widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("The token stops working at the end of this day. Leave empty for no expiry."),
    )
    user = forms.ModelChoiceField(label=_("For"), queryset=User.objects.none(), required=False)
    code = forms.CharField(
        label=_("Code from your authenticator app"), required=False, max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
        help_text=_("Needed when you last entered a code more than 15 minutes ago. A recovery code works too."),
    )

    def __init__(self, *args: Any, manager: User, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.manager = manager
        if manager.has_role(Role.CLINIC_ADMIN):
            field = self.fields["user"]
            field.queryset = User.objects.filter(clinic_id=manager.clinic_id, is_active=True).order_by("username")  # type: ignore[attr-defined]
            field.empty_label = _("Myself")  # type: ignore[attr-defined]
            field.help_text = _("As clinic admin you may create a token for any member of staff.")
        else:
            del self.fields["user"]

    def clean_expires_on(self) -> Any:
        day = self.cleaned_data.get("expires_on")
        if day is not None and day < timezone.localdate():
            raise forms.ValidationError(_("The expiry date cannot be in the past."))
        return day

    def owner(self) -> User:
        return self.cleaned_data.get("user") or self.manager
