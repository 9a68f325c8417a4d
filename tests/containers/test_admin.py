"""Operators edit reference data in the admin; bad edits are clear errors, never 500s."""

import pytest

from containers.models import ContainerAddon, ContainerFlavor, ResourceTier
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def changelist_post(admin_client, url, model, changes):
    """Submit the changelist's list_editable form for every row, with `changes` applied by id."""
    page = admin_client.get(url)
    formset = page.context["cl"].formset
    data = {f"form-{k}": v for k, v in formset.management_form.initial.items()}
    data["_save"] = "Save"
    for index, form in enumerate(formset.forms):
        for name, field in form.fields.items():
            value = form.initial.get(name, field.initial)
            if name == "id":
                value = form.instance.pk
            data[f"form-{index}-{name}"] = value
        for name, value in changes.get(form.instance.pk, {}).items():
            data[f"form-{index}-{name}"] = value
    for key in [k for k, v in data.items() if v is False]:
        del data[key]  # an unticked checkbox is absent from a real form post
    return admin_client.post(url, data)


def test_the_tier_list_shows_the_fields_that_matter(admin_client):
    response = admin_client.get("/admin/containers/resourcetier/")
    assert response.status_code == 200
    content = response.content.decode()
    for text in ["Starter", "Builder", "Creator", "Power", "Cpu cores", "Memory gb", "Price monthly"]:
        assert text in content


def test_editing_memory_and_order_in_the_list_saves(admin_client):
    response = changelist_post(admin_client, "/admin/containers/resourcetier/", ResourceTier,
                               {"builder": {"memory_gb": 6, "sort_order": 9}})
    assert response.status_code == 302
    builder = ResourceTier.objects.get(id="builder")
    assert (builder.memory_gb, builder.sort_order) == (6, 9)


def test_a_negative_price_is_a_form_error_not_a_500(admin_client):
    response = changelist_post(admin_client, "/admin/containers/containeraddon/", ContainerAddon,
                               {"gui": {"price_monthly": -5}})
    assert response.status_code == 200
    assert "The monthly price cannot be negative." in response.content.decode()
    assert ContainerAddon.objects.get(id="gui").price_monthly == 5


def test_a_second_default_tier_is_a_form_error_not_a_500(admin_client):
    response = admin_client.post("/admin/containers/resourcetier/builder/change/", {
        "id": "builder", "name": "Builder", "cpu_cores": 2, "memory_gb": 4, "storage_gb": 30, "price_monthly": 10,
        "is_default": "on", "sort_order": 2, "created_at_0": "2025-01-01", "created_at_1": "00:00:00",
    })
    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "__all__": ["Another resource tier is already the default."]}
    assert list(ResourceTier.objects.filter(is_default=True).values_list("id", flat=True)) == ["starter"]


def test_clearing_the_only_default_is_a_form_error(admin_client):
    response = admin_client.post("/admin/containers/resourcetier/starter/change/", {
        "id": "starter", "name": "Starter", "cpu_cores": 1, "memory_gb": 2, "storage_gb": 20, "price_monthly": 0,
        "sort_order": 1, "created_at_0": "2025-01-01", "created_at_1": "00:00:00",
    })
    assert response.status_code == 200
    assert list(response.context["adminform"].form.errors) == ["is_default"]
    assert "There must be one default." in response.content.decode()
    assert ResourceTier.objects.get(id="starter").is_default


def test_the_make_default_action_switches_the_default_flavor(admin_client):
    response = admin_client.post("/admin/containers/containerflavor/", {
        "action": "make_default", "_selected_action": ["python"]})
    assert response.status_code == 302
    assert list(ContainerFlavor.objects.filter(is_default=True).values_list("id", flat=True)) == ["python"]


def test_disabling_a_flavor_in_the_list_hides_nothing_else(admin_client):
    response = changelist_post(admin_client, "/admin/containers/containerflavor/", ContainerFlavor,
                               {"rust": {"enabled": False}})
    assert response.status_code == 302
    assert list(ContainerFlavor.objects.filter(enabled=False).order_by("id").values_list("id", flat=True)) == [
        "go", "polyglot", "rust"]


def test_the_default_tier_cannot_be_deleted(admin_client):
    response = admin_client.post("/admin/containers/resourcetier/starter/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert ResourceTier.objects.filter(id="starter").exists()
