"""Reference data as the clients read it (api-contract 2.8-2.10): camelCase, no timestamps."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api.schema import envelope

from ..models import ContainerAddon, ContainerFlavor, ResourceTier
from ..services import resource_limits


class ResourcesSerializer(serializers.Serializer):
    cpuCores = serializers.IntegerField(source="cpu_cores")  # noqa: N815
    memoryGb = serializers.IntegerField(source="memory_gb")  # noqa: N815
    storageGb = serializers.IntegerField(source="storage_gb")  # noqa: N815


class ResourceTierSerializer(serializers.ModelSerializer):
    resources = ResourcesSerializer(source="*")
    priceMonthly = serializers.FloatField(source="price_monthly")  # noqa: N815
    isDefault = serializers.BooleanField(source="is_default")  # noqa: N815
    sortOrder = serializers.IntegerField(source="sort_order")  # noqa: N815

    class Meta:
        model = ResourceTier
        fields = ["id", "name", "description", "resources", "priceMonthly", "isDefault", "sortOrder"]


class ResourceLimitsSerializer(serializers.Serializer):
    limits_memory = serializers.CharField()
    limits_memory_reservation = serializers.CharField()
    limits_cpus = serializers.CharField()


class ResourceTierDetailSerializer(ResourceTierSerializer):
    _resourceLimits = serializers.SerializerMethodField()  # noqa: N815

    class Meta(ResourceTierSerializer.Meta):
        fields = [*ResourceTierSerializer.Meta.fields, "_resourceLimits"]

    @extend_schema_field(ResourceLimitsSerializer)
    def get__resourceLimits(self, tier) -> dict:
        return resource_limits(tier)


class ContainerFlavorSerializer(serializers.ModelSerializer):
    languages = serializers.ListField(child=serializers.CharField())
    imageSizeMb = serializers.IntegerField(source="image_size_mb", allow_null=True)  # noqa: N815
    isDefault = serializers.BooleanField(source="is_default")  # noqa: N815
    sortOrder = serializers.IntegerField(source="sort_order")  # noqa: N815

    class Meta:
        model = ContainerFlavor
        fields = ["id", "name", "description", "languages", "imageSizeMb", "isDefault", "sortOrder"]


class ContainerAddonSerializer(serializers.ModelSerializer):
    imageSizeMb = serializers.IntegerField(source="image_size_mb", allow_null=True)  # noqa: N815
    requiresGpu = serializers.BooleanField(source="requires_gpu")  # noqa: N815
    requiresFlavor = serializers.CharField(source="requires_flavor", allow_null=True)  # noqa: N815
    priceMonthly = serializers.FloatField(source="price_monthly")  # noqa: N815
    sortOrder = serializers.IntegerField(source="sort_order")  # noqa: N815

    class Meta:
        model = ContainerAddon
        fields = ["id", "name", "description", "category", "imageSizeMb", "port", "requiresGpu", "requiresFlavor",
                  "priceMonthly", "sortOrder"]


class AddonValidateInput(serializers.Serializer):
    flavorId = serializers.CharField(required=False)  # noqa: N815
    addonIds = serializers.ListField(child=serializers.CharField(), default=list)  # noqa: N815
    hasGpu = serializers.BooleanField(default=False)  # noqa: N815


# -- response envelopes (OpenAPI only: the views build the same dicts) --------------------------------------

@envelope
class ResourceTierListResponse(serializers.Serializer):
    tiers = ResourceTierSerializer(many=True)


@envelope
class ContainerFlavorListResponse(serializers.Serializer):
    flavors = ContainerFlavorSerializer(many=True)
    message = serializers.CharField(required=False, help_text="by-language only, when no flavor matches")


@envelope
class ContainerAddonListResponse(serializers.Serializer):
    addons = ContainerAddonSerializer(many=True)


class AddonValidateDetailsSerializer(serializers.Serializer):
    flavorId = serializers.CharField()  # noqa: N815
    flavorName = serializers.CharField()  # noqa: N815
    addonIds = serializers.ListField(child=serializers.CharField())  # noqa: N815
    totalAddonPrice = serializers.FloatField()  # noqa: N815
    exposedPorts = serializers.ListField(child=serializers.IntegerField())  # noqa: N815


class AddonValidateResponse(serializers.Serializer):
    valid = serializers.BooleanField()
    errors = serializers.ListField(child=serializers.CharField())
    warnings = serializers.ListField(child=serializers.CharField())
    details = AddonValidateDetailsSerializer(required=False, help_text="Absent when the flavor is not found "
                                                                       "or an addon id is unknown")
