"""Reminder pages: a patient's channels (opt-in/out), the clinic's protocol and wording, the public
opt-out link and the provider's inbound (STOP) webhook. Views only parse, call a service, render."""

from __future__ import annotations

import json

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from anagen.accounts.models import content_language, document_language
from anagen.accounts.permissions import admin_only, any_staff
from anagen.audit.services import Actor, record_read
from anagen.core.errors import Conflict, InvalidInput
from anagen.patients.views import patient_for
from anagen.procedures import services as procedures
from anagen.reminders import messaging, services
from anagen.reminders.forms import OptInForm, OptOutForm, SettingsForm, TemplateForm
from anagen.reminders.models import Channel, MessageTemplate, OptInSource
from anagen.ui.forms import add_errors_from


@any_staff
def patient_channels(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = patient_for(request, patient_id, audit_read=False)
    actor = Actor.from_request(request)
    # Messages go in the patient's own language unless reception chooses another.
    form = OptInForm(initial={"language": content_language(patient.preferred_language)})
    status = 200
    if request.method == "POST":
        if request.POST.get("action") == "opt_out":
            out = OptOutForm(request.POST)
            if out.is_valid():
                services.opt_out(actor, patient, out.cleaned_data["channel"], OptInSource.RECEPTION)
                messages.success(request, _("%(channel)s reminders stopped.") % {"channel": Channel(out.cleaned_data["channel"]).label})
                return redirect("reminders:patient", patient_id=patient.pk)
            status = 400
        else:
            form = OptInForm(request.POST)
            if form.is_valid():
                try:
                    services.opt_in(actor, patient, form.cleaned_data["channel"], form.cleaned_data["language"])
                except InvalidInput as exc:
                    add_errors_from(form, exc)
                else:
                    messages.success(request, _("%(channel)s reminders turned on.") % {"channel": Channel(form.cleaned_data["channel"]).label})
                    for warning in messaging.opt_in_warnings(patient.clinic, form.cleaned_data["channel"], form.cleaned_data["language"]):
                        messages.warning(request, warning)
                    return redirect("reminders:patient", patient_id=patient.pk)
            status = 400
    else:
        record_read(actor, "reminder_opt_in", patient.pk, patient.pk)
    context = {"patient": patient, "rows": services.channel_rows(patient), "form": form,
               "outbox": services.patient_messages(patient), "wordings": messaging.opt_in_wordings(patient.clinic)}
    return render(request, "reminders/patient.html", context, status=status)


@any_staff
@require_POST
def send_aftercare(request: HttpRequest, session_id: int) -> HttpResponse:
    """Send a signed session's aftercare message on the channel chosen; refusals come back on the sheet."""
    session = procedures.get_session(Actor.from_request(request), request.clinic, session_id)
    try:
        message = services.send_aftercare(Actor.from_request(request), session, request.POST.get("channel", ""))
    except (InvalidInput, Conflict) as exc:
        for error in exc.errors:
            messages.error(request, error.message)
    else:
        messages.success(request, _("Aftercare message queued by %(channel)s: it goes out within a minute.")
                         % {"channel": Channel(message.channel).label})
    return redirect("procedures:aftercare", session_id=session.pk)


@admin_only
def protocol(request: HttpRequest) -> HttpResponse:
    stored = services.settings_for(request.clinic)
    form = SettingsForm(request.POST or None, instance=stored)
    template_form = TemplateForm(prefix="t")
    if request.method == "POST" and form.is_valid():
        try:
            services.save_settings(Actor.from_request(request), request.clinic,
                                   {f: form.cleaned_data[f] for f in SettingsForm.Meta.fields})
        except InvalidInput as exc:
            add_errors_from(form, exc)
        else:
            messages.success(request, _("Reminder settings saved."))
            return redirect("reminders:settings")
    context = {"form": form, "template_form": template_form,
               "templates": MessageTemplate.objects.filter(clinic=request.clinic)}
    return render(request, "reminders/settings.html", context, status=400 if request.method == "POST" else 200)


@admin_only
@require_POST
def save_template(request: HttpRequest) -> HttpResponse:
    form = TemplateForm(request.POST, prefix="t")
    if form.is_valid():
        try:
            services.save_template(Actor.from_request(request), request.clinic, form.cleaned_data)
        except InvalidInput as exc:
            add_errors_from(form, exc)
        else:
            messages.success(request, _("Message wording saved."))
            return redirect("reminders:settings")
    context = {"form": SettingsForm(instance=services.settings_for(request.clinic)), "template_form": form,
               "templates": MessageTemplate.objects.filter(clinic=request.clinic)}
    return render(request, "reminders/settings.html", context, status=400)


@any_staff
@require_POST
def retry(request: HttpRequest, message_id: int) -> HttpResponse:
    try:
        services.retry_failed(Actor.from_request(request), request.clinic, message_id)
    except (InvalidInput, Conflict) as exc:
        messages.error(request, exc.errors[0].message)
    else:
        messages.success(request, _("The reminder is queued again."))
    return redirect("billing:reception")


def opt_out(request: HttpRequest, token: str) -> HttpResponse:
    """The link in a message: GET asks to confirm (link scanners must not opt anyone out)."""
    record = services.token_record(token)
    # The page is in the language the patient's messages come in (the link is opened without signing in).
    with translation.override(document_language(None, record.patient.preferred_language)):
        if request.method == "POST":
            services.opt_out_by_token(token)
            return render(request, "reminders/opt_out_done.html", {"channel": Channel(record.channel).label})
        return render(request, "reminders/opt_out.html", {"channel": Channel(record.channel).label})


@csrf_exempt
@require_POST
def inbound(request: HttpRequest, channel: str) -> HttpResponse:
    """A provider's webhook for replies: JSON {"from": "+91...", "text": "STOP"}, signed with
    X-Anagen-Signature: hex HMAC-SHA256 of the raw body with ANAGEN_REMINDER_INBOUND_SECRET."""
    if channel not in (Channel.SMS, Channel.WHATSAPP):
        raise Http404
    if not services.signature_ok(request.body, request.headers.get("X-Anagen-Signature", "")):
        return JsonResponse({"error": "bad signature"}, status=403)
    try:
        data = json.loads(request.body)
        phone, text = str(data["from"]), str(data.get("text", ""))
    except (ValueError, KeyError, TypeError):
        return JsonResponse({"error": "expected JSON with 'from' and 'text'"}, status=400)
    changed = services.inbound_reply(channel, phone, text)
    return JsonResponse({"opted_out": changed})
