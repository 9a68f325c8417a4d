from django.apps import AppConfig


class LegacyConfig(AppConfig):
    """The SQLite import engine and the `import_sqlite` command; mappings live in `<app>/legacy.py`."""

    name = "legacy"
    verbose_name = "Legacy SQLite import"
