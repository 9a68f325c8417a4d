"""`/api/account`: the signed-in user's account page, deletion and data export (api-contract 2.6)."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import selectors, services


class AccountDeleteInput(serializers.Serializer):
    confirmPhrase = serializers.CharField()  # noqa: N815
    deleteContainers = serializers.BooleanField(default=True)  # noqa: N815
    deleteRepositories = serializers.BooleanField(default=True)  # noqa: N815

    def validate_confirmPhrase(self, value):  # noqa: N802
        if value != services.CONFIRM_PHRASE:
            raise serializers.ValidationError(f'Type exactly "{services.CONFIRM_PHRASE}" to confirm.')
        return value


class AccountView(APIView):
    def get(self, request):
        user = request.user
        return Response({"user": {"id": user.id, "email": user.email, "name": user.name},
                         "stats": selectors.account_stats(user=user)})

    @extend_schema(request=AccountDeleteInput)
    def delete(self, request):
        data = AccountDeleteInput(data=request.data)
        data.is_valid(raise_exception=True)
        results = services.user_delete(user=request.user, delete_containers=data.validated_data["deleteContainers"],
                                       request=request)
        complete = results["userDeleted"] and not results["errors"]
        return Response({"success": results["userDeleted"],
                         "message": "Account successfully deleted" if complete
                         else "Account deletion partially complete with errors",
                         "results": results})


class AccountDataExportView(APIView):
    def get(self, request):
        response = Response(selectors.user_data_export(user=request.user))
        response["Content-Disposition"] = f'attachment; filename="user-data-{request.user.pk}.json"'
        return response
