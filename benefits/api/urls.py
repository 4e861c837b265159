from rest_framework.routers import DefaultRouter

from benefits.api import views

router = DefaultRouter(trailing_slash=True)
router.register("distributions", views.DistributionViewSet, basename="distribution")
router.register("distribution-jobs", views.DistributionJobViewSet, basename="distributionjob")
router.register("distribution-lines", views.LineViewSet, basename="distributionline")
router.register("payment-events", views.PaymentEventViewSet, basename="paymentevent")

urlpatterns = router.urls
