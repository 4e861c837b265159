"""A family's page: who they are (personal data only for those who may read it), their parcels,
trees, monitoring, the tonnes their parcels contributed and the credits issued from them."""

import json
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.gis.db.models.functions import AsGeoJSON
from django.db.models import Count, Max, OuterRef, Q, QuerySet, Subquery, Sum
from django.http import Http404

from backoffice.selectors.access import PanelView
from benefits.models import DistributionLine, PaymentEvent, Statement
from benefits.selectors import lines_for, payment_events_for, statements_for
from credits.selectors import contributions_for
from parcels.models import Planting, SurvivalCount
from parcels.selectors import parcels_for, plantings_for
from quantification.models import ParcelResult, RunKind, RunStatus
from smallholders.models import Smallholder
from smallholders.selectors import AnyUser, access_smallholder, sees_personal_data, smallholders_for

FAMILY_ROWS = 20  # the latest lines, payments and statements; the full lists are linked


def find_families(*, user: AnyUser, view: PanelView, query: str) -> QuerySet[Smallholder]:
    """Families of the view whose name, DNI, community or parcel code contains `query`."""
    families = smallholders_for(user=user).filter(project=view.project)
    if view.cooperative_id:
        families = families.filter(cooperative_id=view.cooperative_id)
    for word in query.split():
        families = families.filter(
            Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
            | Q(dni__startswith=word)
            | Q(community__icontains=word)
            | Q(parcels__code__iexact=word)
        )
    return families.distinct().order_by("last_name", "first_name", "pk")


@dataclass(frozen=True)
class FamilyPage:
    smallholder: Smallholder
    personal: bool
    parcels: list[Any]  # Parcels with the annotations of _parcels (geojson, stock...)
    plantings: Sequence[Planting]
    boundaries: dict[str, Any]  # a GeoJSON FeatureCollection of the parcels, for the map
    tonnes_verified: Decimal
    credits: dict[str, int]
    lines: list[DistributionLine]  # the family's lines (what each distribution gave them)
    payments: list[PaymentEvent]  # payment events of those lines, newest first
    statements: list[Statement]  # statements issued to the family, newest first


def _parcels(*, user: AnyUser, smallholder: Smallholder) -> QuerySet[Any]:
    latest = ParcelResult.objects.filter(
        parcel=OuterRef("pk"), run__kind=RunKind.EX_POST, run__status=RunStatus.APPROVED
    ).order_by("-run__period_end")
    return (
        parcels_for(user=user)
        .filter(smallholder=smallholder)
        .annotate(
            n_plots=Count("plots", distinct=True),
            last_monitored=Max("plots__measured_on"),
            stock=Subquery(latest.values("stock_tco2e")[:1]),
            geojson=AsGeoJSON("boundary", precision=6),
        )
        .select_related("stratum")
        .order_by("code")
    )


def family_page(*, user: AnyUser, view: PanelView, smallholder_id: int) -> FamilyPage:
    smallholder = access_smallholder(user=user, smallholder_id=smallholder_id)
    if smallholder.project_id != view.project.pk or (
        view.cooperative_id and smallholder.cooperative_id != view.cooperative_id
    ):
        raise Http404
    parcels = list(_parcels(user=user, smallholder=smallholder))
    last = SurvivalCount.objects.filter(planting=OuterRef("pk")).order_by("-counted_on")
    plantings = list(
        plantings_for(user=user)
        .filter(parcel__smallholder=smallholder)
        .select_related("parcel", "species")
        .annotate(
            alive=Subquery(last.values("trees_alive")[:1]),
            counted_on=Subquery(last.values("counted_on")[:1]),
        )
        .order_by("parcel__code", "planted_on", "pk")
    )
    verified = ParcelResult.objects.filter(
        parcel__smallholder=smallholder,
        run__kind=RunKind.EX_POST,
        run__status=RunStatus.APPROVED,
    ).aggregate(total=Sum("net_tco2e"))["total"]
    credits = {
        row["issuance__unit_type"]: row["units"]
        for row in contributions_for(user=user)
        .filter(smallholder=smallholder)
        .values("issuance__unit_type")
        .annotate(units=Sum("units"))
        .order_by("issuance__unit_type")
    }
    features = [
        {
            "type": "Feature",
            "id": p.pk,
            "properties": {"code": p.code},
            "geometry": json.loads(p.geojson),
        }
        for p in parcels
    ]
    money = family_money(user=user, view=view, smallholder=smallholder)
    return FamilyPage(
        smallholder=smallholder,
        personal=sees_personal_data(
            user=user, project_id=smallholder.project_id, cooperative_id=smallholder.cooperative_id
        ),
        parcels=parcels,
        plantings=plantings,
        boundaries={"type": "FeatureCollection", "features": features},
        tonnes_verified=verified or Decimal(0),
        credits=credits,
        **money,
    )


def family_money(
    *, user: AnyUser, view: PanelView, smallholder: Smallholder
) -> dict[str, list[Any]]:
    """The family's lines, payments and statements in the view's project, each list scoped by
    the benefits app's own rules (a role that may not read them gets empty lists)."""
    lines = lines_for(user=user).filter(smallholder=smallholder, distribution__project=view.project)
    payments = payment_events_for(user=user).filter(line__in=lines.values("pk"))
    statements = statements_for(user=user).filter(smallholder=smallholder, project=view.project)
    return {
        "lines": list(lines.order_by("-distribution__created_at", "-pk")[:FAMILY_ROWS]),
        "payments": list(payments.order_by("-created_at", "-pk")[:FAMILY_ROWS]),
        "statements": list(statements.order_by("-created_at", "-pk")[:FAMILY_ROWS]),
    }
