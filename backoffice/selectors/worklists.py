"""What needs someone today, each item with how many and where to act on it.

Thresholds are settings (`PANEL_MONITORING_YEARS`, `PANEL_SURVIVAL_THRESHOLD`,
`PANEL_EXPIRING_HOURS`) so that a project can follow its standard's rules.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from backoffice.selectors.access import PanelView
from backoffice.selectors.rollups import field_rollup
from backoffice.services import survival_threshold
from benefits.choices import DistributionStatus, LineStatus
from benefits.selectors import distributions_for
from credits.choices import ReservationStatus
from credits.selectors import reservations_for
from parcels.choices import ParcelStatus
from parcels.models import (
    ImportJob,
    ImportStatus,
    MonitoringPlot,
    Parcel,
    Planting,
    SurvivalCount,
)
from parcels.selectors import parcels_for, plantings_for
from quantification.models import RunStatus
from quantification.selectors import runs_for
from smallholders.selectors import AnyUser, scope_for


@dataclass(frozen=True)
class WorkItem:
    key: str
    label: str | Promise
    count: int
    url: str


def _scoped_parcels(*, user: AnyUser, view: PanelView) -> QuerySet[Parcel]:
    parcels = parcels_for(user=user).filter(project=view.project)
    if view.cooperative_id:
        parcels = parcels.filter(smallholder__cooperative_id=view.cooperative_id)
    return parcels


def _admin_list(name: str, **query: object) -> str:
    url = reverse(f"admin:{name}_changelist")
    pairs = "&".join(f"{key}={value}" for key, value in query.items())
    return f"{url}?{pairs}" if pairs else url


def _monitored_since() -> date:
    return timezone.localdate() - timedelta(days=365 * settings.PANEL_MONITORING_YEARS)


def unmonitored_parcels(*, user: AnyUser, view: PanelView) -> QuerySet[Parcel]:
    """Validated parcels with no plot measured in the last PANEL_MONITORING_YEARS years (the
    list behind the worklist's count, which the rollups give without scanning plots)."""
    recent = MonitoringPlot.objects.filter(
        parcel=OuterRef("pk"), measured_on__gte=_monitored_since()
    )
    parcels = _scoped_parcels(user=user, view=view).filter(status=ParcelStatus.VALIDATED)
    return parcels.filter(~Exists(recent))


def low_survival_cohorts(*, user: AnyUser, view: PanelView) -> QuerySet[Planting]:
    """Plantings whose last survival count is under PANEL_SURVIVAL_THRESHOLD of those planted
    (the list behind the worklist's count, which comes from the rollups)."""
    last = SurvivalCount.objects.filter(planting=OuterRef("pk")).order_by("-counted_on")
    threshold = survival_threshold()
    parcels = _scoped_parcels(user=user, view=view)
    return (
        plantings_for(user=user)
        .filter(parcel__in=parcels.values("pk"))
        .annotate(alive=Subquery(last.values("trees_alive")[:1]))
        .filter(alive__lt=F("trees_planted") * threshold)
    )


def worklist(*, user: AnyUser, view: PanelView) -> list[WorkItem]:
    """Every kind of pending work in the view's scope; kinds with nothing pending included,
    so that a person sees that the list was checked."""
    figures = field_rollup(user=user, view=view)
    runs = runs_for(user=user).filter(project=view.project, status=RunStatus.SUCCEEDED)
    soon = timezone.now() + timedelta(hours=settings.PANEL_EXPIRING_HOURS)
    reservations = reservations_for(user=user).filter(
        project=view.project, status=ReservationStatus.PENDING, expires_at__lte=soon
    )
    with_errors = Q(status=ImportStatus.FAILED) | (
        Q(status=ImportStatus.PREVIEWED) & Q(error_count__gt=0)
    )
    imports = _visible_imports(view=view).filter(with_errors)
    previews = distributions_for(user=user).filter(
        project=view.project, status=DistributionStatus.PREVIEW
    )
    items = [
        WorkItem(
            "runs",
            _("Calculation runs awaiting approval"),
            runs.count(),
            _admin_list("quantification_calculationrun", status__exact=RunStatus.SUCCEEDED),
        ),
        WorkItem(
            "parcels",
            _("Parcels to validate"),
            figures.parcels_pending,
            _admin_list("parcels_parcel", status__exact=ParcelStatus.SUBMITTED),
        ),
        WorkItem(
            "unmonitored",
            _("Parcels not monitored in %(years)s years")
            % {"years": settings.PANEL_MONITORING_YEARS},
            figures.unmonitored_since(_monitored_since()),
            reverse("backoffice:unmonitored", args=[view.project.code]),
        ),
        WorkItem(
            "survival",
            _("Plantings below %(pct)s%% survival")
            % {"pct": int(settings.PANEL_SURVIVAL_THRESHOLD * 100)},
            figures.low_survival_plantings,
            reverse("backoffice:low-survival", args=[view.project.code]),
        ),
        WorkItem(
            "reservations",
            _("Reservations expiring within %(hours)s hours")
            % {"hours": settings.PANEL_EXPIRING_HOURS},
            reservations.count(),
            _admin_list("credits_reservation", status__exact=ReservationStatus.PENDING),
        ),
        WorkItem(
            "imports", _("Imports with errors"), imports.count(), reverse("parcels_import:index")
        ),
        WorkItem(
            "distributions",
            _("Distributions to approve"),
            previews.count(),
            _admin_list("benefits_distribution", status__exact=DistributionStatus.PREVIEW),
        ),
        WorkItem(
            "payments",
            _("Payments to make"),
            figures.lines_to_pay,
            _admin_list("benefits_distributionline", status__exact=LineStatus.APPROVED),
        ),
        WorkItem(
            "held",
            _("Payments held in trust"),
            figures.lines_held,
            _admin_list("benefits_distributionline", status__exact=LineStatus.WITHHELD),
        ),
    ]
    # Each person sees the work they can act on: approvals for those who approve, sales for
    # those who manage, field data for those who edit it.
    scope = scope_for(user)
    hidden = set()
    if not scope.approves:
        hidden |= {"runs", "distributions"}
    if not scope.manages:
        hidden |= {"reservations", "payments"}
    if not scope.edits_field_data:
        hidden |= {"imports", "survival", "unmonitored"}
    return [item for item in items if item.key not in hidden]


def _visible_imports(*, view: PanelView) -> QuerySet[ImportJob]:
    jobs = ImportJob.objects.filter(project=view.project)
    if view.cooperative_id:
        jobs = jobs.filter(cooperative_id=view.cooperative_id)
    return jobs
