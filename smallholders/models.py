"""Projects, cooperatives and the people who use pichanaki."""

from django.conf import settings
from django.contrib.gis.db import models as gis_models
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from smallholders.choices import Gender, Language, PaymentMethod, Role, Standard
from smallholders.validators import validate_dni, validate_ruc


class Project(models.Model):
    """A carbon project: one area, one standard and methodology, one crediting period."""

    code = models.SlugField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    standard = models.CharField(_("standard"), max_length=20, choices=Standard.choices)
    methodology = models.CharField(_("methodology"), max_length=200, blank=True)
    country = models.CharField(_("country (ISO code)"), max_length=2, default="PE")
    region = models.CharField(_("region"), max_length=100, blank=True)
    crediting_start = models.DateField(_("crediting period start"))
    crediting_end = models.DateField(_("crediting period end"))
    area = gis_models.MultiPolygonField(_("project area"), srid=4326, null=True, blank=True)
    cooperatives: "models.ManyToManyField[Cooperative, ProjectCooperative]" = (
        models.ManyToManyField(
            "Cooperative", through="ProjectCooperative", related_name="projects", blank=True
        )
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(crediting_start__lt=models.F("crediting_end")),
                name="%(app_label)s_%(class)s_crediting_period_order",
                violation_error_message=_("The crediting period must end after it starts."),
            )
        ]

    def __str__(self) -> str:
        return self.name


class Cooperative(models.Model):
    """A smallholder cooperative whose members plant and tend the project's trees."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=200)
    ruc = models.CharField(_("RUC (tax id)"), max_length=11, unique=True, validators=[validate_ruc])
    region = models.CharField(_("region"), max_length=100, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=200, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("cooperative")
        verbose_name_plural = _("cooperatives")

    def __str__(self) -> str:
        return self.name


class ProjectCooperative(models.Model):
    """A cooperative's participation in a project, with the dates it joined and left."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, verbose_name=_("project"))
    cooperative = models.ForeignKey(
        Cooperative, on_delete=models.PROTECT, verbose_name=_("cooperative")
    )
    joined_on = models.DateField(_("joined on"))
    left_on = models.DateField(_("left on"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["project", "cooperative"]
        verbose_name = _("project participation")
        verbose_name_plural = _("project participations")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "cooperative"],
                name="%(app_label)s_%(class)s_unique_pair",
                violation_error_message=_("This cooperative already takes part in this project."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.cooperative} → {self.project}"


def agreement_upload_to(instance: "Smallholder", filename: str) -> str:
    return f"private/agreements/{instance.project_id}/{filename}"


class Smallholder(models.Model):
    """A farming family's representative who planted trees under a carbon agreement.

    DNI, phone and payment details are personal data: only the cooperative's staff and the
    project's managers see them, never buyers or the public.
    """

    project = models.ForeignKey(
        Project, on_delete=models.PROTECT, related_name="smallholders", verbose_name=_("project")
    )
    cooperative = models.ForeignKey(
        Cooperative,
        on_delete=models.PROTECT,
        related_name="smallholders",
        verbose_name=_("cooperative"),
    )
    dni = models.CharField(_("DNI"), max_length=8, validators=[validate_dni])
    first_name = models.CharField(_("first names"), max_length=100)
    last_name = models.CharField(_("last names"), max_length=100)
    gender = models.CharField(
        _("gender"), max_length=12, choices=Gender.choices, default=Gender.UNDISCLOSED
    )
    birth_year = models.PositiveSmallIntegerField(_("year of birth"), null=True, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    community = models.CharField(_("community / caserío"), max_length=100, blank=True)
    district = models.CharField(_("district"), max_length=100, blank=True)
    agreement_signed_on = models.DateField(_("carbon agreement signed on"), null=True, blank=True)
    agreement_document = models.FileField(
        _("carbon agreement document"), upload_to=agreement_upload_to, blank=True
    )
    payment_method = models.CharField(
        _("payment method"), max_length=20, choices=PaymentMethod.choices, blank=True
    )
    bank_name = models.CharField(_("bank"), max_length=100, blank=True)
    bank_account = models.CharField(_("bank account number"), max_length=30, blank=True)
    cci = models.CharField(_("interbank account code (CCI)"), max_length=20, blank=True)
    wallet_phone = models.CharField(_("mobile wallet phone"), max_length=20, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["last_name", "first_name"]
        verbose_name = _("smallholder")
        verbose_name_plural = _("smallholders")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "dni"],
                name="%(app_label)s_%(class)s_unique_dni_per_project",
                violation_error_message=_(
                    "A smallholder with this DNI is already registered in this project."
                ),
            )
        ]
        indexes = [
            models.Index(fields=["cooperative", "last_name"]),
            # the admin list reads a page in name order (the ordering above)
            models.Index(fields=["last_name", "first_name"], name="smallholder_name_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.last_name}, {self.first_name}"


class CooperativeMembership(models.Model):
    """A smallholder's membership of a cooperative, with dates (members may move)."""

    smallholder = models.ForeignKey(
        Smallholder,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("smallholder"),
    )
    cooperative = models.ForeignKey(
        Cooperative,
        on_delete=models.PROTECT,
        related_name="memberships",
        verbose_name=_("cooperative"),
    )
    joined_on = models.DateField(_("joined on"))
    left_on = models.DateField(_("left on"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["smallholder", "-joined_on"]
        verbose_name = _("cooperative membership")
        verbose_name_plural = _("cooperative memberships")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(left_on__isnull=True)
                | models.Q(left_on__gte=models.F("joined_on")),
                name="%(app_label)s_%(class)s_dates_order",
                violation_error_message=_("A membership cannot end before it starts."),
            ),
            # The backstop of move_smallholder's row lock: a family is in one cooperative at a
            # time, so two moves racing past the lock could not both leave a membership open.
            models.UniqueConstraint(
                fields=["smallholder"],
                condition=models.Q(left_on__isnull=True),
                name="%(app_label)s_%(class)s_one_open",
                violation_error_message=_("A family belongs to one cooperative at a time."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.smallholder} — {self.cooperative}"


class Profile(models.Model):
    """A person's role and scope: which cooperative (staff) or projects (managers) they act for."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    cooperative = models.ForeignKey(
        Cooperative,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
        verbose_name=_("cooperative"),
    )
    projects = models.ManyToManyField(
        Project, blank=True, related_name="team", verbose_name=_("projects")
    )
    language = models.CharField(
        _("language"), max_length=5, choices=Language.choices, default=Language.ES
    )
    history = HistoricalRecords(m2m_fields=[projects])

    class Meta:
        ordering = ["user__username"]
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(role=Role.STAFF) | models.Q(cooperative__isnull=False),
                name="%(app_label)s_%(class)s_staff_has_cooperative",
                violation_error_message=_("Cooperative staff must belong to a cooperative."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"
