"""Writes on smallholders: registration, updates and cooperative memberships."""

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from pichanaki.bulk import insert_with_history, update_with_history
from pichanaki.locking import lock_rows
from pichanaki.rows import (
    add_error,
    collect_errors,
    constraint_error,
    one_row,
    raise_for_rows,
    repeated,
    row_errors,
)
from smallholders import fields as declared
from smallholders.models import (
    Cooperative,
    CooperativeMembership,
    Project,
    ProjectCooperative,
    Smallholder,
)
from smallholders.signals import announce_field_data_written

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
        raise _not_participating()


@dataclass(frozen=True)
class NewSmallholder:
    """A smallholder to register (unsaved, project and cooperative set) and the day they joined
    the cooperative (None: today)."""

    smallholder: Smallholder
    joined_on: dt.date | None = None


def validate_smallholder(smallholder: Smallholder) -> None:
    """The rules one smallholder meets on its own: fields, clean(), a plausible year of birth.

    Project and cooperative are given as rows the caller holds, so they are not looked up one by
    one; participation and the DNI's uniqueness are checked for all rows at once by
    `smallholder_errors`.
    """
    collect_errors(
        lambda: validate_birth_year(smallholder.birth_year),
        lambda: smallholder.full_clean(
            exclude=["project", "cooperative"], validate_unique=False, validate_constraints=False
        ),
    )


def smallholder_errors(smallholders: Sequence[Smallholder]) -> dict[int, ValidationError]:
    """Every rule a new smallholder meets, for all rows at once: the errors by row (from 1).

    The one validator of registration (register_smallholders, and so register_smallholder): each
    row's own rules (validate_smallholder), then, in one query each, that its cooperative takes
    part in its project and that its DNI is new in the project (and not repeated in the rows).
    """
    for smallholder in smallholders:
        smallholder.dni = (smallholder.dni or "").strip()
    found = row_errors(smallholders, validate_smallholder)
    pairs = {(s.project_id, s.cooperative_id) for s in smallholders}
    taking_part = set(
        ProjectCooperative.objects.filter(
            project_id__in={p for p, _c in pairs}, cooperative_id__in={c for _p, c in pairs}
        ).values_list("project_id", "cooperative_id")
    )
    taken = set(
        Smallholder.objects.filter(
            project_id__in={p for p, _c in pairs}, dni__in={s.dni for s in smallholders}
        ).values_list("project_id", "dni")
    )
    again = repeated((s.project_id, s.dni) for s in smallholders)
    for number, smallholder in enumerate(smallholders, 1):
        if (smallholder.project_id, smallholder.cooperative_id) not in taking_part:
            add_error(found, number, _not_participating())
        if (smallholder.project_id, smallholder.dni) in taken or number in again:
            add_error(found, number, constraint_error(Smallholder, "_unique_dni_per_project"))
    return found


def _not_participating() -> ValidationError:
    return ValidationError(
        {"cooperative": _("This cooperative does not take part in this project.")},
        code="not_participating",
    )


# Atomic: a smallholder is never written without its membership (register_smallholders'
# savepoint, inside the caller's transaction when there is one).
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
    """Register a smallholder of `cooperative` in `project`, with an open membership: one row
    through register_smallholders (its checks, ValidationError by field here).

    Preconditions (smallholder_errors): the cooperative takes part in the project; the DNI
    (8 digits) is new in the project. `fields` holds any of UPDATABLE_FIELDS. Side effects: one
    Smallholder, one CooperativeMembership (from `joined_on`, default today), their history
    rows (by the request's user); field_data_written once committed.
    """
    smallholder = Smallholder(
        project=project,
        cooperative=cooperative,
        dni=dni,
        first_name=first_name,
        last_name=last_name,
        **_only_updatable(fields or {}),
    )
    with one_row():
        register_smallholders(rows=[NewSmallholder(smallholder, joined_on)])
    announce_field_data_written(project_id=smallholder.project_id)
    return smallholder


# Atomic: all rows with their memberships and history rows, or none. Inside the caller's
# transaction (the importer's commit, the demo's load) it is a savepoint of it.
@transaction.atomic
def register_smallholders(
    *, rows: Sequence[NewSmallholder], user: User | None = None, reason: str = ""
) -> list[Smallholder]:
    """Register many smallholders, each with an open membership of its cooperative.

    Validated once, every row with smallholder_errors (the rules of register_smallholder);
    RowsInvalid naming each bad row, and nothing written, if any fails. Side effects: the
    smallholders and memberships (their pks set) and a "+" history row each, by `user` with
    `reason`, written in bulk (pichanaki.bulk).
    """
    people = [row.smallholder for row in rows]
    raise_for_rows(smallholder_errors(people))
    insert_with_history(Smallholder, people, user=user, reason=reason)
    today = timezone.localdate()
    memberships = [
        CooperativeMembership(
            smallholder=row.smallholder,
            cooperative_id=row.smallholder.cooperative_id,
            joined_on=row.joined_on or today,
        )
        for row in rows
    ]
    insert_with_history(CooperativeMembership, memberships, user=user, reason=reason)
    return people


#: the fields update_smallholders saves unless told: the importer's (the agreement document is
#: uploaded on the form only)
IMPORTED_FIELDS = tuple(sorted(UPDATABLE_FIELDS - {"agreement_document"}))


# Atomic: all rows and their history rows, or none (a savepoint inside the importer's commit).
@transaction.atomic
def update_smallholders(
    *,
    rows: Sequence[Smallholder],
    fields: Sequence[str] = IMPORTED_FIELDS,
    user: User | None = None,
    reason: str = "",
) -> list[Smallholder]:
    """Save `fields` (of UPDATABLE_FIELDS) of many stored smallholders.

    Validated once, every row with validate_smallholder (project and DNI stay: their checks
    cannot change); RowsInvalid naming each bad row, and nothing written, if any fails.
    Side effects: a "~" history row each.
    """
    unknown = sorted(set(fields) - UPDATABLE_FIELDS)
    if unknown:
        raise ValueError(f"update_smallholders cannot save {unknown}")
    raise_for_rows(row_errors(rows, validate_smallholder))
    update_with_history(Smallholder, rows, fields, user=user, reason=reason)
    return list(rows)


def update_smallholder(*, smallholder: Smallholder, fields: Mapping[str, object]) -> Smallholder:
    """Change a smallholder's personal data, agreement or payment details: one row through
    update_smallholders (its checks, ValidationError by field here), every updatable field.

    Preconditions: only UPDATABLE_FIELDS (ValidationError naming others). Side effects: one
    history row; field_data_written once committed. To move a person to another cooperative
    use `move_smallholder`.
    """
    for name, value in _only_updatable(fields).items():
        setattr(smallholder, name, value)
    with one_row():
        update_smallholders(rows=[smallholder], fields=sorted(UPDATABLE_FIELDS))
    announce_field_data_written(project_id=smallholder.project_id)
    return smallholder


# Atomic: the open membership closed, the new one opened and the smallholder's cooperative,
# with their history rows, or none of them.
@transaction.atomic
def move_smallholder(
    *, smallholder: Smallholder, cooperative: Cooperative, moved_on: dt.date
) -> Smallholder:
    """Move a smallholder to another cooperative of the same project from `moved_on`.

    Preconditions (validate_move, ValidationError by field): the cooperative is another one and
    takes part in the smallholder's project; `moved_on` is not before the open membership began.
    Locks the smallholder's row. Side effects, through pichanaki.bulk (by the request's user):
    the open membership closed on `moved_on`, a new one opened that day, the smallholder's
    `cooperative` changed, a history row each; field_data_written once committed.
    """
    # Locked, then re-read: two moves at once would otherwise both close the same open
    # membership and each open one, leaving the family in two cooperatives.
    (locked,) = lock_rows(Smallholder.objects.filter(pk=smallholder.pk))
    open_memberships = list(locked.memberships.filter(left_on__isnull=True))
    validate_move(
        smallholder=locked, cooperative=cooperative, moved_on=moved_on, memberships=open_memberships
    )
    for membership in open_memberships:
        membership.left_on = moved_on
    update_with_history(CooperativeMembership, open_memberships, ["left_on"], user=None, reason="")
    joined = CooperativeMembership(smallholder=locked, cooperative=cooperative, joined_on=moved_on)
    insert_with_history(CooperativeMembership, [joined], user=None, reason="")
    locked.cooperative = cooperative
    update_with_history(Smallholder, [locked], ["cooperative"], user=None, reason="")
    announce_field_data_written(project_id=locked.project_id)
    return locked


def validate_move(
    *,
    smallholder: Smallholder,
    cooperative: Cooperative,
    moved_on: dt.date,
    memberships: Sequence[CooperativeMembership],
) -> None:
    """A move goes to another cooperative of the project, dated no earlier than the day its
    open `memberships` began (ValidationError on `cooperative` and `moved_on`)."""
    errors: dict[str, list[ValidationError]] = {}
    if cooperative.pk == smallholder.cooperative_id:
        errors.setdefault("cooperative", []).append(
            ValidationError(
                _("The family already belongs to this cooperative."), code="same_cooperative"
            )
        )
    else:
        try:
            check_participation(project_id=smallholder.project_id, cooperative_id=cooperative.pk)
        except ValidationError as exc:
            errors.setdefault("cooperative", []).extend(exc.error_dict["cooperative"])
    began = max((m.joined_on for m in memberships), default=None)
    if began is not None and moved_on < began:
        errors.setdefault("moved_on", []).append(
            ValidationError(
                _("A move cannot be dated before %(date)s, when the current membership began."),
                code="before_joined",
                params={"date": formats.date_format(began, "SHORT_DATE_FORMAT")},
            )
        )
    if errors:
        raise ValidationError(errors)


def _only_updatable(fields: Mapping[str, object]) -> dict[str, object]:
    unknown = sorted(set(fields) - UPDATABLE_FIELDS)
    if unknown:
        raise ValidationError(
            {name: _("This field cannot be changed here.") for name in unknown},
            code="not_updatable",
        )
    return dict(fields)


__all__ = [
    "IMPORTED_FIELDS",
    "UPDATABLE_FIELDS",
    "NewSmallholder",
    "check_participation",
    "move_smallholder",
    "register_smallholder",
    "register_smallholders",
    "smallholder_errors",
    "update_smallholder",
    "update_smallholders",
    "validate_birth_year",
    "validate_move",
    "validate_smallholder",
]
