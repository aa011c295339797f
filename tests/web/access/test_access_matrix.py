"""The access matrix: every URL pattern of the site × every role, with the outcome it must give.

Roles: anonymous, patient (portal), reception, practitioner, trichologist, clinic admin, and staff
of another clinic (each staff role of the Pune branch) asking for the Mumbai clinic's objects.
A route missing from ROUTES fails the suite, so no page ships unchecked. REST API operations are
checked the same way against the OpenAPI document in tests/api/test_access.py.

How a row reads: (method, roles allowed, scoped). Allowed roles must get the page or action
(never a login redirect, 403 or 404); other signed-in roles get 403; anonymous visitors are sent
to the login page. ``PUBLIC`` routes answer everyone the same. ``scoped`` routes take an object
id: staff of another clinic with an allowed role get 404 (ids of other clinics do not exist for
them), never the object.

POST-only actions are probed with an empty POST inside a savepoint that is rolled back, so the
matrix changes nothing.
"""

from __future__ import annotations

import pytest
from django.db import transaction
from django.test import Client

from .matrix import FORBIDDEN, LOGIN, NOT_FOUND, OK, outcome, routes, url_for
from .world import ROLES, build_world

ANY_STAFF = frozenset({"reception", "practitioner", "trichologist", "clinic_admin"})
CLINICAL = frozenset({"practitioner", "trichologist", "clinic_admin"})
ADMIN = frozenset({"clinic_admin"})
TRICH = frozenset({"trichologist"})
PERFORMS = frozenset({"practitioner", "trichologist"})
PATIENT = frozenset({"patient"})
SIGNED_IN = ANY_STAFF | PATIENT
NOBODY = frozenset()  # superuser-only pages: no clinic role reaches them
PUBLIC = "public"
GET, POST = "GET", "POST"
SCOPED, UNSCOPED = True, False

ROUTES: dict[str, tuple[str, frozenset[str] | str, bool]] = {
    # web shell and sign-in
    "home": (GET, ANY_STAFF, UNSCOPED),
    "healthz": (GET, PUBLIC, UNSCOPED),
    "favicon": (GET, PUBLIC, UNSCOPED),
    "today_arrived": (POST, ANY_STAFF, SCOPED),
    "today_start": (POST, PERFORMS, SCOPED),
    "today_consult": (POST, TRICH, SCOPED),
    "session_ping": (GET, ANY_STAFF, UNSCOPED),
    "set_language": (POST, SIGNED_IN, UNSCOPED),
    "login": (GET, PUBLIC, UNSCOPED),
    "logout": (POST, PUBLIC, UNSCOPED),
    # patient registry
    "patients:list": (GET, ANY_STAFF, UNSCOPED),
    "patients:create": (GET, ANY_STAFF, UNSCOPED),
    "patients:detail": (GET, ANY_STAFF, SCOPED),
    "patients:edit": (GET, ANY_STAFF, SCOPED),
    "patients:consultations": (GET, CLINICAL, SCOPED),
    "patients:course": (GET, ANY_STAFF, SCOPED),
    "patients:data": (GET, ANY_STAFF, SCOPED),
    "patients:duplicate_checked": (POST, ANY_STAFF, SCOPED),
    # clinics, staff, two-factor, password reset
    "accounts:staff_list": (GET, ADMIN, UNSCOPED),
    "accounts:staff_create": (GET, ADMIN, UNSCOPED),
    "accounts:staff_edit": (GET, ADMIN, SCOPED),
    "accounts:staff_password": (GET, ADMIN, SCOPED),
    "accounts:staff_two_factor_reset": (POST, ADMIN, SCOPED),
    "accounts:own_password": (GET, ANY_STAFF, UNSCOPED),
    "accounts:two_factor": (GET, SIGNED_IN, UNSCOPED),
    "accounts:two_factor_verify": (GET, SIGNED_IN, UNSCOPED),
    "accounts:two_factor_setup": (GET, SIGNED_IN, UNSCOPED),
    "accounts:recovery_codes": (POST, SIGNED_IN, UNSCOPED),
    "accounts:two_factor_reset": (POST, SIGNED_IN, UNSCOPED),
    "accounts:password_reset": (GET, PUBLIC, UNSCOPED),
    "accounts:password_reset_done": (GET, PUBLIC, UNSCOPED),
    "accounts:password_reset_confirm": (GET, PUBLIC, UNSCOPED),
    "accounts:password_reset_complete": (GET, PUBLIC, UNSCOPED),
    "accounts:clinic_settings": (GET, ADMIN, UNSCOPED),
    "accounts:opening_hours": (GET, ADMIN, UNSCOPED),
    "accounts:closures": (GET, ADMIN, UNSCOPED),
    "accounts:closure_remove": (POST, ADMIN, SCOPED),
    "accounts:clinic_list": (GET, NOBODY, UNSCOPED),
    "accounts:clinic_create": (GET, NOBODY, UNSCOPED),
    "accounts:clinic_add_admin": (GET, NOBODY, UNSCOPED),
    "audit:trail": (GET, ADMIN, UNSCOPED),
    "audit:trail_csv": (GET, ADMIN, UNSCOPED),
    # consents
    "consents:text_list": (GET, ADMIN, UNSCOPED),
    "consents:text_publish": (GET, ADMIN, UNSCOPED),
    "consents:text_detail": (GET, ADMIN, SCOPED),
    "consents:patient": (GET, ANY_STAFF, SCOPED),
    "consents:ledger": (GET, ANY_STAFF, SCOPED),
    "consents:sign": (GET, ANY_STAFF, SCOPED),
    "consents:record": (GET, ANY_STAFF, SCOPED),
    "consents:signature": (GET, ANY_STAFF, SCOPED),
    "consents:record_pdf": (GET, ANY_STAFF, SCOPED),
    "consents:withdraw": (GET, ANY_STAFF, SCOPED),
    # consultations (reception never sees clinical notes; a practitioner cannot sign one)
    "consultations:start": (POST, TRICH, SCOPED),
    "consultations:detail": (GET, CLINICAL, SCOPED),
    "consultations:edit": (GET, TRICH, SCOPED),
    "consultations:screening_preview": (POST, TRICH, SCOPED),
    "consultations:acknowledge": (POST, TRICH, SCOPED),
    "consultations:defer": (POST, TRICH, SCOPED),
    "consultations:addendum": (POST, TRICH, SCOPED),
    # calendar
    "scheduling:day": (GET, ANY_STAFF, UNSCOPED),
    "scheduling:week": (GET, ANY_STAFF, UNSCOPED),
    "scheduling:book": (GET, ANY_STAFF, UNSCOPED),
    "scheduling:patient_search": (POST, ANY_STAFF, UNSCOPED),
    "scheduling:detail": (GET, ANY_STAFF, SCOPED),
    "scheduling:move": (GET, ANY_STAFF, SCOPED),
    "scheduling:cancel": (GET, ANY_STAFF, SCOPED),
    "scheduling:no_show": (GET, ANY_STAFF, SCOPED),
    "scheduling:arrived": (POST, ANY_STAFF, SCOPED),
    "scheduling:rooms": (GET, ADMIN, UNSCOPED),
    "scheduling:appointment_types": (GET, ADMIN, UNSCOPED),
    "scheduling:room_create": (GET, ADMIN, UNSCOPED),
    "scheduling:room_deactivate": (POST, ADMIN, SCOPED),
    "scheduling:room_reactivate": (POST, ADMIN, SCOPED),
    # stock
    "catalog:home": (GET, CLINICAL, UNSCOPED),
    "catalog:product_create": (GET, ADMIN, UNSCOPED),
    "catalog:product_detail": (GET, CLINICAL, SCOPED),
    "catalog:product_edit": (GET, ADMIN, SCOPED),
    "catalog:lot_receive": (GET, ADMIN, SCOPED),
    "catalog:lot_detail": (GET, CLINICAL, SCOPED),
    "catalog:lot_recall": (GET, ADMIN, SCOPED),
    "catalog:lot_adjust": (GET, ADMIN, SCOPED),
    # formulations and courses
    "treatments:formulation_new": (GET, TRICH, SCOPED),
    "treatments:formulation_check": (POST, TRICH, SCOPED),
    "treatments:formulation": (GET, CLINICAL, SCOPED),
    "treatments:course_new": (GET, TRICH, SCOPED),
    "treatments:course_preview": (POST, TRICH, SCOPED),
    "treatments:course": (GET, CLINICAL, SCOPED),
    "treatments:replan": (GET, ANY_STAFF, SCOPED),
    # patient education
    "education:options": (GET, ANY_STAFF, UNSCOPED),
    "education:edit_faq": (GET, ADMIN, UNSCOPED),
    # sessions
    "procedures:record": (GET, PERFORMS, SCOPED),
    "procedures:detail": (GET, CLINICAL, SCOPED),
    "procedures:addendum": (POST, CLINICAL, SCOPED),
    "procedures:aftercare": (GET, ANY_STAFF, SCOPED),
    "procedures:aftercare_pdf": (GET, ANY_STAFF, SCOPED),
    "procedures:aftercare_edit": (GET, ADMIN, UNSCOPED),
    # follow-up, adverse events, recall
    "safety:followups": (GET, ANY_STAFF, UNSCOPED),
    "safety:record_followup": (GET, ANY_STAFF, SCOPED),
    "safety:patient_events": (GET, CLINICAL, SCOPED),
    "safety:report_event": (GET, CLINICAL, SCOPED),
    "safety:review_queue": (GET, CLINICAL, UNSCOPED),
    "safety:event": (GET, CLINICAL, SCOPED),
    "safety:resolve_event": (POST, CLINICAL, SCOPED),
    "safety:review_event": (POST, TRICH, SCOPED),
    "safety:review_session_draw": (POST, TRICH, SCOPED),
    "safety:lot_recipients": (GET, CLINICAL, SCOPED),
    "safety:lot_recipients_csv": (GET, CLINICAL, SCOPED),
    "safety:clusters": (GET, CLINICAL, UNSCOPED),
    # photos (reception never sees them)
    "photos:gallery": (GET, CLINICAL, SCOPED),
    "photos:upload": (GET, CLINICAL, SCOPED),
    "photos:compare": (GET, CLINICAL, SCOPED),
    "photos:image": (GET, CLINICAL, SCOPED),
    "photos:thumbnail": (GET, CLINICAL, SCOPED),
    "photos:hairs_start": (GET, CLINICAL, SCOPED),
    "photos:hair_count": (GET, CLINICAL, SCOPED),
    "photos:hair_mark": (POST, CLINICAL, SCOPED),
    "photos:hair_file": (POST, CLINICAL, SCOPED),
    "photos:dermatoscopes": (GET, ADMIN, UNSCOPED),
    # outcomes and reports
    "outcomes:progress": (GET, CLINICAL, SCOPED),
    "outcomes:chart_svg": (GET, CLINICAL, SCOPED),
    "outcomes:record_measurements": (GET, CLINICAL, SCOPED),
    "outcomes:void_visit": (POST, PERFORMS, SCOPED),
    "outcomes:generate_report": (POST, CLINICAL, SCOPED),
    "outcomes:download_report": (GET, CLINICAL, SCOPED),
    "outcomes:share_report": (POST, CLINICAL, SCOPED),
    "outcomes:clinic": (GET, frozenset({"trichologist", "clinic_admin"}), UNSCOPED),
    "outcomes:clinic_csv": (GET, frozenset({"trichologist", "clinic_admin"}), UNSCOPED),
    # interoperability
    "interop:patient_bundle": (GET, CLINICAL, SCOPED),
    "interop:patient_export": (GET, CLINICAL, SCOPED),
    "interop:patient_feeds": (GET, ANY_STAFF, SCOPED),
    "interop:consultation_document": (GET, CLINICAL, SCOPED),
    "interop:appointment_ics": (GET, ANY_STAFF, SCOPED),
    "interop:my_feeds": (GET, ANY_STAFF, UNSCOPED),
    "interop:revoke_feed": (POST, ANY_STAFF, SCOPED),
    "interop:feed": (GET, PUBLIC, UNSCOPED),  # the secret token in the URL is the credential
    "interop:registry": (GET, ADMIN, UNSCOPED),
    "interop:registry_export": (GET, ADMIN, UNSCOPED),
    "interop:registry_import_errors": (GET, ADMIN, UNSCOPED),
    # reminders
    "reminders:patient": (GET, ANY_STAFF, SCOPED),
    "reminders:settings": (GET, ADMIN, UNSCOPED),
    "reminders:save_template": (POST, ADMIN, UNSCOPED),
    "reminders:retry": (POST, ANY_STAFF, SCOPED),
    "reminders:send_aftercare": (POST, ANY_STAFF, SCOPED),
    "reminders:opt_out": (GET, PUBLIC, UNSCOPED),  # one-time token link in a message
    "reminders:inbound": (POST, PUBLIC, UNSCOPED),  # provider webhook, signed with a shared secret
    "reminders:messaging": (GET, ADMIN, UNSCOPED),
    "reminders:whatsapp_webhook": (GET, PUBLIC, UNSCOPED),  # Meta's webhook: verify token / signature
    # billing
    "billing:home": (GET, ANY_STAFF, UNSCOPED),
    "billing:reception": (GET, ANY_STAFF, UNSCOPED),
    "billing:settings": (GET, ADMIN, UNSCOPED),
    "billing:prices": (GET, ADMIN, UNSCOPED),
    "billing:price_edit": (GET, ADMIN, SCOPED),
    "billing:patient": (GET, ANY_STAFF, SCOPED),
    "billing:new_invoice": (GET, ANY_STAFF, SCOPED),
    "billing:invoice": (GET, ANY_STAFF, SCOPED),
    "billing:pay": (POST, ANY_STAFF, SCOPED),
    "billing:refund": (POST, ANY_STAFF, SCOPED),
    "billing:payment_link": (POST, ANY_STAFF, SCOPED),
    "billing:razorpay_webhook": (POST, PUBLIC, UNSCOPED),  # Razorpay's webhook, signed with the webhook secret
    "billing:invoice_pdf": (GET, ANY_STAFF, SCOPED),
    "billing:receipt_pdf": (GET, ANY_STAFF, SCOPED),
    "billing:package": (GET, ANY_STAFF, SCOPED),
    # API tokens and the API's documentation (the operations themselves: tests/api/test_access.py)
    "api_tokens:list": (GET, ANY_STAFF, UNSCOPED),
    "api_tokens:revoke": (POST, ADMIN, SCOPED),
    # the patient portal: a patient only ever reaches their own records
    "portal:home": (GET, PATIENT, UNSCOPED),
    "portal:after_login": (GET, SIGNED_IN, UNSCOPED),
    "portal:request_change": (POST, PATIENT, UNSCOPED),
    # Self-service on the patient's own course sessions (issue 22): the page, then a POST.
    "portal:move_session": (GET, PATIENT, UNSCOPED),
    "portal:cancel_session": (GET, PATIENT, UNSCOPED),
    # The waiting list for an earlier time (issue 22): its page, then joining, leaving, accepting.
    "portal:waiting_list": (GET, PATIENT, UNSCOPED),
    "portal:waitlist_join": (POST, PATIENT, UNSCOPED),
    "portal:waitlist_leave": (POST, PATIENT, UNSCOPED),
    "portal:offer_accept": (POST, PATIENT, UNSCOPED),
    "portal:withdraw_consent": (GET, PATIENT, UNSCOPED),
    "portal:report_download": (GET, PATIENT, UNSCOPED),
    "portal:access_log": (GET, PATIENT, UNSCOPED),
    "portal:my_data": (GET, PATIENT, UNSCOPED),
    "portal:export_download": (GET, PATIENT, UNSCOPED),
    "portal:bills": (GET, PATIENT, UNSCOPED),
    "portal:bill": (GET, PATIENT, UNSCOPED),
    "portal:bill_pdf": (GET, PATIENT, UNSCOPED),
    "portal:diary": (GET, PATIENT, UNSCOPED),  # the patient's shedding diary (issue 22, item 7)
    "portal:questionnaire": (GET, PATIENT, UNSCOPED),  # the questionnaire at each visit
    "portal:photos": (GET, PATIENT, UNSCOPED),  # photographs the patient takes at home (issue 22, item 7)
    "portal:photo_image": (GET, PATIENT, UNSCOPED),
    "portal:photo_thumbnail": (GET, PATIENT, UNSCOPED),
    "portal:accept": (GET, PUBLIC, UNSCOPED),  # one-time invitation link
    "portal:welcome": (GET, PUBLIC, UNSCOPED),  # the page the link leads to (its claim in the session)
    # A recall message's one-time booking link (issue 22, item 3): the token is the credential and
    # authorises that one booking step only; someone signed in as another patient or clinic is refused.
    "portal:recall_link": (GET, PUBLIC, UNSCOPED),
    "portal:recall": (GET, PUBLIC, UNSCOPED),  # the booking step, for the claim in this session
    "portal:invite": (POST, frozenset({"reception", "trichologist", "clinic_admin"}), SCOPED),
    "portal:revoke": (POST, frozenset({"reception", "trichologist", "clinic_admin"}), SCOPED),
    "portal:requests": (GET, ANY_STAFF, UNSCOPED),
    "portal:handle_change": (POST, ANY_STAFF, SCOPED),
    "portal:fulfil_export": (POST, CLINICAL, SCOPED),
    # Online booking by new patients (issue 22): public on purpose, since the person booking has no
    # account yet. The clinic id in the URL is no secret; what the patient types travels only in
    # POST bodies and the pending request's id in their session; a one-time code to their mobile is
    # the credential, with per-address and per-number limits and a honeypot.
    "booking:start": (GET, PUBLIC, UNSCOPED),  # the list of clinics that take bookings
    "booking:language": (POST, PUBLIC, UNSCOPED),  # a visitor's language cookie
    "booking:clinic": (GET, PUBLIC, UNSCOPED),  # free times and the details form
    "booking:confirm": (GET, PUBLIC, UNSCOPED),  # the code form, for the request in this session
    "booking:rechoose": (GET, PUBLIC, UNSCOPED),  # another time after a race, for this session's verified request
    "booking:done": (GET, PUBLIC, UNSCOPED),  # the confirmation, from this session
    "booking:settings": (GET, ADMIN, UNSCOPED),
    # DPDP erasure: the clinic admin only
    "privacy:erasure_list": (GET, ADMIN, UNSCOPED),
    "privacy:erasure_new": (GET, ADMIN, SCOPED),
    "privacy:erasure_detail": (GET, ADMIN, SCOPED),
}

# Where one parameter name means different objects on different routes.
KWARG_SOURCES = {
    "privacy:erasure_detail": {"request_id": "request_id_erasure"},
    # The portal patient's own invoice (the staff pages probe another patient's).
    "portal:bill": {"invoice_id": "invoice_id_portal"},
    "portal:bill_pdf": {"invoice_id": "invoice_id_portal"},
    # A photograph the portal patient took at home (the staff pages probe the clinic's).
    "portal:photo_image": {"photo_id": "photo_id_portal"},
    "portal:photo_thumbnail": {"photo_id": "photo_id_portal"},
}
# Query strings a page needs to show its object (the moved session for a re-plan).
QUERY = {"treatments:replan": lambda world: f"?appointment={world.kwargs['appointment_id']}"}
# Pages whose object is a per-user or per-session thing that may rightly be absent (404) here.
MAY_BE_ABSENT = {"interop:registry_import_errors", "reminders:opt_out", "portal:accept", "portal:welcome", "portal:recall_link",
                 "portal:recall"}
# Where the rule is finer than a role: the outcome each role gets instead.
OVERRIDES: dict[str, dict[str, str]] = {
    # Signing out ends on the sign-in page, whoever asks.
    "logout": dict.fromkeys(ROLES, LOGIN),
    # Without the provider's signature the webhook refuses everyone.
    "reminders:inbound": dict.fromkeys(ROLES, FORBIDDEN),
    # Without Meta's verify token (GET) or signature (POST) the WhatsApp webhook refuses everyone.
    "reminders:whatsapp_webhook": dict.fromkeys(ROLES, FORBIDDEN),
    # Without Razorpay's signature the payment webhook refuses everyone.
    "billing:razorpay_webhook": dict.fromkeys(ROLES, FORBIDDEN),
    # The probed token is the clinic admin's: only its owner or the clinic admin can revoke it;
    # for other staff it does not exist.
    "api_tokens:revoke": {"reception": NOT_FOUND, "practitioner": NOT_FOUND, "trichologist": NOT_FOUND},
}


def expected(route: str, role: str) -> str:
    if role in OVERRIDES.get(route, {}):
        return OVERRIDES[route][role]
    _method, allowed, _scoped = ROUTES[route]
    if allowed == PUBLIC or role in allowed:
        return OK
    return LOGIN if role == "anonymous" else FORBIDDEN


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):  # noqa: ARG001
    with django_db_blocker.unblock():
        with transaction.atomic():
            built = build_world()
            yield built
            transaction.set_rollback(True)


def request(client: Client, method: str, url: str) -> str:
    with transaction.atomic():
        response = client.get(url) if method == GET else client.post(url, {})
        transaction.set_rollback(True)
    return outcome(response)


def test_every_url_pattern_is_in_the_matrix():
    names = {r.name for r in routes()}
    missing = sorted(names - set(ROUTES))
    stale = sorted(set(ROUTES) - names)
    assert not missing, f"routes with no row in the access matrix: {missing}"
    assert not stale, f"rows for routes that no longer exist: {stale}"


@pytest.mark.django_db
@pytest.mark.parametrize("route", sorted(ROUTES))
def test_each_role_gets_what_the_matrix_says(world, route):
    method, allowed, scoped = ROUTES[route]
    [match] = [r for r in routes() if r.name == route]
    sources = KWARG_SOURCES.get(route, {})
    kwargs = {p: world.kwargs[sources.get(p, p)] for p in match.params}
    if route.startswith("portal:"):
        kwargs.update({p: world.portal_kwargs[p] for p in match.params if p in world.portal_kwargs})
    url = url_for(route, kwargs) + QUERY.get(route, lambda w: "")(world)
    failures = []
    for role in ROLES:
        client = Client()
        if role != "anonymous":
            client.force_login(world.users[role])
        got = request(client, method, url)
        want = expected(route, role)
        if got != want and not (want == OK and got == NOT_FOUND and route in MAY_BE_ABSENT):
            failures.append(f"{role}: expected {want}, got {got}")
    if scoped and allowed != PUBLIC:
        # Staff of another clinic, with a role that would be allowed at home: the id does not exist.
        for role in sorted(allowed & ANY_STAFF):
            client = Client()
            client.force_login(world.other_clinic_users[role])
            got = request(client, method, url)
            if got != NOT_FOUND:
                failures.append(f"other clinic's {role}: expected {NOT_FOUND}, got {got}")
    assert not failures, f"{route} ({url}): " + "; ".join(failures)
