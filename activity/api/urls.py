from django.urls import path

from . import views

urlpatterns = [
    path("users/me/activity", views.ActivityListView.as_view(), name="activity-list"),
    path("users/me/activity/stats", views.ActivityStatsView.as_view(), name="activity-stats"),
    path("users/me/activity/export", views.ActivityExportView.as_view(), name="activity-export"),
    path("users/me/activity/entity/<str:entity_type>/<str:entity_id>", views.ActivityEntityView.as_view(),
         name="activity-entity"),
]
