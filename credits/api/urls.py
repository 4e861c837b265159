from django.urls import path
from rest_framework.routers import SimpleRouter

from credits.api import views

router = SimpleRouter(trailing_slash=True)
router.register("reservations", views.ReservationViewSet, basename="reservation")
router.register("retirements", views.RetirementViewSet, basename="retirement")

urlpatterns = [
    path("availability/", views.AvailabilityView.as_view(), name="credits-availability"),
    path("holdings/", views.HoldingsView.as_view(), name="credits-holdings"),
    path("serials/<str:serial>/", views.SerialView.as_view(), name="credits-serial"),
    path(
        "kept-heads/<str:ledger>/<str:project>/",
        views.KeptHeadView.as_view(),
        name="credits-kept-head",
    ),
    *router.urls,
]
