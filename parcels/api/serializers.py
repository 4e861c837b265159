from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework_gis.serializers import GeoFeatureModelSerializer

from parcels import selectors
from parcels.models import (
    MonitoringPlot,
    Parcel,
    Planting,
    Species,
    Stratum,
    SurvivalCount,
    TreeMeasurement,
)
from smallholders.api.permissions import ScopedPrimaryKeyRelatedField
from smallholders.selectors import projects_for, smallholders_for


class SpeciesSerializer(serializers.ModelSerializer):
    class Meta:
        model = Species
        fields = [
            "id",
            "code",
            "scientific_name",
            "genus",
            "family",
            "common_name_es",
            "common_name_en",
            "local_names",
            "native_to_peru",
            "growth_form",
            "growth_group",
            "equation",
            "wood_density",
            "wood_density_level",
            "wood_density_source",
            "min_density_per_ha",
            "max_density_per_ha",
        ]


class StratumSerializer(serializers.ModelSerializer):
    project = ScopedPrimaryKeyRelatedField(selector=projects_for)

    class Meta:
        model = Stratum
        fields = ["id", "project", "code", "name", "description"]


class ParcelSerializer(GeoFeatureModelSerializer):
    """A parcel as a GeoJSON Feature; area, project and status are derived, not written."""

    smallholder = ScopedPrimaryKeyRelatedField(selector=smallholders_for)
    stratum = ScopedPrimaryKeyRelatedField(
        selector=selectors.strata_for, required=False, allow_null=True
    )
    cooperative = serializers.IntegerField(source="smallholder.cooperative_id", read_only=True)

    class Meta:
        model = Parcel
        geo_field = "boundary"
        id_field = False  # the id is a property (drf-spectacular split request schemas need it)
        fields = [
            "id",
            "project",
            "smallholder",
            "cooperative",
            "code",
            "name",
            "area_ha",
            "area_epsg",
            "land_use_before",
            "eligibility_no_forest",
            "eligibility_note",
            "status",
            "rejection_reason",
            "stratum",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "project",
            "area_ha",
            "area_epsg",
            "status",
            "rejection_reason",
            "created_at",
            "updated_at",
        ]
        validators: list[Any] = []  # the unique code per project is checked by the service

    def to_internal_value(self, data: Any) -> dict:
        """A GeoJSON Feature (its `properties` and `geometry`) or the fields flat (forms).

        Replaces drf-gis's unflattening, which fails with a TypeError (a 500) when `properties`
        is not an object (a string, or any form field named so), and silently ignored a
        `geometry` sent without `properties`. The geometry's errors are reported under
        `boundary`, like the overlap checks of the service.
        """
        if not (isinstance(data, Mapping) and ("properties" in data or "geometry" in data)):
            return super(GeoFeatureModelSerializer, self).to_internal_value(data)
        properties = data.get("properties", {})
        if not isinstance(properties, Mapping):
            raise serializers.ValidationError(
                {"properties": [_("Expected an object with the parcel's fields.")]}
            )
        fields = {**properties}
        if "geometry" in data:
            fields["boundary"] = data["geometry"]
        return super(GeoFeatureModelSerializer, self).to_internal_value(fields)


class RejectSerializer(serializers.Serializer):
    reason = serializers.CharField()


class PlantingSerializer(serializers.ModelSerializer):
    parcel = ScopedPrimaryKeyRelatedField(selector=selectors.parcels_for)
    replanting_of = ScopedPrimaryKeyRelatedField(
        selector=selectors.plantings_for, required=False, allow_null=True
    )

    class Meta:
        model = Planting
        fields = [
            "id",
            "parcel",
            "species",
            "planted_on",
            "trees_planted",
            "arrangement",
            "replanting_of",
            "notes",
        ]


class SurvivalCountSerializer(serializers.ModelSerializer):
    planting = ScopedPrimaryKeyRelatedField(selector=selectors.plantings_for)

    class Meta:
        model = SurvivalCount
        fields = ["id", "planting", "counted_on", "trees_alive"]
        validators: list[Any] = []


class MonitoringPlotSerializer(serializers.ModelSerializer):
    parcel = ScopedPrimaryKeyRelatedField(selector=selectors.parcels_for)

    class Meta:
        model = MonitoringPlot
        fields = [
            "id",
            "parcel",
            "code",
            "centre",
            "radius_m",
            "slope_pct",
            "area_m2",
            "measured_on",
            "team",
            "permanent",
            "notes",
        ]
        extra_kwargs = {"area_m2": {"required": False}}
        validators: list[Any] = []


class TreeMeasurementSerializer(serializers.ModelSerializer):
    plot = ScopedPrimaryKeyRelatedField(selector=selectors.plots_for)

    class Meta:
        model = TreeMeasurement
        fields = [
            "id",
            "plot",
            "tree_tag",
            "stem",
            "species",
            "dbh_cm",
            "height_m",
            "wood_density",
            "status",
            "origin",
            "notes",
        ]
        validators: list[Any] = []
