"""Monitoring plots (one measurement visit to a sample plot) and their tree measurements."""

from django.contrib.gis.db import models as gis_models
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from parcels import validation
from parcels.choices import (
    TreeOrigin,
    TreeStatus,
)
from parcels.models.field import Parcel, Species


class MonitoringPlot(models.Model):
    """One measurement visit to a sample plot; a permanent plot keeps its code across visits."""

    parcel = models.ForeignKey(
        Parcel, on_delete=models.PROTECT, related_name="plots", verbose_name=_("parcel")
    )
    code = models.CharField(_("plot code"), max_length=40)
    centre = gis_models.PointField(_("centre"), srid=4326)
    radius_m = models.DecimalField(
        _("radius (m)"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    area_m2 = models.DecimalField(
        _("horizontal area (m²)"),
        max_digits=9,
        decimal_places=2,
        blank=True,  # clean() derives it from the radius; required when there is no radius
        help_text=_("Computed from the radius when one is given."),
    )
    slope_pct = models.DecimalField(
        _("slope (%)"),
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(200)],
        help_text=_("When given, the radius was measured along the slope."),
    )
    measured_on = models.DateField(_("measured on"))
    team = models.CharField(_("team"), max_length=200, blank=True)
    permanent = models.BooleanField(_("permanent plot"), default=True)
    notes = models.TextField(_("notes"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["parcel", "code", "measured_on"]
        verbose_name = _("monitoring plot")
        verbose_name_plural = _("monitoring plots")
        # the admin list's date drill-down probes dates (`pichanaki.admin_dates`)
        indexes = [models.Index(fields=["measured_on"], name="parcels_plot_date_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["parcel", "code", "measured_on"],
                name="%(app_label)s_%(class)s_unique_visit",
                violation_error_message=_("This plot was already measured on this date."),
            ),
            models.CheckConstraint(
                condition=models.Q(area_m2__gt=0),
                name="%(app_label)s_%(class)s_positive_area",
                violation_error_message=_("A plot's area must be positive."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} ({self.measured_on:%Y-%m-%d})"

    def clean(self) -> None:
        """Derive the horizontal area from the radius; dates not in the future."""
        if self.radius_m is not None:
            self.area_m2 = validation.plot_area_m2(self.radius_m, slope_pct=self.slope_pct)
        elif self.area_m2 is None:
            raise ValidationError(
                {"radius_m": _("Give the plot radius or its horizontal area.")}, code="required"
            )
        validation.validate_not_future(self.measured_on, field_name="measured_on")


class TreeMeasurement(models.Model):
    """One stem measured in a monitoring plot visit."""

    # No index of its own: the unique constraint (plot, tree_tag, stem) leads with plot_id and
    # serves every lookup by plot; a second index would only slow the 100,000-row imports.
    plot = models.ForeignKey(
        MonitoringPlot,
        on_delete=models.CASCADE,
        related_name="trees",
        verbose_name=_("plot"),
        db_index=False,
    )
    tree_tag = models.CharField(_("tree tag"), max_length=40)
    stem = models.PositiveSmallIntegerField(_("stem number"), default=1)
    species = models.ForeignKey(
        Species, on_delete=models.PROTECT, related_name="measurements", verbose_name=_("species")
    )
    dbh_cm = models.DecimalField(
        _("DBH (cm)"),
        max_digits=5,
        decimal_places=1,
        validators=[MinValueValidator(0), MaxValueValidator(300)],
    )
    height_m = models.DecimalField(
        _("height (m)"),
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(70)],
    )
    wood_density = models.DecimalField(
        _("measured wood density (g/cm³)"), max_digits=4, decimal_places=3, null=True, blank=True
    )
    status = models.CharField(
        _("status"), max_length=8, choices=TreeStatus.choices, default=TreeStatus.ALIVE
    )
    origin = models.CharField(
        _("origin"), max_length=14, choices=TreeOrigin.choices, default=TreeOrigin.PLANTED
    )
    notes = models.CharField(_("notes"), max_length=300, blank=True)
    # History rows are read per record (id) in date order by the admin History page; nothing
    # looks them up by plot or species, so those copied columns carry no index (one history row
    # is written per imported stem, and each index costs the import time).
    history = HistoricalRecords(no_db_index=["plot", "species"])

    class Meta:
        ordering = ["plot", "tree_tag", "stem"]
        verbose_name = _("tree measurement")
        verbose_name_plural = _("tree measurements")
        constraints = [
            models.UniqueConstraint(
                fields=["plot", "tree_tag", "stem"],
                name="%(app_label)s_%(class)s_unique_stem",
                violation_error_message=_(
                    "This tree tag and stem were already measured in this plot visit."
                ),
            ),
            models.CheckConstraint(
                condition=models.Q(dbh_cm__gt=0, dbh_cm__lte=300),
                name="%(app_label)s_%(class)s_dbh_range",
                violation_error_message=_("DBH must be between 0 and 300 cm."),
            ),
            models.CheckConstraint(
                condition=models.Q(height_m__isnull=True)
                | models.Q(height_m__gt=0, height_m__lte=70),
                name="%(app_label)s_%(class)s_height_range",
                violation_error_message=_("Height must be between 0 and 70 m."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.tree_tag}/{self.stem}"

    def clean(self) -> None:
        dbh, height = self.dbh_cm, self.height_m
        validation.collect_errors(
            lambda: validation.validate_dbh(dbh),
            lambda: validation.validate_height(height, dbh_cm=dbh),
        )
