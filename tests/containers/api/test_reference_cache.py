"""Reference responses come from a cache, with an ETag; any write is visible on the next request."""

import pytest

from containers.models import ContainerFlavor, ResourceTier
from tests.containers.test_admin import changelist_post
from tests.factories import UserFactory
from tests.legacy.conftest import import_sample

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def cache_on(settings):
    settings.REFERENCE_CACHE_SECONDS = 300


def test_an_unchanged_list_is_a_304_for_its_etag(api, django_assert_num_queries):
    first = api.get("/api/resource-tiers")
    etag = first["ETag"]
    assert first.status_code == 200 and etag.startswith('"')
    with django_assert_num_queries(0):  # the caller's session is kept, the tiers come from the cache
        again = api.get("/api/resource-tiers")
    assert (again.content, again["ETag"]) == (first.content, etag)
    not_modified = api.get("/api/resource-tiers", HTTP_IF_NONE_MATCH=etag)
    assert (not_modified.status_code, not_modified.content, not_modified["ETag"]) == (304, b"", etag)
    assert api.get("/api/resource-tiers", HTTP_IF_NONE_MATCH='"other"').status_code == 200


def test_an_orm_write_is_visible_on_the_next_request(api):
    assert api.get("/api/resource-tiers/builder").json()["_resourceLimits"]["limits_memory"] == "4g"
    tier = ResourceTier.objects.get(pk="builder")
    tier.memory_gb = 5
    tier.save()
    assert api.get("/api/resource-tiers/builder").json()["_resourceLimits"]["limits_memory"] == "5g"
    flavor = ContainerFlavor.objects.get(pk="js")
    before = api.get("/api/flavors").json()
    flavor.delete()
    after = api.get("/api/flavors").json()
    assert "js" in [f["id"] for f in before["flavors"]] and "js" not in [f["id"] for f in after["flavors"]]


def test_make_default_is_visible_on_the_next_request(api):
    assert api.get("/api/resource-tiers/default").json()["id"] == "starter"
    ResourceTier.objects.set_default("power")
    assert api.get("/api/resource-tiers/default").json()["id"] == "power"


def test_an_admin_edit_is_visible_on_the_next_request(api, client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    etag = api.get("/api/resource-tiers")["ETag"]
    response = changelist_post(client, "/admin/containers/resourcetier/", ResourceTier,
                               {"builder": {"memory_gb": 6, "sort_order": 9}})
    assert response.status_code == 302
    fresh = api.get("/api/resource-tiers", HTTP_IF_NONE_MATCH=etag)
    assert fresh.status_code == 200 and fresh["ETag"] != etag
    builder = next(t for t in fresh.json()["tiers"] if t["id"] == "builder")
    assert builder["sortOrder"] == 9


def test_an_import_is_visible_on_the_next_request(api):
    ResourceTier.objects.filter(pk="builder").update(name="Changed behind the cache")
    api.get("/api/resource-tiers")  # caches the rows as they are now
    import_sample("clean")
    names = {t["id"]: t["name"] for t in api.get("/api/resource-tiers").json()["tiers"]}
    assert names["builder"] == ResourceTier.objects.get(pk="builder").name
