"""Every operation: allowed roles get in, forbidden roles get 403, another clinic's ids get 404,
no credentials get 401 (all as problem details)."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.django_db

ALL = {"clinic_admin", "trichologist", "practitioner", "reception"}
CLINICAL = {"clinic_admin", "trichologist", "practitioner"}
TRICHOLOGIST = {"trichologist"}
PERFORMS = {"trichologist", "practitioner"}
ADMIN = {"clinic_admin"}
OUTCOMES = {"clinic_admin", "trichologist"}
INVITERS = {"clinic_admin", "trichologist", "reception"}

# (method, path template, roles allowed, body); {name} is an id of the world fixture.
OPERATIONS = [
    ("get", "/patients", ALL, None),
    ("post", "/patients/search", ALL, {}),
    ("post", "/patients", ALL, {}),
    ("get", "/patients/{patient}", ALL, None),
    ("patch", "/patients/{patient}", ALL, {}),
    ("get", "/patients/{patient}/consents", ALL, None),
    ("get", "/consents/{consent}", ALL, None),
    ("get", "/consultations", CLINICAL, None),
    ("post", "/consultations", TRICHOLOGIST, {"patient_id": "{patient}"}),
    ("get", "/consultations/{consultation}", CLINICAL, None),
    ("patch", "/consultations/{consultation}", TRICHOLOGIST, {}),
    ("post", "/consultations/{consultation}/sign", TRICHOLOGIST, None),
    ("get", "/consultations/{consultation}/screening", CLINICAL, None),
    ("post", "/screening", CLINICAL, {}),
    ("get", "/measurements", CLINICAL, None),
    ("get", "/measurements/{measurements}", CLINICAL, None),
    ("get", "/labs", CLINICAL, None),
    ("get", "/formulations", CLINICAL, None),
    ("get", "/formulations/{formulation}", CLINICAL, None),
    ("post", "/formulations", TRICHOLOGIST, {"patient_id": "{patient}", "components": []}),
    ("post", "/courses/preview", CLINICAL, {}),
    ("get", "/courses", CLINICAL, None),
    ("get", "/courses/{course}", CLINICAL, None),
    ("post", "/courses", TRICHOLOGIST, {}),
    ("get", "/appointments", ALL, None),
    ("post", "/appointments", ALL, {}),
    ("get", "/appointments/{appointment}", ALL, None),
    ("patch", "/appointments/{appointment}", ALL, {}),
    ("post", "/appointments/{appointment}/cancel", ALL, {}),
    ("post", "/appointments/{appointment}/no-show", ALL, {}),
    ("post", "/appointments/{appointment}/arrived", ALL, None),
    ("get", "/sessions", CLINICAL, None),
    ("get", "/sessions/{session}", CLINICAL, None),
    ("post", "/sessions", PERFORMS, {}),
    ("get", "/lots", CLINICAL, None),
    ("get", "/lots/{lot}", CLINICAL, None),
    ("get", "/lots/{lot}/recipients", CLINICAL, None),
    ("get", "/adverse-events", CLINICAL, None),
    ("post", "/adverse-events", CLINICAL, {}),
    ("get", "/adverse-events/{event}", CLINICAL, None),
    ("post", "/adverse-events/{event}/resolve", CLINICAL, {}),
    ("post", "/adverse-events/{event}/review", TRICHOLOGIST, {}),
    ("get", "/photos", CLINICAL, None),
    ("get", "/photos/{photo}", CLINICAL, None),
    ("get", "/photos/{photo}/file", CLINICAL, None),
    ("post", "/photos/{photo}/hair-counts", CLINICAL, {}),
    ("get", "/hair-counts/{hair_count}", CLINICAL, None),
    ("get", "/patients/{patient}/hair-counts", CLINICAL, None),
    ("get", "/products", CLINICAL, None),
    ("get", "/products/{product}", CLINICAL, None),
    ("post", "/products", ADMIN, {}),
    ("put", "/products/{product}", ADMIN, {}),
    ("post", "/products/{product}/lots", ADMIN, {}),
    ("post", "/lots/{lot}/recall", ADMIN, {}),
    ("post", "/lots/{lot}/adjust", ADMIN, {}),
    ("get", "/consent-texts", ADMIN, None),
    ("post", "/consent-texts", ADMIN, {}),
    ("get", "/consent-texts/{text}", ADMIN, None),
    ("post", "/patients/{patient}/consents", ALL, {}),
    ("post", "/consents/{consent}/withdraw", ALL, {}),
    ("get", "/patients/{patient}/consent-ledger", ALL, None),
    ("post", "/consultations/{consultation}/acknowledgements", TRICHOLOGIST, {}),
    ("put", "/consultations/{consultation}/deferral", TRICHOLOGIST, {}),
    ("get", "/consultations/{consultation}/addenda", CLINICAL, None),
    ("post", "/consultations/{consultation}/addenda", TRICHOLOGIST, {}),
    ("get", "/sessions/{session}/addenda", CLINICAL, None),
    ("post", "/sessions/{session}/addenda", CLINICAL, {}),
    ("get", "/sessions/{session}/aftercare", ALL, None),
    ("post", "/courses/{course}/replan-preview", ALL, {"appointment_id": "{appointment}"}),
    ("post", "/courses/{course}/replan", ALL, {"appointment_id": "{appointment}"}),
    ("get", "/follow-ups", ALL, None),
    ("get", "/follow-ups/{follow_up}", ALL, None),
    ("post", "/follow-ups/{follow_up}/record", ALL, {}),
    ("post", "/patients/{patient}/photos", CLINICAL, None),
    ("get", "/patients/{patient}/photo-comparison", CLINICAL, None),
    ("get", "/patients/{patient}/progress", CLINICAL, None),
    ("post", "/patients/{patient}/progress-reports", CLINICAL, None),
    ("post", "/patients/{patient}/measurement-visits", CLINICAL, {"measured_on": "2026-01-01"}),
    ("post", "/patients/{patient}/measurement-visits/{measurements}/void", PERFORMS, {"reason": "entered in error"}),
    ("get", "/progress-reports/{report}/file", CLINICAL, None),
    ("get", "/outcomes", OUTCOMES, None),
    ("get", "/patients/{patient}/fhir", CLINICAL, None),
    ("get", "/consultations/{consultation}/fhir-document", CLINICAL, None),
    ("get", "/patients/{patient}/export", CLINICAL, None),
    ("get", "/price-items", ALL, None),
    ("get", "/invoices", ALL, None),
    ("get", "/invoices/{invoice}", ALL, None),
    ("post", "/invoices", ALL, {}),
    ("post", "/invoices/{invoice}/payments", ALL, {}),
    ("post", "/invoices/{invoice}/refunds", ALL, {}),
    ("get", "/packages", ALL, None),
    ("get", "/packages/{package}", ALL, None),
    ("post", "/packages/{package}/redeem", ALL, {}),
    ("get", "/patients/{patient}/reminders", ALL, None),
    ("post", "/patients/{patient}/reminders/opt-in", ALL, {}),
    ("post", "/patients/{patient}/reminders/opt-out", ALL, {}),
    ("post", "/patients/{patient}/portal-invitation", INVITERS, None),
    ("get", "/tokens", ALL, None),
    ("post", "/tokens", ALL, {}),
    ("post", "/tokens/{token}/revoke", ALL, None),
    ("get", "/invoices/{invoice}/pdf", ALL, None),
    ("get", "/payments/{payment}/receipt", ALL, None),
    ("get", "/consents/{consent}/signature", ALL, None),
    ("get", "/appointments/{appointment}/ics", ALL, None),
    ("get", "/patients/{patient}/charts/{chart}", CLINICAL, None),
    ("get", "/outcomes/csv?table=diagnosis", OUTCOMES, None),
    ("get", "/lots/{lot}/recipients/csv", CLINICAL, None),
    ("post", "/progress-reports/{report}/share", CLINICAL, {"shared": True}),
    ("post", "/patients/{patient}/portal-access/revoke", INVITERS, None),
    ("get", "/portal/change-requests", ALL, None),
    ("post", "/portal/change-requests/{change_request}/handle", ALL, None),
    ("get", "/portal/export-requests", ALL, None),
    ("get", "/portal/self-service-changes", ALL, None),
    ("get", "/portal/waiting-list", ALL, None),
    ("post", "/portal/export-requests/{export_request}/fulfil", CLINICAL, {}),
    ("get", "/calendar-feeds", ALL, None),
    ("post", "/calendar-feeds", ALL, {}),
    ("post", "/calendar-feeds/{feed}/revoke", ALL, None),
    ("get", "/registry/csv", ADMIN, None),
    ("post", "/registry/import", ADMIN, None),
    ("get", "/rooms", ADMIN, None),
    ("post", "/rooms", ADMIN, {}),
    ("post", "/rooms/{room}/active", ADMIN, {"active": True}),
    ("post", "/price-items", ADMIN, {}),
    ("put", "/price-items/{price_item}", ADMIN, {}),
    ("get", "/billing-settings", ADMIN, None),
    ("put", "/billing-settings", ADMIN, {}),
    ("get", "/reminder-settings", ADMIN, None),
    ("put", "/reminder-settings", ADMIN, {}),
    ("get", "/reminder-templates", ADMIN, None),
    ("put", "/reminder-templates", ADMIN, {}),
    ("post", "/reminder-messages/{message}/retry", ALL, None),
    ("get", "/aftercare-texts/{language}", ADMIN, None),
    ("put", "/aftercare-texts/{language}", ADMIN, {}),
    ("get", "/education-faq", ALL, None),
    ("put", "/education-faq", ADMIN, {}),
    ("get", "/staff", ADMIN, None),
    ("post", "/staff", ADMIN, {}),
    ("put", "/staff/{member}", ADMIN, {}),
    ("post", "/staff/{member}/two-factor/reset", ADMIN, None),
    ("post", "/staff/{member}/password", ADMIN, {}),
    ("get", "/infection-clusters", CLINICAL, None),
    ("get", "/non-responders", CLINICAL, None),
    ("get", "/clinic", ADMIN, None),
    ("put", "/clinic", ADMIN, {}),
    ("get", "/audit-entries", ADMIN, None),
    ("get", "/erasure-requests", ADMIN, None),
    ("post", "/erasure-requests", ADMIN, {}),
    ("get", "/erasure-requests/{erasure}", ADMIN, None),
    ("post", "/erasure-requests/{erasure}/perform", ADMIN, {}),
]

# Path parameters that are names, not ids: another clinic sees its own record under the same name.
NAMES = {"chart", "language"}


@pytest.fixture
def ids(world):
    from anagen.api.tokens import issue_token
    from anagen.audit.services import Actor
    from anagen.consultations.models import MeasurementSet
    from anagen.photos.models import HairCount, Photo
    from anagen.safety.models import FollowUpTask

    from .conftest import billing_and_reports, portal_and_feeds

    admin = world["staff"]["clinic_admin"]
    token = issue_token(Actor.system("test"), admin, "kept", expires_at=None, by=admin).token
    from django.core.files.base import ContentFile

    from anagen.photos.services import photo_storage

    name = photo_storage().save("aa/test.jpg", ContentFile(b"\xff\xd8\xff"))
    thumb = photo_storage().save("aa/test-thumb.jpg", ContentFile(b"\xff\xd8\xff"))
    photo = Photo.objects.create(
        clinic=world["clinic"], patient=world["patient"], visit_date=world["today"], view="frontal",
        file_name=name, thumbnail_name=thumb, image_format="JPEG", width=1, height=1,
        size_bytes=1, sha256="0" * 64, uploaded_by=world["staff"]["trichologist"],
    )
    extra = billing_and_reports(world)
    extra.update(portal_and_feeds(world, extra["invoice"]))
    return {
        **extra,
        "product": world["product"].pk, "text": world["consent"].text_id,
        "follow_up": FollowUpTask.objects.get(session=world["session"]).pk,
        "patient": world["patient"].pk, "consent": world["consent"].pk, "consultation": world["consultation"].pk,
        "measurements": MeasurementSet.objects.get(consultation=world["consultation"]).pk,
        "formulation": world["formulation"].pk, "course": world["course"].pk, "appointment": world["appointment"].pk,
        "session": world["session"].pk, "lot": world["lot"].pk, "event": world["event"].pk, "photo": photo.pk,
        "token": token.pk, "hair_count": HairCount.objects.create(
            clinic=world["clinic"], patient=world["patient"], photo=photo, micrometres_per_pixel=5, area_cm2=0.48,
            automatic={"width_px": 1600, "height_px": 1200, "area_cm2": 0.48, "blur_um": 5.0, "glare_share": 0.0, "notes": [],
                       "hairs": [{"x_px": 100.0, "y_px": 100.0, "length_um": 800.0, "diameter_um": 60.0, "path_px": [[90, 90], [110, 110]]}]},
            auto_count=1, auto_density_per_cm2=2.08, final_count=1, final_density_per_cm2=2.08,
            measured_by=world["staff"]["trichologist"]).pk,
    }


def _fill(value, ids):
    if isinstance(value, str):
        return value.format(**ids)
    if isinstance(value, dict):
        return {k: int(_fill(v, ids)) if isinstance(v, str) and v.startswith("{") else _fill(v, ids) for k, v in value.items()}
    return value


def test_every_operation_of_the_openapi_document_is_in_the_access_table(client, admin_user):
    client.force_login(admin_user)
    document = client.get("/api/v1/openapi.json").json()
    documented = {(method, path.removeprefix("/api/v1")) for path, item in document["paths"].items() for method in item}
    table = {(method, path.partition("?")[0]) for method, path, _, _ in OPERATIONS}

    def shape(operations):
        return {(m, "/".join("{}" if part.startswith("{") else part for part in p.split("/"))) for m, p in operations}

    assert shape(documented) == shape(table)


@pytest.mark.parametrize(("method", "path", "allowed", "body"), OPERATIONS, ids=[f"{m} {p}" for m, p, _, _ in OPERATIONS])
def test_roles_and_clinics_are_enforced(method, path, allowed, body, world, ids, other_world, api_as):
    url = path.format(**ids)
    payload = _fill(body, ids) if body is not None else None
    for role, user in world["staff"].items():
        response = api_as(user)(method, url, payload, if_match='"999"')
        if role in allowed:
            assert response.status_code not in (401, 403, 405), (role, response.data)
            assert response.status_code < 500, (role, response.data)
        else:
            assert response.status_code == 403, (role, response.status_code)
            assert response["Content-Type"] == "application/problem+json"
    if set(re.findall(r"{(\w+)}", path)) - NAMES:
        outsider = other_world["users"][sorted(allowed)[0]]
        response = api_as(outsider)(method, url, payload, if_match='"999"')
        assert response.status_code in (404, 422), response.data
        if response.status_code == 422:  # a body naming another clinic's record: refused, never acted on
            assert response.data["errors"]


@pytest.mark.parametrize(("method", "path"), [("get", "/patients"), ("post", "/screening"), ("get", "/tokens")])
def test_it_answers_401_without_credentials(method, path, client, db):
    response = client.generic(method.upper(), f"/api/v1{path}", data="{}", content_type="application/json")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response["WWW-Authenticate"].startswith("Bearer")
