from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django import forms
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anagen.accounts.models import Clinic
from anagen.patients.models import Patient
from anagen.patients.services import search_patients
from anagen.scheduling import services
from anagen.scheduling.models import SLOT_MINUTES, Kind, Room
from anagen.ui.forms import NoColonLabels

PATIENT_RESULTS = 10
# Service field names -> the form field that shows the message.
SERVICE_FIELDS = {"starts_at": "start_time", "kind": "kind", "patient": "patient", "practitioner": "practitioner", "room": "room", "duration_minutes": "duration_minutes"}


class PractitionerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj} ({obj.get_role_display()})"


class PatientChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.full_name} · {obj.mrn} · {obj.phone_display}"


def _quarter_hour(value: time) -> time:
    if value.minute % SLOT_MINUTES or value.second or value.microsecond:
        raise forms.ValidationError(_("Appointments start on the quarter hour (e.g. 10:00, 10:15, 10:30 or 10:45)."))
    return value


class _WhenFields(NoColonLabels, forms.Form):
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    start_time = forms.TimeField(
        label=_("Start time"),
        widget=forms.TimeInput(attrs={"type": "time", "step": SLOT_MINUTES * 60}, format="%H:%M"),
        help_text=_("On the quarter hour, clinic time (IST)."),
    )

    def __init__(self, *args: Any, clinic: Clinic, today: date | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.clinic = clinic
        self.today = today or timezone.localdate()
        practitioners = services.bookable_practitioners(clinic)
        rooms = services.active_rooms(clinic)
        self.fields["practitioner"] = PractitionerChoiceField(queryset=practitioners, label=_("Practitioner"), empty_label=_("Choose…"))
        self.fields["room"] = forms.ModelChoiceField(queryset=rooms, label=_("Room"), empty_label=_("Choose…"))
        for name in ("practitioner", "room"):
            self.fields[name].error_messages["invalid_choice"] = (
                _("Choose an active practitioner or trichologist of this clinic.") if name == "practitioner" else _("Choose an active room of this clinic.")
            )

    def clean_date(self) -> date:
        day: date = self.cleaned_data["date"]
        if day < self.today:
            raise forms.ValidationError(_("Choose today or a later date."))
        if day > self.today + timedelta(days=2 * 366):
            raise forms.ValidationError(_("Bookings open at most two years ahead."))
        return day

    def clean_start_time(self) -> time:
        return _quarter_hour(self.cleaned_data["start_time"])

    def starts_at(self) -> datetime:
        return services.local_datetime(self.cleaned_data["date"], self.cleaned_data["start_time"])

    def add_service_error(self, error: services.BookingError | services.StaleWrite) -> None:
        target = SERVICE_FIELDS.get(error.field or "")
        self.add_error(target if target in self.fields else None, error.message)


class BookingForm(_WhenFields):
    patient_query = forms.CharField(
        label=_("Find patient"),
        required=False,
        max_length=100,
        help_text=_("Name, phone or record number."),
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    kind = forms.ChoiceField(label=_("Appointment type"), choices=[("", _("Choose…")), *Kind.choices])
    duration_minutes = forms.IntegerField(
        label=_("Duration (minutes)"),
        widget=forms.NumberInput(attrs={"step": SLOT_MINUTES, "min": SLOT_MINUTES, "max": services.MAX_DURATION_MINUTES}),
        help_text=_("In 15-minute steps."),
    )
    notes = forms.CharField(
        label=_("Notes for reception"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Non-clinical only, e.g. “prefers a call after 6 pm”."),
    )

    field_order = ["patient_query", "patient", "practitioner", "room", "kind", "date", "start_time", "duration_minutes", "notes"]

    def __init__(self, *args: Any, clinic: Clinic, today: date | None = None, **kwargs: Any):
        super().__init__(*args, clinic=clinic, today=today, **kwargs)
        field = PatientChoiceField(
            queryset=Patient.objects.filter(clinic=clinic),
            label=_("Patient"),
            widget=forms.RadioSelect,
            error_messages={
                "required": _("Find the patient and choose them from the results."),
                "invalid_choice": _("This patient is not on this clinic's register."),
            },
        )
        field.template_name = "scheduling/_patient_field.html"
        self.fields["patient"] = field
        self.order_fields(self.field_order)
        query_field = self.fields["patient_query"]
        query_field.template_name = "scheduling/_patient_query_field.html"
        query_field.widget.attrs.update({
            "hx-post": reverse("scheduling:patient_search"),
            "hx-trigger": "input changed delay:300ms, search",
            "hx-target": "#patient-choices",
            "hx-swap": "outerHTML",
            "hx-include": "#patient-choices",
        })
        self.fields["kind"].widget.attrs["data-default-durations"] = ",".join(f"{k}:{v}" for k, v in services.durations_for(clinic).items())
        self.set_patient_choices()

    def _value(self, name: str) -> str:
        source = self.data if self.is_bound else self.initial
        value = source.get(name, "")
        return str(value) if value is not None else ""

    def set_patient_choices(self) -> None:
        """Offer the search results (and the chosen patient), never the whole register."""
        query = self._value("patient_query").strip()[:100]
        candidates: list[Patient] = list(search_patients(self.clinic, query)[:PATIENT_RESULTS]) if query else []
        chosen = self._value("patient")
        if chosen.isdigit() and all(str(p.pk) != chosen for p in candidates):
            found = Patient.objects.filter(clinic=self.clinic, pk=int(chosen)).first()
            if found is not None:
                candidates.insert(0, found)
        self.patient_candidates = candidates
        self.patient_query_text = query
        field = self.fields["patient"]
        field.widget.choices = [(p.pk, field.label_from_instance(p)) for p in candidates]

    def clean_duration_minutes(self) -> int:
        minutes: int = self.cleaned_data["duration_minutes"]
        if minutes <= 0:
            raise forms.ValidationError(_("The appointment must end after it starts: enter a duration of at least 15 minutes."))
        if minutes % SLOT_MINUTES:
            raise forms.ValidationError(_("Durations come in 15-minute steps (15, 30, 45, 60 …)."))
        if minutes > services.MAX_DURATION_MINUTES:
            raise forms.ValidationError(_("An appointment can last at most 8 hours."))
        return minutes

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if all(data.get(name) is not None for name in ("date", "start_time", "duration_minutes")):
            ends_at = self.starts_at() + timedelta(minutes=data["duration_minutes"])
            if ends_at > services.day_bounds(data["date"])[1]:
                self.add_error("duration_minutes", _("The appointment must end by midnight of the day it starts."))
        return data


class MoveForm(_WhenFields):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    field_order = ["date", "start_time", "practitioner", "room"]

    def __init__(self, *args: Any, clinic: Clinic, appointment: Any, today: date | None = None, **kwargs: Any):
        local = timezone.localtime(appointment.starts_at, services.clinic_zone())
        initial = {
            "date": local.date(),
            "start_time": local.time(),
            "practitioner": appointment.practitioner_id,
            "room": appointment.room_id,
            "version": appointment.version,
            **kwargs.pop("initial", {}),
        }
        super().__init__(*args, clinic=clinic, today=today, initial=initial, **kwargs)
        self.order_fields(self.field_order)
        self.appointment = appointment

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("date") is not None and data.get("start_time") is not None:
            ends_at = self.starts_at() + timedelta(minutes=self.appointment.duration_minutes)
            if ends_at > services.day_bounds(data["date"])[1]:
                self.add_error("start_time", _("The appointment must end by midnight of the day it starts."))
        return data


class ReasonForm(NoColonLabels, forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200, widget=forms.TextInput(attrs={"autocomplete": "off"}))

    def clean_reason(self) -> str:
        text = self.cleaned_data["reason"].strip()
        if not text:
            raise forms.ValidationError(_("Give a reason."))
        return text


class RoomForm(NoColonLabels, forms.ModelForm):
    class Meta:
        model = Room
        fields = ["name"]
        help_texts = {"name": _("e.g. Procedure room 3")}

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(_("This field is required."))
        return name


class CalendarFilterForm(NoColonLabels, forms.Form):
    """The calendar's toolbar: which day, columns by practitioner or by room, and filters."""

    date = forms.DateField(label=_("Date"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    by = forms.ChoiceField(label=_("Columns"), required=False, choices=[("practitioner", _("Practitioners")), ("room", _("Rooms"))])

    def __init__(self, *args: Any, clinic: Clinic, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["practitioner"] = PractitionerChoiceField(
            queryset=services.bookable_practitioners(clinic), label=_("Practitioner"), required=False, empty_label=_("All practitioners")
        )
        self.fields["room"] = forms.ModelChoiceField(
            queryset=Room.objects.filter(clinic=clinic), label=_("Room"), required=False, empty_label=_("All rooms")
        )


class DurationsForm(NoColonLabels, forms.Form):
    """One field per appointment type: its length in minutes."""

    def __init__(self, *args: Any, current: dict[str, int], **kwargs: Any):
        super().__init__(*args, initial=current, **kwargs)
        for kind in Kind:
            self.fields[kind.value] = forms.IntegerField(
                label=kind.label, min_value=SLOT_MINUTES, max_value=services.MAX_DURATION_MINUTES,
                widget=forms.NumberInput(attrs={"step": SLOT_MINUTES}), help_text=_("minutes"))
