"""Import smallholders from CSV/XLSX: new DNIs are registered, known DNIs updated."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from parcels.importing.base import Importer, Plan, Planned, Record, RowCheck
from parcels.importing.lookups import cooperative_index, resolve_cooperative
from parcels.importing.readers.cells import (
    choice_lookup,
    parse_choice,
    parse_date,
    parse_int,
    parse_text,
)
from parcels.validation import normalize_dni
from smallholders.choices import Gender, PaymentMethod
from smallholders.fields import TEXT_FIELDS
from smallholders.models import Smallholder
from smallholders.services import (
    UPDATABLE_FIELDS,
    NewSmallholder,
    register_smallholders,
    update_smallholders,
    validate_birth_year,
    validate_smallholder,
)

GENDER_ALIASES = {
    Gender.FEMALE: ("f", "mujer", "femenino", "woman"),
    Gender.MALE: ("m", "hombre", "varon", "masculino", "man"),
}


class SmallholderImporter(Importer):
    """Rows: one smallholder each, identified by DNI within the project."""

    kind = "smallholders"
    aliases = {
        "dni": ("documento", "dni_socio", "national_id", "id_number"),
        "first_name": ("nombres", "nombre", "first_names", "given_names"),
        "last_name": ("apellidos", "apellido", "last_names", "surname"),
        "gender": ("sexo", "genero", "sex"),
        "birth_year": ("anio_nacimiento", "año de nacimiento", "year_of_birth", "birth year"),
        "phone": ("telefono", "celular", "telephone", "mobile"),
        "community": ("comunidad", "caserio", "sector"),
        "district": ("distrito",),
        "cooperative": ("cooperativa", "cooperative_code", "codigo_cooperativa"),
        "joined_on": ("fecha_ingreso", "socio_desde", "member_since"),
        "agreement_signed_on": ("fecha_acuerdo", "acuerdo_firmado", "agreement_date"),
        "payment_method": ("forma_de_pago", "metodo_pago", "medio_de_pago"),
        "bank_name": ("banco", "bank"),
        "bank_account": ("cuenta", "numero_cuenta", "account_number"),
        "cci": ("cci", "codigo_interbancario"),
        "wallet_phone": ("billetera", "yape", "plin", "wallet"),
        "notes": ("notas", "observaciones", "comments"),
    }
    required = ("dni", "first_name", "last_name")
    example = {
        "dni": "40123456",
        "first_name": "Juana",
        "last_name": "Quispe Rojas",
        "gender": "mujer",
        "birth_year": "1975",
        "phone": "964123456",
        "community": "Alto Autiki",
        "district": "Pichanaqui",
        "cooperative": "",  # the downloader's own cooperative (parcels.importing.templates)
        "joined_on": "15/03/2010",
        "agreement_signed_on": "20/03/2010",
        "payment_method": "billetera móvil",
        "wallet_phone": "964123456",
        "notes": "",
    }
    example_en = {"gender": "female", "payment_method": "mobile_wallet"}

    def prepare(self, records: list[Record]) -> None:
        self.cooperatives = cooperative_index(self.context)
        self.existing = {s.dni: s for s in Smallholder.objects.filter(project=self.context.project)}
        self.genders = choice_lookup(Gender.choices, aliases=GENDER_ALIASES)
        self.payments = choice_lookup(PaymentMethod.choices)
        self.seen: dict[str, int] = {}
        self.joined_on: dict[int, dt.date] = {}  # row → the day a new smallholder joined

    def check(self, record: Record, check: RowCheck) -> Planned | None:
        dni = check.run(lambda: normalize_dni(record.values.get("dni")))
        cooperative = resolve_cooperative(self.context, self.cooperatives, record, check)
        values = self._values(check)
        if dni is None or cooperative is None or not check.ok:
            return None
        if dni in self.seen:
            check.fail("dni", _("This DNI is already on row %(row)s.") % {"row": self.seen[dni]})
            return None
        self.seen[dni] = record.row
        return self._planned(record, check, dni, cooperative, values)

    def _values(self, check: RowCheck) -> dict[str, object]:
        present = check.record.values.keys()
        values = {
            name: check.parse(parse_text, name) or "" for name in TEXT_FIELDS if name in present
        }
        for name in ("first_name", "last_name"):
            if not values.get(name):
                check.fail(name, _("This value is required."))
        values["gender"] = check.parse(parse_choice, "gender", lookup=self.genders)
        values["payment_method"] = check.parse(parse_choice, "payment_method", lookup=self.payments)
        values["birth_year"] = check.parse(parse_int, "birth_year")
        values["agreement_signed_on"] = check.parse(parse_date, "agreement_signed_on")
        values["joined_on"] = check.parse(parse_date, "joined_on")
        check.run(lambda: validate_birth_year(values["birth_year"]))
        return {k: v for k, v in values.items() if v is not None}

    def _planned(
        self, record: Record, check: RowCheck, dni: str, cooperative: object, values: dict
    ) -> Planned | None:
        joined_on = values.pop("joined_on", None) or timezone.localdate()
        existing = self.existing.get(dni)
        if existing is not None and existing.cooperative_id != cooperative.pk:
            check.fail("dni", _("This DNI belongs to a smallholder of another cooperative."))
            return None
        instance = existing or Smallholder(
            project=self.context.project, cooperative=cooperative, dni=dni
        )
        for name, value in values.items():
            if name in UPDATABLE_FIELDS:
                setattr(instance, name, value)
        check.run(lambda: validate_smallholder(instance))
        if not check.ok:
            return None
        self.joined_on[record.row] = joined_on
        label = f"{dni} {instance.last_name}, {instance.first_name}"
        return Planned(record.row, instance, existing is not None, label)

    def write(self, plan: Plan) -> None:
        user, reason = self.context.user, self.context.reason
        register_smallholders(
            rows=[NewSmallholder(p.instance, self.joined_on[p.row]) for p in plan.creates],
            user=user,
            reason=reason,
        )
        update_smallholders(rows=[p.instance for p in plan.updates], user=user, reason=reason)
