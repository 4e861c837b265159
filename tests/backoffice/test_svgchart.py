"""The report's SVG chart is pure: numbers in, SVG out (no database)."""

from backoffice.svgchart import line_chart


def test_one_polyline_per_series_with_gaps_and_escaped_text() -> None:
    svg = line_chart(
        [2010, 2011, 2012],
        [("<ex ante>", [1.0, 2.0, 4.0]), ("verified", [None, 1.0, None])],
        number=lambda v: f"{v:.0f} t",
    )
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert svg.count("<polyline") == 2
    assert "&lt;ex ante&gt;" in svg and "<ex ante>" not in svg
    assert ">4 t<" in svg
    verified = svg.split("<polyline")[2]
    assert verified.split('points="')[1].split('"')[0].count(",") == 1  # only the known point


def test_an_empty_chart_is_still_valid() -> None:
    svg = line_chart([], [])
    assert "<polyline" not in svg and svg.endswith("</svg>")
