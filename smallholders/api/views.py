from django.db import transaction
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, viewsets

from smallholders import services
from smallholders.api.filters import CooperativeFilter
from smallholders.api.permissions import FieldDataPermission
from smallholders.api.serializers import (
    CooperativeSerializer,
    ProjectSerializer,
    SmallholderSerializer,
    SmallholderUpdateSerializer,
)
from smallholders.selectors import cooperatives_for, projects_for, smallholders_for


class ProjectViewSet(viewsets.ReadOnlyModelViewSet):
    """Carbon projects the person works in."""

    serializer_class = ProjectSerializer
    permission_classes = [FieldDataPermission]
    filterset_fields = ["standard", "country"]

    def get_queryset(self):
        return projects_for(user=self.request.user).order_by("name")


class CooperativeViewSet(viewsets.ReadOnlyModelViewSet):
    """Cooperatives the person works with."""

    serializer_class = CooperativeSerializer
    permission_classes = [FieldDataPermission]
    filterset_class = CooperativeFilter

    def get_queryset(self):
        return cooperatives_for(user=self.request.user).order_by("name")


@extend_schema_view(
    partial_update=extend_schema(request=SmallholderUpdateSerializer),
    update=extend_schema(request=SmallholderUpdateSerializer),
)
class SmallholderViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Smallholders; writes go through smallholders.services (no deletes: audit trail)."""

    serializer_class = SmallholderSerializer
    permission_classes = [FieldDataPermission]
    filterset_fields = ["project", "cooperative", "gender", "district", "community"]

    def get_queryset(self):
        return smallholders_for(user=self.request.user).prefetch_related("memberships")

    def get_serializer_class(self):
        if self.action in ("update", "partial_update"):
            return SmallholderUpdateSerializer
        return SmallholderSerializer

    def perform_create(self, serializer: SmallholderSerializer) -> None:
        data = dict(serializer.validated_data)
        fixed = {
            k: data.pop(k) for k in ("project", "cooperative", "dni", "first_name", "last_name")
        }
        joined_on = data.pop("joined_on", None)
        serializer.instance = services.register_smallholder(
            **fixed, joined_on=joined_on, fields=data
        )

    def perform_update(self, serializer: SmallholderSerializer) -> None:
        data = dict(serializer.validated_data)
        data.pop("joined_on", None)
        with transaction.atomic():
            serializer.instance = services.update_smallholder(
                smallholder=serializer.instance, fields=data
            )
