"""Field data: the species catalogue, parcels, plantings, monitoring plots and tree measurements."""

from decimal import Decimal

from django.contrib.gis.db import models as gis_models
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from parcels import geo, validation
from parcels.choices import (
    Arrangement,
    GrowthForm,
    GrowthGroup,
    LandUse,
    ParcelStatus,
    TreeOrigin,
    TreeStatus,
    WoodDensityLevel,
)
from pichanaki.numbers import species_label
from smallholders.models import Project, Smallholder


class Species(models.Model):
    """A taxon in the catalogue, with the wood density and equations the carbon engine uses."""

    code = models.CharField(
        _("code"),
        max_length=20,
        unique=True,
        help_text=_("Short code used in field forms and import files, e.g. INGAEDU."),
    )
    scientific_name = models.CharField(_("scientific name"), max_length=150, unique=True)
    genus = models.CharField(_("genus"), max_length=80)
    family = models.CharField(_("family"), max_length=80, blank=True)
    common_name_es = models.CharField(_("common name (Spanish)"), max_length=150, blank=True)
    common_name_en = models.CharField(_("common name (English)"), max_length=150, blank=True)
    local_names = models.CharField(
        _("local names"), max_length=300, blank=True, help_text=_("Comma-separated.")
    )
    native_to_peru = models.BooleanField(_("native to Peru"), default=False)
    growth_form = models.CharField(
        _("growth form"), max_length=10, choices=GrowthForm.choices, default=GrowthForm.TREE
    )
    wood_density = models.DecimalField(
        _("wood density (g/cm³)"),
        max_digits=4,
        decimal_places=3,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.08")), MaxValueValidator(Decimal("1.39"))],
    )
    wood_density_level = models.CharField(
        _("wood density level"), max_length=10, choices=WoodDensityLevel.choices, blank=True
    )
    wood_density_source = models.CharField(_("wood density source"), max_length=300, blank=True)
    equation = models.CharField(
        _("allometric equation"),
        max_length=40,
        blank=True,
        help_text=_("Empty: the project's default equation."),
    )
    growth_group = models.CharField(
        _("growth group"), max_length=20, choices=GrowthGroup.choices, blank=True
    )
    min_density_per_ha = models.PositiveIntegerField(
        _("minimum planting density (trees/ha)"), default=20
    )
    max_density_per_ha = models.PositiveIntegerField(
        _("maximum planting density (trees/ha)"), default=2500
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["scientific_name"]
        verbose_name = _("species")
        verbose_name_plural = _("species")

    def __str__(self) -> str:
        return species_label(self)


class Stratum(models.Model):
    """A group of parcels with similar conditions, sampled and estimated together."""

    project = models.ForeignKey(
        Project, on_delete=models.PROTECT, related_name="strata", verbose_name=_("project")
    )
    code = models.SlugField(_("code"), max_length=30)
    name = models.CharField(_("name"), max_length=150)
    description = models.TextField(_("description"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["project", "code"]
        verbose_name = _("stratum")
        verbose_name_plural = _("strata")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "code"],
                name="%(app_label)s_%(class)s_unique_code",
                violation_error_message=_("This project already has a stratum with this code."),
            )
        ]

    def __str__(self) -> str:
        return self.name


def evidence_upload_to(instance: "Parcel", filename: str) -> str:
    return f"private/eligibility/{instance.project_id}/{filename}"


class Parcel(models.Model):
    """A smallholder's piece of land in the project, with its boundary as drawn in the field."""

    project = models.ForeignKey(
        Project, on_delete=models.PROTECT, related_name="parcels", verbose_name=_("project")
    )
    smallholder = models.ForeignKey(
        Smallholder, on_delete=models.PROTECT, related_name="parcels", verbose_name=_("owner")
    )
    code = models.CharField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=150, blank=True)
    boundary = gis_models.MultiPolygonField(_("boundary"), srid=4326)
    area_ha = models.DecimalField(_("area (ha)"), max_digits=10, decimal_places=4)
    area_epsg = models.PositiveIntegerField(
        _("area computed in EPSG"), help_text=_("The UTM zone the area was computed in.")
    )
    land_use_before = models.CharField(
        _("land use before the project"), max_length=20, choices=LandUse.choices
    )
    eligibility_no_forest = models.BooleanField(
        _("no forest in the 10 years before planting"), null=True, blank=True
    )
    eligibility_note = models.TextField(_("eligibility note"), blank=True)
    eligibility_file = models.FileField(
        _("eligibility evidence"), upload_to=evidence_upload_to, blank=True
    )
    status = models.CharField(
        _("status"), max_length=12, choices=ParcelStatus.choices, default=ParcelStatus.DRAFT
    )
    rejection_reason = models.TextField(_("rejection reason"), blank=True)
    stratum = models.ForeignKey(
        Stratum,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="parcels",
        verbose_name=_("stratum"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["project", "code"]
        verbose_name = _("parcel")
        verbose_name_plural = _("parcels")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "code"],
                name="%(app_label)s_%(class)s_unique_code",
                violation_error_message=_("This project already has a parcel with this code."),
            ),
            models.CheckConstraint(
                condition=models.Q(area_ha__gt=0),
                name="%(app_label)s_%(class)s_positive_area",
                violation_error_message=_("A parcel's area must be positive."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}".strip()

    def clean(self) -> None:
        """Single-row boundary facts (validity, project area, size) and the derived area.

        Overlaps with other parcels need a lock, so services check them, not clean().
        """
        if self.status == ParcelStatus.REJECTED and not self.rejection_reason.strip():
            raise ValidationError(
                {"rejection_reason": _("Give the reason for rejecting the parcel.")},
                code="required",
            )
        if self.boundary is None:
            return
        self.boundary = geo.as_multipolygon(self.boundary)
        project = self.project if self.project_id else None
        geo.validate_boundary(self.boundary, project=project)
        self.set_area()

    def set_area(self) -> None:
        """Area in hectares computed in the boundary's own UTM zone (which is recorded too)."""
        self.area_epsg = geo.utm_epsg_for(self.boundary)
        self.area_ha = geo.area_hectares(self.boundary)


class Planting(models.Model):
    """Trees of one species planted on a parcel on one date (a cohort)."""

    parcel = models.ForeignKey(
        Parcel, on_delete=models.PROTECT, related_name="plantings", verbose_name=_("parcel")
    )
    species = models.ForeignKey(
        Species, on_delete=models.PROTECT, related_name="plantings", verbose_name=_("species")
    )
    planted_on = models.DateField(_("planted on"))
    trees_planted = models.PositiveIntegerField(_("trees planted"))
    arrangement = models.CharField(_("arrangement"), max_length=12, choices=Arrangement.choices)
    replanting_of = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replantings",
        verbose_name=_("replanting of"),
    )
    notes = models.TextField(_("notes"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["parcel", "planted_on"]
        verbose_name = _("planting")
        verbose_name_plural = _("plantings")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(trees_planted__gt=0),
                name="%(app_label)s_%(class)s_positive_trees",
                violation_error_message=_("At least one tree must be planted."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.parcel} · {self.species} · {self.planted_on:%Y-%m-%d}"

    def clean(self) -> None:
        validation.collect_errors(
            lambda: validation.validate_not_future(self.planted_on, field_name="planted_on"),
            self._check_replanting,
        )

    def _check_replanting(self) -> None:
        earlier = self.replanting_of
        if earlier is None or self.planted_on is None:
            return
        if earlier.parcel_id != self.parcel_id or earlier.planted_on > self.planted_on:
            raise ValidationError(
                {
                    "replanting_of": _(
                        "A replanting replaces an earlier planting of the same parcel."
                    )
                },
                code="replanting",
            )


class SurvivalCount(models.Model):
    """How many trees of a planting were alive on a given date."""

    planting = models.ForeignKey(
        Planting,
        on_delete=models.CASCADE,
        related_name="survival_counts",
        verbose_name=_("planting"),
    )
    counted_on = models.DateField(_("counted on"))
    trees_alive = models.PositiveIntegerField(_("trees alive"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["planting", "counted_on"]
        verbose_name = _("survival count")
        verbose_name_plural = _("survival counts")
        constraints = [
            models.UniqueConstraint(
                fields=["planting", "counted_on"],
                name="%(app_label)s_%(class)s_unique_date",
                violation_error_message=_("This planting already has a count on this date."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.planting}: {self.trees_alive}"

    def clean(self) -> None:
        planting = self.planting
        validation.collect_errors(
            lambda: validation.validate_not_future(self.counted_on, field_name="counted_on"),
            lambda: validation.validate_after_planting(
                self.counted_on, first_planted_on=planting.planted_on, field_name="counted_on"
            ),
            lambda: validation.validate_survival(
                self.trees_alive, trees_planted=planting.trees_planted
            ),
        )


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
