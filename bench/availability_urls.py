"""The project's URLs plus the floor of the availability benchmark: a bare DRF endpoint that
returns a constant, with the same middleware, authentication classes and renderer."""

from django.urls import path
from rest_framework import permissions
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from pichanaki.urls import urlpatterns as project_urlpatterns


class ConstantView(APIView):
    permission_classes = [permissions.AllowAny]

    def get(self, request: Request) -> Response:
        return Response({"ok": True})


urlpatterns = [path("bench/constant/", ConstantView.as_view()), *project_urlpatterns]
