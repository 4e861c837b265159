from rest_framework import serializers

from benefits.models import Distribution, DistributionJob, DistributionLine, PaymentEvent


class DistributionSerializer(serializers.ModelSerializer):
    sales = serializers.SerializerMethodField()

    class Meta:
        model = Distribution
        fields = ["id", "project", "policy", "status", "currency", "gross", "rate_to_pen",
                  "rate_source", "rate_date", "gross_pen", "pools", "producers_pool",
                  "inputs_hash", "created_by", "created_at", "approved_by", "approved_at",
                  "sales"]  # fmt: skip
        read_only_fields = fields

    def get_sales(self, obj: Distribution) -> list[int]:
        return [row.sale_id for row in obj.sales.all()]


class CreateDistributionSerializer(serializers.Serializer):
    project = serializers.SlugField(help_text="project code")
    sales = serializers.ListField(child=serializers.IntegerField(min_value=1), required=False,
                                  max_length=10000)  # fmt: skip
    policy_version = serializers.IntegerField(min_value=1, required=False)


class LineSerializer(serializers.ModelSerializer):
    dni = serializers.CharField(source="smallholder.dni", read_only=True)

    class Meta:
        model = DistributionLine
        fields = ["id", "distribution", "smallholder", "dni", "units", "share", "held_in_trust",
                  "advance_recovered", "clawed_back", "amount", "status", "provenance"]  # fmt: skip
        read_only_fields = fields


class PaymentEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = PaymentEvent
        fields = ["id", "line", "status", "amount", "currency", "method", "reference", "paid_on",
                  "reason", "actor", "batch", "created_at"]  # fmt: skip
        read_only_fields = fields


class ConfirmationUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="CSV or XLSX: line, dni, amount, currency, method, "
                                 "reference, paid_on")  # fmt: skip


class DistributionJobSerializer(serializers.ModelSerializer):
    """A large distribution computed in the background: poll it until `status` is done (then
    `distribution` names it) or failed (`error` says why, in the requester's language)."""

    class Meta:
        model = DistributionJob
        fields = ["id", "project", "status", "progress", "families", "distribution", "error",
                  "created_at", "finished_at"]  # fmt: skip
        read_only_fields = fields
