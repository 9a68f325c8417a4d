from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter(trailing_slash=False)
router.register("v2/sandboxes", views.SandboxViewSet, basename="sandbox")

urlpatterns = [
    path("v2/health/docker", views.DockerHealthViewSet.as_view({"get": "list"}), name="docker-health"),
    *router.urls,
]
