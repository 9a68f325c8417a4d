"""`/api/account`: the signed-in user's account page, deletion and data export (api-contract 2.6)."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.schema import JSONObjectField, error_responses

from .. import selectors, services


class AccountDeleteInput(serializers.Serializer):
    confirmPhrase = serializers.CharField()  # noqa: N815
    deleteContainers = serializers.BooleanField(default=True)  # noqa: N815
    deleteRepositories = serializers.BooleanField(default=True)  # noqa: N815

    def validate_confirmPhrase(self, value):  # noqa: N802
        if value != services.CONFIRM_PHRASE:
            raise serializers.ValidationError(f'Type exactly "{services.CONFIRM_PHRASE}" to confirm.')
        return value


# -- OpenAPI shapes (schema only) ------------------------------------------------------------------------

class AccountUserSerializer(serializers.Serializer):
    id = serializers.CharField()
    email = serializers.CharField()
    name = serializers.CharField()


class AccountStatsSerializer(serializers.Serializer):
    sandboxCount = serializers.IntegerField()  # noqa: N815
    chatSessionCount = serializers.IntegerField(help_text="Chat sessions of every status")  # noqa: N815


class AccountResponse(serializers.Serializer):
    user = AccountUserSerializer()
    stats = AccountStatsSerializer()


class AccountDeleteResultsSerializer(serializers.Serializer):
    sandboxesDeleted = serializers.IntegerField()  # noqa: N815
    chatSessionsArchived = serializers.IntegerField()  # noqa: N815
    activityLogsAnonymized = serializers.IntegerField()  # noqa: N815
    preferencesDeleted = serializers.BooleanField()  # noqa: N815
    userDeleted = serializers.BooleanField()  # noqa: N815
    errors = serializers.ListField(child=serializers.CharField())


class AccountDeleteResponse(serializers.Serializer):
    success = serializers.BooleanField(help_text="Whether the user row was deleted")
    message = serializers.CharField()
    results = AccountDeleteResultsSerializer()


class AccountDataExportResponse(serializers.Serializer):
    exportedAt = serializers.CharField(help_text="ISO 8601, UTC")  # noqa: N815
    user = JSONObjectField(help_text="`{id, email, name, image, createdAt}`")
    sandboxes = serializers.ListField(child=JSONObjectField(), help_text="The sandboxes, secrets excluded")
    chatHistory = serializers.ListField(  # noqa: N815
        child=JSONObjectField(), help_text="`{sandboxId, sandboxName, sessions: [{id, title, messageCount, "
                                           "createdAt}]}` per sandbox (at most 1000 sessions each)")
    opencodeConfig = JSONObjectField(allow_null=True, help_text="`{settings, agentsMd}` or null")  # noqa: N815
    opencodeFiles = serializers.ListField(child=JSONObjectField(),  # noqa: N815
                                          help_text="`{type, name, extension, content}`")
    providers = serializers.ListField(child=JSONObjectField(), help_text="`{providerId, authType}`: no secrets")
    activity = serializers.ListField(child=JSONObjectField(),
                                     help_text="`{action, entityType, entityId, createdAt}`, newest first")
    preferences = JSONObjectField(required=False, help_text="Absent when the user has no preferences row")


class AccountView(APIView):
    # The confirmation travels in the DELETE's body, as with the old server (documented by core.api.schema).
    delete_takes_body = True

    @extend_schema(summary="The signed-in user's account and counts",
                   responses={200: AccountResponse, **error_responses(401, 403)})
    def get(self, request):
        user = request.user
        return Response({"user": {"id": user.id, "email": user.email, "name": user.name},
                         "stats": selectors.account_stats(user=user)})

    @extend_schema(summary="Delete the account and everything of it", request=AccountDeleteInput, responses={
        200: OpenApiResponse(AccountDeleteResponse, description="Deleted, or partially (`success` and `results` "
                                                                 "say which); 200 either way"),
        **error_responses(400, 401, 403, e400="`confirmPhrase` is not exactly `DELETE MY ACCOUNT`, or the body "
                                               "is invalid")})
    def delete(self, request):
        data = AccountDeleteInput(data=request.data)
        data.is_valid(raise_exception=True)
        results = services.user_delete(user=request.user, delete_containers=data.validated_data["deleteContainers"],
                                       delete_repositories=data.validated_data["deleteRepositories"],
                                       request=request)
        complete = results["userDeleted"] and not results["errors"]
        return Response({"success": results["userDeleted"],
                         "message": "Account successfully deleted" if complete
                         else "Account deletion partially complete with errors",
                         "results": results})


class AccountDataExportView(APIView):
    @extend_schema(summary="Everything stored about the user, as a JSON download", responses={
        200: OpenApiResponse(AccountDataExportResponse, description='With `Content-Disposition: attachment; '
                                                                    'filename="user-data-<userId>.json"`'),
        **error_responses(401, 403)})
    def get(self, request):
        response = Response(selectors.user_data_export(user=request.user))
        response["Content-Disposition"] = f'attachment; filename="user-data-{request.user.pk}.json"'
        return response
