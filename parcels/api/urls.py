from rest_framework.routers import DefaultRouter

from parcels.api import views

router = DefaultRouter(trailing_slash=True)
router.register("species", views.SpeciesViewSet, basename="species")
router.register("strata", views.StratumViewSet, basename="stratum")
router.register("parcels", views.ParcelViewSet, basename="parcel")
router.register("plantings", views.PlantingViewSet, basename="planting")
router.register("survival-counts", views.SurvivalCountViewSet, basename="survivalcount")
router.register("plots", views.MonitoringPlotViewSet, basename="monitoringplot")
router.register("tree-measurements", views.TreeMeasurementViewSet, basename="treemeasurement")

urlpatterns = router.urls
