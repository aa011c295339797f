"""Thin views: parse, call an interop service, return the document or the page."""

from __future__ import annotations

import json

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_GET, require_POST

from anagen.accounts.models import Role
from anagen.accounts.permissions import admin_only, clinical, staff_required
from anagen.audit.services import Actor, client_ip
from anagen.consultations.models import Consultation
from anagen.interop import registry, services
from anagen.interop.forms import RegistryImportForm
from anagen.interop.models import FeedKind
from anagen.patients.views import patient_for
from anagen.scheduling.services import get_appointment

ERRORS_SESSION_KEY = "interop_import_errors"
MAX_ERRORS_KEPT = 2000


def _attachment(data: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


# ------------------------------------------------------------------------------------ FHIR


@require_GET
@clinical
def patient_bundle(request: HttpRequest, patient_id: int) -> HttpResponse:
    actor = Actor.from_request(request)
    patient = patient_for(request, patient_id, audit_read=False)
    bundle = services.patient_bundle(actor, request.clinic, patient)
    return _attachment(json.dumps(bundle, ensure_ascii=False, indent=2).encode("utf-8"), "application/fhir+json; charset=utf-8",
                       f"patient-{patient.pk}-fhir.json")


@require_GET
@clinical
def consultation_document(request: HttpRequest, consultation_id: int) -> HttpResponse:
    consultation = Consultation.objects.select_related("patient__clinic", "author", "signed_by").filter(
        pk=consultation_id, clinic=request.clinic).first()
    if consultation is None:
        raise Http404
    try:
        bundle = services.consultation_document(Actor.from_request(request), request.clinic, consultation)
    except services.NotSigned as exc:
        return render(request, "interop/problem.html", {"message": str(exc)}, status=400)
    return _attachment(json.dumps(bundle, ensure_ascii=False, indent=2).encode("utf-8"), "application/fhir+json; charset=utf-8",
                       f"consultation-{consultation.pk}-document.json")


@require_GET
@clinical
def patient_export(request: HttpRequest, patient_id: int) -> HttpResponse:
    actor = Actor.from_request(request)
    patient = patient_for(request, patient_id, audit_read=False)
    data = services.patient_export(actor, request.clinic, patient)
    return _attachment(data, "application/zip", f"patient-{patient.pk}-export.zip")


# ------------------------------------------------------------------------------- calendars


def _feed_url(request: HttpRequest, token: str) -> str:
    return request.build_absolute_uri(reverse("interop:feed", args=[token]))


@staff_required()
def patient_feeds(request: HttpRequest, patient_id: int) -> HttpResponse:
    actor = Actor.from_request(request)
    patient = patient_for(request, patient_id)
    new_url = ""
    if request.method == "POST":
        _, token = services.create_feed(actor, request.clinic, patient=patient, created_by=request.user)
        new_url = _feed_url(request, token)
    context = {"patient": patient, "feeds": services.feeds(request.clinic, patient=patient), "new_url": new_url}
    return render(request, "interop/patient_feeds.html", context, status=201 if new_url else 200)


@staff_required()
def my_feeds(request: HttpRequest) -> HttpResponse:
    actor = Actor.from_request(request)
    new_url = ""
    if request.method == "POST":
        _, token = services.create_feed(actor, request.clinic, practitioner=request.user, created_by=request.user)
        new_url = _feed_url(request, token)
    is_admin = request.user.has_role(Role.CLINIC_ADMIN)
    mine = services.feeds(request.clinic, practitioner=request.user)
    others = services.feeds(request.clinic).filter(kind=FeedKind.PRACTITIONER).exclude(practitioner=request.user) if is_admin else None
    return render(request, "interop/my_feeds.html", {"feeds": mine, "others": others, "new_url": new_url},
                  status=201 if new_url else 200)


@require_POST
@staff_required()
def revoke_feed(request: HttpRequest, feed_id: int) -> HttpResponse:
    feed = services.get_feed(request.clinic, feed_id)
    if feed.kind == FeedKind.PRACTITIONER and feed.practitioner_id != request.user.pk and not request.user.has_role(Role.CLINIC_ADMIN):
        raise Http404
    services.revoke_feed(Actor.from_request(request), request.clinic, feed, revoked_by=request.user)
    messages.success(request, gettext("The calendar feed is revoked: its address no longer works."))
    if feed.kind == FeedKind.PATIENT:
        return redirect("interop:patient_feeds", patient_id=feed.patient_id)
    return redirect("interop:my_feeds")


@require_GET
def feed(request: HttpRequest, token: str) -> HttpResponse:
    """No login: the secret token in the address is the credential, for calendar apps."""
    data = services.calendar_feed(token, ip_address=client_ip(request))
    response = HttpResponse(data, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


@require_GET
@staff_required()
def appointment_ics(request: HttpRequest, appointment_id: int) -> HttpResponse:
    appointment = get_appointment(request.clinic, appointment_id)
    data = services.appointment_ics(Actor.from_request(request), request.clinic, appointment)
    return _attachment(data, "text/calendar; charset=utf-8", f"appointment-{appointment.pk}.ics")


# ------------------------------------------------------------------------------ registry CSV


@admin_only
def registry_page(request: HttpRequest) -> HttpResponse:
    form = RegistryImportForm(request.POST or None, request.FILES or None)
    result = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            upload = form.cleaned_data["file"]
            result = services.import_registry(Actor.from_request(request), request.clinic, upload.read())
            if result.ok:
                request.session.pop(ERRORS_SESSION_KEY, None)
                messages.success(request, ngettext("Imported %(count)s patient.", "Imported %(count)s patients.", len(result.created)) % {"count": len(result.created)})
                return redirect("interop:registry")
            request.session[ERRORS_SESSION_KEY] = [[e.row, e.column, e.message] for e in result.errors[:MAX_ERRORS_KEPT]]
        status = 400
    return render(request, "interop/registry.html", {"form": form, "result": result, "columns": registry.EXPORT_COLUMNS,
                                                     "required": registry.REQUIRED_COLUMNS, "max_rows": registry.MAX_ROWS},
                  status=status)


@require_GET
@admin_only
def registry_export(request: HttpRequest) -> HttpResponse:
    data = services.registry_csv(Actor.from_request(request), request.clinic)
    return _attachment(data, "text/csv; charset=utf-8", "patient-registry.csv")


@require_GET
@admin_only
def registry_import_errors(request: HttpRequest) -> HttpResponse:
    stored = request.session.get(ERRORS_SESSION_KEY)
    if not stored:
        raise Http404
    errors = [registry.RowError(int(r), str(c), str(m)) for r, c, m in stored]
    return _attachment(registry.errors_csv(errors), "text/csv; charset=utf-8", "import-errors.csv")
