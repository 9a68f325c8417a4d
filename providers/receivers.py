"""The providers app's part of a user's account: which providers they configured (never a secret)."""

from core.user_data import UserDataPart

from .models import ProviderCredential


def _export(user) -> dict:
    return {"providers": [{"providerId": p, "authType": a} for p, a in
                          ProviderCredential.objects.filter(user=user).order_by("provider_id")
                          .values_list("provider_id", "auth_type")]}


def _delete(user, result: dict) -> None:
    ProviderCredential.objects.filter(user=user).delete()


USER_DATA = UserDataPart(name="providers", order=50, export=_export, delete=_delete)
