from typing import Any

from rest_framework import serializers

from smallholders.api.permissions import ScopedPrimaryKeyRelatedField
from smallholders.fields import IDENTITY_FIELDS, PERSONAL_FIELDS, UPDATABLE_FIELDS
from smallholders.models import Cooperative, CooperativeMembership, Project, Smallholder
from smallholders.selectors import cooperatives_for, mask, projects_for, sees_personal_data


class ProjectSerializer(serializers.ModelSerializer):
    class Meta:
        model = Project
        fields = [
            "id",
            "code",
            "name",
            "description",
            "standard",
            "methodology",
            "country",
            "region",
            "crediting_start",
            "crediting_end",
        ]


class CooperativeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Cooperative
        fields = [
            "id",
            "code",
            "name",
            "ruc",
            "region",
            "address",
            "contact_name",
            "contact_phone",
            "contact_email",
        ]


class MembershipSerializer(serializers.ModelSerializer):
    class Meta:
        model = CooperativeMembership
        fields = ["cooperative", "joined_on", "left_on"]


class SmallholderSerializer(serializers.ModelSerializer):
    """A smallholder; personal data is masked for those who may not read it (verifiers)."""

    project = ScopedPrimaryKeyRelatedField(selector=projects_for)
    cooperative = ScopedPrimaryKeyRelatedField(selector=cooperatives_for)
    memberships = MembershipSerializer(many=True, read_only=True)
    has_agreement_document = serializers.SerializerMethodField()
    joined_on = serializers.DateField(write_only=True, required=False)

    class Meta:
        model = Smallholder
        fields = [
            "id",
            *IDENTITY_FIELDS,
            # the file itself is never served by the API: only whether there is one
            *(
                f if f != "agreement_document" else "has_agreement_document"
                for f in UPDATABLE_FIELDS
            ),
            "memberships",
            "joined_on",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]
        validators: list[Any] = []  # uniqueness is checked by the service (model constraints)

    def get_has_agreement_document(self, obj: Smallholder) -> bool:
        return bool(obj.agreement_document)

    def to_representation(self, instance: Smallholder) -> dict:
        data = super().to_representation(instance)
        user = self.context["request"].user
        if not sees_personal_data(
            user=user, project_id=instance.project_id, cooperative_id=instance.cooperative_id
        ):
            data["dni"] = mask(instance.dni)
            for name in PERSONAL_FIELDS:
                data[name] = None
        return data


class SmallholderUpdateSerializer(SmallholderSerializer):
    """On update the project, cooperative and DNI stay fixed."""

    class Meta(SmallholderSerializer.Meta):
        read_only_fields = ["project", "cooperative", "dni", "created_at", "updated_at"]
