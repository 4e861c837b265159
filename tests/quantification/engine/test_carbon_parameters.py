"""The parameter set: defaults, validation naming the field, canonical fingerprint."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from quantification.engine import METHOD_VERSION, CarbonParameters, GrowthCurve, ParameterError

ROOT = Path(__file__).resolve().parents[3]


def test_it_defaults_to_the_spec_defaults():
    p = CarbonParameters()
    assert (p.default_equation, p.dmin_cm, p.root_shoot_ratio, p.carbon_fraction) == (
        "chave2014_eq4",
        5.0,
        0.27,
        0.47,
    )
    assert (p.wood_density_table, p.wood_density_region) == ("gwdd_v1", "World")
    assert (p.height_method, p.height_fallback, p.feldpausch_region) == (
        "local",
        "feldpausch",
        "WAmazonia",
    )
    assert (p.deduction_rule, p.uncertainty_target, p.confidence) == ("excess", 0.1, 0.9)
    assert p.buffer_fraction == 0.30 and p.bgb_method == "ratio"
    assert {"palm", "banana", "coffee"} <= set(p.exclude_growth_forms)
    assert p.growth_curves["medium_native"] == GrowthCurve(45.0, 0.12, 1.3)
    assert METHOD_VERSION == "pichanaki-carbon 1.0.0"


def test_it_round_trips_through_a_dict_and_json():
    p = CarbonParameters(
        species_equations={"Cordia alliodora": "segura2006_cordia"},
        local_wood_density={"Inga edulis": 0.6},
        e_index=-0.1,
    )
    data = json.loads(json.dumps(p.to_dict()))
    assert data["schema"] == "pichanaki.carbon.parameters/1"
    again = CarbonParameters.from_dict(data)
    assert again == p and again.fingerprint() == p.fingerprint()


def test_its_fingerprint_is_canonical_and_changes_with_any_field():
    p = CarbonParameters()
    assert CarbonParameters(dmin_cm=5).fingerprint() == p.fingerprint()
    assert (
        CarbonParameters(
            exclude_growth_forms=("palm", "coffee", "banana", "bamboo", "palm")
        ).fingerprint()
        == p.fingerprint()
    )
    assert p.replace(root_shoot_ratio=0.37).fingerprint() != p.fingerprint()
    assert p.replace(use_synonyms=False).fingerprint() != p.fingerprint()
    assert len(p.fingerprint()) == 64 and hash(p) == hash(CarbonParameters())


def test_its_fingerprint_does_not_depend_on_the_process():
    code = (
        "from quantification.engine import CarbonParameters; "
        "print(CarbonParameters().fingerprint())"
    )
    prints = {
        subprocess.run(
            [sys.executable, "-c", code],
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
            env={"PYTHONHASHSEED": seed, "PATH": ""},
        ).stdout.strip()
        for seed in ("1", "2")
    }
    assert prints == {CarbonParameters().fingerprint()}


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("dmin_cm", "5", "must be a number"),
        ("dmin_cm", -1, "must be in"),
        ("carbon_fraction", 0, "must be in"),
        ("root_shoot_ratio", float("nan"), "finite"),
        ("default_equation", "chave2099", "must be one of"),
        ("height_method", "guess", "must be one of"),
        ("feldpausch_region", "Andes", "must be one of"),
        ("wood_density_table", "gwdd_v3", "must be one of"),
        ("buffer_fraction", 1.0, "must be in"),
        ("use_synonyms", 1, "true or false"),
        ("crediting_period_years", 30.5, "integer"),
        ("exclude_growth_forms", ("cactus",), "growth forms"),
        ("local_wood_density", {"Inga edulis": 2.0}, "must be in"),
        ("species_equations", {"Inga": "nope"}, "must be one of"),
    ],
)
def test_it_names_the_bad_field(field, value, reason):
    with pytest.raises(ParameterError, match=reason) as error:
        CarbonParameters.from_dict({field: value})
    assert error.value.field.startswith(field)


def test_it_checks_fields_that_depend_on_each_other():
    with pytest.raises(ParameterError) as error:
        CarbonParameters(default_equation="chave2014_eq7_biomass")
    assert error.value.field == "e_index"
    with pytest.raises(ParameterError, match="chave_e"):
        CarbonParameters(height_method="chave_e")
    with pytest.raises(ParameterError, match="unknown group"):
        CarbonParameters(species_growth_groups={"Inga": "bamboo_fast"})
    with pytest.raises(ParameterError, match="region filter"):
        CarbonParameters(wood_density_table="gwdd_v2", wood_density_region="SouthAmericaTrop")
    with pytest.raises(ParameterError, match="unknown 'Mars'"):
        CarbonParameters(wood_density_region="Mars")
    assert CarbonParameters(wood_density_region="SouthAmericaTrop")


def test_it_rejects_unknown_keys_and_schemas():
    with pytest.raises(ParameterError) as error:
        CarbonParameters.from_dict({"root_shot_ratio": 0.3})
    assert error.value.field == "root_shot_ratio"
    with pytest.raises(ParameterError, match="schema"):
        CarbonParameters.from_dict({"schema": "other/9"})
    with pytest.raises(ParameterError, match="growth_curve.k"):
        CarbonParameters.from_dict({"growth_curves": {"x": {"dmax_cm": 40, "k": 1.5, "p": 1}}})


def test_it_is_immutable():
    p = CarbonParameters()
    with pytest.raises(AttributeError):
        p.dmin_cm = 3  # type: ignore[misc]
    with pytest.raises(TypeError):
        p.species_equations["Inga"] = "segura2006_inga"  # type: ignore[index]
