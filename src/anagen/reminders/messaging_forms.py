"""Forms of the WhatsApp and SMS settings page: they parse; reminders.messaging validates."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from anagen.reminders.models import Channel, Kind, Language
from anagen.ui.forms import NoColonLabels


class AccountForm(NoColonLabels, forms.Form):
    whatsapp_phone_number_id = forms.CharField(label=_("WhatsApp phone number ID"), max_length=32, required=False,
                                               help_text=_("WhatsApp Manager, API setup: the ID of the clinic's business number (not the number itself)."))
    whatsapp_business_account_id = forms.CharField(label=_("WhatsApp Business account ID"), max_length=32, required=False)
    sms_sender_id = forms.CharField(label=_("SMS sender ID (DLT header)"), max_length=6, required=False,
                                    help_text=_("The six-letter header registered on the DLT platform."))
    dlt_entity_id = forms.CharField(label=_("DLT principal entity ID"), max_length=19, required=False,
                                    help_text=_("The clinic's 19-digit entity ID from the DLT platform."))


class ApprovedTemplateForm(NoColonLabels, forms.Form):
    channel = forms.ChoiceField(label=_("Channel"), choices=[(Channel.WHATSAPP.value, "WhatsApp"), (Channel.SMS.value, "SMS")])
    kind = forms.ChoiceField(label=_("Message"), choices=Kind.choices)
    language = forms.ChoiceField(label=_("Patient's language"), choices=Language.choices)
    template_name = forms.CharField(label=_("Approved WhatsApp template name"), max_length=512, required=False)
    language_code = forms.CharField(label=_("WhatsApp template language code"), max_length=15, required=False,
                                    help_text=_("As approved in WhatsApp Manager, e.g. en, en_US or hi."))
    parameters = forms.CharField(label=_("Values for the placeholders, in order"), max_length=200, required=False,
                                 help_text=_("For {{1}}, {{2}}, ...: comma-separated from clinic, date, time, clinic_phone, opt_out_url."))
    dlt_template_id = forms.CharField(label=_("DLT template ID (SMS)"), max_length=19, required=False,
                                      help_text=_("The 19-digit ID of the wording registered on the DLT platform."))
