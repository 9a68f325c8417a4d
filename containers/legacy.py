"""Legacy mapping of the reference data: resource tiers, flavors, addons, legacy container tiers.

Upserted by id; a row an operator changed in PostgreSQL since it was seeded or last imported is kept
unless --overwrite-reference (the engine tracks what it wrote in `legacy_reference_row`).

The export writes them back as PostgreSQL holds them, timestamps in SQLite's `datetime('now')` format
(the legacy seeds' writer).
"""

from legacy.export import ExportTable, flag, sqlite_time
from legacy.mapping import Table
from legacy.values import Cleaner, Reject

from .cache import reference_data_changed
from .models import ContainerAddon, ContainerFlavor, ContainerTier, ResourceTier

DEPENDS_ON = ()
ORDER = 20

# Release 10 files predate migration 11's `enabled` column, which disabled exactly these two.
_DISABLED_BEFORE_V11 = {"go", "polyglot"}


def _check(column: str, value, valid: bool) -> None:
    """The table's CHECK constraints (containers migrations), as row rejections instead of a failed app."""
    if not valid:
        raise Reject(f"{column} {value!r} violates the table's check constraint", column, value)


def convert_resource_tier(row: dict, c: Cleaner, ctx) -> tuple:
    created, updated = c.created_updated(row)
    values = (
        c.text("id", row["id"], required=True),
        c.text("name", row["name"], required=True),
        c.text("description", row.get("description")),
        c.integer("cpu_cores", row["cpu_cores"], required=True),
        c.integer("memory_gb", row["memory_gb"], required=True),
        c.integer("storage_gb", row["storage_gb"], required=True),
        c.real("price_monthly", row.get("price_monthly"), default=0.0, required=True),
        c.boolean("is_default", row.get("is_default"), default=False),
        c.integer("sort_order", row.get("sort_order"), default=0, required=True),
        created,
        updated,
    )
    for column, value in zip(("cpu_cores", "memory_gb", "storage_gb"), values[3:6]):
        _check(column, value, value > 0)
    _check("price_monthly", values[6], values[6] >= 0)
    return values


def convert_flavor(row: dict, c: Cleaner, ctx) -> tuple:
    created, updated = c.created_updated(row)
    enabled = row["enabled"] if "enabled" in row else int(row["id"] not in _DISABLED_BEFORE_V11)
    return (
        c.text("id", row["id"], required=True),
        c.text("name", row["name"], required=True),
        c.text("description", row.get("description")),
        c.json_text("languages", row.get("languages"), default="[]") or "[]",
        c.integer("image_size_mb", row.get("image_size_mb")),
        c.boolean("is_default", row.get("is_default"), default=False),
        c.boolean("enabled", enabled, default=True),
        c.integer("sort_order", row.get("sort_order"), default=0, required=True),
        created,
        updated,
    )


def convert_addon(row: dict, c: Cleaner, ctx) -> tuple:
    created, updated = c.created_updated(row)
    price = c.real("price_monthly", row.get("price_monthly"), default=0.0, required=True)
    _check("price_monthly", price, price >= 0)
    return (
        c.text("id", row["id"], required=True),
        c.text("name", row["name"], required=True),
        c.text("description", row.get("description")),
        c.text("category", row["category"], required=True),
        c.integer("image_size_mb", row.get("image_size_mb")),
        c.integer("port", row.get("port")),
        c.boolean("requires_gpu", row.get("requires_gpu"), default=False),
        c.text("requires_flavor", row.get("requires_flavor")),
        price,
        c.integer("sort_order", row.get("sort_order"), default=0, required=True),
        created,
        updated,
    )


def convert_container_tier(row: dict, c: Cleaner, ctx) -> tuple:
    created, updated = c.created_updated(row)
    return (
        c.text("id", row["id"], required=True),
        c.text("name", row["name"], required=True),
        c.text("description", row.get("description")),
        c.text("image_type", row["image_type"], required=True),
        c.text("cpu_limit", row["cpu_limit"], required=True),
        c.text("memory_limit", row["memory_limit"], required=True),
        c.text("memory_reservation", row.get("memory_reservation")),
        c.integer("storage_gb", row["storage_gb"], required=True),
        c.boolean("has_desktop_access", row.get("has_desktop_access"), default=False),
        c.boolean("is_default", row.get("is_default"), default=False),
        c.integer("sort_order", row.get("sort_order"), default=0),
        created,
        updated,
    )


TABLES = [
    Table(
        "resource_tiers",
        ResourceTier,
        (
            "id",
            "name",
            "description",
            "cpu_cores",
            "memory_gb",
            "storage_gb",
            "price_monthly",
            "is_default",
            "sort_order",
            "created_at",
            "updated_at",
        ),
        convert_resource_tier,
        reference=True,
    ),
    Table(
        "container_flavors",
        ContainerFlavor,
        (
            "id",
            "name",
            "description",
            "languages",
            "image_size_mb",
            "is_default",
            "enabled",
            "sort_order",
            "created_at",
            "updated_at",
        ),
        convert_flavor,
        reference=True,
    ),
    Table(
        "container_addons",
        ContainerAddon,
        (
            "id",
            "name",
            "description",
            "category",
            "image_size_mb",
            "port",
            "requires_gpu",
            "requires_flavor",
            "price_monthly",
            "sort_order",
            "created_at",
            "updated_at",
        ),
        convert_addon,
        reference=True,
    ),
    Table(
        "container_tiers",
        ContainerTier,
        (
            "id",
            "name",
            "description",
            "image_type",
            "cpu_limit",
            "memory_limit",
            "memory_reservation",
            "storage_gb",
            "has_desktop_access",
            "is_default",
            "sort_order",
            "created_at",
            "updated_at",
        ),
        convert_container_tier,
        reference=True,
    ),
]


# -- export -----------------------------------------------------------------------------------------

_STAMPS = (sqlite_time("created_at"), sqlite_time("updated_at"))

def finalize(ctx) -> None:
    """The import wrote the tables with SQL: no save signal told the cached responses."""
    reference_data_changed()


EXPORT_TABLES = [
    ExportTable(
        "resource_tiers",
        ResourceTier,
        ("id", "name", "description", "cpu_cores", "memory_gb", "storage_gb", "price_monthly",
         flag("is_default"), "sort_order", *_STAMPS),
    ),
    ExportTable(
        "container_flavors",
        ContainerFlavor,
        ("id", "name", "description", "languages", "image_size_mb", flag("is_default"), flag("enabled"),
         "sort_order", *_STAMPS),
    ),
    ExportTable(
        "container_addons",
        ContainerAddon,
        ("id", "name", "description", "category", "image_size_mb", "port", flag("requires_gpu"),
         "requires_flavor", "price_monthly", "sort_order", *_STAMPS),
    ),
    ExportTable(
        "container_tiers",
        ContainerTier,
        ("id", "name", "description", "image_type", "cpu_limit", "memory_limit", "memory_reservation",
         "storage_gb", flag("has_desktop_access"), flag("is_default"), "sort_order", *_STAMPS),
    ),
]
