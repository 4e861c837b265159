"""A distribution computed in the background: the row is its own task message (an outbox)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from benefits.models.distribution import Distribution
from pichanaki.dispatch import DispatchedRow
from smallholders.models import Project


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    PLANNING = "planning", _("Computing the shares")
    WRITING = "writing", _("Writing the lines")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class DistributionJob(DispatchedRow):
    """A request to create a distribution of a large project, run by a Celery worker.

    `progress` is written in its own small transactions (or through a second connection while
    the distribution's transaction is open), so that the page polling it sees it move.
    `error` is the reason, in the language of the person who asked (`language`).
    """

    project = models.ForeignKey(
        Project, on_delete=models.PROTECT, related_name="+", verbose_name=_("project")
    )
    sale_ids = models.JSONField(_("sales"), null=True, blank=True)
    policy_version = models.PositiveIntegerField(_("policy version"), null=True, blank=True)
    language = models.CharField(_("language"), max_length=10, default="es")
    status = models.CharField(
        _("status"), max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    families = models.PositiveIntegerField(_("families"), default=0)
    distribution = models.ForeignKey(
        Distribution,
        on_delete=models.SET_NULL,  # a discarded preview leaves the job's history
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("distribution"),
    )
    error = models.TextField(_("why it failed"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("distribution job")
        verbose_name_plural = _("distribution jobs")
        constraints = [
            models.CheckConstraint(
                condition=Q(progress__lte=100),
                name="%(app_label)s_%(class)s_progress_range",
                violation_error_message=_("Progress is a percentage."),
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.project} ({self.get_status_display()} {self.progress}%)"

    @property
    def live(self) -> bool:
        return self.status in (JobStatus.QUEUED, JobStatus.PLANNING, JobStatus.WRITING)
