"""Server-rendered SVG charts (pygal): no script, no request to another site.

Charts draw figures the reports already rounded; pygal plots floats, which is fine for a
picture (no sum is ever taken from a chart)."""

import math

import pygal
from django.utils.safestring import mark_safe
from pygal.style import Style

PALETTE = ("#0d6efd", "#adb5bd", "#198754", "#dc3545", "#fd7e14", "#6f42c1")
STYLE = Style(
    background="transparent",
    plot_background="transparent",
    foreground="#212529",
    foreground_strong="#212529",
    foreground_subtle="#6c757d",
    colors=PALETTE,
    font_family="system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
    label_font_size=13,
    major_label_font_size=13,
    legend_font_size=14,
    value_font_size=12,
    title_font_size=16,
    guide_stroke_dasharray="1,4",
    major_guide_stroke_dasharray="1,4",
)


def bar_chart(*, labels, series, horizontal=False, height=340) -> str:
    """An SVG bar chart: `series` are (name, values) pairs, one value per label; horizontal
    bars read from the top down in the order given."""
    labels, series = list(labels), [(name, list(values)) for name, values in series]
    if horizontal:  # pygal draws the first label at the bottom
        labels = labels[::-1]
        series = [(name, values[::-1]) for name, values in series]
    chart_class = pygal.HorizontalBar if horizontal else pygal.Bar
    chart = chart_class(
        style=STYLE,
        js=(),  # pygal links its tooltip script from another site by default
        disable_xml_declaration=True,
        height=height,
        width=960,
        legend_at_bottom=True,
        legend_at_bottom_columns=len(series),
        truncate_label=28,
        truncate_legend=40,
        value_formatter=lambda value: f"{value:,.0f}",
        show_y_guides=not horizontal,
        show_x_guides=horizontal,
        margin=12,
    )
    chart.x_labels = labels
    values = [float(value) for _, numbers in series for value in numbers]
    chart.y_labels = round_ticks(min(values, default=0), max(values, default=0))
    for name, numbers in series:
        chart.add(name, [float(value) for value in numbers])
    return mark_safe(chart.render(is_unicode=True))


def round_ticks(low, high, *, count=5) -> list[float]:
    """About `count` evenly spaced round figures (1, 2, 2.5 or 5 times a power of ten) from
    0 or below `low` to `high` or above, for the value axis."""
    low, high = min(low, 0.0), max(high, 0.0)
    if high == low:
        return [0.0, 1.0]
    rough = (high - low) / count
    power = 10 ** math.floor(math.log10(rough))
    step = next(factor * power for factor in (1, 2, 2.5, 5, 10) if factor * power >= rough)
    first, last = math.floor(low / step), math.ceil(high / step)
    return [index * step for index in range(first, last + 1)]
