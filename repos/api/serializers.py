"""Inputs of `/api/v2/repos` (api-contract 2.13, validated as DECISIONS 11 says) and its response shapes.

The response serializers describe the OpenAPI schema only: the selectors build the same dicts.
"""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..paths import NAME_MESSAGE, NAME_PATTERN

# A signature line cannot hold these: libgit2 refuses them, so they are a 400 here, not a 500 there.
SIGNATURE_PATTERN = r"^[^<>\n\x00]+\Z"
REF_MAX = 255


def name_field(**kwargs) -> serializers.RegexField:
    return serializers.RegexField(rf"^{NAME_PATTERN}\Z", max_length=100,
                                  error_messages={"invalid": NAME_MESSAGE}, **kwargs)


def ref_field(**kwargs) -> serializers.CharField:
    return serializers.CharField(max_length=REF_MAX, trim_whitespace=False, **kwargs)


def path_field(**kwargs) -> serializers.CharField:
    # Paths are checked by repos.paths (length, NUL, escapes); whitespace is part of a file name.
    return serializers.CharField(trim_whitespace=False, **kwargs)


@extend_schema_field({"oneOf": [{"type": "boolean"}, {"type": "string"}]})
class TemplateFileField(serializers.Field):
    """`true` for the default content, a string for one's own, `false` (or absent) for no file."""

    default_error_messages = {"invalid": "Must be a boolean or a string."}  # noqa: RUF012 (DRF's convention)

    def to_internal_value(self, data):
        if not isinstance(data, (bool, str)):
            self.fail("invalid")
        return data

    def to_representation(self, value):
        return value


# -- inputs ------------------------------------------------------------------------------------------------

class TemplateInput(serializers.Serializer):
    readme = TemplateFileField(required=False, help_text="README.md")
    gitignore = TemplateFileField(required=False, help_text=".gitignore")
    agentpodConfig = TemplateFileField(required=False, help_text="agentpod.toml")  # noqa: N815


class RepositoryCreateInput(serializers.Serializer):
    name = name_field()
    description = serializers.CharField(max_length=500, required=False, allow_blank=True)
    defaultBranch = ref_field(required=False, help_text='Default "main"')  # noqa: N815
    template = TemplateInput(required=False,
                             help_text="With a template (even `{}`) there is an initial commit")


class CloneAuthInput(serializers.Serializer):
    token = serializers.CharField(required=False, trim_whitespace=False, help_text="Used once, never stored")
    username = serializers.CharField(required=False, trim_whitespace=False)
    password = serializers.CharField(required=False, trim_whitespace=False,
                                     help_text="Used once, never stored")


class RepositoryCloneInput(serializers.Serializer):
    url = serializers.CharField(max_length=2048, help_text="An https URL, without credentials")
    name = name_field()
    branch = ref_field(required=False)
    depth = serializers.IntegerField(min_value=1, required=False)
    auth = CloneAuthInput(required=False)


class FilesQuery(serializers.Serializer):
    path = path_field(required=False, allow_blank=True, default="", help_text="A directory; default the root")
    ref = ref_field(required=False, default="HEAD")


class FileQuery(serializers.Serializer):
    path = path_field(required=False, allow_blank=True, help_text="Required")
    ref = ref_field(required=False, default="HEAD")


class FileWriteInput(serializers.Serializer):
    path = path_field()
    content = serializers.CharField(allow_blank=True, trim_whitespace=False)


class FileDeleteInput(serializers.Serializer):
    path = path_field()


class StageInput(serializers.Serializer):
    paths = serializers.ListField(child=path_field(), required=False, allow_empty=True,
                                  help_text="Omitted or empty: stage everything")


class AuthorInput(serializers.Serializer):
    name = serializers.RegexField(SIGNATURE_PATTERN, max_length=200)
    email = serializers.EmailField(max_length=200)


class CommitInput(serializers.Serializer):
    message = serializers.CharField(max_length=500, trim_whitespace=False)
    author = AuthorInput(required=False, help_text='Default "AgentPod User <user@agentpod.dev>"')


class LogQuery(serializers.Serializer):
    limit = serializers.IntegerField(min_value=1, max_value=1000, default=20)
    ref = ref_field(required=False, default="HEAD")


class BranchCreateInput(serializers.Serializer):
    name = serializers.CharField(max_length=100, trim_whitespace=False)
    ref = ref_field(required=False, help_text="Default HEAD")


class CheckoutInput(serializers.Serializer):
    ref = ref_field()


class DiffQuery(serializers.Serializer):
    to = ref_field(required=False, help_text="Default: the working tree")
    # `from` is a Python keyword: the field is declared through the class namespace.
    locals()["from"] = ref_field(required=False, help_text="Default HEAD")


# -- responses (schema only) -------------------------------------------------------------------------------

class RepositorySerializer(serializers.Serializer):
    name = serializers.CharField()
    path = serializers.CharField(help_text="The repository's folder on the server")
    createdAt = serializers.CharField(help_text="ISO 8601")  # noqa: N815
    lastModified = serializers.CharField(help_text="ISO 8601")  # noqa: N815
    currentBranch = serializers.CharField(  # noqa: N815
        allow_null=True, help_text="null when HEAD is detached")
    isDirty = serializers.BooleanField()  # noqa: N815
    remoteUrl = serializers.CharField(allow_null=True)  # noqa: N815
    description = serializers.CharField(allow_null=True)


class RepositoryResponse(serializers.Serializer):
    repository = RepositorySerializer()


class RepositoryListResponse(serializers.Serializer):
    repositories = RepositorySerializer(many=True)
    count = serializers.IntegerField()


class RepoSuccessResponse(serializers.Serializer):
    success = serializers.BooleanField()
    message = serializers.CharField()


class FileEntrySerializer(serializers.Serializer):
    name = serializers.CharField()
    path = serializers.CharField()
    type = serializers.CharField(help_text="file, directory, symlink or submodule")
    mode = serializers.CharField(help_text='Octal, e.g. "100644"')
    sha = serializers.CharField(help_text='"" for a working-tree entry')


class FileListResponse(serializers.Serializer):
    files = FileEntrySerializer(many=True)
    path = serializers.CharField()
    ref = serializers.CharField()


class FileContentSerializer(serializers.Serializer):
    path = serializers.CharField()
    content = serializers.CharField()
    encoding = serializers.CharField(help_text="utf8, or base64 for a file that is not UTF-8")
    size = serializers.IntegerField(help_text="Bytes")
    sha = serializers.CharField(help_text='"" for a file read from the working tree')


class FileResponse(serializers.Serializer):
    file = FileContentSerializer()


class FileStatusSerializer(serializers.Serializer):
    path = serializers.CharField()
    staged = serializers.CharField(help_text="unmodified, added, modified, deleted or renamed")
    unstaged = serializers.CharField(help_text="unmodified, modified, deleted, renamed or untracked")
    tracked = serializers.BooleanField()


class StatusResponse(serializers.Serializer):
    files = FileStatusSerializer(many=True)


class CommitCreatedResponse(serializers.Serializer):
    sha = serializers.CharField()
    message = serializers.CharField(help_text='"Commit created"')


class PersonSerializer(serializers.Serializer):
    name = serializers.CharField()
    email = serializers.CharField()
    timestamp = serializers.CharField(help_text="ISO 8601")


class CommitSerializer(serializers.Serializer):
    sha = serializers.CharField()
    message = serializers.CharField()
    author = PersonSerializer()
    committer = PersonSerializer()
    parents = serializers.ListField(child=serializers.CharField())
    timestamp = serializers.CharField(help_text="The author's time, ISO 8601")


class LogResponse(serializers.Serializer):
    commits = CommitSerializer(many=True)


class CommitDetailResponse(serializers.Serializer):
    commit = CommitSerializer()


class BranchSerializer(serializers.Serializer):
    name = serializers.CharField()
    ref = serializers.CharField()
    sha = serializers.CharField()
    current = serializers.BooleanField()
    upstream = serializers.CharField(allow_null=True, help_text='e.g. "origin/main"')
    ahead = serializers.IntegerField(allow_null=True)
    behind = serializers.IntegerField(allow_null=True)


class BranchListResponse(serializers.Serializer):
    branches = BranchSerializer(many=True)
    current = serializers.CharField(allow_null=True)


class RenameSerializer(serializers.Serializer):
    to = serializers.CharField()
    locals()["from"] = serializers.CharField()


class DiffSerializer(serializers.Serializer):
    added = serializers.ListField(child=serializers.CharField())
    modified = serializers.ListField(child=serializers.CharField())
    deleted = serializers.ListField(child=serializers.CharField())
    renamed = RenameSerializer(many=True)


class DiffResponse(serializers.Serializer):
    diff = DiffSerializer()
