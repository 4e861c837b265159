"""Rollups: the dashboard's field figures kept per project and cooperative, so that a page view
reads a handful of rows instead of scanning plantings, survival counts and plots.

They are derived data, never edited: `backoffice.services.refresh_panel_rollups` recomputes a
project's rows from the field data after every commit that changed it (see receivers.py).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from pichanaki.dispatch import DispatchedRow
from smallholders.models import Cooperative, Project


class ProjectRollup(DispatchedRow):  # a wanted refresh is its task's message (outboxes.py)
    """When a project's rollups were computed, and under which survival threshold.

    `refresh_wanted` is the time of a commit whose refresh could not be sent (the broker did
    not answer); the outbox sweep sends it, and any refresh that reads after it clears it.
    """

    project = models.OneToOneField(
        Project, on_delete=models.CASCADE, primary_key=True, related_name="panel_rollup"
    )
    # The time the last refresh started reading: every commit before it is in the figures.
    computed_from = models.DateTimeField(_("computed from"))
    survival_threshold = models.DecimalField(
        _("survival threshold"), max_digits=5, decimal_places=4
    )
    refresh_wanted = models.DateTimeField(_("refresh wanted since"), null=True, blank=True)

    class Meta:
        verbose_name = _("project rollup")
        verbose_name_plural = _("project rollups")

    def __str__(self) -> str:
        return f"{self.project_id} @ {self.computed_from:%Y-%m-%d %H:%M:%S}"


class CooperativeRollup(models.Model):
    """The field figures of one cooperative's families in one project.

    A project's figures are the sum of its cooperatives' rows (every family, parcel, planting
    and plot belongs to exactly one cooperative); that sum is kept too, as the row without a
    cooperative, for those who see the whole project (one row to read at any size).
    The JSON lists are small (species × years, years, dates) and hold only numbers and dates.
    """

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    # null: the whole project's row (`rollup_totals.project_total`)
    cooperative = models.ForeignKey(
        Cooperative, on_delete=models.CASCADE, null=True, related_name="+"
    )
    families = models.PositiveIntegerField(default=0)
    parcels = models.PositiveIntegerField(default=0)
    parcels_validated = models.PositiveIntegerField(default=0)
    parcels_pending = models.PositiveIntegerField(default=0)  # draft or submitted
    hectares_validated = models.DecimalField(max_digits=16, decimal_places=4, default=0)
    trees_planted = models.PositiveBigIntegerField(default=0)
    trees_counted = models.PositiveBigIntegerField(default=0)  # of cohorts counted at least once
    trees_alive = models.PositiveBigIntegerField(default=0)  # at each cohort's last count
    low_survival_plantings = models.PositiveIntegerField(default=0)
    # [[species_id, planting year, trees planted, alive at the last count]] (counted cohorts)
    survival = models.JSONField(default=list)
    # Money of the cooperative's families (soles): paid (PAID events), held in trust now, and
    # lines waiting: to pay (accrued or approved) and held (withheld).
    paid_pen = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    held_pen = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    lines_to_pay = models.PositiveIntegerField(default=0)
    lines_held = models.PositiveIntegerField(default=0)
    # [["YYYY-MM-01", "soles paid that month"]]
    paid_by_month = models.JSONField(default=list)
    # [[year, plots measured, parcels visited]]
    coverage = models.JSONField(default=list)
    # [["YYYY-MM-DD" or null (never), validated parcels last measured on that date]]
    last_monitored = models.JSONField(default=list)
    # Carbon and credits of the cooperative's parcels: their net tCO2e in the latest approved
    # ex-ante run (null: no such run, or none of its parcels in it) and summed over the approved
    # ex-post runs; units issued from them {"PER"/"VER": [units, buffer units]}.
    ex_ante_tco2e = models.DecimalField(max_digits=18, decimal_places=3, null=True)
    verified_tco2e = models.DecimalField(max_digits=18, decimal_places=3, default=0)
    credits = models.JSONField(default=dict)
    # The cooperative's part of the approved distributions' sales:
    # [[currency, "YYYY-MM-01", "amount (exact decimal)"]]
    revenue = models.JSONField(default=list)

    class Meta:
        verbose_name = _("cooperative rollup")
        verbose_name_plural = _("cooperative rollups")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "cooperative"], name="backoffice_rollup_unique_cooperative"
            ),
            models.UniqueConstraint(
                fields=["project"],
                condition=models.Q(cooperative__isnull=True),
                name="backoffice_rollup_unique_total",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project_id}/{self.cooperative_id}"


class MapCell(models.Model):
    """The project map's overview at low zooms (PostGIS): a tile there covers thousands of
    parcels smaller than a pixel, so it is drawn from these cells instead, at most 16 × 16 per
    tile whatever the size of the project.

    A cell is the tile (x, y) of zoom + 4 and sums the parcels whose point-on-surface falls in
    it, for the whole project (cooperative null) or one cooperative's parcels. Derived data,
    rebuilt with the rollups (`backoffice.mapcells.rebuild_map_cells`).
    """

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    cooperative = models.ForeignKey(
        Cooperative, on_delete=models.CASCADE, null=True, related_name="+"
    )
    zoom = models.PositiveSmallIntegerField()  # the zoom of the tiles it is drawn in
    x = models.PositiveIntegerField()  # the cell: tile (x, y) at zoom + 4
    y = models.PositiveIntegerField()
    parcels = models.PositiveIntegerField()
    area_ha = models.DecimalField(max_digits=16, decimal_places=4)
    cooperative_name = models.CharField(max_length=200)  # the one with most parcels there
    status = models.CharField(max_length=12)  # the most common status code
    tco2e_ha = models.FloatField(null=True)  # stock of the latest approved ex-post run per ha
    monitored = models.PositiveSmallIntegerField(null=True)  # the earliest last-monitored year
    survival = models.FloatField(null=True)  # % alive at the last counts

    class Meta:
        indexes = [
            models.Index(
                fields=["project", "cooperative", "zoom", "x", "y"], name="backoffice_mapcell_tile"
            )
        ]

    def __str__(self) -> str:
        return f"{self.project_id}/{self.cooperative_id or '*'} {self.zoom}:{self.x},{self.y}"
