"""`/api/users/{userId}/opencode/*` and `/api/users/me/preferences` (api-contract 2.3, 2.4).

`{userId}` is the caller's id or `me`; any other id is a 404 (DECISIONS 3). The service token may
read any user's config and files, which the containers do at start (DECISIONS 4), and write nothing.
"""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from core.api.errors import Forbidden, InvalidRequest, NotFound
from core.api.permissions import IsUserServiceOrSandbox, is_sandbox, is_service
from core.api.schema import JSONObjectField, error_responses
from core.api.views import OwnerScopedMixin
from core.serializers import SuccessSerializer, parse_query, success

from .. import preferences_cache, selectors, services
from ..models import OpencodeFileType
from . import serializers as s

FILE_TYPES = OpencodeFileType.values


# -- OpenAPI shapes (schema only: the views build the same dicts) ------------------------------------------

USER_ID = OpenApiParameter("user_id", str, OpenApiParameter.PATH,
                           description="The caller's id or `me`; the service token may name any user (reads only)")
FILE_PATH = [USER_ID, OpenApiParameter("file_type", str, OpenApiParameter.PATH, enum=FILE_TYPES),
             OpenApiParameter("name", str, OpenApiParameter.PATH)]
USER_NOT_FOUND = "User not found: the path names another user"
READ_ERRORS = error_responses(401, 404, e404=USER_NOT_FOUND)
WRITE_ERRORS = error_responses(400, 401, 403, 404, e403="Forbidden: the service token may not write",
                               e404=USER_NOT_FOUND)


class OpencodeConfigResponse(serializers.Serializer):
    settings = JSONObjectField(help_text="OpenCode settings, stored verbatim")
    agents_md = serializers.CharField(allow_null=True)
    files = s.OpencodeFileContentSerializer(many=True)


class OpencodeSettingsResponse(serializers.Serializer):
    settings = JSONObjectField()


class OpencodeSettingsUpdateResponse(OpencodeSettingsResponse, SuccessSerializer):
    pass


class AgentsMdResponse(serializers.Serializer):
    content = serializers.CharField(help_text="Empty when none is stored")


class AgentsMdUpdateResponse(serializers.Serializer):
    success = serializers.BooleanField()
    content = serializers.CharField()
    message = serializers.CharField()


class OpencodeFileListResponse(serializers.Serializer):
    files = s.OpencodeFileSerializer(many=True)


class OpencodeFileUpdateResponse(s.OpencodeFileContentSerializer):
    success = serializers.BooleanField()
    message = serializers.CharField()

    class Meta(s.OpencodeFileContentSerializer.Meta):
        fields = ["success", *s.OpencodeFileContentSerializer.Meta.fields, "message"]


class SuccessMessageResponse(serializers.Serializer):
    success = serializers.BooleanField()
    message = serializers.CharField()


class PreferencesResponse(serializers.Serializer):
    preferences = s.PreferencesSerializer()


class PreferencesMessageResponse(PreferencesResponse):
    message = serializers.CharField()


class PreferencesVersionResponse(serializers.Serializer):
    version = serializers.IntegerField(help_text="0 when the user has no preferences yet")
    userId = serializers.CharField()  # noqa: N815


class PreferencesSyncResponse(serializers.Serializer):
    localVersion = serializers.IntegerField()  # noqa: N815
    serverVersion = serializers.IntegerField()  # noqa: N815
    needsSync = serializers.BooleanField()  # noqa: N815
    message = serializers.CharField()


USER_ERRORS = error_responses(401, 403)


class OpencodeView(OwnerScopedMixin, APIView):
    permission_classes = [IsUserServiceOrSandbox]

    def owner(self, user_id: str, *, write: bool = False) -> User | None:
        """The user whose config the path names, as this caller may see it: the service token reads any
        user's (DECISIONS 4), a sandbox's credential only its owner's (DECISIONS 31), a user only their own.
        Only users write."""
        principal = self.request.user
        if is_service(principal) or is_sandbox(principal):
            if write:
                raise Forbidden()
            if is_service(principal):
                return User.objects.filter(pk=user_id).first()
            if user_id in ("me", principal.user.pk):
                return principal.user
            raise NotFound("User not found")
        return self.path_user(user_id)

    @staticmethod
    def file_type(value: str) -> str:
        if value not in FILE_TYPES:
            raise InvalidRequest("Invalid file type", details=f"type: must be one of {', '.join(FILE_TYPES)}")
        return value


class OpencodeConfigView(OpencodeView):
    @extend_schema(summary="A user's whole OpenCode config (settings, AGENTS.md, files)", parameters=[USER_ID],
                   responses={200: OpencodeConfigResponse, **READ_ERRORS})
    def get(self, request, user_id):
        owner = self.owner(user_id)
        config = selectors.opencode_config_get(user_id=owner.pk) if owner else None
        files = selectors.opencode_files_list(user_id=owner.pk) if owner else []
        return Response({
            "settings": config.settings if config else {},
            "agents_md": config.agents_md if config else None,
            "files": s.OpencodeFileContentSerializer(files, many=True).data,
        })


class OpencodeSettingsView(OpencodeView):
    @extend_schema(summary="A user's OpenCode settings", parameters=[USER_ID],
                   responses={200: OpencodeSettingsResponse, **READ_ERRORS})
    def get(self, request, user_id):
        owner = self.owner(user_id)
        config = selectors.opencode_config_get(user_id=owner.pk) if owner else None
        return Response({"settings": config.settings if config else {}})

    @extend_schema(summary="Replace the OpenCode settings (synced to running sandboxes)", parameters=[USER_ID],
                   request=s.SettingsInput, responses={200: OpencodeSettingsUpdateResponse, **WRITE_ERRORS})
    def put(self, request, user_id):
        owner = self.owner(user_id, write=True)
        data = s.SettingsInput(data=request.data)
        data.is_valid(raise_exception=True)
        config = services.opencode_settings_update(user=owner, settings=data.validated_data["settings"])
        return Response({"success": True, "settings": config.settings,
                         "message": "Settings updated and synced to running containers."})


class OpencodeAgentsMdView(OpencodeView):
    @extend_schema(summary="A user's AGENTS.md", parameters=[USER_ID],
                   responses={200: AgentsMdResponse, **READ_ERRORS})
    def get(self, request, user_id):
        owner = self.owner(user_id)
        config = selectors.opencode_config_get(user_id=owner.pk) if owner else None
        return Response({"content": (config.agents_md if config else None) or ""})

    @extend_schema(summary="Replace AGENTS.md (synced to running sandboxes)", parameters=[USER_ID],
                   request=s.ContentInput, responses={200: AgentsMdUpdateResponse, **WRITE_ERRORS})
    def put(self, request, user_id):
        owner = self.owner(user_id, write=True)
        data = s.ContentInput(data=request.data)
        data.is_valid(raise_exception=True)
        config = services.opencode_agents_md_update(user=owner, content=data.validated_data["content"])
        return Response({"success": True, "content": config.agents_md,
                         "message": "AGENTS.md updated and synced to running containers."})


class OpencodeFilesView(OpencodeView):
    @extend_schema(summary="A user's OpenCode files (agents, commands, tools, plugins)",
                   operation_id="users_opencode_files_list", parameters=[USER_ID, s.FilesQuery],
                   responses={200: OpencodeFileListResponse, **error_responses(400, 401, 404, e404=USER_NOT_FOUND)})
    def get(self, request, user_id):
        owner = self.owner(user_id)
        query = parse_query(s.FilesQuery, request)
        files = selectors.opencode_files_list(user_id=owner.pk, file_type=query.get("type")) if owner else []
        return Response({"files": s.OpencodeFileSerializer(files, many=True).data})


class OpencodeFileView(OpencodeView):
    def get_file(self, owner, file_type, name):
        file = selectors.opencode_file_get(user_id=owner.pk, file_type=file_type, name=name) if owner else None
        if file is None:
            raise NotFound("File not found")
        return file

    @extend_schema(summary="One OpenCode file", parameters=FILE_PATH, responses={
        200: s.OpencodeFileSerializer,
        **error_responses(400, 401, 404, e400="Invalid file type", e404="File not found, or user not found")})
    def get(self, request, user_id, file_type, name):
        file_type = self.file_type(file_type)
        return Response(s.OpencodeFileSerializer(self.get_file(self.owner(user_id), file_type, name)).data)

    @extend_schema(summary="Create or replace an OpenCode file (synced to running sandboxes)",
                   parameters=FILE_PATH, request=s.FileInput,
                   responses={200: OpencodeFileUpdateResponse,
                              **error_responses(400, 401, 403, 404, e400="Invalid file type, or invalid body",
                                                e403="Forbidden: the service token may not write",
                                                e404=USER_NOT_FOUND)})
    def put(self, request, user_id, file_type, name):
        file_type = self.file_type(file_type)
        owner = self.owner(user_id, write=True)
        data = s.FileInput(data=request.data)
        data.is_valid(raise_exception=True)
        file = services.opencode_file_put(user=owner, file_type=file_type, name=name,
                                          content=data.validated_data["content"],
                                          extension=data.validated_data.get("extension"))
        return Response({"success": True, **s.OpencodeFileContentSerializer(file).data,
                         "message": "File updated and synced to running containers."})

    @extend_schema(summary="Delete an OpenCode file (removed from running sandboxes)", parameters=FILE_PATH,
                   responses={200: SuccessMessageResponse,
                              **error_responses(400, 401, 403, 404, e400="Invalid file type",
                                                e403="Forbidden: the service token may not write",
                                                e404="File not found, or user not found")})
    def delete(self, request, user_id, file_type, name):
        file_type = self.file_type(file_type)
        file = self.get_file(self.owner(user_id, write=True), file_type, name)
        services.opencode_file_delete(file=file)
        return Response(success("File deleted and removed from running containers."))


class OpencodeInitView(OpencodeView):
    @extend_schema(summary="Create the OpenCode config if missing (idempotent)", parameters=[USER_ID],
                   request=None, responses={200: OpencodeSettingsUpdateResponse,
                                            **error_responses(401, 403, 404, e403="Forbidden: the service token "
                                                                                  "may not write",
                                                              e404=USER_NOT_FOUND)})
    def post(self, request, user_id):
        config = services.opencode_config_init(user=self.owner(user_id, write=True))
        return Response({"success": True, "settings": config.settings, "message": "User config initialized"})


# -- preferences ------------------------------------------------------------------------------------

class PreferencesView(APIView):
    """GET creates the default row; PUT behaves as PATCH; DELETE resets to the defaults."""

    @extend_schema(summary="The caller's preferences (created with the defaults if missing)",
                   responses={200: PreferencesResponse, **USER_ERRORS})
    def get(self, request):
        shown = preferences_cache.shown.get(request.user.pk)
        if shown is None:
            read_at = preferences_cache.shown.generation
            shown = s.PreferencesSerializer(services.preferences_get_or_create(user=request.user)).data
            preferences_cache.shown.put(request.user.pk, shown, read_at=read_at)
        return Response({"preferences": shown})

    @extend_schema(summary="Update preferences (same as PATCH: fields not sent are kept)",
                   request=s.PreferencesInput,
                   responses={200: PreferencesMessageResponse, **error_responses(400, 401, 403)})
    def put(self, request):
        return self.patch(request)

    @extend_schema(summary="Update preferences; settingsVersion goes up by one when a field is sent",
                   request=s.PreferencesInput,
                   responses={200: PreferencesMessageResponse, **error_responses(400, 401, 403)})
    def patch(self, request):
        data = s.PreferencesInput(data=request.data)
        data.is_valid(raise_exception=True)
        preferences = services.preferences_update(user=request.user, changes=data.validated_data, request=request)
        return Response({"preferences": s.PreferencesSerializer(preferences).data, "message": "Preferences updated"})

    @extend_schema(summary="Reset preferences to the defaults (settingsVersion back to 1)",
                   responses={200: PreferencesMessageResponse, **USER_ERRORS})
    def delete(self, request):
        preferences = services.preferences_reset(user=request.user)
        return Response({"preferences": s.PreferencesSerializer(preferences).data,
                         "message": "Preferences reset to defaults"})


class PreferencesVersionView(APIView):
    @extend_schema(summary="The caller's settingsVersion (no row is created)",
                   responses={200: PreferencesVersionResponse, **USER_ERRORS})
    def get(self, request):
        return Response({"version": selectors.preferences_version(user_id=request.user.pk),
                         "userId": request.user.pk})


class PreferencesSyncView(APIView):
    @extend_schema(summary="Compare a client's settingsVersion with the server's", parameters=[s.SyncQuery],
                   responses={200: PreferencesSyncResponse,
                              **error_responses(400, 401, 403, e400="localVersion is missing or not an integer "
                                                                    "≥ 0")})
    def get(self, request):
        local = parse_query(s.SyncQuery, request)["localVersion"]
        server = selectors.preferences_version(user_id=request.user.pk)
        return Response({"localVersion": local, "serverVersion": server, "needsSync": server > local,
                         "message": "Server has newer preferences" if server > local else "Preferences are in sync"})
