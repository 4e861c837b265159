"""Writes on smallholders: registration, updates and cooperative memberships."""

import datetime as dt
from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from smallholders import fields as declared
from smallholders.models import (
    Cooperative,
    CooperativeMembership,
    Project,
    ProjectCooperative,
    Smallholder,
)

#: fields update_smallholder may change; project and DNI identify the person and stay fixed
UPDATABLE_FIELDS = frozenset(declared.UPDATABLE_FIELDS)


def validate_birth_year(year: int | None, *, today: dt.date | None = None) -> None:
    """A smallholder was born between 1900 and 15 years ago."""
    if year is None:
        return
    latest = (today or timezone.localdate()).year - 15
    if not 1900 <= year <= latest:
        raise ValidationError(
            {
                "birth_year": ValidationError(
                    _("A year of birth of %(year)s is implausible (1900 to %(latest)s)."),
                    code="birth_year_range",
                    params={"year": year, "latest": latest},
                )
            }
        )


def check_participation(*, project_id: int, cooperative_id: int) -> None:
    """The cooperative takes part in the project (else ValidationError on `cooperative`)."""
    if not ProjectCooperative.objects.filter(
        project_id=project_id, cooperative_id=cooperative_id
    ).exists():
        raise ValidationError(
            {"cooperative": _("This cooperative does not take part in this project.")},
            code="not_participating",
        )


@transaction.atomic
def register_smallholder(
    *,
    project: Project,
    cooperative: Cooperative,
    dni: str,
    first_name: str,
    last_name: str,
    joined_on: dt.date | None = None,
    fields: Mapping[str, object] | None = None,
) -> Smallholder:
    """Register a smallholder of `cooperative` in `project`, with an open membership.

    Preconditions: the cooperative takes part in the project; the DNI (8 digits) is new in the
    project (ValidationError otherwise, also from the unique constraint). `fields` holds any
    of UPDATABLE_FIELDS. Side effects: one Smallholder, one CooperativeMembership (from
    `joined_on`, default today), their history rows. Atomic: nothing is half-saved.
    """
    check_participation(project_id=project.pk, cooperative_id=cooperative.pk)
    extra = _only_updatable(fields or {})
    smallholder = Smallholder(
        project=project,
        cooperative=cooperative,
        dni=(dni or "").strip(),
        first_name=first_name,
        last_name=last_name,
        **extra,
    )
    validate_birth_year(smallholder.birth_year)
    smallholder.full_clean()
    smallholder.save()
    CooperativeMembership.objects.create(
        smallholder=smallholder,
        cooperative=cooperative,
        joined_on=joined_on or timezone.localdate(),
    )
    return smallholder


@transaction.atomic
def update_smallholder(*, smallholder: Smallholder, fields: Mapping[str, object]) -> Smallholder:
    """Change a smallholder's personal data, agreement or payment details.

    Preconditions: only UPDATABLE_FIELDS (ValidationError naming others). Side effects: one
    history row. To move a person to another cooperative use `move_smallholder`.
    """
    for name, value in _only_updatable(fields).items():
        setattr(smallholder, name, value)
    validate_birth_year(smallholder.birth_year)
    smallholder.full_clean()
    smallholder.save()
    return smallholder


@transaction.atomic
def move_smallholder(
    *, smallholder: Smallholder, cooperative: Cooperative, moved_on: dt.date
) -> Smallholder:
    """Move a smallholder to another cooperative of the same project from `moved_on`.

    Locks the smallholder row so two moves cannot both close the same membership.
    Side effects: closes the open membership, opens a new one, updates `cooperative`.
    """
    check_participation(project_id=smallholder.project_id, cooperative_id=cooperative.pk)
    locked = Smallholder.objects.select_for_update().get(pk=smallholder.pk)
    locked.memberships.filter(left_on__isnull=True).update(left_on=moved_on)
    CooperativeMembership.objects.create(
        smallholder=locked, cooperative=cooperative, joined_on=moved_on
    )
    locked.cooperative = cooperative
    locked.save(update_fields=["cooperative", "updated_at"])
    return locked


def _only_updatable(fields: Mapping[str, object]) -> dict[str, object]:
    unknown = sorted(set(fields) - UPDATABLE_FIELDS)
    if unknown:
        raise ValidationError(
            {name: _("This field cannot be changed here.") for name in unknown},
            code="not_updatable",
        )
    return dict(fields)


__all__ = [
    "UPDATABLE_FIELDS",
    "check_participation",
    "move_smallholder",
    "register_smallholder",
    "update_smallholder",
    "validate_birth_year",
]
