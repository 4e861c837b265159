"""Import jobs: one uploaded field-data file, its preview and its all-or-nothing commit."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from parcels.choices import LandUse
from pichanaki.dispatch import DispatchedRow
from smallholders.models import Cooperative, Project


class ImportKind(models.TextChoices):
    SMALLHOLDERS = "smallholders", _("Smallholders")
    PARCELS = "parcels", _("Parcels")
    PLANTINGS = "plantings", _("Plantings")
    MEASUREMENTS = "measurements", _("Tree measurements")


class ImportStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    PREVIEWING = "previewing", _("Checking the file")
    PREVIEWED = "previewed", _("Checked, ready to import")
    COMMITTING = "committing", _("Importing")
    DONE = "done", _("Imported")
    FAILED = "failed", _("Failed")


#: A job keeps this many of its errors, the first in file order (the page shows them all), and
#: counts every one: a 50 MB file whose every row is wrong holds 372,387 errors, 65 MB of JSON
#: that every page listing the job would load into the web process.
ERRORS_KEPT = 500


def import_upload_to(instance: "ImportJob", filename: str) -> str:
    return f"private/imports/{instance.project_id}/{filename}"


class ImportJob(DispatchedRow):  # the row is its task's message
    """One uploaded file of field data: checked first (preview), then written all or nothing.

    `errors` holds the first :data:`ERRORS_KEPT` problems found, in file order, as ``{"row",
    "sheet", "field", "column", "message"}`` dicts (``column`` is the column as the user's file
    names it), and `error_count` how many there were; a job with errors can never be committed.
    """

    kind = models.CharField(_("kind of data"), max_length=12, choices=ImportKind.choices)
    project = models.ForeignKey(
        Project, on_delete=models.PROTECT, related_name="import_jobs", verbose_name=_("project")
    )
    cooperative = models.ForeignKey(
        Cooperative,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="import_jobs",
        verbose_name=_("cooperative"),
    )
    land_use_before = models.CharField(
        _("default land use before the project"),
        max_length=20,
        choices=LandUse.choices,
        blank=True,
        help_text=_("Parcel imports: used for rows whose file gives no land use."),
    )
    file = models.FileField(_("file"), upload_to=import_upload_to)
    original_name = models.CharField(_("original file name"), max_length=255)
    requested_format = models.CharField(_("format requested"), max_length=12, blank=True)
    detected_format = models.CharField(_("format detected"), max_length=12, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=ImportStatus.choices, default=ImportStatus.PENDING
    )
    run_async = models.BooleanField(_("run in the background"), default=False)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    to_create = models.PositiveIntegerField(_("records to create"), default=0)
    to_update = models.PositiveIntegerField(_("records to update"), default=0)
    created_count = models.PositiveIntegerField(_("records created"), default=0)
    updated_count = models.PositiveIntegerField(_("records updated"), default=0)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    error_count = models.PositiveIntegerField(_("errors found"), default=0)
    sample = models.JSONField(
        _("preview sample"),
        default=list,
        blank=True,
        help_text=_("The first rows as they will be written."),
    )
    message = models.TextField(_("message"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="import_jobs",
        verbose_name=_("uploaded by"),
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    previewed_at = models.DateTimeField(_("checked at"), null=True, blank=True)
    committed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("imported by"),
    )
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("data import")
        verbose_name_plural = _("data imports")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress__lte=100),
                name="%(app_label)s_%(class)s_progress_range",
                violation_error_message=_("Progress is a percentage."),
            )
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_kind_display()} · {self.original_name}"

    @property
    def finished(self) -> bool:
        return self.status in (ImportStatus.DONE, ImportStatus.FAILED)

    @property
    def committable(self) -> bool:
        return self.status == ImportStatus.PREVIEWED and not self.error_count

    @property
    def checked(self) -> bool:
        """The check of the file is over (whatever came next): nothing more will move the bar."""
        return self.finished or self.status == ImportStatus.PREVIEWED

    @property
    def status_label(self) -> str:
        """The status in words; a checked file with errors says so instead of "ready"."""
        if self.status == ImportStatus.PREVIEWED and self.error_count:
            return str(_("Checked: the file has errors, nothing can be imported"))
        return self.get_status_display()

    @property
    def shown_progress(self) -> int:
        return 100 if self.checked else self.progress
