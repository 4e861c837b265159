"""Plantings (cohorts of one species on a parcel) and their survival counts."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from parcels import validation
from parcels.choices import (
    Arrangement,
)
from parcels.models.field import Parcel, Species


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
        # The admin list reads a page in (parcel, date) order; its date drill-down probes dates.
        indexes = [
            models.Index(fields=["parcel", "planted_on"], name="parcels_planting_list_idx"),
            models.Index(fields=["planted_on"], name="parcels_planting_date_idx"),
        ]
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
