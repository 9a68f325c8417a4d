"""Seed the reference data the API serves (api-contract section 5, legacy-sqlite section 8).

Values are frozen here, as migrations must be: later edits belong to operators in the admin.
"""

from django.db import migrations

RESOURCE_TIERS = [
    # id, name, description, cpu_cores, memory_gb, storage_gb, price_monthly, is_default, sort_order
    ("starter", "Starter", "Perfect for learning and small projects", 1, 2, 20, 0, True, 1),
    ("builder", "Builder", "For active development and medium projects", 2, 4, 30, 10, False, 2),
    ("creator", "Creator", "For professional development and larger projects", 4, 8, 50, 25, False, 3),
    ("power", "Power", "Maximum resources for demanding workloads", 8, 16, 100, 50, False, 4),
]

FLAVORS = [
    # id, name, description, languages, image_size_mb, is_default, enabled, sort_order
    ("js", "JavaScript", "JavaScript and TypeScript development", ["javascript", "typescript"], 800, False, True, 1),
    ("python", "Python", "Python development with data science tools", ["python"], 1200, False, True, 2),
    ("go", "Go", "Go development environment", ["go"], 900, False, False, 3),
    ("rust", "Rust", "Rust development environment", ["rust"], 1100, False, True, 4),
    ("fullstack", "Fullstack", "JavaScript + Python for full-stack development",
     ["javascript", "typescript", "python"], 1800, True, True, 5),
    ("polyglot", "Polyglot", "All languages for maximum flexibility",
     ["javascript", "typescript", "python", "go", "rust"], 3000, False, False, 6),
]

ADDONS = [
    # id, name, description, category, image_size_mb, port, requires_gpu, requires_flavor, price, sort_order
    ("gui", "Desktop GUI", "Full desktop environment via KasmVNC", "interface", 800, 6080, False, None, 5, 1),
    ("code-server", "VS Code", "VS Code in browser via code-server", "interface", 300, 8080, False, None, 0, 2),
    ("databases", "Databases", "PostgreSQL, Redis, and DuckDB", "storage", 400, None, False, None, 5, 3),
    ("cloud", "Cloud Tools", "AWS CLI, gcloud, Terraform, kubectl", "devops", 600, None, False, None, 0, 4),
    ("gpu", "GPU Support", "NVIDIA CUDA toolkit for ML/AI workloads", "compute", 500, None, True, None, 20, 5),
]

_TIER_DESCRIPTIONS = {
    "lite": "Basic tier for simple projects and learning. CLI access only.",
    "standard": "Balanced tier for web development and typical projects. CLI access only.",
    "pro": "High-performance tier for full-stack development with multiple services. CLI access only.",
    "desktop": "Full desktop environment with GUI access via browser. Includes all Pro tier resources plus VNC.",
}
CONTAINER_TIERS = [
    # id, name, image_type, cpu_limit, memory_limit, memory_reservation, storage_gb, desktop, default, order
    ("lite", "Lite", "cli", "1", "2g", "1g", 20, False, True, 1),
    ("standard", "Standard", "cli", "2", "4g", "2g", 30, False, False, 2),
    ("pro", "Pro", "cli", "4", "8g", "4g", 50, False, False, 3),
    ("desktop", "Desktop", "desktop", "8", "16g", "8g", 75, True, False, 4),
]


def seed(apps, schema_editor):
    ResourceTier = apps.get_model("containers", "ResourceTier")
    ContainerFlavor = apps.get_model("containers", "ContainerFlavor")
    ContainerAddon = apps.get_model("containers", "ContainerAddon")
    ContainerTier = apps.get_model("containers", "ContainerTier")

    ResourceTier.objects.bulk_create([
        ResourceTier(id=i, name=n, description=d, cpu_cores=c, memory_gb=m, storage_gb=s, price_monthly=p,
                     is_default=default, sort_order=o)
        for i, n, d, c, m, s, p, default, o in RESOURCE_TIERS
    ], ignore_conflicts=True)
    ContainerFlavor.objects.bulk_create([
        ContainerFlavor(id=i, name=n, description=d, languages=langs, image_size_mb=size, is_default=default,
                        enabled=enabled, sort_order=o)
        for i, n, d, langs, size, default, enabled, o in FLAVORS
    ], ignore_conflicts=True)
    ContainerAddon.objects.bulk_create([
        ContainerAddon(id=i, name=n, description=d, category=cat, image_size_mb=size, port=port,
                       requires_gpu=gpu, requires_flavor=flavor, price_monthly=p, sort_order=o)
        for i, n, d, cat, size, port, gpu, flavor, p, o in ADDONS
    ], ignore_conflicts=True)
    ContainerTier.objects.bulk_create([
        ContainerTier(id=i, name=n, description=_TIER_DESCRIPTIONS[i], image_type=image, cpu_limit=cpu,
                      memory_limit=mem, memory_reservation=res, storage_gb=s, has_desktop_access=desk,
                      is_default=default, sort_order=o)
        for i, n, image, cpu, mem, res, s, desk, default, o in CONTAINER_TIERS
    ], ignore_conflicts=True)


def unseed(apps, schema_editor):
    for model, rows in [("ResourceTier", RESOURCE_TIERS), ("ContainerFlavor", FLAVORS),
                        ("ContainerAddon", ADDONS), ("ContainerTier", CONTAINER_TIERS)]:
        apps.get_model("containers", model).objects.filter(id__in=[row[0] for row in rows]).delete()


class Migration(migrations.Migration):
    dependencies = [("containers", "0002_exactly_one_default")]

    operations = [migrations.RunPython(seed, unseed)]
