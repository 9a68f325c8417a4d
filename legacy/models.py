"""What the import itself remembers between runs.

- `ImportRun`: one row per app imported (not dry runs), so `--app chat` can tell whether its parents
  (accounts, sandboxes) were imported before, and operators can see when each app last came over.
- `ReferenceRow`: a digest of each reference-data row as the import last wrote it. A row whose
  current digest differs was changed by an operator since, and is kept unless --overwrite-reference.
"""

from django.db import models


class ImportRun(models.Model):
    app_label = models.TextField()
    source = models.TextField()
    schema_version = models.IntegerField(null=True)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField()
    counts = models.JSONField(default=dict)

    class Meta:
        db_table = "legacy_import_run"
        ordering = ["-finished_at"]
        indexes = [models.Index(fields=["app_label"], name="legacy_import_run_app_idx")]

    def __str__(self) -> str:
        return f"{self.app_label} from {self.source} at {self.finished_at:%Y-%m-%d %H:%M}"


class ReferenceRow(models.Model):
    table_name = models.TextField()
    pk_value = models.TextField()
    digest = models.TextField()

    class Meta:
        db_table = "legacy_reference_row"
        constraints = [
            models.UniqueConstraint(fields=["table_name", "pk_value"], name="legacy_reference_row_unique")
        ]

    def __str__(self) -> str:
        return f"{self.table_name}:{self.pk_value}"
