"""Small SVG line charts for the printed report (WeasyPrint runs no JavaScript). Pure: numbers
in, SVG text out; no database."""

from collections.abc import Callable, Sequence
from html import escape

WIDTH, HEIGHT, PAD = 640, 240, 40
COLOURS = ("#2e6b3a", "#d95f02", "#7570b3")


def line_chart(
    labels: Sequence[object],
    series: Sequence[tuple[str, Sequence[float | None]]],
    *,
    number: Callable[[float], str] = lambda v: f"{v:,.0f}",
) -> str:
    """An SVG with one polyline per series over `labels` (gaps where a value is None); the
    axis maximum is written with `number` (the caller's locale)."""
    values = [v for _, points in series for v in points if v is not None]
    top = max(values, default=0) or 1
    step = (WIDTH - 2 * PAD) / max(len(labels) - 1, 1)

    def xy(i: int, v: float) -> str:
        return f"{PAD + i * step:.1f},{HEIGHT - PAD - (v / top) * (HEIGHT - 2 * PAD):.1f}"

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="100%" role="img">',
        f'<line x1="{PAD}" y1="{HEIGHT - PAD}" x2="{WIDTH - PAD}" y2="{HEIGHT - PAD}" '
        'stroke="#999"/>',
        f'<text x="{PAD}" y="{PAD - 8}" font-size="11">{escape(number(top))}</text>',
    ]
    for i, label in enumerate(labels):
        if i % max(len(labels) // 8, 1) == 0:
            parts.append(
                f'<text x="{PAD + i * step:.1f}" y="{HEIGHT - PAD + 16}" font-size="10" '
                f'text-anchor="middle">{escape(str(label))}</text>'
            )
    for n, (name, points) in enumerate(series):
        colour = COLOURS[n % len(COLOURS)]
        coords = " ".join(xy(i, v) for i, v in enumerate(points) if v is not None)
        parts.append(
            f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{coords}"/>'
        )
        parts.append(
            f'<text x="{WIDTH - PAD}" y="{PAD + 14 * n}" font-size="11" fill="{colour}" '
            f'text-anchor="end">{escape(name)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
