"""Reference data operators manage in the admin: what a sandbox can be built from.

Resource tiers drive container resources (DECISIONS 16); flavors pick the base image; addons add
tools. `ContainerTier` is the legacy predecessor of resource tiers, kept for the import only.
Exactly one default tier and one default flavor is enforced by the database (a partial unique index
and a deferred constraint trigger, see migrations).
"""

from django.db import models, transaction
from django.db.models import Value

from core.fields import JSONTextField
from core.models import TimeStampedModel

from .cache import reference_data_changed


class ReferenceQuerySet(models.QuerySet):
    def ordered(self):
        return self.order_by("sort_order", "id")


class DefaultRowQuerySet(ReferenceQuerySet):
    """For tables with exactly one `is_default` row."""

    def default(self):
        return self.filter(is_default=True).first()

    def set_default(self, pk: str) -> None:
        """Make `pk` the default in one transaction (the old default is cleared first, so the
        partial unique index never sees two, and the deferred trigger sees exactly one at commit)."""
        with transaction.atomic():
            row = self.select_for_update().get(pk=pk)
            self.filter(is_default=True).exclude(pk=pk).update(is_default=False)
            if not row.is_default:
                self.filter(pk=pk).update(is_default=True)
        reference_data_changed()  # a queryset update sends no save signal


class ResourceTier(TimeStampedModel):
    id = models.TextField(primary_key=True)
    name = models.TextField()
    description = models.TextField(null=True, blank=True)
    cpu_cores = models.IntegerField()
    memory_gb = models.IntegerField()
    storage_gb = models.IntegerField()
    price_monthly = models.FloatField(default=0, db_default=0)
    is_default = models.BooleanField(default=False, db_default=False)
    sort_order = models.IntegerField(default=0, db_default=0)

    objects = DefaultRowQuerySet.as_manager()

    class Meta:
        db_table = "resource_tiers"
        ordering = ["sort_order", "id"]
        indexes = [models.Index(fields=["is_default"], name="resource_tiers_is_default_idx")]
        constraints = [
            models.UniqueConstraint(fields=["is_default"], condition=models.Q(is_default=True),
                                    name="resource_tiers_one_default",
                                    violation_error_message="Another resource tier is already the default."),
            models.CheckConstraint(condition=models.Q(price_monthly__gte=0), name="resource_tiers_price_not_negative",
                                   violation_error_message="The monthly price cannot be negative."),
            models.CheckConstraint(
                condition=models.Q(cpu_cores__gt=0, memory_gb__gt=0, storage_gb__gt=0),
                name="resource_tiers_resources_positive",
                violation_error_message="CPU cores, memory and storage must be positive."),
        ]

    def __str__(self) -> str:
        return self.name


class ContainerFlavor(TimeStampedModel):
    id = models.TextField(primary_key=True)
    name = models.TextField()
    description = models.TextField(null=True, blank=True)
    languages = JSONTextField(default=list, db_default=Value("[]"))
    image_size_mb = models.IntegerField(null=True, blank=True)
    is_default = models.BooleanField(default=False, db_default=False)
    enabled = models.BooleanField(default=True, db_default=True)
    sort_order = models.IntegerField(default=0, db_default=0)

    objects = DefaultRowQuerySet.as_manager()

    class Meta:
        db_table = "container_flavors"
        ordering = ["sort_order", "id"]
        indexes = [models.Index(fields=["is_default"], name="container_flavors_default_idx")]
        constraints = [
            models.UniqueConstraint(fields=["is_default"], condition=models.Q(is_default=True),
                                    name="container_flavors_one_default",
                                    violation_error_message="Another flavor is already the default."),
        ]

    def __str__(self) -> str:
        return self.name


class ContainerAddon(TimeStampedModel):
    id = models.TextField(primary_key=True)
    name = models.TextField()
    description = models.TextField(null=True, blank=True)
    category = models.TextField()
    image_size_mb = models.IntegerField(null=True, blank=True)
    port = models.IntegerField(null=True, blank=True)
    requires_gpu = models.BooleanField(default=False, db_default=False)
    requires_flavor = models.TextField(null=True, blank=True)
    price_monthly = models.FloatField(default=0, db_default=0)
    sort_order = models.IntegerField(default=0, db_default=0)

    objects = ReferenceQuerySet.as_manager()

    class Meta:
        db_table = "container_addons"
        ordering = ["sort_order", "id"]
        indexes = [models.Index(fields=["category"], name="container_addons_category_idx")]
        constraints = [
            models.CheckConstraint(condition=models.Q(price_monthly__gte=0),
                                   name="container_addons_price_not_negative",
                                   violation_error_message="The monthly price cannot be negative."),
        ]

    def __str__(self) -> str:
        return self.name


class ContainerTier(TimeStampedModel):
    """Legacy container tiers (superseded by resource tiers); imported, not used by the API."""

    id = models.TextField(primary_key=True)
    name = models.TextField()
    description = models.TextField(null=True, blank=True)
    image_type = models.TextField()
    cpu_limit = models.TextField()
    memory_limit = models.TextField()
    memory_reservation = models.TextField(null=True, blank=True)
    storage_gb = models.IntegerField()
    has_desktop_access = models.BooleanField(null=True, default=False, db_default=False)
    is_default = models.BooleanField(null=True, default=False, db_default=False)
    sort_order = models.IntegerField(null=True, default=0, db_default=0)

    class Meta:
        db_table = "container_tiers"
        ordering = ["sort_order", "id"]
        indexes = [models.Index(fields=["is_default"], name="container_tiers_is_default_idx")]

    def __str__(self) -> str:
        return self.name
