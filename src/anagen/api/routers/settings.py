"""Clinic set-up (clinic admin, as on the web's settings pages): rooms, the price list and billing
settings, the reminder protocol and message templates, the aftercare sheets and the education FAQ.
Retrying a failed reminder is open to every member of staff, as on the patient's reminders page.
None of these records has a version: a save replaces the settings as sent."""

from __future__ import annotations

from typing import Any, Literal

from django.http import Http404, HttpRequest
from ninja import ModelSchema, Query, Router, Schema, Status

from anagen.api import auth
from anagen.api.common import ModelOut, actor, clinic, page_of
from anagen.api.problems import form_errors, invalid
from anagen.api.routers.reminders import MessageOut
from anagen.core.errors import FieldError
from anagen.education import services as education
from anagen.education.forms import FaqForm
from anagen.procedures import services as procedures
from anagen.procedures.forms import AftercareForm
from anagen.reminders import services as reminders
from anagen.reminders.forms import SettingsForm, TemplateForm
from anagen.reminders.models import MessageTemplate
from anagen.scheduling import services as scheduling
from anagen.scheduling.forms import RoomForm
from anagen.scheduling.models import Room

router = Router(tags=["clinic settings"])


# ------------------------------------------------------------------------------------- rooms


class RoomOut(ModelSchema, ModelOut):
    id: int

    class Meta:
        model = "scheduling.Room"
        fields = ["id", "name", "active"]


class RoomIn(Schema):
    name: str


class RoomActiveIn(Schema):
    active: bool


@router.get("/rooms", response=page_of(RoomOut), auth=auth.ADMIN, summary="List rooms")
def list_rooms(request: HttpRequest, page: int = Query(1, ge=1, le=100_000), page_size: int = Query(25, ge=1, le=100)) -> Any:
    """Active rooms first, then by name."""
    found = scheduling.list_rooms(clinic(request), page=page, page_size=page_size)
    return {"items": found.items, **found.meta}


@router.post("/rooms", response={201: RoomOut}, auth=auth.ADMIN, summary="Add a room")
def create_room(request: HttpRequest, payload: RoomIn) -> Any:
    """Names are unique in the clinic, ignoring case (a second one gets 409)."""
    form = RoomForm({"name": payload.name})
    if not form.is_valid():
        raise invalid(form_errors(form))
    room = scheduling.create_room(clinic(request), form.cleaned_data["name"], actor=actor(request))
    return Status(201, room)


@router.post("/rooms/{room_id}/active", response=RoomOut, auth=auth.ADMIN, summary="Deactivate or reactivate a room")
def set_room_active(request: HttpRequest, room_id: int, payload: RoomActiveIn) -> Any:
    """A deactivated room keeps its appointments but is not offered for new bookings."""
    room = Room.objects.filter(pk=room_id, clinic=clinic(request)).first()
    if room is None:
        raise Http404
    return scheduling.set_room_active(room, payload.active, actor=actor(request))


# --------------------------------------------------------------------------------- reminders


class ReminderSettingsSchema(Schema):
    before_hours: str
    side_effect_check_hours: int
    maintenance_notice_days: int
    # Days before an unbooked maintenance date that its recall goes (1-60); left out: unchanged.
    recall_days_before: int | None = None
    max_attempts: int
    backoff_base_seconds: int
    backoff_max_seconds: int


class TemplateOut(ModelSchema, ModelOut):
    id: int

    class Meta:
        model = "reminders.MessageTemplate"
        fields = ["id", "kind", "channel", "language", "subject", "body", "whatsapp_template_name", "whatsapp_approved", "updated_at"]


class TemplateIn(Schema):
    kind: str
    channel: Literal["email", "sms", "whatsapp"]
    language: Literal["en", "hi"] = "en"
    subject: str = ""
    body: str
    whatsapp_template_name: str = ""
    whatsapp_approved: bool = False


@router.get("/reminder-settings", response=ReminderSettingsSchema, auth=auth.ADMIN, summary="Read the reminder protocol")
def get_reminder_settings(request: HttpRequest) -> Any:
    return reminders.settings_for(clinic(request))


@router.put("/reminder-settings", response=ReminderSettingsSchema, auth=auth.ADMIN, summary="Change the reminder protocol")
def put_reminder_settings(request: HttpRequest, payload: ReminderSettingsSchema) -> Any:
    """Checked as the settings page checks it (clinic protocol: see anagen.core.reminders); audited."""
    form = SettingsForm(payload.dict(), instance=reminders.settings_for(clinic(request)))
    if not form.is_valid():
        raise invalid(form_errors(form))
    return reminders.save_settings(actor(request), clinic(request), {k: form.cleaned_data[k] for k in SettingsForm.Meta.fields})


@router.get("/reminder-templates", response=list[TemplateOut], auth=auth.ADMIN, summary="List the clinic's message templates")
def list_templates(request: HttpRequest) -> Any:
    """The clinic's own wordings (kinds without one use the built-in text)."""
    return list(MessageTemplate.objects.filter(clinic=clinic(request)).order_by("kind", "channel", "language", "id"))


@router.put("/reminder-templates", response=TemplateOut, auth=auth.ADMIN, summary="Save a message template")
def save_template(request: HttpRequest, payload: TemplateIn) -> Any:
    """One template per kind, channel and language: saving again replaces it. Placeholders:
    {clinic}, {date}, {time}, {clinic_phone}, {opt_out_url}."""
    form = TemplateForm(payload.dict())
    if not form.is_valid():
        raise invalid(form_errors(form))
    return reminders.save_template(actor(request), clinic(request), form.cleaned_data)


@router.post("/reminder-messages/{message_id}/retry", response=MessageOut, auth=auth.ANY_STAFF, tags=["reminders"],
             summary="Retry a failed reminder")
def retry_message(request: HttpRequest, message_id: int) -> Any:
    """Puts a failed message back in the queue; any other status gets 409."""
    return reminders.retry_failed(actor(request), clinic(request), message_id)


# ----------------------------------------------------------------------- aftercare and FAQ


Language = Literal["en", "hi"]


class AftercareTextOut(ModelSchema, ModelOut):

    class Meta:
        model = "procedures.AftercareText"
        fields = ["language", "title", "body"]


class AftercareTextIn(Schema):
    title: str
    body: str


class FaqItem(Schema):
    question: str
    answer: str
    source: str = ""


@router.get("/aftercare-texts/{language}", response=AftercareTextOut, auth=auth.ADMIN, summary="Read an aftercare sheet")
def get_aftercare(request: HttpRequest, language: Language) -> Any:
    """The clinic's own text, or the built-in sheet until it writes one."""
    title, body = procedures.aftercare_text(clinic(request), language)
    return {"language": language, "title": title, "body": body}


@router.put("/aftercare-texts/{language}", response=AftercareTextOut, auth=auth.ADMIN, summary="Change an aftercare sheet")
def put_aftercare(request: HttpRequest, language: Language, payload: AftercareTextIn) -> Any:
    """``body``: ``## Heading`` lines with ``- point`` lines under them (at least one section)."""
    form = AftercareForm({"title": payload.title, "body": payload.body})
    if not form.is_valid():
        raise invalid(form_errors(form))
    procedures.save_aftercare(clinic(request), language, form.cleaned_data["title"], form.cleaned_data["body"], request.user)  # type: ignore[arg-type]
    title, body = procedures.aftercare_text(clinic(request), language)
    return {"language": language, "title": title, "body": body}


@router.get("/education-faq", response=list[FaqItem], auth=auth.ANY_STAFF, summary="Read the education FAQ")
def get_faq(request: HttpRequest) -> Any:
    """As shown on the treatment-options page (the built-in answers until the clinic edits them)."""
    return education.faq_for(clinic(request))


@router.put("/education-faq", response=list[FaqItem], auth=auth.ADMIN, summary="Replace the education FAQ")
def put_faq(request: HttpRequest, payload: list[FaqItem]) -> Any:
    """The whole list, in order (at most 30); each needs a question and an answer."""
    if len(payload) > 30:
        raise invalid([FieldError("body", "At most 30 questions.")])
    errors: list[FieldError] = []
    answers = []
    for index, item in enumerate(payload):
        form = FaqForm(item.dict())
        if not form.is_valid() or not item.question.strip():
            errors.extend(form_errors(form, f"{index}.") or [FieldError(f"{index}.question", "A question needs an answer, and an answer a question.")])
            continue
        answers.append(education.Answer(form.cleaned_data["question"], form.cleaned_data["answer"], form.cleaned_data.get("source", "")))
    if errors:
        raise invalid(errors)
    education.save_faq(clinic(request), answers, request.user)  # type: ignore[arg-type]
    return education.faq_for(clinic(request))
