"""Forms of the WhatsApp and SMS settings page: they parse; reminders.messaging validates."""

from __future__ import annotations

from django import forms
from django.utils.safestring import mark_safe
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
                                    help_text=mark_safe(_(  # noqa: S308 - a constant
                                        "As approved in WhatsApp Manager, e.g. <code>en</code>, <code>en_US</code> or <code>hi</code>.")))
    parameters = forms.CharField(label=_("Values for the placeholders, in order"), max_length=200, required=False,
                                 help_text=mark_safe(_(  # noqa: S308 - a constant: the names are typed as shown
                                     "For {{1}}, {{2}}, ...: comma-separated from <code>clinic</code>, <code>date</code>, "
                                     "<code>time</code>, <code>clinic_phone</code>, <code>opt_out_url</code>, <code>booking_url</code> (the recall's "
                                     "one-time booking link).")))
    dlt_template_id = forms.CharField(label=_("DLT template ID (SMS)"), max_length=19, required=False,
                                      help_text=_("The 19-digit ID of the wording registered on the DLT platform."))
