"""What every signed-in request reads before its page: the session row, the user with their clinic
and second-factor flag. These reads are written out (anagen.accounts.sessions) or compiled once
(anagen.accounts.compiled) instead of built by the ORM each time; these tests hold them to what the
ORM would have returned."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from anagen.accounts.backends import SIGNED_IN_USER, StaffBackend
from anagen.accounts.models import User
from anagen.accounts.sessions import SessionStore

pytestmark = pytest.mark.django_db


def test_the_compiled_user_query_returns_what_the_orm_returns(trichologist):
    expected = User.objects.select_related("clinic").get(pk=trichologist.pk)
    user = SIGNED_IN_USER.first(trichologist.pk)
    assert [getattr(user, f.attname) for f in User._meta.concrete_fields] == [getattr(expected, f.attname) for f in User._meta.concrete_fields]
    assert user.last_login == expected.last_login and user.date_joined.tzinfo is not None
    with CaptureQueriesContext(connection) as queries:
        assert user.clinic.name == expected.clinic.name  # loaded with the user, not by another query
    assert len(queries) == 0
    assert user.has_confirmed_authenticator is False


def test_the_compiled_user_query_runs_again_with_each_users_id(trichologist, receptionist, other_admin):
    for member in (trichologist, receptionist, other_admin, trichologist):
        user = SIGNED_IN_USER.first(member.pk)
        assert (user.pk, user.username, user.clinic_id, user.clinic.pk) == (member.pk, member.username, member.clinic_id, member.clinic_id)


def test_the_compiled_user_query_finds_nobody_for_an_unknown_id(db):
    assert SIGNED_IN_USER.first(987654) is None


def test_the_second_factor_flag_follows_the_users_devices(trichologist):
    device = TOTPDevice.objects.create(user=trichologist, name="Authenticator app", confirmed=False)
    assert SIGNED_IN_USER.first(trichologist.pk).has_confirmed_authenticator is False
    device.confirmed = True
    device.save()
    assert SIGNED_IN_USER.first(trichologist.pk).has_confirmed_authenticator is True


def test_the_compiled_user_query_works_on_another_threads_connection(trichologist):
    found = []

    def in_thread():
        try:
            user = SIGNED_IN_USER.first(trichologist.pk)
            found.append(user.username if user else None)
        finally:
            from django.db import connections

            connections.close_all()

    # The test's transaction is not visible to another connection: it must find nobody there
    # (SQLite's in-memory test database may be shared; either way the query must run, not fail).
    thread = threading.Thread(target=in_thread)
    thread.start()
    thread.join()
    assert found in ([None], [trichologist.username])
    assert SIGNED_IN_USER.first(trichologist.pk).username == trichologist.username


def test_an_inactive_or_demo_user_is_not_signed_in(trichologist, settings):
    backend = StaffBackend()
    assert backend.get_user(trichologist.pk).pk == trichologist.pk
    trichologist.is_demo_account = True
    trichologist.save()
    settings.ANAGEN_DEMO = False
    assert backend.get_user(trichologist.pk) is None
    trichologist.is_demo_account, trichologist.is_active = False, False
    trichologist.save()
    assert backend.get_user(trichologist.pk) is None


def test_a_signed_in_request_reads_the_session_and_the_user_in_two_queries(client, receptionist):
    client.force_login(receptionist)
    client.get(reverse("session_ping"))  # the idle expiry's once-a-minute write happens here
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("session_ping")).status_code == 200
    assert len(queries) == 2, [q["sql"] for q in queries]


def test_a_session_is_read_with_its_data(client, receptionist):
    client.force_login(receptionist)
    key = client.cookies["sessionid"].value
    store = SessionStore(key)
    assert store[SESSION_KEY] == str(receptionist.pk)
    assert store.session_key == key


def test_an_expired_session_is_not_read_and_starts_afresh(client, receptionist):
    client.force_login(receptionist)
    key = client.cookies["sessionid"].value
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - timedelta(seconds=1))
    store = SessionStore(key)
    assert SESSION_KEY not in store
    assert store.session_key is None
    assert client.get(reverse("home")).status_code == 302  # to the sign-in page


def test_an_unknown_session_key_reads_nothing(db):
    store = SessionStore("x" * 32)
    assert dict(store.items()) == {}
    assert store.session_key is None
