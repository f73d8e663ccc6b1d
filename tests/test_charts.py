"""The SVG line chart: valid XML, a scale that fits the lines that matter, honest markers."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path

from advisor.advice import build_advice
from advisor.charts import LEFT, Marker, Series, cumulative_cost_chart, line_chart
from advisor.costs import break_even
from advisor.questionnaire import Answers, load_answers_file
from advisor.reports import render_markdown

SVG = "{http://www.w3.org/2000/svg}"
ROUTER = Path(__file__).parents[1] / "examples" / "answers" / "support-ticket-router.yaml"


def texts(root) -> list[str]:
    return [t.text or "" for t in root.iter(f"{SVG}text")]


def steps(values):
    return list(enumerate(values))


def test_axis_fits_the_scale_setting_series_and_clips_the_rest():
    chart = line_chart(
        [
            Series("a & b", steps([0, 500, 1000]), "#000"),
            Series("huge", steps([0, 10_000, 20_000]), "#111", dash="4 2", sets_scale=False),
        ],
        title="t <1>",
        x_unit="month",
        markers=[Marker(1, 500, "cross")],
    )
    root = ET.fromstring(chart)
    labels = texts(root)
    assert "$1k" in labels and "$20k" not in labels  # the top is 1,000, not 20,000
    assert "a & b" in labels  # escaped in the markup, read back
    assert any(t.startswith("off the chart: $20k at month 2") for t in labels)
    assert root.find(f"{SVG}title").text == "t <1>"
    assert all(p.get("clip-path") == "url(#plot-area)" for p in root.iter(f"{SVG}polyline"))


def test_an_outlier_close_to_the_scale_stays_on_it():
    root = ET.fromstring(
        line_chart(
            [
                Series("a", steps([0, 1000]), "#000"),
                Series("b", steps([0, 1800]), "#111", sets_scale=False),
            ],
            title="t",
            x_unit="month",
        )
    )
    labels = texts(root)
    assert "$2k" in labels
    assert not any(t.startswith("off the chart") for t in labels)


def test_gridlines_are_round_numbers():
    root = ET.fromstring(
        line_chart([Series("a", steps([0, 2300]), "#000")], title="t", x_unit="month")
    )
    money = [t for t in texts(root) if t.startswith("$")]
    assert money == ["$0", "$500", "$1k", "$1.5k", "$2k", "$2.5k"]


def test_a_whisker_widens_the_scale_to_the_high_estimate():
    root = ET.fromstring(
        line_chart(
            [Series("a", steps([0, 1000]), "#000", whisker=(800, 2300))], title="t", x_unit="month"
        )
    )
    assert "$2.5k" in texts(root)
    assert root.find(f"{SVG}g[@class='range']") is not None


def advice():
    answers = Answers.from_mapping(load_answers_file(ROUTER))
    return build_advice(answers, today=dt.date(2026, 12, 2), overrides={})


def test_break_even_markers_only_at_meaningful_crossings():
    decision, costs, _ = advice()
    rag, fine_tune = costs.option("rag"), costs.option("fine-tune")
    # a crossing in the first weeks (month 0.1) and one at month 7.5
    up, month = fine_tune.upfront_items[0], fine_tune.monthly_items[0]

    def variant(extra_upfront: float, saving: float):
        return replace(
            fine_tune,
            upfront_items=(up._replace(usd=rag.upfront + extra_upfront),),
            monthly_items=(month._replace(usd=rag.monthly - saving),),
        )

    early, late = variant(100, 1000), variant(750, 100)
    crossings = (break_even(rag, early), break_even(rag, late))
    assert 0 < crossings[0].at < 1 and crossings[1].at == 7.5
    costs = replace(costs, break_even=crossings)
    root = ET.fromstring(cumulative_cost_chart(costs, decision.recommendation))
    circles = root.findall(f".//{SVG}circle[@class='break-even']")
    assert [c.findtext(f"{SVG}title") for c in circles] == ["fine-tune overtakes rag (month 8)"]
    record = render_markdown(decision, costs, chart_href="c.svg")
    assert "cross at month 7.5" in record and "cross at month 0." not in record


def test_hosted_lines_stop_at_retirement_and_the_recommended_one_is_emphasised():
    decision, costs, _ = advice()
    root = ET.fromstring(cumulative_cost_chart(costs, decision.recommendation))
    lines = {p.findtext(f"{SVG}title"): p for p in root.iter(f"{SVG}polyline")}
    hosted = costs.option("fine-tune (hosted)")
    assert hosted.horizon_months < 2
    last_x = float(lines["fine-tune (hosted)"].get("points").split()[-1].split(",")[0])
    full_x = float(lines["rag"].get("points").split()[-1].split(",")[0])
    assert last_x - LEFT < (full_x - LEFT) / 10
    widths = {name: float(p.get("stroke-width")) for name, p in lines.items()}
    assert max(widths, key=widths.get) == decision.recommendation == "fine-tune"
    # drawn first, so the thinner lines over it leave it visible
    assert next(iter(lines)) == "fine-tune"
    dashes = [p.get("stroke-dasharray") for name, p in lines.items() if name != "fine-tune"]
    assert len(set(dashes)) == len(dashes)  # every other line its own pattern
