"""A run's per-parcel results as CSV (all of them; the run page shows a page at a time)."""

from django.http import HttpResponse
from django.utils.translation import gettext as _

from pichanaki.exports import csv_response
from quantification import selectors
from quantification.models import CalculationRun


def parcel_results_csv(*, run: CalculationRun) -> HttpResponse:
    headers = [
        _("Parcel"),
        _("Stratum"),
        _("Basis"),
        _("Area (ha)"),
        _("Plots"),
        _("Trees"),
        _("Stock (tCO2e)"),
        _("Stock change (tCO2e)"),
        _("Net contribution (tCO2e)"),
        _("Issuable (tCO2e)"),
    ]
    rows = (
        [
            p.parcel.code,
            p.stratum.code if p.stratum else "",
            p.get_basis_display(),
            p.area_ha,
            p.n_plots,
            p.n_trees,
            p.stock_tco2e,
            p.change_tco2e,
            p.net_tco2e,
            p.issuable_tco2e,
        ]
        for p in selectors.parcel_results(run=run).iterator(chunk_size=2000)
    )
    return csv_response(headers, rows, name=f"run-{run.pk}-parcels")
