import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from parcels import selectors, validation
from parcels.models import Species


def codes(exc: ValidationError) -> dict[str, list[str]]:
    return {name: [e.code for e in errors] for name, errors in exc.error_dict.items()}


@pytest.mark.parametrize("dbh", [Decimal("0.1"), 25, Decimal("300")])
def test_it_accepts_plausible_dbh(dbh):
    validation.validate_dbh(dbh)


@pytest.mark.parametrize("dbh", [0, Decimal("-1"), Decimal("300.1"), 1200])
def test_it_rejects_implausible_dbh_naming_the_field(dbh):
    with pytest.raises(ValidationError) as caught:
        validation.validate_dbh(dbh)
    assert codes(caught.value) == {"dbh_cm": ["dbh_range"]}


def test_it_requires_a_dbh():
    with pytest.raises(ValidationError) as caught:
        validation.validate_dbh(None)
    assert codes(caught.value) == {"dbh_cm": ["required"]}


@pytest.mark.parametrize("height", [0, Decimal("70.1"), 95])
def test_it_rejects_implausible_heights(height):
    with pytest.raises(ValidationError) as caught:
        validation.validate_height(height)
    assert codes(caught.value) == {"height_m": ["height_range"]}


def test_it_flags_a_dbh_on_a_tree_below_breast_height():
    with pytest.raises(ValidationError) as caught:
        validation.validate_height(Decimal("1.3"), dbh_cm=Decimal("4"))
    assert codes(caught.value) == {"height_m": ["below_breast_height"]}
    validation.validate_height(Decimal("1.4"), dbh_cm=Decimal("4"))
    validation.validate_height(None, dbh_cm=Decimal("4"))


def test_it_rejects_dates_in_the_future():
    today = dt.date(2024, 5, 1)
    validation.validate_not_future(today, field_name="measured_on", today=today)
    with pytest.raises(ValidationError) as caught:
        validation.validate_not_future(dt.date(2024, 5, 2), field_name="measured_on", today=today)
    assert codes(caught.value) == {"measured_on": ["future_date"]}
    assert "2024-05-02" in caught.value.messages[0]


def test_it_rejects_measurements_before_the_first_planting():
    planted = dt.date(2011, 3, 1)
    validation.validate_after_planting(planted, first_planted_on=planted)
    validation.validate_after_planting(dt.date(2010, 1, 1), first_planted_on=None)
    with pytest.raises(ValidationError) as caught:
        validation.validate_after_planting(dt.date(2011, 2, 28), first_planted_on=planted)
    assert codes(caught.value) == {"measured_on": ["before_planting"]}


def test_it_checks_planting_density_against_the_species_bounds():
    bounds = {"min_per_ha": 20, "max_per_ha": 1100, "species_name": "Inga edulis"}
    validation.validate_planting_density(trees=200, area_ha=Decimal("1.5"), **bounds)
    with pytest.raises(ValidationError) as caught:
        validation.validate_planting_density(trees=5000, area_ha=Decimal("2"), **bounds)
    assert codes(caught.value) == {"trees_planted": ["density_range"]}
    assert "2500" in caught.value.messages[0] and "Inga edulis" in caught.value.messages[0]
    with pytest.raises(ValidationError):
        validation.validate_planting_density(trees=10, area_ha=Decimal("2"), **bounds)


def test_it_rejects_more_survivors_than_trees_planted():
    validation.validate_survival(80, trees_planted=100)
    with pytest.raises(ValidationError) as caught:
        validation.validate_survival(101, trees_planted=100)
    assert codes(caught.value) == {"trees_alive": ["survival_range"]}


@pytest.mark.parametrize("raw", ["40123456", " 40.123.456 ", "40-123456"])
def test_it_normalizes_a_dni(raw):
    assert validation.normalize_dni(raw) == "40123456"


@pytest.mark.parametrize("raw", ["4012345", "401234567", "4012345A", "", None])
def test_it_rejects_a_malformed_dni(raw):
    with pytest.raises(ValidationError) as caught:
        validation.normalize_dni(raw)
    assert codes(caught.value) == {"dni": ["dni_format"]}


def test_it_reports_duplicates_with_their_rows():
    assert validation.find_duplicates(["a", "b", "a", "c", "b", "a"]) == {
        "a": [0, 2, 5],
        "b": [1, 4],
    }
    with pytest.raises(ValidationError) as caught:
        validation.validate_unique(["P1", "P2", "P1"], field_name="parcel_code", first_row=2)
    assert codes(caught.value) == {"parcel_code": ["duplicate"]}
    assert "P1: 2, 4" in caught.value.messages[0]
    validation.validate_unique(["P1", "P2"], field_name="parcel_code")


def test_it_computes_the_horizontal_plot_area():
    assert validation.plot_area_m2(Decimal("5.64")) == Decimal("99.93")
    assert validation.plot_area_m2(Decimal("11.28")) == Decimal("399.73")
    on_slope = validation.plot_area_m2(Decimal("10"), slope_pct=Decimal("100"))
    assert on_slope == Decimal("157.08")  # r·cos(45°): half of π·100
    with pytest.raises(ValidationError):
        validation.plot_area_m2(Decimal("0"))


def test_it_collects_errors_of_several_fields():
    with pytest.raises(ValidationError) as caught:
        validation.collect_errors(
            lambda: validation.validate_dbh(0),
            lambda: validation.validate_height(90),
            lambda: None,
        )
    assert codes(caught.value) == {"dbh_cm": ["dbh_range"], "height_m": ["height_range"]}


def test_it_normalizes_names_without_case_or_accents():
    assert validation.normalize_name("  Plátano  BANANO ") == "platano banano"


@pytest.fixture
def index(db) -> validation.SpeciesIndex:
    return selectors.species_index()


def test_the_catalogue_is_seeded_with_selva_central_species(db):
    inga = Species.objects.get(code="INGAEDU")
    assert inga.wood_density == Decimal("0.587")
    assert inga.wood_density_level == "species"
    assert "GWDD" in inga.wood_density_source
    assert Species.objects.get(scientific_name="Coffea arabica").growth_form == "coffee"
    assert Species.objects.get(code="MUSAPAR").wood_density is None
    assert Species.objects.get(code="BACTGAS").growth_form == "palm"
    assert Species.objects.filter(native_to_peru=True).count() >= 20


@pytest.mark.parametrize(
    "name, scientific",
    [
        ("Inga edulis", "Inga edulis"),
        ("inga EDULIS", "Inga edulis"),
        ("INGAEDU", "Inga edulis"),
        ("guaba", "Inga edulis"),
        ("Bolaina", "Guazuma crinita"),
        ("capirona", "Calycophyllum spruceanum"),
        ("pashaco", "Schizolobium parahyba"),
        ("Tornillo", "Cedrelinga cateniformis"),
        ("platano", "Musa × paradisiaca"),
        ("cafe", "Coffea arabica"),
    ],
)
def test_it_finds_species_by_any_name(index, name, scientific):
    assert index.labels[index.resolve(name)] == scientific


def test_it_suggests_close_matches_for_typos(index):
    with pytest.raises(ValidationError) as caught:
        index.resolve("Inga edulus")
    assert codes(caught.value) == {"species": ["unknown_species"]}
    assert "Inga edulis" in caught.value.messages[0]
    with pytest.raises(ValidationError) as caught:
        index.resolve("capirone")
    assert "Calycophyllum spruceanum" in caught.value.messages[0]


def test_it_says_when_a_name_is_unknown_without_close_matches(index):
    with pytest.raises(ValidationError) as caught:
        index.resolve("Quercus robur")
    assert "Did you mean" not in caught.value.messages[0]


def test_it_refuses_a_local_name_shared_by_several_species(index):
    with pytest.raises(ValidationError) as caught:
        index.resolve("amasisa")
    assert codes(caught.value) == {"species": ["ambiguous_species"]}
    assert "Erythrina fusca" in caught.value.messages[0]
