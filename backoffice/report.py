"""The annual project report: the dashboard's figures, the year's registry activity and the
charts' tables, as a PDF (WeasyPrint) in the reader's language, the kind a standard's annual
report or a donor asks for."""

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.safestring import mark_safe

from backoffice.selectors.access import PanelView
from backoffice.selectors.charts import carbon_over_time, charts
from backoffice.selectors.dashboard import dashboard
from backoffice.svgchart import line_chart
from credits.selectors import year_activity
from smallholders.selectors import AnyUser


def _grouped(value: float) -> str:
    return number_format(round(value), 0, use_l10n=True, force_grouping=True)


def report_context(*, user: AnyUser, view: PanelView, year: int) -> dict:
    carbon = carbon_over_time(user=user, view=view)
    series = [
        (carbon.columns[i], [float(r[i]) if r[i] is not None else None for r in carbon.rows])
        for i in carbon.series
    ]
    return {
        "view": view,
        "year": year,
        "board": dashboard(user=user, view=view),
        "activity": year_activity(project_id=view.project.pk, year=year),
        "charts": charts(user=user, view=view),
        # line_chart escapes every text it writes, so its SVG is safe to insert.
        "carbon_svg": mark_safe(  # noqa: S308
            line_chart([r[0] for r in carbon.rows], series, number=_grouped)
        ),
        "generated_at": timezone.now(),
    }


def render_report_pdf(*, user: AnyUser, view: PanelView, year: int) -> bytes:
    from weasyprint import HTML  # heavy import: only when a report is asked for

    html = render_to_string(
        "backoffice/report.html", report_context(user=user, view=view, year=year)
    )
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()
