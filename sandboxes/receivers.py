"""The sandboxes app's receivers: config changes reach running sandboxes, a changed sandbox's kept OpenCode
address is forgotten (endpoint_cache.py), and its part of an account."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from core.serializers import iso_datetime
from core.signals import opencode_config_changed
from core.user_data import UserDataPart

from . import endpoint_cache
from .models import Sandbox
from .orchestrator import EngineError, get_orchestrator
from .services import sandboxes_push_config_soon
from .specs import container_ref


@receiver(opencode_config_changed)
def push_changed_config(sender, *, user_id, **kwargs):
    sandboxes_push_config_soon(user_id=user_id)


@receiver(post_save, sender=Sandbox)
@receiver(post_delete, sender=Sandbox)
def forget_opencode_endpoint(sender, instance, **kwargs):
    endpoint_cache.running.forget(instance.pk)


def _counts(user) -> dict:
    return {"sandboxCount": Sandbox.objects.filter(user=user).count()}


def _export(user) -> dict:
    return {"sandboxes": [
        {"id": s.id, "name": s.name, "slug": s.slug, "description": s.description, "status": s.status,
         "flavorId": s.flavor_id, "resourceTierId": s.resource_tier_id, "addonIds": s.addon_ids,
         "createdAt": iso_datetime(s.created_at)}
        for s in Sandbox.objects.filter(user=user).order_by("created_at")]}


def _release(user, result: dict) -> None:
    """Remove the containers before the rows go (the database cascades the rows with the user). A
    container the engine cannot remove is reported; its sandbox is not counted as deleted."""
    orchestrator = get_orchestrator()
    for sandbox in Sandbox.objects.filter(user=user).only("id", "container_id"):
        if sandbox.container_id:
            try:
                orchestrator.remove(container_ref(sandbox), remove_volumes=result["deleteContainers"])
            except EngineError:
                result["errors"].append(f"Could not remove the container of sandbox {sandbox.pk}")
                continue
        result["sandboxesDeleted"] += 1


USER_DATA = UserDataPart(name="sandboxes", order=20, counts=_counts, export=_export, release=_release)
