"""Versioned parameter sets, calculation runs and the vintages a run makes issuable.

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

from pichanaki.dispatch import DispatchedRow
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
