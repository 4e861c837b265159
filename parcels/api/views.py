from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework_gis.filters import InBBoxFilter

from parcels import exports, selectors, services
from parcels.api import filters, serializers
from parcels.exceptions import BoundaryLocked, InvalidTransition
from parcels.models import Species, Stratum
from pichanaki.api import Conflict, FilterBackend
from smallholders.api.permissions import (
    FieldDataPermission,
    ManagerWritePermission,
    ProjectPeoplePermission,
)


class NoDeleteViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """List, read, create, change; no deletes (field data keeps its audit trail)."""

    permission_classes = [FieldDataPermission]
    selector = None

    def get_queryset(self) -> QuerySet:
        return type(self).selector(user=self.request.user)

    def perform_update(self, serializer) -> None:
        serializer.instance = services.update_field_record(
            record=serializer.instance, fields=serializer.validated_data
        )


class SpeciesViewSet(viewsets.ReadOnlyModelViewSet):
    """The species catalogue (read-only, for the people of the projects; not for buyers)."""

    serializer_class = serializers.SpeciesSerializer
    permission_classes = [ProjectPeoplePermission]
    filterset_fields = ["code", "genus", "family", "native_to_peru", "growth_form", "growth_group"]
    queryset = Species.objects.all()


class StratumViewSet(NoDeleteViewSet):
    """Strata of the person's projects; managers write."""

    serializer_class = serializers.StratumSerializer
    permission_classes = [ManagerWritePermission]
    filterset_fields = ["project", "code"]
    selector = selectors.strata_for

    def perform_create(self, serializer) -> None:
        stratum = Stratum(**serializer.validated_data)
        serializer.instance = services.save_stratum(stratum=stratum, fields={})

    def perform_update(self, serializer) -> None:
        serializer.instance = services.save_stratum(
            stratum=serializer.instance, fields=serializer.validated_data
        )


class ParcelViewSet(NoDeleteViewSet):
    """Parcels as GeoJSON (filter by bounding box with ?in_bbox=minLon,minLat,maxLon,maxLat).

    Writes are checked like the admin: valid geometry, inside the project area, plausible
    size, no overlap with another parcel of the project (409 for locked boundaries).
    """

    serializer_class = serializers.ParcelSerializer
    filterset_class = filters.ParcelFilter
    filter_backends = [FilterBackend, InBBoxFilter]
    bbox_filter_field = "boundary"
    bbox_filter_include_overlapping = True
    selector = selectors.parcels_for

    def perform_create(self, serializer) -> None:
        data = dict(serializer.validated_data)
        serializer.instance = services.register_parcel(
            smallholder=data.pop("smallholder"),
            code=data.pop("code"),
            boundary=data.pop("boundary"),
            land_use_before=data.pop("land_use_before"),
            fields=data,
        )

    def perform_update(self, serializer) -> None:
        try:
            serializer.instance = services.update_parcel(
                parcel=serializer.instance, fields=serializer.validated_data
            )
        except BoundaryLocked as exc:
            raise Conflict(str(exc)) from None

    def _transition(self, service, **extra) -> Response:
        parcel = self.get_object()  # 404 outside the person's scope
        try:
            parcel = service(parcel_id=parcel.pk, actor=self.request.user, **extra)
        except InvalidTransition as exc:
            raise Conflict(str(exc)) from None
        return Response(self.get_serializer(parcel).data)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str) -> Response:
        """Submit a draft or rejected parcel for validation."""
        return self._transition(services.submit_parcel)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def validate(self, request: Request, pk: str) -> Response:
        """Validate a submitted parcel (project managers)."""
        return self._transition(services.validate_parcel)

    @extend_schema(request=serializers.RejectSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: str) -> Response:
        """Reject a submitted or validated parcel with a reason (project managers)."""
        body = serializers.RejectSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._transition(services.reject_parcel, reason=body.validated_data["reason"])

    @extend_schema(responses={(200, "application/geo+json"): OpenApiTypes.OBJECT})
    @action(detail=False, methods=["get"], url_path="export/eudr", pagination_class=None)
    def export_eudr(self, request: Request):
        """The (filtered) parcels as an EUDR GeoJSON FeatureCollection, 6 decimals."""
        return exports.eudr_response(self.filter_queryset(self.get_queryset()))

    @extend_schema(responses={(200, "text/csv"): OpenApiResponse(OpenApiTypes.STR)})
    @action(detail=False, methods=["get"], url_path="export/csv", pagination_class=None)
    def export_csv(self, request: Request):
        """The (filtered) parcels as CSV, headers in the active language."""
        return exports.parcels_csv_response(self.filter_queryset(self.get_queryset()))


class PlantingViewSet(NoDeleteViewSet):
    serializer_class = serializers.PlantingSerializer
    filterset_class = filters.PlantingFilter
    selector = selectors.plantings_for

    def perform_create(self, serializer) -> None:
        serializer.instance = services.record_planting(**serializer.validated_data)


class SurvivalCountViewSet(NoDeleteViewSet):
    serializer_class = serializers.SurvivalCountSerializer
    filterset_fields = ["planting", "counted_on"]
    selector = selectors.survival_counts_for

    def perform_create(self, serializer) -> None:
        serializer.instance = services.record_survival_count(**serializer.validated_data)


class MonitoringPlotViewSet(NoDeleteViewSet):
    serializer_class = serializers.MonitoringPlotSerializer
    filterset_class = filters.MonitoringPlotFilter
    selector = selectors.plots_for

    def perform_create(self, serializer) -> None:
        data = dict(serializer.validated_data)
        fixed = {k: data.pop(k, None) for k in ("parcel", "code", "centre", "measured_on")}
        sizes = {k: data.pop(k, None) for k in ("radius_m", "area_m2", "slope_pct")}
        serializer.instance = services.record_monitoring_plot(**fixed, **sizes, fields=data)


class TreeMeasurementViewSet(NoDeleteViewSet):
    serializer_class = serializers.TreeMeasurementSerializer
    filterset_class = filters.TreeMeasurementFilter
    selector = selectors.tree_measurements_for

    def perform_create(self, serializer) -> None:
        data = dict(serializer.validated_data)
        fixed = {k: data.pop(k) for k in ("plot", "species", "tree_tag", "dbh_cm")}
        optional = {k: data.pop(k) for k in ("height_m", "stem", "status", "origin") if k in data}
        serializer.instance = services.record_tree_measurement(**fixed, **optional, fields=data)
