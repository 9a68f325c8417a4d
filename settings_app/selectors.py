"""Reads of users' OpenCode configuration and preferences."""

from django.db.models import Case, IntegerField, When

from .models import OpencodeFileType, UserOpencodeConfig, UserOpencodeFile, UserPreferences

_TYPE_ORDER = Case(*[When(type=value, then=index) for index, value in enumerate(OpencodeFileType.values)],
                   output_field=IntegerField())


def opencode_config_get(*, user_id: str) -> UserOpencodeConfig | None:
    return UserOpencodeConfig.objects.filter(user_id=user_id).first()


def opencode_files_list(*, user_id: str, file_type: str | None = None):
    """A user's files, agent < command < tool < plugin (the enum's order), then by name."""
    files = UserOpencodeFile.objects.filter(user_id=user_id)
    if file_type:
        files = files.filter(type=file_type)
    return files.order_by(_TYPE_ORDER, "name")


def opencode_file_get(*, user_id: str, file_type: str, name: str) -> UserOpencodeFile | None:
    return UserOpencodeFile.objects.filter(user_id=user_id, type=file_type, name=name).first()


def preferences_version(*, user_id: str) -> int:
    """The user's settings version, 0 when they have no preferences yet (does not create the row)."""
    version = UserPreferences.objects.filter(user_id=user_id).values_list("settings_version", flat=True).first()
    return version or 0


def opencode_user_config(*, user_id: str) -> dict | None:
    """A user's config as sandbox containers receive it (`OPENCODE_USER_CONFIG`): settings, AGENTS.md when
    set, files; None when they have neither config nor files."""
    config = opencode_config_get(user_id=user_id)
    files = [{"type": file.type, "name": file.name, "extension": file.extension, "content": file.content}
             for file in opencode_files_list(user_id=user_id)]
    if config is None and not files:
        return None
    body: dict = {"settings": config.settings if config else {}}
    if config and config.agents_md is not None:
        body["agents_md"] = config.agents_md
    body["files"] = files
    return body
