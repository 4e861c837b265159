from rest_framework.routers import DefaultRouter

from smallholders.api import views

router = DefaultRouter(trailing_slash=True)
router.register("projects", views.ProjectViewSet, basename="project")
router.register("cooperatives", views.CooperativeViewSet, basename="cooperative")
router.register("smallholders", views.SmallholderViewSet, basename="smallholder")

urlpatterns = router.urls
