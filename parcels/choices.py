from django.db import models
from django.utils.translation import gettext_lazy as _


class ParcelStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    VALIDATED = "validated", _("Validated")
    REJECTED = "rejected", _("Rejected")


class LandUse(models.TextChoices):
    COFFEE = "coffee", _("Coffee without shade trees")
    PASTURE = "pasture", _("Pasture")
    ANNUAL_CROPS = "annual_crops", _("Annual crops")
    FALLOW = "fallow", _("Fallow / degraded land")
    OTHER = "other", _("Other")


class Arrangement(models.TextChoices):
    SHADE = "shade", _("Shade trees in coffee")
    BOUNDARY = "boundary", _("Boundary line")
    WOODLOT = "woodlot", _("Woodlot")
    DISPERSED = "dispersed", _("Dispersed")


class GrowthForm(models.TextChoices):
    TREE = "tree", _("Tree")
    PALM = "palm", _("Palm")
    BANANA = "banana", _("Banana / plantain")
    COFFEE = "coffee", _("Coffee bush")
    SHRUB = "shrub", _("Shrub")


class GrowthGroup(models.TextChoices):
    FAST_PIONEER = "fast_pioneer", _("Fast pioneer")
    MEDIUM_NATIVE = "medium_native", _("Medium native timber")
    SERVICE_SHADE = "service_shade", _("Service shade tree (pruned)")
    EXOTIC = "exotic", _("Exotic plantation")


class WoodDensityLevel(models.TextChoices):
    LOCAL = "local", _("Local measurement")
    SPECIES = "species", _("Species")
    GENUS = "genus", _("Genus")
    FAMILY = "family", _("Family")


class TreeStatus(models.TextChoices):
    ALIVE = "alive", _("Alive")
    DEAD = "dead", _("Dead")
    CUT = "cut", _("Cut")


class TreeOrigin(models.TextChoices):
    PLANTED = "planted", _("Planted by the project")
    PRE_EXISTING = "pre_existing", _("Pre-existing (baseline)")
