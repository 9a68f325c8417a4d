"""The data migration seeds the reference data of api-contract section 5 and legacy-sqlite section 8."""

import pytest
from django.db import IntegrityError, connection, transaction

from containers.models import ContainerAddon, ContainerFlavor, ContainerTier, ResourceTier
from providers.models import LegacyProvider

pytestmark = pytest.mark.django_db


def rows(model, *fields):
    return list(model.objects.order_by("sort_order", "id").values_list(*fields))


def test_resource_tiers_are_seeded_with_the_contract_values():
    assert rows(ResourceTier, "id", "name", "description", "cpu_cores", "memory_gb", "storage_gb",
                "price_monthly", "is_default", "sort_order") == [
        ("starter", "Starter", "Perfect for learning and small projects", 1, 2, 20, 0, True, 1),
        ("builder", "Builder", "For active development and medium projects", 2, 4, 30, 10, False, 2),
        ("creator", "Creator", "For professional development and larger projects", 4, 8, 50, 25, False, 3),
        ("power", "Power", "Maximum resources for demanding workloads", 8, 16, 100, 50, False, 4),
    ]


def test_six_flavors_are_seeded_with_go_and_polyglot_disabled():
    assert rows(ContainerFlavor, "id", "name", "languages", "image_size_mb", "is_default", "enabled",
                "sort_order") == [
        ("js", "JavaScript", ["javascript", "typescript"], 800, False, True, 1),
        ("python", "Python", ["python"], 1200, False, True, 2),
        ("go", "Go", ["go"], 900, False, False, 3),
        ("rust", "Rust", ["rust"], 1100, False, True, 4),
        ("fullstack", "Fullstack", ["javascript", "typescript", "python"], 1800, True, True, 5),
        ("polyglot", "Polyglot", ["javascript", "typescript", "python", "go", "rust"], 3000, False, False, 6),
    ]
    assert ContainerFlavor.objects.get(id="python").description == "Python development with data science tools"


def test_five_addons_are_seeded():
    assert rows(ContainerAddon, "id", "name", "category", "image_size_mb", "port", "requires_gpu",
                "requires_flavor", "price_monthly", "sort_order") == [
        ("gui", "Desktop GUI", "interface", 800, 6080, False, None, 5, 1),
        ("code-server", "VS Code", "interface", 300, 8080, False, None, 0, 2),
        ("databases", "Databases", "storage", 400, None, False, None, 5, 3),
        ("cloud", "Cloud Tools", "devops", 600, None, False, None, 0, 4),
        ("gpu", "GPU Support", "compute", 500, None, True, None, 20, 5),
    ]
    assert ContainerAddon.objects.get(id="code-server").description == "VS Code in browser via code-server"


def test_four_legacy_container_tiers_are_seeded():
    assert rows(ContainerTier, "id", "image_type", "cpu_limit", "memory_limit", "memory_reservation",
                "storage_gb", "has_desktop_access", "is_default") == [
        ("lite", "cli", "1", "2g", "1g", 20, False, True),
        ("standard", "cli", "2", "4g", "2g", 30, False, False),
        ("pro", "cli", "4", "8g", "4g", 50, False, False),
        ("desktop", "desktop", "8", "16g", "8g", 75, True, False),
    ]


def test_six_legacy_providers_are_seeded_unconfigured():
    assert list(LegacyProvider.objects.order_by("id").values_list("id", "name", "type", "is_configured",
                                                                     "is_default", "api_key")) == [
        ("amazon-bedrock", "Amazon Bedrock", "api_key", False, False, None),
        ("anthropic", "Anthropic Claude", "api_key", False, False, None),
        ("github-copilot", "GitHub Copilot", "oauth", False, False, None),
        ("google", "Google AI", "api_key", False, False, None),
        ("openai", "OpenAI", "api_key", False, False, None),
        ("openrouter", "OpenRouter", "api_key", False, False, None),
    ]


@pytest.mark.parametrize("model, other", [(ResourceTier, "builder"), (ContainerFlavor, "python")])
def test_the_database_refuses_a_second_default(model, other):
    with pytest.raises(IntegrityError), transaction.atomic():
        model.objects.filter(id=other).update(is_default=True)


@pytest.mark.parametrize("model, table", [(ResourceTier, "resource_tiers"), (ContainerFlavor, "container_flavors")])
def test_the_database_refuses_no_default_at_commit(model, table):
    default = model.objects.default()
    model.objects.update(is_default=False)  # allowed mid-transaction: the check is deferred
    with pytest.raises(IntegrityError, match="exactly one default"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(f"SET CONSTRAINTS {table}_exactly_one_default IMMEDIATE")
    # Restore the rule, or the test's own end-of-test constraint check would fail.
    model.objects.filter(pk=default.pk).update(is_default=True)


@pytest.mark.parametrize("model, new_default", [(ResourceTier, "power"), (ContainerFlavor, "rust")])
def test_set_default_switches_the_default_and_passes_the_commit_check(model, new_default):
    model.objects.set_default(new_default)
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    assert list(model.objects.filter(is_default=True).values_list("id", flat=True)) == [new_default]


def test_the_database_refuses_a_negative_price():
    with pytest.raises(IntegrityError), transaction.atomic():
        ContainerAddon.objects.filter(id="gui").update(price_monthly=-1)
