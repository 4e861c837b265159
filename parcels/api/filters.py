import django_filters

from parcels.models import MonitoringPlot, Parcel, Planting, TreeMeasurement


class ParcelFilter(django_filters.FilterSet):
    cooperative = django_filters.NumberFilter(field_name="smallholder__cooperative_id")

    class Meta:
        model = Parcel
        fields = ["project", "smallholder", "cooperative", "status", "stratum", "land_use_before"]


class PlantingFilter(django_filters.FilterSet):
    planted_after = django_filters.DateFilter(field_name="planted_on", lookup_expr="gte")
    planted_before = django_filters.DateFilter(field_name="planted_on", lookup_expr="lte")
    project = django_filters.NumberFilter(field_name="parcel__project_id")

    class Meta:
        model = Planting
        fields = ["parcel", "species", "arrangement", "project"]


class MonitoringPlotFilter(django_filters.FilterSet):
    measured_after = django_filters.DateFilter(field_name="measured_on", lookup_expr="gte")
    measured_before = django_filters.DateFilter(field_name="measured_on", lookup_expr="lte")
    project = django_filters.NumberFilter(field_name="parcel__project_id")

    class Meta:
        model = MonitoringPlot
        fields = ["parcel", "code", "permanent", "project"]


class TreeMeasurementFilter(django_filters.FilterSet):
    parcel = django_filters.NumberFilter(field_name="plot__parcel_id")

    class Meta:
        model = TreeMeasurement
        fields = ["plot", "parcel", "species", "status", "origin", "tree_tag"]
