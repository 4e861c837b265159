"""Input and output shapes of the buyer API. Outputs never carry personal data: no
smallholder, no user name; buyer organisations appear only to themselves and managers."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from credits.choices import ReservationStatus, UnitType
from credits.models import Reservation, Retirement, Sale, SerialBlock
from pichanaki.ledgers import IN_CHAIN, REWRITTEN, SHORTER

MAX_QUANTITY = 10**12


class AvailabilityQuerySerializer(serializers.Serializer):
    project = serializers.SlugField(required=False, help_text=_("Project code."))
    vintage = serializers.IntegerField(required=False, min_value=1900, max_value=2200)
    unit_type = serializers.ChoiceField(choices=UnitType.choices, required=False)


class VintageAvailabilitySerializer(serializers.Serializer):
    unit_type = serializers.CharField()
    vintage = serializers.IntegerField()
    available = serializers.IntegerField(help_text=_("Units (tCO2e) that can be reserved now."))


class SpeciesShareSerializer(serializers.Serializer):
    scientific_name = serializers.CharField()
    trees = serializers.IntegerField()
    share = serializers.DecimalField(max_digits=4, decimal_places=3)


class PointSerializer(serializers.Serializer):
    type = serializers.CharField()
    coordinates = serializers.ListField(child=serializers.FloatField(), min_length=2)


class ProjectFactsSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    standard = serializers.CharField()
    methodology = serializers.CharField()
    country = serializers.CharField()
    region = serializers.CharField()
    area_ha = serializers.DecimalField(max_digits=12, decimal_places=2)
    parcels = serializers.IntegerField()
    trees_planted = serializers.IntegerField()
    species = SpeciesShareSerializer(many=True)
    location = PointSerializer(allow_null=True, help_text=_("Centre of the project area."))


class ProjectAvailabilitySerializer(serializers.Serializer):
    project = ProjectFactsSerializer()
    availability = VintageAvailabilitySerializer(many=True)


class BlockSerializer(serializers.ModelSerializer):
    serial = serializers.CharField(source="printed_serial", read_only=True)
    project = serializers.CharField(source="project.code", read_only=True)

    class Meta:
        model = SerialBlock
        fields = [
            "serial",
            "project",
            "unit_type",
            "vintage",
            "serial_start",
            "serial_end",
            "quantity",
            "state",
            "created_at",
        ]


class ReservationInputSerializer(serializers.Serializer):
    project = serializers.SlugField(help_text=_("Project code."))
    vintage = serializers.IntegerField(min_value=1900, max_value=2200)
    unit_type = serializers.ChoiceField(choices=UnitType.choices)
    quantity = serializers.IntegerField(min_value=1, max_value=MAX_QUANTITY)


class SaleSerializer(serializers.ModelSerializer):
    class Meta:
        model = Sale
        fields = ["quantity", "price_per_tonne", "currency", "invoice_reference", "sold_at"]


class ReservationSerializer(serializers.ModelSerializer):
    project = serializers.CharField(source="project.code", read_only=True)
    blocks = serializers.SerializerMethodField()
    sale = serializers.SerializerMethodField()

    class Meta:
        model = Reservation
        fields = [
            "id",
            "project",
            "unit_type",
            "vintage",
            "quantity",
            "status",
            "expires_at",
            "created_at",
            "closed_at",
            "blocks",
            "sale",
        ]

    def get_blocks(self, reservation: Reservation) -> list[dict]:
        """The reservation's live blocks: reserved while pending, then the sold blocks."""
        return BlockSerializer(reservation.live_blocks, many=True).data

    def get_sale(self, reservation: Reservation) -> dict | None:
        if reservation.status != ReservationStatus.CONFIRMED:
            return None  # only a confirmed reservation has a sale: no need to look
        sale = getattr(reservation, "sale", None)
        return SaleSerializer(sale).data if sale else None


class ConfirmInputSerializer(serializers.Serializer):
    price_per_tonne = serializers.DecimalField(max_digits=13, decimal_places=2, min_value=0)
    currency = serializers.RegexField(r"^[A-Za-z]{3}$", help_text=_("ISO 4217 code, e.g. USD."))
    invoice_reference = serializers.CharField(max_length=100, allow_blank=True, default="")


class RetirementInputSerializer(serializers.Serializer):
    project = serializers.SlugField(help_text=_("Project code."))
    vintage = serializers.IntegerField(min_value=1900, max_value=2200)
    quantity = serializers.IntegerField(min_value=1, max_value=MAX_QUANTITY)
    beneficiary = serializers.CharField(max_length=200)
    purpose = serializers.CharField(max_length=2000)


class RetirementSerializer(serializers.ModelSerializer):
    project = serializers.CharField(source="project.code", read_only=True)
    blocks = BlockSerializer(many=True, read_only=True)
    certificate_url = serializers.SerializerMethodField()
    verification_url = serializers.SerializerMethodField()

    class Meta:
        model = Retirement
        fields = [
            "id",
            "project",
            "unit_type",
            "vintage",
            "quantity",
            "beneficiary",
            "purpose",
            "retired_on",
            "verification_code",
            "blocks",
            "certificate_url",
            "verification_url",
        ]

    def get_certificate_url(self, retirement: Retirement) -> str:
        from credits.certificates import certificate_url

        return certificate_url(retirement)

    def get_verification_url(self, retirement: Retirement) -> str:
        from credits.certificates import verification_url

        return verification_url(retirement)


class SerialEventSerializer(serializers.Serializer):
    kind = serializers.CharField()
    kind_display = serializers.CharField()
    quantity = serializers.IntegerField()
    serials = serializers.ListField(child=serializers.CharField())
    created_at = serializers.DateTimeField()


class SerialLookupSerializer(serializers.Serializer):
    query = serializers.CharField(help_text=_("The serial or serial range looked up."))
    block = BlockSerializer()
    holder = serializers.CharField(help_text=_("Kind of account holding the block."))
    retirement = serializers.DictField(allow_null=True)
    history = SerialEventSerializer(many=True)


class KeptHeadQuerySerializer(serializers.Serializer):
    position = serializers.IntegerField(
        min_value=1,
        max_value=2**63 - 1,
        help_text=_("How many events the chain held when the head was kept (the head's position)."),
    )
    hash = serializers.RegexField(
        r"^[0-9a-fA-F]{64}$", help_text=_("The head hash kept then (SHA-256, 64 hex digits).")
    )


class KeptHeadSerializer(serializers.Serializer):
    ledger = serializers.CharField(help_text=_("The ledger: credits or payments."))
    project = serializers.CharField(help_text=_("Project code."))
    position = serializers.IntegerField()
    hash = serializers.CharField(help_text=_("The kept hash, in lowercase."))
    result = serializers.ChoiceField(
        choices=[IN_CHAIN, SHORTER, REWRITTEN],
        help_text=_(
            "in_chain: the event at that position still has that hash; shorter: the chain now "
            "ends before that position; rewritten: that event now has another hash (or is gone)."
        ),
    )
    length = serializers.IntegerField(help_text=_("Events in the chain now."))
    head_hash = serializers.CharField(help_text=_("The chain's head hash now."))
    hash_at_position = serializers.CharField(
        allow_null=True, help_text=_("The hash of the event at that position now, if any.")
    )
    message = serializers.CharField(help_text=_("The answer in words, in the request's language."))
