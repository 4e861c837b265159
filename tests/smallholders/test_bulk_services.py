"""register_smallholders: one validator with register_smallholder, whole batches or nothing."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from pichanaki.rows import RowsInvalid
from smallholders.models import CooperativeMembership, Smallholder
from smallholders.services import NewSmallholder, register_smallholder, register_smallholders
from tests.base import make_cooperative

pytestmark = pytest.mark.django_db


def _person(personas, dni: str, cooperative=None, **fields: object) -> Smallholder:
    return Smallholder(
        project=personas.project_a,
        cooperative=cooperative or personas.coop_a1,
        dni=dni,
        first_name=fields.pop("first_name", "Juana"),
        last_name=fields.pop("last_name", "Quispe"),
        **fields,
    )


def test_it_registers_many_with_memberships_and_history_rows(personas):
    rows = [
        NewSmallholder(_person(personas, "40000001"), joined_on=dt.date(2009, 3, 1)),
        NewSmallholder(_person(personas, "40000002")),
    ]
    saved = register_smallholders(rows=rows, user=personas.staff_a1, reason="carga")
    assert all(s.pk for s in saved)
    joined = dict(
        CooperativeMembership.objects.filter(smallholder__in=saved).values_list(
            "smallholder__dni", "joined_on"
        )
    )
    assert joined["40000001"] == dt.date(2009, 3, 1)
    history = Smallholder.history.filter(dni__in=["40000001", "40000002"])
    assert history.count() == 2
    assert {h.history_change_reason for h in history} == {"carga"}
    assert {h.history_user_id for h in history} == {personas.staff_a1.pk}


def test_a_bad_row_is_refused_by_its_number_and_nothing_is_written(personas):
    register_smallholder(
        project=personas.project_a,
        cooperative=personas.coop_a1,
        dni="40000009",
        first_name="Ana",
        last_name="Rojas",
    )
    outsider = make_cooperative("zz", personas.project_b, seed=7)
    rows = [
        NewSmallholder(_person(personas, "40000001")),
        NewSmallholder(_person(personas, "40000002", birth_year=1850)),
        NewSmallholder(_person(personas, "40000009")),  # taken in the project
        NewSmallholder(_person(personas, "40000001")),  # repeats row 1
        NewSmallholder(_person(personas, "40000005", cooperative=outsider)),
    ]
    before = (Smallholder.objects.count(), CooperativeMembership.objects.count())
    with pytest.raises(RowsInvalid) as caught:
        register_smallholders(rows=rows)
    assert sorted(caught.value.by_row) == [2, 3, 4, 5]
    assert "birth_year" in caught.value.by_row[2].message_dict
    assert "cooperative" in caught.value.by_row[5].message_dict
    assert any(message.startswith("Row 3: ") for message in caught.value.messages)
    assert (Smallholder.objects.count(), CooperativeMembership.objects.count()) == before


@pytest.mark.parametrize(
    ("dni", "fields", "field"),
    [
        ("40000002", {"birth_year": 1850}, "birth_year"),
        ("4000000X", {}, "dni"),
        ("40000009", {}, "__all__"),  # the DNI is already registered in the project
        ("40000003", {"gender": "robot"}, "gender"),
    ],
)
def test_the_single_and_the_bulk_service_give_the_same_message(personas, dni, fields, field):
    register_smallholder(
        project=personas.project_a,
        cooperative=personas.coop_a1,
        dni="40000009",
        first_name="Ana",
        last_name="Rojas",
    )
    with pytest.raises(ValidationError) as single:
        register_smallholder(
            project=personas.project_a,
            cooperative=personas.coop_a1,
            dni=dni,
            first_name="Juana",
            last_name="Quispe",
            fields=fields,
        )
    with pytest.raises(RowsInvalid) as bulk:
        register_smallholders(rows=[NewSmallholder(_person(personas, dni, **fields))])
    assert single.value.message_dict[field]
    assert bulk.value.by_row[1].message_dict == single.value.message_dict
