from __future__ import annotations

from django import forms
from django.utils.safestring import mark_safe

from anagen.reminders.models import Channel, Kind, Language, MessageTemplate, ReminderSettings
from anagen.ui.forms import NoColonLabels


class OptInForm(NoColonLabels, forms.Form):
    channel = forms.ChoiceField(label="Channel", choices=Channel.choices)
    language = forms.ChoiceField(label="Message language", choices=Language.choices)


class OptOutForm(NoColonLabels, forms.Form):
    channel = forms.ChoiceField(label="Channel", choices=Channel.choices, widget=forms.HiddenInput)


class SettingsForm(NoColonLabels, forms.ModelForm):
    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        # Added with the recall (issue 22, item 3): a client that does not send it keeps the clinic's value.
        self.fields["recall_days_before"].required = False

    def clean_recall_days_before(self) -> int:
        value = self.cleaned_data.get("recall_days_before")
        return self.instance.recall_days_before if value is None else value

    class Meta:
        model = ReminderSettings
        fields = ["before_hours", "side_effect_check_hours", "maintenance_notice_days", "recall_days_before", "max_attempts",
                  "backoff_base_seconds", "backoff_max_seconds"]


class TemplateForm(NoColonLabels, forms.ModelForm):
    kind = forms.ChoiceField(label="Reminder", choices=Kind.choices)
    channel = forms.ChoiceField(label="Channel", choices=Channel.choices)
    language = forms.ChoiceField(label="Language", choices=Language.choices)

    class Meta:
        model = MessageTemplate
        fields = ["kind", "channel", "language", "subject", "body", "whatsapp_template_name", "whatsapp_approved"]
        help_texts = {"body": mark_safe(  # noqa: S308 - a constant: the placeholders are typed as shown
            "Placeholders: <code>{clinic}</code>, <code>{date}</code>, <code>{time}</code>, <code>{clinic_phone}</code>, "
            "<code>{opt_out_url}</code>, <code>{booking_url}</code> (the recall's one-time booking link). No clinical detail: SMS and WhatsApp are not private.")}
