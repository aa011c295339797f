"""Follow-ups (all staff), adverse events (clinical staff; reviews by trichologists), lot recipients
for a recall and infection clusters (clinical staff; reception never).

Every id is looked up within ``request.clinic`` (404 otherwise); every page that shows patient data
writes an audit entry.
"""

from __future__ import annotations

import csv
import re
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from anagen.accounts.models import Role
from anagen.accounts.permissions import any_staff, clinical, trichologist_only
from anagen.audit import services as audit
from anagen.audit.services import Actor
from anagen.catalog.services import get_lot
from anagen.core.errors import Conflict, InvalidInput
from anagen.patients.views import patient_for
from anagen.procedures.services import get_session
from anagen.safety import services
from anagen.safety.forms import FollowUpForm, ReportEventForm, ResolveForm, ReviewForm
from anagen.safety.models import FollowUpStatus
from anagen.ui.forms import add_errors_from


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


# ------------------------------------------------------------------------------------ follow-ups


@any_staff
def followups(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    tasks = list(services.open_follow_ups(request.clinic))
    rows = [{"task": t, "state": services.follow_up_state(t, now)} for t in tasks]
    unrecorded = list(services.side_effects_without_event(request.clinic)[:50])
    services.record_patient_list_read(
        Actor.from_request(request), "follow_up_list", "open", [t.patient_id for t in tasks + unrecorded]
    )
    return render(request, "safety/followups.html", {"rows": rows, "unrecorded": unrecorded})


@any_staff
def record_followup(request: HttpRequest, task_id: int) -> HttpResponse:
    actor = Actor.from_request(request)
    task = services.get_follow_up(request.clinic, task_id)
    form = FollowUpForm(request.POST or None)
    if request.method == "POST":
        if task.status == FollowUpStatus.DONE:
            form.add_error(None, _("This follow-up is already recorded."))
        elif form.is_valid():
            try:
                task = services.record_follow_up(
                    actor, task, method=form.cleaned_data["method"], side_effects_reported=form.side_effects_reported,
                    outcome=form.cleaned_data["outcome"], recorded_by=request.user,
                )
            except (InvalidInput, Conflict) as exc:
                add_errors_from(form, exc)
            else:
                if task.side_effects_reported and request.user.sees_clinical_content:
                    messages.warning(request, _("Follow-up recorded. Side effects were reported: record them as an adverse event below."))
                    return redirect(f"{reverse('safety:report_event', args=[task.patient_id])}?session={task.session_id}")
                if task.side_effects_reported:
                    messages.warning(request, _("Follow-up recorded. Side effects were reported: clinical staff will record the details."))
                else:
                    messages.success(request, _("Follow-up recorded."))
                return redirect("safety:followups")
    else:
        audit.record_read(actor, "follow_up_task", task.pk, task.patient_id)
    context = {"task": task, "form": form, "state": services.follow_up_state(task, timezone.now())}
    return render(request, "safety/record_followup.html", context, status=400 if request.method == "POST" else 200)


# -------------------------------------------------------------------------------- adverse events


@clinical
def patient_events(request: HttpRequest, patient_id: int) -> HttpResponse:
    actor = Actor.from_request(request)
    patient = patient_for(request, patient_id, audit_read=False)
    audit.record_read(actor, "adverse_events", patient.pk, patient.pk)
    context = {
        "patient": patient,
        "events": list(services.events_of(patient)),
        "blockers": services.session_blockers_for(patient),
        "follow_ups": list(patient.follow_ups.select_related("session", "recorded_by").order_by("-due_from")[:20]),
    }
    return render(request, "safety/patient_events.html", context)


@clinical
def report_event(request: HttpRequest, patient_id: int) -> HttpResponse:
    actor = Actor.from_request(request)
    patient = patient_for(request, patient_id, audit_read=False)
    sessions = list(services.sessions_of(patient))
    lots = list(services.patient_lots(patient))
    initial: dict[str, Any] = {"onset_date": timezone.localdate()}
    wanted = _int(request.GET.get("session"))
    chosen = next((s for s in sessions if s.pk == wanted), None)
    if chosen is not None:
        initial["session"] = chosen.pk
        initial["lots"] = [lot.pk for lot in services.session_lots(chosen)]
    form = ReportEventForm(request.POST or None, initial=initial, sessions=sessions, lots=lots)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            event = services.report_event(
                actor, patient, session=data["session"], lots=data["lots"], event_type=data["event_type"],
                severity=data["severity"], onset_date=data["onset_date"], description=data["description"],
                action_taken=data["action_taken"], reported_by=request.user,
            )
        except (InvalidInput, Conflict) as exc:
            add_errors_from(form, exc)
        else:
            messages.success(request, _("Recorded the adverse event (%(type)s, %(severity)s).") % {
                "type": event.get_event_type_display().lower(), "severity": event.get_severity_display().lower()})
            return redirect("safety:event", event_id=event.pk)
    if request.method != "POST":
        audit.record_read(actor, "adverse_event_form", patient.pk, patient.pk)
    return render(request, "safety/report_event.html", {"patient": patient, "form": form},
                  status=400 if request.method == "POST" else 200)


def _event_page(request: HttpRequest, event: Any, *, resolve_form: Any = None, review_form: Any = None, status: int = 200) -> HttpResponse:
    context = {
        "event": event,
        "patient": event.patient,
        "lots": list(event.lots.select_related("product").order_by("id")),
        "resolve_form": resolve_form or ResolveForm(initial={"resolved_on": timezone.localdate()}),
        "review_form": review_form or ReviewForm(),
        "can_review": request.user.has_role(Role.TRICHOLOGIST),
        "blocking": bool(services.session_blockers([services.event_state(event)])),
    }
    return render(request, "safety/event.html", context, status=status)


@clinical
def event(request: HttpRequest, event_id: int) -> HttpResponse:
    found = services.get_event(request.clinic, event_id)
    audit.record_read(Actor.from_request(request), "adverse_event", found.pk, found.patient_id)
    return _event_page(request, found)


@clinical
@require_POST
def resolve_event(request: HttpRequest, event_id: int) -> HttpResponse:
    found = services.get_event(request.clinic, event_id)
    form = ResolveForm(request.POST)
    if form.is_valid():
        try:
            services.resolve_event(Actor.from_request(request), found, form.cleaned_data["resolved_on"],
                                   expected_version=_int(request.POST.get("version")))
        except (InvalidInput, Conflict) as exc:
            add_errors_from(form, exc)
        else:
            messages.success(request, _("Recorded the resolution."))
            return redirect("safety:event", event_id=found.pk)
    return _event_page(request, found, resolve_form=form, status=400)


@trichologist_only
@require_POST
def review_event(request: HttpRequest, event_id: int) -> HttpResponse:
    found = services.get_event(request.clinic, event_id)
    form = ReviewForm(request.POST)
    if form.is_valid():
        try:
            services.review_event(Actor.from_request(request), found, form.cleaned_data["note"], request.user,
                                  expected_version=_int(request.POST.get("version")))
        except (InvalidInput, Conflict) as exc:
            add_errors_from(form, exc)
        else:
            messages.success(request, _("Recorded your review."))
            return redirect("safety:event", event_id=found.pk)
    return _event_page(request, found, review_form=form, status=400)


@clinical
def review_queue(request: HttpRequest) -> HttpResponse:
    events = list(services.events_needing_review(request.clinic))
    actor = Actor.from_request(request)
    services.record_patient_list_read(actor, "adverse_event_list", "needing_review", [e.patient_id for e in events])
    sessions = list(services.sessions_needing_draw_review(request.clinic))
    services.record_patient_list_read(actor, "treatment_session_list", "draw_review", [s.patient_id for s in sessions])
    return render(request, "safety/review_queue.html", {"events": events, "sessions": sessions, "review_form": ReviewForm()})


@trichologist_only
@require_POST
def review_session_draw(request: HttpRequest, session_id: int) -> HttpResponse:
    """A trichologist's review of a session signed with another product or unreconciled volumes."""
    actor = Actor.from_request(request)
    session = get_session(actor, request.clinic, session_id)
    form = ReviewForm(request.POST)
    if form.is_valid():
        try:
            services.review_session_draw(actor, session, form.cleaned_data["note"], request.user)
        except InvalidInput as exc:
            messages.error(request, exc.errors[0].message)
        else:
            messages.success(request, _("Recorded your review."))
    else:
        messages.error(request, _("Write the review: what was decided and why."))
    return redirect("safety:review_queue")


# ---------------------------------------------------------------------------------------- recall


@clinical
def lot_recipients(request: HttpRequest, lot_id: int) -> HttpResponse:
    lot = get_lot(request.clinic, lot_id)
    rows = services.lot_recipients(request.clinic, lot, actor=Actor.from_request(request))
    patients = len({r.patient_id for r in rows})
    return render(request, "safety/lot_recipients.html", {"lot": lot, "rows": rows, "patient_count": patients})


_SAFE_NUMBER = re.compile(r"^[+-]?[\d .]+$")


def csv_cell(value: object) -> str:
    """A cell a spreadsheet will not run as a formula (phone numbers like +91... stay as they are)."""
    text = "" if value is None else str(value)
    if text[:1] in ("=", "@", "\t", "\r") or (text[:1] in ("+", "-") and not _SAFE_NUMBER.match(text)):
        return "'" + text
    return text


CSV_HEADER = ["patient_id", "record_number", "name", "phone", "email", "session_id", "session_date", "volume_ml",
              "reported_event", "events"]


def recipient_csv_rows(rows: list[services.Recipient]) -> list[list[str]]:
    return [
        [csv_cell(v) for v in (
            r.patient_id, r.mrn, r.name, r.phone, r.email, r.session_id, r.performed_on.isoformat(), r.volume_ml,
            "yes" if r.reported_event else "no",
            "; ".join(f"{e.event_type} ({e.severity}) from {e.onset_date.isoformat()}" for e in r.events),
        )]
        for r in rows
    ]


@clinical
def lot_recipients_csv(request: HttpRequest, lot_id: int) -> HttpResponse:
    lot = get_lot(request.clinic, lot_id)
    rows = services.lot_recipients(request.clinic, lot, actor=Actor.from_request(request))
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    safe_number = re.sub(r"[^A-Za-z0-9_-]", "_", lot.lot_number)
    response["Content-Disposition"] = f'attachment; filename="lot-{safe_number}-recipients.csv"'
    response["Cache-Control"] = "no-store"
    writer = csv.writer(response)
    writer.writerow(CSV_HEADER)
    writer.writerows(recipient_csv_rows(rows))
    return response


@clinical
def clusters(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    current = services.infection_clusters_for(request.clinic, today)
    shown = {(c.lot.pk, c.cluster.patient_ids) for c in current}
    earlier = [c for c in services.infection_clusters_for(request.clinic, today, lookback_days=365)
               if (c.lot.pk, c.cluster.patient_ids) not in shown]
    return render(request, "safety/clusters.html", {"current": current, "earlier": earlier, "today": today,
                                                     "window_days": services.ClusterPolicy().window_days})
