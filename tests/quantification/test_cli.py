"""The carbon_trees / carbon_estimate contract: quantification.cli and the management commands."""

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from quantification.cli import estimate as cli_estimate
from quantification.cli import parameters as cli_params
from quantification.cli import trees as cli_trees
from quantification.engine import CarbonParameters
from tests.quantification.engine.conftest import assert_stated

ROOT = Path(__file__).resolve().parents[2]
TREES = """tree_id,species,dbh_cm,height_m,wood_density,plot_id
T1,Cedrela odorata,25,18,0.447,A
T2,Cedrela odorata,25,,0.447,A
T6,Calycophyllum spruceanum,3,2.5,,A
P1,Bactris gasipaes,20,8,,B
X,desconocida,30,,,A
"""


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_it_writes_exactly_the_contract_columns_with_the_cli_defaults(tmp_path):
    out = tmp_path / "out.csv"
    err = io.StringIO()
    assert cli_trees.carbon_trees(_write(tmp_path, "in.csv", TREES), out, stderr=err) == 0
    header = out.read_text().splitlines()[0].split(",")
    assert (
        header
        == list(cli_trees.OUTPUT_COLUMNS)
        == [
            "tree_id",
            "species",
            "dbh_cm",
            "wood_density",
            "wood_density_level",
            "height_m",
            "height_source",
            "agb_kg",
            "bgb_kg",
            "carbon_kg",
            "co2e_kg",
            "equation",
        ]
    )
    rows = {r["tree_id"]: r for r in _rows(out)}
    assert list(rows) == ["T1", "T2", "T6", "P1", "X"]
    t1 = rows["T1"]
    assert (t1["wood_density_level"], t1["height_source"], t1["equation"]) == (
        "local",
        "measured",
        "chave2014_eq4",
    )
    for column, stated in (
        ("agb_kg", "275.829"),
        ("bgb_kg", "74.474"),
        ("carbon_kg", "164.642"),
        ("co2e_kg", "603.689"),
    ):
        assert_stated(float(t1[column]), stated)
    assert rows["T2"]["height_source"] == "feldpausch:WAmazonia"
    assert_stated(float(rows["T2"]["height_m"]), "21.3")
    assert rows["T6"]["agb_kg"] == "0.000000" and rows["T6"]["wood_density_level"] == "species"
    assert (rows["P1"]["equation"], rows["P1"]["wood_density"]) == ("excluded:palm", "")
    assert rows["X"]["wood_density_level"] == "plot"
    assert "desconocida" in err.getvalue()


def test_it_applies_the_parameter_options(tmp_path):
    source = _write(tmp_path, "in.csv", TREES)
    params = cli_params.cli_parameters(
        equation="chave2014_eq7_biomass",
        e=-0.129006,
        root_shoot=0.37,
        carbon_fraction=0.5,
        dmin=2.0,
        height_model="chave_e",
    )
    assert (
        cli_trees.carbon_trees(source, tmp_path / "o.csv", params=params, stderr=io.StringIO()) == 0
    )
    rows = {r["tree_id"]: r for r in _rows(tmp_path / "o.csv")}
    assert rows["T6"]["equation"] == "chave2014_eq7_biomass" and float(rows["T6"]["agb_kg"]) > 0
    agb, bgb = float(rows["T1"]["agb_kg"]), float(rows["T1"]["bgb_kg"])
    assert bgb == pytest.approx(0.37 * agb)
    assert float(rows["T1"]["carbon_kg"]) == pytest.approx(0.5 * 1.37 * agb)
    assert rows["T2"]["height_source"] == "none"  # Eq. 7 needs no height: none is modelled
    chave_e = cli_params.cli_parameters(height_model="chave_e", e=0.0)
    assert (
        cli_trees.carbon_trees(source, tmp_path / "e.csv", params=chave_e, stderr=io.StringIO())
        == 0
    )
    assert _rows(tmp_path / "e.csv")[1]["height_source"] == "chave_e"
    local = cli_params.cli_parameters(height_model="log2")
    assert (local.height_method, local.height_model) == ("local", "log2")


def test_it_reports_every_bad_row_and_writes_nothing(tmp_path):
    source = _write(
        tmp_path,
        "bad.csv",
        "\n".join(
            [
                "tree_id,species,dbh_cm,height_m,wood_density",
                "T1,Cedrela odorata,25,18,",
                "T1,Cedrela odorata,abc,,",
                ",Inga,-3,0,",
                "T4,Inga,nan,,0",
                "T5,Inga,12",
                "T6,Inga,12,5,x",
                "",
                "T7,Inga,12,5,",
                "T8,Inga,,5,",
            ]
        )
        + "\n",
    )
    out = tmp_path / "out.csv"
    err = io.StringIO()
    assert cli_trees.carbon_trees(source, out, stderr=err) == 1
    assert not out.exists() and list(tmp_path.iterdir()) == [source]
    lines = err.getvalue().splitlines()
    assert lines == [
        "line 3, dbh_cm: not a finite number: 'abc'",
        "line 3, tree_id: duplicate tree_id 'T1' (first on line 2)",
        "line 4, dbh_cm: diameter must be a number > 0 on a live tree",
        "line 4, height_m: height must be a number > 0 or empty",
        "line 4, tree_id: a value is required",
        "line 5, dbh_cm: not a finite number: 'nan'",
        "line 5, wood_density: wood density must be a number > 0 or empty",
        "line 6, -: expected 5 fields, found 3",
        "line 7, wood_density: not a finite number: 'x'",
        "line 8, -: expected 5 fields, found 0",
        "line 10, dbh_cm: a value is required",
        f"11 error(s) in {source}; nothing was written",
    ]


def test_it_reports_missing_columns_on_line_one(tmp_path):
    source = _write(tmp_path, "in.csv", "tree_id,species,dbh\nT1,Inga,20\n")
    err = io.StringIO()
    assert cli_trees.carbon_trees(source, tmp_path / "o.csv", stderr=err) == 1
    assert err.getvalue().splitlines()[:2] == [
        "line 1, dbh_cm: missing column",
        "line 1, height_m: missing column",
    ]


def test_it_reads_quoted_fields_crlf_and_a_byte_order_mark(tmp_path):
    text = (
        '\ufefftree_id,species,dbh_cm,height_m\r\n"T,1","Inga edulis",20,12\r\n'
        '"T2","Inga ""vera""",22,\r\n'
    )
    source = tmp_path / "q.csv"
    source.write_bytes(text.encode("utf-8"))
    assert cli_trees.carbon_trees(source, tmp_path / "o.csv", stderr=io.StringIO()) == 0
    rows = _rows(tmp_path / "o.csv")
    assert [r["tree_id"] for r in rows] == ["T,1", "T2"]
    assert rows[1]["species"] == 'Inga "vera"'
    assert rows[1]["wood_density_level"] == "genus"
    bad = tmp_path / "qbad.csv"
    bad.write_text('tree_id,species,dbh_cm,height_m\n"T1",Inga,x,\n"T2",Inga,20,1,2\n')
    err = io.StringIO()
    assert cli_trees.carbon_trees(bad, tmp_path / "o2.csv", stderr=err) == 1
    assert err.getvalue().splitlines()[:2] == [
        "line 2, dbh_cm: not a finite number: 'x'",
        "line 3, -: expected 4 fields, found 5",
    ]


def test_its_output_is_identical_across_runs_and_hash_seeds(tmp_path):
    rng = np.random.default_rng(4)
    lines = ["tree_id,species,dbh_cm,height_m,plot_id"]
    names = ["Inga edulis", "Cedrela odorata", "bolaina", "Erythrina sp.", "desconocida"]
    for i in range(3000):
        h = f"{rng.uniform(3, 30):.1f}" if rng.random() < 0.4 else ""
        lines.append(f"T{i},{names[i % 5]},{rng.uniform(5, 70):.1f},{h},P{i % 40}")
    source = _write(tmp_path, "in.csv", "\n".join(lines) + "\n")
    outputs = []
    for seed in ("0", "123"):
        out = tmp_path / f"out{seed}.csv"
        subprocess.run(
            [
                sys.executable,
                "-c",
                "import sys; from quantification.cli import parameters, trees; "
                "sys.exit(trees.carbon_trees(sys.argv[1], sys.argv[2], "
                "params=parameters.cli_parameters(height_model='local')))",
                str(source),
                str(out),
            ],
            cwd=ROOT,
            check=True,
            capture_output=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
        )
        outputs.append(out.read_bytes())
    in_process = tmp_path / "in_process.csv"
    cli_trees.carbon_trees(
        source,
        in_process,
        params=cli_params.cli_parameters(height_model="local"),
        stderr=io.StringIO(),
    )
    assert outputs[0] == outputs[1] == in_process.read_bytes()
    assert b"local:" in outputs[0]


PLOTS = "plot_id,stratum,area_m2\nA,S,400\nB,S,400\nC,S,400\n"
STRATA = "stratum,area_ha\nS,100\n"


def _estimate_files(tmp_path):
    trees = (
        "\n".join(
            [
                "tree_id,species,dbh_cm,height_m,plot_id",
                "1,Inga edulis,20,12,A",
                "2,Inga edulis,25,14,B",
                "3,Cedrela odorata,18,,B",
                "4,Inga edulis,22,13,C",
                "5,Inga edulis,14,,A",
            ]
        )
        + "\n"
    )
    return (
        _write(tmp_path, "t.csv", trees),
        _write(tmp_path, "p.csv", PLOTS),
        _write(tmp_path, "s.csv", STRATA),
    )


def test_it_prints_the_project_estimate_as_json(tmp_path):
    trees, plots, strata = _estimate_files(tmp_path)
    out, err = io.StringIO(), io.StringIO()
    assert (
        cli_estimate.carbon_estimate(
            trees, plots, strata, tmp_path / "e.json", stdout=out, stderr=err
        )
        == 0
    )
    document = json.loads(out.getvalue())
    assert document == json.loads((tmp_path / "e.json").read_text())
    params = cli_params.cli_parameters()
    assert document["method_version"] == "pichanaki-carbon 1.0.0"
    assert document["parameters_fingerprint"] == params.fingerprint()
    assert CarbonParameters.from_dict(document["parameters"]) == params
    project, stratum = document["project"], document["strata"][0]
    assert (project["n_plots"], project["df"], stratum["n_plots"]) == (3, 2, 3)
    assert project["mean_t_co2e_ha"] == pytest.approx(stratum["mean_t_co2e_ha"])
    assert project["total_t_co2e"] == pytest.approx(100 * project["mean_t_co2e_ha"])
    u = project["ci_half_width_pct"] / 100
    assert 0.1 < u < 1.1
    assert project["total_after_deduction_t_co2e"] == pytest.approx(
        project["total_t_co2e"] * max(1 - (u - 0.1), 0.0)
    )
    assert project["ci_half_width_pct"] == pytest.approx(
        project["t_value"] * project["se_t_co2e_ha"] / project["mean_t_co2e_ha"] * 100
    )


def test_it_reports_estimate_input_errors_with_their_lines(tmp_path):
    trees, plots, strata = _estimate_files(tmp_path)
    trees.write_text(trees.read_text() + "6,Inga edulis,20,,Z\n")
    _write(tmp_path, "s.csv", "stratum,area_ha,census\nS,100,maybe\n")
    err = io.StringIO()
    assert cli_estimate.carbon_estimate(trees, plots, strata, stdout=io.StringIO(), stderr=err) == 1
    assert "line 2, census: must be true or false" in err.getvalue()
    _write(tmp_path, "s.csv", STRATA)
    err = io.StringIO()
    assert cli_estimate.carbon_estimate(trees, plots, strata, stdout=io.StringIO(), stderr=err) == 1
    assert "line 7, plot_id: plot Z is not in the plots table" in err.getvalue()


def test_it_loads_a_saved_parameter_set(tmp_path):
    saved = CarbonParameters(height_method="feldpausch", root_shoot_ratio=0.37)
    path = _write(tmp_path, "params.json", json.dumps(saved.to_dict()))
    assert cli_params.parameters_from_options({"parameters": str(path)}) == saved
    assert (
        cli_params.parameters_from_options({"parameters": str(path), "dmin": 10.0}).dmin_cm == 10.0
    )


def test_the_carbon_trees_command_wraps_the_cli(tmp_path):
    source = _write(tmp_path, "in.csv", TREES)
    out, err = tmp_path / "o.csv", io.StringIO()
    call_command("carbon_trees", str(source), "-o", str(out), "--root-shoot", "0.37", stderr=err)
    assert _rows(out)[0]["tree_id"] == "T1"
    assert float(_rows(out)[0]["bgb_kg"]) == pytest.approx(0.37 * float(_rows(out)[0]["agb_kg"]))
    bad = _write(tmp_path, "bad.csv", "tree_id,species,dbh_cm,height_m\nT1,Inga,x,\n")
    err = io.StringIO()
    with pytest.raises(CommandError) as error:
        call_command("carbon_trees", str(bad), "-o", str(tmp_path / "no.csv"), stderr=err)
    assert error.value.returncode == 1
    assert "line 2, dbh_cm" in err.getvalue()
    assert not (tmp_path / "no.csv").exists()
    with pytest.raises(CommandError, match="carbon_fraction"):
        call_command("carbon_trees", str(source), "-o", str(out), "--carbon-fraction", "2")


def test_the_carbon_estimate_command_wraps_the_cli(tmp_path):
    trees, plots, strata = _estimate_files(tmp_path)
    out = io.StringIO()
    call_command(
        "carbon_estimate",
        "--trees",
        str(trees),
        "--plots",
        str(plots),
        "--strata",
        str(strata),
        stdout=out,
        stderr=io.StringIO(),
    )
    assert json.loads(out.getvalue())["project"]["n_plots"] == 3
    _write(tmp_path, "p.csv", "plot_id,stratum,area_m2\nA,S,0\n")
    with pytest.raises(CommandError):
        call_command(
            "carbon_estimate",
            "--trees",
            str(trees),
            "--plots",
            str(plots),
            "--strata",
            str(strata),
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )
