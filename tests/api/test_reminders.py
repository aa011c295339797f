"""The reminders router (reminder opt-ins and opt-outs and the portal invitation): each operation
works, refuses bad input naming the field, refuses conflicts with 409, and leaves the audit
trail. Roles and clinics are in test_access.py."""

from __future__ import annotations

import pytest

from anagen.audit.models import AuditEntry

from .conftest import error_fields

pytestmark = pytest.mark.django_db


def test_reminders_need_consent_and_an_opt_out_of_a_channel_that_is_off_gets_409(world, api_as):
    api = api_as(world["staff"]["reception"])
    path = f"/patients/{world['patient'].pk}/reminders"
    read = api("get", path)
    assert {c["channel"] for c in read.data["channels"]} == {"email", "sms", "whatsapp"}
    assert AuditEntry.objects.filter(object_type="reminder_opt_in", action="read").exists()
    refused = api("post", f"{path}/opt-in", {"channel": "sms"})
    assert refused.status_code == 422 and error_fields(refused) == {"channel"}
    assert api("post", f"{path}/opt-out", {"channel": "sms"}).status_code == 409


def test_reminders_are_turned_on_and_off_with_consent(world, api_as):
    from anagen.audit.services import Actor
    from anagen.consents.services import publish_text, sign_consent

    actor = Actor.system("test", world["clinic"].pk)
    text = publish_text(actor, world["clinic"], "reminders", "en", "Reminders", "You may message me.")
    sign_consent(actor, world["patient"], text, method="typed", typed_name="Asha", acknowledged=True,
                 witness=world["staff"]["reception"])
    api = api_as(world["staff"]["reception"])
    path = f"/patients/{world['patient'].pk}/reminders"
    on = api("post", f"{path}/opt-in", {"channel": "sms", "language": "hi"})
    assert on.status_code == 200
    sms = next(c for c in on.data["channels"] if c["channel"] == "sms")
    assert sms["active"] is True and sms["language"] == "hi"
    off = api("post", f"{path}/opt-out", {"channel": "sms"})
    assert next(c for c in off.data["channels"] if c["channel"] == "sms")["active"] is False


def test_reception_invites_a_patient_and_sees_the_link_once(world, api_as):
    from anagen.portal.models import PortalInvitation

    response = api_as(world["staff"]["reception"])("post", f"/patients/{world['patient'].pk}/portal-invitation")
    assert response.status_code == 201
    token = response.data["link"].rstrip("/").rsplit("/", 1)[-1]
    invitation = PortalInvitation.objects.get(pk=response.data["invitation_id"])
    assert token not in invitation.token_hash and len(token) > 20
    assert AuditEntry.objects.filter(object_type="portal_invitation", patient_id=world["patient"].pk, action="create").exists()
