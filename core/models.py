"""Abstract building blocks shared by the domain apps' models, and the global key-value table."""

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


class Setting(models.Model):
    """The global key-value table `settings` (e.g. `docker_sandbox_migration_pending`).

    It lives in core because several apps keep values in it without importing each other: providers
    keeps each user's default provider here (`default_provider:<user id>`, DECISIONS 5), and the legacy
    import of `settings` (settings_app/legacy.py) fills it."""

    key = models.TextField(primary_key=True)
    value = models.TextField()
    updated_at = models.DateTimeField(auto_now=True, db_default=Now())

    class Meta:
        db_table = "settings"
        ordering = ["key"]

    def __str__(self) -> str:
        return self.key

    @staticmethod
    def user_key(*, name: str, user_id: str) -> str:
        """Where one user's value of a once-global setting lives (`default_provider:<user id>`): per user
        without changing the table."""
        return f"{name}:{user_id}"
