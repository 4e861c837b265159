"""Manager API of benefit sharing: distributions (create, approve, export, confirm), their
lines and payment events. Scoped by `benefits.selectors`; out-of-scope objects are 404."""

from django.db.models import QuerySet
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse

from benefits import payments, selectors, services
from benefits.api import serializers
from benefits.exceptions import AlreadyDistributed, BenefitsError, ConfirmationRefused
from benefits.jobs import start_distribution
from benefits.models import DistributionJob
from pichanaki.api import Conflict
from smallholders.api.permissions import FieldDataPermission
from smallholders.selectors import projects_for, scope_for


class BenefitsPermission(FieldDataPermission):
    """Reads: staff, managers, verifiers (scoped). Writes: managers; approval: verifiers too."""

    def has_permission(self, request: Request, view) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return super().has_permission(request, view)
        scope = scope_for(request.user)
        return scope.approves if getattr(view, "action", None) == "approve" else scope.manages


class DistributionViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Distributions of sale proceeds to families, in the person's projects."""

    serializer_class = serializers.DistributionSerializer
    permission_classes = [BenefitsPermission]
    filterset_fields = ["project", "status"]

    def get_queryset(self) -> QuerySet:
        return selectors.distributions_for(user=self.request.user).prefetch_related("sales")

    @extend_schema(
        request=serializers.CreateDistributionSerializer,
        responses={201: serializers.DistributionSerializer,
                   202: serializers.DistributionJobSerializer, 409: OpenApiResponse(
            description="nothing to distribute, already distributed, no rate or policy")},
    )  # fmt: skip
    def create(self, request: Request) -> Response:
        """Preview a distribution of confirmed sales not yet distributed (writes the preview).

        A project with many families is computed in the background: 202 with the job to poll
        at /api/v1/distribution-jobs/{id}/ (Location)."""
        data = serializers.CreateDistributionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        project = (
            projects_for(user=request.user).filter(code=data.validated_data["project"]).first()
        )
        if project is None:
            raise exceptions.NotFound()
        try:
            made = start_distribution(
                project=project, actor=request.user, sale_ids=data.validated_data.get("sales"),
                policy_version=data.validated_data.get("policy_version"),
            )  # fmt: skip
        except (AlreadyDistributed, BenefitsError) as exc:
            raise Conflict(str(exc)) from exc
        if isinstance(made, DistributionJob):
            body = serializers.DistributionJobSerializer(made).data
            url = reverse("distributionjob-detail", args=[made.pk], request=request)
            return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Location": url})
        body = serializers.DistributionSerializer(made).data
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=None,
        responses={
            200: serializers.DistributionSerializer,
            409: OpenApiResponse(description="not approvable"),
        },
    )
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str) -> Response:
        """Approve a preview (a verifier or another manager than its creator)."""
        distribution = self.get_object()
        try:
            distribution = services.approve_distribution(
                distribution_id=distribution.pk, actor=request.user
            )
        except BenefitsError as exc:
            raise Conflict(str(exc)) from exc
        return Response(serializers.DistributionSerializer(distribution).data)

    @extend_schema(
        parameters=[OpenApiParameter("file_format", enum=["csv", "xlsx"], default="csv")],
        responses={(200, "text/csv"): OpenApiTypes.BINARY},
    )
    @action(detail=True, methods=["get"], url_path="payments")
    def payments_file(self, request: Request, pk: str) -> HttpResponse:
        """The payable lines as a bank/wallet file (CSV or XLSX, formula-safe)."""
        distribution = self.get_object()
        if not scope_for(request.user).manages:
            raise exceptions.PermissionDenied()
        fmt = "xlsx" if request.query_params.get("file_format") == "xlsx" else "csv"
        data = payments.export_payments(distribution_id=distribution.pk, fmt=fmt)
        kind = ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                if fmt == "xlsx" else "text/csv; charset=utf-8")  # fmt: skip
        response = HttpResponse(data, content_type=kind)
        name = f"payments-{distribution.pk}.{fmt}"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response

    @extend_schema(
        request={"multipart/form-data": serializers.ConfirmationUploadSerializer},
        responses={200: OpenApiTypes.OBJECT, 400: OpenApiResponse(description="every mismatch")},
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser])
    def confirmations(self, request: Request, pk: str) -> Response:
        """Record payments from a confirmation file: all rows or none."""
        distribution = self.get_object()
        upload = serializers.ConfirmationUploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        file = upload.validated_data["file"]
        try:
            count = payments.import_confirmations(
                distribution_id=distribution.pk, data=file.read(), filename=file.name,
                actor=request.user,
            )  # fmt: skip
        except ConfirmationRefused as exc:
            raise exceptions.ValidationError({"file": exc.errors}) from exc
        except BenefitsError as exc:
            raise Conflict(str(exc)) from exc
        return Response({"paid": count})


class DistributionJobViewSet(viewsets.ReadOnlyModelViewSet):
    """Large distributions being computed in the background, in the person's projects."""

    serializer_class = serializers.DistributionJobSerializer
    permission_classes = [BenefitsPermission]
    filterset_fields = ["project", "status"]

    def get_queryset(self) -> QuerySet:
        scope = scope_for(self.request.user)
        jobs = DistributionJob.objects.filter(project__in=projects_for(user=self.request.user))
        return jobs.order_by("pk") if scope.manages or scope.approves else jobs.none()


class LineViewSet(viewsets.ReadOnlyModelViewSet):
    """Families' lines (staff: their cooperative's families; managers: their projects)."""

    serializer_class = serializers.LineSerializer
    permission_classes = [BenefitsPermission]
    filterset_fields = ["distribution", "status", "smallholder"]

    def get_queryset(self) -> QuerySet:
        return selectors.lines_for(user=self.request.user).order_by("pk")


class PaymentEventViewSet(viewsets.ReadOnlyModelViewSet):
    """The append-only payment ledger of the lines a person may see."""

    serializer_class = serializers.PaymentEventSerializer
    permission_classes = [BenefitsPermission]
    filterset_fields = ["line", "status"]

    def get_queryset(self) -> QuerySet:
        return selectors.payment_events_for(user=self.request.user).order_by("pk")
