"""The floor plan holds: one-way imports, no cycles, rooms under 400 lines (scripts/floorplan)."""

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location("floorplan", ROOT / "scripts" / "floorplan.py")
floorplan = importlib.util.module_from_spec(spec)
spec.loader.exec_module(floorplan)


def test_the_project_keeps_its_floor_plan(capsys) -> None:
    status = floorplan.main()
    printed = capsys.readouterr().out
    assert status == 0, printed


def test_the_cycle_finder_sees_a_cycle_and_only_the_cycle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert floorplan.cycles(graph) == [["a", "b", "c"]]


def test_an_import_from_a_lower_floor_upwards_is_a_break() -> None:
    graph = {"parcels.services": {"credits.models"}, "credits.models": {"parcels.models"},
             "pichanaki.urls": {"credits.urls"}, "pichanaki.views": {"demo.services"}}  # fmt: skip
    assert floorplan.layering_breaks(graph) == [
        "parcels.services imports credits.models (a floor above it)",
        "pichanaki.views imports demo.services (a floor above it)",
    ]


def test_imports_under_type_checking_are_not_edges(tmp_path) -> None:
    module = tmp_path / "m.py"
    module.write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import a\nimport b\n"
    )
    assert floorplan.imported(module, "m", {"a", "b"}) == {"b"}
