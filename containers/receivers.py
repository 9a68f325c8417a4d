"""Any write to the reference data forgets its cached responses (containers.cache)."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .cache import reference_data_changed
from .models import ContainerAddon, ContainerFlavor, ContainerTier, ResourceTier


@receiver(post_save, sender=ResourceTier)
@receiver(post_save, sender=ContainerFlavor)
@receiver(post_save, sender=ContainerAddon)
@receiver(post_save, sender=ContainerTier)
@receiver(post_delete, sender=ResourceTier)
@receiver(post_delete, sender=ContainerFlavor)
@receiver(post_delete, sender=ContainerAddon)
@receiver(post_delete, sender=ContainerTier)
def forget_cached_reference_responses(sender, **kwargs):
    reference_data_changed()
