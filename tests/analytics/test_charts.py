"""Charts are SVG drawn on the server: no script from another site, labels escaped."""

from decimal import Decimal

from analytics.charts import bar_chart, round_ticks


def test_a_chart_is_inline_svg_without_outside_scripts():
    svg = bar_chart(labels=["<b>Acme</b>", "Bravo"], series=[("Net sales", [Decimal(10), 20])])

    assert svg.startswith("<svg")
    assert "&lt;b&gt;Acme" in svg and "<b>Acme" not in svg
    assert "http://kozea" not in svg and 'src="' not in svg


def test_the_value_axis_has_round_figures_around_every_value():
    assert round_ticks(0, 35_000) == [0, 10_000, 20_000, 30_000, 40_000]
    assert round_ticks(-960, 79_800) == [-20_000, 0, 20_000, 40_000, 60_000, 80_000]
    assert round_ticks(0, 0) == [0, 1]
