"""Stock pages: clinic admins manage, trichologists and practitioners look, reception stays out,
and nobody reaches another clinic's products or lots."""

from __future__ import annotations

import pytest
from django.urls import reverse

from anagen.catalog.models import Lot, Product

pytestmark = pytest.mark.django_db

READ_PAGES = [("catalog:home", False), ("catalog:product_detail", "product"), ("catalog:lot_detail", "lot")]
WRITE_PAGES = [
    ("catalog:product_create", False),
    ("catalog:product_edit", "product"),
    ("catalog:lot_receive", "product"),
    ("catalog:lot_recall", "lot"),
    ("catalog:lot_adjust", "lot"),
]


READ_PAGES_KIND = dict(WRITE_PAGES)


def _url(name, kind, product, lot):
    if kind == "product":
        return reverse(name, args=[product.pk])
    if kind == "lot":
        return reverse(name, args=[lot.pk])
    return reverse(name)


@pytest.mark.parametrize(("name", "kind"), READ_PAGES + WRITE_PAGES)
def test_it_sends_an_anonymous_visitor_to_the_login_page(client, lot, name, kind):
    response = client.get(_url(name, kind, lot.product, lot))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(("name", "kind"), READ_PAGES + WRITE_PAGES)
def test_it_keeps_reception_out_of_stock(client, receptionist, lot, name, kind):
    client.force_login(receptionist)
    assert client.get(_url(name, kind, lot.product, lot)).status_code == 403


@pytest.mark.parametrize(("name", "kind"), READ_PAGES)
@pytest.mark.parametrize("role", ["clinic_admin", "trichologist", "practitioner"])
def test_clinical_staff_and_admins_can_see_stock_and_lots(client, clinic, make_user, lot, role, name, kind):
    client.force_login(make_user(clinic, role))
    response = client.get(_url(name, kind, lot.product, lot))
    assert response.status_code == 200
    write_links = {
        "catalog:home": ["catalog:product_create"],
        "catalog:product_detail": ["catalog:product_edit", "catalog:lot_receive"],
        "catalog:lot_detail": ["catalog:lot_adjust", "catalog:lot_recall"],
    }[name]
    for link in write_links:
        href = f'href="{_url(link, READ_PAGES_KIND[link], lot.product, lot)}"'.encode()
        assert (href in response.content) == (role == "clinic_admin"), link


@pytest.mark.parametrize(("name", "kind"), WRITE_PAGES)
@pytest.mark.parametrize("role", ["trichologist", "practitioner"])
def test_only_a_clinic_admin_may_change_stock(client, clinic, make_user, lot, role, name, kind):
    client.force_login(make_user(clinic, role))
    url = _url(name, kind, lot.product, lot)
    assert client.get(url).status_code == 403
    assert client.post(url, {"reason": "x", "confirm": "on", "action": "discard", "quantity_ml": "1"}).status_code == 403
    lot.refresh_from_db()
    assert lot.recalled_at is None and lot.remaining_ml == 50


@pytest.mark.parametrize(("name", "kind"), WRITE_PAGES)
def test_a_clinic_admin_can_open_every_stock_form(client, admin_user, lot, name, kind):
    client.force_login(admin_user)
    assert client.get(_url(name, kind, lot.product, lot)).status_code == 200


@pytest.mark.parametrize(
    ("name", "kind"),
    [p for p in READ_PAGES + WRITE_PAGES if p[1]],
)
def test_another_clinics_product_or_lot_is_not_found(client, admin_user, other_clinic, make_product, make_lot, name, kind):
    theirs = make_product(other_clinic, "Their cocktail")
    their_lot = make_lot(theirs, "THEIRS-1")
    client.force_login(admin_user)
    url = _url(name, kind, theirs, their_lot)
    assert client.get(url).status_code == 404
    post = {"reason": "recall", "confirm": "on", "action": "discard", "quantity_ml": "1",
            "lot_number": "X1", "expiry_date": "2030-01-01", "vials_received": "2", "supplier": "S", "received_on": "2026-01-01"}
    assert client.post(url, post).status_code == 404
    their_lot.refresh_from_db()
    assert their_lot.recalled_at is None
    assert their_lot.remaining_ml == 50
    assert Lot.objects.filter(product=theirs).count() == 1


def test_the_stock_home_lists_only_this_clinics_products(client, admin_user, other_clinic, make_product, product):
    make_product(other_clinic, "Their secret cocktail")
    client.force_login(admin_user)
    response = client.get(reverse("catalog:home"))
    assert product.name.encode() in response.content
    assert b"Their secret cocktail" not in response.content
    assert Product.objects.count() == 2


def test_the_stock_link_shows_in_the_admin_navigation(client, admin_user):
    client.force_login(admin_user)
    response = client.get(reverse("home"))
    assert f'href="{reverse("catalog:home")}"'.encode() in response.content
