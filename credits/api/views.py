"""The buyer API: availability, reservations, holdings, retirements, serial lookup and the
public check of a kept ledger head.

Every write calls one ledger service (`credits.services`) through `call_service`: with an
`Idempotency-Key` inside the request's durable transaction, so the key's record commits with it.
"""

import datetime as dt

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from credits import services
from credits.api import lookup, serializers
from credits.api.errors import ledger_errors
from credits.api.idempotency import HEADER, call_service, idempotent
from credits.api.microcache import availability_cache, kept_head_cache
from credits.api.principals import (
    buyer_account,
    manages_project,
    require_buyer_account,
    visible_by_project_or_account,
)
from credits.api.throttles import BUYER_API_THROTTLES
from credits.choices import BlockState
from credits.kept_heads import kept_head_answer
from credits.models import Reservation, Retirement, SerialBlock
from pichanaki.ledgers import chained_ledgers, check_kept_head, ledger_named
from smallholders.models import Project

RESERVATION_LIFETIME = dt.timedelta(hours=48)
IDEMPOTENCY_PARAMETER = OpenApiParameter(
    HEADER,
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description="Repeat a POST safely: the same key and body return the first response.",
)


class BuyerApiView(APIView):
    """The buyer API's rate limits (authentication is the project default: Api-Key first)."""

    throttle_classes = BUYER_API_THROTTLES


def _project(code: str) -> Project:
    # With its registry entry, which prints the serials of its blocks; never its area.
    return get_object_or_404(Project.objects.select_related("registry").defer("area"), code=code)


def _live_blocks() -> QuerySet[SerialBlock]:
    # The project's area (a multipolygon, possibly large) is never part of an answer.
    return (
        SerialBlock.objects.exclude(state=BlockState.SUPERSEDED)
        .select_related("project__registry")
        .defer("project__area")
    )


class AvailabilityView(BuyerApiView, ListAPIView):
    """Units available for reservation per project, unit type and vintage, with project facts.

    Public (no key needed). Unknown query parameters are refused, not ignored. Answers may be
    up to `microcache.AVAILABILITY_SECONDS` old; reservations always re-check under lock.
    """

    permission_classes = [permissions.AllowAny]
    serializer_class = serializers.ProjectAvailabilitySerializer
    filter_backends: list = []

    @extend_schema(parameters=[serializers.AvailabilityQuerySerializer])
    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        key = request.META.get("QUERY_STRING", "")
        return Response(availability_cache.get_or_compute(key, lambda: self._page(request)))

    def _page(self, request: Request) -> dict:
        query = lookup.strict_query(request, serializers.AvailabilityQuerySerializer)
        page = self.paginate_queryset(lookup.projects_with_availability(query))
        data = [lookup.project_availability(project, query) for project in page]
        return self.get_paginated_response(self.get_serializer(data, many=True).data).data


@extend_schema_view(
    create=extend_schema(
        request=serializers.ReservationInputSerializer,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={201: serializers.ReservationSerializer},
    ),
    confirm=extend_schema(
        request=serializers.ConfirmInputSerializer,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={200: serializers.ReservationSerializer},
    ),
)
class ReservationViewSet(
    BuyerApiView,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """A buyer's reservations: create, read, release (DELETE); managers confirm the sale."""

    serializer_class = serializers.ReservationSerializer
    filter_backends: list = []

    def get_queryset(self) -> QuerySet[Reservation]:
        queryset = (
            Reservation.objects.select_related("project", "sale")
            .defer("project__area")
            .prefetch_related(Prefetch("blocks", queryset=_live_blocks(), to_attr="live_blocks"))
        )
        return visible_by_project_or_account(self.request, queryset).order_by("-created_at", "-pk")

    @idempotent
    def create(self, request: Request) -> Response:
        account = require_buyer_account(request)
        data = _valid(serializers.ReservationInputSerializer, request)
        project = _project(data["project"])
        with ledger_errors():
            reservation = call_service(
                request,
                services.reserve_credits,
                account_id=account.pk,
                project_id=project.pk,
                vintage=data["vintage"],
                unit_type=data["unit_type"],
                quantity=data["quantity"],
                expires_at=timezone.now() + RESERVATION_LIFETIME,
                actor=_actor(request),
            )
        return Response(self._created(reservation, project), status=status.HTTP_201_CREATED)

    def destroy(self, request: Request, pk: str) -> Response:
        reservation = self.get_object()  # a buyer finds only its own (404 otherwise)
        if buyer_account(request) is None and not manages_project(request, reservation.project_id):
            raise _only_managers()
        with ledger_errors():
            services.release_reservation(reservation_id=reservation.pk, actor=_actor(request))
        return Response(self._read(reservation.pk))

    @action(detail=True, methods=["post"])
    @idempotent
    def confirm(self, request: Request, pk: str) -> Response:
        reservation = self.get_object()
        if not manages_project(request, reservation.project_id):
            raise _only_managers()
        data = _valid(serializers.ConfirmInputSerializer, request)
        with ledger_errors():
            call_service(
                request,
                services.confirm_sale,
                reservation_id=reservation.pk,
                price_per_tonne=data["price_per_tonne"],
                currency=data["currency"],
                invoice_reference=data["invoice_reference"],
                actor=_actor(request),
            )
        return Response(self._read(reservation.pk))

    def _created(self, reservation: Reservation, project: Project) -> dict:
        """A new reservation's answer, from what the service returned (its blocks included):
        what a read of it gives, without reading it back."""
        reservation.project = project
        for block in reservation.live_blocks:  # type: ignore[attr-defined]  # see reserve_credits
            block.project = project
        return self.get_serializer(reservation).data

    def _read(self, reservation_id: int) -> dict:
        return self.get_serializer(self.get_queryset().get(pk=reservation_id)).data


class HoldingsView(BuyerApiView, ListAPIView):
    """The buyer's live blocks: held (active), reserved and retired."""

    serializer_class = serializers.BlockSerializer
    filter_backends: list = []

    def get_queryset(self) -> QuerySet[SerialBlock]:
        account = require_buyer_account(self.request)
        return (
            _live_blocks()
            .filter(account=account)
            .order_by("project__code", "unit_type", "vintage", "serial_start")
        )


@extend_schema_view(
    create=extend_schema(
        request=serializers.RetirementInputSerializer,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={201: serializers.RetirementSerializer},
    ),
)
class RetirementViewSet(
    BuyerApiView,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Retire verified units from the buyer's holdings for a beneficiary; a certificate follows."""

    serializer_class = serializers.RetirementSerializer
    filter_backends: list = []

    def get_queryset(self) -> QuerySet[Retirement]:
        queryset = (
            Retirement.objects.select_related("project")
            .defer("project__area")
            .prefetch_related(Prefetch("blocks", queryset=_live_blocks()))
        )
        return visible_by_project_or_account(self.request, queryset).order_by("-created_at", "-pk")

    @idempotent
    def create(self, request: Request) -> Response:
        account = require_buyer_account(request)
        data = _valid(serializers.RetirementInputSerializer, request)
        with ledger_errors():
            retirement = call_service(
                request,
                services.retire_credits,
                account_id=account.pk,
                project_id=_project(data["project"]).pk,
                vintage=data["vintage"],
                quantity=data["quantity"],
                beneficiary=data["beneficiary"],
                purpose=data["purpose"],
                retired_on=timezone.localdate(),
                actor=_actor(request),
            )
        data = self.get_serializer(self.get_queryset().get(pk=retirement.pk)).data
        return Response(data, status=status.HTTP_201_CREATED)


class SerialView(BuyerApiView):
    """Public lookup of one serial (or an exact printed block): its block, status and history."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(responses={200: serializers.SerialLookupSerializer})
    def get(self, request: Request, serial: str) -> Response:
        found = lookup.find_serial(serial)
        return Response(serializers.SerialLookupSerializer(found).data)


@extend_schema(
    parameters=[
        OpenApiParameter(
            "ledger",
            OpenApiTypes.STR,
            OpenApiParameter.PATH,
            enum=[ledger.key for ledger in chained_ledgers()],
            description="The ledger whose head was kept.",
        ),
        OpenApiParameter(
            "project", OpenApiTypes.STR, OpenApiParameter.PATH, description="Project code."
        ),
        serializers.KeptHeadQuerySerializer,
    ],
    responses={200: serializers.KeptHeadSerializer},
)
class KeptHeadView(BuyerApiView):
    """Public check of a head kept earlier: does the project's chain in that ledger still have
    that hash at that position? The registry pages' form (and `verify_ledger --kept-head`),
    for machines. Answers may be up to `microcache.AVAILABILITY_SECONDS` old."""

    permission_classes = [permissions.AllowAny]

    def get(self, request: Request, ledger: str, project: str) -> Response:
        key = f"{get_language()} {request.path} {request.META.get('QUERY_STRING', '')}"
        return Response(kept_head_cache.get_or_compute(key, lambda: self._answer(request)))

    def _answer(self, request: Request) -> dict:
        ledger, code = ledger_named(self.kwargs["ledger"]), self.kwargs["project"]
        project = get_object_or_404(Project.objects.filter(registry__isnull=False), code=code)
        if ledger is None:
            raise NotFound(_("No ledger with this name."), "ledger_not_found")
        query = lookup.strict_query(request, serializers.KeptHeadQuerySerializer)
        digest = query["hash"].lower()
        check = check_kept_head(
            ledger, project_id=project.pk, position=query["position"], digest=digest
        )
        return {
            "ledger": ledger.key,
            "project": project.code,
            "position": check.position,
            "hash": digest,
            "result": check.outcome,
            "length": check.length,
            "head_hash": check.head_hash,
            "hash_at_position": check.found,
            "message": kept_head_answer(check),
        }


def _valid(serializer_class: type, request: Request) -> dict:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _actor(request: Request) -> object | None:
    """The person behind the request for the ledger event; None for organisation keys (the
    event names the buyer's account)."""
    user = request.user
    return user if getattr(user, "pk", None) is not None else None


def _only_managers() -> Exception:
    return PermissionDenied(_("Only the project's managers can do this."), "not_a_manager")
