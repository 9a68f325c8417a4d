"""Seed the six legacy providers the SQLite server created (legacy-sqlite section 8)."""

from django.db import migrations

LEGACY_PROVIDERS = [
    ("anthropic", "Anthropic Claude", "api_key"),
    ("openai", "OpenAI", "api_key"),
    ("openrouter", "OpenRouter", "api_key"),
    ("github-copilot", "GitHub Copilot", "oauth"),
    ("google", "Google AI", "api_key"),
    ("amazon-bedrock", "Amazon Bedrock", "api_key"),
]


def seed(apps, schema_editor):
    LegacyProvider = apps.get_model("providers", "LegacyProvider")
    LegacyProvider.objects.bulk_create(
        [LegacyProvider(id=i, name=n, type=t, is_default=False, is_configured=False) for i, n, t in LEGACY_PROVIDERS],
        ignore_conflicts=True,
    )


def unseed(apps, schema_editor):
    apps.get_model("providers", "LegacyProvider").objects.filter(id__in=[p[0] for p in LEGACY_PROVIDERS]).delete()


class Migration(migrations.Migration):
    dependencies = [("providers", "0002_database_on_delete")]

    operations = [migrations.RunPython(seed, unseed)]
