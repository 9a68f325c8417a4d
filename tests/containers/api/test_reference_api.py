"""`/api/resource-tiers`, `/api/flavors`, `/api/addons` answer as recorded (reference-responses 17-34)."""

import pytest

from containers.models import ContainerAddon, ResourceTier

pytestmark = pytest.mark.django_db

BUILDER = {"id": "builder", "name": "Builder", "description": "For active development and medium projects",
           "resources": {"cpuCores": 2, "memoryGb": 4, "storageGb": 30}, "priceMonthly": 10, "isDefault": False,
           "sortOrder": 2}
FULLSTACK = {"id": "fullstack", "name": "Fullstack", "description": "JavaScript + Python for full-stack development",
             "languages": ["javascript", "typescript", "python"], "imageSizeMb": 1800, "isDefault": True,
             "sortOrder": 5}
CODE_SERVER = {"id": "code-server", "name": "VS Code", "description": "VS Code in browser via code-server",
               "category": "interface", "imageSizeMb": 300, "port": 8080, "requiresGpu": False,
               "requiresFlavor": None, "priceMonthly": 0, "sortOrder": 2}


def test_tiers_list_default_and_detail(api):
    tiers = api.get("/api/resource-tiers").json()["tiers"]
    assert [t["id"] for t in tiers] == ["starter", "builder", "creator", "power"]
    assert tiers[1] == BUILDER
    default = api.get("/api/resource-tiers/default").json()
    assert (default["id"], default["isDefault"], default["sortOrder"]) == ("starter", True, 1)
    assert api.get("/api/resource-tiers/builder").json() == {**BUILDER, "_resourceLimits": {
        "limits_memory": "4g", "limits_memory_reservation": "3g", "limits_cpus": "2"}}
    missing = api.get("/api/resource-tiers/nope")
    assert (missing.status_code, missing.json()) == (404, {"error": "Resource tier not found"})


def test_an_admin_edit_is_what_the_api_answers(api):
    ResourceTier.objects.filter(id="builder").update(memory_gb=6, price_monthly=12.5)
    body = api.get("/api/resource-tiers/builder").json()
    assert (body["resources"]["memoryGb"], body["priceMonthly"]) == (6, 12.5)
    assert body["_resourceLimits"]["limits_memory"] == "6g"


def test_flavors_list_only_enabled_but_detail_and_language_include_disabled(api):
    flavors = api.get("/api/flavors").json()["flavors"]
    assert [f["id"] for f in flavors] == ["js", "python", "rust", "fullstack"]
    assert flavors[3] == FULLSTACK
    assert api.get("/api/flavors/default").json() == FULLSTACK
    assert api.get("/api/flavors/go").json()["id"] == "go"
    by_language = api.get("/api/flavors/by-language/Python").json()
    assert [f["id"] for f in by_language["flavors"]] == ["python", "fullstack", "polyglot"]
    assert api.get("/api/flavors/by-language/cobol").json() == {
        "flavors": [], "message": "No flavors found for language: cobol"}
    assert api.get("/api/flavors/nope").json() == {"error": "Container flavor not found"}


def test_addons_list_non_gpu_category_and_detail(api):
    addons = api.get("/api/addons").json()["addons"]
    assert [a["id"] for a in addons] == ["gui", "code-server", "databases", "cloud", "gpu"]
    assert addons[1] == CODE_SERVER
    assert [a["id"] for a in api.get("/api/addons/non-gpu").json()["addons"]] == ["gui", "code-server", "databases",
                                                                               "cloud"]
    assert [a["id"] for a in api.get("/api/addons/by-category/interface").json()["addons"]] == ["gui", "code-server"]
    bad = api.get("/api/addons/by-category/tools")
    assert (bad.status_code, bad.json()) == (400, {
        "error": "Invalid category. Must be one of: interface, compute, storage, devops"})
    assert api.get("/api/addons/code-server").json() == CODE_SERVER
    assert api.get("/api/addons/nope").status_code == 404


def test_addon_validation(api):
    def validate(body):
        return api.post("/api/addons/validate", body, content_type="application/json").json()

    assert validate({"addonIds": []}) == {"valid": True, "errors": [], "warnings": [], "details": {
        "flavorId": "fullstack", "flavorName": "Fullstack", "addonIds": [], "totalAddonPrice": 0, "exposedPorts": []}}
    assert validate({"flavorId": "nope", "addonIds": []}) == {
        "valid": False, "errors": ["Flavor 'nope' not found"], "warnings": []}
    assert validate({"addonIds": ["code-server", "missing"]})["errors"] == ["Addon 'missing' not found"]
    gpu = validate({"flavorId": "python", "addonIds": ["gui", "gpu"]})
    assert (gpu["valid"], gpu["errors"], gpu["details"]["totalAddonPrice"], gpu["details"]["exposedPorts"]) == (
        False, ["Addon 'gpu' requires GPU support"], 25, [6080])
    assert validate({"addonIds": ["gpu"], "hasGpu": True})["valid"] is True
    assert api.post("/api/addons/validate", {"addonIds": "gui"}, content_type="application/json").status_code == 400


@pytest.mark.parametrize("count", [0, 50])
def test_lists_run_a_constant_number_of_queries(api, count, django_assert_num_queries):
    for n in range(count):
        ContainerAddon.objects.create(id=f"extra-{n}", name=f"Extra {n}", category="devops", sort_order=10 + n)
    with django_assert_num_queries(2):
        assert len(api.get("/api/addons").json()["addons"]) == 5 + count


def test_anonymous_is_refused(client):
    assert client.get("/api/flavors").status_code == 401
