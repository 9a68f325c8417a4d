"""Image resolution on the seeded reference data (4 tiers, 6 flavors, 5 addons).

Peer scenarios (peer-tests 14.2) that still apply are named by their id. Those that do not: the
wildcard-domain URLs (23-26) and the Coolify install commands (30-37) belong to the Coolify era; an
unknown flavor, tier or addon is an error here, never a warning with a fallback (DECISIONS 17), so
03/05/07 are asserted as errors; port 80 (01, 08, 13) was the Coolify image's nginx and is not exposed.
"""

import pytest

from containers.models import ContainerAddon, ResourceTier
from containers.services import (
    GIB,
    AddonValidation,
    AddonValidationDetails,
    addon_env,
    addons_validate,
    container_limits,
    image_reference,
    image_resolve,
    image_size_estimate,
    resource_limits,
)
from tests.factories import ContainerAddonFactory, ContainerFlavorFactory

pytestmark = pytest.mark.django_db


# -- resource limits from the tiers table (DECISIONS 16) ----------------------------------------------

@pytest.mark.parametrize(("tier_id", "expected"), [
    ("starter", {"limits_memory": "2g", "limits_memory_reservation": "1g", "limits_cpus": "1"}),
    ("builder", {"limits_memory": "4g", "limits_memory_reservation": "3g", "limits_cpus": "2"}),
    ("creator", {"limits_memory": "8g", "limits_memory_reservation": "6g", "limits_cpus": "4"}),
    ("power", {"limits_memory": "16g", "limits_memory_reservation": "12g", "limits_cpus": "8"}),
])
def test_resource_limits_are_the_contract_values_of_the_seeded_tiers(tier_id, expected):
    assert resource_limits(ResourceTier.objects.get(pk=tier_id)) == expected


def test_container_limits_follow_the_tier_row_an_operator_edits():
    tier = ResourceTier.objects.get(pk="builder")
    tier.memory_gb, tier.cpu_cores = 6, 3
    tier.save()
    tier.refresh_from_db()

    limits = container_limits(tier=tier)

    assert (limits.memory_bytes, limits.memory_reservation_bytes, limits.nano_cpus, limits.cpus,
            limits.pids_limit) == (6 * GIB, 4 * GIB, 3 * 10**9, "3", 3 * 256)


def test_the_pids_limit_scales_with_the_configured_processes_per_cpu(settings):
    settings.SANDBOX_PIDS_PER_CPU = 100
    assert container_limits(tier=ResourceTier.objects.get(pk="creator")).pids_limit == 400


# -- image names --------------------------------------------------------------------------------------

def test_the_development_image_is_codeopen_flavor_with_the_version_tag(settings):
    settings.SANDBOX_IMAGE_TAG = "0.4.0"
    settings.SANDBOX_IMAGE_REGISTRY = ""
    image = image_reference(flavor_id="js")
    assert (image.name, image.tag, image.ref) == ("codeopen-js", "0.4.0", "codeopen-js:0.4.0")


def test_a_registry_image_is_registry_owner_codeopen_flavor(settings):
    settings.SANDBOX_IMAGE_REGISTRY = "registry.example.com/"
    settings.SANDBOX_IMAGE_OWNER = "acme"
    settings.SANDBOX_IMAGE_TAG = "1.2.3"
    assert image_reference(flavor_id="python").ref == "registry.example.com/acme/codeopen-python:1.2.3"


def test_the_image_name_prefix_is_a_setting(settings):
    settings.SANDBOX_IMAGE_REGISTRY = ""
    settings.SANDBOX_IMAGE_NAME_PREFIX = "agentpod"
    settings.SANDBOX_IMAGE_TAG = "dev"
    assert image_reference(flavor_id="fullstack").ref == "agentpod-fullstack:dev"


# -- image_resolve --------------------------------------------------------------------------------------

def test_defaults_resolve_to_the_default_flavor_and_tier(settings, django_assert_num_queries):
    """image-resolver-01 and 21: no options is valid and uses the default rows."""
    settings.SANDBOX_IMAGE_REGISTRY = ""
    settings.SANDBOX_IMAGE_TAG = "0.4.0"
    with django_assert_num_queries(2):  # flavor, tier (no addons: no addon query)
        resolution = image_resolve()

    assert resolution.valid and resolution.errors == [] and resolution.warnings == []
    assert (resolution.flavor.id, resolution.resource_tier.id) == ("fullstack", "starter")
    assert resolution.addons == [] and resolution.exposed_ports == []
    assert resolution.image_ref == "codeopen-fullstack:0.4.0"
    assert resolution.resource_limits == {"limits_memory": "2g", "limits_memory_reservation": "1g",
                                          "limits_cpus": "1"}
    assert resolution.limits.memory_bytes == 2 * GIB


def test_flavor_and_tier_are_resolved(settings):
    """image-resolver-02, 04, 14: flavor js, tier builder, imageRef = name:tag."""
    settings.SANDBOX_IMAGE_REGISTRY = ""
    resolution = image_resolve(flavor_id="js", resource_tier_id="builder")
    assert resolution.flavor.id == "js" and "codeopen-js" in resolution.image.name
    assert resolution.resource_tier.id == "builder"
    assert resolution.image_ref == f"{resolution.image.name}:{resolution.image.tag}"
    assert resolution.limits.nano_cpus == 2 * 10**9


def test_an_unknown_flavor_is_an_error_with_no_image():
    """image-resolver-03 and 16 (an error, not a fallback: DECISIONS 17)."""
    resolution = image_resolve(flavor_id="non-existent-flavor")
    assert not resolution.valid
    assert resolution.errors == ["Flavor 'non-existent-flavor' not found"]
    assert resolution.image is None


def test_an_unknown_tier_is_an_error_with_no_limits():
    """image-resolver-05 and 17."""
    resolution = image_resolve(resource_tier_id="invalid-tier")
    assert resolution.errors == ["Resource tier 'invalid-tier' not found"]
    assert resolution.limits is None and resolution.resource_limits is None
    assert resolution.image_ref is not None  # the flavor part still resolved


def test_unknown_addons_are_errors_and_the_known_ones_are_kept():
    """image-resolver-06, 07 and 18."""
    resolution = image_resolve(addon_ids=["code-server", "fake-addon"])
    assert [addon.id for addon in resolution.addons] == ["code-server"]
    assert resolution.missing_addon_ids == ["fake-addon"]
    assert resolution.errors == ["Addon 'fake-addon' not found"]


def test_addon_ports_are_exposed_in_addon_order():
    """image-resolver-08 (the addons' ports; gui 6080 sorts before code-server 8080)."""
    resolution = image_resolve(addon_ids=["code-server", "databases", "gui"])
    assert [addon.id for addon in resolution.addons] == ["gui", "code-server", "databases"]
    assert resolution.exposed_ports == [6080, 8080]
    assert resolution.total_addon_price == 10


def test_a_gpu_addon_needs_a_gpu_host():
    """image-resolver-09, 10 and 22."""
    without_gpu = image_resolve(flavor_id="js", addon_ids=["gpu"])
    assert without_gpu.requires_gpu is True
    assert without_gpu.errors == ["Addon 'gpu' requires GPU support"]

    with_gpu = image_resolve(flavor_id="js", addon_ids=["gpu"], has_gpu=True)
    assert with_gpu.valid and with_gpu.requires_gpu is True

    assert image_resolve(addon_ids=["code-server"]).requires_gpu is False


def test_an_addon_that_requires_another_flavor_is_an_error():
    ContainerAddonFactory(id="jupyter", requires_flavor="python")
    assert image_resolve(flavor_id="js", addon_ids=["jupyter"]).errors == [
        "Addon 'jupyter' requires flavor 'python'"]
    assert image_resolve(flavor_id="python", addon_ids=["jupyter"]).valid


def test_two_known_addons_are_valid():
    """image-resolver-15 and 19."""
    assert image_resolve(flavor_id="js", resource_tier_id="starter", addon_ids=[]).valid
    assert image_resolve(addon_ids=["code-server", "databases"]).valid


def test_three_problems_give_three_errors_in_a_stable_order():
    """image-resolver-20."""
    resolution = image_resolve(flavor_id="invalid-flavor", resource_tier_id="invalid-tier",
                               addon_ids=["invalid-addon"])
    assert resolution.errors == ["Flavor 'invalid-flavor' not found",
                                 "Resource tier 'invalid-tier' not found", "Addon 'invalid-addon' not found"]


def test_a_disabled_flavor_is_an_error_for_sandbox_creation():
    """DECISIONS 17: go and polyglot are seeded disabled."""
    resolution = image_resolve(flavor_id="go")
    assert resolution.errors == ["Flavor 'go' is disabled"]
    assert image_resolve(flavor_id="go", require_enabled_flavor=False).valid


def test_a_repeated_addon_is_a_warning_and_counted_once():
    resolution = image_resolve(addon_ids=["code-server", "code-server"])
    assert resolution.valid
    assert [addon.id for addon in resolution.addons] == ["code-server"]
    assert resolution.warnings == ["Addon 'code-server' is listed more than once"]


def test_addon_query_count_does_not_grow_with_the_number_of_addons(django_assert_num_queries):
    ids = [ContainerAddonFactory().id for _ in range(10)]
    with django_assert_num_queries(3):
        assert len(image_resolve(addon_ids=ids).addons) == 10


# -- addon environment and size (image-resolver-27..29, 38..45) -------------------------------------------

def addons(*ids):
    return list(ContainerAddon.objects.filter(pk__in=ids).ordered())


def test_addon_environment():
    assert addon_env([]) == {}
    assert addon_env(addons("code-server")) == {"CODE_SERVER_ENABLED": "true", "CODE_SERVER_PORT": "8080"}
    assert addon_env(addons("gui")) == {"GUI_ENABLED": "true", "VNC_PORT": "6080", "DISPLAY": ":1"}
    assert addon_env(addons("databases")) == {"DATABASE_TOOLS_ENABLED": "true"}
    assert addon_env(addons("cloud")) == {"CLOUD_CLI_ENABLED": "true"}
    assert addon_env(addons("gpu")) == {"GPU_ENABLED": "true", "NVIDIA_VISIBLE_DEVICES": "all"}
    both = addon_env(addons("code-server", "gui"))
    assert both["CODE_SERVER_ENABLED"] == both["GUI_ENABLED"] == "true"
    assert addon_env([ContainerAddonFactory()]) == {}
    assert image_resolve(addon_ids=["code-server"]).addon_env == {"CODE_SERVER_ENABLED": "true",
                                                                  "CODE_SERVER_PORT": "8080"}


def test_image_size_estimate():
    flavor = ContainerFlavorFactory(image_size_mb=200)
    assert image_size_estimate(flavor=flavor, addons=[]) == 700
    assert image_size_estimate(flavor=flavor, addons=[ContainerAddonFactory(image_size_mb=100)]) == 800
    assert image_size_estimate(flavor=ContainerFlavorFactory(image_size_mb=None),
                               addons=[ContainerAddonFactory(image_size_mb=None)]) == 500


# -- POST /api/addons/validate (api-contract 2.10, reference responses 33 and 34) ---------------------------

def test_validate_with_no_addons_matches_the_recorded_response():
    assert addons_validate(flavor_id="fullstack", addon_ids=[]) == AddonValidation(
        valid=True, errors=[], warnings=[],
        details=AddonValidationDetails(flavor_id="fullstack", flavor_name="Fullstack", addon_ids=[],
                                       total_addon_price=0, exposed_ports=[]))


def test_validate_an_unknown_flavor_answers_only_that_error():
    assert addons_validate(flavor_id="nope", addon_ids=["x"]) == AddonValidation(
        valid=False, errors=["Flavor 'nope' not found"], warnings=[], details=None)


def test_validate_unknown_addons_answers_their_errors_without_details():
    assert addons_validate(flavor_id="js", addon_ids=["x", "code-server", "y"]) == AddonValidation(
        valid=False, errors=["Addon 'x' not found", "Addon 'y' not found"], warnings=[], details=None)


def test_validate_uses_the_default_flavor_and_accepts_a_disabled_one():
    assert addons_validate(flavor_id=None, addon_ids=[]).details.flavor_id == "fullstack"
    assert addons_validate(flavor_id="go", addon_ids=["code-server"]).valid


def test_validate_reports_rules_with_details():
    result = addons_validate(flavor_id="js", addon_ids=["gpu", "code-server"])
    assert result.valid is False
    assert result.errors == ["Addon 'gpu' requires GPU support"]
    assert result.details == AddonValidationDetails(flavor_id="js", flavor_name="JavaScript",
                                                     addon_ids=["code-server", "gpu"], total_addon_price=20,
                                                     exposed_ports=[8080])
    assert addons_validate(flavor_id="js", addon_ids=["gpu"], has_gpu=True).valid
