from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from anagen.consents.models import Language, Method, Purpose
from anagen.consents.signature import MAX_SIGNATURE_BYTES, InvalidSignature, decode_data_url
from anagen.ui.forms import NoColonLabels


class PublishTextForm(NoColonLabels, forms.Form):
    purpose = forms.ChoiceField(label=_("Purpose"), choices=Purpose.choices)
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(
        label=_("Text the patient reads"),
        widget=forms.Textarea(attrs={"rows": 18}),
        help_text=_("Plain text; blank lines separate paragraphs. Publishing creates a new version: earlier versions and the "
                    "consents signed on them stay as they were."),
    )
    requires_reconsent = forms.BooleanField(
        label=_("Patients who signed an earlier version must sign this version again"),
        required=False,
        help_text=_("Tick for a material change (a new risk, a new use of data). Leave unticked for corrections of wording."),
    )


class SignConsentForm(NoColonLabels, forms.Form):
    text_id = forms.IntegerField(widget=forms.HiddenInput)
    method = forms.ChoiceField(
        label=_("How does the patient sign?"),
        choices=Method.choices,
        widget=forms.RadioSelect,
        initial=Method.DRAWN,
    )
    # The signature pad (consents/signature-pad.js) writes canvas.toDataURL("image/png") here.
    signature_png = forms.CharField(
        label=_("Signature"), required=False, widget=forms.HiddenInput,
        max_length=(MAX_SIGNATURE_BYTES * 4) // 3 + 64,
    )
    typed_name = forms.CharField(
        label=_("Patient's full name, typed by the patient"), required=False, max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    acknowledged = forms.BooleanField(
        label=_("I have read and agree to this consent"), required=False,
    )

    def clean_signature_png(self) -> bytes | None:
        value = self.cleaned_data.get("signature_png") or ""
        if self.data.get("method") != Method.DRAWN:
            return None
        try:
            return decode_data_url(value)
        except InvalidSignature as exc:
            raise forms.ValidationError(str(exc)) from exc


class WithdrawForm(NoColonLabels, forms.Form):
    reason = forms.CharField(
        label=_("Reason for withdrawal"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=_("As the patient gave it. The signed record is kept; only its status changes."),
    )
