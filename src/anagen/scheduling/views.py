from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from anagen.accounts.permissions import admin_only, staff_required
from anagen.accounts.protocols import opening_hours
from anagen.audit import services as audit
from anagen.audit.services import Actor
from anagen.core import display
from anagen.core.errors import InvalidInput
from anagen.patients.services import record_list_read
from anagen.scheduling import services
from anagen.scheduling.forms import (
    BookingForm,
    CalendarFilterForm,
    DurationsForm,
    MoveForm,
    ReasonForm,
    RoomForm,
)
from anagen.scheduling.grid import Column, build_rows, days_of_week
from anagen.scheduling.models import HOLDING_STATUSES, Appointment, Room
from anagen.ui.forms import add_errors_from


def _weekday_day(day: date) -> str:
    """Thu 3 Dec 2026 as anagen.core.display writes it, with the day and month named in the reader's
    language (Django's own catalogues): the calendar is read by staff in Hindi and Marathi too."""
    return date_format(day, "D j M Y")


# ------------------------------------------------------------------------------------ calendar


def _filters(request: HttpRequest) -> tuple[CalendarFilterForm, date, str, Any, Any]:
    data = request.GET.copy()
    data.setdefault("date", timezone.localdate().isoformat())
    data.setdefault("by", "practitioner")
    form = CalendarFilterForm(data, clinic=request.clinic)
    form.is_valid()
    if "practitioner" in form.errors or "room" in form.errors:
        raise Http404  # another clinic's (or no) practitioner or room: it does not exist here
    data = form.cleaned_data
    day = data.get("date") or timezone.localdate()
    by = data.get("by") or "practitioner"
    return form, day, by, data.get("practitioner"), data.get("room")


def _query(**params: Any) -> str:
    return urlencode({k: v.pk if hasattr(v, "pk") else v for k, v in params.items() if v not in (None, "")})


def _render_calendar(request: HttpRequest, context: dict[str, Any], form: CalendarFilterForm) -> HttpResponse:
    context["form"] = form
    context["base_url"] = reverse(f"scheduling:{context['mode']}")
    context["zone_name"] = "IST" if str(services.clinic_zone()) == "Asia/Kolkata" else str(services.clinic_zone())
    status = 400 if form.errors else 200
    if request.htmx and request.htmx.target == "calendar":
        return render(request, "scheduling/_grid.html", context, status=status)
    return render(request, "scheduling/calendar.html", context, status=status)


@staff_required()
def day_view(request: HttpRequest) -> HttpResponse:
    form, day, by, practitioner, room = _filters(request)
    appointments = services.appointments_for_day(request.clinic, day, practitioner=practitioner, room=room)
    active = [a for a in appointments if a.status in HOLDING_STATUSES]
    open_day = day >= timezone.localdate()
    if by == "room":
        rooms = [room] if room else list(Room.objects.filter(clinic=request.clinic, active=True))
        for a in active:
            if a.room not in rooms:
                rooms.append(a.room)
        columns = [Column(label=r.name, day=day, book_params={"room": r.pk}, appointments=[a for a in active if a.room_id == r.pk], sublabel="" if r.active else _("inactive"), bookable=open_day and r.active) for r in rooms]
    else:
        people = [practitioner] if practitioner else list(services.bookable_practitioners(request.clinic))
        for a in active:
            if a.practitioner not in people:
                people.append(a.practitioner)
        columns = [Column(label=str(p), day=day, book_params={"practitioner": p.pk}, appointments=[a for a in active if a.practitioner_id == p.pk], sublabel=p.get_role_display(), bookable=open_day and p.is_active and p.role in services.BOOKABLE_ROLES) for p in people]
    services.record_calendar_read(Actor.from_request(request), f"day:{day.isoformat()}", appointments)
    keep = {"by": by, "practitioner": practitioner, "room": room}
    context = {
        "mode": "day",
        "day": day,
        "by": by,
        "secondary": "practitioner" if by == "room" else "room",
        "columns": columns,
        "rows": build_rows(columns),
        "off_grid": [a for a in appointments if a.status not in HOLDING_STATUSES],
        "appointment_count": len(active),
        "title": _weekday_day(day),
        "prev_query": _query(date=(day - timedelta(days=1)).isoformat(), **keep),
        "next_query": _query(date=(day + timedelta(days=1)).isoformat(), **keep),
        "today_query": _query(**keep),
        "other_view_query": _query(date=day.isoformat(), **keep),
        "book_query": _query(date=day.isoformat(), practitioner=practitioner, room=room),
        "is_today": day == timezone.localdate(),
    }
    return _render_calendar(request, context, form)


@staff_required()
def week_view(request: HttpRequest) -> HttpResponse:
    form, day, by, practitioner, room = _filters(request)
    if practitioner is None and room is None:
        # A week grid shows one practitioner's (or one room's) diary: start with the viewer's own.
        people = services.bookable_practitioners(request.clinic)
        practitioner = people.filter(pk=request.user.pk).first() or people.first()
        if practitioner is not None:
            form.initial["practitioner"] = practitioner.pk
            form.data = form.data.copy()
            form.data["practitioner"] = str(practitioner.pk)
    monday = services.week_start(day)
    appointments = services.appointments_for_week(request.clinic, day, practitioner=practitioner, room=room) if (practitioner or room) else []
    active = [a for a in appointments if a.status in HOLDING_STATUSES]
    today = timezone.localdate()
    resource = {"practitioner": practitioner.pk} if practitioner else ({"room": room.pk} if room else {})
    columns = []
    for each in days_of_week(monday):
        start, end = services.day_bounds(each)
        columns.append(Column(
            label=date_format(each, "D j M"), day=each, book_params=resource,
            appointments=[a for a in active if start <= a.starts_at < end], is_today=each == today,
            bookable=each >= today and (room is None or room.active),
        ))
    services.record_calendar_read(Actor.from_request(request), f"week:{monday.isoformat()}", appointments)
    keep = {"by": by, "practitioner": practitioner, "room": room}
    sunday = monday + timedelta(days=6)
    whose = str(practitioner) if practitioner else (room.name if room else "")
    if practitioner and room:
        whose = _("%(practitioner)s in %(room)s") % {"practitioner": practitioner, "room": room.name}
    context = {
        "mode": "week",
        "day": day,
        "by": by,
        "secondary": "room" if practitioner else "practitioner",
        "columns": columns,
        "rows": build_rows(columns) if (practitioner or room) else [],
        "off_grid": [a for a in appointments if a.status not in HOLDING_STATUSES],
        "appointment_count": len(active),
        "title": _("Week of %(monday)s – %(sunday)s") % {"monday": date_format(monday, "j M"), "sunday": date_format(sunday, "j M Y")},
        "whose": whose,
        "prev_query": _query(date=(monday - timedelta(days=7)).isoformat(), **keep),
        "next_query": _query(date=(monday + timedelta(days=7)).isoformat(), **keep),
        "today_query": _query(**keep),
        "other_view_query": _query(date=day.isoformat(), **keep),
        "book_query": _query(date=day.isoformat(), **resource),
        "is_today": monday <= today <= sunday,
    }
    return _render_calendar(request, context, form)


# ------------------------------------------------------------------------------------- booking


def _booking_initial(request: HttpRequest) -> dict[str, Any]:
    initial: dict[str, Any] = {}
    for key in ("patient_query", "patient", "practitioner", "room", "kind", "date", "duration_minutes", "notes"):
        if request.GET.get(key):
            initial[key] = request.GET[key]
    if request.GET.get("start"):
        initial["start_time"] = request.GET["start"]
    if request.GET.get("start_time"):
        initial["start_time"] = request.GET["start_time"]
    initial.setdefault("date", timezone.localdate().isoformat())
    return initial


@staff_required()
@never_cache
def book(request: HttpRequest) -> HttpResponse:
    clinic = request.clinic
    if request.method == "POST" and "find" in request.POST:
        # The "Find patient" button without JavaScript: show the results, validate nothing yet.
        form = BookingForm(initial=request.POST.dict(), clinic=clinic)
        status = 200
    elif request.method == "POST":
        form = BookingForm(request.POST, clinic=clinic)
        if form.is_valid():
            data = form.cleaned_data
            try:
                appointment = services.book_appointment(
                    Actor.from_request(request), clinic,
                    patient=data["patient"], practitioner=data["practitioner"], room=data["room"], kind=data["kind"],
                    starts_at=form.starts_at(), duration_minutes=data["duration_minutes"], notes=data["notes"],
                )
            except services.BookingError as exc:
                form.add_service_error(exc)
            else:
                local = timezone.localtime(appointment.starts_at)
                messages.success(request, _("Booked %(patient)s with %(practitioner)s on %(day)s at %(time)s in %(room)s.") % {
                    "patient": appointment.patient.full_name, "practitioner": appointment.practitioner,
                    "day": _weekday_day(local.date()), "time": display.clock(local), "room": appointment.room})
                return redirect(f"{reverse('scheduling:day')}?{_query(date=local.date().isoformat())}")
        status = 400
    else:
        form = BookingForm(initial=_booking_initial(request), clinic=clinic)
        status = 200
    if form.patient_candidates:
        record_list_read(Actor.from_request(request), form.patient_candidates)
    return render(request, "scheduling/book.html", {"form": form, "free": _free_times(request, form)}, status=status)


def _free_times(request: HttpRequest, form: BookingForm) -> dict[str, Any]:
    """Free starts offered beside the form (issue 20): on the form's day (today by default), for
    its practitioner if one is chosen, within the clinic's opening hours; each a link that fills
    the form in."""
    source = form.data if form.is_bound else form.initial
    try:
        day = date.fromisoformat(str(source.get("date") or timezone.localdate().isoformat()))
    except ValueError:
        return {}
    kind = str(source.get("kind") or "")
    try:
        duration = int(source.get("duration_minutes") or services.durations_for(request.clinic).get(kind, 45))
    except ValueError:
        duration = 45
    practitioner = services.bookable_practitioners(request.clinic).filter(pk=source.get("practitioner")).first() if str(source.get("practitioner") or "").isdigit() else None
    hours = opening_hours(request.clinic, day)
    if hours is None or day < timezone.localdate():
        return {"day": day, "closed": hours is None, "slots": []}
    slots = services.free_starts(request.clinic, day, duration, opens=hours[0], closes=hours[1], practitioner=practitioner)
    keep = {k: source.get(k) for k in ("patient", "kind", "notes") if source.get(k)}
    offered = []
    for start, person, room in slots:
        local = timezone.localtime(start)
        query = _query(**keep, date=day.isoformat(), start=f"{local:%H:%M}", practitioner=person, room=room, duration_minutes=duration)
        offered.append({"time": local, "practitioner": person, "room": room, "url": f"{reverse('scheduling:book')}?{query}"})
    return {"day": day, "closed": False, "slots": offered}


@staff_required()
@require_POST
def patient_search(request: HttpRequest) -> HttpResponse:
    """The patient choices of the booking form, for HTMX as the user types."""
    # POSTed by htmx: the typed name or phone number stays out of URLs and logs.
    form = BookingForm(initial={k: request.POST.get(k, "") for k in ("patient_query", "patient")}, clinic=request.clinic)
    record_list_read(Actor.from_request(request), form.patient_candidates)
    return render(request, "scheduling/_patient_choices.html", {"form": form})


# -------------------------------------------------------------------------------- appointments


def course_url(appointment: Appointment) -> str | None:
    """The treatments app's page of this appointment's course, if it has one."""
    if appointment.course_id is None:
        return None
    try:
        return reverse("treatments:course", kwargs={"course_id": appointment.course_id})
    except NoReverseMatch:
        return None


def replan_url(appointment: Appointment) -> str | None:
    """The treatments app's page re-planning the rest of this appointment's course, if it exists."""
    if appointment.course_id is None:
        return None
    try:
        url = reverse("treatments:replan", kwargs={"course_id": appointment.course_id})
    except NoReverseMatch:
        return None
    return f"{url}?{_query(appointment=appointment.pk)}"


@staff_required()
def detail(request: HttpRequest, appointment_id: int) -> HttpResponse:
    appointment = services.get_appointment(request.clinic, appointment_id)
    audit.record_read(Actor.from_request(request), "appointment", appointment.pk, appointment.patient_id)
    context = {
        "appointment": appointment,
        "replan_url": replan_url(appointment),
        "course_url": course_url(appointment),
        "day_query": _query(date=timezone.localtime(appointment.starts_at).date().isoformat()),
    }
    return render(request, "scheduling/detail.html", context)


@staff_required()
def move(request: HttpRequest, appointment_id: int) -> HttpResponse:
    appointment = services.get_appointment(request.clinic, appointment_id)
    form = MoveForm(request.POST or None, clinic=request.clinic, appointment=appointment)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            moved = services.move_appointment(
                Actor.from_request(request), appointment, starts_at=form.starts_at(),
                practitioner=data["practitioner"], room=data["room"], expected_version=data.get("version"),
            )
        except (services.BookingError, services.StaleWrite) as exc:
            form.add_service_error(exc)
        else:
            local = timezone.localtime(moved.starts_at)
            messages.success(request, _("Moved to %(day)s at %(time)s with %(practitioner)s in %(room)s.") % {
                "day": _weekday_day(local.date()), "time": display.clock(local), "practitioner": moved.practitioner, "room": moved.room})
            url = replan_url(moved)
            if url:
                messages.info(request, format_html(
                    _('This appointment is part of a course. <a href="{}">Re-plan the rest of the course</a> to keep its intervals.'), url
                ))
            return redirect("scheduling:detail", appointment_id=moved.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "scheduling/move.html", {"form": form, "appointment": appointment}, status=status)


def _status_change(request: HttpRequest, appointment_id: int, *, prefix: str, template_title: str, button: str, action: Any) -> HttpResponse:
    appointment = services.get_appointment(request.clinic, appointment_id)
    form = ReasonForm(request.POST or None, prefix=prefix)
    if request.method == "POST" and form.is_valid():
        try:
            changed = action(Actor.from_request(request), appointment, form.cleaned_data["reason"])
        except services.BookingError as exc:
            form.add_error("reason" if exc.field == "reason" else None, exc.message)
        else:
            local = timezone.localtime(changed.starts_at)
            messages.success(request, _("%(status)s: %(patient)s, %(day)s, %(time)s. The slot is free again.") % {
                "status": changed.get_status_display(), "patient": changed.patient.full_name,
                "day": _weekday_day(local.date()), "time": display.clock(local)})
            return redirect("scheduling:detail", appointment_id=changed.pk)
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "appointment": appointment, "title": template_title, "button": button}
    return render(request, "scheduling/reason_form.html", context, status=status)


@staff_required()
def cancel(request: HttpRequest, appointment_id: int) -> HttpResponse:
    return _status_change(request, appointment_id, prefix="cancel", template_title=_("Cancel appointment"), button=_("Cancel appointment"), action=services.cancel_appointment)


@staff_required()
def no_show(request: HttpRequest, appointment_id: int) -> HttpResponse:
    return _status_change(request, appointment_id, prefix="noshow", template_title=_("Mark as no-show"), button=_("Mark no-show"), action=services.mark_no_show)


@staff_required()
@require_POST
def arrived(request: HttpRequest, appointment_id: int) -> HttpResponse:
    appointment = services.get_appointment(request.clinic, appointment_id)
    try:
        services.mark_arrived(Actor.from_request(request), appointment)
    except services.BookingError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("%(patient)s has arrived.") % {"patient": appointment.patient.full_name})
    return redirect("scheduling:detail", appointment_id=appointment.pk)


# ---------------------------------------------------------------------------------------- rooms


@admin_only
def appointment_types(request: HttpRequest) -> HttpResponse:
    """Appointment types and their durations (clinic set-up): what reception's booking form offers."""
    form = DurationsForm(request.POST or None, current=services.durations_for(request.clinic))
    if request.method == "POST" and form.is_valid():
        try:
            services.save_durations(Actor.from_request(request), request.clinic, dict(form.cleaned_data))
        except InvalidInput as exc:
            add_errors_from(form, exc)
        else:
            messages.success(request, _("Appointment durations saved."))
            return redirect("accounts:clinic_settings")
    return render(request, "scheduling/appointment_types.html", {"form": form}, status=400 if form.errors else 200)


@admin_only
def rooms(request: HttpRequest) -> HttpResponse:
    return render(request, "scheduling/rooms.html", {"rooms": Room.objects.filter(clinic=request.clinic).order_by("-active", "name")})


@admin_only
def room_create(request: HttpRequest) -> HttpResponse:
    form = RoomForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            room = services.create_room(request.clinic, form.cleaned_data["name"], actor=Actor.from_request(request))
        except services.RoomNameTaken:
            form.add_error("name", _("This clinic already has a room with this name."))
        else:
            messages.success(request, _("Added %(room)s.") % {"room": room.name})
            return redirect("scheduling:rooms")
    status = 400 if request.method == "POST" else 200
    return render(request, "scheduling/room_form.html", {"form": form}, status=status)


def _room_toggle(request: HttpRequest, room_id: int, active: bool) -> HttpResponse:
    room = get_object_or_404(Room, pk=room_id, clinic=request.clinic)
    services.set_room_active(room, active, actor=Actor.from_request(request))
    messages.success(request, (_("%(room)s is back in use.") if active else _("%(room)s is deactivated: it is no longer offered for new bookings.")) % {"room": room.name})
    return redirect("scheduling:rooms")


@admin_only
@require_POST
def room_deactivate(request: HttpRequest, room_id: int) -> HttpResponse:
    return _room_toggle(request, room_id, False)


@admin_only
@require_POST
def room_reactivate(request: HttpRequest, room_id: int) -> HttpResponse:
    return _room_toggle(request, room_id, True)

