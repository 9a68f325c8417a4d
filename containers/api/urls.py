from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter(trailing_slash=False)
router.register("resource-tiers", views.ResourceTierViewSet, basename="resource-tier")
router.register("flavors", views.ContainerFlavorViewSet, basename="flavor")
router.register("addons", views.ContainerAddonViewSet, basename="addon")

urlpatterns = router.urls
