"""Abstract building blocks shared by the domain apps' models."""

from django.db import models
from django.db.models.functions import Now
from django.utils import timezone


def created_at_field() -> models.DateTimeField:
    """`created_at timestamp NOT NULL DEFAULT now()`, settable (imports keep the original time)."""
    return models.DateTimeField(default=timezone.now, db_default=Now())


class TimeStampedModel(models.Model):
    """`created_at` and `updated_at`, both defaulting to now() in the database too."""

    created_at = created_at_field()
    updated_at = models.DateTimeField(auto_now=True, db_default=Now())

    class Meta:
        abstract = True
