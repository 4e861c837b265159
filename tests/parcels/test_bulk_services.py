"""parcels.bulk: record_plantings and record_survival_counts share one validator with
record_planting and record_survival_count, and write a whole batch or nothing."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from parcels import bulk, services
from parcels.models import Planting, SurvivalCount
from pichanaki.rows import RowsInvalid
from tests.parcels.builders import cell, make_parcel, make_smallholder, species

pytestmark = pytest.mark.django_db


@pytest.fixture
def parcel(personas):
    return make_parcel(make_smallholder(personas.project_a, personas.coop_a1), "PCH-1", cell(0))


def _planting(parcel, trees: int = 300, on: dt.date = dt.date(2011, 2, 1), **fields) -> Planting:
    return Planting(
        parcel=parcel,
        species=fields.pop("species", None) or species("INGAEDU"),
        planted_on=on,
        trees_planted=trees,
        arrangement=fields.pop("arrangement", "shade"),
        **fields,
    )


def test_it_records_plantings_and_their_history_rows(parcel, personas):
    rows = [_planting(parcel), _planting(parcel, on=dt.date(2011, 3, 1))]
    saved = bulk.record_plantings(rows=rows, user=personas.staff_a1, reason="carga")
    assert all(p.pk for p in saved)
    history = Planting.history.filter(parcel=parcel)
    assert history.count() == 2
    assert {h.history_change_reason for h in history} == {"carga"}


def test_a_bad_planting_is_refused_by_its_row_and_nothing_is_written(parcel):
    rows = [
        _planting(parcel),
        _planting(parcel, trees=9000),  # far above the species' densities
        _planting(parcel, on=dt.date(2999, 1, 1)),
        _planting(parcel, trees=0),
    ]
    with pytest.raises(RowsInvalid) as caught:
        bulk.record_plantings(rows=rows)
    assert sorted(caught.value.by_row) == [2, 3, 4]
    assert "trees_planted" in caught.value.by_row[2].message_dict
    assert "planted_on" in caught.value.by_row[3].message_dict
    assert caught.value.by_row[4].message_dict["trees_planted"] == [
        "At least one tree must be planted."
    ]
    assert not Planting.objects.filter(parcel=parcel).exists()


@pytest.mark.parametrize(
    ("trees", "on", "field"),
    [
        (9000, dt.date(2011, 2, 1), "trees_planted"),
        (0, dt.date(2011, 2, 1), "trees_planted"),
        (100, dt.date(2999, 1, 1), "planted_on"),
    ],
)
def test_a_planting_rule_gives_the_same_message_single_and_bulk(parcel, trees, on, field):
    with pytest.raises(ValidationError) as single:
        services.record_planting(
            parcel=parcel, species=species("INGAEDU"), planted_on=on, trees_planted=trees
        )
    with pytest.raises(RowsInvalid) as many:
        bulk.record_plantings(rows=[_planting(parcel, trees=trees, on=on)])
    assert single.value.message_dict[field]
    assert many.value.by_row[1].message_dict == single.value.message_dict


def test_a_replanting_must_replace_an_earlier_planting_single_and_bulk(parcel, personas):
    later = services.record_planting(
        parcel=parcel, species=species(), planted_on=dt.date(2012, 2, 1), trees_planted=300
    )
    with pytest.raises(ValidationError) as single:
        services.record_planting(
            parcel=parcel,
            species=species(),
            planted_on=dt.date(2011, 2, 1),
            trees_planted=100,
            replanting_of=later,
        )
    with pytest.raises(RowsInvalid) as many:
        bulk.record_plantings(rows=[_planting(parcel, trees=100, replanting_of=later)])
    assert "replanting_of" in single.value.message_dict
    assert many.value.by_row[1].message_dict == single.value.message_dict


def test_update_plantings_checks_like_record_and_writes_nothing_on_error(parcel):
    first, second = bulk.record_plantings(
        rows=[_planting(parcel), _planting(parcel, on=dt.date(2011, 3, 1))]
    )
    first.trees_planted, second.trees_planted = 250, 9000
    with pytest.raises(RowsInvalid) as caught:
        bulk.update_plantings(rows=[first, second])
    assert list(caught.value.by_row) == [2]
    assert Planting.objects.get(pk=first.pk).trees_planted == 300
    second.trees_planted = 280
    bulk.update_plantings(rows=[first, second])
    assert Planting.objects.get(pk=second.pk).trees_planted == 280
    assert Planting.history.filter(id=second.pk, history_type="~").count() == 1


def test_survival_counts_are_refused_by_row_and_share_their_rules(parcel):
    (planting,) = bulk.record_plantings(rows=[_planting(parcel)])
    services.record_survival_count(
        planting=planting, counted_on=dt.date(2012, 2, 1), trees_alive=250
    )
    rows = [
        SurvivalCount(planting=planting, counted_on=dt.date(2013, 2, 1), trees_alive=240),
        SurvivalCount(planting=planting, counted_on=dt.date(2012, 2, 1), trees_alive=245),
        SurvivalCount(planting=planting, counted_on=dt.date(2010, 2, 1), trees_alive=301),
        SurvivalCount(planting=planting, counted_on=dt.date(2013, 2, 1), trees_alive=230),
    ]
    with pytest.raises(RowsInvalid) as caught:
        bulk.record_survival_counts(rows=rows)
    assert sorted(caught.value.by_row) == [2, 3, 4]
    assert SurvivalCount.objects.filter(planting=planting).count() == 1
    for counted_on, alive in ((dt.date(2012, 2, 1), 245), (dt.date(2010, 2, 1), 301)):
        with pytest.raises(ValidationError) as single:
            services.record_survival_count(
                planting=planting, counted_on=counted_on, trees_alive=alive
            )
        with pytest.raises(RowsInvalid) as many:
            bulk.record_survival_counts(
                rows=[SurvivalCount(planting=planting, counted_on=counted_on, trees_alive=alive)]
            )
        assert many.value.by_row[1].message_dict == single.value.message_dict
    saved = bulk.record_survival_counts(rows=rows[:1])
    assert saved[0].pk and SurvivalCount.history.filter(id=saved[0].pk).count() == 1
