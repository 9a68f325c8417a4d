"""`/api/users/{userId}/opencode/*` and `/api/users/me/preferences` (api-contract 2.3, 2.4).

`{userId}` is the caller's id or `me`; any other id is a 404 (DECISIONS 3). The service token may
read any user's config and files, which the containers do at start (DECISIONS 4), and write nothing.
"""

from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from core.api.errors import Forbidden, InvalidRequest, NotFound
from core.api.permissions import IsUserOrService, is_service
from core.serializers import parse_query

from .. import selectors, services
from ..models import OpencodeFileType, UserPreferences
from . import serializers as s

FILE_TYPES = OpencodeFileType.values


class OpencodeView(APIView):
    permission_classes = [IsUserOrService]

    def owner(self, user_id: str, *, write: bool = False) -> User | None:
        """The user whose config the path names, as this caller may see it."""
        if is_service(self.request.user):
            if write:
                raise Forbidden()
            return User.objects.filter(pk=user_id).first()
        if user_id in ("me", self.request.user.pk):
            return self.request.user
        raise NotFound("User not found")

    @staticmethod
    def file_type(value: str) -> str:
        if value not in FILE_TYPES:
            raise InvalidRequest("Invalid file type", details=f"type: must be one of {', '.join(FILE_TYPES)}")
        return value


class OpencodeConfigView(OpencodeView):
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
    def get(self, request, user_id):
        owner = self.owner(user_id)
        config = selectors.opencode_config_get(user_id=owner.pk) if owner else None
        return Response({"settings": config.settings if config else {}})

    @extend_schema(request=s.SettingsInput)
    def put(self, request, user_id):
        owner = self.owner(user_id, write=True)
        data = s.SettingsInput(data=request.data)
        data.is_valid(raise_exception=True)
        config = services.opencode_settings_update(user=owner, settings=data.validated_data["settings"])
        return Response({"success": True, "settings": config.settings,
                         "message": "Settings updated and synced to running containers."})


class OpencodeAgentsMdView(OpencodeView):
    def get(self, request, user_id):
        owner = self.owner(user_id)
        config = selectors.opencode_config_get(user_id=owner.pk) if owner else None
        return Response({"content": (config.agents_md if config else None) or ""})

    @extend_schema(request=s.ContentInput)
    def put(self, request, user_id):
        owner = self.owner(user_id, write=True)
        data = s.ContentInput(data=request.data)
        data.is_valid(raise_exception=True)
        config = services.opencode_agents_md_update(user=owner, content=data.validated_data["content"])
        return Response({"success": True, "content": config.agents_md,
                         "message": "AGENTS.md updated and synced to running containers."})


class OpencodeFilesView(OpencodeView):
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

    def get(self, request, user_id, file_type, name):
        file_type = self.file_type(file_type)
        return Response(s.OpencodeFileSerializer(self.get_file(self.owner(user_id), file_type, name)).data)

    @extend_schema(request=s.FileInput)
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

    def delete(self, request, user_id, file_type, name):
        file_type = self.file_type(file_type)
        file = self.get_file(self.owner(user_id, write=True), file_type, name)
        services.opencode_file_delete(file=file)
        return Response({"success": True, "message": "File deleted and removed from running containers."})


class OpencodeInitView(OpencodeView):
    @extend_schema(request=None)
    def post(self, request, user_id):
        config = services.opencode_config_init(user=self.owner(user_id, write=True))
        return Response({"success": True, "settings": config.settings, "message": "User config initialized"})


# -- preferences ------------------------------------------------------------------------------------

class PreferencesView(APIView):
    """GET creates the default row; PUT behaves as PATCH; DELETE resets to the defaults."""

    @extend_schema(responses=inline_serializer("PreferencesEnvelope", {"preferences": s.PreferencesSerializer()}))
    def get(self, request):
        preferences = services.preferences_get_or_create(user=request.user)
        return Response({"preferences": s.PreferencesSerializer(preferences).data})

    @extend_schema(request=s.PreferencesInput)
    def put(self, request):
        return self.patch(request)

    @extend_schema(request=s.PreferencesInput)
    def patch(self, request):
        data = s.PreferencesInput(data=request.data)
        data.is_valid(raise_exception=True)
        preferences = services.preferences_update(user=request.user, changes=data.validated_data, request=request)
        return Response({"preferences": s.PreferencesSerializer(preferences).data, "message": "Preferences updated"})

    def delete(self, request):
        preferences = services.preferences_reset(user=request.user)
        return Response({"preferences": s.PreferencesSerializer(preferences).data,
                         "message": "Preferences reset to defaults"})


class PreferencesVersionView(APIView):
    @extend_schema(responses=inline_serializer("PreferencesVersion", {
        "version": serializers.IntegerField(), "userId": serializers.CharField()}))
    def get(self, request):
        version = (UserPreferences.objects.filter(user=request.user)
                   .values_list("settings_version", flat=True).first())
        return Response({"version": version or 0, "userId": request.user.pk})


class PreferencesSyncView(APIView):
    @extend_schema(parameters=[s.SyncQuery], responses=OpenApiResponse(description="Sync status"))
    def get(self, request):
        local = parse_query(s.SyncQuery, request)["localVersion"]
        server = (UserPreferences.objects.filter(user=request.user)
                  .values_list("settings_version", flat=True).first()) or 0
        return Response({"localVersion": local, "serverVersion": server, "needsSync": server > local,
                         "message": "Server has newer preferences" if server > local else "Preferences are in sync"})
