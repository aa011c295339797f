"""The WhatsApp and SMS settings page (clinic admin) and the webhook Meta calls (public, signed).
Views only parse, call a service, render."""

from __future__ import annotations

import json

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from anagen.accounts.permissions import admin_only
from anagen.audit.services import Actor
from anagen.core.errors import InvalidInput, NotFound
from anagen.reminders import messaging, webhook
from anagen.reminders.messaging_forms import AccountForm, ApprovedTemplateForm
from anagen.ui.forms import add_errors_from

ACCOUNT_FIELDS = messaging.ACCOUNT_FIELDS


def _page(request: HttpRequest, account_form: AccountForm, template_form: ApprovedTemplateForm, status: int) -> HttpResponse:
    context = {"account_form": account_form, "template_form": template_form,
               "templates": messaging.approved_templates(request.clinic)}
    return render(request, "reminders/messaging.html", context, status=status)


@admin_only
def settings_page(request: HttpRequest) -> HttpResponse:
    stored = messaging.account_for(request.clinic)
    account_form = AccountForm(initial={f: getattr(stored, f) for f in ACCOUNT_FIELDS})
    template_form = ApprovedTemplateForm(prefix="t")
    if request.method != "POST":
        return _page(request, account_form, template_form, 200)
    actor = Actor.from_request(request)
    action = request.POST.get("action")
    if action == "account":
        account_form = AccountForm(request.POST)
        if account_form.is_valid():
            try:
                messaging.save_account(actor, request.clinic, account_form.cleaned_data)
            except InvalidInput as exc:
                add_errors_from(account_form, exc)
            else:
                messages.success(request, _("WhatsApp and SMS accounts saved."))
                return redirect("reminders:messaging")
    elif action == "template":
        template_form = ApprovedTemplateForm(request.POST, prefix="t")
        if template_form.is_valid():
            try:
                messaging.save_approved_template(actor, request.clinic, template_form.cleaned_data)
            except InvalidInput as exc:
                add_errors_from(template_form, exc)
            else:
                messages.success(request, _("Approved template saved."))
                return redirect("reminders:messaging")
    elif action == "delete":
        try:
            messaging.delete_approved_template(actor, request.clinic, int(request.POST.get("template_id", "")))
        except (ValueError, NotFound):
            messages.error(request, _("That template is not in this clinic's list."))
        else:
            messages.success(request, _("Approved template removed."))
        return redirect("reminders:messaging")
    return _page(request, account_form, template_form, 400)


@csrf_exempt
def whatsapp_webhook(request: HttpRequest) -> HttpResponse:
    """Meta's calls. GET: the verification handshake. POST: a notification signed with
    X-Hub-Signature-256; unsigned or wrongly signed is refused (403) before anything is read."""
    if request.method == "GET":
        if webhook.verify_handshake(request.GET.get("hub.mode", ""), request.GET.get("hub.verify_token", "")):
            return HttpResponse(request.GET.get("hub.challenge", ""), content_type="text/plain")
        return HttpResponse("verify token refused", status=403, content_type="text/plain")
    if request.method != "POST":
        return HttpResponseNotAllowed(["GET", "POST"])
    if not webhook.signature_ok(request.body, request.headers.get("X-Hub-Signature-256", "")):
        return JsonResponse({"error": "bad signature"}, status=403)
    try:
        payload = json.loads(request.body)
    except ValueError:
        return JsonResponse({"error": "expected JSON"}, status=400)
    result = webhook.handle(payload, timezone.now())
    return JsonResponse({"statuses": result.statuses, "inbound": result.inbound})
