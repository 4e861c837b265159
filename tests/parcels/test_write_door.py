"""One write door: the importer and the demo write field data only through the bulk services
of the owning app (smallholders.services, parcels.bulk), never by themselves.

Read from the source (an AST scan): no module of demo/ or parcels/importing/ calls a model
manager's writes, a bulk writer (simple_history's or pichanaki.bulk's) or `.save()` on a
field-data model or its rows.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCANNED = ("demo", "parcels/importing")
FIELD_MODELS = {
    "Smallholder",
    "CooperativeMembership",
    "Parcel",
    "Planting",
    "SurvivalCount",
    "MonitoringPlot",
    "TreeMeasurement",
}
MANAGER_WRITES = {"create", "bulk_create", "bulk_update", "get_or_create", "update_or_create"}
BULK_WRITERS = {
    "bulk_create_with_history",
    "bulk_update_with_history",
    "insert_with_history",
    "insert_columns_with_history",
    "update_with_history",
}
#: `.save()` receivers in the scanned modules that are not field data (jobs, users, files)
OTHER_SAVES = {"job", "job.file", "user", "profile", "workbook"}
#: the demo's writer of reference rows (project, cooperatives, species, strata): its `save`
#: may never be given a field-data model (checked below, in every scanned module)
REFERENCE_WRITER = "demo/context.py"


def _name(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_name(node.value)}.{node.attr}"
    return "?"


def _offences(path: Path, root: Path = ROOT) -> list[str]:
    name = path.relative_to(root).as_posix()
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and name != REFERENCE_WRITER:
            writers = {alias.name for alias in node.names} & BULK_WRITERS
            found += [f"imports {writer}" for writer in sorted(writers)]
        if not isinstance(node, ast.Call):
            continue
        callee = _name(node.func)
        head, _dot, last = callee.rpartition(".")
        if last in MANAGER_WRITES and head.split(".")[0] in FIELD_MODELS:
            found.append(callee)
        if last in BULK_WRITERS and any(_name(a) in FIELD_MODELS for a in node.args):
            found.append(f"{callee}({_name(node.args[0])}, …)")
        if head and last == "save" and head not in OTHER_SAVES:
            found.append(f"{callee}()")
        if last == "save" and node.args and _name(node.args[0]) in FIELD_MODELS:
            found.append(f"{callee}({_name(node.args[0])}, …)")
    return [f"{name}: {offence}" for offence in found]


def test_the_importer_and_the_demo_write_field_data_only_through_the_services():
    files = [p for top in SCANNED for p in sorted((ROOT / top).rglob("*.py"))]
    assert len(files) > 20  # the scan sees the modules
    offences = [offence for path in files for offence in _offences(path)]
    assert offences == []


def test_the_scan_catches_direct_writes(tmp_path):
    module = tmp_path / "writer.py"
    module.write_text(
        "from simple_history.utils import bulk_create_with_history\n"
        "Planting.objects.bulk_create(rows)\n"
        "bulk_create_with_history(rows, TreeMeasurement)\n"
        "parcel.save()\n"
        "save(Smallholder, people)\n"
        "job.save()\n",
        encoding="utf-8",
    )
    assert len(_offences(module, root=tmp_path)) == 5
