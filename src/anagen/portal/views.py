from __future__ import annotations

import os
from typing import Any

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.views import redirect_to_login
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from anagen.accounts.models import CLINICAL_ROLES
from anagen.accounts.permissions import any_staff, clinical, inviters
from anagen.audit.services import Actor, client_ip
from anagen.consents.services import has_valid_consent
from anagen.core.errors import InvalidInput
from anagen.core.photos import PhotoView
from anagen.outcomes import patient_reported
from anagen.patients.views import patient_for
from anagen.photos.services import UploadedFile
from anagen.photos.views import file_response
from anagen.portal import services
from anagen.portal.forms import (
    HOME_VIEW_LABELS,
    AcceptInvitationForm,
    BookRecallForm,
    ChangeRequestForm,
    DiaryEntryForm,
    FulfilExportForm,
    HomePhotoForm,
    MoveSessionForm,
    QuestionnaireForm,
    WithdrawConsentForm,
)
from anagen.portal.permissions import patient_required
from anagen.ui.forms import add_errors_from


def portal_page(request: HttpRequest, template: str, context: dict[str, Any], status: int = 200) -> HttpResponse:
    """A page of the patient's portal: the portal's frame around ``template`` (also for the
    portal pages apps above the portal add, such as the bills of ``billing.portal_views``)."""
    # Hide the staff navigation of base.html: a patient has none of those pages.
    base = {"current_clinic": None, "is_clinic_admin": False, "portal_clinic": request.user.clinic, "patient": request.patient}  # type: ignore[attr-defined]
    return render(request, template, {**base, **context}, status=status)


def after_login(request: HttpRequest) -> HttpResponse:
    """The LOGIN_REDIRECT_URL target: patients to the portal, staff to the staff home page."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if services.account_for_user(request.user) is not None:
        return redirect("portal:home")
    return redirect("home")


# --- the patient's pages -------------------------------------------------------------------------


@patient_required
def home(request: HttpRequest) -> HttpResponse:
    data = services.overview(Actor.from_request(request), request.patient)  # type: ignore[attr-defined]
    # One form per appointment, each with its own element ids.
    appointments = [(a, ChangeRequestForm(auto_id=f"appointment{a.pk}_%s"), data.self_service[a.pk]) for a in data.appointments]
    return portal_page(request, "portal/home.html", {"data": data, "appointments": appointments})


@patient_required
@require_POST
def request_change(request: HttpRequest, appointment_id: int) -> HttpResponse:
    form = ChangeRequestForm(request.POST)
    if form.is_valid():
        try:
            services.request_change(Actor.from_request(request), request.patient, appointment_id, form.cleaned_data["message"])  # type: ignore[attr-defined]
        except services.PortalError as exc:
            form.add_error("message", exc.message)
        else:
            messages.success(request, _("Thank you: the clinic will call you about this appointment."))
            return redirect("portal:home")
    return portal_page(request, "portal/change_request.html", {"form": form, "appointment_id": appointment_id}, status=400)


@patient_required
def move_session(request: HttpRequest, appointment_id: int) -> HttpResponse:
    """The free times this course session may move to (GET), and the move itself (POST)."""
    patient = request.patient  # type: ignore[attr-defined]
    form = MoveSessionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.move_own_session(Actor.from_request(request), patient, appointment_id, form.cleaned_data["starts_at"],
                                      expected_version=form.cleaned_data["version"])
        except services.PortalError as exc:
            form.add_error("starts_at", exc.message)
        else:
            messages.success(request, _("Your session is moved. The clinic can see the change."))
            return redirect("portal:home")
    options = services.move_options(patient, appointment_id)
    chosen = form.data.get("starts_at", "") if form.is_bound else ""
    context = {"form": form, "options": options, "appointment": options.appointment, "chosen": chosen}
    return portal_page(request, "portal/move.html", context, status=400 if form.errors else 200)


@patient_required
def cancel_session(request: HttpRequest, appointment_id: int) -> HttpResponse:
    """Confirm (GET) and cancel (POST) one of the patient's own course sessions."""
    patient = request.patient  # type: ignore[attr-defined]
    appointment = services.own_appointment(patient, appointment_id)
    error = ""
    if request.method == "POST":
        try:
            services.cancel_own_session(Actor.from_request(request), patient, appointment_id)
        except services.PortalError as exc:
            error = exc.message
        else:
            messages.success(request, _("Your session is cancelled and its time is free for others. The clinic can see the change."))
            return redirect("portal:home")
    service = services.self_service_for(appointment, timezone.now())
    context = {"appointment": appointment, "service": service, "error": error}
    return portal_page(request, "portal/cancel.html", context, status=400 if error else 200)


@patient_required
def withdraw_consent(request: HttpRequest, record_id: int) -> HttpResponse:
    patient = request.patient  # type: ignore[attr-defined]
    record = services.own_consent(patient, record_id)
    form = WithdrawConsentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.withdraw_own_consent(Actor.from_request(request), patient, record.pk, form.cleaned_data["reason"])
        except services.PortalError as exc:
            form.add_error("reason", exc.message)
        else:
            messages.success(request, _("You have withdrawn your consent for “%(purpose)s”. To give it again, speak to the clinic.") % {"purpose": record.get_purpose_display()})
            return redirect("portal:home")
    status = 400 if form.errors else 200
    return portal_page(request, "portal/withdraw.html", {"form": form, "record": record}, status=status)


@patient_required
def report_download(request: HttpRequest, report_id: int) -> HttpResponse:
    report, handle = services.own_report(Actor.from_request(request), request.patient, report_id)  # type: ignore[attr-defined]
    return FileResponse(handle, as_attachment=True, filename=os.path.basename(report.file_name) or f"report-{report.pk}.pdf")


@patient_required
def access_log(request: HttpRequest) -> HttpResponse:
    rows = services.access_log(Actor.from_request(request), request.patient, request.user)  # type: ignore[attr-defined, arg-type]
    return portal_page(request, "portal/access_log.html", {"rows": rows, "limit": services.ACCESS_LOG_LIMIT})


@patient_required
def my_data(request: HttpRequest) -> HttpResponse:
    actor = Actor.from_request(request)
    if request.method == "POST":
        services.request_export(actor, request.patient)  # type: ignore[attr-defined]
        messages.success(request, _("We have your request. The clinic will prepare a copy of your data."))
        return redirect("portal:my_data")
    exports = services.own_exports(actor, request.patient)  # type: ignore[attr-defined]
    has_open = any(e.fulfilled_at is None for e in exports)
    return portal_page(request, "portal/my_data.html", {"exports": exports, "has_open": has_open})


@patient_required
def export_download(request: HttpRequest, export_id: int) -> HttpResponse:
    export, handle = services.own_export_file(Actor.from_request(request), request.patient, export_id)  # type: ignore[attr-defined]
    return FileResponse(handle, as_attachment=True, filename=f"my-data-{export.pk}.zip")


@patient_required
def diary(request: HttpRequest) -> HttpResponse:
    """The shedding diary (issue 22): record a day's counts, see the earlier days."""
    actor, patient = Actor.from_request(request), request.patient  # type: ignore[attr-defined]
    today = timezone.localdate()
    form = DiaryEntryForm(request.POST or None, initial={"day": today})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            entry, replaced = patient_reported.record_diary_entry(
                actor, patient, data["day"], data["hairs_shed"], data["comb_count"], replace=data["replace"], today=today)
        except InvalidInput as exc:
            add_errors_from(form, exc)
        else:
            day = date_format(entry.day)
            messages.success(request, _("Your entry for %(day)s is replaced.") % {"day": day} if replaced
                             else _("Your entry for %(day)s is saved.") % {"day": day})
            return redirect("portal:diary")
    entries = patient_reported.own_diary(actor, patient)
    status = 400 if form.errors else 200
    return portal_page(request, "portal/diary.html", {"form": form, "entries": entries, "today": today}, status=status)


@patient_required
def questionnaire(request: HttpRequest) -> HttpResponse:
    """The short questionnaire of the latest visit (issue 22): change since starting, satisfaction."""
    actor, patient = Actor.from_request(request), request.patient  # type: ignore[attr-defined]
    if request.method == "POST":
        form = QuestionnaireForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                patient_reported.answer_questionnaire(actor, patient, data["change"], data["satisfaction"], visit_key=data["visit"])
            except InvalidInput as exc:
                add_errors_from(form, exc)
            else:
                messages.success(request, _("Thank you: your answers are saved, and the clinic will see them at your next visit."))
                return redirect("portal:questionnaire")
    found = patient_reported.own_questionnaire(actor, patient)
    if request.method != "POST":
        form = QuestionnaireForm(initial={"visit": found.visit_key})
    rows = patient_reported.answer_rows(found.answers)
    status = 400 if form.errors else 200
    return portal_page(request, "portal/questionnaire.html", {"form": form, "found": found, "rows": rows}, status=status)


@patient_required
def home_photos(request: HttpRequest) -> HttpResponse:
    """Photographs the patient took at home (issue 22): upload them by view and day, see them."""
    actor, patient = Actor.from_request(request), request.patient  # type: ignore[attr-defined]
    today = timezone.localdate()
    if request.method == "POST":
        form = HomePhotoForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            files = [UploadedFile(f.name, f.size, f) for f in data["files"]]
            try:
                saved = services.upload_home_photos(actor, patient, files, view=data["view"], day=data["day"], today=today,
                                                    user=request.user)  # type: ignore[arg-type]
            except InvalidInput as exc:
                add_errors_from(form, exc)
            else:
                messages.success(request, ngettext("%(count)d photograph saved for %(day)s.", "%(count)d photographs saved for %(day)s.",
                                                   len(saved)) % {"count": len(saved), "day": date_format(data["day"])})
                return redirect("portal:photos")
    else:
        form = HomePhotoForm(initial={"day": today})
    photos = [(p, HOME_VIEW_LABELS.get(PhotoView(p.view), p.view_label)) for p in services.home_photos(actor, patient)]
    context = {"form": form, "photos": photos, "today": today,
               "may_upload": has_valid_consent(patient, "photographs")}
    return portal_page(request, "portal/photos.html", context, status=400 if form.errors else 200)


@patient_required
def home_photo_image(request: HttpRequest, photo_id: int) -> HttpResponse:
    photo = services.home_photo(Actor.from_request(request), request.patient, photo_id, thumbnail=False)  # type: ignore[attr-defined]
    return file_response(photo, thumbnail=False)


@patient_required
def home_photo_thumbnail(request: HttpRequest, photo_id: int) -> HttpResponse:
    photo = services.home_photo(Actor.from_request(request), request.patient, photo_id, thumbnail=True)  # type: ignore[attr-defined]
    return file_response(photo, thumbnail=True)


# --- the invitation link (no sign-in: the token is the proof) -----------------------------------


CLAIM_SESSION_KEY = "portal_invitation_claim"


@never_cache
def accept_link(request: HttpRequest, token: str) -> HttpResponse:
    """The link as sent: its token is exchanged for a claim in this browser's session, then the
    browser goes on to the token-free page, so the token appears in one request line only (and
    access logs mask it). Opened again elsewhere, the link is refused."""
    held = services.InvitationClaim.from_session(request.session.get(CLAIM_SESSION_KEY))
    try:
        claim = services.claim_invitation(token, held)
    except services.InvitationInvalid as exc:
        return _invalid(request, exc)
    request.session[CLAIM_SESSION_KEY] = claim.as_session()
    return redirect("portal:welcome")


def _invalid(request: HttpRequest, exc: services.InvitationInvalid) -> HttpResponse:
    context = {"current_clinic": None, "is_clinic_admin": False, "message": exc.message}
    return render(request, "portal/invitation_invalid.html", context, status=410)


@never_cache
def accept(request: HttpRequest) -> HttpResponse:
    context: dict[str, Any] = {"current_clinic": None, "is_clinic_admin": False}
    claim = services.InvitationClaim.from_session(request.session.get(CLAIM_SESSION_KEY))
    try:
        invitation = services.invitation_for_claim(claim)
    except services.InvitationInvalid as exc:
        return _invalid(request, exc)
    patient = invitation.patient
    form = AcceptInvitationForm(request.POST or None, initial={"username": patient.mrn})
    if request.method == "POST" and form.is_valid():
        try:
            user = services.accept_invitation(
                None, form.cleaned_data["username"], form.cleaned_data["password1"], claim=claim, ip_address=client_ip(request)
            )
        except services.InvitationInvalid as exc:
            return _invalid(request, exc)
        except services.PortalError as exc:
            form.add_error(exc.field if exc.field in form.fields else "password1" if exc.field == "password" else None, exc.message)
        else:
            request.session.pop(CLAIM_SESSION_KEY, None)
            login(request, user, backend="anagen.accounts.backends.StaffBackend")
            messages.success(request, _("Welcome! Your account is ready. Next time, sign in with your username and password."))
            return redirect("portal:home")
    context.update(form=form, clinic=patient.clinic, given_name=patient.given_name, returning=hasattr(patient, "portal_account"))
    return render(request, "portal/accept.html", context, status=400 if form.errors else 200)


# --- recall that books (issue 22, item 3) -------------------------------------------------------

RECALL_CLAIM_KEY = "portal_recall_claim"


def _recall_page(request: HttpRequest, template: str, context: dict[str, Any], status: int = 200) -> HttpResponse:
    return render(request, template, {"current_clinic": None, "is_clinic_admin": False, **context}, status=status)


def _recall_invalid(request: HttpRequest, exc: services.RecallLinkInvalid) -> HttpResponse:
    return _recall_page(request, "portal/recall_invalid.html", {"message": exc.message, "state": exc.state}, status=exc.status)


@never_cache
def recall_link(request: HttpRequest, token: str) -> HttpResponse:
    """The link as sent in a recall message: checked (reading only), exchanged for a claim in this
    browser's session, then on to the token-free booking step. A bad link gets a clear page."""
    try:
        claim = services.open_recall_link(token, request.user)
    except services.RecallLinkInvalid as exc:
        return _recall_invalid(request, exc)
    request.session[RECALL_CLAIM_KEY] = claim.as_session()
    return redirect("portal:recall")


@never_cache
def recall(request: HttpRequest) -> HttpResponse:
    """The booking step of a recalled maintenance session: free times (GET), the booking (POST)."""
    claim = services.RecallClaim.from_session(request.session.get(RECALL_CLAIM_KEY))
    form = BookRecallForm(request.POST or None)
    ip = client_ip(request)
    try:
        if request.method == "POST" and form.is_valid():
            try:
                appointment = services.book_recall(claim, request.user, form.cleaned_data["starts_at"], ip_address=ip)
            except services.PortalError as exc:
                form.add_error("starts_at", exc.message)
            else:
                request.session.pop(RECALL_CLAIM_KEY, None)
                return _recall_page(request, "portal/recall_booked.html", {"appointment": appointment, "clinic": appointment.clinic})
        options = services.recall_options(claim, request.user, ip_address=ip)
    except services.RecallLinkInvalid as exc:
        return _recall_invalid(request, exc)
    chosen = form.data.get("starts_at", "") if form.is_bound else ""
    context = {"form": form, "options": options, "clinic": options.recall.clinic, "chosen": chosen}
    return _recall_page(request, "portal/recall.html", context, status=400 if form.errors else 200)


# --- staff ---------------------------------------------------------------------------------------


@inviters
@require_POST
def invite(request: HttpRequest, patient_id: int) -> HttpResponse:
    actor = Actor.from_request(request)
    patient = patient_for(request, patient_id, audit_read=False)  # type: ignore[attr-defined]
    try:
        invitation, token = services.invite_patient(actor, patient, by=request.user)  # type: ignore[arg-type]
    except services.PortalError as exc:
        messages.error(request, exc.message)
        return redirect("patients:detail", patient_id=patient.pk)
    link = request.build_absolute_uri(reverse("portal:accept", args=[token]))
    emailed = services.email_invitation(patient, link)
    return render(request, "portal/invitation_created.html", {"patient": patient, "invitation": invitation, "link": link, "emailed": emailed})


@inviters
@require_POST
def revoke(request: HttpRequest, patient_id: int) -> HttpResponse:
    actor = Actor.from_request(request)
    patient = patient_for(request, patient_id, audit_read=False)  # type: ignore[attr-defined]
    try:
        services.revoke_access(actor, patient)
    except services.PortalError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("%(name)s can no longer sign in to the portal.") % {"name": patient.full_name})
    return redirect("patients:detail", patient_id=patient.pk)


@any_staff
def requests(request: HttpRequest) -> HttpResponse:
    changes, exports = services.read_open_requests(Actor.from_request(request), request.clinic)  # type: ignore[attr-defined]
    can_fulfil = request.user.has_role(*CLINICAL_ROLES)  # type: ignore[union-attr]
    return render(request, "portal/requests.html", {
        "changes": changes, "exports": [(e, FulfilExportForm(auto_id=f"export{e.pk}_%s")) for e in exports], "can_fulfil": can_fulfil,
        "export_service": services.export_builder() is not None,
    })


@any_staff
@require_POST
def handle_change(request: HttpRequest, request_id: int) -> HttpResponse:
    try:
        services.handle_change_request(Actor.from_request(request), request.clinic, request_id, by=request.user)  # type: ignore[attr-defined, arg-type]
    except services.PortalError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Marked as dealt with."))
    patient_id = request.POST.get("patient_id", "")
    if patient_id.isdigit():
        return redirect("patients:detail", patient_id=int(patient_id))
    return redirect("portal:requests")


# The export holds clinical notes, photos and labs: reception never handles it.
@clinical
@require_POST
def fulfil_export(request: HttpRequest, export_id: int) -> HttpResponse:
    form = FulfilExportForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    if not form.is_valid():
        messages.error(request, _("Note: %(errors)s") % {"errors": " ".join(form.errors.get("note", []))})
        return redirect("portal:requests")
    try:
        services.fulfil_export(Actor.from_request(request), request.clinic, export_id, by=request.user, note=note)  # type: ignore[attr-defined, arg-type]
    except services.PortalError as exc:
        messages.error(request, _("Note: %(errors)s") % {"errors": exc.message} if exc.field == "note" else exc.message)
    else:
        messages.success(request, _("The copy is ready: the patient sees it in the portal."))
    return redirect("portal:requests")
