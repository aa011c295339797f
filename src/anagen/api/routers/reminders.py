"""Reminders (every member of staff, as on the patient's reminders page): a patient's channels and
opt-ins, turning a channel on or off, and the messages sent or queued; and the staff side of the
patient portal: inviting a patient (clinic admin, trichologist, reception)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from django.urls import reverse
from ninja import ModelSchema, Router, Schema, Status

from anagen.api import auth
from anagen.api.common import ModelOut, actor, clinic
from anagen.api.problems import Problem
from anagen.patients.models import Patient
from anagen.patients.services import get_patient
from anagen.portal import services as portal
from anagen.reminders import services
from anagen.reminders.models import OptInSource

router = Router(tags=["reminders"])

ChannelCode = Literal["email", "sms", "whatsapp"]


class ChannelOut(Schema):
    channel: str
    address: str
    active: bool
    language: str | None
    opted_in_at: dt.datetime | None
    opted_out_at: dt.datetime | None
    source: str | None


class MessageOut(ModelSchema, ModelOut):
    id: int
    appointment_id: int | None

    class Meta:
        model = "reminders.OutboxMessage"
        fields = ["id", "kind", "channel", "language", "scheduled_for", "status", "attempts", "last_error", "sent_at"]


class RemindersOut(Schema):
    patient_id: int
    channels: list[ChannelOut]
    messages: list[MessageOut]


class OptInIn(Schema):
    channel: ChannelCode
    language: Literal["en", "hi"] = "en"


class OptOutIn(Schema):
    channel: ChannelCode


def _out(patient: Patient, rows: list[services.ChannelRow] | None = None) -> dict[str, Any]:
    channels = []
    for row in services.channel_rows(patient) if rows is None else rows:
        opt = row.opt_in
        channels.append({"channel": row.channel, "address": row.address, "active": row.active,
                         "language": opt.language if opt else None, "opted_in_at": opt.opted_in_at if opt else None,
                         "opted_out_at": opt.opted_out_at if opt else None, "source": opt.source if opt else None})
    return {"patient_id": patient.pk, "channels": channels, "messages": services.patient_messages(patient)}


@router.get("/patients/{patient_id}/reminders", response=RemindersOut, auth=auth.ANY_STAFF,
            summary="A patient's reminder channels and recent messages")
def patient_reminders(request: HttpRequest, patient_id: int) -> Any:
    """Each channel with its address and opt-in, and the latest 20 messages (queued, sent, failed)."""
    patient = get_patient(actor(request), clinic(request), patient_id, audit_read=False)
    return _out(patient, services.read_channels(actor(request), patient))


@router.post("/patients/{patient_id}/reminders/opt-in", response=RemindersOut, auth=auth.ANY_STAFF,
             summary="Turn a reminder channel on")
def opt_in(request: HttpRequest, patient_id: int, payload: OptInIn) -> Any:
    """Needs the address on record and a valid reminders consent (else 422 naming ``channel``)."""
    patient = get_patient(actor(request), clinic(request), patient_id, audit_read=False)
    services.opt_in(actor(request), patient, payload.channel, payload.language)
    return _out(patient)


@router.post("/patients/{patient_id}/reminders/opt-out", response=RemindersOut, auth=auth.ANY_STAFF,
             summary="Turn a reminder channel off")
def opt_out(request: HttpRequest, patient_id: int, payload: OptOutIn) -> Any:
    """Cancels the channel's queued messages; with no channel left, the reminders consent is
    withdrawn. A channel that is not on gets 409."""
    patient = get_patient(actor(request), clinic(request), patient_id, audit_read=False)
    if not services.opt_out(actor(request), patient, payload.channel, OptInSource.RECEPTION):
        raise Problem(409, "This channel is not turned on.", kind="invalid-state")
    return _out(patient)


class InvitationOut(Schema):
    invitation_id: int
    patient_id: int
    expires_at: dt.datetime
    link: str
    emailed: bool


@router.post("/patients/{patient_id}/portal-invitation", response={201: InvitationOut}, auth=auth.INVITERS,
             tags=["portal"], summary="Invite a patient to the portal (the link is shown once)")
def invite(request: HttpRequest, patient_id: int) -> Any:
    """A new one-time link (earlier unused links stop working), emailed to the patient when an
    address is on record. The raw link is in this response only: Anagen stores its hash."""
    who = actor(request)
    patient = get_patient(who, clinic(request), patient_id, audit_read=False)
    invitation, token = portal.invite_patient(who, patient, by=request.user)  # type: ignore[arg-type]
    link = request.build_absolute_uri(reverse("portal:accept", args=[token]))
    emailed = portal.email_invitation(patient, link)
    response = Status(201, {"invitation_id": invitation.pk, "patient_id": patient.pk, "expires_at": invitation.expires_at,
                            "link": link, "emailed": emailed})
    return response
