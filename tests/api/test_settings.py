"""The settings router (clinic set-up: rooms, reminder settings and templates, retries, aftercare
sheets, FAQ): each operation works, refuses bad input naming the field, refuses conflicts with
409, and leaves the audit trail. Roles and clinics are in test_access.py."""

from __future__ import annotations

import pytest

from .conftest import error_fields

pytestmark = pytest.mark.django_db


@pytest.fixture
def ids(world):
    from .conftest import billing_and_reports, portal_and_feeds

    extra = billing_and_reports(world)
    return {**extra, **portal_and_feeds(world, extra["invoice"])}


def test_an_admin_adds_a_room_once_and_deactivates_it(world, api_as):
    api = api_as(world["staff"]["clinic_admin"])
    created = api("post", "/rooms", {"name": "Procedure room 2"})
    assert created.status_code == 201 and created.data["active"] is True
    assert api("post", "/rooms", {"name": "procedure ROOM 2"}).status_code == 409
    blank = api("post", "/rooms", {"name": ""})
    assert blank.status_code == 422 and error_fields(blank) == {"name"}
    off = api("post", f"/rooms/{created.data['id']}/active", {"active": False})
    assert off.status_code == 200 and off.data["active"] is False
    assert [r["name"] for r in api("get", "/rooms").data["items"]][-1] == "Procedure room 2"


def test_reminder_settings_and_templates_are_saved_and_checked(world, api_as):
    api = api_as(world["staff"]["clinic_admin"])
    current = api("get", "/reminder-settings").data
    saved = api("put", "/reminder-settings", {**current, "before_hours": "24, 2"})
    assert saved.status_code == 200 and saved.data["before_hours"] == "24, 2"
    bad = api("put", "/reminder-settings", {**current, "before_hours": "soon"})
    assert bad.status_code == 422 and error_fields(bad) == {"before_hours"}
    template = {"kind": "before", "channel": "sms", "language": "en", "body": "{clinic}: see you on {date} at {time}."}
    created = api("put", "/reminder-templates", template)
    assert created.status_code == 200, created.data
    assert [t["body"] for t in api("get", "/reminder-templates").data] == [template["body"]]
    unknown_kind = api("put", "/reminder-templates", {**template, "kind": "birthday"})
    assert unknown_kind.status_code == 422 and error_fields(unknown_kind) == {"kind"}


def test_a_failed_reminder_is_retried_once(world, ids, api_as):
    api = api_as(world["staff"]["reception"])
    retried = api("post", f"/reminder-messages/{ids['message']}/retry")
    assert retried.status_code == 200 and retried.data["status"] == "pending"
    assert api("post", f"/reminder-messages/{ids['message']}/retry").status_code == 409


def test_the_aftercare_sheet_and_faq_are_edited_and_checked(world, api_as):
    api = api_as(world["staff"]["clinic_admin"])
    sheet = {"title": "After your session", "body": "## Today\n- Do not wash your hair tonight.\n"}
    saved = api("put", "/aftercare-texts/hi", sheet)
    assert saved.status_code == 200 and saved.data["title"] == "After your session"
    assert "Do not wash" in api("get", "/aftercare-texts/hi").data["body"]
    shapeless = api("put", "/aftercare-texts/en", {"title": "T", "body": "just words"})
    assert shapeless.status_code == 422 and error_fields(shapeless) == {"body"}
    faq = [{"question": "Does it hurt?", "answer": "A little.", "source": "clinic protocol"}]
    assert api("put", "/education-faq", faq).status_code == 200
    assert api_as(world["staff"]["reception"])("get", "/education-faq").data == faq
    half = api("put", "/education-faq", [*faq, {"question": "How long?", "answer": ""}])
    assert half.status_code == 422 and error_fields(half) == {"1.answer"}
