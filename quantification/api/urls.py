from rest_framework.routers import SimpleRouter

from quantification.api.views import CalculationRunViewSet, ParameterSetViewSet

router = SimpleRouter(trailing_slash=True)
router.register("calculation-runs", CalculationRunViewSet, basename="calculation-run")
router.register("parameter-sets", ParameterSetViewSet, basename="parameter-set")

urlpatterns = router.urls
