"""Reads of the reference data (resource tiers, flavors, addons), in the contract's order (sortOrder)."""

from django.db.models import QuerySet

from .models import ContainerAddon, ContainerFlavor, ResourceTier


def resource_tiers() -> QuerySet:
    return ResourceTier.objects.ordered()


def flavors(*, enabled_only: bool = False) -> QuerySet:
    rows = ContainerFlavor.objects.ordered()
    return rows.filter(enabled=True) if enabled_only else rows


def flavors_for_language(*, language: str) -> list[ContainerFlavor]:
    """Flavors (disabled ones too) one of whose languages contains `language`, case-insensitively (the old
    server's substring match over a JSON list, which SQL cannot index)."""
    wanted = language.lower()
    return [f for f in flavors() if any(wanted in lang.lower() for lang in f.languages or [])]


def addons(*, category: str | None = None, without_gpu: bool = False) -> QuerySet:
    rows = ContainerAddon.objects.ordered()
    if category:
        rows = rows.filter(category=category)
    if without_gpu:
        rows = rows.filter(requires_gpu=False)
    return rows
