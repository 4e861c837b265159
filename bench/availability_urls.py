"""The project's URLs plus the floors of the availability benchmark.

- `bench/constant/`: a bare DRF endpoint that returns a constant, with the same middleware,
  authentication classes and renderer (the floor of `GET /api/v1/availability/`).
- `bench/lock-vintage/`: the like-for-like floor of `POST /api/v1/reservations/`: the same
  API-key authentication, permission, throttles and JSON parsing, then one transaction that
  locks one vintage row (`SELECT … FOR UPDATE`), updates it and commits.
"""

from django.db import transaction
from django.urls import path
from rest_framework import permissions, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from credits.api.views import BuyerApiView
from credits.models import CreditVintage
from pichanaki.urls import urlpatterns as project_urlpatterns


class ConstantView(APIView):
    permission_classes = [permissions.AllowAny]

    def get(self, request: Request) -> Response:
        return Response({"ok": True})


class LockVintageView(BuyerApiView):
    def post(self, request: Request) -> Response:
        data = request.data
        # The floor of a ledger operation: lock the row, write it, commit; nothing else.
        with transaction.atomic():
            row = CreditVintage.objects.select_for_update(of=("self",)).get(
                project__code=data["project"], unit_type=data["unit_type"], vintage=data["vintage"]
            )
            row.save(update_fields=["available", "reserved"])
        return Response(
            {"vintage": row.vintage, "available": row.available}, status.HTTP_201_CREATED
        )


urlpatterns = [
    path("bench/constant/", ConstantView.as_view()),
    path("bench/lock-vintage/", LockVintageView.as_view()),
    *project_urlpatterns,
]
