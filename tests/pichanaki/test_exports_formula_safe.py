"""Issue 9: no CSV or XLSX file the project writes can carry a formula (OWASP's CSV-injection
rule), and numbers stay numbers.

Three guards, so that an export added later is covered or fails here:
- every URL and admin action that serves a file is listed in `ROUTES` / `ACTIONS` below
  (found by walking the URL resolver and `admin.site`);
- every CSV or XLSX is written by pichanaki/exports.py (a `csv.writer` or an openpyxl
  `Workbook` anywhere else in the project fails);
- each listed export is downloaded by a reader allowed to, after formulas were planted in every
  text a person can type (names, codes, bank fields, species names): no cell starts a formula,
  the planted texts arrive with their leading quote, and a negative number stays a number.

`carbon_trees` (quantification/cli) writes the operator's own input file back with computed
columns: a local command on one person's file, not an export of other people's text.
"""

import csv
import datetime as dt
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from pprint import pformat

import pytest
from django.apps import apps
from django.contrib import admin
from django.test import Client
from django.urls import URLResolver, get_resolver
from openpyxl import load_workbook
from rest_framework.test import APIClient

from backoffice.selectors.charts import CHARTS
from benefits import payments
from benefits.models import Distribution, TrustHold
from credits.models import Issuance, SerialBlock
from parcels.importing.services import IMPORTERS
from parcels.models import (
    MonitoringPlot,
    Parcel,
    Planting,
    Species,
    Stratum,
    SurvivalCount,
    TreeMeasurement,
)
from pichanaki.exports import PLAIN_NUMBER, neutralize
from quantification.models import ParcelResult, RunStatus
from smallholders.models import Cooperative, Smallholder
from tests.base import PASSWORD
from tests.credits.factories import make_run
from tests.pichanaki.admin_world import World, build_world

ROOT = Path(__file__).resolve().parents[2]
DANGER = ("=", "+", "-", "@", "\t", "\r")
FILE_ROUTE = re.compile(r"\.(csv|xlsx)|export|template|payments")

#: URL names serving CSV/XLSX files (each downloaded below) ...
ROUTES = {
    "template",
    "quantification_calculationrun_parcels_csv",
    "credits_serialblock_parcels_csv",
    "credits_issuance_contributions_csv",
    "chart-csv",
    "chart-xlsx",
    "parcel-export-csv",
    "export-csv",
    "distribution-payments-file",
}
#: ... and those serving other files (GeoJSON for the EUDR: no spreadsheet reads it as cells).
NOT_SPREADSHEETS = {"export-eudr", "parcel-export-eudr"}
#: admin actions writing a file: (model label, action name)
ACTIONS = {
    *(
        (label, "export_csv_action")
        for label in (
            "smallholders.Smallholder",
            "parcels.Species",
            "parcels.Stratum",
            "parcels.Parcel",
            "parcels.Planting",
            "parcels.MonitoringPlot",
            "parcels.TreeMeasurement",
        )
    ),
    ("benefits.Distribution", "export_csv"),
    ("benefits.Distribution", "export_xlsx"),
}


def _routes(resolver: URLResolver, prefix: str = ""):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern), pattern.name


def _admin_actions():
    for model, model_admin in admin.site._registry.items():
        for action in model_admin.actions or ():
            name = action if isinstance(action, str) else action.__name__
            if "export" in name:
                yield model._meta.label, name


def test_every_export_route_and_action_is_listed() -> None:
    serving = {name for route, name in _routes(get_resolver()) if FILE_ROUTE.search(route)}
    assert serving == ROUTES | NOT_SPREADSHEETS, "list the new export here and download it below"
    assert set(_admin_actions()) == ACTIONS


WRITERS = re.compile(r"csv\.(writer|DictWriter)\(|\bWorkbook\(")


def test_every_spreadsheet_is_written_by_the_shared_writer() -> None:
    """The one module that neutralises cells is the one that writes them."""
    elsewhere = []
    for path in ROOT.rglob("*.py"):
        relative = path.relative_to(ROOT)
        if relative.parts[0] in (".venv", "tests", "bench", "var") or relative == Path(
            "pichanaki/exports.py"
        ):
            continue
        if WRITERS.search(path.read_text(encoding="utf-8")):
            elsewhere.append(str(relative))
    assert elsewhere == []


@pytest.mark.parametrize(
    "text", ["+SUM(1,1)", "@cmd", '=HYPERLINK("http://x","y")', "-2+3", "\tx", "\rx", "-", "+"]
)
def test_formulas_are_neutralised(text: str) -> None:
    assert neutralize(text) == "'" + text


@pytest.mark.parametrize("number", ["-10,927811", "-10.5", "+3", "-7", "-,5"])
def test_plain_numbers_stay_numbers(number: str) -> None:
    assert neutralize(number) == number


# --- Every export, downloaded ------------------------------------------------------------------


@dataclass(frozen=True)
class Export:
    name: str
    fetch: Callable[["Downloads"], bytes]
    planted: bool = True  # the file shows texts a person typed (so planted formulas must show)


@dataclass
class Downloads:
    world: World
    admin: Client  # a superuser: every admin page and action
    manager: Client  # the manager of project A (payment files are theirs)
    api: APIClient

    def get(self, url: str, client: Client | None = None) -> bytes:
        response = (client or self.admin).get(url)
        assert response.status_code == 200, (url, response.status_code)
        return response.content

    def action(self, changelist: str, action: str, ids: list[int], client: Client | None = None):
        data = {"action": action, "_selected_action": ids, "index": 0}
        response = (client or self.admin).post(changelist, data)
        assert response.status_code == 200, (changelist, action, response.status_code)
        return response.content


def _plant_formulas(world: World) -> None:
    """Formulas in every text a person can type that an export shows (written past the forms,
    as a hostile import or an old row would have them)."""
    Smallholder.objects.update(
        first_name='=HYPERLINK("http://evil","clic")',
        last_name="+SUM(1,1)",
        community="@cmd",
        notes="\tnota",
        bank_name="-2+3",
        bank_account="=1+2",
        cci="\r=3",
        wallet_phone="@964",
    )
    for parcel in Parcel.objects.all():
        Parcel.objects.filter(pk=parcel.pk).update(code=f"=1+{parcel.pk}", name="@finca")
    Cooperative.objects.update(name="+Cooperativa")
    Stratum.objects.update(name="=estrato")
    for stratum in Stratum.objects.all():
        Stratum.objects.filter(pk=stratum.pk).update(code=f"@s{stratum.pk}")
    Species.objects.filter(code="INGAEDU").update(common_name_es="=guaba", common_name_en="=guaba")
    MonitoringPlot.objects.update(code="=parcela")
    TreeMeasurement.objects.update(tree_tag="@arbol")


def _complete(world: World) -> None:
    """What the world lacks for two exports to have rows: a survival count (the survival chart)
    and shares released from trust (payable lines in the payment file)."""
    planting = Planting.objects.filter(parcel__project=world.project("A")).first()
    SurvivalCount.objects.create(planting=planting, counted_on=dt.date(2014, 6, 1), trees_alive=90)
    for hold in TrustHold.objects.filter(line__distribution__project=world.project("A")):
        payments.release_trust(hold_id=hold.pk, actor=world.personas.manager_a, reason="meta")


def _run_with_results(world: World) -> int:
    """A succeeded run of project A with a result per parcel (a stock change below zero)."""
    parcels = world.parcels["A"]
    run = make_run(
        world.project("A"), parcels, vintages={2016: (10, 2)}, status=RunStatus.SUCCEEDED
    )
    stratum = Stratum.objects.filter(project=world.project("A")).first()
    for parcel in parcels:
        ParcelResult.objects.create(
            run=run,
            parcel=parcel,
            stratum=stratum,
            basis="measured",
            area_ha="3.0000",
            n_plots=1,
            n_trees=10,
            stock_tco2e="12.500",
            change_tco2e="-1.250",
            baseline_stock_tco2e="0.000",
            net_tco2e="-1.250",
            issuable_tco2e=0,
        )
    return run.pk


def _exports(world: World, run_id: int) -> list[Export]:
    project = world.project("A")
    block = SerialBlock.objects.filter(project=project).order_by("pk").first()
    issuance = Issuance.objects.filter(project=project).order_by("pk").first()
    distribution = Distribution.objects.get(project=project)
    exports = [
        Export(
            f"admin action {label}",
            lambda d, label=label: d.action(
                f"/admin/{label.replace('.', '/').lower()}/",
                "export_csv_action",
                list(apps.get_model(label).objects.values_list("pk", flat=True)),
            ),
        )
        for label, action in sorted(ACTIONS)
        if action == "export_csv_action"
    ]
    exports += [
        Export(
            f"payments {fmt} (admin)",
            lambda d, fmt=fmt: d.action(
                "/admin/benefits/distribution/", f"export_{fmt}", [distribution.pk], d.manager
            ),
        )
        for fmt in ("csv", "xlsx")
    ]
    exports += [
        Export(
            f"payments {fmt} (API)",
            lambda d, fmt=fmt: (
                d.api.get(
                    f"/api/v1/distributions/{distribution.pk}/payments/?file_format={fmt}"
                ).content
            ),
        )
        for fmt in ("csv", "xlsx")
    ]
    exports += [
        Export(
            "run parcels",
            lambda d: d.get(f"/admin/quantification/calculationrun/{run_id}/parcels.csv"),
        ),
        Export(
            "block parcels", lambda d: d.get(f"/admin/credits/serialblock/{block.pk}/parcels.csv")
        ),
        Export(
            "issuance contributions",
            lambda d: d.get(f"/admin/credits/issuance/{issuance.pk}/contributions.csv"),
        ),
        Export("parcels (site)", lambda d: d.get("/parcels/export/parcels.csv")),
        Export("parcels (API)", lambda d: d.api.get("/api/v1/parcels/export/csv/").content),
    ]
    exports += [
        Export(
            f"chart {key}.{fmt}",
            lambda d, key=key, fmt=fmt: d.get(f"/panel/{project.code}/charts/{key}.{fmt}"),
            planted=key == "survival",  # the others are figures only
        )
        for key in CHARTS
        for fmt in ("csv", "xlsx")
    ]
    exports += [
        Export(
            f"template {kind}-{language}.{fmt}",
            lambda d, kind=kind, language=language, fmt=fmt: d.get(
                f"/admin/import/template/{kind}-{language}.{fmt}", d.manager
            ),
            # the example row names one of the reader's parcels
            planted=kind in ("plantings", "measurements"),
        )
        for kind in IMPORTERS
        for language in ("es", "en")
        for fmt in ("csv", "xlsx")
    ]
    return exports


def _cells(content: bytes) -> list[tuple[object, str]]:
    """(value, openpyxl data type) of every non-empty cell; a CSV's cells are text ("s")."""
    if content.startswith(b"PK"):
        book = load_workbook(io.BytesIO(content))  # not read-only: formulas stay formulas
        return [
            (cell.value, cell.data_type)
            for sheet in book.worksheets
            for row in sheet.iter_rows()
            for cell in row
            if cell.value is not None
        ]
    text = content.decode("utf-8-sig")
    header = text.split("\n", 1)[0]
    delimiter = ";" if header.count(";") > header.count(",") else ","
    rows = csv.reader(io.StringIO(text), delimiter=delimiter)
    return [(value, "s") for row in rows for value in row if value]


def _login(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


#: exports whose rows hold a negative number (a stock change, the example's latitude)
NEGATIVE = {"run parcels"} | {
    f"template measurements-{language}.{fmt}"
    for language in ("es", "en")
    for fmt in ("csv", "xlsx")
}


@pytest.mark.django_db
def test_every_export_neutralises_formulas_and_keeps_numbers() -> None:
    world = build_world()
    run_id = _run_with_results(world)
    _complete(world)
    _plant_formulas(world)
    api = APIClient()
    api.force_authenticate(world.personas.manager_a)
    downloads = Downloads(world, admin=_login("root"), manager=_login("manager_a"), api=api)
    exports = _exports(world, run_id)
    assert len(exports) == 7 + 2 + 2 + 5 + 2 * len(CHARTS) + 4 * len(IMPORTERS)
    problems = {}
    for export in exports:
        cells = _cells(export.fetch(downloads))
        texts = [value for value, _kind in cells if isinstance(value, str)]
        found = {
            "formulas": [value for value, kind in cells if kind == "f"],
            "open": [t for t in texts if t.startswith(DANGER) and not PLAIN_NUMBER.fullmatch(t)],
            "quoted numbers": [t for t in texts if t[:1] == "'" and PLAIN_NUMBER.fullmatch(t[1:])],
        }
        quoted = [t for t in texts if t[:1] == "'" and t[1:2] in DANGER]
        if export.planted and not quoted:
            found["planted texts missing"] = texts[:12]
        negatives = [
            v for v, _kind in cells if isinstance(v, str) and re.fullmatch(r"-\d+[.,]\d+", v)
        ]
        if export.name in NEGATIVE and not negatives:
            found["no negative number"] = texts[:30]
        found = {what: values for what, values in found.items() if values}
        if found:
            problems[export.name] = found
    assert problems == {}, pformat(problems, width=100)
