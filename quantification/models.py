"""Carbon calculations: versioned parameter sets, calculation runs and their stored results.

A run is computed from a frozen input (field rows + one parameter set + the code's method
version, all summarised by `input_hash`) and writes every result row in one transaction at
its end, so a run either has all its results or none. Approved runs are what the credit
registry issues from and are immutable (service checks plus database triggers, see
migration `0003_calculations_guards`).
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from parcels.models.field import MonitoringPlot, Parcel, Stratum, TreeMeasurement
from pichanaki.dispatch import DispatchedRow
from pichanaki.indexes import BlockRangeIndex
from pichanaki.numbers import DecimalSpec
from smallholders.models import Project

# Tonnes: 3 decimal places (kg precision); up to a billion tonnes.
TONNES: DecimalSpec = {"max_digits": 15, "decimal_places": 3}
# Per-hectare densities and standard errors.
PER_HA: DecimalSpec = {"max_digits": 12, "decimal_places": 4}


class RunKind(models.TextChoices):
    EX_ANTE = "ex_ante", _("Ex-ante projection")
    EX_POST = "ex_post", _("Ex-post monitoring")


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class ParcelBasis(models.TextChoices):
    PLOTS = "plots", _("Own plots")
    STRATUM = "stratum", _("Stratum mean")
    PLANTINGS = "plantings", _("Plantings (projection)")


class ParameterSet(models.Model):
    """One frozen version of a project's carbon parameters (equations, R, CF, buffer, ...).

    Never edited: a change is a new version (`create_parameter_set_version`).
    """

    project = models.ForeignKey(
        Project, on_delete=models.PROTECT, related_name="parameter_sets", verbose_name=_("project")
    )
    version = models.PositiveIntegerField(_("version"))
    parameters = models.JSONField(_("parameters"))
    fingerprint = models.CharField(_("fingerprint"), max_length=64)
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        db_table = "parcels_parameterset"  # the table kept its name when the model moved
        ordering = ["project", "-version"]
        verbose_name = _("parameter set")
        verbose_name_plural = _("parameter sets")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "version"],
                name="parcels_%(class)s_unique_version",
                violation_error_message=_("This project already has this parameter-set version."),
            ),
            models.CheckConstraint(
                condition=models.Q(version__gte=1),
                name="parcels_%(class)s_version_positive",
                violation_error_message=_("Versions start at 1."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project} · v{self.version}"


class CalculationRun(DispatchedRow):  # the row is its task's message
    """One computation of a project's carbon figures for a period, from frozen inputs.

    Ex-post: the plot visits measured inside [period_start, period_end]; C(t1) is the stock of
    `previous_run` (the last approved ex-post run ending on or before period_start).
    Ex-ante: the projection from plantings, one vintage per calendar year of the period.
    """

    project = models.ForeignKey(
        Project,
        on_delete=models.PROTECT,
        related_name="calculation_runs",
        verbose_name=_("project"),
    )
    kind = models.CharField(_("kind"), max_length=8, choices=RunKind.choices)
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    parameter_set = models.ForeignKey(
        ParameterSet, on_delete=models.PROTECT, related_name="runs", verbose_name=_("parameter set")
    )
    previous_run = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("previous verified run"),
    )
    project_emissions_tco2e = models.DecimalField(
        _("project emissions GHG_E (tCO2e)"),
        default=Decimal(0),
        validators=[MinValueValidator(Decimal(0))],
        help_text=_(
            "Monitored greenhouse-gas emissions of the project activities in the period "
            "(ex-post runs); deducted from the stock change."
        ),
        **TONNES,
    )
    method_version = models.CharField(_("method version"), max_length=40)
    input_hash = models.CharField(_("input hash (SHA-256)"), max_length=64, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("started by"),
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved or rejected by"),
    )
    review_note = models.TextField(_("review note"), blank=True)
    queued_at = models.DateTimeField(_("queued at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    failure_code = models.CharField(
        _("failure code"),
        max_length=40,
        blank=True,
        help_text=_("Why a failed run failed (see quantification.failures)."),
    )
    failure_params = models.JSONField(_("failure parameters"), default=dict, blank=True)
    warnings = models.JSONField(_("warnings"), default=list, blank=True)
    details = models.JSONField(
        _("calculation details"),
        default=dict,
        blank=True,
        help_text=_(
            "Every intermediate of the computation (issuance steps, height models, effective "
            "parameters, projection), for audit."
        ),
    )
    n_trees = models.PositiveIntegerField(_("trees"), default=0)
    n_plots = models.PositiveIntegerField(_("plots"), default=0)
    area_ha = models.DecimalField(_("area (ha)"), max_digits=12, decimal_places=4, null=True)
    stock_tco2e = models.DecimalField(_("stock C(t2) (tCO2e)"), null=True, **TONNES)
    previous_stock_tco2e = models.DecimalField(_("stock C(t1) (tCO2e)"), null=True, **TONNES)
    mean_tco2e_ha = models.DecimalField(_("mean (tCO2e/ha)"), null=True, **PER_HA)
    se_tco2e_ha = models.DecimalField(_("standard error (tCO2e/ha)"), null=True, **PER_HA)
    uncertainty_pct = models.DecimalField(
        _("uncertainty (% of mean, 90% CI)"), max_digits=9, decimal_places=4, null=True
    )
    delta_c_tco2e = models.DecimalField(_("stock change ΔC_P (tCO2e)"), null=True, **TONNES)
    deduction_tco2e = models.DecimalField(_("uncertainty deduction (tCO2e)"), null=True, **TONNES)
    emissions_tco2e = models.DecimalField(_("project emissions (tCO2e)"), null=True, **TONNES)
    baseline_tco2e = models.DecimalField(_("baseline ΔC_BSL (tCO2e)"), null=True, **TONNES)
    leakage_tco2e = models.DecimalField(_("leakage (tCO2e)"), null=True, **TONNES)
    net_tco2e = models.DecimalField(_("net removals ΔC_NET (tCO2e)"), null=True, **TONNES)
    buffer_tco2e = models.BigIntegerField(_("buffer (tCO2e)"), null=True)
    issuable_tco2e = models.BigIntegerField(_("issuable (tCO2e)"), null=True)

    class Meta:
        db_table = "parcels_calculationrun"  # the table kept its name when the model moved
        ordering = ["-queued_at", "-pk"]
        verbose_name = _("calculation run")
        verbose_name_plural = _("calculation runs")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_start__lte=models.F("period_end")),
                name="parcels_%(class)s_period_order",
                violation_error_message=_("The period must end on or after its start."),
            ),
            models.CheckConstraint(
                condition=models.Q(progress__lte=100),
                name="parcels_%(class)s_progress_range",
                violation_error_message=_("Progress is a percentage."),
            ),
            models.CheckConstraint(
                condition=models.Q(project_emissions_tco2e__gte=0),
                name="parcels_%(class)s_emissions_not_negative",
                violation_error_message=_("Project emissions cannot be negative."),
            ),
        ]
        indexes = [
            models.Index(
                fields=["project", "kind", "status", "period_end"], name="parcels_run_lookup_idx"
            )
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_kind_display()} {self.period_start}–{self.period_end}"

    @property
    def is_final(self) -> bool:
        return self.status in (RunStatus.APPROVED, RunStatus.REJECTED, RunStatus.FAILED)


class RunVintage(models.Model):
    """A run's issuable tonnes for one vintage (calendar year); what the registry issues from."""

    run = models.ForeignKey(
        CalculationRun, on_delete=models.CASCADE, related_name="vintages", verbose_name=_("run")
    )
    year = models.PositiveSmallIntegerField(_("vintage"))
    net_tco2e = models.DecimalField(_("net removals (tCO2e)"), **TONNES)
    buffer_tco2e = models.BigIntegerField(_("buffer (tCO2e)"))
    issuable_tco2e = models.BigIntegerField(_("issuable (tCO2e)"))

    class Meta:
        db_table = "parcels_runvintage"  # the table kept its name when the model moved
        ordering = ["run", "year"]
        verbose_name = _("run vintage")
        verbose_name_plural = _("run vintages")
        constraints = [
            models.UniqueConstraint(
                fields=["run", "year"],
                name="parcels_%(class)s_unique_year",
                violation_error_message=_("This run already has this vintage."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.run_id}/{self.year}"


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
