"""Products and their components, checked against the core ingredient catalogue."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from anagen.audit.services import Actor
from anagen.catalog import services
from anagen.catalog.models import Product, ProductComponent
from anagen.core.errors import InvalidInput

pytestmark = pytest.mark.django_db


def product_post(components=(("biotin", "0.5", "mg/mL"),), **overrides):
    data = {
        "name": "Anagen Vital Hair Cocktail 5 mL", "manufacturer": "Dermaviva Labs", "vial_type": "multi_dose",
        "vial_volume_ml": "5", "low_stock_threshold_ml": "20", "active": "on",
        "components-TOTAL_FORMS": str(max(len(components), 1)), "components-INITIAL_FORMS": "0",
        "components-MIN_NUM_FORMS": "0", "components-MAX_NUM_FORMS": "12",
    }
    for index, (code, concentration, unit) in enumerate(components):
        data[f"components-{index}-ingredient_code"] = code
        data[f"components-{index}-concentration"] = concentration
        data[f"components-{index}-concentration_unit"] = unit
    data.update(overrides)
    return data


def test_a_clinic_admin_adds_a_multi_dose_cocktail_with_its_ingredients(client, admin_user):
    client.force_login(admin_user)
    response = client.post(reverse("catalog:product_create"), product_post([
        ("biotin", "0.5", "mg/mL"), ("dexpanthenol", "50", ""), ("selenium", "10", "ug/mL"),
    ]))
    product = Product.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("catalog:product_detail", args=[product.pk])
    assert product.clinic == admin_user.clinic
    assert product.vial_volume_ml == Decimal("5.00")
    assert product.low_stock_threshold_ml == Decimal("20.00")
    rows = {(c.ingredient_code, c.concentration, c.concentration_unit) for c in product.components.all()}
    # A blank unit takes the catalogue's own unit.
    assert rows == {("biotin", Decimal("0.5"), "mg/mL"), ("dexpanthenol", Decimal("50"), "mg/mL"), ("selenium", Decimal("10"), "ug/mL")}
    page = client.get(reverse("catalog:product_detail", args=[product.pk]))
    assert b"Dexpanthenol (vitamin B5): 50 mg/mL" in page.content
    assert b"Multi-dose vial" in page.content


@pytest.mark.parametrize(
    ("component", "field", "message"),
    [
        (("dragon_scale", "1", ""), "ingredient_code", "Unknown ingredient"),
        (("biotin", "9", "mg/mL"), "concentration", "must be between 0.1 and 5 mg/mL"),
        (("biotin", "0.01", ""), "concentration", "must be between 0.1 and 5 mg/mL"),
        (("selenium", "10", "mg/mL"), "concentration_unit", "measured in ug/mL, not mg/mL"),
        (("zinc", "0.1", "furlongs"), "concentration_unit", "Unknown unit"),
        (("zinc", "lots", ""), "concentration", "Enter a number"),
        (("", "1", ""), "ingredient_code", "required"),
    ],
)
def test_a_bad_component_is_refused_next_to_its_field_and_nothing_is_saved(client, admin_user, component, field, message):
    client.force_login(admin_user)
    response = client.post(reverse("catalog:product_create"), product_post([("niacinamide", "20", ""), component]))
    assert response.status_code == 400
    errors = response.context["formset"].forms[1].errors
    assert field in errors
    assert message in " ".join(errors[field])
    assert message.encode() in response.content
    assert Product.objects.count() == 0
    assert ProductComponent.objects.count() == 0


def test_the_same_ingredient_twice_is_refused(client, admin_user):
    client.force_login(admin_user)
    response = client.post(reverse("catalog:product_create"), product_post([("biotin", "0.5", ""), ("biotin", "1", "")]))
    assert response.status_code == 400
    assert "already listed as ingredient 1" in " ".join(response.context["formset"].forms[1].errors["ingredient_code"])
    assert Product.objects.count() == 0


def test_a_product_needs_at_least_one_ingredient(client, admin_user):
    client.force_login(admin_user)
    response = client.post(reverse("catalog:product_create"), product_post([("", "", "")]))
    assert response.status_code == 400
    assert "at least one ingredient" in " ".join(response.context["formset"].non_form_errors())
    assert Product.objects.count() == 0


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("vial_volume_ml", "0", "more than 0 mL"),
        ("vial_volume_ml", "-2", "more than 0 mL"),
        ("vial_volume_ml", "five", "Enter a number"),
        ("vial_volume_ml", "2.555", "2 decimal places"),
        ("low_stock_threshold_ml", "-1", "cannot be negative"),
        ("vial_type", "bucket", "valid choice"),
        ("name", "   ", "required"),
    ],
)
def test_bad_product_fields_are_refused_naming_the_field(client, admin_user, field, value, message):
    client.force_login(admin_user)
    response = client.post(reverse("catalog:product_create"), product_post(**{field: value}))
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    assert Product.objects.count() == 0


def test_a_product_name_is_unique_within_a_clinic_whatever_the_case(client, admin_user, other_clinic, make_product):
    make_product(admin_user.clinic, "Vital Cocktail")
    make_product(other_clinic, "GHK-Cu 2 mL")
    client.force_login(admin_user)
    response = client.post(reverse("catalog:product_create"), product_post(name="vital cocktail"))
    assert response.status_code == 400
    assert "already has a product with this name" in " ".join(response.context["form"].errors["name"])
    # Another clinic's product of the same name is no obstacle.
    assert client.post(reverse("catalog:product_create"), product_post(name="GHK-Cu 2 mL")).status_code == 302


def test_editing_a_product_replaces_its_components(client, admin_user, make_product):
    product = make_product(admin_user.clinic, components=[("biotin", "0.5"), ("zinc", "0.1")])
    client.force_login(admin_user)
    form = client.get(reverse("catalog:product_edit", args=[product.pk])).context["formset"]
    assert len(form.initial_forms) == 2
    data = product_post([("biotin", "1", "mg/mL"), ("zinc", "0.1", "mg/mL"), ("ghk_cu", "2", "")], name="Vital Cocktail v2")
    data["components-INITIAL_FORMS"] = "2"
    data["components-1-DELETE"] = "on"
    response = client.post(reverse("catalog:product_edit", args=[product.pk]), data)
    assert response.status_code == 302
    product.refresh_from_db()
    assert product.name == "Vital Cocktail v2"
    assert sorted((c.ingredient_code, c.concentration) for c in product.components.all()) == [
        ("biotin", Decimal("1.000")), ("ghk_cu", Decimal("2.000")),
    ]


def test_the_service_refuses_bad_components_naming_each_field(clinic):
    actor = Actor.system("test", clinic.pk)
    values = {"name": "X", "vial_type": "single_dose", "vial_volume_ml": Decimal("2")}
    with pytest.raises(InvalidInput) as caught:
        services.save_product(actor, clinic, values, [
            {"ingredient_code": "biotin", "concentration": Decimal("0.5")},
            {"ingredient_code": "unobtainium", "concentration": Decimal("1")},
            {"ingredient_code": "minoxidil", "concentration": Decimal("50"), "concentration_unit": "%"},
        ])
    fields = {e.field for e in caught.value.errors}
    assert fields == {"components[1].ingredient_code", "components[2].concentration", "components[2].concentration_unit"}
    assert Product.objects.count() == 0


def test_every_concentration_limit_comes_from_the_core_catalogue(clinic):
    from anagen.core.formulation import CATALOGUE

    for code, ingredient in CATALOGUE.items():
        assert services.component_errors(code, ingredient.min_concentration, ingredient.concentration_unit) == []
        assert services.component_errors(code, ingredient.max_concentration, "") == []
        too_much = services.component_errors(code, ingredient.max_concentration + Decimal("0.001"), None)
        assert [e.field for e in too_much] == ["concentration"]


def test_saving_an_edit_keeps_the_components_nobody_touched(client, admin_user, make_product):
    product = make_product(admin_user.clinic, components=[("biotin", "0.5"), ("zinc", "0.1")])
    client.force_login(admin_user)
    page = client.get(reverse("catalog:product_edit", args=[product.pk]))
    formset = page.context["formset"]
    data = {**product_post([], name=product.name, low_stock_threshold_ml="35"), **{
        "components-TOTAL_FORMS": str(formset.total_form_count()), "components-INITIAL_FORMS": "2",
    }}
    for form in formset.forms:
        for name, field in form.fields.items():
            value = form.initial.get(name, field.initial)
            if value not in (None, False):
                data[form.add_prefix(name)] = str(value)
    response = client.post(reverse("catalog:product_edit", args=[product.pk]), data)
    assert response.status_code == 302
    product.refresh_from_db()
    assert product.low_stock_threshold_ml == Decimal("35.00")
    assert sorted(c.ingredient_code for c in product.components.all()) == ["biotin", "zinc"]


def test_a_tampered_ingredient_form_is_refused_without_an_error_page(client, admin_user):
    client.force_login(admin_user)
    data = product_post()
    del data["components-TOTAL_FORMS"]
    response = client.post(reverse("catalog:product_create"), data)
    assert response.status_code == 400
    assert Product.objects.count() == 0
