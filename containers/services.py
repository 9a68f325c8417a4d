"""Image resolution: flavor + addons + resource tier → what a sandbox container is built from.

One resolver serves both callers:
- sandbox creation (`image_resolve`): image reference, resource limits from the resource_tiers table
  (DECISIONS 16), exposed ports, GPU need, addon environment; a disabled flavor, an unknown flavor,
  tier or addon, and an addon rule that is not met are errors (DECISIONS 17);
- `POST /api/addons/validate` (`addons_validate`): the old route's result, rule for rule
  (api-contract 2.10).

Image naming follows the old server (api-contract 2.11 step 5): `codeopen-<flavor>:<version>` in
development, `<registry>/<owner>/codeopen-<flavor>:<version>` with a registry; see `containers.conf`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from .conf import container_settings
from .models import ContainerAddon, ContainerFlavor, ResourceTier

GIB = 1024**3
# The old resolver's estimate of the base image every flavor builds on (peer image-resolver-27..29).
BASE_IMAGE_SIZE_MB = 500
# Environment an addon turns on inside the container (the old resolver's `generateAddonEnvVars`).
ADDON_ENV: dict[str, dict[str, str]] = {
    "code-server": {"CODE_SERVER_ENABLED": "true", "CODE_SERVER_PORT": "8080"},
    "gui": {"GUI_ENABLED": "true", "VNC_PORT": "6080", "DISPLAY": ":1"},
    "databases": {"DATABASE_TOOLS_ENABLED": "true"},
    "cloud": {"CLOUD_CLI_ENABLED": "true"},
    "gpu": {"GPU_ENABLED": "true", "NVIDIA_VISIBLE_DEVICES": "all"},
}


# -- resource limits ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class ContainerLimits:
    """What the engine enforces for a tier."""

    memory_bytes: int
    memory_reservation_bytes: int
    nano_cpus: int
    cpus: str
    pids_limit: int
    storage_bytes: int


def _reservation_gb(memory_gb: int) -> int:
    # The contract's `_resourceLimits`: starter 2g → 1g, builder 4g → 3g, creator 8g → 6g, power 16g → 12g.
    return math.floor(memory_gb * 0.75)


def resource_limits(tier: ResourceTier, /) -> dict[str, str]:
    """The `_resourceLimits` object of `GET /api/resource-tiers/:id` (snake_case keys, as the old server)."""
    return {
        "limits_memory": f"{tier.memory_gb}g",
        "limits_memory_reservation": f"{_reservation_gb(tier.memory_gb)}g",
        "limits_cpus": str(tier.cpu_cores),
    }


def container_limits(*, tier: ResourceTier) -> ContainerLimits:
    """The tier's row as engine limits: memory, a soft reservation, CPUs, a process limit and the size of
    the container's writable layer."""
    return ContainerLimits(
        memory_bytes=tier.memory_gb * GIB,
        memory_reservation_bytes=_reservation_gb(tier.memory_gb) * GIB,
        nano_cpus=tier.cpu_cores * 10**9,
        cpus=str(tier.cpu_cores),
        pids_limit=tier.cpu_cores * container_settings.SANDBOX_PIDS_PER_CPU,
        storage_bytes=tier.storage_gb * GIB,
    )


# -- images ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ImageReference:
    name: str
    tag: str

    @property
    def ref(self) -> str:
        return f"{self.name}:{self.tag}"


def image_reference(*, flavor_id: str) -> ImageReference:
    """The image of a flavor: `[registry/][owner/]<prefix>-<flavor>:<tag>`."""
    repository = f"{container_settings.SANDBOX_IMAGE_NAME_PREFIX}-{flavor_id}"
    registry = container_settings.SANDBOX_IMAGE_REGISTRY.strip("/")
    owner = container_settings.SANDBOX_IMAGE_OWNER.strip("/")
    if registry:
        repository = "/".join(part for part in (registry, owner, repository) if part)
    return ImageReference(name=repository, tag=container_settings.SANDBOX_IMAGE_TAG)


def addon_env(addons: list[ContainerAddon], /) -> dict[str, str]:
    env: dict[str, str] = {}
    for addon in addons:
        env.update(ADDON_ENV.get(addon.id, {}))
    return env


def image_size_estimate(*, flavor: ContainerFlavor, addons: list[ContainerAddon]) -> int:
    """Megabytes: the base image, the flavor and every addon (an unknown size counts as 0)."""
    addons_mb = sum(addon.image_size_mb or 0 for addon in addons)
    return BASE_IMAGE_SIZE_MB + (flavor.image_size_mb or 0) + addons_mb


# -- resolution --------------------------------------------------------------------------------------

@dataclass
class ImageResolution:
    """Everything a container needs from the reference data, plus what was wrong with the request.

    `errors` lists, in this order: the flavor problem, the tier problem, unknown addons (in the order
    asked), then addon rules (GPU, required flavor). When it is not empty the sandbox must not be
    created; fields that depend on a missing row are None.
    """

    flavor: ContainerFlavor | None
    resource_tier: ResourceTier | None
    addons: list[ContainerAddon]
    image: ImageReference | None
    limits: ContainerLimits | None
    resource_limits: dict[str, str] | None
    exposed_ports: list[int]
    requires_gpu: bool
    addon_env: dict[str, str]
    total_addon_price: float
    flavor_error: str | None = None
    tier_error: str | None = None
    missing_addon_ids: list[str] = field(default_factory=list)
    rule_errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def image_ref(self) -> str | None:
        return self.image.ref if self.image else None

    @property
    def errors(self) -> list[str]:
        return [
            *([self.flavor_error] if self.flavor_error else []),
            *([self.tier_error] if self.tier_error else []),
            *(f"Addon '{addon_id}' not found" for addon_id in self.missing_addon_ids),
            *self.rule_errors,
        ]

    @property
    def valid(self) -> bool:
        return not self.errors


def _flavor_lookup(flavor_id: str | None) -> tuple[ContainerFlavor | None, str | None]:
    if flavor_id is None:
        flavor = ContainerFlavor.objects.default()
        return flavor, None if flavor else "Flavor 'default' not found"
    flavor = ContainerFlavor.objects.filter(pk=flavor_id).first()
    return flavor, None if flavor else f"Flavor '{flavor_id}' not found"


def _tier_lookup(tier_id: str | None) -> tuple[ResourceTier | None, str | None]:
    if tier_id is None:
        tier = ResourceTier.objects.default()
        return tier, None if tier else "Resource tier 'default' not found"
    tier = ResourceTier.objects.filter(pk=tier_id).first()
    return tier, None if tier else f"Resource tier '{tier_id}' not found"


def _addons_lookup(addon_ids: list[str]) -> tuple[list[ContainerAddon], list[str], list[str]]:
    """Found addons (by sort order), unknown ids (in the order asked), warnings for repeated ids."""
    unique_ids = list(dict.fromkeys(addon_ids))
    warnings = [f"Addon '{addon_id}' is listed more than once" for addon_id in unique_ids
                if addon_ids.count(addon_id) > 1]
    addons = list(ContainerAddon.objects.filter(pk__in=unique_ids).ordered())
    found = {addon.id for addon in addons}
    return addons, [addon_id for addon_id in unique_ids if addon_id not in found], warnings


def _addon_rule_errors(addons: list[ContainerAddon], *, flavor_id: str, has_gpu: bool) -> list[str]:
    errors = []
    for addon in addons:
        if addon.requires_gpu and not has_gpu:
            errors.append(f"Addon '{addon.id}' requires GPU support")
        if addon.requires_flavor and addon.requires_flavor != flavor_id:
            errors.append(f"Addon '{addon.id}' requires flavor '{addon.requires_flavor}'")
    return errors


def image_resolve(*, flavor_id: str | None = None, addon_ids: list[str] | None = None,
                  resource_tier_id: str | None = None, has_gpu: bool = False,
                  require_enabled_flavor: bool = True) -> ImageResolution:
    """Resolve a sandbox's flavor, addons and tier. `None` for the flavor or tier means the default row.

    `has_gpu` says whether the engine's host offers a GPU (a GPU addon without one is an error).
    `require_enabled_flavor=False` accepts a disabled flavor, as the addon validation route does.
    Four queries at most, whatever the number of addons.
    """
    flavor, flavor_error = _flavor_lookup(flavor_id)
    if flavor is not None and require_enabled_flavor and not flavor.enabled:
        flavor_error = f"Flavor '{flavor.id}' is disabled"
    tier, tier_error = _tier_lookup(resource_tier_id)
    addons, missing, warnings = _addons_lookup(list(addon_ids or []))
    rule_errors = _addon_rule_errors(addons, flavor_id=flavor.id, has_gpu=has_gpu) if flavor else []
    return ImageResolution(
        flavor=flavor,
        resource_tier=tier,
        addons=addons,
        image=image_reference(flavor_id=flavor.id) if flavor else None,
        limits=container_limits(tier=tier) if tier else None,
        resource_limits=resource_limits(tier) if tier else None,
        exposed_ports=[addon.port for addon in addons if addon.port is not None],
        requires_gpu=any(addon.requires_gpu for addon in addons),
        addon_env=addon_env(addons),
        total_addon_price=sum(addon.price_monthly for addon in addons),
        flavor_error=flavor_error,
        tier_error=tier_error,
        missing_addon_ids=missing,
        rule_errors=rule_errors,
        warnings=warnings,
    )


# -- POST /api/addons/validate -------------------------------------------------------------------------

@dataclass(frozen=True)
class AddonValidationDetails:
    flavor_id: str
    flavor_name: str
    addon_ids: list[str]
    total_addon_price: float
    exposed_ports: list[int]


@dataclass(frozen=True)
class AddonValidation:
    valid: bool
    errors: list[str]
    warnings: list[str]
    details: AddonValidationDetails | None


def addons_validate(*, flavor_id: str | None, addon_ids: list[str], has_gpu: bool = False) -> AddonValidation:
    """The old validation route's answer (api-contract 2.10), computed by the same resolver.

    An unknown flavor answers only that error; unknown addons answer only their errors; otherwise
    the addon rules decide `valid` and the details are given. Disabled flavors are accepted here,
    as before (only sandbox creation rejects them). The tier plays no part.
    """
    resolution = image_resolve(flavor_id=flavor_id, addon_ids=addon_ids, has_gpu=has_gpu,
                               require_enabled_flavor=False)
    if resolution.flavor_error:
        return AddonValidation(valid=False, errors=[resolution.flavor_error], warnings=[], details=None)
    if resolution.missing_addon_ids:
        errors = [f"Addon '{addon_id}' not found" for addon_id in resolution.missing_addon_ids]
        return AddonValidation(valid=False, errors=errors, warnings=[], details=None)
    flavor = resolution.flavor
    return AddonValidation(
        valid=not resolution.rule_errors,
        errors=resolution.rule_errors,
        warnings=[],
        details=AddonValidationDetails(
            flavor_id=flavor.id, flavor_name=flavor.name, addon_ids=[addon.id for addon in resolution.addons],
            total_addon_price=resolution.total_addon_price, exposed_ports=resolution.exposed_ports),
    )
