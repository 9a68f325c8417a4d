from django.urls import path

from . import account_views

urlpatterns = [
    path("account", account_views.AccountView.as_view(), name="account"),
    path("account/data-export", account_views.AccountDataExportView.as_view(), name="account-data-export"),
]
