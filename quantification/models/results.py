"""The stored results of a calculation run: per stratum, parcel, parcel vintage, plot and tree."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from parcels.models import MonitoringPlot, Parcel, Stratum, TreeMeasurement
from pichanaki.indexes import BlockRangeIndex
from quantification.models.runs import PER_HA, TONNES, CalculationRun


class ParcelBasis(models.TextChoices):
    PLOTS = "plots", _("Own plots")
    STRATUM = "stratum", _("Stratum mean")
    PLANTINGS = "plantings", _("Plantings (projection)")


class StratumResult(models.Model):
    """A stratum's estimate in one run: mean, standard error, plots and the 90% uncertainty."""

    run = models.ForeignKey(
        CalculationRun, on_delete=models.CASCADE, related_name="strata", verbose_name=_("run")
    )
    stratum = models.ForeignKey(
        Stratum,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("stratum"),
        help_text=_("Empty: the parcels without a stratum, estimated together."),
    )
    area_ha = models.DecimalField(_("area (ha)"), max_digits=12, decimal_places=4)
    n_plots = models.PositiveIntegerField(_("plots"))
    mean_tco2e_ha = models.DecimalField(_("mean (tCO2e/ha)"), **PER_HA)
    se_tco2e_ha = models.DecimalField(_("standard error (tCO2e/ha)"), null=True, **PER_HA)
    uncertainty_pct = models.DecimalField(
        _("uncertainty (%)"), max_digits=9, decimal_places=4, null=True
    )
    stock_tco2e = models.DecimalField(_("stock (tCO2e)"), **TONNES)

    class Meta:
        db_table = "parcels_stratumresult"  # the table kept its name when the model moved
        ordering = ["run", "stratum"]
        verbose_name = _("stratum result")
        verbose_name_plural = _("stratum results")
        constraints = [
            models.UniqueConstraint(
                fields=["run", "stratum"],
                name="parcels_%(class)s_unique_stratum",
                violation_error_message=_("This run already has a result for this stratum."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.run_id}/{self.stratum_id}"


class ParcelResult(models.Model):
    """A parcel's share of a run: stock, change, net contribution and issuable tonnes.

    Parcels with plots: their own plot mean × area; without: their stratum mean × area
    (`basis`). `net_tco2e` and `issuable_tco2e` are allocations of the project figures that
    sum exactly to them. The trees behind it are `trees()`; the parameters `run.parameter_set`.
    """

    run = models.ForeignKey(
        CalculationRun, on_delete=models.CASCADE, related_name="parcels", verbose_name=_("run")
    )
    parcel = models.ForeignKey(
        Parcel, on_delete=models.PROTECT, related_name="+", verbose_name=_("parcel")
    )
    stratum = models.ForeignKey(
        Stratum, on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("stratum")
    )
    basis = models.CharField(_("basis"), max_length=10, choices=ParcelBasis.choices)
    area_ha = models.DecimalField(_("area (ha)"), max_digits=12, decimal_places=4)
    n_plots = models.PositiveIntegerField(_("plots"))
    n_trees = models.PositiveIntegerField(_("trees"))
    stock_tco2e = models.DecimalField(_("stock (tCO2e)"), **TONNES)
    change_tco2e = models.DecimalField(_("stock change (tCO2e)"), **TONNES)
    baseline_stock_tco2e = models.DecimalField(
        _("pre-existing trees' stock (tCO2e)"), default=0, **TONNES
    )
    net_tco2e = models.DecimalField(_("net contribution (tCO2e)"), **TONNES)
    issuable_tco2e = models.BigIntegerField(_("issuable (tCO2e)"))

    class Meta:
        db_table = "parcels_parcelresult"  # the table kept its name when the model moved
        ordering = ["run", "parcel"]
        verbose_name = _("parcel result")
        verbose_name_plural = _("parcel results")
        constraints = [
            models.UniqueConstraint(
                fields=["run", "parcel"],
                name="parcels_%(class)s_unique_parcel",
                violation_error_message=_("This run already has a result for this parcel."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.run_id}/{self.parcel_id}"

    def trees(self) -> models.QuerySet["TreeResult"]:
        return TreeResult.objects.filter(run_id=self.run_id, plot__parcel_id=self.parcel_id)


class ParcelVintage(models.Model):
    """Issuable whole tonnes of one parcel in one vintage; rows sum to `RunVintage` per year."""

    run = models.ForeignKey(
        CalculationRun,
        on_delete=models.CASCADE,
        related_name="parcel_vintages",
        verbose_name=_("run"),
    )
    parcel = models.ForeignKey(
        Parcel, on_delete=models.PROTECT, related_name="+", verbose_name=_("parcel")
    )
    year = models.PositiveSmallIntegerField(_("vintage"))
    issuable_tco2e = models.BigIntegerField(_("issuable (tCO2e)"))

    class Meta:
        db_table = "parcels_parcelvintage"  # the table kept its name when the model moved
        ordering = ["run", "parcel", "year"]
        verbose_name = _("parcel vintage")
        verbose_name_plural = _("parcel vintages")
        constraints = [
            models.UniqueConstraint(
                fields=["run", "parcel", "year"],
                name="parcels_%(class)s_unique_year",
                violation_error_message=_("This run already has this parcel and vintage."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.run_id}/{self.parcel_id}/{self.year}"


class PlotResult(models.Model):
    """One plot visit's densities in a run: all trees of the project pool (`co2e_t_ha`,
    pre-existing trees included because they are on both sides, §8) and the pre-existing
    trees alone (`baseline_co2e_t_ha`, the baseline)."""

    run = models.ForeignKey(
        CalculationRun, on_delete=models.CASCADE, related_name="plots", verbose_name=_("run")
    )
    plot = models.ForeignKey(
        MonitoringPlot, on_delete=models.PROTECT, related_name="+", verbose_name=_("plot")
    )
    parcel = models.ForeignKey(
        Parcel, on_delete=models.PROTECT, related_name="+", verbose_name=_("parcel")
    )
    area_m2 = models.DecimalField(_("area (m²)"), max_digits=9, decimal_places=2)
    n_trees = models.PositiveIntegerField(_("trees"))
    agb_t_ha = models.DecimalField(_("AGB (t/ha)"), **PER_HA)
    co2e_t_ha = models.DecimalField(_("CO2e (tCO2e/ha)"), **PER_HA)
    baseline_co2e_t_ha = models.DecimalField(_("pre-existing trees (tCO2e/ha)"), **PER_HA)

    class Meta:
        db_table = "parcels_plotresult"  # the table kept its name when the model moved
        ordering = ["run", "plot"]
        verbose_name = _("plot result")
        verbose_name_plural = _("plot results")
        constraints = [
            models.UniqueConstraint(
                fields=["run", "plot"],
                name="parcels_%(class)s_unique_plot",
                violation_error_message=_("This run already has a result for this plot."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.run_id}/{self.plot_id}"


class TreeResult(models.Model):
    """One tree's computed values in a run, with how each was obtained (traceability).

    Per-tree kilograms are the engine's float64 values stored as double precision, bit for
    bit; tonnes that are summed and issued are Decimals on the rows above. The foreign keys
    carry no database constraint: a run writes up to millions of rows by COPY and per-row
    referential checks would dominate its time; the ids come from the rows read for the run
    and the ORM still protects them (on_delete=PROTECT). For the same reason the run column
    has a block-range (BRIN) index: one COPY writes a run's rows contiguously. NULL/NaN: the
    value does not apply (e.g. no wood density for a palm).
    """

    run = models.ForeignKey(
        CalculationRun,
        on_delete=models.CASCADE,
        db_constraint=False,
        db_index=False,  # indexed by the block-range index below
        related_name="trees",
        verbose_name=_("run"),
    )
    tree_measurement = models.ForeignKey(
        TreeMeasurement,
        on_delete=models.PROTECT,
        db_constraint=False,
        db_index=False,
        related_name="+",
        verbose_name=_("tree measurement"),
    )
    plot = models.ForeignKey(
        MonitoringPlot,
        on_delete=models.PROTECT,
        db_constraint=False,
        db_index=False,
        related_name="+",
        verbose_name=_("plot"),
    )
    wood_density = models.FloatField(_("wood density (g/cm³)"), null=True)
    wood_density_level = models.CharField(_("wood density level"), max_length=10)
    height_m = models.FloatField(_("height (m)"), null=True)
    height_source = models.CharField(_("height source"), max_length=20)
    agb_raw_kg = models.FloatField(_("AGB before rules (kg)"), null=True)
    agb_kg = models.FloatField(_("AGB credited (kg)"), null=True)
    bgb_kg = models.FloatField(_("BGB (kg)"), null=True)
    carbon_kg = models.FloatField(_("carbon (kg)"), null=True)
    co2e_kg = models.FloatField(_("CO2e (kg)"), null=True)
    equation = models.CharField(_("equation"), max_length=40)
    flags = models.IntegerField(
        _("flags"), default=0, help_text=_("Bit mask of the engine's per-tree data flags.")
    )

    class Meta:
        db_table = "parcels_treeresult"  # the table kept its name when the model moved
        ordering = ["run", "tree_measurement"]
        verbose_name = _("tree result")
        verbose_name_plural = _("tree results")
        indexes = [BlockRangeIndex(fields=["run"], name="parcels_treeresult_run_brin")]

    def __str__(self) -> str:
        return f"{self.run_id}/{self.tree_measurement_id}"
