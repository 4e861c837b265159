"""One write door: every writer of field data (the importer, the demo, the admin's and the
back-office's forms, the API) goes through the bulk services of the owning app
(smallholders.services, parcels.bulk, parcels.bulk_parcels, parcels.bulk_monitoring), never
writes by itself.

Read from the source (an AST scan): no module of demo/, parcels/importing/, the forms, the
admin, the API or the back-office's views calls a model manager's writes, a bulk writer
(simple_history's or pichanaki.bulk's) or `.save()` on a field-data model or its rows; the
single-row services only call the bulk services. Then, from the running site: every admin and
API view of field data overrides Django's and DRF's own saves.
"""

import ast
from pathlib import Path

import pytest
from django.contrib import admin
from django.contrib.auth.models import User
from django.test import RequestFactory
from rest_framework import mixins, viewsets

ROOT = Path(__file__).resolve().parents[2]
SCANNED = ("demo", "parcels/importing")
#: the forms, the admin, the API and the back-office's views (their modules or packages)
FRONT_DOORS = (
    "smallholders/forms.py",
    "smallholders/admin.py",
    "smallholders/admin_scoping.py",
    "smallholders/api",
    "smallholders/views.py",
    "parcels/forms.py",
    "parcels/admin.py",
    "parcels/api",
    "parcels/views.py",
    "backoffice/forms.py",
    "backoffice/field_views.py",
    "backoffice/views.py",
)
#: the bulk services, the one door of each concept
BULK_SERVICES = {
    "register_smallholders",
    "update_smallholders",
    "register_parcels",
    "update_parcels",
    "record_plantings",
    "update_plantings",
    "record_survival_counts",
    "update_survival_counts",
    "record_monitoring_plots",
    "update_monitoring_plots",
    "record_tree_measurements",
    "update_tree_measurements",
    "move_smallholder",  # memberships after registration: close one, open the next
}
#: single-row services: each calls a bulk service, or another of these, and writes nothing itself
SINGLE_ROW = {
    "smallholders/services.py": {"register_smallholder", "update_smallholder"},
    "parcels/services.py": {
        "save_parcel",
        "register_parcel",
        "update_parcel_boundary",
        "update_parcel",
        "record_planting",
        "record_survival_count",
        "record_monitoring_plot",
        "record_tree_measurement",
        "save_field_record",
        "update_field_record",
    },
}
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
        unsaved = any(k.arg == "commit" and _false(k.value) for k in node.keywords)
        if head and last == "save" and head not in OTHER_SAVES and not unsaved:
            found.append(f"{callee}()")
        if last == "save" and node.args and _name(node.args[0]) in FIELD_MODELS:
            found.append(f"{callee}({_name(node.args[0])}, …)")
    return [f"{name}: {offence}" for offence in found]


def _false(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and node.value is False


def _python_files(tops: tuple[str, ...]) -> list[Path]:
    paths = [ROOT / top for top in tops]
    return sorted(p for path in paths for p in ([path] if path.is_file() else path.rglob("*.py")))


def test_the_importer_and_the_demo_write_field_data_only_through_the_services():
    files = [p for top in SCANNED for p in sorted((ROOT / top).rglob("*.py"))]
    assert len(files) > 20  # the scan sees the modules
    offences = [offence for path in files for offence in _offences(path)]
    assert offences == []


def test_the_forms_the_admin_the_api_and_the_panel_write_only_through_the_services():
    files = _python_files(FRONT_DOORS)
    assert len(files) >= 16  # the scan sees the modules
    offences = [offence for path in files for offence in _offences(path)]
    assert offences == []


def _functions(path: Path) -> dict[str, ast.FunctionDef]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {node.name: node for node in tree.body if isinstance(node, ast.FunctionDef)}


def _one_door_offences(path: Path, names: set[str], root: Path = ROOT) -> list[str]:
    """A single-row service that writes itself, or calls no bulk service (nor another one)."""
    functions, found = _functions(path), []
    doors = BULK_SERVICES | names
    for name in sorted(names):
        function = functions.get(name)
        if function is None:
            found.append(f"{name}: missing")
            continue
        module = ast.Module(body=[function], type_ignores=[])
        scratch = root / "_one_function.py"
        scratch.write_text(ast.unparse(module), encoding="utf-8")
        try:
            found += [f"{name}: {offence}" for offence in _offences(scratch, root)]
        finally:
            scratch.unlink()
        calls = {
            _name(node.func).rpartition(".")[2]
            for node in ast.walk(function)
            if isinstance(node, ast.Call)
        }
        if not calls & (doors - {name}):
            found.append(f"{name}: calls no bulk service")
    return found


@pytest.mark.parametrize("module", sorted(SINGLE_ROW))
def test_the_single_row_services_are_one_row_through_the_bulk_services(module, tmp_path):
    offences = _one_door_offences(ROOT / module, SINGLE_ROW[module], root=tmp_path)
    assert offences == []


def test_the_scan_catches_direct_writes(tmp_path):
    module = tmp_path / "writer.py"
    module.write_text(
        "from simple_history.utils import bulk_create_with_history\n"
        "Planting.objects.bulk_create(rows)\n"
        "bulk_create_with_history(rows, TreeMeasurement)\n"
        "parcel.save()\n"
        "save(Smallholder, people)\n"
        "job.save()\n"
        "formset.save(commit=False)\n"
        "form.save()\n",
        encoding="utf-8",
    )
    assert len(_offences(module, root=tmp_path)) == 6


def test_the_scan_catches_a_single_row_service_beside_the_door(tmp_path):
    module = tmp_path / "services.py"
    module.write_text(
        "def record_planting(*, parcel):\n"
        "    planting = Planting(parcel=parcel)\n"
        "    validate_planting(planting)\n"
        "    planting.save()\n"
        "def save_parcel(*, parcel):\n"
        "    register_parcels(rows=[parcel])\n",
        encoding="utf-8",
    )
    offences = _one_door_offences(module, {"record_planting", "save_parcel"}, root=tmp_path)
    assert offences == [
        "record_planting: _one_function.py: planting.save()",
        "record_planting: calls no bulk service",
    ]


FIELD_MODEL_CLASSES = {
    model
    for model in admin.site._registry
    if model.__name__ in FIELD_MODELS and model._meta.app_label in ("smallholders", "parcels")
}


#: shown only inside their parent's admin: a planting's survival counts (saved through
#: PlantingAdmin.save_formset) and a family's memberships (read-only: `move_smallholder` moves)
INLINE_ONLY = {"SurvivalCount", "CooperativeMembership"}


def _editable(inline: type, parent: type) -> bool:
    """Whether a superuser could add, change or delete the inline's rows on the parent's page."""
    request = RequestFactory().get("/admin/")
    request.user = User(username="root", is_superuser=True, is_staff=True, is_active=True)
    shown = inline(parent, admin.site)
    fields = set(shown.get_fields(request)) - set(shown.get_readonly_fields(request))
    changes = bool(fields) and shown.has_change_permission(request)
    deletes = shown.can_delete and shown.has_delete_permission(request)
    return changes or deletes or shown.has_add_permission(request, None)


def test_every_field_data_admin_saves_through_the_services():
    assert {m.__name__ for m in FIELD_MODEL_CLASSES} == FIELD_MODELS - INLINE_ONLY
    for model in FIELD_MODEL_CLASSES:
        model_admin = type(admin.site._registry[model])
        assert model_admin.save_model is not admin.ModelAdmin.save_model, model
        doors = [i for i in model_admin.inlines if i.model.__name__ in FIELD_MODELS]
        if any(_editable(inline, model) for inline in doors):
            assert model_admin.save_formset is not admin.ModelAdmin.save_formset, model


def test_the_membership_history_is_read_only_on_the_smallholder_page():
    (smallholder,) = (m for m in FIELD_MODEL_CLASSES if m.__name__ == "Smallholder")
    inlines = admin.site._registry[smallholder].inlines
    memberships = [i for i in inlines if i.model.__name__ == "CooperativeMembership"]
    assert memberships  # the family's history is shown...
    assert not any(_editable(inline, smallholder) for inline in memberships)  # ...not edited


def _field_viewsets() -> list[type]:
    from parcels.api import views as parcel_views
    from smallholders.api import views as smallholder_views

    found = []
    for module in (parcel_views, smallholder_views):
        for value in vars(module).values():
            serializer = getattr(value, "serializer_class", None)
            model = getattr(getattr(serializer, "Meta", None), "model", None)
            viewset = isinstance(value, type) and issubclass(value, viewsets.GenericViewSet)
            if viewset and model and model.__name__ in FIELD_MODELS:
                found.append(value)
    return found


def test_every_field_data_api_view_writes_through_the_services():
    views = _field_viewsets()
    assert len(views) >= 6  # smallholders, parcels, plantings, counts, plots, trees
    for view in views:
        if issubclass(view, mixins.CreateModelMixin):
            assert view.perform_create is not mixins.CreateModelMixin.perform_create, view
        if issubclass(view, mixins.UpdateModelMixin):
            assert view.perform_update is not mixins.UpdateModelMixin.perform_update, view
