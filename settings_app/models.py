"""Settings: each user's OpenCode config and files, and user preferences."""

from django.conf import settings
from django.db import models
from django.db.models import Value

from core.fields import JSONTextField, choices_check
from core.ids import uuid4_str
from core.models import TimeStampedModel


class UserOpencodeConfig(TimeStampedModel):
    """A user's OpenCode `opencode.json` settings object and AGENTS.md."""

    id = models.TextField(primary_key=True, default=uuid4_str, editable=False)
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="opencode_config")
    settings = JSONTextField(default=dict, db_default=Value("{}"))
    agents_md = models.TextField(null=True, blank=True)

    class Meta:
        db_table = "user_opencode_config"

    def __str__(self) -> str:
        return f"OpenCode config of {self.user_id}"


class OpencodeFileType(models.TextChoices):
    AGENT = "agent"
    COMMAND = "command"
    TOOL = "tool"
    PLUGIN = "plugin"


class OpencodeFileExtension(models.TextChoices):
    MD = "md"
    TS = "ts"
    JS = "js"


class UserOpencodeFile(TimeStampedModel):
    """One of a user's OpenCode agents, commands, tools or plugins."""

    id = models.TextField(primary_key=True, default=uuid4_str, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="opencode_files",
                             db_index=False)
    type = models.TextField(choices=OpencodeFileType.choices)
    name = models.TextField()
    extension = models.TextField(choices=OpencodeFileExtension.choices)
    content = models.TextField()

    class Meta:
        db_table = "user_opencode_files"
        ordering = ["type", "name"]
        constraints = [
            models.UniqueConstraint(fields=["user", "type", "name"], name="user_opencode_files_unique"),
            choices_check("type", OpencodeFileType),
            choices_check("extension", OpencodeFileExtension),
        ]
        indexes = [
            models.Index(fields=["user"], name="user_oc_files_user_id_idx"),
            models.Index(fields=["user", "type"], name="user_opencode_files_type_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.type}/{self.name}.{self.extension}"


def default_addon_ids() -> list[str]:
    return ["code-server"]


class ThemeMode(models.TextChoices):
    LIGHT = "light"
    DARK = "dark"
    SYSTEM = "system"


class UserPreferences(TimeStampedModel):
    id = models.TextField(primary_key=True, default=uuid4_str, editable=False)
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="preferences")
    theme_mode = models.TextField(choices=ThemeMode.choices, null=True, default=ThemeMode.SYSTEM,
                                  db_default=ThemeMode.SYSTEM)
    theme_preset = models.TextField(null=True, default="default-neutral", db_default="default-neutral")
    auto_refresh_interval = models.IntegerField(null=True, default=30, db_default=30)
    in_app_notifications = models.BooleanField(null=True, default=True, db_default=True)
    system_notifications = models.BooleanField(null=True, default=True, db_default=True)
    default_resource_tier_id = models.TextField(null=True, default="starter", db_default="starter")
    default_flavor_id = models.TextField(null=True, default="fullstack", db_default="fullstack")
    default_addon_ids = JSONTextField(null=True, default=default_addon_ids,
                                      db_default=Value('["code-server"]'))
    default_agent_id = models.TextField(null=True, default="opencode", db_default="opencode")
    settings_version = models.IntegerField(null=True, default=1, db_default=1)

    class Meta:
        db_table = "user_preferences"
        verbose_name_plural = "user preferences"
        constraints = [choices_check("theme_mode", ThemeMode)]

    def __str__(self) -> str:
        return f"Preferences of {self.user_id}"
