"""Field data: the species catalogue, strata and parcels (plantings are in :mod:`.plantings`,
monitoring plots and tree measurements in :mod:`.monitoring`)."""

from decimal import Decimal

from django.contrib.gis.db import models as gis_models
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from parcels import geo
from parcels.choices import (
    GrowthForm,
    GrowthGroup,
    LandUse,
    ParcelStatus,
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
