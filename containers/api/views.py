"""`/api/resource-tiers`, `/api/flavors`, `/api/addons`: what operators set in the admin, read-only.

Signed-in users and the service token may read them (DECISIONS 4).
"""

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api.errors import InvalidRequest, NotFound
from core.api.permissions import IsUserOrService
from core.api.schema import error_responses

from .. import selectors
from ..cache import cached_reference
from ..services import addons_validate
from . import serializers as s

ADDON_CATEGORIES = ["interface", "compute", "storage", "devops"]

ID = OpenApiParameter("id", str, OpenApiParameter.PATH)


class ReferenceViewSet(viewsets.GenericViewSet):
    """List in an envelope (`{"<envelope>": [...]}`), detail as a bare object, with the contract's 404."""

    permission_classes = [IsUserOrService]
    lookup_value_regex = "[^/]+"
    envelope: str
    not_found: str

    def envelope_response(self, queryset, **extra):
        return Response({self.envelope: self.get_serializer(queryset, many=True).data, **extra})

    def get_object(self):
        obj = self.get_queryset().filter(pk=self.kwargs["pk"]).first()
        if obj is None:
            raise NotFound(self.not_found)
        return obj

    @cached_reference
    def list(self, request):
        return self.envelope_response(self.get_queryset())

    @cached_reference
    def retrieve(self, request, pk=None):
        return Response(self.get_serializer(self.get_object()).data)


class DefaultRowViewSet(ReferenceViewSet):
    """Adds `/default`: the one row marked default, or the contract's 404."""

    no_default: str

    @action(detail=False)
    @cached_reference
    def default(self, request):
        row = self.get_queryset().model.objects.default()
        if row is None:
            raise NotFound(self.no_default)
        return Response(self.get_serializer(row).data)


@extend_schema_view(
    list=extend_schema(summary="Resource tiers, by sortOrder",
                       responses={200: s.ResourceTierListResponse, **error_responses(401)}),
    retrieve=extend_schema(summary="One resource tier, with its container limits", parameters=[ID],
                           responses={200: s.ResourceTierDetailSerializer,
                                      **error_responses(401, 404, e404="Resource tier not found")}),
    default=extend_schema(summary="The default resource tier",
                          responses={200: s.ResourceTierSerializer,
                                     **error_responses(401, 404, e404="No default tier configured")}),
)
class ResourceTierViewSet(DefaultRowViewSet):
    def get_queryset(self):
        return selectors.resource_tiers()

    serializer_class = s.ResourceTierSerializer
    envelope, not_found, no_default = "tiers", "Resource tier not found", "No default tier configured"

    def get_serializer_class(self):
        return s.ResourceTierDetailSerializer if self.action == "retrieve" else s.ResourceTierSerializer


@extend_schema_view(
    list=extend_schema(summary="Enabled container flavors, by sortOrder",
                       responses={200: s.ContainerFlavorListResponse, **error_responses(401)}),
    retrieve=extend_schema(summary="One container flavor (disabled ones too)", parameters=[ID],
                           responses={200: s.ContainerFlavorSerializer,
                                      **error_responses(401, 404, e404="Container flavor not found")}),
    default=extend_schema(summary="The default container flavor",
                          responses={200: s.ContainerFlavorSerializer,
                                     **error_responses(401, 404, e404="No default flavor configured")}),
    by_language=extend_schema(
        summary="Flavors (disabled ones too) whose languages contain the given one, case-insensitively",
        parameters=[OpenApiParameter("language", str, OpenApiParameter.PATH)],
        responses={200: s.ContainerFlavorListResponse, **error_responses(401)}),
)
class ContainerFlavorViewSet(DefaultRowViewSet):
    def get_queryset(self):
        return selectors.flavors()

    serializer_class = s.ContainerFlavorSerializer
    envelope, not_found, no_default = "flavors", "Container flavor not found", "No default flavor configured"

    @cached_reference
    def list(self, request):
        return self.envelope_response(selectors.flavors(enabled_only=True))

    @action(detail=False, url_path=r"by-language/(?P<language>[^/]+)")
    @cached_reference
    def by_language(self, request, language: str):
        flavors = selectors.flavors_for_language(language=language)
        if not flavors:
            return self.envelope_response([], message=f"No flavors found for language: {language}")
        return self.envelope_response(flavors)


@extend_schema_view(
    list=extend_schema(summary="Container addons, by sortOrder",
                       responses={200: s.ContainerAddonListResponse, **error_responses(401)}),
    retrieve=extend_schema(summary="One container addon", parameters=[ID],
                           responses={200: s.ContainerAddonSerializer,
                                      **error_responses(401, 404, e404="Container addon not found")}),
    non_gpu=extend_schema(summary="Addons that need no GPU",
                          responses={200: s.ContainerAddonListResponse, **error_responses(401)}),
    by_category=extend_schema(
        summary="Addons of one category",
        parameters=[OpenApiParameter("category", str, OpenApiParameter.PATH, enum=ADDON_CATEGORIES)],
        responses={200: s.ContainerAddonListResponse,
                   **error_responses(400, 401, e400="Invalid category. Must be one of: interface, compute, "
                                                    "storage, devops")}),
)
class ContainerAddonViewSet(ReferenceViewSet):
    def get_queryset(self):
        return selectors.addons()

    serializer_class = s.ContainerAddonSerializer
    envelope, not_found = "addons", "Container addon not found"

    @action(detail=False, url_path="non-gpu")
    @cached_reference
    def non_gpu(self, request):
        return self.envelope_response(selectors.addons(without_gpu=True))

    @extend_schema(summary="Check a flavor and addon combination", request=s.AddonValidateInput, responses={
        200: s.AddonValidateResponse, **error_responses(400, 401)})
    @action(detail=False, methods=["post"])
    def validate(self, request):
        data = s.AddonValidateInput(data=request.data)
        data.is_valid(raise_exception=True)
        result = addons_validate(flavor_id=data.validated_data.get("flavorId"),
                                 addon_ids=data.validated_data["addonIds"], has_gpu=data.validated_data["hasGpu"])
        body = {"valid": result.valid, "errors": result.errors, "warnings": result.warnings}
        if result.details is not None:
            details = result.details
            body["details"] = {"flavorId": details.flavor_id, "flavorName": details.flavor_name,
                               "addonIds": details.addon_ids, "totalAddonPrice": details.total_addon_price,
                               "exposedPorts": details.exposed_ports}
        return Response(body)

    @action(detail=False, url_path=r"by-category/(?P<category>[^/]+)")
    @cached_reference
    def by_category(self, request, category: str):
        if category not in ADDON_CATEGORIES:
            raise InvalidRequest(f"Invalid category. Must be one of: {', '.join(ADDON_CATEGORIES)}")
        return self.envelope_response(selectors.addons(category=category))
