"""The SVG line chart: valid XML, a scale that fits the lines that matter."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from advisor.charts import Marker, Series, line_chart

SVG = "{http://www.w3.org/2000/svg}"


def texts(root) -> list[str]:
    return [t.text or "" for t in root.iter(f"{SVG}text")]


def test_axis_fits_the_scale_setting_series_and_clips_the_rest():
    chart = line_chart(
        [Series("a & b", [0, 500, 1000], "#000"),
         Series("huge", [0, 10_000, 20_000], "#111", dashed=True, sets_scale=False)],
        title="t <1>", x_unit="month", markers=[Marker(1, 500, "cross")],
    )
    root = ET.fromstring(chart)
    labels = texts(root)
    assert "$1k" in labels and "$20k" not in labels      # the top is 1,000, not 20,000
    assert "a & b" in labels                              # escaped in the markup, read back
    assert any(t.startswith("off the chart: $20k at month 2") for t in labels)
    assert root.find(f"{SVG}title").text == "t <1>"
    assert all(p.get("clip-path") == "url(#plot-area)" for p in root.iter(f"{SVG}polyline"))


def test_an_outlier_close_to_the_scale_stays_on_it():
    root = ET.fromstring(line_chart(
        [Series("a", [0, 1000], "#000"), Series("b", [0, 1800], "#111", sets_scale=False)],
        title="t", x_unit="month"))
    labels = texts(root)
    assert "$2k" in labels
    assert not any(t.startswith("off the chart") for t in labels)


def test_gridlines_are_round_numbers():
    root = ET.fromstring(line_chart([Series("a", [0, 2300], "#000")], title="t",
                                    x_unit="month"))
    money = [t for t in texts(root) if t.startswith("$")]
    assert money == ["$0", "$500", "$1k", "$1.5k", "$2k", "$2.5k"]
