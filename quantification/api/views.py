"""API of parameter sets and calculation runs: list, detail, start, approve, reject, results.

Registered on the parcels router (`/api/v1/parameter-sets/`, `/api/v1/calculation-runs/`).
Writes go through `quantification.services`; every queryset is scoped by a selector.
"""

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from pichanaki.api import Conflict
from quantification import selectors, services
from quantification.exceptions import (
    CalculationError,
    InvalidParameters,
    NotAllowed,
    RunNotReady,
    RunStateConflict,
)
from quantification.models import CalculationRun, ParameterSet, ParcelResult, RunKind, RunVintage
from smallholders.api.permissions import ProjectPeoplePermission


class ParameterSetSerializer(serializers.ModelSerializer):
    class Meta:
        model = ParameterSet
        fields = [
            "id",
            "project",
            "version",
            "parameters",
            "fingerprint",
            "note",
            "created_by",
            "created_at",
        ]
        read_only_fields = fields


class ParameterSetInput(serializers.Serializer):
    project = serializers.IntegerField()
    parameters = serializers.JSONField()
    note = serializers.CharField(required=False, allow_blank=True, default="")


class RunVintageSerializer(serializers.ModelSerializer):
    class Meta:
        model = RunVintage
        fields = ["year", "net_tco2e", "buffer_tco2e", "issuable_tco2e"]


class CalculationRunSerializer(serializers.ModelSerializer):
    vintages = RunVintageSerializer(many=True, read_only=True)

    class Meta:
        model = CalculationRun
        exclude = ["review_note"]
        read_only_fields = ["id"]


class RunStartInput(serializers.Serializer):
    project = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=RunKind.choices)
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    parameter_set = serializers.IntegerField(required=False, allow_null=True, default=None)
    project_emissions_tco2e = serializers.DecimalField(
        max_digits=15,
        decimal_places=3,
        min_value=Decimal(0),
        required=False,
        default=Decimal(0),
        help_text=_("Monitored project emissions GHG_E of the period (ex-post runs)."),
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["period_end"] < attrs["period_start"]:
            raise ValidationError({"period_end": _("The period must end on or after its start.")})
        return attrs


class ReviewInput(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ParcelResultSerializer(serializers.ModelSerializer):
    parcel_code = serializers.CharField(source="parcel.code", read_only=True)

    class Meta:
        model = ParcelResult
        exclude = ["run"]


def _call(service: Callable[..., Any], **kwargs: Any) -> Any:
    """Map domain errors to the API's error shape (403, 409, 400; a project not ready for the
    run: 400 with `readiness`, one translated message per problem naming parcels or strata)."""
    try:
        return service(**kwargs)
    except NotAllowed as exc:
        raise PermissionDenied(exc.message) from exc
    except RunStateConflict as exc:
        raise Conflict(exc.message) from exc
    except InvalidParameters as exc:
        raise ValidationError({exc.field: [exc.message]}) from exc
    except RunNotReady as exc:
        raise ValidationError({"readiness": exc.sentences}, code="not_ready") from exc
    except CalculationError as exc:
        raise Conflict(exc.message) from exc


class ParameterSetViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """A project's versioned carbon parameters; POST creates the next version."""

    serializer_class = ParameterSetSerializer
    permission_classes = [ProjectPeoplePermission]
    filterset_fields = ["project"]

    def get_queryset(self):
        return selectors.parameter_sets_for(user=self.request.user).order_by("project", "-version")

    @extend_schema(request=ParameterSetInput, responses={201: ParameterSetSerializer})
    def create(self, request: Request) -> Response:
        data = ParameterSetInput(data=request.data)
        data.is_valid(raise_exception=True)
        created = _call(
            services.create_parameter_set_version,
            project_id=data.validated_data["project"],
            parameters=data.validated_data["parameters"],
            note=data.validated_data["note"],
            actor=request.user,
        )
        return Response(ParameterSetSerializer(created).data, status=status.HTTP_201_CREATED)


class CalculationRunViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Calculation runs: start one (POST), follow its progress, approve or reject it."""

    serializer_class = CalculationRunSerializer
    permission_classes = [ProjectPeoplePermission]
    filterset_fields = ["project", "kind", "status"]

    def get_queryset(self):
        return selectors.runs_for(user=self.request.user).prefetch_related("vintages")

    @extend_schema(
        request=RunStartInput,
        responses={
            202: CalculationRunSerializer,
            503: OpenApiResponse(
                description="jobs_paused: the run is saved (error.id) and starts once the job "
                "queue answers again."
            ),
        },
    )
    def create(self, request: Request) -> Response:
        data = RunStartInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        run = _call(
            services.start_calculation_run,
            project_id=values["project"],
            kind=values["kind"],
            period_start=values["period_start"],
            period_end=values["period_end"],
            parameter_set_id=values["parameter_set"],
            project_emissions_tco2e=values["project_emissions_tco2e"],
            actor=request.user,
        )
        run.refresh_from_db()
        return Response(CalculationRunSerializer(run).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(request=ReviewInput, responses={200: CalculationRunSerializer})
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str) -> Response:
        return self._review(request, pk, services.approve_calculation_run)

    @extend_schema(request=ReviewInput, responses={200: CalculationRunSerializer})
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: str) -> Response:
        return self._review(request, pk, services.reject_calculation_run)

    def _review(self, request: Request, pk: str, service: Callable[..., Any]) -> Response:
        data = ReviewInput(data=request.data)
        data.is_valid(raise_exception=True)
        run = self.get_object()
        note = data.validated_data["note"]
        reviewed = _call(service, run_id=run.pk, actor=request.user, note=note)
        return Response(CalculationRunSerializer(reviewed).data)

    @extend_schema(responses={200: ParcelResultSerializer(many=True)})
    @action(detail=True, methods=["get"])
    def parcels(self, request: Request, pk: str) -> Response:
        results = selectors.parcel_results(run=self.get_object())
        page = self.paginate_queryset(results)
        return self.get_paginated_response(ParcelResultSerializer(page, many=True).data)
